using Autograd.Kernels;

namespace Autograd.Ops;

// Primitives of the math family. log1p, expm1, erf and erfc are primitives for accuracy (a composite of log, exp or a
// subtraction from 1 loses the digits near 0 or in the tail); the trigonometric, hyperbolic and rounding functions and
// the modulus ops because no composite of the existing ops computes them.

// d/dx ln(1 + x) = 1/(1 + x)
internal sealed class Log1p : UnaryFunction
{
    public const string Op = "log1p";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Log1p(), x, Elementwise.Map<Log1pOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g / (X + 1.0);
}

// d/dx (eˣ − 1) = eˣ = y + 1
internal sealed class Expm1 : UnaryFunction
{
    public const string Op = "expm1";
    public override string Name => Op;
    protected override Keep Saves => Keep.Output;
    public static Tensor Forward(Tensor x) => Record(new Expm1(), x, Elementwise.Map<Expm1Operator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g * (Y + 1.0);
}

// d/dx erf x = (2/√π)·e^{−x²}
internal sealed class Erf : UnaryFunction
{
    public const string Op = "erf";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Erf(), x, Elementwise.Map<ErfOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g * ((-(X * X)).Exp() * (2.0 / Math.Sqrt(Math.PI)));
}

// d/dx erfc x = −(2/√π)·e^{−x²}
internal sealed class Erfc : UnaryFunction
{
    public const string Op = "erfc";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Erfc(), x, Elementwise.Map<ErfcOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g * ((-(X * X)).Exp() * (-2.0 / Math.Sqrt(Math.PI)));
}

// d/dx tan x = 1 + tan² x
internal sealed class Tan : UnaryFunction
{
    public const string Op = "tan";
    public override string Name => Op;
    protected override Keep Saves => Keep.Output;
    public static Tensor Forward(Tensor x) => Record(new Tan(), x, Elementwise.Map<TanOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g * (Y * Y + 1.0);
}

// d/dx sinh x = cosh x
internal sealed class Sinh : UnaryFunction
{
    public const string Op = "sinh";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Sinh(), x, Elementwise.Map<SinhOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g * X.Cosh();
}

// d/dx cosh x = sinh x
internal sealed class Cosh : UnaryFunction
{
    public const string Op = "cosh";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Cosh(), x, Elementwise.Map<CoshOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g * X.Sinh();
}

// d/dx asin x = 1/√(1 − x²)
internal sealed class Asin : UnaryFunction
{
    public const string Op = "asin";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Asin(), x, Elementwise.Map<AsinOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g / (1.0 - X * X).Sqrt();
}

// d/dx acos x = −1/√(1 − x²)
internal sealed class Acos : UnaryFunction
{
    public const string Op = "acos";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Acos(), x, Elementwise.Map<AcosOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => -g / (1.0 - X * X).Sqrt();
}

// d/dx atan x = 1/(1 + x²)
internal sealed class Atan : UnaryFunction
{
    public const string Op = "atan";
    public override string Name => Op;
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Atan(), x, Elementwise.Map<AtanOperator>(x, Op));
    protected override Tensor InputGrad(Tensor g) => g / (X * X + 1.0);
}

// d/dx floor x = d/dx ceil x = d/dx round x = d/dx trunc x = 0 (PyTorch's zeros, also at the jumps)
internal sealed class Rounding(string op) : UnaryFunction
{
    public override string Name => op;
    protected override Keep Saves => Keep.None;

    public static Tensor Floor(Tensor x) => Record(new Rounding("floor"), x, Elementwise.Map<FloorOperator>(x, "floor"));
    public static Tensor Ceil(Tensor x) => Record(new Rounding("ceil"), x, Elementwise.Map<CeilOperator>(x, "ceil"));
    public static Tensor Trunc(Tensor x) => Record(new Rounding("trunc"), x, Elementwise.Map<TruncOperator>(x, "trunc"));

    public static Tensor Round(Tensor x, int decimals)
    {
        if (decimals == 0) return Record(new Rounding("round"), x, Elementwise.Map<RoundOperator>(x, "round"));
        x.RequireFloat("round");
        var src = x.IsContiguous ? x : Strided.ToContiguous(x);
        var y = Tensor.Result(x.Shape, x.DType, zero: false);
        if (x.DType == DType.Float32) RoundDecimals(src.ContiguousSpan<float>(), y.ContiguousSpan<float>(), decimals);
        else RoundDecimals(src.ContiguousSpan<double>(), y.ContiguousSpan<double>(), decimals);
        return Record(new Rounding("round"), x, y);
    }

    // torch.round(x, decimals=d): nearbyint(x·10^d)/10^d, or nearbyint(x/10^−d)·10^−d for d < 0, in x's dtype.
    private static void RoundDecimals<T>(ReadOnlySpan<T> x, Span<T> y, int decimals) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T scale = T.CreateTruncating(Math.Pow(10, Math.Abs(decimals)));
        for (int i = 0; i < x.Length; i++)
            y[i] = decimals < 0 ? T.Round(x[i] / scale, MidpointRounding.ToEven) * scale : T.Round(x[i] * scale, MidpointRounding.ToEven) / scale;
    }

    protected override Tensor InputGrad(Tensor g) => Tensor.ZerosLike(g);
}

// ∂fmod(a, b)/∂a = 1, ∂fmod(a, b)/∂b = −trunc(a/b)
internal sealed class Fmod : BinaryFunction
{
    public const string Op = "fmod";
    public override string Name => Op;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Fmod(), a, b, Elementwise.Zip<FmodOperator>(a, b, Op));
    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB) =>
        (needA ? g : null, needB ? -(g * (A / B).Trunc()) : null);
}

// ∂remainder(a, b)/∂a = 1, ∂remainder(a, b)/∂b = −floor(a/b)
internal sealed class Remainder : BinaryFunction
{
    public const string Op = "remainder";
    public override string Name => Op;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Remainder(), a, b, Elementwise.Zip<RemainderOperator>(a, b, Op));
    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB) =>
        (needA ? g : null, needB ? -(g * (A / B).Floor()) : null);
}

// ∂atan2(a, b)/∂a = b/(a² + b²), ∂atan2(a, b)/∂b = −a/(a² + b²)
internal sealed class Atan2 : BinaryFunction
{
    public const string Op = "atan2";
    public override string Name => Op;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Atan2(), a, b, Elementwise.Zip<Atan2Operator>(a, b, Op));

    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB)
    {
        var r = g / (A * A + B * B);
        return (needA ? r * B : null, needB ? -(r * A) : null);
    }
}

// ∂hypot(a, b)/∂a = a/hypot(a, b), ∂hypot(a, b)/∂b = b/hypot(a, b); a primitive so a² + b² cannot overflow
internal sealed class Hypot : BinaryFunction
{
    public const string Op = "hypot";
    public override string Name => Op;
    protected override bool SavesOutput => true;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Hypot(), a, b, Elementwise.Zip<HypotOperator>(a, b, Op));

    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB)
    {
        var r = g / Y;
        return (needA ? r * A : null, needB ? r * B : null);
    }
}
