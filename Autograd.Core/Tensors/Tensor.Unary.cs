using Autograd.Ops;

namespace Autograd;

public partial class Tensor
{
    /// <summary>Computes y[i] = −x[i].</summary>
    public static Tensor operator -(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType == DType.Int64 ? 0L - x : Neg.Forward(x);
    }

    /// <summary>Computes y[i] = e^x[i].</summary>
    public Tensor Exp() => Ops.Exp.Forward(this);

    /// <summary>Computes y[i] = ln x[i] (−∞ at 0, NaN below).</summary>
    public Tensor Log() => Ops.Log.Forward(this);

    /// <summary>Computes y[i] = √x[i].</summary>
    public Tensor Sqrt() => Ops.Sqrt.Forward(this);

    /// <summary>Computes y[i] = |x[i]|.</summary>
    public Tensor Abs() => Ops.Abs.Forward(this);

    /// <summary>Computes y[i] = sin x[i].</summary>
    public Tensor Sin() => Ops.Sin.Forward(this);

    /// <summary>Computes y[i] = cos x[i].</summary>
    public Tensor Cos() => Ops.Cos.Forward(this);

    /// <summary>Computes y[i] = tanh x[i] = (e^{2x} − 1)/(e^{2x} + 1) (seed 000 eq. 1.19).</summary>
    public Tensor Tanh() => Ops.Tanh.Forward(this);

    /// <summary>Computes y[i] = 1 / (1 + e^−x[i]) (seed 000 eq. 1.16).</summary>
    public Tensor Sigmoid() => Ops.Sigmoid.Forward(this);

    /// <summary>Computes y[i] = max(x[i], 0) (seed 000 §1.2.1.3).</summary>
    public Tensor Relu() => Ops.Relu.Forward(this);

    /// <summary>Computes y[i] = sign x[i]: −1, 0 or 1 (seed 000 eq. 1.1, §1.2.1.3); its gradient is 0 (§1.2.1.6).</summary>
    public Tensor Sign() => Ops.Sign.Forward(this);

    /// <summary>Computes y[i] = ln(1 + e^x[i]), without overflow.</summary>
    public Tensor Softplus() => Ops.Softplus.Forward(this);

    /// <summary>
    /// Computes y[i] = max(−1, min(1, x[i])) (seed 000 §1.2.1.3), as <c>Clamp(-1, 1)</c>, with the lecture notes'
    /// derivative: 1 on the closed interval [−1, 1], so 1 at ±1. PyTorch's F.hardtanh, and the <c>Hardtanh</c> module
    /// of Autograd.Nn that stands for nn.Hardtanh, take 0 at ±1.
    /// </summary>
    public Tensor Hardtanh() => Clamp(-1.0, 1.0);

    /// <summary>Computes y[i] = x[i]^<paramref name="exponent"/>.</summary>
    public Tensor Pow(double exponent) => PowScalar.Forward(this, exponent);

    /// <summary>Computes y[i] = x[i]².</summary>
    public Tensor Square() => this * this;

    /// <summary>
    /// Computes y[i] = min(max(x[i], min), max); a null bound is not applied. An int64 tensor stays int64 with whole
    /// bounds, and gives float32 with a fractional one (torch.clamp's type promotion).
    /// </summary>
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
    public Tensor To(DType dtype) => dtype == DType ? this : Cast.Forward(this, dtype);

    /// <summary>This tensor if its elements are contiguous, else a contiguous copy (differentiable).</summary>
    public Tensor Contiguous() => IsContiguous ? this : Copy.Forward(this, persistent: false);

    /// <summary>A contiguous copy (differentiable).</summary>
    public Tensor Clone() => Copy.Forward(this, persistent: true);
}
