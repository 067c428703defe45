using Autograd.Kernels;
using Autograd.Ops;

namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Brings two operands to one dtype as PyTorch does: equal types stay; two dimensioned (or two 0-d) float
    /// tensors of different types give float64; a 0-d tensor meeting a dimensioned one takes the dimensioned
    /// one's type; an int64 tensor meeting a float one takes the float type.
    /// </summary>
    internal static (Tensor, Tensor) Promote(Tensor a, Tensor b)
    {
        if (a.DType == b.DType) return (a, b);
        var target = ResultType(a.DType, a.Rank == 0, b.DType, b.Rank == 0);
        return (a.To(target), b.To(target));
    }

    internal static DType ResultType(DType a, bool aIsScalar, DType b, bool bIsScalar)
    {
        if (a == b) return a;
        if (a == DType.Int64) return b;
        if (b == DType.Int64) return a;
        if (aIsScalar == bIsScalar) return DType.Float64;
        return aIsScalar ? b : a;
    }

    private static Tensor ScalarLike(double value, Tensor like) =>
        Scalar(value, like.DType.IsFloatingPoint() ? like.DType : DType.Float32);

    private static Tensor ComparandLike(double value, Tensor like) =>
        like.DType == DType.Int64 && value == Math.Floor(value) && Math.Abs(value) <= long.MaxValue / 2 ? Scalar(value, DType.Int64) : ScalarLike(value, like);

    /// <summary>Computes z[i] = a[i] + b[i], broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Add.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] + b.</summary>
    public static Tensor operator +(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.AddScalar.Forward(a, b) : a + ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a + b[i].</summary>
    public static Tensor operator +(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.DType.IsFloatingPoint() ? Ops.AddScalar.Forward(b, a) : ScalarLike(a, b) + b;
    }

    /// <summary>Computes z[i] = a[i] − b[i], broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Sub.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] − b.</summary>
    public static Tensor operator -(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.SubScalar.Forward(a, b) : a - ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a − b[i].</summary>
    public static Tensor operator -(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return ScalarLike(a, b) - b;
    }

    /// <summary>Computes z[i] = a[i] · b[i], broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Mul.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] · b.</summary>
    public static Tensor operator *(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.MulScalar.Forward(a, b) : a * ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a · b[i].</summary>
    public static Tensor operator *(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.DType.IsFloatingPoint() ? Ops.MulScalar.Forward(b, a) : ScalarLike(a, b) * b;
    }

    /// <summary>Computes z[i] = a[i] / b[i], broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Div.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] / b.</summary>
    public static Tensor operator /(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.DivScalar.Forward(a, b) : a / ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a / b[i].</summary>
    public static Tensor operator /(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return ScalarLike(a, b) / b;
    }

    /// <summary>Computes z[i] = a[i] + b[i].</summary>
    public Tensor Add(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this + other;
    }
    /// <summary>Computes z[i] = a[i] − b[i].</summary>
    public Tensor Sub(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this - other;
    }
    /// <summary>Computes z[i] = a[i] · b[i].</summary>
    public Tensor Mul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this * other;
    }
    /// <summary>Computes z[i] = a[i] / b[i].</summary>
    public Tensor Div(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this / other;
    }

    /// <summary>Computes z[i] = a[i]^b[i], broadcasting.</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Pow.Forward(a, b);
    }
    /// <summary>Computes z[i] = x[i]^e[i], broadcasting.</summary>
    public Tensor Pow(Tensor exponent)
    {
        ArgumentNullException.ThrowIfNull(exponent);
        return Pow(this, exponent);
    }
    /// <summary>Computes z[i] = a^b[i].</summary>
    public static Tensor Pow(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Pow(ScalarLike(a, b), b);
    }

    /// <summary>Computes z[i] = max(a[i], b[i]), NaN propagating (torch.maximum).</summary>
    public static Tensor Maximum(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Maximum.Forward(a, b);
    }
    /// <summary>Computes z[i] = min(a[i], b[i]), NaN propagating (torch.minimum).</summary>
    public static Tensor Minimum(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Minimum.Forward(a, b);
    }

    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a[i] : b[i], all three broadcast together.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Where.Forward(condition, a, b);
    }
    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a[i] : b.</summary>
    public static Tensor Where(Tensor condition, Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        return Where(condition, a, ScalarLike(b, a));
    }
    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a : b[i].</summary>
    public static Tensor Where(Tensor condition, double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(b);
        return Where(condition, ScalarLike(a, b), b);
    }

    private static Tensor Compare<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOperator<TOp>
    {
        (a, b) = Promote(a, b);
        if (a.DType != DType.Int64) return Elementwise.Zip<TOp>(a, b, op);
        // Two int64 operands (labels, argmax results): compared as float64, exact for |values| ≤ 2⁵³; the mask is int64.
        return Elementwise.Cast(Elementwise.Zip<TOp>(Elementwise.Cast(a, DType.Float64), Elementwise.Cast(b, DType.Float64), op), DType.Int64);
    }

    /// <summary>Computes z[i] = a[i] &gt; b[i] as 1 or 0 in the operands' dtype; never differentiable.</summary>
    public Tensor Gt(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<GtOperator>(this, other, "gt");
    }
    /// <summary>Computes z[i] = a[i] ≥ b[i] as 1 or 0.</summary>
    public Tensor Ge(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<GeOperator>(this, other, "ge");
    }
    /// <summary>Computes z[i] = a[i] &lt; b[i] as 1 or 0.</summary>
    public Tensor Lt(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<LtOperator>(this, other, "lt");
    }
    /// <summary>Computes z[i] = a[i] ≤ b[i] as 1 or 0.</summary>
    public Tensor Le(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<LeOperator>(this, other, "le");
    }
    /// <summary>Computes z[i] = a[i] = b[i] as 1 or 0.</summary>
    public Tensor Eq(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<EqOperator>(this, other, "eq");
    }
    /// <summary>Computes z[i] = a[i] ≠ b[i] as 1 or 0.</summary>
    public Tensor Ne(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<NeOperator>(this, other, "ne");
    }

    /// <summary>Computes z[i] = x[i] &gt; v as 1 or 0.</summary>
    public Tensor Gt(double value) => Gt(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≥ v as 1 or 0.</summary>
    public Tensor Ge(double value) => Ge(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] &lt; v as 1 or 0.</summary>
    public Tensor Lt(double value) => Lt(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≤ v as 1 or 0.</summary>
    public Tensor Le(double value) => Le(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] = v as 1 or 0.</summary>
    public Tensor Eq(double value) => Eq(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≠ v as 1 or 0.</summary>
    public Tensor Ne(double value) => Ne(ComparandLike(value, this));

    /// <summary>Computes z[i] = a[i] &gt; b[i] as 1 or 0.</summary>
    public static Tensor operator >(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Gt(b);
    }
    /// <summary>Computes z[i] = a[i] &lt; b[i] as 1 or 0.</summary>
    public static Tensor operator <(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Lt(b);
    }
    /// <summary>Computes z[i] = a[i] ≥ b[i] as 1 or 0.</summary>
    public static Tensor operator >=(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Ge(b);
    }
    /// <summary>Computes z[i] = a[i] ≤ b[i] as 1 or 0.</summary>
    public static Tensor operator <=(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Le(b);
    }
    /// <summary>Computes z[i] = a[i] &gt; b as 1 or 0.</summary>
    public static Tensor operator >(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Gt(b);
    }
    /// <summary>Computes z[i] = a[i] &lt; b as 1 or 0.</summary>
    public static Tensor operator <(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Lt(b);
    }
    /// <summary>Computes z[i] = a[i] ≥ b as 1 or 0.</summary>
    public static Tensor operator >=(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Ge(b);
    }
    /// <summary>Computes z[i] = a[i] ≤ b as 1 or 0.</summary>
    public static Tensor operator <=(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Le(b);
    }
}
