namespace Autograd.Kernels;

/// <summary>
/// An iteration space over several operands of one shape, each with its own strides (0 on broadcast axes).
/// Axes of size 1 are dropped and adjacent axes that are contiguous for every operand are merged, so a
/// contiguous same-shape op becomes one long row.
/// </summary>
internal sealed class Layout
{
    public readonly int[] Shape;
    public readonly int[][] Strides;
    public readonly int NumElements;

    private Layout(int[] shape, int[][] strides, int numElements)
    {
        Shape = shape;
        Strides = strides;
        NumElements = numElements;
    }

    public int Inner => Shape[^1];
    public int Rows => Inner == 0 ? 0 : NumElements / Inner;

    public static Layout Create(int[] shape, params int[][] strides)
    {
        int n = ShapeUtil.NumElements(shape);
        var dims = new List<int>(shape.Length);
        var st = new List<int>[strides.Length];
        for (int k = 0; k < strides.Length; k++) st[k] = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            dims.Add(shape[d]);
            for (int k = 0; k < strides.Length; k++) st[k].Add(strides[k][d]);
        }
        if (dims.Count == 0 || n == 0)
        {
            return new Layout([n == 0 ? 0 : 1], Enumerable.Range(0, strides.Length).Select(_ => new[] { 0 }).ToArray(), n);
        }
        // Merge from the innermost axis outwards.
        for (int d = dims.Count - 2; d >= 0; d--)
        {
            bool mergeable = true;
            for (int k = 0; k < strides.Length && mergeable; k++)
                mergeable = st[k][d] == st[k][d + 1] * dims[d + 1];
            if (!mergeable) continue;
            dims[d] *= dims[d + 1];
            dims.RemoveAt(d + 1);
            for (int k = 0; k < strides.Length; k++) st[k].RemoveAt(d);
        }
        return new Layout(dims.ToArray(), st.Select(s => s.ToArray()).ToArray(), n);
    }
}

/// <summary>Walks the rows (all axes but the innermost) of a <see cref="Layout"/>, tracking each operand's offset.</summary>
internal struct RowCursor
{
    private readonly Layout _layout;
    private readonly int[] _index;
    public readonly int[] Offsets;

    public RowCursor(Layout layout, params int[] offsets)
    {
        _layout = layout;
        _index = new int[layout.Shape.Length];
        Offsets = offsets;
    }

    public bool Next()
    {
        var shape = _layout.Shape;
        var strides = _layout.Strides;
        for (int d = shape.Length - 2; d >= 0; d--)
        {
            _index[d]++;
            for (int k = 0; k < Offsets.Length; k++) Offsets[k] += strides[k][d];
            if (_index[d] < shape[d]) return true;
            for (int k = 0; k < Offsets.Length; k++) Offsets[k] -= strides[k][d] * shape[d];
            _index[d] = 0;
        }
        return false;
    }
}

internal static class Strided
{
    /// <summary>Strides of <paramref name="t"/> seen from a broadcast <paramref name="outShape"/>: 0 on new or expanded axes.</summary>
    public static int[] BroadcastStrides(Tensor t, int[] outShape)
    {
        var s = new int[outShape.Length];
        int lead = outShape.Length - t.Rank;
        for (int d = 0; d < t.Rank; d++)
            s[lead + d] = t.Dims[d] == 1 && outShape[lead + d] != 1 ? 0 : t.StrideArray[d];
        return s;
    }

    /// <summary>dst[i] = src[i] over one shape, both strided.</summary>
    public static void Copy<T>(T[] src, int srcOffset, int[] srcStrides, T[] dst, int dstOffset, int[] dstStrides, int[] shape)
    {
        var layout = Layout.Create(shape, srcStrides, dstStrides);
        if (layout.NumElements == 0) return;
        int inner = layout.Inner, ss = layout.Strides[0][^1], ds = layout.Strides[1][^1];
        var cur = new RowCursor(layout, srcOffset, dstOffset);
        do
        {
            int so = cur.Offsets[0], d0 = cur.Offsets[1];
            if (ss == 1 && ds == 1)
                System.Array.Copy(src, so, dst, d0, inner);
            else
                for (int i = 0; i < inner; i++) dst[d0 + i * ds] = src[so + i * ss];
        } while (cur.Next());
    }

    /// <summary>Copies a tensor of any layout into new contiguous storage (lent by the active BufferScope unless <paramref name="persistent"/>).</summary>
    public static Tensor ToContiguous(Tensor t, bool persistent = false)
    {
        var result = persistent ? Tensor.Empty(t.Shape, t.DType, "clone") : Tensor.Result(t.Shape, t.DType, zero: false);
        CopyInto(t, result, t.Dims);
        return result;
    }

    /// <summary>Copies <paramref name="src"/> (broadcast to <paramref name="shape"/>) into the view <paramref name="dst"/>.</summary>
    public static void CopyInto(Tensor src, Tensor dst, int[] shape)
    {
        var ss = BroadcastStrides(src, shape);
        switch (src.DType)
        {
            case DType.Float32: Copy(src.Array<float>(), src.Offset, ss, dst.Array<float>(), dst.Offset, dst.StrideArray, shape); break;
            case DType.Float64: Copy(src.Array<double>(), src.Offset, ss, dst.Array<double>(), dst.Offset, dst.StrideArray, shape); break;
            default: Copy(src.Array<long>(), src.Offset, ss, dst.Array<long>(), dst.Offset, dst.StrideArray, shape); break;
        }
    }
}
