using System.Text.Json;
using Autograd.Nn;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Ops;

/// <summary>
/// The math ops and the new activations against PyTorch 1.13 (Fixtures/Math/math.json, written by make_math.py):
/// values and the gradient of the output's sum, in float64 and, for the accuracy-sensitive ones, float32; then the
/// edges the fixture does not reach (tiny arguments, the int64 forms, refusals, the modules' repr).
/// </summary>
public class MathTests
{
    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["log1p"] = x => x[0].Log1p(),
        ["expm1"] = x => x[0].Expm1(),
        ["erf"] = x => x[0].Erf(),
        ["erfc"] = x => x[0].Erfc(),
        ["softplus"] = x => x[0].Softplus(),
        ["softplus_beta2_thr10"] = x => x[0].Softplus(2, 10),
        ["softplus_beta0.5"] = x => new Autograd.Nn.Softplus(beta: 0.5).Forward(x[0]),
        ["logsigmoid"] = x => x[0].LogSigmoid(),
        ["tan"] = x => x[0].Tan(),
        ["sinh"] = x => x[0].Sinh(),
        ["cosh"] = x => x[0].Cosh(),
        ["asin"] = x => x[0].Asin(),
        ["acos"] = x => x[0].Acos(),
        ["atan"] = x => x[0].Atan(),
        ["atan2"] = x => Tensor.Atan2(x[0], x[1]),
        ["hypot"] = x => x[0].Hypot(x[1]),
        ["reciprocal"] = x => x[0].Reciprocal(),
        ["rsqrt"] = x => x[0].Rsqrt(),
        ["floor"] = x => x[0].Floor(),
        ["ceil"] = x => x[0].Ceil(),
        ["round"] = x => x[0].Round(),
        ["trunc"] = x => x[0].Trunc(),
        ["frac"] = x => x[0].Frac(),
        ["round_decimals_2"] = x => x[0].Round(decimals: 2),
        ["round_decimals_neg1"] = x => x[0].Round(decimals: -1),
        ["remainder"] = x => x[0] % x[1],
        ["fmod"] = x => x[0].Fmod(x[1]),
        ["remainder_scalar"] = x => x[0] % -1.5,
        ["fmod_scalar"] = x => x[0].Fmod(-1.5),
        ["remainder_int64"] = x => x[0].Remainder(x[1]),
        ["fmod_int64"] = x => Tensor.Fmod(x[0], x[1]),
        ["lerp_0.3"] = x => x[0].Lerp(x[1], 0.3),
        ["lerp_0.7"] = x => x[0].Lerp(x[1], 0.7),
        ["lerp_tensor"] = x => x[0].Lerp(x[1], x[2]),
        ["selu"] = x => new SELU().Forward(x[0]),
        ["celu"] = x => x[0].Celu(),
        ["celu_0.5"] = x => new CELU(0.5).Forward(x[0]),
        ["gelu"] = x => new GELU().Forward(x[0]),
        ["gelu_tanh"] = x => x[0].Gelu("tanh"),
        ["mish"] = x => new Mish().Forward(x[0]),
        ["glu_last"] = x => new GLU().Forward(x[0]),
        ["glu_first"] = x => x[0].Glu(0),
    };

    public static IEnumerable<TestCaseData> Cases() =>
        Fixture.Json("Math", "math.json").GetProperty("cases").EnumerateArray()
            .Select(c => new TestCaseData(c).SetArgDisplayNames(c.GetProperty("name").GetString()!));

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(JsonElement c)
    {
        string name = c.GetProperty("name").GetString()!;
        var dtype = c.GetProperty("dtype").GetString() switch { "float64" => DType.Float64, "float32" => DType.Float32, _ => DType.Int64 };
        var shapes = c.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
        var inputs = c.GetProperty("inputs").EnumerateArray().Select((v, i) =>
        {
            var data = Fixture.Doubles(v);
            var t = dtype == DType.Int64 ? Tensor.From(data.Select(d => (long)d).ToArray(), shapes[i]) : Tensor.From(data, shapes[i]).To(dtype);
            return dtype == DType.Int64 ? t : t.Detach().RequireGrad();
        }).ToArray();
        var op = Ops[name.EndsWith("_f32", StringComparison.Ordinal) ? name[..^4] : name];
        var y = op(inputs);

        // float64: a few ulps; float32: the float64 computation rounded once, against PyTorch's float32 kernels.
        double tol = dtype == DType.Float32 ? 4e-7 : 2e-15;
        // float32: two subnormal steps (PyTorch's logsigmoid(100) is a step off the rounded e^−100); gelu: PyTorch's
        // ½x(1 + erf(x/√2)) cancels for x ≪ 0 (7e-15 off at −3, 0 at −20), where Gelu's ½x·erfc(−x/√2) does not.
        double abs = dtype == DType.Float32 ? 3e-45 : 0;
        if (name.StartsWith("gelu", StringComparison.Ordinal)) (tol, abs) = (2e-14, 1e-80);
        Assert.That(y.DType, Is.EqualTo(dtype), name);
        Assert.That(y.Shape, Is.EqualTo(c.GetProperty("out_shape").EnumerateArray().Select(d => d.GetInt32()).ToArray()), name);
        AssertClose(Values(y), Fixture.Doubles(c.GetProperty("out")), tol, abs, name + " value");
        if (dtype == DType.Int64) return;

        y.Sum().Backward();
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++)
            AssertClose(Values(inputs[i].Grad!), Fixture.Doubles(grads[i]), Math.Max(tol * 10, 1e-13), abs, $"{name} grad {i}");
    }

    private static double[] Values(Tensor t) => t.Detach().DType == DType.Int64
        ? t.ToArray<long>().Select(v => (double)v).ToArray()
        : t.Detach().To(DType.Float64).ToArray<double>();

    private static void AssertClose(double[] actual, double[] expected, double rel, double abs, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            if (double.IsNaN(e) || double.IsInfinity(e) || (e == 0 && abs == 0))
            {
                Assert.That(a, Is.EqualTo(e), $"{what} [{i}]");
                continue;
            }
            Assert.That(Math.Abs(a - e), Is.LessThanOrEqualTo(rel * Math.Abs(e) + abs), $"{what} [{i}]: {a:R} against PyTorch's {e:R}");
        }
    }

    [Test]
    public void Log1pAndExpm1_KeepEveryDigitNearZero()
    {
        // .NET's double.LogP1 and ExpM1 return 0 for these: Log(1 + 1e-20) rounds 1 + 1e-20 to 1.
        double[] xs = [1e-300, 1e-200, 1e-20, 1e-10, -1e-10, -1e-300, 5e-324];
        var l = Tensor.From(xs).Log1p().ToArray<double>();
        var e = Tensor.From(xs).Expm1().ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
        {
            double x = xs[i];
            Assert.That(Math.Abs(l[i] - (x - x * x / 2)), Is.LessThanOrEqualTo(1e-16 * Math.Abs(x)), $"log1p({x})");
            Assert.That(Math.Abs(e[i] - (x + x * x / 2)), Is.LessThanOrEqualTo(1e-16 * Math.Abs(x)), $"expm1({x})");
        }

        float[] fs = [1e-30f, 1e-10f, -1e-10f, 1e-38f, 1e-44f];
        var lf = Tensor.From(fs).Log1p().ToArray<float>();
        var ef = Tensor.From(fs).Expm1().ToArray<float>();
        for (int i = 0; i < fs.Length; i++)
        {
            Assert.That(lf[i], Is.EqualTo(fs[i]), $"float32 log1p({fs[i]})");
            Assert.That(ef[i], Is.EqualTo(fs[i]), $"float32 expm1({fs[i]})");
        }
        Assert.That(Tensor.From([-1.0, double.PositiveInfinity, -2.0]).Log1p().ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity, double.PositiveInfinity, double.NaN }));
        Assert.That(Tensor.From([double.NegativeInfinity, double.PositiveInfinity, 709.5]).Expm1().ToArray<double>(), Is.EqualTo(new[] { -1, double.PositiveInfinity, Math.Exp(709.5) }));
    }

    [Test]
    public void Erfc_HasFullRelativePrecisionInTheTail()
    {
        // 1 − erf x is 0 from x ≈ 6; erfc 10 = 2.088487583762545e-45 and erfc 26 = 5.663192408856143e-296 (mpmath).
        var y = Tensor.From([10.0, 26.0, 28.0, -30.0]).Erfc().ToArray<double>();
        Assert.That(y[0], Is.EqualTo(2.088487583762545e-45).Within(4e-16 * 2.088487583762545e-45));
        Assert.That(y[1], Is.EqualTo(5.663192408856143e-296).Within(4e-15 * 5.663192408856143e-296));
        Assert.That(y[2], Is.EqualTo(0.0));
        Assert.That(y[3], Is.EqualTo(2.0));
        Assert.That(Tensor.From([double.NaN, double.PositiveInfinity, double.NegativeInfinity]).Erf().ToArray<double>(), Is.EqualTo(new[] { double.NaN, 1, -1 }));
        Assert.That(Tensor.From([1e-300f, 4.5f]).Erfc().ToArray<float>(), Is.EqualTo(new[] { 1f, (float)1.9661604415428874e-10 }));
    }

    [Test]
    public void Rounding_OfInt64ReturnsTheValuesAndHasZeroGradient()
    {
        var i = Tensor.From([3L, -7L, long.MaxValue]);
        foreach (var r in new[] { i.Floor(), i.Ceil(), i.Round(), i.Trunc() })
        {
            Assert.That(r.DType, Is.EqualTo(DType.Int64));
            Assert.That(r.ToArray<long>(), Is.EqualTo(new[] { 3L, -7L, long.MaxValue }));
            Assert.That(ReferenceEquals(r, i), Is.False);
        }
        var ex = Assert.Throws<ArgumentException>(() => i.Round(decimals: 1));
        Assert.That(ex!.Message, Does.StartWith("round:"));
        Assert.That(Assert.Throws<ArgumentException>(() => i.Frac())!.Message, Does.StartWith("frac:"));

        var x = Tensor.From([-0.5, 0.5, 1.5, 2.5, -2.5]).RequireGrad();
        Assert.That(x.Round().ToArray<double>(), Is.EqualTo(new[] { -0.0, 0.0, 2, 2, -2 }));
        (x.Floor() + x.Ceil() + x.Round() + x.Trunc()).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void Remainder_Int64IsExactAndRefusesZero()
    {
        var a = Tensor.From([long.MinValue, 9007199254740993L, -7L]);
        Assert.That((a % -1L).ToArray<long>(), Is.EqualTo(new[] { 0L, 0L, 0L }));
        Assert.That((a % 10L).ToArray<long>(), Is.EqualTo(new[] { 2L, 3L, 3L }));
        Assert.That(a.Fmod(10L).ToArray<long>(), Is.EqualTo(new[] { -8L, 3L, -7L }));
        Assert.That((a % 2.5).DType, Is.EqualTo(DType.Float32));
        Assert.That((7L % Tensor.From([-3L, 3L])).ToArray<long>(), Is.EqualTo(new[] { -2L, 1L }));
        Assert.That((7.5 % Tensor.From([-2.0, 2.0])).ToArray<double>(), Is.EqualTo(new[] { -0.5, 1.5 }));

        var ex = Assert.Throws<ArgumentException>(() => _ = a % Tensor.From([1L, 0L, 2L]));
        Assert.That(ex!.Message, Does.StartWith("remainder:").And.Contain("zero"));
        Assert.That(Assert.Throws<ArgumentException>(() => a.Fmod(0L))!.Message, Does.StartWith("fmod:"));
        // Floating-point division by zero is NaN, as PyTorch.
        Assert.That((Tensor.From([5.0, -5.0]) % 0.0).ToArray<double>(), Is.EqualTo(new[] { double.NaN, double.NaN }));
    }

    [Test]
    public void FloatMath_RefusesInt64NamingTheOp()
    {
        var i = Tensor.From([1L, 2L]);
        var cases = new (string Op, Func<Tensor> Call)[]
        {
            ("log1p", () => i.Log1p()), ("expm1", () => i.Expm1()), ("erf", () => i.Erf()), ("erfc", () => i.Erfc()),
            ("tan", () => i.Tan()), ("sinh", () => i.Sinh()), ("cosh", () => i.Cosh()), ("asin", () => i.Asin()),
            ("acos", () => i.Acos()), ("atan", () => i.Atan()), ("atan2", () => Tensor.Atan2(i, i)), ("hypot", () => i.Hypot(i)),
            ("reciprocal", () => i.Reciprocal()), ("rsqrt", () => i.Rsqrt()), ("lerp", () => i.Lerp(i, 0.5)),
            ("softplus", () => i.Softplus()), ("selu", () => i.Selu()), ("celu", () => i.Celu()), ("gelu", () => i.Gelu()),
            ("mish", () => i.Mish()), ("glu", () => i.Glu()),
            ("leaky_relu", () => i.LeakyRelu()), ("silu", () => i.Silu()), ("softsign", () => i.Softsign()),
            ("tanhshrink", () => i.Tanhshrink()), ("hardsigmoid", () => i.Hardsigmoid()), ("hardswish", () => i.Hardswish()),
            ("log_sigmoid", () => i.LogSigmoid()), ("elu", () => i.Elu()),
        };
        foreach (var (op, call) in cases)
        {
            var ex = Assert.Throws<ArgumentException>(() => call(), op);
            Assert.That(ex!.Message, Does.StartWith(op + ": expected a float32 or float64 tensor, got int64"), op);
        }
        // relu6 of int64 stays int64, as PyTorch's hardtanh on integers.
        Assert.That(Tensor.From([-1L, 3L, 9L]).Relu6().ToArray<long>(), Is.EqualTo(new[] { 0L, 3L, 6L }));
    }

    [Test]
    public void ActivationArguments_AreCheckedNamingTheOp()
    {
        var x = Tensor.From([1.0, 2.0, 3.0]);
        Assert.That(Assert.Throws<ArgumentException>(() => x.Glu())!.Message, Does.StartWith("glu: the halved axis -1 must have an even size, got 3"));
        Assert.That(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0).Glu())!.Message, Does.StartWith("glu: cannot halve a 0-d tensor"));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Glu(1));
        Assert.That(Assert.Throws<ArgumentException>(() => x.Gelu("erf"))!.Message, Does.StartWith("gelu: approximate must be either 'none' or 'tanh', got 'erf'"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new GELU("fast"))!.Message, Does.StartWith("GELU: approximate"));
        Assert.That(Assert.Throws<ArgumentException>(() => x.Celu(0))!.Message, Does.StartWith("celu: alpha cannot be 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new CELU(0))!.Message, Does.StartWith("CELU: alpha cannot be 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => x.Lerp(x.To(DType.Float32), 0.5))!.Message, Does.StartWith("lerp: expected end of dtype float64"));
        Assert.That(Assert.Throws<ArgumentException>(() => x.Lerp(x, x.To(DType.Float32)))!.Message, Does.StartWith("lerp: expected weight of dtype float64"));
    }

    [Test]
    public void Modules_PrintAsPyTorch()
    {
        Assert.That(new GELU().ToString(), Is.EqualTo("GELU(approximate='none')"));
        Assert.That(new GELU("tanh").ToString(), Is.EqualTo("GELU(approximate='tanh')"));
        Assert.That(new CELU().ToString(), Is.EqualTo("CELU(alpha=1.0)"));
        Assert.That(new CELU(0.5).ToString(), Is.EqualTo("CELU(alpha=0.5)"));
        Assert.That(new SELU().ToString(), Is.EqualTo("SELU()"));
        Assert.That(new Mish().ToString(), Is.EqualTo("Mish()"));
        Assert.That(new GLU().ToString(), Is.EqualTo("GLU(dim=-1)"));
        Assert.That(new Autograd.Nn.Softplus().ToString(), Is.EqualTo("Softplus(beta=1, threshold=20)"));
        Assert.That(new Autograd.Nn.Softplus(1.5, 0.5).ToString(), Is.EqualTo("Softplus(beta=1.5, threshold=0.5)"));
    }

    [Test]
    public void Kinks_TakePyTorchsGradients()
    {
        static double Grad(Func<Tensor, Tensor> f, double v)
        {
            var x = Tensor.From([v]).RequireGrad();
            f(x).Sum().Backward();
            return x.Grad!.ToArray<double>()[0];
        }
        // selu'(0) = scale·α (elu_backward's x ≤ 0 branch), celu'(0) = 1, frac' = 1, softplus' = 1 above the threshold.
        Assert.That(Grad(x => x.Selu(), 0), Is.EqualTo(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717).Within(1e-15));
        Assert.That(Grad(x => x.Celu(0.5), 0), Is.EqualTo(1.0));
        Assert.That(Grad(x => x.Frac(), 2.0), Is.EqualTo(1.0));
        Assert.That(Grad(x => x.Softplus(), 20.5), Is.EqualTo(1.0));
        // remainder's d/db = −floor(a/b) and fmod's −trunc(a/b), with a/b = −2.75.
        var a = Tensor.From([-5.5]);
        var b = Tensor.From([2.0]).RequireGrad();
        (a % b).Sum().Backward();
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3.0 }));
        var b2 = Tensor.From([2.0]).RequireGrad();
        a.Fmod(b2).Sum().Backward();
        Assert.That(b2.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0 }));
    }
}
