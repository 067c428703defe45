namespace Autograd.Kernels;

/// <summary>An exact z = f(x, y) on int64 values; overflow wraps in two's complement, as PyTorch's int64 arithmetic.</summary>
internal interface IInt64Operator
{
    static abstract long Invoke(long x, long y);
}

internal readonly struct AddInt64 : IInt64Operator { public static long Invoke(long x, long y) => unchecked(x + y); }
internal readonly struct SubInt64 : IInt64Operator { public static long Invoke(long x, long y) => unchecked(x - y); }
internal readonly struct MulInt64 : IInt64Operator { public static long Invoke(long x, long y) => unchecked(x * y); }
internal readonly struct MaxInt64 : IInt64Operator { public static long Invoke(long x, long y) => Math.Max(x, y); }
internal readonly struct MinInt64 : IInt64Operator { public static long Invoke(long x, long y) => Math.Min(x, y); }
internal readonly struct GtInt64 : IInt64Operator { public static long Invoke(long x, long y) => x > y ? 1 : 0; }
internal readonly struct GeInt64 : IInt64Operator { public static long Invoke(long x, long y) => x >= y ? 1 : 0; }
internal readonly struct LtInt64 : IInt64Operator { public static long Invoke(long x, long y) => x < y ? 1 : 0; }
internal readonly struct LeInt64 : IInt64Operator { public static long Invoke(long x, long y) => x <= y ? 1 : 0; }
internal readonly struct EqInt64 : IInt64Operator { public static long Invoke(long x, long y) => x == y ? 1 : 0; }
internal readonly struct NeInt64 : IInt64Operator { public static long Invoke(long x, long y) => x != y ? 1 : 0; }

/// <summary>
/// The int64 forms of the elementwise ops, sums and where, computed on the long values themselves (never through
/// double, which holds integers exactly only up to 2⁵³). Kept apart from the floating-point kernels.
/// </summary>
internal static class Int64Kernels
{
    /// <summary>A 0-d int64 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(long value) => new(new[] { value }, [], DType.Int64);

    /// <summary>z[i] = op(a[i], b[i]) with NumPy broadcasting; both inputs are int64.</summary>
    public static Tensor Zip<TOp>(Tensor a, Tensor b, string op) where TOp : IInt64Operator
    {
        System.Diagnostics.Debug.Assert(a.DType == DType.Int64 && b.DType == DType.Int64);
        var shape = ShapeUtil.Broadcast(op, a.Dims, b.Dims);
        var z = Tensor.Result(shape, DType.Int64, zero: false);
        var layout = Layout.Create(shape, Strided.BroadcastStrides(a, shape), Strided.BroadcastStrides(b, shape), z.StrideArray);
        if (layout.NumElements == 0) return z;
        long[] xa = a.Array<long>(), xb = b.Array<long>(), xz = z.Array<long>();
        int n = layout.Inner, sa = layout.Strides[0][^1], sb = layout.Strides[1][^1], sz = layout.Strides[2][^1];
        var cur = new RowCursor(layout, a.Offset, b.Offset, z.Offset);
        do
        {
            int oa = cur.Offsets[0], ob = cur.Offsets[1], oz = cur.Offsets[2];
            for (int i = 0; i < n; i++) xz[oz + i * sz] = TOp.Invoke(xa[oa + i * sa], xb[ob + i * sb]);
        } while (cur.Next());
        return z;
    }

    /// <summary>Sums the int64 <paramref name="x"/> over the axes in <paramref name="mask"/>, exactly (wrapping on overflow, as torch.sum); the result keeps those axes with size 1.</summary>
    public static Tensor Sum(Tensor x, bool[] mask)
    {
        var outShape = x.Shape;
        for (int d = 0; d < mask.Length; d++) if (mask[d]) outShape[d] = 1;
        var y = Tensor.Result(outShape, DType.Int64);
        var ys = (int[])y.StrideArray.Clone();
        for (int d = 0; d < mask.Length; d++) if (mask[d]) ys[d] = 0;
        var layout = Layout.Create(x.Dims, x.StrideArray, ys);
        if (layout.NumElements == 0) return y;
        long[] src = x.Array<long>(), dst = y.Array<long>();
        int n = layout.Inner, sx = layout.Strides[0][^1], sy = layout.Strides[1][^1];
        var cur = new RowCursor(layout, x.Offset, 0);
        do
        {
            int ox = cur.Offsets[0], oy = cur.Offsets[1];
            for (int i = 0; i < n; i++) dst[oy + i * sy] = unchecked(dst[oy + i * sy] + src[ox + i * sx]);
        } while (cur.Next());
        return y;
    }

    /// <summary>z[i] = cond[i] ≠ 0 ? a[i] : b[i] for int64 a and b, all three broadcast together.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b, string op)
    {
        var shape = ShapeUtil.Broadcast(op, ShapeUtil.Broadcast(op, cond.Dims, a.Dims), b.Dims);
        var z = Tensor.Result(shape, DType.Int64, zero: false);
        var layout = Layout.Create(shape, Strided.BroadcastStrides(cond, shape), Strided.BroadcastStrides(a, shape),
            Strided.BroadcastStrides(b, shape), z.StrideArray);
        if (layout.NumElements == 0) return z;
        long[] xa = a.Array<long>(), xb = b.Array<long>(), xz = z.Array<long>();
        int n = layout.Inner, sc = layout.Strides[0][^1], sa = layout.Strides[1][^1], sb = layout.Strides[2][^1], sz = layout.Strides[3][^1];
        var cur = new RowCursor(layout, cond.Offset, a.Offset, b.Offset, z.Offset);
        do
        {
            int oc = cur.Offsets[0], oa = cur.Offsets[1], ob = cur.Offsets[2], oz = cur.Offsets[3];
            for (int i = 0; i < n; i++)
                xz[oz + i * sz] = cond.ReadAt(oc + i * sc) != 0 ? xa[oa + i * sa] : xb[ob + i * sb];
        } while (cur.Next());
        return z;
    }
}
