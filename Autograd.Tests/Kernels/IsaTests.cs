using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Autograd.Kernels;
using Autograd.Tests.Examples;

namespace Autograd.Tests.Kernels;

/// <summary>
/// Every kernel path on one machine (Autograd.Core/Kernels/Isa.cs): each op family run under each instruction set
/// the CPU supports (avx512, avx2, v128, scalar; one it lacks is skipped with a message), compared bitwise where the
/// kernel promises the same bits on every path and within a stated bound of a float64 reference where it does not.
/// </summary>
/// <remarks>
/// The promises: (1) ops with one formula per element — arithmetic, comparisons, relu, sign, floor, tanh and sigmoid
/// (whose vector and scalar forms are the same IEEE operations), the scalar-only math functions, the fused backward
/// rules, in-place updates — give the same bits on every path, scalar included; (2) the sums (fixed 32-lane float64
/// accumulators) and scans likewise; (3) exp, log and the softmax family give the same bits on every vector path,
/// and every path, scalar (the Math functions) included, is within 2 ulp of a float64 reference for exp, log, sin and
/// cos (4 for tan and cosh); (4) the matrix product with M, N &gt; 1 gives the same bits on the three vector kernels (one fused
/// multiply-add per term in k order), and every kernel, scalar and matrix·vector included, is within
/// (K + 2)·u·Σ|a||b| of the float64 product.
/// </remarks>
[NonParallelizable]
public class IsaTests
{
    public static readonly InstructionSet[] All = [InstructionSet.Avx512, InstructionSet.Avx2, InstructionSet.Vector128, InstructionSet.Scalar];

    private static readonly InstructionSet[] VectorIsas = [InstructionSet.Avx512, InstructionSet.Avx2, InstructionSet.Vector128];

    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // Every tail below and around each width (4, 8, 16 floats; 2, 4, 8 doubles), a long span shared among threads.
    private static readonly int[] Lengths = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1029, 70003];

    /// <summary>The instruction sets this CPU can run, for tests that force each.</summary>
    public static IEnumerable<InstructionSet> Available() => All.Where(i => i <= Isa.Supported);

    private static void Require(InstructionSet isa)
    {
        if (isa > Isa.Supported)
            Assert.Ignore($"this CPU lacks {Isa.Name(isa)}: it supports up to {Isa.Name(Isa.Supported)}");
    }

    private static T Under<T>(InstructionSet isa, Func<T> run)
    {
        using var scope = Isa.Override(isa);
        Assert.That(Isa.Current, Is.EqualTo(isa));
        return run();
    }

    private static Tensor Random(int[] shape, DType dtype, ulong seed, double low = -4, double high = 4) =>
        Tensor.Uniform(shape, new Generator(seed), low, high, dtype);

    private static long[] Bits(Tensor t) => t.DType == DType.Float32
        ? t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray()
        : t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void AssertSameBits(Tensor expected, Tensor actual, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what);
        long[] e = Bits(expected), a = Bits(actual);
        double[] ev = expected.ToArray<double>(), av = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
        {
            bool bothNaN = double.IsNaN(ev[i]) && double.IsNaN(av[i]);
            if (e[i] != a[i] && !bothNaN) Assert.Fail($"{what}: element {i} is {av[i]:R}, expected {ev[i]:R} (bitwise)");
        }
    }

    /// <summary>|actual − reference| in units of the last place of the reference rounded to actual's dtype.</summary>
    private static double Ulps(double actual, double reference, DType dtype, double floor = 0)
    {
        if (Math.Abs(reference) < floor) return Math.Abs(actual - reference) / (dtype == DType.Float32 ? Math.Pow(2, -23) : Math.Pow(2, -52)) / floor;
        if (double.IsNaN(reference)) return double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        if (double.IsInfinity(reference)) return actual == reference ? 0 : double.PositiveInfinity;
        if (dtype == DType.Float32)
        {
            float r = MathF.Abs((float)reference);
            double ulp = float.IsInfinity(MathF.BitIncrement(r)) ? r - MathF.BitDecrement(r) : MathF.BitIncrement(r) - r;
            return Math.Abs(actual - reference) / ulp;
        }
        double rd = Math.Abs(reference);
        return Math.Abs(actual - reference) / (Math.BitIncrement(rd) - rd);
    }

    private static double MaxUlps(Tensor actual, double[] reference, double floor = 0)
    {
        double[] a = actual.ToArray<double>();
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Ulps(a[i], reference[i], actual.DType, floor));
        return worst;
    }

    // ----- the setting itself -----

    [Test]
    public void OverrideCapsTheCurrentSetAndDisposingRestoresThePreviousOne()
    {
        var before = (Isa.Requested, Isa.Current);
        using (Isa.Override(InstructionSet.Scalar))
        {
            Assert.That(Isa.Current, Is.EqualTo(InstructionSet.Scalar));
            Assert.That(Isa.Requested, Is.EqualTo(InstructionSet.Scalar));
            using (Isa.Override(InstructionSet.Avx512))
            {
                // A set the CPU lacks falls back to the best one below it.
                Assert.That(Isa.Current, Is.EqualTo(Isa.Supported));
                Assert.That(Isa.Requested, Is.EqualTo(InstructionSet.Avx512));
            }
            Assert.That(Isa.Current, Is.EqualTo(InstructionSet.Scalar));
            using (Isa.Override(null)) Assert.That(Isa.Current, Is.EqualTo(Isa.Supported));
        }
        Assert.That((Isa.Requested, Isa.Current), Is.EqualTo(before));
        Assert.That(() => Isa.Override((InstructionSet)7), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Isa.Override"));
    }

    [Test]
    public void TheGemmKernelFollowsTheSetting()
    {
        foreach (var isa in Available())
        {
            using var scope = Isa.Override(isa);
            string expected = isa switch
            {
                InstructionSet.Avx512 => nameof(GemmIsa.Avx512),
                InstructionSet.Avx2 => nameof(GemmIsa.Avx2),
                InstructionSet.Vector128 => Isa.HasVector128Fma ? nameof(GemmIsa.Vector128) : nameof(GemmIsa.Scalar),
                _ => nameof(GemmIsa.Scalar),
            };
            Assert.That(Gemm.Isa.ToString(), Is.EqualTo(expected), Isa.Name(isa));
        }
    }

    [TestCase("avx512", InstructionSet.Avx512)]
    [TestCase("AVX2", InstructionSet.Avx2)]
    [TestCase(" v128 ", InstructionSet.Vector128)]
    [TestCase("vector128", InstructionSet.Vector128)]
    [TestCase("scalar", InstructionSet.Scalar)]
    public void TheEnvironmentNamesParse(string value, InstructionSet expected)
    {
        Assert.That(Isa.TryParse(value, out var isa), Is.True);
        Assert.That(isa, Is.EqualTo(expected));
        Assert.That(Isa.TryParse(Isa.Name(expected), out var back) && back == expected, Is.True);
    }

    [TestCase("")]
    [TestCase("sse2")]
    [TestCase("avx-512")]
    [TestCase(null)]
    public void OtherNamesDoNotParse(string? value) => Assert.That(Isa.TryParse(value, out _), Is.False);

    /// <summary>The bench summary (a child process) prints the set AUTOGRAD_ISA asks for.</summary>
    [TestCase("scalar", "scalar")]
    [TestCase("v128", "v128")]
    [TestCase("avx512", null)]
    [TestCase("bogus", null)]
    public void AChildProcessHonoursTheEnvironmentVariable(string value, string? printed)
    {
        string dll = Path.Combine(ExampleRunner.RepositoryRoot(), "Autograd.Bench", "bin",
            new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name, "net10.0", "Autograd.Bench.dll");
        if (!File.Exists(dll)) Assert.Fail($"Autograd.Bench is not built at {dll} (Autograd.Tests.csproj references it so that building the tests builds it)");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("summary");
        psi.ArgumentList.Add("0");
        psi.ArgumentList.Add("none");   // no figure group: only the machine line
        psi.Environment[Isa.EnvironmentVariable] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the summary did not finish within 60 s");
        }
        process.WaitForExit();
        string machine = stdout.Result.Split('\n').FirstOrDefault(l => l.StartsWith("# machine:")) ?? "";
        Assert.That(process.ExitCode, Is.EqualTo(0), stderr.Result);
        string expected = printed ?? (value == "bogus" ? Isa.Name(Isa.Supported) + " (AUTOGRAD_ISA='bogus' ignored" : Isa.Name(Isa.Supported));
        Assert.That(machine, Does.Contain($"ISA {expected}"), stdout.Result);
    }

    // ----- promise 1: one formula per element, the same bits on every path -----

    private static readonly (string Name, Func<Tensor, Tensor> Op)[] ExactUnary =
    [
        ("neg", x => -x), ("abs", x => x.Abs()), ("sqrt", x => x.Abs().Sqrt()), ("relu", x => x.Relu()), ("sign", x => x.Sign()),
        ("floor", x => x.Floor()), ("ceil", x => x.Ceil()), ("trunc", x => x.Trunc()), ("round", x => x.Round()),
        ("tanh", x => x.Tanh()), ("sigmoid", x => x.Sigmoid()), ("softplus", x => x.Softplus()), ("erf", x => x.Erf()),
        ("erfc", x => x.Erfc()), ("sinh", x => x.Sinh()), ("asin", x => (x * 0.25).Asin()), ("atan", x => x.Atan()),
        ("pow2.5", x => x.Abs().Pow(2.5)), ("x*1.5", x => x * 1.5), ("x+0.25", x => x + 0.25), ("1-x", x => 1.0 - x),
        ("x/3", x => x / 3.0), ("clamp", x => x.Clamp(-1, 2)), ("gt0.5", x => x.Gt(0.5)),
    ];

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op)[] ExactBinary =
    [
        ("add", (a, b) => a + b), ("sub", (a, b) => a - b), ("mul", (a, b) => a * b), ("div", (a, b) => a / b),
        ("maximum", Tensor.Maximum), ("minimum", Tensor.Minimum), ("pow", (a, b) => a.Abs().Pow(b)), ("fmod", (a, b) => a.Fmod(b)),
        ("atan2", Tensor.Atan2), ("hypot", (a, b) => a.Hypot(b)), ("ge", (a, b) => a.Ge(b)), ("ne", (a, b) => a.Ne(b)),
        ("broadcast", (a, b) => a.Reshape(1, -1) * b.Slice(0, 0, Math.Min(b.Shape[0], 3)).Reshape(-1, 1)),
    ];

    [TestCaseSource(nameof(All))]
    public void ElementwiseOpsGiveTheScalarPathsBits(InstructionSet isa)
    {
        Require(isa);
        foreach (var dtype in DTypes)
            foreach (int n in Lengths)
            {
                var x = Random([n], dtype, (ulong)n);
                var y = Random([n], dtype, (ulong)n + 1000, 0.5, 3);
                foreach (var (name, op) in ExactUnary)
                    AssertSameBits(Under(InstructionSet.Scalar, () => op(x)), Under(isa, () => op(x)), $"{name} {dtype.Name()} n={n} {Isa.Name(isa)}");
                foreach (var (name, op) in ExactBinary)
                    AssertSameBits(Under(InstructionSet.Scalar, () => op(x, y)), Under(isa, () => op(x, y)), $"{name} {dtype.Name()} n={n} {Isa.Name(isa)}");
            }
    }

    [TestCaseSource(nameof(All))]
    public void FusedBackwardRulesAndInPlaceUpdatesGiveTheScalarPathsBits(InstructionSet isa)
    {
        Require(isa);
        foreach (var dtype in DTypes)
            foreach (int n in Lengths)
            {
                var x = Random([n], dtype, (ulong)n + 7);
                var g = Random([n], dtype, (ulong)n + 8);
                foreach (var (name, op) in new (string, Func<Tensor, Tensor>)[]
                {
                    ("tanh", t => t.Tanh()), ("sigmoid", t => t.Sigmoid()), ("relu", t => t.Relu()), ("clamp", t => t.Clamp(-1, 1.5)),
                })
                {
                    Tensor Grad()
                    {
                        var leaf = x.Detach().RequireGrad();
                        op(leaf).Backward(g);
                        return leaf.Grad!;
                    }
                    AssertSameBits(Under(InstructionSet.Scalar, Grad), Under(isa, Grad), $"{name}′ {dtype.Name()} n={n} {Isa.Name(isa)}");
                }
                Tensor AddScaled() => x.Clone().AddInPlace(g, alpha: 0.3);
                Tensor Scale() => x.Clone().MulInPlace(0.7);
                AssertSameBits(Under(InstructionSet.Scalar, AddScaled), Under(isa, AddScaled), $"add_(alpha) {dtype.Name()} n={n} {Isa.Name(isa)}");
                AssertSameBits(Under(InstructionSet.Scalar, Scale), Under(isa, Scale), $"mul_ {dtype.Name()} n={n} {Isa.Name(isa)}");
            }
    }

    // ----- promise 2: sums and scans -----

    [TestCaseSource(nameof(All))]
    public void SumsAndScansGiveTheScalarPathsBits(InstructionSet isa)
    {
        Require(isa);
        foreach (var dtype in DTypes)
            foreach (int n in Lengths)
            {
                var x = Random([n], dtype, (ulong)n + 20);
                var m = Random([3, n], dtype, (ulong)n + 21);
                foreach (var (name, op) in new (string, Func<Tensor>)[]
                {
                    ("sum", () => x.Sum()), ("mean", () => x.Mean()), ("sum(1)", () => m.Sum(1)), ("sum(0)", () => m.Sum(0)),
                    ("cumsum", () => x.Cumsum(0)), ("cumprod", () => (x * 0.1 + 1.0).Cumprod(0)),
                })
                    AssertSameBits(Under(InstructionSet.Scalar, op), Under(isa, op), $"{name} {dtype.Name()} n={n} {Isa.Name(isa)}");
            }
    }

    // ----- promise 3: the .NET vector functions and the softmax family -----

    // sin and cos are measured in ulps of max(|y|, 1) (their absolute error near a zero is what a periodic function keeps).
    // Only exp and log are compared bitwise across the vector paths: .NET's float64 Vector512/256/128.Sin and Cos (and
    // the TensorPrimitives tan and cosh built like them) were seen to differ by an ulp between two runs of the same
    // width in one process, as the JIT replaced the code running a long loop (on-stack replacement) mid-call.
    private static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Reference, double Low, double High, double Bound, double Floor)[] VectorFunctions =
    [
        ("exp", x => x.Exp(), Math.Exp, -20, 20, 2, 0), ("log", x => x.Log(), Math.Log, 1e-3, 1e3, 2, 0),
        ("sin", x => x.Sin(), Math.Sin, -10, 10, 2, 1), ("cos", x => x.Cos(), Math.Cos, -10, 10, 2, 1),
        ("tan", x => x.Tan(), Math.Tan, -1.5, 1.5, 4, 0), ("cosh", x => x.Cosh(), Math.Cosh, -10, 10, 4, 0),
    ];

    [TestCaseSource(nameof(All))]
    public void VectorFunctionsAgreeOnEveryVectorPathAndStayWithin2UlpOfFloat64(InstructionSet isa)
    {
        Require(isa);
        foreach (var dtype in DTypes)
            foreach (int n in Lengths)
                foreach (var (name, op, reference, low, high, bound, floor) in VectorFunctions)
                {
                    var x = Random([n], dtype, (ulong)n + 30, low, high);
                    var actual = Under(isa, () => op(x));
                    if (isa != InstructionSet.Scalar && name is "exp" or "log")
                        AssertSameBits(Under(Isa.Supported, () => op(x)), actual, $"{name} {dtype.Name()} n={n} {Isa.Name(isa)}");
                    double[] r = x.ToArray<double>().Select(reference).ToArray();
                    double ulps = MaxUlps(actual, r, floor);
                    Assert.That(ulps, Is.LessThanOrEqualTo(bound), $"{name} {dtype.Name()} n={n} {Isa.Name(isa)}: {ulps:F2} ulp");
                }
    }

    [Test]
    public void TheVectorFunctionsGiveTensorPrimitivesBits()
    {
        // Exp, Log, Sin, Cos, Tan, Cosh, Max on the drivers against TensorPrimitives itself, every length to 70. Sin,
        // cos, tan and cosh are held to 1 ulp: where 128-bit vectors are the widest (ARM64, or x86 without AVX2),
        // TensorPrimitives' are not .NET's Vector128 functions, which the drivers call (they differed in the last place
        // on 6 of 11,200 float64 cosines on ARM64 under emulation, 10 on x86-64 with AVX2 off); and on a Zen 3 with AVX2
        // one float64 cosine of the 2,485 differed by an ulp in about half the runs, never with tiered compilation off,
        // as the JIT replaced the code of one side while the loop ran.
        const int trigUlps = 1;
        for (int n = 0; n <= 70; n++)
        {
            var xf = Random([n], DType.Float32, (ulong)n + 40, 0.01, 5).ToArray<float>();
            var xd = Random([n], DType.Float64, (ulong)n + 41, 0.01, 5).ToArray<double>();
            Check<float, ExpOperator>(xf, TensorPrimitives.Exp, 0);
            Check<double, ExpOperator>(xd, TensorPrimitives.Exp, 0);
            Check<float, LogOperator>(xf, TensorPrimitives.Log, 0);
            Check<double, LogOperator>(xd, TensorPrimitives.Log, 0);
            Check<float, SinOperator>(xf, TensorPrimitives.Sin, trigUlps);
            Check<double, CosOperator>(xd, TensorPrimitives.Cos, trigUlps);
            Check<float, TanOperator>(xf, TensorPrimitives.Tan, trigUlps);
            Check<double, CoshOperator>(xd, TensorPrimitives.Cosh, trigUlps);
            Check<double, AcosOperator>(xd.Select(v => v / 5).ToArray(), TensorPrimitives.Acos, 0);
            if (n > 0)
            {
                Assert.That(Spans.Max<float>(xf), Is.EqualTo(TensorPrimitives.Max<float>(xf)));
                Assert.That(Spans.Max<double>(xd), Is.EqualTo(TensorPrimitives.Max<double>(xd)));
            }
        }

        static void Check<T, TK>(T[] x, SpanAction<T> tp, int ulps) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> where TK : IUnaryKernel
        {
            var expected = new T[x.Length];
            var actual = new T[x.Length];
            tp(x, expected);
            Spans.Unary<T, TK>(x, actual);
            AssertWithin(actual, expected, ulps, $"{typeof(TK).Name} {typeof(T).Name} n={x.Length}");
            x.AsSpan().CopyTo(actual);
            Spans.Unary<T, TK>(actual, actual);
            AssertWithin(actual, expected, ulps, $"{typeof(TK).Name} {typeof(T).Name} n={x.Length} in place");
        }

        static void AssertWithin<T>(T[] actual, T[] expected, int ulps, string what) where T : unmanaged
        {
            if (ulps == 0)
            {
                Assert.That(actual, Is.EqualTo(expected), what);
                return;
            }
            for (int i = 0; i < actual.Length; i++)
            {
                long a = typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits((float)(object)actual[i]) : BitConverter.DoubleToInt64Bits((double)(object)actual[i]);
                long e = typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits((float)(object)expected[i]) : BitConverter.DoubleToInt64Bits((double)(object)expected[i]);
                Assert.That(Math.Abs(a - e), Is.LessThanOrEqualTo(ulps), $"{what}: element {i} is {actual[i]}, TensorPrimitives {expected[i]}");
            }
        }
    }

    private delegate void SpanAction<T>(ReadOnlySpan<T> x, Span<T> y);

    [TestCaseSource(nameof(All))]
    public void TheSoftmaxFamilyAgreesOnEveryVectorPathAndStaysCloseToFloat64(InstructionSet isa)
    {
        Require(isa);
        foreach (var dtype in DTypes)
            foreach (int c in new[] { 3, 10, 31, 33, 100, 1000 })
            {
                var x = Random([5, c], dtype, (ulong)c + 50, -8, 8);
                var target = Tensor.From(Enumerable.Range(0, 5).Select(i => (long)(i * 7 % c)).ToArray());
                // The log-space results in ulps of max(|y|, 1): log p near p = 1 keeps an absolute error, not a relative one.
                var ops = new (string, Func<Tensor>, Func<double[], int, double[]>, double)[]
                {
                    ("softmax", () => x.Softmax(1), SoftmaxReference, 0),
                    ("log_softmax", () => x.LogSoftmax(1), (v, k) => SoftmaxReference(v, k).Select(p => Math.Log(p)).ToArray(), 1),
                    ("logsumexp", () => x.LogSumExp(1), LogSumExpReference, 1),
                    ("softmax(0)", () => x.Softmax(0).Transpose(0, 1).Contiguous(), (v, k) => SoftmaxReference(Transpose(v, 5, k), 5), 0),
                };
                foreach (var (name, op, reference, floor) in ops)
                {
                    var actual = Under(isa, op);
                    if (isa != InstructionSet.Scalar)
                        AssertSameBits(Under(Isa.Supported, op), actual, $"{name} {dtype.Name()} c={c} {Isa.Name(isa)}");
                    double[] r = reference(x.ToArray<double>(), c);
                    double ulps = MaxUlps(actual, r, floor);
                    // A few ulp (exp's rounding carried through the sum and the quotient); for float64 also the
                    // reference's own float64 sum, whose error grows with C.
                    Assert.That(ulps, Is.LessThanOrEqualTo(Bound(dtype, c)), $"{name} {dtype.Name()} c={c} {Isa.Name(isa)}: {ulps:F2} ulp");
                }
                Tensor Loss() => x.CrossEntropy(target);
                Tensor LossGrad()
                {
                    var leaf = x.Detach().RequireGrad();
                    leaf.CrossEntropy(target).Sum().Backward();
                    return leaf.Grad!;
                }
                var loss = Under(isa, Loss);
                var grad = Under(isa, LossGrad);
                if (isa != InstructionSet.Scalar)
                {
                    AssertSameBits(Under(Isa.Supported, Loss), loss, $"cross_entropy {dtype.Name()} c={c} {Isa.Name(isa)}");
                    AssertSameBits(Under(Isa.Supported, LossGrad), grad, $"cross_entropy′ {dtype.Name()} c={c} {Isa.Name(isa)}");
                }
                double[] v = x.ToArray<double>(), lse = LogSumExpReference(v, c);
                double[] expected = Enumerable.Range(0, 5).Select(i => lse[i] - v[i * c + i * 7 % c]).ToArray();
                double lossUlps = MaxUlps(loss, expected, 1);
                Assert.That(lossUlps, Is.LessThanOrEqualTo(Bound(dtype, c)), $"cross_entropy {dtype.Name()} c={c} {Isa.Name(isa)}: {lossUlps:F2} ulp");
            }
    }

    private static double Bound(DType dtype, int c) => dtype == DType.Float32 ? 8 : 8 + c / 32.0;

    private static double[] Transpose(double[] v, int rows, int cols)
    {
        var t = new double[v.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
        return t;
    }

    private static double[] SoftmaxReference(double[] v, int c)
    {
        var r = new double[v.Length];
        for (int o = 0; o < v.Length / c; o++)
        {
            double m = v.Skip(o * c).Take(c).Max(), s = 0;
            for (int k = 0; k < c; k++) s += Math.Exp(v[o * c + k] - m);
            for (int k = 0; k < c; k++) r[o * c + k] = Math.Exp(v[o * c + k] - m) / s;
        }
        return r;
    }

    private static double[] LogSumExpReference(double[] v, int c)
    {
        var r = new double[v.Length / c];
        for (int o = 0; o < r.Length; o++)
        {
            double m = v.Skip(o * c).Take(c).Max(), s = 0;
            for (int k = 0; k < c; k++) s += Math.Exp(v[o * c + k] - m);
            r[o] = m + Math.Log(s);
        }
        return r;
    }

    // ----- promise 4: the matrix product -----

    private static readonly (int M, int K, int N)[] GemmShapes =
    [
        (2, 3, 2), (4, 4, 4), (6, 64, 8), (12, 256, 32), (13, 257, 33), (11, 300, 31), (5, 17, 7), (25, 100, 65),
        (145, 70, 97), (48, 513, 16), (1, 37, 29), (29, 37, 1), (1, 1000, 3), (7, 1, 9),
    ];

    [TestCaseSource(nameof(All))]
    public void TheMatrixProductIsWithinItsErrorBoundAndTheVectorKernelsAgree(InstructionSet isa)
    {
        Require(isa);
        foreach (var dtype in DTypes)
            foreach (var (m, k, n) in GemmShapes)
            {
                var a = Random([m, k], dtype, (ulong)(m * 1000 + k), -1, 1);
                var b = Random([k, n], dtype, (ulong)(k * 1000 + n), -1, 1);
                string what = $"{m}x{k}x{n} {dtype.Name()} {Isa.Name(isa)} (kernel {Under(isa, () => Gemm.Isa)})";
                var c = Under(isa, () => a.MatMul(b));
                var ct = Under(isa, () => b.Transpose(0, 1).MatMul(a.Transpose(0, 1)));
                if (isa != InstructionSet.Scalar && m > 1 && n > 1 && Under(isa, () => Gemm.Isa) != GemmIsa.Scalar)
                {
                    AssertSameBits(Under(Isa.Supported, () => a.MatMul(b)), c, what);
                    AssertSameBits(Under(Isa.Supported, () => b.Transpose(0, 1).MatMul(a.Transpose(0, 1))), ct, what + " transposed operands");
                }
                double u = dtype == DType.Float32 ? Math.Pow(2, -24) : Math.Pow(2, -53);
                double[] x = a.ToArray<double>(), y = b.ToArray<double>(), got = c.ToArray<double>(), gotT = ct.ToArray<double>();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0, abs = 0;
                        for (int q = 0; q < k; q++)
                        {
                            s += x[i * k + q] * y[q * n + j];
                            abs += Math.Abs(x[i * k + q] * y[q * n + j]);
                        }
                        // The float64 reference itself errs by up to k·u·Σ|a||b| for float64 operands.
                        double bound = (k + 2) * u * abs * (dtype == DType.Float64 ? 2 : 1);
                        Assert.That(Math.Abs(got[i * n + j] - s), Is.LessThanOrEqualTo(bound), $"{what} C[{i}, {j}]");
                        Assert.That(Math.Abs(gotT[j * m + i] - s), Is.LessThanOrEqualTo(bound), $"{what} (BᵀAᵀ)[{j}, {i}]");
                    }
            }
    }
}
