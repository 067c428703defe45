using Autograd.Ops;

namespace Autograd;

public partial class Tensor
{
    /// <summary>Computes y[i] = −x[i].</summary>
    /// <param name="x">The tensor to negate.</param>
    /// <returns>A new tensor of the shape and dtype of <paramref name="x"/> (int64 stays int64), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    public static Tensor operator -(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType == DType.Int64 ? 0L - x : Neg.Forward(x);
    }

    /// <summary>Computes y[i] = e^x[i].</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Exp() => Ops.Exp.Forward(this);

    /// <summary>Computes y[i] = ln x[i] (−∞ at 0, NaN below).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Log() => Ops.Log.Forward(this);

    /// <summary>Computes y[i] = √x[i].</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Sqrt() => Ops.Sqrt.Forward(this);

    /// <summary>Computes y[i] = |x[i]|.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Abs() => Ops.Abs.Forward(this);

    /// <summary>Computes y[i] = sin x[i].</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Sin() => Ops.Sin.Forward(this);

    /// <summary>Computes y[i] = cos x[i].</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Cos() => Ops.Cos.Forward(this);

    /// <summary>Computes y[i] = tanh x[i] = (e^{2x} − 1)/(e^{2x} + 1) (lecture notes eq. 1.19).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Tanh() => Ops.Tanh.Forward(this);

    /// <summary>Computes y[i] = 1 / (1 + e^−x[i]) (lecture notes eq. 1.16).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Sigmoid() => Ops.Sigmoid.Forward(this);

    /// <summary>Computes y[i] = max(x[i], 0) (lecture notes §1.2.1.3).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Relu() => Ops.Relu.Forward(this);

    /// <summary>Computes y[i] = sign x[i]: −1, 0 or 1 (lecture notes eq. 1.1, §1.2.1.3); its gradient is 0 (§1.2.1.6).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Sign() => Ops.Sign.Forward(this);

    /// <summary>
    /// Computes y[i] = max(−1, min(1, x[i])) (lecture notes §1.2.1.3), as <c>Clamp(-1, 1)</c>, with the lecture notes'
    /// derivative: 1 on the closed interval [−1, 1], so 1 at ±1. PyTorch's F.hardtanh, and the <c>Hardtanh</c> module
    /// of Autograd.Nn that stands for nn.Hardtanh, take 0 at ±1.
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Hardtanh() => Clamp(-1.0, 1.0);

    /// <summary>
    /// Computes y[i] = x[i] if x[i] &gt; 0, else <paramref name="negativeSlope"/>·x[i] (PyTorch's F.leaky_relu); the
    /// derivative is 1 for x &gt; 0 and <paramref name="negativeSlope"/> for x ≤ 0, so the slope at 0, as PyTorch's
    /// leaky_relu_backward.
    /// </summary>
    /// <param name="negativeSlope">The slope for x ≤ 0.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor LeakyRelu(double negativeSlope = 0.01)
    {
        RequireFloat("leaky_relu");
        return Where(Gt(0.0), this, this * negativeSlope);
    }

    /// <summary>
    /// Computes y[i] = min(max(x[i], 0), 6) (PyTorch's F.relu6, hardtanh(x, 0, 6)); the derivative is 1 on the open
    /// interval (0, 6) and 0 elsewhere, so 0 at 0 and at 6, as PyTorch's hardtanh_backward.
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    public Tensor Relu6()
    {
        // At or past a bound the clamped value is taken off the graph, so the bounds pass no gradient.
        var outside = Le(0.0) + Ge(6.0);
        return Where(outside, Detach().Clamp(0.0, 6.0), this);
    }

    /// <summary>
    /// Computes y[i] = x[i]·σ(x[i]) = x[i] / (1 + e^−x[i]) (PyTorch's F.silu, the swish); the derivative is
    /// σ(x)(1 + x(1 − σ(x))).
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Silu()
    {
        RequireFloat("silu");
        return this * Sigmoid();
    }

    /// <summary>Computes y[i] = x[i] / (1 + |x[i]|) (PyTorch's F.softsign); the derivative is 1 / (1 + |x|)².</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Softsign()
    {
        RequireFloat("softsign");
        return this / (Abs() + 1.0);
    }

    /// <summary>Computes y[i] = x[i] − tanh x[i] (PyTorch's F.tanhshrink); the derivative is tanh² x.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Tanhshrink()
    {
        RequireFloat("tanhshrink");
        return this - Tanh();
    }

    /// <summary>
    /// Computes y[i] = min(max(x[i] + 3, 0), 6) / 6 (PyTorch's F.hardsigmoid): 0 for x ≤ −3, 1 for x ≥ 3, x/6 + 1/2
    /// between; the derivative is 1/6 on the open interval (−3, 3) and 0 elsewhere, so 0 at ±3, as PyTorch's
    /// hardsigmoid_backward.
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Hardsigmoid()
    {
        RequireFloat("hardsigmoid");
        return (this + 3.0).Relu6() / 6.0;
    }

    /// <summary>
    /// Computes y[i] = x[i]·min(max(x[i] + 3, 0), 6) / 6 (PyTorch's F.hardswish); the derivative is 0 for x &lt; −3,
    /// x/3 + 1/2 on the closed interval [−3, 3] (so −1/2 at −3 and 3/2 at 3) and 1 for x &gt; 3, as PyTorch's
    /// hardswish_backward.
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Hardswish()
    {
        RequireFloat("hardswish");
        return this * ((this + 3.0).Clamp(0.0, 6.0) / 6.0); // Clamp passes gradient 1 at its bounds, giving PyTorch's values at ±3.
    }

    /// <summary>
    /// Computes y[i] = ln σ(x[i]) = −ln(1 + e^−x[i]) (PyTorch's F.logsigmoid), as −softplus(−x), so it is finite for
    /// large |x| (≈ x for x ≪ 0, ≈ −e^−x for x ≫ 0); the derivative is 1 − σ(x).
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor LogSigmoid()
    {
        RequireFloat("log_sigmoid");
        return -Ops.Softplus.Forward(-this); // the unthresholded softplus, as PyTorch's log_sigmoid
    }

    /// <summary>
    /// Computes y[i] = x[i] if x[i] &gt; 0, else <paramref name="alpha"/>·(e^x[i] − 1) (PyTorch's F.elu); the derivative is
    /// 1 for x &gt; 0 and α·eˣ for x ≤ 0, so α at 0, as PyTorch's elu_backward.
    /// </summary>
    /// <param name="alpha">The scale of the negative branch.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Elu(double alpha = 1.0)
    {
        RequireFloat("elu");
        // exp of min(x, 0): the unselected branch must stay finite, or its zero gradient times e^x = ∞ would give NaN.
        return Where(Gt(0.0), this, (Clamp(max: 0.0).Exp() - 1.0) * alpha);
    }

    /// <summary>Computes y[i] = x[i]^<paramref name="exponent"/>.</summary>
    /// <param name="exponent">The exponent applied to every element.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Pow(double exponent) => PowScalar.Forward(this, exponent);

    /// <summary>Computes y[i] = x[i]².</summary>
    /// <returns>A new tensor of this shape and dtype (int64 stays int64), recorded for autograd.</returns>
    public Tensor Square() => this * this;

    /// <summary>
    /// Computes y[i] = min(max(x[i], min), max); a null bound is not applied. An int64 tensor stays int64 with whole
    /// bounds, and gives float32 with a fractional one (torch.clamp's type promotion).
    /// </summary>
    /// <param name="min">The lower bound; null for none.</param>
    /// <param name="max">The upper bound; null for none.</param>
    /// <returns>A new tensor of this shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentException"><paramref name="min"/> is greater than <paramref name="max"/>.</exception>
    public Tensor Clamp(double? min = null, double? max = null) => DType == DType.Int64 ? ClampInt64(min, max) : Ops.Clamp.Forward(this, min, max);

    private Tensor ClampInt64(double? min, double? max)
    {
        static bool Whole(double? v) => v is not { } b || (b == Math.Floor(b) && Math.Abs(b) < 9.2e18);
        if (!Whole(min) || !Whole(max)) return To(DType.Float32).Clamp(min, max);
        if (min is { } l && max is { } h && l > h)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"clamp: min {l} is greater than max {h}."));
        var y = this;
        if (min is { } lo) y = Maximum(y, Kernels.Int64Kernels.Scalar((long)lo));
        if (max is { } hi) y = Minimum(y, Kernels.Int64Kernels.Scalar((long)hi));
        return ReferenceEquals(y, this) ? Clone() : y;
    }

    /// <summary>Converts to another dtype (differentiable between float32 and float64).</summary>
    /// <param name="dtype">The dtype to convert to; conversion to int64 truncates toward zero.</param>
    /// <returns>This tensor itself if it already has <paramref name="dtype"/>, otherwise a new tensor of its shape; recorded for autograd when <paramref name="dtype"/> is floating point.</returns>
    public Tensor To(DType dtype) => dtype == DType ? this : Cast.Forward(this, dtype);

    /// <summary>This tensor if its elements are contiguous, else a contiguous copy (differentiable).</summary>
    /// <returns>This tensor itself if it is contiguous, otherwise a new contiguous tensor of its shape and dtype; recorded for autograd.</returns>
    public Tensor Contiguous() => IsContiguous ? this : Copy.Forward(this, persistent: false);

    /// <summary>A contiguous copy (differentiable).</summary>
    /// <returns>A new contiguous tensor of this shape and dtype that shares no storage with it, recorded for autograd.</returns>
    public Tensor Clone() => Copy.Forward(this, persistent: true);
}
