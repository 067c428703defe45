using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>An elementwise map y = f(x) over spans.</summary>
internal interface IUnaryOperator
{
    static abstract void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An elementwise z = f(x, y), with span-span, span-scalar and scalar-span forms for broadcast rows.</summary>
internal interface IBinaryOperator<TSelf> where TSelf : IBinaryOperator<TSelf>
{
    static abstract T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;

    static virtual void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Invoke(x[i], y[i]);
    }

    static virtual void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Invoke(x[i], y);
    }

    static virtual void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Invoke(x, y[i]);
    }
}

internal static class Elementwise
{
    public static Tensor Map<TOp>(Tensor x, string op) where TOp : IUnaryOperator
    {
        x.RequireFloat(op);
        var src = x.IsContiguous ? x : Strided.ToContiguous(x);
        var y = Tensor.Result(x.Shape, x.DType, zero: false);
        if (x.NumElements == 0) return y;
        if (x.DType == DType.Float32) TOp.Invoke<float>(src.ContiguousSpan<float>(), y.ContiguousSpan<float>());
        else TOp.Invoke<double>(src.ContiguousSpan<double>(), y.ContiguousSpan<double>());
        return y;
    }

    /// <summary>Applies a binary operator with NumPy broadcasting; both inputs must share a floating dtype.</summary>
    public static Tensor Zip<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOperator<TOp>
    {
        a.RequireFloat(op);
        b.RequireFloat(op);
        var shape = ShapeUtil.Broadcast(op, a.Dims, b.Dims);
        var z = Tensor.Result(shape, a.DType, zero: false);
        if (a.DType == DType.Float32) ZipCore<float, TOp>(a, b, z);
        else ZipCore<double, TOp>(a, b, z);
        return z;
    }

    /// <summary>Writes a ∘ b (b broadcast) into the contiguous <paramref name="dst"/> of a's shape, which may be a itself.</summary>
    public static void ZipInto<TOp>(Tensor a, Tensor b, Tensor dst) where TOp : IBinaryOperator<TOp>
    {
        if (a.DType == DType.Float32) ZipCore<float, TOp>(a, b, dst);
        else ZipCore<double, TOp>(a, b, dst);
    }

    private static void ZipCore<T, TOp>(Tensor a, Tensor b, Tensor z)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryOperator<TOp>
    {
        int count = z.NumElements;
        if (count == 0) return;
        // Fast paths without building an iteration layout: equal contiguous shapes, or one single-element operand.
        bool ca = a.IsContiguous, cb = b.IsContiguous;
        if (ca && cb && a.NumElements == count && b.NumElements == count)
        {
            TOp.Invoke<T>(a.ContiguousSpan<T>(), b.ContiguousSpan<T>(), z.ContiguousSpan<T>());
            return;
        }
        if (ca && b.NumElements == 1 && a.NumElements == count)
        {
            TOp.Invoke(a.ContiguousSpan<T>(), b.Array<T>()[b.Offset], z.ContiguousSpan<T>());
            return;
        }
        if (cb && a.NumElements == 1 && b.NumElements == count)
        {
            TOp.Invoke(a.Array<T>()[a.Offset], b.ContiguousSpan<T>(), z.ContiguousSpan<T>());
            return;
        }
        var shape = z.Dims;
        var layout = Layout.Create(shape, Strided.BroadcastStrides(a, shape), Strided.BroadcastStrides(b, shape), z.StrideArray);
        if (layout.NumElements == 0) return;
        T[] xa = a.Array<T>(), xb = b.Array<T>(), xz = z.Array<T>();
        int n = layout.Inner, sa = layout.Strides[0][^1], sb = layout.Strides[1][^1];
        var cur = new RowCursor(layout, a.Offset, b.Offset, z.Offset);
        do
        {
            int oa = cur.Offsets[0], ob = cur.Offsets[1];
            var dst = xz.AsSpan(cur.Offsets[2], n);
            if (sa == 1 && sb == 1) TOp.Invoke<T>(xa.AsSpan(oa, n), xb.AsSpan(ob, n), dst);
            else if (sa == 1 && sb == 0) TOp.Invoke(xa.AsSpan(oa, n), xb[ob], dst);
            else if (sa == 0 && sb == 1) TOp.Invoke(xa[oa], xb.AsSpan(ob, n), dst);
            else for (int i = 0; i < n; i++) dst[i] = TOp.Invoke(xa[oa + i * sa], xb[ob + i * sb]);
        } while (cur.Next());
    }

    /// <summary>z[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast together.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b, string op)
    {
        a.RequireFloat(op);
        var shape = ShapeUtil.Broadcast(op, ShapeUtil.Broadcast(op, cond.Dims, a.Dims), b.Dims);
        var z = Tensor.Result(shape, a.DType, zero: false);
        if (a.DType == DType.Float32) WhereCore<float>(cond, a, b, z);
        else WhereCore<double>(cond, a, b, z);
        return z;
    }

    private static void WhereCore<T>(Tensor cond, Tensor a, Tensor b, Tensor z) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = z.Dims;
        var layout = Layout.Create(shape, Strided.BroadcastStrides(cond, shape), Strided.BroadcastStrides(a, shape),
            Strided.BroadcastStrides(b, shape), z.StrideArray);
        if (layout.NumElements == 0) return;
        T[] xa = a.Array<T>(), xb = b.Array<T>(), xz = z.Array<T>();
        int n = layout.Inner, sc = layout.Strides[0][^1], sa = layout.Strides[1][^1], sb = layout.Strides[2][^1];
        var cur = new RowCursor(layout, cond.Offset, a.Offset, b.Offset, z.Offset);
        do
        {
            int oc = cur.Offsets[0], oa = cur.Offsets[1], ob = cur.Offsets[2], oz = cur.Offsets[3];
            for (int i = 0; i < n; i++)
                xz[oz + i] = cond.ReadAt(oc + i * sc) != 0 ? xa[oa + i * sa] : xb[ob + i * sb];
        } while (cur.Next());
    }

    public static Tensor Cast(Tensor x, DType to)
    {
        var src = x.IsContiguous ? x : Strided.ToContiguous(x);
        var y = Tensor.Result(x.Shape, to, zero: false);
        int n = x.NumElements, o = src.Offset;
        switch (src.DType, to)
        {
            case (DType.Float32, DType.Float64): { var s = src.Array<float>(); var d = y.Array<double>(); for (int i = 0; i < n; i++) d[i] = s[o + i]; break; }
            case (DType.Float64, DType.Float32): { var s = src.Array<double>(); var d = y.Array<float>(); for (int i = 0; i < n; i++) d[i] = (float)s[o + i]; break; }
            case (DType.Int64, DType.Float32): { var s = src.Array<long>(); var d = y.Array<float>(); for (int i = 0; i < n; i++) d[i] = s[o + i]; break; }
            case (DType.Int64, DType.Float64): { var s = src.Array<long>(); var d = y.Array<double>(); for (int i = 0; i < n; i++) d[i] = s[o + i]; break; }
            case (DType.Float32, DType.Int64): { var s = src.Array<float>(); var d = y.Array<long>(); for (int i = 0; i < n; i++) d[i] = (long)s[o + i]; break; }
            case (DType.Float64, DType.Int64): { var s = src.Array<double>(); var d = y.Array<long>(); for (int i = 0; i < n; i++) d[i] = (long)s[o + i]; break; }
            default: System.Array.Copy(src.Data, o, y.Data, 0, n); break;
        }
        return y;
    }
}

// Operators. TensorPrimitives where it has the op; loops for the rest.
internal readonly struct NegOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, y); }
internal readonly struct ExpOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, y); }
internal readonly struct LogOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, y); }
internal readonly struct SqrtOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, y); }
internal readonly struct AbsOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, y); }
internal readonly struct SinOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sin(x, y); }
internal readonly struct CosOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cos(x, y); }
internal readonly struct TanhOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tanh(x, y); }
internal readonly struct SigmoidOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, y); }
internal readonly struct ReluOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, y); }

internal readonly struct SignOperator : IUnaryOperator
{
    // Keeps 0 and NaN as they are, as torch.sign does.
    public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : x[i];
    }
}

internal readonly struct SoftplusOperator : IUnaryOperator
{
    // log(1 + eˣ) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
    public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Max(x[i], T.Zero) + Log1p(T.Exp(-T.Abs(x[i])));
    }

    // Goldberg's log1p: accurate to a few ulps without a library log1p.
    private static T Log1p<T>(T u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T w = T.One + u;
        return w == T.One ? u : T.Log(w) * u / (w - T.One);
    }
}

internal readonly struct AddOperator : IBinaryOperator<AddOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubOperator : IBinaryOperator<SubOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MulOperator : IBinaryOperator<MulOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivOperator : IBinaryOperator<DivOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct PowOperator : IBinaryOperator<PowOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(x, y);
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(x, y, d);
}

// IEEE 754-2019 maximum/minimum: NaN propagates, as torch.maximum.
internal readonly struct MaxOperator : IBinaryOperator<MaxOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, y);
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinOperator : IBinaryOperator<MinOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(x, y);
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(y, x, d);
}

// Comparisons give 1 or 0 in the operands' dtype.
internal readonly struct GtOperator : IBinaryOperator<GtOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > y ? T.One : T.Zero; }
internal readonly struct GeOperator : IBinaryOperator<GeOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x >= y ? T.One : T.Zero; }
internal readonly struct LtOperator : IBinaryOperator<LtOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x < y ? T.One : T.Zero; }
internal readonly struct LeOperator : IBinaryOperator<LeOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x <= y ? T.One : T.Zero; }
internal readonly struct EqOperator : IBinaryOperator<EqOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x == y ? T.One : T.Zero; }
internal readonly struct NeOperator : IBinaryOperator<NeOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x != y ? T.One : T.Zero; }
