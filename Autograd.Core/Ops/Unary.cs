using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>A primitive of one input computed by an elementwise kernel.</summary>
internal abstract class UnaryFunction : Function
{
    protected Tensor X => Saved(0);
    protected Tensor Y => Saved(1);

    /// <summary>What <see cref="InputGrad"/> reads: the input, the output, both or neither.</summary>
    protected abstract Keep Saves { get; }

    [Flags]
    protected enum Keep { None = 0, Input = 1, Output = 2 }

    protected static Tensor Record(UnaryFunction fn, Tensor x, Tensor y)
    {
        if (!ShouldRecord(x)) return y;
        Attach(fn, y, x);
        if (fn.Saves != Keep.None) fn.Save((fn.Saves & Keep.Input) != 0 ? x : null, (fn.Saves & Keep.Output) != 0 ? y : null);
        return y;
    }

    protected sealed override Tensor?[] Backward(Tensor grad) => [InputGrad(grad)];

    /// <summary>The gradient of the one input, without the array of <see cref="Backward"/> (for the engine).</summary>
    internal override Tensor? RunInputGrad(Tensor grad, ref bool owned)
    {
        owned = false;
        return InputGrad(grad);
    }

    /// <summary>dL/dx given dL/dy.</summary>
    protected abstract Tensor InputGrad(Tensor g);

    /// <summary>
    /// Whether a backward rule may use a fused kernel: only when its result needs no graph of its own (backward runs
    /// with grad mode equal to createGraph), else the composite rule keeps gradients of gradients.
    /// </summary>
    protected static bool CanFuse(Tensor g, Tensor saved) =>
        (!GradMode.IsEnabled || (!g.RequiresGrad && !saved.RequiresGrad))
        && g.DType == saved.DType && ShapeUtil.SameShape(g.Dims, saved.Dims);
}

// d/dx (−x) = −1
internal sealed class Neg : UnaryFunction
{
    public override string Name => "neg";
    protected override Keep Saves => Keep.None;
    public static Tensor Forward(Tensor x) => Record(new Neg(), x, Elementwise.Map<NegOperator>(x, "neg"));
    protected override Tensor InputGrad(Tensor g) => -g;
}

// d/dx eˣ = eˣ
internal sealed class Exp : UnaryFunction
{
    public override string Name => "exp";
    protected override Keep Saves => Keep.Output;
    public static Tensor Forward(Tensor x) => Record(new Exp(), x, Elementwise.Map<ExpOperator>(x, "exp"));
    protected override Tensor InputGrad(Tensor g) => g * Y;
}

// d/dx ln x = 1/x
internal sealed class Log : UnaryFunction
{
    public override string Name => "log";
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Log(), x, Elementwise.Map<LogOperator>(x, "log"));
    protected override Tensor InputGrad(Tensor g) => g / X;
}

// d/dx √x = 1/(2√x)
internal sealed class Sqrt : UnaryFunction
{
    public override string Name => "sqrt";
    protected override Keep Saves => Keep.Output;
    public static Tensor Forward(Tensor x) => Record(new Sqrt(), x, Elementwise.Map<SqrtOperator>(x, "sqrt"));
    protected override Tensor InputGrad(Tensor g) => g / (2.0 * Y);
}

// d/dx |x| = sign x
internal sealed class Abs : UnaryFunction
{
    public override string Name => "abs";
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Abs(), x, Elementwise.Map<AbsOperator>(x, "abs"));
    protected override Tensor InputGrad(Tensor g) => g * X.Sign();
}

// d/dx sin x = cos x
internal sealed class Sin : UnaryFunction
{
    public override string Name => "sin";
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Sin(), x, Elementwise.Map<SinOperator>(x, "sin"));
    protected override Tensor InputGrad(Tensor g) => g * X.Cos();
}

// d/dx cos x = −sin x
internal sealed class Cos : UnaryFunction
{
    public override string Name => "cos";
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Cos(), x, Elementwise.Map<CosOperator>(x, "cos"));
    protected override Tensor InputGrad(Tensor g) => -(g * X.Sin());
}

// d/dv tanh v = 1 − tanh² v (lecture notes eq. 1.21)
internal sealed class Tanh : UnaryFunction
{
    public override string Name => "tanh";
    protected override Keep Saves => Keep.Output;
    public static Tensor Forward(Tensor x) => Record(new Tanh(), x, Elementwise.Map<TanhOperator>(x, "tanh"));

    protected override Tensor InputGrad(Tensor g) =>
        CanFuse(g, Y) ? Elementwise.Fused(g, Y, new TanhGradKernel()) : g * (1.0 - Y * Y);
}

// d/dv σ(v) = σ(v)(1 − σ(v)) (lecture notes eq. 1.18)
internal sealed class Sigmoid : UnaryFunction
{
    public override string Name => "sigmoid";
    protected override Keep Saves => Keep.Output;
    public static Tensor Forward(Tensor x) => Record(new Sigmoid(), x, Elementwise.Map<SigmoidOperator>(x, "sigmoid"));

    protected override Tensor InputGrad(Tensor g) =>
        CanFuse(g, Y) ? Elementwise.Fused(g, Y, new SigmoidGradKernel()) : g * (Y * (1.0 - Y));
}

// d/dv max(v, 0) = 1 for v > 0, else 0 (lecture notes §1.2.1.6; PyTorch's 0 at v = 0, where the lecture notes take 1)
internal sealed class Relu : UnaryFunction
{
    public override string Name => "relu";
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Relu(), x, Elementwise.Map<ReluOperator>(x, "relu"));

    protected override Tensor InputGrad(Tensor g) =>
        CanFuse(g, X) ? Elementwise.Fused(g, X, new ReluGradKernel()) : g * X.Gt(0.0);
}

// d/dv sign v = 0 wherever it exists (lecture notes §1.2.1.6)
internal sealed class Sign : UnaryFunction
{
    public override string Name => "sign";
    protected override Keep Saves => Keep.None;
    public static Tensor Forward(Tensor x) => Record(new Sign(), x, Elementwise.Map<SignOperator>(x, "sign"));
    protected override Tensor InputGrad(Tensor g) => Tensor.ZerosLike(g);
}

// d/dx log(1 + eˣ) = σ(x)
internal sealed class Softplus : UnaryFunction
{
    public override string Name => "softplus";
    protected override Keep Saves => Keep.Input;
    public static Tensor Forward(Tensor x) => Record(new Softplus(), x, Elementwise.Map<SoftplusOperator>(x, "softplus"));
    protected override Tensor InputGrad(Tensor g) => g * X.Sigmoid();
}

// d/dx xᶜ = c·xᶜ⁻¹
internal sealed class PowScalar(double exponent) : UnaryFunction
{
    public override string Name => "pow";
    protected override Keep Saves => Keep.Input;

    public static Tensor Forward(Tensor x, double exponent)
    {
        x.RequireFloat("pow");
        var y = Tensor.Result(x.Shape, x.DType, zero: false);
        var src = x.Contiguous();
        if (x.DType == DType.Float32)
            System.Numerics.Tensors.TensorPrimitives.Pow(src.ContiguousSpan<float>(), (float)exponent, y.ContiguousSpan<float>());
        else
            System.Numerics.Tensors.TensorPrimitives.Pow(src.ContiguousSpan<double>(), exponent, y.ContiguousSpan<double>());
        return Record(new PowScalar(exponent), x, y);
    }

    protected override Tensor InputGrad(Tensor g) =>
        exponent == 0 ? Tensor.ZerosLike(g) : g * (exponent * X.Pow(exponent - 1));
}

// d/dx clamp(x, lo, hi) = 1 for lo ≤ x ≤ hi, else 0
internal sealed class Clamp(double? min, double? max) : UnaryFunction
{
    public override string Name => "clamp";
    protected override Keep Saves => Keep.Input;

    public static Tensor Forward(Tensor x, double? min, double? max)
    {
        x.RequireFloat("clamp");
        if (min is { } lo && max is { } hi && lo > hi)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"clamp: min {lo} is greater than max {hi}."));
        var y = min is null && max is null ? Strided.ToContiguous(x) : x;
        if (min is { } a) y = Elementwise.Zip<MaxOperator>(y, Tensor.Scalar(a, x.DType), "clamp");
        if (max is { } b) y = Elementwise.Zip<MinOperator>(y, Tensor.Scalar(b, x.DType), "clamp");
        return Record(new Clamp(min, max), x, y);
    }

    protected override Tensor InputGrad(Tensor g)
    {
        if (CanFuse(g, X)) return Elementwise.Fused(g, X, new ClampGradKernel(min ?? double.NegativeInfinity, max ?? double.PositiveInfinity));
        var mask = Tensor.OnesLike(X);
        if (min is { } lo) mask = mask * X.Ge(lo);
        if (max is { } hi) mask = mask * X.Le(hi);
        return g * mask;
    }
}

// d/dx cast(x) = 1, in the input's dtype
internal sealed class Cast : UnaryFunction
{
    public override string Name => "to";
    protected override Keep Saves => Keep.None;

    public static Tensor Forward(Tensor x, DType to)
    {
        var y = Elementwise.Cast(x, to);
        return to.IsFloatingPoint() ? Record(new Cast(), x, y) : y;
    }

    protected override Tensor InputGrad(Tensor g) => g.To(Input(0).DType);
}

// d/dx copy(x) = 1
internal sealed class Copy : UnaryFunction
{
    public override string Name => "clone";
    protected override Keep Saves => Keep.None;
    // A clone outlives any BufferScope (it is how results are kept); a contiguous copy is a temporary like any result.
    public static Tensor Forward(Tensor x, bool persistent) => Record(new Copy(), x, Strided.ToContiguous(x, persistent));
    protected override Tensor InputGrad(Tensor g) => g;
}
