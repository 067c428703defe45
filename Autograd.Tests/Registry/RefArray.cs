namespace Autograd.Tests.Registry;

/// <summary>
/// A plain float64 n-d array for reference forwards: row-major data, naive loops over multi-indices.
/// Shares no code with the library's kernels.
/// </summary>
public sealed class RefArray(double[] data, int[] shape)
{
    public double[] Data { get; } = data;
    public int[] Shape { get; } = shape;
    public int Rank => Shape.Length;

    public static RefArray Of(Tensor t) => new(t.ToArray<double>(), t.Shape);

    public static int Count(int[] shape)
    {
        int n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    public static int Ravel(int[] idx, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    public double this[int[] idx] => Data[Ravel(idx, Shape)];

    /// <summary>out[idx] = f(idx) over every index of shape.</summary>
    public static RefArray Build(int[] shape, Func<int[], double> f)
    {
        var data = new double[Count(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = f(Unravel(i, shape));
        return new RefArray(data, shape);
    }

    public static int[] BroadcastShape(params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var result = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            result[d] = 1;
            foreach (var s in shapes)
            {
                int k = d - (rank - s.Length);
                if (k >= 0 && s[k] != 1) result[d] = s[k];
            }
        }
        return result;
    }

    /// <summary>The element that a broadcast index of a larger shape reads.</summary>
    public double AtBroadcast(int[] outIdx)
    {
        var idx = new int[Rank];
        for (int d = 0; d < Rank; d++) idx[d] = Shape[d] == 1 ? 0 : outIdx[outIdx.Length - Rank + d];
        return this[idx];
    }

    public RefArray Map(Func<double, double> f) => new(Data.Select(f).ToArray(), Shape);

    public static RefArray Zip(RefArray a, RefArray b, Func<double, double, double> f)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        return Build(shape, i => f(a.AtBroadcast(i), b.AtBroadcast(i)));
    }

    public static RefArray Zip3(RefArray a, RefArray b, RefArray c, Func<double, double, double, double> f)
    {
        var shape = BroadcastShape(a.Shape, b.Shape, c.Shape);
        return Build(shape, i => f(a.AtBroadcast(i), b.AtBroadcast(i), c.AtBroadcast(i)));
    }

    /// <summary>Folds the elements of each reduced slice with <paramref name="agg"/>.</summary>
    public RefArray Reduce(int[]? axes, bool keepDims, Func<List<double>, double> agg)
    {
        var reduce = new bool[Rank];
        if (axes is null || axes.Length == 0) Array.Fill(reduce, true);
        else foreach (var a in axes) reduce[a < 0 ? a + Rank : a] = true;
        var keptShape = Shape.Select((s, d) => reduce[d] ? 1 : s).ToArray();
        var groups = new List<double>[Count(keptShape)];
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        for (int i = 0; i < Data.Length; i++)
        {
            var idx = Unravel(i, Shape);
            for (int d = 0; d < Rank; d++) if (reduce[d]) idx[d] = 0;
            groups[Ravel(idx, keptShape)].Add(Data[i]);
        }
        var outShape = keepDims ? keptShape : Shape.Where((_, d) => !reduce[d]).ToArray();
        return new RefArray(groups.Select(agg).ToArray(), outShape);
    }

    /// <summary>Applies <paramref name="f"/> to each 1-D slice along <paramref name="axis"/>, same shape out.</summary>
    public RefArray AlongAxis(int axis, Func<double[], double[]> f)
    {
        if (Rank == 0) return new RefArray(f([Data[0]]), Shape);
        axis = axis < 0 ? axis + Rank : axis;
        var result = new double[Data.Length];
        var outer = Shape.Select((s, d) => d == axis ? 1 : s).ToArray();
        for (int o = 0; o < Count(outer); o++)
        {
            var idx = Unravel(o, outer);
            var slice = new double[Shape[axis]];
            for (int k = 0; k < slice.Length; k++) { idx[axis] = k; slice[k] = this[idx]; }
            var mapped = f(slice);
            for (int k = 0; k < slice.Length; k++) { idx[axis] = k; result[Ravel(idx, Shape)] = mapped[k]; }
        }
        return new RefArray(result, Shape);
    }
}
