using System.Runtime.CompilerServices;
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

    private static Tensor ComparandLike(long value, Tensor like) =>
        like.DType == DType.Int64 ? Int64Kernels.Scalar(value) : ScalarLike(value, like);

    // An int64 operand of / is converted to float32 first: / is true division, as torch.div without rounding_mode.
    private static Tensor TrueDivOperand(Tensor x) => x.DType == DType.Int64 ? x.To(DType.Float32) : x;

    // The number overloads come in pairs: a long (any C# integer) keeps an int64 tensor int64, exactly, as a Python int
    // does in PyTorch; a double makes it float32 (the default dtype). On a float tensor both act in the tensor's dtype.

    /// <summary>Computes z[i] = a[i] + b[i], broadcasting; two int64 operands give an exact int64 result.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator +(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return a.DType == DType.Int64 ? Int64Kernels.Zip<AddInt64>(a, b, "add") : Ops.Add.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] + b; an int64 tensor gives float32.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Tensor operator +(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.AddScalar.Forward(a, b) : a + ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a + b[i]; an int64 tensor gives float32.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator +(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.DType.IsFloatingPoint() ? Ops.AddScalar.Forward(b, a) : ScalarLike(a, b) + b;
    }
    /// <summary>Computes z[i] = a[i] + b; an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator +(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.AddScalar.Forward(a, b) : Int64Kernels.Zip<AddInt64>(a, Int64Kernels.Scalar(b), "add");
    }
    /// <summary>Computes z[i] = a + b[i]; an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator +(long a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.DType.IsFloatingPoint() ? Ops.AddScalar.Forward(b, a) : Int64Kernels.Zip<AddInt64>(Int64Kernels.Scalar(a), b, "add");
    }

    /// <summary>Computes z[i] = a[i] − b[i], broadcasting; two int64 operands give an exact int64 result.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator -(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return a.DType == DType.Int64 ? Int64Kernels.Zip<SubInt64>(a, b, "sub") : Ops.Sub.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] − b; an int64 tensor gives float32.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Tensor operator -(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.SubScalar.Forward(a, b) : a - ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a − b[i]; an int64 tensor gives float32.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator -(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return ScalarLike(a, b) - b;
    }
    /// <summary>Computes z[i] = a[i] − b; an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator -(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.SubScalar.Forward(a, b) : Int64Kernels.Zip<SubInt64>(a, Int64Kernels.Scalar(b), "sub");
    }
    /// <summary>Computes z[i] = a − b[i]; an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator -(long a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return ComparandLike(a, b) - b;
    }

    /// <summary>Computes z[i] = a[i] · b[i], broadcasting; two int64 operands give an exact int64 result.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator *(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return a.DType == DType.Int64 ? Int64Kernels.Zip<MulInt64>(a, b, "mul") : Ops.Mul.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] · b; an int64 tensor gives float32.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Tensor operator *(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.MulScalar.Forward(a, b) : a * ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a · b[i]; an int64 tensor gives float32.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator *(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.DType.IsFloatingPoint() ? Ops.MulScalar.Forward(b, a) : ScalarLike(a, b) * b;
    }
    /// <summary>Computes z[i] = a[i] · b; an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator *(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.MulScalar.Forward(a, b) : Int64Kernels.Zip<MulInt64>(a, Int64Kernels.Scalar(b), "mul");
    }
    /// <summary>Computes z[i] = a · b[i]; an int64 tensor stays int64, exactly.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator *(long a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.DType.IsFloatingPoint() ? Ops.MulScalar.Forward(b, a) : Int64Kernels.Zip<MulInt64>(Int64Kernels.Scalar(a), b, "mul");
    }

    /// <summary>Computes z[i] = a[i] / b[i], broadcasting; true division, so int64 operands give float32 (torch.div).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype (float32 for two int64 operands); recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator /(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        if (a.DType == DType.Int64) (a, b) = (a.To(DType.Float32), b.To(DType.Float32));
        return Ops.Div.Forward(a, b);
    }
    /// <summary>Computes z[i] = a[i] / b; an int64 tensor gives float32.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Tensor operator /(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloatingPoint() ? Ops.DivScalar.Forward(a, b) : a / ScalarLike(b, a);
    }
    /// <summary>Computes z[i] = a / b[i]; an int64 tensor gives float32.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator /(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return ScalarLike(a, b) / b;
    }
    /// <summary>Computes z[i] = a[i] / b, true division: an int64 tensor gives float32.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new tensor of <paramref name="a"/>'s shape; recorded for autograd when <paramref name="a"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator /(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Ops.DivScalar.Forward(TrueDivOperand(a), b);
    }
    /// <summary>Computes z[i] = a / b[i], true division: an int64 tensor gives float32.</summary>
    /// <param name="a">The scalar left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor operator /(long a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return ScalarLike(a, b) / b;
    }

    /// <summary>Computes z[i] = a[i] + b[i].</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Add(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this + other;
    }
    /// <summary>Computes z[i] = a[i] − b[i].</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Sub(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this - other;
    }
    /// <summary>Computes z[i] = a[i] · b[i].</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Mul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this * other;
    }
    /// <summary>Computes z[i] = a[i] / b[i].</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype (float32 for two int64 operands); recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Div(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this / other;
    }

    /// <summary>Computes z[i] = a[i]^b[i], broadcasting.</summary>
    /// <param name="a">The base tensor.</param>
    /// <param name="b">The exponent; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or both operands are int64.</exception>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return Ops.Pow.Forward(a, b);
    }
    /// <summary>Computes z[i] = x[i]^e[i], broadcasting.</summary>
    /// <param name="exponent">The exponent; broadcast with this tensor.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exponent"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or both operands are int64.</exception>
    public Tensor Pow(Tensor exponent)
    {
        ArgumentNullException.ThrowIfNull(exponent);
        return Pow(this, exponent);
    }
    /// <summary>Computes z[i] = a^b[i].</summary>
    /// <param name="a">The base.</param>
    /// <param name="b">The exponent; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of <paramref name="b"/>'s shape; recorded for autograd when <paramref name="b"/> requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is <see langword="null"/>.</exception>
    public static Tensor Pow(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Pow(ScalarLike(a, b), b);
    }

    /// <summary>Computes z[i] = max(a[i], b[i]), NaN propagating (torch.maximum); int64 operands stay int64.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Maximum(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return a.DType == DType.Int64 ? Int64Kernels.Zip<MaxInt64>(a, b, "maximum") : Ops.Maximum.Forward(a, b);
    }
    /// <summary>Computes z[i] = min(a[i], b[i]), NaN propagating (torch.minimum); int64 operands stay int64.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new tensor of the broadcast shape, in the promoted dtype; recorded for autograd when an operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Minimum(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return a.DType == DType.Int64 ? Int64Kernels.Zip<MinInt64>(a, b, "minimum") : Ops.Minimum.Forward(a, b);
    }

    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a[i] : b[i], all three broadcast together; int64 a and b give int64.</summary>
    /// <param name="condition">The mask, of any dtype: a nonzero element selects <paramref name="a"/>, zero selects <paramref name="b"/>.</param>
    /// <param name="a">The values where the condition holds.</param>
    /// <param name="b">The values where the condition does not hold.</param>
    /// <returns>A new tensor of the broadcast shape of all three, in the promoted dtype of the branches; recorded for autograd when a branch requires grad (the condition gets no gradient).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/>, <paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The condition and the branches do not broadcast together.</exception>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Promote(a, b);
        return a.DType == DType.Int64 ? Int64Kernels.Where(condition, a, b, "where") : Ops.Where.Forward(condition, a, b);
    }
    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a[i] : b; an int64 a gives float32.</summary>
    /// <param name="condition">The mask, of any dtype: a nonzero element selects <paramref name="a"/>, zero selects <paramref name="b"/>.</param>
    /// <param name="a">The values where the condition holds.</param>
    /// <param name="b">The value where the condition does not hold.</param>
    /// <returns>A new tensor of the broadcast shape of all three, in the promoted dtype of the branches; recorded for autograd when a branch requires grad (the condition gets no gradient).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> or <paramref name="a"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The condition and the branches do not broadcast together.</exception>
    public static Tensor Where(Tensor condition, Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        return Where(condition, a, ScalarLike(b, a));
    }
    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a : b[i]; an int64 b gives float32.</summary>
    /// <param name="condition">The mask, of any dtype: a nonzero element selects <paramref name="a"/>, zero selects <paramref name="b"/>.</param>
    /// <param name="a">The value where the condition holds.</param>
    /// <param name="b">The values where the condition does not hold.</param>
    /// <returns>A new tensor of the broadcast shape of all three, in the promoted dtype of the branches; recorded for autograd when a branch requires grad (the condition gets no gradient).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The condition and the branches do not broadcast together.</exception>
    public static Tensor Where(Tensor condition, double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(b);
        return Where(condition, ScalarLike(a, b), b);
    }
    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a[i] : b; an int64 a stays int64.</summary>
    /// <param name="condition">The mask, of any dtype: a nonzero element selects <paramref name="a"/>, zero selects <paramref name="b"/>.</param>
    /// <param name="a">The values where the condition holds.</param>
    /// <param name="b">The value where the condition does not hold.</param>
    /// <returns>A new tensor of the broadcast shape of all three, in the promoted dtype of the branches; recorded for autograd when a branch requires grad (the condition gets no gradient).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> or <paramref name="a"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The condition and the branches do not broadcast together.</exception>
    public static Tensor Where(Tensor condition, Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        return Where(condition, a, ComparandLike(b, a));
    }
    /// <summary>Computes z[i] = cond[i] ≠ 0 ? a : b[i]; an int64 b stays int64.</summary>
    /// <param name="condition">The mask, of any dtype: a nonzero element selects <paramref name="a"/>, zero selects <paramref name="b"/>.</param>
    /// <param name="a">The value where the condition holds.</param>
    /// <param name="b">The values where the condition does not hold.</param>
    /// <returns>A new tensor of the broadcast shape of all three, in the promoted dtype of the branches; recorded for autograd when a branch requires grad (the condition gets no gradient).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The condition and the branches do not broadcast together.</exception>
    public static Tensor Where(Tensor condition, long a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(b);
        return Where(condition, ComparandLike(a, b), b);
    }

    private static Tensor Compare<TOp, TInt64>(Tensor a, Tensor b, string op) where TOp : IBinaryKernel where TInt64 : IInt64Operator
    {
        (a, b) = Promote(a, b);
        // Two int64 operands (labels, argmax results) are compared as longs, exactly; the mask is int64.
        return a.DType == DType.Int64 ? Int64Kernels.Zip<TInt64>(a, b, op) : Elementwise.Zip<TOp>(a, b, op);
    }

    /// <summary>Computes z[i] = a[i] &gt; b[i] as 1 or 0 in the operands' dtype; never differentiable.</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Gt(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<GtOperator, GtInt64>(this, other, "gt");
    }
    /// <summary>Computes z[i] = a[i] ≥ b[i] as 1 or 0.</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Ge(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<GeOperator, GeInt64>(this, other, "ge");
    }
    /// <summary>Computes z[i] = a[i] &lt; b[i] as 1 or 0.</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Lt(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<LtOperator, LtInt64>(this, other, "lt");
    }
    /// <summary>Computes z[i] = a[i] ≤ b[i] as 1 or 0.</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Le(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<LeOperator, LeInt64>(this, other, "le");
    }
    /// <summary>Computes z[i] = a[i] = b[i] as 1 or 0.</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Eq(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<EqOperator, EqInt64>(this, other, "eq");
    }
    /// <summary>Computes z[i] = a[i] ≠ b[i] as 1 or 0.</summary>
    /// <param name="other">The right operand; broadcast with this tensor.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Tensor Ne(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare<NeOperator, NeInt64>(this, other, "ne");
    }

    /// <summary>Computes z[i] = x[i] &gt; v as 1 or 0.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Gt(double value) => Gt(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≥ v as 1 or 0.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Ge(double value) => Ge(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] &lt; v as 1 or 0.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Lt(double value) => Lt(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≤ v as 1 or 0.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Le(double value) => Le(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] = v as 1 or 0.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Eq(double value) => Eq(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≠ v as 1 or 0.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Ne(double value) => Ne(ComparandLike(value, this));

    /// <summary>Computes z[i] = x[i] &gt; v as 1 or 0; on an int64 tensor exactly, as an int64 mask.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Gt(long value) => Gt(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≥ v as 1 or 0; on an int64 tensor exactly, as an int64 mask.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Ge(long value) => Ge(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] &lt; v as 1 or 0; on an int64 tensor exactly, as an int64 mask.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Lt(long value) => Lt(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≤ v as 1 or 0; on an int64 tensor exactly, as an int64 mask.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Le(long value) => Le(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] = v as 1 or 0; on an int64 tensor exactly, as an int64 mask.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Eq(long value) => Eq(ComparandLike(value, this));
    /// <summary>Computes z[i] = x[i] ≠ v as 1 or 0; on an int64 tensor exactly, as an int64 mask.</summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>A new mask of this tensor's shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    public Tensor Ne(long value) => Ne(ComparandLike(value, this));

    /// <summary>Computes z[i] = a[i] &gt; b[i] as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator >(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Gt(b);
    }
    /// <summary>Computes z[i] = a[i] &lt; b[i] as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator <(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Lt(b);
    }
    /// <summary>Computes z[i] = a[i] ≥ b[i] as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator >=(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Ge(b);
    }
    /// <summary>Computes z[i] = a[i] ≤ b[i] as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand; broadcast with <paramref name="a"/>.</param>
    /// <returns>A new mask of the broadcast shape, 1 or 0 in the promoted dtype (int64 for two int64 operands); not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator <=(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Le(b);
    }
    /// <summary>Computes z[i] = a[i] &gt; b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator >(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Gt(b);
    }
    /// <summary>Computes z[i] = a[i] &lt; b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator <(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Lt(b);
    }
    /// <summary>Computes z[i] = a[i] ≥ b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator >=(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Ge(b);
    }
    /// <summary>Computes z[i] = a[i] ≤ b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator <=(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Le(b);
    }
    /// <summary>Computes z[i] = a[i] &gt; b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator >(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Gt(b);
    }
    /// <summary>Computes z[i] = a[i] &lt; b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator <(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Lt(b);
    }
    /// <summary>Computes z[i] = a[i] ≥ b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator >=(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Ge(b);
    }
    /// <summary>Computes z[i] = a[i] ≤ b as 1 or 0.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The scalar right operand.</param>
    /// <returns>A new mask of <paramref name="a"/>'s shape, 1 or 0 in the promoted dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is <see langword="null"/>.</exception>
    public static Tensor operator <=(Tensor a, long b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Le(b);
    }
}
