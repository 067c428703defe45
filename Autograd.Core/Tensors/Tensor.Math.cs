using Autograd.Kernels;
using Autograd.Ops;

namespace Autograd;

public partial class Tensor
{
    // As Exp and Sin, the float-valued functions refuse int64 tensors (convert with To first); the rounding functions
    // return an int64 tensor's values unchanged, and the modulus ops compute int64 remainders exactly, as PyTorch does.

    /// <summary>Computes y[i] = ln(1 + x[i]) (torch.log1p), accurate for |x| near 0 where ln(1 + x) would round 1 + x.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is 1/(1 + x).</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Log1p() => Ops.Log1p.Forward(this);

    /// <summary>Computes y[i] = e^x[i] − 1 (torch.expm1), accurate for |x| near 0 where eˣ − 1 would cancel.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is eˣ.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Expm1() => Ops.Expm1.Forward(this);

    /// <summary>Computes the error function y[i] = (2/√π)∫₀^x[i] e^{−t²} dt (torch.erf).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is (2/√π)e^{−x²}.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Erf() => Ops.Erf.Forward(this);

    /// <summary>
    /// Computes the complementary error function y[i] = 1 − erf x[i] (torch.erfc), to full relative precision in the
    /// right tail (erfc 10 ≈ 2.1e-45 in float64), where 1 − erf x would give 0.
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is −(2/√π)e^{−x²}.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Erfc() => Ops.Erfc.Forward(this);

    /// <summary>Computes y[i] = tan x[i] (torch.tan).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is 1 + tan² x.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Tan() => Ops.Tan.Forward(this);

    /// <summary>Computes y[i] = sinh x[i] (torch.sinh).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is cosh x.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Sinh() => Ops.Sinh.Forward(this);

    /// <summary>Computes y[i] = cosh x[i] (torch.cosh).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is sinh x.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Cosh() => Ops.Cosh.Forward(this);

    /// <summary>Computes y[i] = arcsin x[i] (torch.asin), NaN outside [−1, 1].</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is 1/√(1 − x²).</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Asin() => Ops.Asin.Forward(this);

    /// <summary>Computes y[i] = arccos x[i] (torch.acos), NaN outside [−1, 1].</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is −1/√(1 − x²).</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Acos() => Ops.Acos.Forward(this);

    /// <summary>Computes y[i] = arctan x[i] (torch.atan).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is 1/(1 + x²).</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Atan() => Ops.Atan.Forward(this);

    /// <summary>Computes z[i] = atan2(a[i], b[i]), the angle of the point (b, a) in (−π, π], broadcasting (torch.atan2).</summary>
    /// <param name="a">The y coordinates.</param>
    /// <param name="b">The x coordinates; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd (∂/∂a = b/(a² + b²), ∂/∂b = −a/(a² + b²)).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or both operands are int64.</exception>
    public static Tensor Atan2(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Atan2.Forward(a, b);
    }

    /// <summary>Computes z[i] = atan2(this[i], other[i]) (torch.atan2).</summary>
    /// <param name="other">The x coordinates; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or both operands are int64.</exception>
    public Tensor Atan2(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Atan2(this, other);
    }

    /// <summary>Computes z[i] = √(a[i]² + b[i]²) without overflow or underflow of the squares, broadcasting (torch.hypot).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd (∂/∂a = a/z, ∂/∂b = b/z).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or both operands are int64.</exception>
    public static Tensor Hypot(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Hypot.Forward(a, b);
    }

    /// <summary>Computes z[i] = √(this[i]² + other[i]²) (torch.hypot).</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or both operands are int64.</exception>
    public Tensor Hypot(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Hypot(this, other);
    }

    /// <summary>Computes y[i] = ⌊x[i]⌋ (torch.floor); an int64 tensor's values are returned unchanged.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd with gradient 0 everywhere, as PyTorch.</returns>
    public Tensor Floor() => DType == DType.Int64 ? Clone() : Rounding.Floor(this);

    /// <summary>Computes y[i] = ⌈x[i]⌉ (torch.ceil); an int64 tensor's values are returned unchanged.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd with gradient 0 everywhere, as PyTorch.</returns>
    public Tensor Ceil() => DType == DType.Int64 ? Clone() : Rounding.Ceil(this);

    /// <summary>Computes y[i] = x[i] rounded toward zero (torch.trunc); an int64 tensor's values are returned unchanged.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd with gradient 0 everywhere, as PyTorch.</returns>
    public Tensor Trunc() => DType == DType.Int64 ? Clone() : Rounding.Trunc(this);

    /// <summary>
    /// Rounds to the nearest integer, halves to even (torch.round: 0.5 → 0, 1.5 → 2, 2.5 → 2), or with
    /// <paramref name="decimals"/> to that many decimal places as round(x·10^d)/10^d (10^−d for negative d). An int64
    /// tensor's values are returned unchanged (decimals 0 only, as PyTorch).
    /// </summary>
    /// <param name="decimals">The number of decimal places; negative rounds to tens, hundreds, ….</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd with gradient 0 everywhere, as PyTorch.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 and <paramref name="decimals"/> is not 0.</exception>
    public Tensor Round(int decimals = 0)
    {
        if (DType == DType.Int64 && decimals == 0) return Clone();
        return Rounding.Round(this, decimals);
    }

    /// <summary>Computes y[i] = x[i] − trunc x[i], the fractional part with x's sign (torch.frac).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is 1, as PyTorch.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Frac()
    {
        RequireFloat("frac");
        return this - Rounding.Trunc(this);
    }

    /// <summary>Computes y[i] = 1 / x[i] (torch.reciprocal).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is −1/x².</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Reciprocal()
    {
        RequireFloat("reciprocal");
        return 1.0 / this;
    }

    /// <summary>Computes y[i] = 1 / √x[i] (torch.rsqrt).</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd; its derivative is −1/(2x√x).</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Rsqrt()
    {
        RequireFloat("rsqrt");
        return 1.0 / Sqrt();
    }

    /// <summary>
    /// Computes the remainder of a[i] / b[i] with the sign of the divisor, a − b·⌊a/b⌋ (torch.remainder, Python's %),
    /// broadcasting; int64 operands give an exact int64 result.
    /// </summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd (∂/∂a = 1, ∂/∂b = −⌊a/b⌋, as PyTorch).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or an int64 divisor has a zero.</exception>
    public static Tensor Remainder(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        if (a.DType != DType.Int64) return Ops.Remainder.Forward(a, b);
        RequireNonZeroDivisor(b, Ops.Remainder.Op);
        return Int64Kernels.Zip<RemainderInt64>(a, b, Ops.Remainder.Op);
    }

    /// <summary>Computes the remainder of this[i] / divisor[i] with the divisor's sign (torch.remainder).</summary>
    /// <param name="divisor">The divisor; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="divisor"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or an int64 divisor has a zero.</exception>
    public Tensor Remainder(Tensor divisor)
    {
        ArgumentNullException.ThrowIfNull(divisor);
        return Remainder(this, divisor);
    }

    /// <summary>Computes the remainder of this[i] / divisor with the divisor's sign (torch.remainder); an int64 tensor gives float32.</summary>
    /// <param name="divisor">The divisor.</param>
    /// <returns>A new tensor of this shape, recorded for autograd.</returns>
    public Tensor Remainder(double divisor) => Remainder(this, ScalarLike(divisor, this));

    /// <summary>Computes the remainder of this[i] / divisor with the divisor's sign (torch.remainder); an int64 tensor stays int64, exactly.</summary>
    /// <param name="divisor">The divisor.</param>
    /// <returns>A new tensor of this shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 and <paramref name="divisor"/> is 0.</exception>
    public Tensor Remainder(long divisor) => Remainder(this, ComparandLike(divisor, this));

    /// <summary>
    /// Computes the remainder of a[i] / b[i] with the sign of the dividend, a − b·trunc(a/b) (torch.fmod, C's fmod),
    /// broadcasting; int64 operands give an exact int64 result.
    /// </summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd (∂/∂a = 1, ∂/∂b = −trunc(a/b), as PyTorch).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or an int64 divisor has a zero.</exception>
    public static Tensor Fmod(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        if (a.DType != DType.Int64) return Ops.Fmod.Forward(a, b);
        RequireNonZeroDivisor(b, Ops.Fmod.Op);
        return Int64Kernels.Zip<FmodInt64>(a, b, Ops.Fmod.Op);
    }

    /// <summary>Computes the remainder of this[i] / divisor[i] with the dividend's sign (torch.fmod).</summary>
    /// <param name="divisor">The divisor; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="divisor"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or an int64 divisor has a zero.</exception>
    public Tensor Fmod(Tensor divisor)
    {
        ArgumentNullException.ThrowIfNull(divisor);
        return Fmod(this, divisor);
    }

    /// <summary>Computes the remainder of this[i] / divisor with the dividend's sign (torch.fmod); an int64 tensor gives float32.</summary>
    /// <param name="divisor">The divisor.</param>
    /// <returns>A new tensor of this shape, recorded for autograd.</returns>
    public Tensor Fmod(double divisor) => Fmod(this, ScalarLike(divisor, this));

    /// <summary>Computes the remainder of this[i] / divisor with the dividend's sign (torch.fmod); an int64 tensor stays int64, exactly.</summary>
    /// <param name="divisor">The divisor.</param>
    /// <returns>A new tensor of this shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 and <paramref name="divisor"/> is 0.</exception>
    public Tensor Fmod(long divisor) => Fmod(this, ComparandLike(divisor, this));

    /// <summary>Computes z[i] = remainder(a[i], b[i]), the sign of the divisor, as PyTorch's and Python's % (not C#'s, which is fmod).</summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or an int64 divisor has a zero.</exception>
    public static Tensor operator %(Tensor a, Tensor b) => Remainder(a, b);

    /// <summary>Computes z[i] = remainder(a[i], b), the sign of the divisor (PyTorch's %); an int64 tensor gives float32.</summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static Tensor operator %(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Remainder(b);
    }

    /// <summary>Computes z[i] = remainder(a[i], b), the sign of the divisor (PyTorch's %); an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="a"/> is int64 and <paramref name="b"/> is 0.</exception>
    public static Tensor operator %(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Remainder(b);
    }

    /// <summary>Computes z[i] = remainder(a, b[i]), the sign of the divisor (PyTorch's %); an int64 tensor gives float32.</summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    public static Tensor operator %(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Remainder(ScalarLike(a, b), b);
    }

    /// <summary>Computes z[i] = remainder(a, b[i]), the sign of the divisor (PyTorch's %); an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The dividend.</param>
    /// <param name="b">The divisor.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="b"/> is int64 and has a zero.</exception>
    public static Tensor operator %(long a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Remainder(ComparandLike(a, b), b);
    }

    private static void RequireNonZeroDivisor(Tensor b, string op)
    {
        var zero = Int64Kernels.Zip<EqInt64>(b, Int64Kernels.Scalar(0), op);
        if (System.Array.IndexOf(zero.Array<long>(), 1L, zero.Offset, zero.NumElements) >= 0)
            throw new ArgumentException($"{op}: the int64 divisor of shape {ShapeUtil.Format(b.Dims)} has a zero (PyTorch's ZeroDivisionError).");
    }

    /// <summary>
    /// Interpolates linearly, y[i] = start[i] + weight·(end[i] − start[i]), computed as end − (end − start)·(1 − weight)
    /// when |weight| ≥ 0.5, as torch.lerp does, so weight 1 gives end exactly; start and end broadcast.
    /// </summary>
    /// <param name="end">The end points, of this tensor's dtype.</param>
    /// <param name="weight">The weight of <paramref name="end"/>.</param>
    /// <returns>A new tensor of the broadcast shape, recorded for autograd (∂/∂start = 1 − weight, ∂/∂end = weight).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="end"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, the dtypes differ, or the shapes do not broadcast.</exception>
    public Tensor Lerp(Tensor end, double weight)
    {
        CheckLerp(end, null);
        return Math.Abs(weight) < 0.5 ? this + (end - this) * weight : end - (end - this) * (1.0 - weight);
    }

    /// <summary>Interpolates linearly with a weight per element (torch.lerp); start, end and weight broadcast together.</summary>
    /// <param name="end">The end points, of this tensor's dtype.</param>
    /// <param name="weight">The weights of <paramref name="end"/>, of this tensor's dtype.</param>
    /// <returns>A new tensor of the broadcast shape, recorded for autograd (∂/∂start = 1 − w, ∂/∂end = w, ∂/∂w = end − start).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="end"/> or <paramref name="weight"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, the dtypes differ, or the shapes do not broadcast.</exception>
    public Tensor Lerp(Tensor end, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        CheckLerp(end, weight);
        var diff = end - this;
        return Where(weight.Detach().Abs().Lt(0.5), this + diff * weight, end - diff * (1.0 - weight));
    }

    private void CheckLerp(Tensor end, Tensor? weight)
    {
        ArgumentNullException.ThrowIfNull(end);
        RequireFloat("lerp");
        if (end.DType != DType)
            throw new ArgumentException($"lerp: expected end of dtype {DType.Name()} (the start's), got {end.DType.Name()}.");
        if (weight is not null && weight.DType != DType)
            throw new ArgumentException($"lerp: expected weight of dtype {DType.Name()} (the start's), got {weight.DType.Name()}.");
        ShapeUtil.Broadcast("lerp", ShapeUtil.Broadcast("lerp", Dims, end.Dims), weight?.Dims ?? []);
    }

    /// <summary>
    /// Computes y[i] = ln(1 + e^{β·x[i]})/β, and x[i] itself where β·x[i] &gt; <paramref name="threshold"/> (PyTorch's
    /// F.softplus, linear above the threshold); stable for large |x|. The derivative is σ(βx), and 1 above the threshold.
    /// </summary>
    /// <param name="beta">The sharpness β; the default 1 gives ln(1 + eˣ).</param>
    /// <param name="threshold">Above this value of β·x the result is x; <see cref="double.PositiveInfinity"/> never switches.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Softplus(double beta = 1.0, double threshold = 20.0)
    {
        RequireFloat("softplus");
        if (beta == 1.0 && double.IsPositiveInfinity(threshold)) return Ops.Softplus.Forward(this);
        var scaled = beta == 1.0 ? this : this * beta;
        var soft = beta == 1.0 ? Ops.Softplus.Forward(scaled) : Ops.Softplus.Forward(scaled) / beta;
        return Where(scaled.Gt(threshold), this, soft);
    }

    /// <summary>
    /// Computes y[i] = scale·elu(x[i], α) with α ≈ 1.6733 and scale ≈ 1.0507 (PyTorch's F.selu); the derivative is scale
    /// for x &gt; 0 and scale·α·eˣ for x ≤ 0, so scale·α at 0, as PyTorch.
    /// </summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Selu()
    {
        RequireFloat("selu");
        return Elu(1.6732632423543772848170429916717) * 1.0507009873554804934193349852946;
    }

    /// <summary>
    /// Computes y[i] = max(0, x[i]) + min(0, α·(e^{x[i]/α} − 1)) (PyTorch's F.celu); the derivative is 1 for x &gt; 0 and
    /// e^{x/α} for x ≤ 0, so 1 at 0, as PyTorch.
    /// </summary>
    /// <param name="alpha">The α of the formula; not 0.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="alpha"/> is 0.</exception>
    public Tensor Celu(double alpha = 1.0)
    {
        RequireFloat("celu");
        if (alpha == 0) throw new ArgumentException("celu: alpha cannot be 0.", nameof(alpha));
        // exp of min(x/α, 0) keeps the unselected branch finite, as in Elu.
        return Where(Gt(0.0), this, ((this / alpha).Clamp(max: 0.0).Exp() - 1.0) * alpha);
    }

    /// <summary>
    /// Computes the Gaussian error linear unit (PyTorch's F.gelu): y = x·Φ(x) = ½x(1 + erf(x/√2)) = ½x·erfc(−x/√2) for
    /// <paramref name="approximate"/> "none", or ½x(1 + tanh(√(2/π)(x + 0.044715x³))) for "tanh".
    /// </summary>
    /// <param name="approximate">"none" (exact, through Erfc) or "tanh".</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="approximate"/> is null.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="approximate"/> is neither "none" nor "tanh".</exception>
    public Tensor Gelu(string approximate = "none")
    {
        ArgumentNullException.ThrowIfNull(approximate);
        RequireFloat("gelu");
        return approximate switch
        {
            // 1 + erf(x/√2) written as erfc(−x/√2), which does not cancel for x ≪ 0.
            "none" => this * (this * -Math.Sqrt(0.5)).Erfc() * 0.5,
            "tanh" => this * (((this + this * this * this * 0.044715) * Math.Sqrt(2.0 / Math.PI)).Tanh() + 1.0) * 0.5,
            _ => throw new ArgumentException($"gelu: approximate must be either 'none' or 'tanh', got '{approximate}'.", nameof(approximate)),
        };
    }

    /// <summary>Computes y[i] = x[i]·tanh(ln(1 + e^x[i])) (PyTorch's F.mish), with the softplus stable for large |x|.</summary>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Mish()
    {
        RequireFloat("mish");
        return this * Ops.Softplus.Forward(this).Tanh();
    }

    /// <summary>
    /// The gated linear unit (PyTorch's F.glu): splits <paramref name="axis"/> into halves a and b and computes a·σ(b).
    /// </summary>
    /// <param name="axis">The axis to halve, in [−rank, rank); its size must be even.</param>
    /// <returns>A new tensor of this shape with <paramref name="axis"/> halved, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64 or 0-d, or the size of <paramref name="axis"/> is odd.</exception>
    public Tensor Glu(int axis = -1)
    {
        RequireFloat("glu");
        if (Rank == 0) throw new ArgumentException("glu: cannot halve a 0-d tensor.");
        int a = ShapeUtil.NormalizeAxis("glu", axis, Rank);
        int n = Dims[a];
        if (n % 2 != 0)
            throw new ArgumentException($"glu: the halved axis {axis} must have an even size, got {n} in shape {ShapeUtil.Format(Dims)}.");
        return Slice(a, 0, n / 2) * Slice(a, n / 2, n).Sigmoid();
    }
}
