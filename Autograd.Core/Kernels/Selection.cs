namespace Autograd.Kernels;

/// <summary>Kernels behind sort, topk and scatter: index computations and element assignment, never recorded.</summary>
internal static class Selection
{
    /// <summary>
    /// The int64 positions along <paramref name="axis"/> that order each line of <paramref name="x"/>, the first
    /// <paramref name="k"/> of each kept. Ties keep their original order (a stable sort, in both directions); NaN
    /// counts as larger than every number, as in PyTorch.
    /// </summary>
    public static Tensor SortIndices(Tensor x, int axis, bool descending, int k)
    {
        var shape = x.Shape;
        int rank = shape.Length;
        int n = rank == 0 ? 1 : shape[axis];
        int inner = 1, outer = 1;
        for (int d = axis + 1; d < rank; d++) inner *= shape[d];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        var values = x.Detach().ToArray<double>();
        var outShape = (int[])shape.Clone();
        if (rank > 0) outShape[axis] = k;
        var y = Tensor.Result(outShape, DType.Int64, zero: false);
        var dst = y.Array<long>();
        var order = new int[n];
        var line = new double[n];
        Comparison<int> compare = descending
            ? (a, b) => { int c = Order(line[b], line[a]); return c != 0 ? c : a.CompareTo(b); }
            : (a, b) => { int c = Order(line[a], line[b]); return c != 0 ? c : a.CompareTo(b); };
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int baseAt = o * n * inner + i;
                for (int j = 0; j < n; j++)
                {
                    order[j] = j;
                    line[j] = values[baseAt + j * inner];
                }
                // The index breaks ties, so the (unstable) introsort gives the stable order.
                Array.Sort(order, compare);
                int outAt = o * k * inner + i;
                for (int j = 0; j < k; j++) dst[outAt + j * inner] = order[j];
            }
        return y;
    }

    // NaN above +inf, as PyTorch sorts it.
    private static int Order(double a, double b) =>
        double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b);

    /// <summary>y = a copy of x; y[..., index[..., i, ...], ...] = src[..., i, ...] along <paramref name="axis"/>, the last write winning.</summary>
    public static Tensor Scatter(Tensor x, int axis, Tensor index, Tensor src, string op)
    {
        var y = Strided.ToContiguous(x);
        var s = src.IsContiguous ? src : Strided.ToContiguous(src);
        int so = s.Offset;
        switch (x.DType)
        {
            case DType.Float32: { float[] from = s.Array<float>(), to = y.Array<float>(); Indexing.Walk(x.Dims, axis, index, op, (yo, i) => to[yo] = from[so + i]); break; }
            case DType.Float64: { double[] from = s.Array<double>(), to = y.Array<double>(); Indexing.Walk(x.Dims, axis, index, op, (yo, i) => to[yo] = from[so + i]); break; }
            default: { long[] from = s.Array<long>(), to = y.Array<long>(); Indexing.Walk(x.Dims, axis, index, op, (yo, i) => to[yo] = from[so + i]); break; }
        }
        return y;
    }
}
