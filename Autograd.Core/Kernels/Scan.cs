using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// Scans along one axis (cumsum, cumprod, logcumsumexp) and the per-row median. Each row is accumulated in float64 and
/// every output rounded once, so a float32 scan does not drift with its length (a float32 running sum of 10^6 terms of
/// 0.1 is off by ~1%; this one by one rounding).
/// </summary>
internal static class Scan
{
    internal enum Kind { Sum, Prod, LogSumExp }

    /// <summary>y[k] = x[0] ∘ … ∘ x[k] along <paramref name="axis"/> (from the end with <paramref name="reverse"/>).</summary>
    public static Tensor Run(Tensor x, int axis, bool reverse, Kind kind)
    {
        var y = Tensor.Result(x.Shape, x.DType, zero: false);
        if (x.NumElements == 0) return y;
        var (outer, len, inner) = Split(x.Dims, axis);
        var xc = x.IsContiguous ? x : Strided.ToContiguous(x);
        if (x.DType == DType.Float32) Core(xc.Array<float>(), xc.Offset, y.Array<float>(), outer, len, inner, reverse, kind);
        else Core(xc.Array<double>(), xc.Offset, y.Array<double>(), outer, len, inner, reverse, kind);
        return y;
    }

    /// <summary>
    /// The index along <paramref name="axis"/> of each row's lower median (the element of rank (n − 1) / 2, ties in index
    /// order), or of its first NaN, as torch.median; the axis kept with size 1.
    /// </summary>
    public static Tensor MedianIndex(Tensor x, int axis)
    {
        var outShape = x.Shape;
        if (x.Rank > 0) outShape[axis] = 1;
        var result = Tensor.Result(outShape, DType.Int64, zero: false);
        var dst = result.Array<long>();
        if (result.NumElements == 0) return result;
        var (outer, len, inner) = Split(x.Dims, axis);
        var xc = x.IsContiguous ? x : Strided.ToContiguous(x);
        var values = new double[len];
        var order = new int[len];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int start = o * len * inner + i;
                int nan = -1;
                for (int k = 0; k < len; k++)
                {
                    values[k] = xc.ReadAt(xc.Offset + start + k * inner);
                    if (nan < 0 && double.IsNaN(values[k])) nan = k;
                    order[k] = k;
                }
                if (nan < 0)
                {
                    // A stable order: equal values keep their index order (as torch's CPU kernel returned on the cases checked).
                    Array.Sort(order, (a, b) => values[a] != values[b] ? values[a].CompareTo(values[b]) : a.CompareTo(b));
                    dst[o * inner + i] = order[(len - 1) / 2];
                }
                else dst[o * inner + i] = nan;
            }
        }
        return result;
    }

    private static (int Outer, int Len, int Inner) Split(int[] dims, int axis)
    {
        if (dims.Length == 0) return (1, 1, 1);
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        return (outer, dims[axis], inner);
    }

    private static void Core<T>(T[] src, int offset, T[] dst, int outer, int len, int inner, bool reverse, Kind kind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double start = kind switch { Kind.Sum => 0, Kind.Prod => 1, _ => double.NegativeInfinity };
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int row = o * len * inner + i;
                double acc = start;
                for (int s = 0; s < len; s++)
                {
                    int at = row + (reverse ? len - 1 - s : s) * inner;
                    double v = Accumulate.ToDouble(src[offset + at]);
                    acc = kind switch { Kind.Sum => acc + v, Kind.Prod => acc * v, _ => LogAddExp(acc, v) };
                    dst[at] = Accumulate.FromDouble<T>(acc);
                }
            }
        }
    }

    // log(eᵃ + eᵇ) = max + log(1 + e^−|a − b|), exact at −∞ (either term absent) and +∞; NaN propagates.
    private static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        double m = Math.Max(a, b);
        if (double.IsPositiveInfinity(m)) return m;
        return m + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
    }
}
