using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    // Properties, not fields: the registry list in OpRegistry.cs may be built before this file's static fields are set.
    private static Domain AboveMinusOne => g => -0.6 + 3 * g.NextDouble();
    private static Domain UnitOpen => g => -0.9 + 1.8 * g.NextDouble();
    private static Domain TanDomain => g => -1.2 + 2.4 * g.NextDouble();
    private static Domain AwayFromIntegers => Domains.AwayFrom(-2, -1, 0, 1, 2);
    private static Domain AwayFromHalves => Domains.AwayFrom(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5);

    // erf by its alternating Taylor series, independent of the positive series the kernel sums; |x| ≤ 2 keeps the
    // largest term under 3, so the sum stays within 1e-15.
    private static double ErfReference(double x)
    {
        double term = x, sum = x;
        for (int n = 1; n < 80; n++)
        {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static double Sigma(double v) => 1 / (1 + Math.Exp(-v));

    private static double PyRemainder(double a, double b)
    {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    private static OpInfo GluEntry(string name, int axis, int[][] shapes) => new()
    {
        Name = name,
        Primitives = [typeof(P.Mul), typeof(P.Sigmoid), typeof(P.Slice)],
        Apply = x => x[0].Glu(axis),
        Reference = r =>
        {
            int a = axis < 0 ? axis + r[0].Rank : axis;
            int h = r[0].Shape[a] / 2;
            var shape = r[0].Shape.Select((s, d) => d == a ? h : s).ToArray();
            return RefArray.Build(shape, idx =>
            {
                var second = (int[])idx.Clone();
                second[a] += h;
                return r[0][idx] * Sigma(r[0][second]);
            });
        },
        Samples = Shapes(shapes, Domains.Real),
    };

    private static OpInfo[] MathEntries() =>
    [
        Unary("log1p", x => x.Log1p(), v => Math.Log(1 + v), AboveMinusOne, typeof(P.Log1p)),
        Unary("expm1", x => x.Expm1(), v => Math.Exp(v) - 1, Domains.Real, typeof(P.Expm1)),
        Unary("erf", x => x.Erf(), ErfReference, Domains.SmallReal, typeof(P.Erf)),
        Unary("erfc", x => x.Erfc(), v => 1 - ErfReference(v), Domains.SmallReal, typeof(P.Erfc)),
        Unary("tan", x => x.Tan(), Math.Tan, TanDomain, typeof(P.Tan)),
        Unary("sinh", x => x.Sinh(), Math.Sinh, Domains.Real, typeof(P.Sinh)),
        Unary("cosh", x => x.Cosh(), Math.Cosh, Domains.Real, typeof(P.Cosh)),
        Unary("asin", x => x.Asin(), Math.Asin, UnitOpen, typeof(P.Asin)),
        Unary("acos", x => x.Acos(), Math.Acos, UnitOpen, typeof(P.Acos)),
        Unary("atan", x => x.Atan(), Math.Atan, Domains.Real, typeof(P.Atan)),
        Binary("atan2", Tensor.Atan2, Math.Atan2, Domains.NonZero, Domains.NonZero, typeof(P.Atan2)),
        Binary("hypot", Tensor.Hypot, (a, b) => Math.Sqrt(a * a + b * b), Domains.NonZero, Domains.NonZero, typeof(P.Hypot)),
        Unary("floor", x => x.Floor(), Math.Floor, AwayFromIntegers, typeof(P.Rounding)),
        Unary("ceil", x => x.Ceil(), Math.Ceiling, AwayFromIntegers, typeof(P.Rounding)),
        Unary("trunc", x => x.Trunc(), Math.Truncate, AwayFromIntegers, typeof(P.Rounding)),
        Unary("round", x => x.Round(), v => Math.Round(v, MidpointRounding.ToEven), AwayFromHalves, typeof(P.Rounding)),
        Unary("frac", x => x.Frac(), v => v - Math.Truncate(v), AwayFromIntegers, typeof(P.Sub), typeof(P.Rounding)),
        Unary("reciprocal", x => x.Reciprocal(), v => 1 / v, Domains.NonZero, typeof(P.Div)),
        Unary("rsqrt", x => x.Rsqrt(), v => 1 / Math.Sqrt(v), Domains.Positive, typeof(P.Div), typeof(P.Sqrt)),
        Binary("remainder", (a, b) => a % b, PyRemainder, Domains.Real, Domains.NonZero, typeof(P.Remainder)),
        Binary("fmod", Tensor.Fmod, (a, b) => a % b, Domains.Real, Domains.NonZero, typeof(P.Fmod)),
        Unary("remainder_scalar", x => x % -1.3, v => PyRemainder(v, -1.3), Domains.Real, typeof(P.Remainder)),
        Unary("fmod_scalar", x => x.Fmod(0.7), v => v % 0.7, Domains.Real, typeof(P.Fmod)),
        Binary("lerp_0.3", (a, b) => a.Lerp(b, 0.3), (a, b) => a + 0.3 * (b - a), Domains.Real, Domains.Real, typeof(P.Add), typeof(P.MulScalar)),
        Binary("lerp_0.8", (a, b) => a.Lerp(b, 0.8), (a, b) => a + 0.8 * (b - a), Domains.Real, Domains.Real, typeof(P.Sub), typeof(P.MulScalar)),
        new OpInfo
        {
            Name = "lerp_tensor",
            Primitives = [typeof(P.Where), typeof(P.Mul), typeof(P.Sub)],
            Apply = x => x[0].Lerp(x[1], x[2]),
            Reference = r => RefArray.Zip3(r[0], r[1], r[2], (s, e, w) => s + w * (e - s)),
            Samples = new (int[] S, int[] E, int[] W)[]
            {
                ([3, 4], [3, 4], [3, 4]), ([3, 1], [4], [3, 4]), ([], [5], []), ([17], [17], [1]), ([0, 3], [3], [0, 3]), ([33], [], [33]),
            }.Select(s => Sample($"lerp({S(s.S)},{S(s.E)},{S(s.W)})", R(s.S), R(s.E), R(s.W))).ToArray(),
        },
        Unary("softplus_beta_threshold", x => x.Softplus(2, 3), v => 2 * v > 3 ? v : Math.Log(1 + Math.Exp(2 * v)) / 2, Domains.AwayFrom(1.5), typeof(P.Where), typeof(P.Softplus), typeof(P.DivScalar)),
        Unary("selu", x => x.Selu(), v => 1.0507009873554804934193349852946 * (v > 0 ? v : 1.6732632423543772848170429916717 * (Math.Exp(v) - 1)), Domains.AwayFrom(0), typeof(P.Where), typeof(P.Exp), typeof(P.MulScalar)),
        Unary("celu", x => x.Celu(0.7), v => v > 0 ? v : 0.7 * (Math.Exp(v / 0.7) - 1), Domains.AwayFrom(0), typeof(P.Where), typeof(P.Exp), typeof(P.DivScalar)),
        Unary("gelu", x => x.Gelu(), v => 0.5 * v * (1 + ErfReference(v / Math.Sqrt(2))), Domains.SmallReal, typeof(P.Erfc), typeof(P.Mul)),
        Unary("gelu_tanh", x => x.Gelu("tanh"), v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), Domains.Real, typeof(P.Tanh), typeof(P.Mul)),
        Unary("mish", x => x.Mish(), v => v * Math.Tanh(Math.Log(1 + Math.Exp(v))), Domains.Real, typeof(P.Softplus), typeof(P.Tanh), typeof(P.Mul)),
        GluEntry("glu_last", -1, [[2], [16], [34], [3, 6], [2, 0, 4], [2, 3, 2]]),
        GluEntry("glu_first", 0, [[2], [4, 3], [2, 0], [6, 1, 5]]),
    ];
}
