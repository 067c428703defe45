using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// Elementwise kernels (Autograd.Core/Kernels/Elementwise.cs): long maps chunked across threads with results
/// independent of the thread count, the fused backward rules against their composite tensor-op forms, and broadcast
/// binary ops against a per-element reference without materialising the broadcast operand.
/// </summary>
[NonParallelizable]
public class ElementwiseTests
{
    private const int Long = (1 << 20) + 13;

    private static Tensor Random(int[] shape, DType dtype, ulong seed, double low = -4, double high = 4) =>
        Tensor.Uniform(shape, new Generator(seed), low, high, dtype);

    private static T WithMaxDegree<T>(int degree, Func<T> run)
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = degree;
            return run();
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }

    private static long[] Bits(Tensor t) => t.DType == DType.Float32
        ? t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray()
        : t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void AssertSameBits(Tensor expected, Tensor actual, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what);
        long[] e = Bits(expected), a = Bits(actual);
        for (int i = 0; i < e.Length; i++)
            if (e[i] != a[i])
                Assert.Fail($"{what}: element {i} differs: {actual.ToArray<double>()[i]:R} vs {expected.ToArray<double>()[i]:R}");
    }

    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    public static IEnumerable<TestCaseData> LongOps()
    {
        foreach (var dtype in DTypes)
        {
            yield return new TestCaseData(dtype, "tanh");
            yield return new TestCaseData(dtype, "sigmoid");
            yield return new TestCaseData(dtype, "exp");
            yield return new TestCaseData(dtype, "add");
            yield return new TestCaseData(dtype, "tanh backward");
            yield return new TestCaseData(dtype, "clamp backward");
        }
    }

    private static Tensor RunLong(string op, Tensor x, Tensor g) => op switch
    {
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "exp" => x.Exp(),
        "add" => x + g,
        "tanh backward" => Elementwise.Fused(g, x.Tanh(), new TanhGradKernel()),
        _ => Elementwise.Fused(g, x, new ClampGradKernel(-1, 1)),
    };

    [TestCaseSource(nameof(LongOps))]
    public void LongMaps_AreBitwiseIdenticalForOneAndTwoThreads(DType dtype, string op)
    {
        var x = Random([Long], dtype, 11);
        var g = Random([Long], dtype, 12);
        var one = WithMaxDegree(1, () => RunLong(op, x, g));
        var two = WithMaxDegree(2, () => RunLong(op, x, g));
        AssertSameBits(one, two, $"{op} {dtype}");
    }

    [Test]
    public void LongTanhAndSigmoid_MatchTheScalarFormOnEveryElement()
    {
        var x = Random([Long], DType.Float32, 13, -12, 12);
        var t = WithMaxDegree(2, () => x.Tanh()).ToArray<float>();
        var s = WithMaxDegree(2, () => x.Sigmoid()).ToArray<float>();
        var xs = x.ToArray<float>();
        for (int i = 0; i < xs.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(t[i]) != BitConverter.SingleToInt32Bits(TanhSingle.Invoke(xs[i]))) Assert.Fail($"tanh at {i}");
            if (BitConverter.SingleToInt32Bits(s[i]) != BitConverter.SingleToInt32Bits(SigmoidSingle.Invoke(xs[i]))) Assert.Fail($"sigmoid at {i}");
        }
    }

    // Inputs that hit every branch of the masks and rules: the clamp bounds, 0 of either sign, ±∞, NaN, saturation.
    private static Tensor Awkward(DType dtype, int n, ulong seed)
    {
        double[] specials = [-1, 1, 0, -0.0, 0.5, -0.5, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 30, -30, 1e-30];
        var r = Random([n], DType.Float64, seed).ToArray<double>();
        for (int i = 0; i < n; i += 3) r[i] = specials[(i / 3) % specials.Length];
        return Tensor.From(r).To(dtype);
    }

    public static IEnumerable<TestCaseData> Rules()
    {
        foreach (var dtype in DTypes)
            foreach (var rule in new[] { "tanh", "sigmoid", "relu", "hardtanh", "clamp(min)", "clamp(max)", "clamp(0.1, 0.3)" })
                yield return new TestCaseData(dtype, rule);
    }

    private static Tensor ApplyRule(string rule, Tensor x) => rule switch
    {
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "relu" => x.Relu(),
        "hardtanh" => x.Hardtanh(),
        "clamp(min)" => x.Clamp(min: 0.5),
        "clamp(max)" => x.Clamp(max: -0.5),
        _ => x.Clamp(0.1, 0.3),
    };

    [TestCaseSource(nameof(Rules))]
    public void FusedBackward_GivesTheSameBitsAsTheCompositeRule(DType dtype, string rule)
    {
        // 1000 elements: vector bodies and a scalar tail; gradients with ±∞ and NaN too.
        var x = Awkward(dtype, 1000, 21).RequireGrad();
        var g = Awkward(dtype, 1000, 22);

        // createGraph: false runs backward with grad mode off (the fused kernel); true keeps the graph (the composite).
        var fused = Autodiff.Grad(ApplyRule(rule, x), x, g);
        var composite = Autodiff.Grad(ApplyRule(rule, x), x, g, createGraph: true);
        Assert.That(fused.RequiresGrad, Is.False);
        AssertSameBits(composite.Detach(), fused, $"{rule} {dtype}");
    }

    [TestCaseSource(nameof(Rules))]
    public void FusedBackward_TakesABroadcastGradient(DType dtype, string rule)
    {
        // y.Sum() hands backward a gradient expanded from one element (stride 0).
        var x = Awkward(dtype, 300, 23).Reshape(20, 15).Transpose(0, 1).RequireGrad();
        var fused = Autodiff.Grad(ApplyRule(rule, x).Sum(), x);
        var composite = Autodiff.Grad(ApplyRule(rule, x).Sum(), x, createGraph: true);
        AssertSameBits(composite.Detach(), fused, $"{rule} {dtype}");
    }

    [Test]
    public void ClampBackward_KeepsTheClosedIntervalAndDropsNaN()
    {
        var x = Tensor.From(new float[] { -2f, -1f, 0f, 1f, 2f, float.NaN, float.NegativeInfinity }).RequireGrad();
        var g = Tensor.From(new float[] { 1f, 2f, 3f, 4f, 5f, 6f, 7f });
        Assert.That(Autodiff.Grad(x.Hardtanh(), x, g).ToArray<float>(), Is.EqualTo(new[] { 0f, 2f, 3f, 4f, 0f, 0f, 0f }));
        Assert.That(Autodiff.Grad(x.Clamp(max: 1), x, g).ToArray<float>(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 0f, 0f, 7f }));
        // float32 compares against the bound rounded to float32, as the forward does.
        var y = Tensor.From(new float[] { 0.1f, MathF.BitDecrement(0.1f) }).RequireGrad();
        Assert.That(Autodiff.Grad(y.Clamp(min: 0.1), y, Tensor.From(new float[] { 1f, 1f })).ToArray<float>(), Is.EqualTo(new[] { 1f, 0f }));
    }

    [Test]
    public void SecondOrderGradients_StillFlowThroughTheActivations()
    {
        var x = Tensor.From(new double[] { -1.5, -0.2, 0.3, 2.0 }).RequireGrad();
        var d1 = Autodiff.Grad(x.Tanh().Sum(), x, createGraph: true);
        var d2 = Autodiff.Grad(d1.Sum(), x).ToArray<double>();
        var s1 = Autodiff.Grad(x.Sigmoid().Sum(), x, createGraph: true);
        var s2 = Autodiff.Grad(s1.Sum(), x).ToArray<double>();
        double[] xs = [-1.5, -0.2, 0.3, 2.0];
        for (int i = 0; i < xs.Length; i++)
        {
            double t = Math.Tanh(xs[i]), s = 1 / (1 + Math.Exp(-xs[i]));
            Assert.That(d2[i], Is.EqualTo(-2 * t * (1 - t * t)).Within(1e-14));
            Assert.That(s2[i], Is.EqualTo(s * (1 - s) * (1 - 2 * s)).Within(1e-14));
        }
    }

    public static IEnumerable<TestCaseData> Broadcasts()
    {
        foreach (var dtype in DTypes)
        {
            yield return new TestCaseData(dtype, "bias row [128,256] + [256]");
            yield return new TestCaseData(dtype, "column [128,256] + [128,1]");
            yield return new TestCaseData(dtype, "outer [128,1] + [1,256]");
            yield return new TestCaseData(dtype, "transposed [256,128]ᵀ + [256]");
            yield return new TestCaseData(dtype, "both transposed [256,128]ᵀ + [256,128]ᵀ strided");
            yield return new TestCaseData(dtype, "transposed row [128,256] + [2,256]ᵀ column 0");
            yield return new TestCaseData(dtype, "both broadcast on the inner axis [128,1]→[128,256] + [1,1]");
            yield return new TestCaseData(dtype, "sliced [128,256] every 2nd column - [128,1]");
        }
    }

    private static (Tensor A, Tensor B, int[] Shape) Operands(string name, DType dtype)
    {
        Tensor R(params int[] shape) => Random(shape, dtype, (ulong)shape.Sum() * 31 + 7);
        return name[..name.IndexOf(' ')] switch
        {
            "bias" => (R(128, 256), R(256), [128, 256]),
            "column" => (R(128, 256), R(128, 1), [128, 256]),
            "outer" => (R(128, 1), R(1, 256), [128, 256]),
            "transposed" when name.Contains("row") => (R(128, 256), R(256, 2).Slice(1, 0, 1).Transpose(0, 1).BroadcastTo(128, 256), [128, 256]),
            "transposed" => (R(256, 128).T, R(256), [128, 256]),
            "both" when name.Contains("strided") => (R(256, 128).T, Random([256, 256], dtype, 5).Slice(1, 0, 256, 2).T, [128, 256]),
            "both" => (R(128, 1).BroadcastTo(128, 256), R(1, 1), [128, 256]),
            _ => (R(128, 512).Slice(1, 0, 512, 2), R(128, 1), [128, 256]),
        };
    }

    [TestCaseSource(nameof(Broadcasts))]
    public void BroadcastBinaryOps_MatchAPerElementReference(DType dtype, string name)
    {
        var (a, b, shape) = Operands(name, dtype);
        var ea = a.BroadcastTo(shape).ToArray<double>();
        var eb = b.BroadcastTo(shape).ToArray<double>();
        foreach (var (op, f) in new (string, Func<double, double, double>)[] { ("add", (p, q) => p + q), ("sub", (p, q) => p - q), ("mul", (p, q) => p * q), ("div", (p, q) => p / q), ("max", Math.Max) })
        {
            var z = op switch { "add" => a + b, "sub" => a - b, "mul" => a * b, "div" => a / b, _ => Tensor.Maximum(a, b) };
            Assert.That(z.Shape, Is.EqualTo(shape));
            var got = z.ToArray<double>();
            for (int i = 0; i < got.Length; i++)
            {
                double want = dtype == DType.Float32 ? (float)f((float)ea[i], (float)eb[i]) : f(ea[i], eb[i]);
                if (BitConverter.DoubleToInt64Bits(got[i]) != BitConverter.DoubleToInt64Bits(want))
                    Assert.Fail($"{op} {name}: element {i} is {got[i]:R}, expected {want:R}");
            }
        }
    }

    [TestCase("bias")]
    [TestCase("column")]
    public void BiasAdd_DoesNotMaterialiseTheBroadcastOperand(string name)
    {
        var (a, b, _) = Operands(name + " ", DType.Float32);
        _ = a + b;   // JIT and first-call allocations
        long before = GC.GetAllocatedBytesForCurrentThread();
        var z = a + b;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The result is 128·256·4 = 128 KiB; a materialised [128, 256] copy of b would double that.
        Assert.That(allocated, Is.LessThan(128 * 1024 + 32 * 1024));
        GC.KeepAlive(z);
    }
}
