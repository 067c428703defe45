using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// Softmax, log-softmax and cross-entropy along one axis. A contiguous tensor is seen as [outer, C, inner] with the
/// axis in the middle: with inner = 1 (the last axis) each row of C is one span; otherwise the C slices of length
/// inner are combined elementwise, so both cases run on vectorized spans (<see cref="Vec"/>).
/// </summary>
internal static class Softmax
{
    private static (int Outer, int C, int Inner) Split(int[] dims, int axis)
    {
        if (dims.Length == 0) return (1, 1, 1);
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        return (outer, dims[axis], inner);
    }

    // Below this row length the per-call cost of the span kernels outweighs its vector speed (C = 10 classes is the
    // common case): rows are walked in plain loops, and exp, the costly part, runs once over the whole buffer.
    private const int ShortRow = 32;

    // d[o, :] = x[o, :] − Shift(max x[o, :]) for every row; the shifts go to m.
    private static void ShiftRows<T>(ReadOnlySpan<T> x, Span<T> d, Span<T> m, int outer, int c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        {
            var row = x.Slice(o * c, c);
            var dst = d.Slice(o * c, c);
            if (c >= ShortRow)
            {
                m[o] = Shift(Vec.Max(row));
                Vec.Subtract(row, m[o], dst);
                continue;
            }
            T mx = row[0];
            for (int k = 1; k < c; k++) mx = T.Max(mx, row[k]);
            mx = Shift(mx);
            m[o] = mx;
            for (int k = 0; k < c; k++) dst[k] = row[k] - mx;
        }
    }

    // The denominators and the backward's row sums accumulate in float64, as every reduction does (Accumulate says why);
    // a short row is one scalar loop there too.
    private static T RowSum<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T> =>
        Accumulate.FromDouble<T>(Accumulate.Sum(row));

    // s[i] = Σ_k block[k, i] (or Σ_k block[k, i]·other[k, i]) for a [c, inner] block, accumulated in float64 in acc.
    private static void SliceSums<T>(ReadOnlySpan<T> block, ReadOnlySpan<T> other, int c, int inner, Span<double> acc, Span<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        acc.Clear();
        for (int k = 0; k < c; k++)
            Accumulate.AddTo(acc, block.Slice(k * inner, inner), other.IsEmpty ? default : other.Slice(k * inner, inner));
        Accumulate.Store<T>(acc, s);
    }

    private static Tensor Dense(Tensor t) => t.IsContiguous ? t : Strided.ToContiguous(t);

    // The shift subtracted before exp: the maximum, or 0 where it is −∞, so that the −∞ entries of a row with a finite
    // entry get exp(−∞) = 0 (and a row of −∞ gives 0/0 = NaN, as PyTorch). A +∞ or NaN maximum is subtracted as it is:
    // +∞ − +∞ = NaN spreads over the row through the sum, as in torch.softmax([+∞, 0]) = [NaN, NaN].
    private static T Shift<T>(T max) where T : IFloatingPointIeee754<T> => T.IsNegativeInfinity(max) ? T.Zero : max;

    /// <summary>y = x − max − log Σ e^(x−max) (log) or y = e^(x−max) / Σ e^(x−max) along <paramref name="axis"/>.</summary>
    public static Tensor Forward(Tensor x, int axis, bool log)
    {
        var y = Tensor.Result(x.Shape, x.DType);
        if (x.NumElements == 0) return y;
        var (outer, c, inner) = Split(x.Dims, axis);
        var src = Dense(x);
        if (x.DType == DType.Float32) Forward<float>(src.ContiguousSpan<float>(), y.ContiguousSpan<float>(), outer, c, inner, log);
        else Forward<double>(src.ContiguousSpan<double>(), y.ContiguousSpan<double>(), outer, c, inner, log);
        return y;
    }

    private static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int c, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            ShiftRows(x, y, new T[outer], outer, c);
            Span<T> e = log ? new T[y.Length] : y;
            Vec.Exp(y, e);
            for (int o = 0; o < outer; o++)
            {
                var dst = y.Slice(o * c, c);
                T sum = RowSum<T>(e.Slice(o * c, c));
                if (c >= ShortRow)
                {
                    if (log) Vec.Subtract(dst, T.Log(sum), dst);
                    else Vec.Divide(dst, sum, dst);
                }
                else if (log)
                {
                    T ls = T.Log(sum);
                    for (int k = 0; k < c; k++) dst[k] -= ls;
                }
                else for (int k = 0; k < c; k++) dst[k] /= sum;
            }
            return;
        }
        T[] m = new T[inner], s = new T[inner], t = new T[inner];
        var acc = new double[inner];
        for (int o = 0; o < outer; o++)
        {
            var block = x.Slice(o * c * inner, c * inner);
            var dst = y.Slice(o * c * inner, c * inner);
            RowShift(block, c, inner, m);
            acc.AsSpan().Clear();
            for (int k = 0; k < c; k++)
            {
                var yk = dst.Slice(k * inner, inner);
                Vec.Subtract(block.Slice(k * inner, inner), m, yk);
                if (log)
                {
                    Vec.Exp(yk, t);
                    Accumulate.AddTo<T>(acc, t);
                }
                else
                {
                    Vec.Exp(yk, yk);
                    Accumulate.AddTo<T>(acc, yk);
                }
            }
            Accumulate.Store<T>(acc, s);
            if (log) Vec.Log(s, s);
            for (int k = 0; k < c; k++)
            {
                var yk = dst.Slice(k * inner, inner);
                if (log) Vec.Subtract(yk, s, yk);
                else Vec.Divide(yk, s, yk);
            }
        }
    }

    // m[i] = Shift(max over k of block[k, i]) for a [c, inner] block, c ≥ 1.
    private static void RowShift<T>(ReadOnlySpan<T> block, int c, int inner, Span<T> m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        block[..inner].CopyTo(m);
        for (int k = 1; k < c; k++) Vec.Max(m, block.Slice(k * inner, inner), m);
        for (int i = 0; i < inner; i++) m[i] = Shift(m[i]);
    }

    /// <summary>dx = g − e^y · Σ_axis g, the backward of log-softmax from its output y.</summary>
    public static Tensor LogSoftmaxBackward(Tensor g, Tensor y, int axis) => Backward(g, y, axis, log: true);

    /// <summary>dx = y · (g − Σ_axis g·y), the backward of softmax from its output y.</summary>
    public static Tensor SoftmaxBackward(Tensor g, Tensor y, int axis) => Backward(g, y, axis, log: false);

    private static Tensor Backward(Tensor g, Tensor y, int axis, bool log)
    {
        var dx = Tensor.Result(y.Shape, y.DType);
        if (y.NumElements == 0) return dx;
        var (outer, c, inner) = Split(y.Dims, axis);
        Tensor gd = Dense(g), yd = Dense(y);
        if (y.DType == DType.Float32)
            Backward<float>(gd.ContiguousSpan<float>(), yd.ContiguousSpan<float>(), dx.ContiguousSpan<float>(), outer, c, inner, log);
        else
            Backward<double>(gd.ContiguousSpan<double>(), yd.ContiguousSpan<double>(), dx.ContiguousSpan<double>(), outer, c, inner, log);
        return dx;
    }

    private static void Backward<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> dx, int outer, int c, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            if (log) Vec.Exp(y, dx);
            for (int o = 0; o < outer; o++)
            {
                var gr = g.Slice(o * c, c);
                var yr = y.Slice(o * c, c);
                var dr = dx.Slice(o * c, c);
                if (c >= ShortRow)
                {
                    if (log) Vec.MultiplyAdd(dr, -RowSum(gr), gr, dr);
                    else
                    {
                        Vec.Subtract(gr, Accumulate.FromDouble<T>(Accumulate.Dot(gr, yr)), dr);
                        Vec.Multiply(dr, yr, dr);
                    }
                }
                else if (log)
                {
                    T sum = RowSum(gr);
                    for (int k = 0; k < c; k++) dr[k] = gr[k] - dr[k] * sum;
                }
                else
                {
                    double d = 0;
                    for (int k = 0; k < c; k++) d += Accumulate.ToDouble(gr[k]) * Accumulate.ToDouble(yr[k]);
                    T dot = Accumulate.FromDouble<T>(d);
                    for (int k = 0; k < c; k++) dr[k] = (gr[k] - dot) * yr[k];
                }
            }
            return;
        }
        var s = new T[inner];
        var acc = new double[inner];
        for (int o = 0; o < outer; o++)
        {
            int start = o * c * inner;
            // s = Σ_k g (log-softmax) or Σ_k g·y (softmax)
            SliceSums(g.Slice(start, c * inner), log ? default : y.Slice(start, c * inner), c, inner, acc, s);
            for (int k = 0; k < c; k++)
            {
                var gk = g.Slice(start + k * inner, inner);
                var yk = y.Slice(start + k * inner, inner);
                var dk = dx.Slice(start + k * inner, inner);
                if (log)
                {
                    Vec.Exp(yk, dk);
                    Vec.Multiply(dk, s, dk);
                    Vec.Subtract(gk, dk, dk);
                }
                else
                {
                    Vec.Subtract(gk, s, dk);
                    Vec.Multiply(dk, yk, dk);
                }
            }
        }
    }

    /// <summary>
    /// Per sample of logits z and int64 class indices t (z's shape without <paramref name="axis"/>):
    /// loss = log Σ_c e^z − z[t] and lse = log Σ_c e^z, both of t's shape. Throws for an index outside [0, C).
    /// </summary>
    public static (Tensor Loss, Tensor Lse) CrossEntropy(Tensor z, Tensor target, int axis, string op)
    {
        var loss = Tensor.Result(target.Shape, z.DType);
        var lse = Tensor.Result(target.Shape, z.DType);
        if (loss.NumElements == 0) return (loss, lse);
        var (outer, c, inner) = Split(z.Dims, axis);
        var t = Dense(target).ContiguousSpan<long>();
        var src = Dense(z);
        if (z.DType == DType.Float32)
            CrossEntropy<float>(src.ContiguousSpan<float>(), t, loss.ContiguousSpan<float>(), lse.ContiguousSpan<float>(), outer, c, inner, op, z.Dims);
        else
            CrossEntropy<double>(src.ContiguousSpan<double>(), t, loss.ContiguousSpan<double>(), lse.ContiguousSpan<double>(), outer, c, inner, op, z.Dims);
        return (loss, lse);
    }

    private static int ClassOf(ReadOnlySpan<long> t, int n, int c, string op, int[] dims)
    {
        long v = t[n];
        if ((ulong)v >= (ulong)c)
            throw new ArgumentOutOfRangeException("target", v,
                $"{op}: class index {v} at position {n} of the target is out of range for {c} classes (logits of shape {ShapeUtil.Format(dims)}); indices must lie in [0, {c}).");
        return (int)v;
    }

    private static void CrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<long> t, Span<T> loss, Span<T> lse, int outer, int c, int inner, string op, int[] dims)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            var e = new T[z.Length];
            var m = new T[outer];
            ShiftRows(z, e, m, outer, c);
            Vec.Exp(e, e);
            for (int o = 0; o < outer; o++)
            {
                int k = ClassOf(t, o, c, op, dims);
                T logSum = T.Log(RowSum<T>(e.AsSpan(o * c, c)));
                // (m − z[t]) + log Σ keeps the small part exact when m and z[t] are large.
                loss[o] = (m[o] - z[o * c + k]) + logSum;
                lse[o] = m[o] + logSum;
            }
            return;
        }
        T[] mx = new T[inner], s = new T[inner], tmp = new T[inner];
        var acc = new double[inner];
        for (int o = 0; o < outer; o++)
        {
            var block = z.Slice(o * c * inner, c * inner);
            RowShift(block, c, inner, mx);
            acc.AsSpan().Clear();
            for (int k = 0; k < c; k++)
            {
                Vec.Subtract(block.Slice(k * inner, inner), mx, tmp);
                Vec.Exp(tmp, tmp);
                Accumulate.AddTo<T>(acc, tmp);
            }
            Accumulate.Store<T>(acc, s);
            for (int i = 0; i < inner; i++)
            {
                int n = o * inner + i;
                int k = ClassOf(t, n, c, op, dims);
                T logSum = T.Log(s[i]);
                loss[n] = (mx[i] - block[k * inner + i]) + logSum;
                lse[n] = mx[i] + logSum;
            }
        }
    }

    /// <summary>dz = g · (e^(z − lse) − onehot(t)), the backward of <see cref="CrossEntropy(Tensor, Tensor, int, string)"/>.</summary>
    public static Tensor CrossEntropyBackward(Tensor g, Tensor z, Tensor target, Tensor lse, int axis)
    {
        var dz = Tensor.Result(z.Shape, z.DType);
        if (z.NumElements == 0) return dz;
        var (outer, c, inner) = Split(z.Dims, axis);
        var t = Dense(target).ContiguousSpan<long>();
        Tensor gd = Dense(g), zd = Dense(z), ld = Dense(lse);
        if (z.DType == DType.Float32)
            CrossEntropyBackward<float>(gd.ContiguousSpan<float>(), zd.ContiguousSpan<float>(), t, ld.ContiguousSpan<float>(), dz.ContiguousSpan<float>(), outer, c, inner);
        else
            CrossEntropyBackward<double>(gd.ContiguousSpan<double>(), zd.ContiguousSpan<double>(), t, ld.ContiguousSpan<double>(), dz.ContiguousSpan<double>(), outer, c, inner);
        return dz;
    }

    private static void CrossEntropyBackward<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> z, ReadOnlySpan<long> t, ReadOnlySpan<T> lse, Span<T> dz, int outer, int c, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var zr = z.Slice(o * c, c);
                var dr = dz.Slice(o * c, c);
                if (c >= ShortRow) Vec.Subtract(zr, lse[o], dr);
                else for (int k = 0; k < c; k++) dr[k] = zr[k] - lse[o];
            }
            Vec.Exp(dz, dz);
            for (int o = 0; o < outer; o++)
            {
                var dr = dz.Slice(o * c, c);
                dr[(int)t[o]] -= T.One;
                if (c >= ShortRow) Vec.Multiply(dr, g[o], dr);
                else for (int k = 0; k < c; k++) dr[k] *= g[o];
            }
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            var lo = lse.Slice(o * inner, inner);
            var go = g.Slice(o * inner, inner);
            int start = o * c * inner;
            for (int k = 0; k < c; k++)
            {
                var dk = dz.Slice(start + k * inner, inner);
                Vec.Subtract(z.Slice(start + k * inner, inner), lo, dk);
                Vec.Exp(dk, dk);
            }
            for (int i = 0; i < inner; i++) dz[start + (int)t[o * inner + i] * inner + i] -= T.One;
            for (int k = 0; k < c; k++)
            {
                var dk = dz.Slice(start + k * inner, inner);
                Vec.Multiply(dk, go, dk);
            }
        }
    }

    /// <summary>A tensor of <paramref name="shape"/> that is 1 where the index along <paramref name="axis"/> equals t, else 0.</summary>
    public static Tensor OneHot(Tensor target, int[] shape, int axis, DType dtype)
    {
        var y = Tensor.Result(shape, dtype);
        if (y.NumElements == 0) return y;
        var (outer, c, inner) = Split(shape, axis);
        var t = Dense(target).ContiguousSpan<long>();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int flat = (o * c + (int)t[o * inner + i]) * inner + i;
                if (dtype == DType.Float32) y.Array<float>()[flat] = 1;
                else y.Array<double>()[flat] = 1;
            }
        return y;
    }
}
