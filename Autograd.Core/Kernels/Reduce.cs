using System.Buffers;
using System.Numerics;

namespace Autograd.Kernels;

internal static class Reduce
{
    /// <summary>Sums over the axes in <paramref name="mask"/>; the result keeps those axes with size 1.</summary>
    public static Tensor Sum(Tensor x, bool[] mask, string op)
    {
        x.RequireFloat(op);
        var outShape = x.Shape;
        for (int d = 0; d < mask.Length; d++) if (mask[d]) outShape[d] = 1;
        var y = Tensor.Result(outShape, x.DType);
        if (x.DType == DType.Float32) SumCore<float>(x, mask, y);
        else SumCore<double>(x, mask, y);
        return y;
    }

    // Every output accumulates in float64 (Accumulate's remarks say why and in which order) and is rounded once at the end.
    private static void SumCore<T>(Tensor x, bool[] mask, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ys = (int[])y.StrideArray.Clone();
        for (int d = 0; d < mask.Length; d++) if (mask[d]) ys[d] = 0;
        var layout = Layout.Create(x.Dims, x.StrideArray, ys);
        if (layout.NumElements == 0) return;
        int count = y.NumElements;
        double[]? rented = count > 32 ? ArrayPool<double>.Shared.Rent(count) : null;
        Span<double> acc = rented is null ? stackalloc double[32] : rented;
        acc = acc[..count];
        acc.Clear();
        T[] src = x.Array<T>();
        int n = layout.Inner, sx = layout.Strides[0][^1], sy = layout.Strides[1][^1];
        // Rows that differ only along a reduced next-to-inner axis go to the same outputs: they are summed as one block
        // of columns (the bias gradient of a batch, a column of a [10^6, 2] tensor).
        int rank = layout.Shape.Length;
        int blockRows = rank >= 2 && sx == 1 && sy == 1 && layout.Strides[1][^2] == 0 ? layout.Shape[^2] : 1;
        int rowStride = blockRows > 1 ? layout.Strides[0][^2] : 0;
        var cur = new RowCursor(layout, x.Offset, 0);
        do
        {
            int ox = cur.Offsets[0], oy = cur.Offsets[1];
            if (sy == 0) acc[oy] += Accumulate.Sum(src, ox, n, sx);
            else if (blockRows > 1)
            {
                Accumulate.AddColumns(acc.Slice(oy, n), src, ox, blockRows, rowStride);
                for (int r = 1; r < blockRows; r++) cur.Next();
            }
            else if (sx == 1 && sy == 1) Accumulate.AddTo<T>(acc.Slice(oy, n), src.AsSpan(ox, n));
            else for (int i = 0; i < n; i++) acc[oy + i * sy] += Accumulate.ToDouble(src[ox + i * sx]);
        } while (cur.Next());
        Accumulate.Store<T>(acc, y.Array<T>().AsSpan(0, count));
        if (rented is not null) ArrayPool<double>.Shared.Return(rented);
    }

    /// <summary>Index of the first maximum (or minimum) along <paramref name="axis"/>, NaN counting as the extreme; keeps the axis with size 1.</summary>
    public static Tensor ArgExtreme(Tensor x, int axis, bool max, string op)
    {
        x.RequireFloat(op);
        if (x.Rank > 0 && x.Dims[axis] == 0)
            throw new ArgumentException($"{op}: cannot reduce over axis {axis} of size 0 (shape {ShapeUtil.Format(x.Dims)}).");
        var outShape = x.Shape;
        if (x.Rank > 0) outShape[axis] = 1;
        var result = Tensor.Result(outShape, DType.Int64);
        if (x.DType == DType.Float32) ArgCore<float>(x, axis, max, result);
        else ArgCore<double>(x, axis, max, result);
        return result;
    }

    private static void ArgCore<T>(Tensor x, int axis, bool max, Tensor result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = result.Array<long>();
        if (x.Rank == 0) { dst[0] = 0; return; }
        int len = x.Dims[axis], stride = x.StrideArray[axis];
        var outer = x.Shape;
        outer[axis] = 1;
        var layout = Layout.Create(outer, x.StrideArray, result.StrideArray);
        if (layout.NumElements == 0) return;
        var src = x.Array<T>();
        int n = layout.Inner, sx = layout.Strides[0][^1], sr = layout.Strides[1][^1];
        var cur = new RowCursor(layout, x.Offset, 0);
        do
        {
            for (int i = 0; i < n; i++)
            {
                int o = cur.Offsets[0] + i * sx;
                int best = 0;
                T bv = src[o];
                for (int k = 1; k < len && !T.IsNaN(bv); k++)
                {
                    T v = src[o + k * stride];
                    if (T.IsNaN(v) || (max ? v > bv : v < bv)) { bv = v; best = k; }
                }
                dst[cur.Offsets[1] + i * sr] = best;
            }
        } while (cur.Next());
    }
}

internal static class Indexing
{
    private static long[] Indices(Tensor index) => index.Contiguous().ToArray<long>();

    /// <summary>y[..., i, ...] = x[..., index[..., i, ...], ...] along <paramref name="axis"/> (torch.gather).</summary>
    public static Tensor Gather(Tensor x, int axis, Tensor index, string op)
    {
        var y = Tensor.Result(index.Shape, x.DType);
        var xc = x.IsContiguous ? x : Strided.ToContiguous(x);
        if (x.DType == DType.Float32) { float[] s = xc.Array<float>(), d = y.Array<float>(); Walk(x.Dims, axis, index, op, (xo, yo) => d[yo] = s[xc.Offset + xo]); }
        else if (x.DType == DType.Float64) { double[] s = xc.Array<double>(), d = y.Array<double>(); Walk(x.Dims, axis, index, op, (xo, yo) => d[yo] = s[xc.Offset + xo]); }
        else { long[] s = xc.Array<long>(), d = y.Array<long>(); Walk(x.Dims, axis, index, op, (xo, yo) => d[yo] = s[xc.Offset + xo]); }
        return y;
    }

    /// <summary>y = zeros(shape); y[..., index[..., i, ...], ...] += src[..., i, ...] along <paramref name="axis"/>.</summary>
    public static Tensor ScatterAdd(int[] shape, int axis, Tensor index, Tensor src, string op)
    {
        var s = src.Detach().Contiguous();
        if (src.DType == DType.Float32)
        {
            // Duplicates accumulate in float64, rounded once, in index order: the same bits for any thread count.
            var acc = new double[ShapeUtil.NumElements(shape, op)];
            float[] from = s.Array<float>();
            int o = s.Offset;
            Walk(shape, axis, index, op, (yo, so) => acc[yo] += from[o + so]);
            var y32 = Tensor.Result(shape, DType.Float32, zero: false);
            var to = y32.Array<float>();
            for (int i = 0; i < acc.Length; i++) to[i] = (float)acc[i];
            return y32;
        }
        var y = Tensor.Result(shape, src.DType);
        Walk(shape, axis, index, op, (yo, so) => Accumulate(s, s.Offset + so, y, yo));
        return y;
    }

    // Calls visit(offset in a contiguous tensor of `shape` picked by index, flat position in index) for every element of index.
    internal static void Walk(int[] shape, int axis, Tensor index, string op, Action<int, int> visit)
    {
        if (index.Rank != shape.Length)
            throw new ArgumentException($"{op}: index of shape {ShapeUtil.Format(index.Dims)} must have the same rank as the input of shape {ShapeUtil.Format(shape)}.");
        for (int d = 0; d < shape.Length; d++)
            if (d != axis && index.Dims[d] > shape[d])
                throw new ArgumentException($"{op}: index of shape {ShapeUtil.Format(index.Dims)} is larger than the input of shape {ShapeUtil.Format(shape)} at axis {d}.");
        var idx = Indices(index);
        var strides = ShapeUtil.ContiguousStrides(shape);
        int rank = shape.Length;
        // A 0-d input has one element: its only valid index is 0 (the loop below has no axis to check it on).
        if (rank == 0 && idx.Length > 0 && idx[0] != 0)
            throw new ArgumentOutOfRangeException(nameof(index), idx[0], $"{op}: index {idx[0]} is out of range for the 0-d input (size 1).");
        var counter = new int[rank];
        for (int flat = 0; flat < idx.Length; flat++)
        {
            int off = 0;
            for (int d = 0; d < rank; d++)
            {
                if (d == axis)
                {
                    long v = idx[flat];
                    int size = rank == 0 ? 1 : shape[axis];
                    if (v < 0 || v >= size)
                        throw new ArgumentOutOfRangeException(nameof(index), v, $"{op}: index {v} is out of range for axis {axis} of size {size}.");
                    off += (int)v * (rank == 0 ? 0 : strides[d]);
                }
                else off += counter[d] * strides[d];
            }
            visit(off, flat);
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++counter[d] < index.Dims[d]) break;
                counter[d] = 0;
            }
        }
    }

    private static void Accumulate(Tensor s, int so, Tensor y, int yo)
    {
        if (s.DType == DType.Float32) y.Array<float>()[yo] += s.Array<float>()[so];
        else y.Array<double>()[yo] += s.Array<double>()[so];
    }

    public static void CheckIndices(string op, long[] indices, int size, int axis)
    {
        foreach (var v in indices)
            if (v < -size || v >= size)
                throw new ArgumentOutOfRangeException(nameof(indices), v, $"{op}: index {v} is out of range for axis {axis} of size {size}.");
    }

    /// <summary>y = x.index_select(axis, indices).</summary>
    public static Tensor IndexSelect(Tensor x, int axis, long[] indices, string op)
    {
        if (x.Rank == 0)
            throw new ArgumentException($"{op}: cannot select along an axis of a 0-d tensor; reshape it to 1-D first.");
        CheckIndices(op, indices, x.Dims[axis], axis);
        var shape = x.Shape;
        shape[axis] = indices.Length;
        if (x.IsContiguous)
        {
            // y[o, j, :] = x[o, indices[j], :] as block copies: no view per index (a DataLoader does this every batch).
            var y0 = Tensor.Result(shape, x.DType, zero: false);
            int size = x.Dims[axis], inner = 1, outer = 1;
            for (int d = axis + 1; d < x.Rank; d++) inner *= x.Dims[d];
            for (int d = 0; d < axis; d++) outer *= x.Dims[d];
            Array src = x.Data, dst = y0.Data;
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < indices.Length; j++)
                {
                    long i = indices[j] < 0 ? indices[j] + size : indices[j];
                    System.Array.Copy(src, x.Offset + ((long)o * size + i) * inner, dst, ((long)o * indices.Length + j) * inner, inner);
                }
            return y0;
        }
        var y = Tensor.Result(shape, x.DType);
        for (int j = 0; j < indices.Length; j++)
        {
            int i = (int)(indices[j] < 0 ? indices[j] + x.Dims[axis] : indices[j]);
            Strided.CopyInto(x.SliceView(axis, i, 1), y.SliceView(axis, j, 1), x.SliceView(axis, i, 1).Dims);
        }
        return y;
    }

    /// <summary>y = zeros(shape); y.index_add_(axis, indices, src).</summary>
    public static Tensor IndexAdd(int[] shape, int axis, long[] indices, Tensor src, string op)
    {
        CheckIndices(op, indices, shape[axis], axis);
        if (src.DType == DType.Float32 && HasDuplicates(indices, shape[axis]))
        {
            // Repeated indices accumulate in float64 and are rounded once (slices never repeat, and skip the round trip).
            return Elementwise.Cast(IndexAdd(shape, axis, indices, Elementwise.Cast(src, DType.Float64), op), DType.Float32);
        }
        var y = Tensor.Result(shape, src.DType);
        for (int j = 0; j < indices.Length; j++)
        {
            int i = (int)(indices[j] < 0 ? indices[j] + shape[axis] : indices[j]);
            var from = src.SliceView(axis, j, 1);
            var to = y.SliceView(axis, i, 1);
            if (src.DType == DType.Float32) AddInto<float>(from, to);
            else AddInto<double>(from, to);
        }
        return y;
    }

    private static bool HasDuplicates(long[] indices, int size)
    {
        if (indices.Length < 2) return false;
        // Slices (the common caller) index in increasing order: no allocation for them.
        bool increasing = true;
        for (int j = 1; increasing && j < indices.Length; j++) increasing = indices[j] > indices[j - 1] && indices[j - 1] >= 0;
        if (increasing) return false;
        var seen = new bool[size];
        foreach (var v in indices)
        {
            int i = (int)(v < 0 ? v + size : v);
            if (seen[i]) return true;
            seen[i] = true;
        }
        return false;
    }

    private static void AddInto<T>(Tensor src, Tensor dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = Layout.Create(dst.Dims, src.StrideArray, dst.StrideArray);
        if (layout.NumElements == 0) return;
        T[] s = src.Array<T>(), d = dst.Array<T>();
        int n = layout.Inner, ss = layout.Strides[0][^1], ds = layout.Strides[1][^1];
        var cur = new RowCursor(layout, src.Offset, dst.Offset);
        do
        {
            for (int i = 0; i < n; i++) d[cur.Offsets[1] + i * ds] += s[cur.Offsets[0] + i * ss];
        } while (cur.Next());
    }
}
