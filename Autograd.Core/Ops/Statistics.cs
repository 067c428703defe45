using Autograd.Kernels;

namespace Autograd.Ops;

// Scans are primitives for their float64 accumulation along the axis (a composite has no running sum); the reverse
// form (a scan from the end) is what each backward needs.

// y_k = Σ_{j≤k} x_j (from the end with reverse): dx_k = Σ_{i≥k} g_i, the scan of g the other way
internal sealed class Cumsum(int axis, bool reverse) : Function
{
    public const string Op = "cumsum";
    public override string Name => Op;

    public static Tensor Forward(Tensor x, int axis, bool reverse)
    {
        var y = Scan.Run(x, axis, reverse, Scan.Kind.Sum);
        return ShouldRecord(x) ? Attach(new Cumsum(axis, reverse), y, x) : y;
    }

    protected override Tensor?[] Backward(Tensor g) => [Forward(g, axis, !reverse)];
}

// y_k = Π_{j≤k} x_j: dx_k = Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j, without dividing by a zero. With z the first zero of the row:
// for k < z that is Σ_{i≥k} g_i y_i / x_k; for k = z it is (Π_{j<z} x_j) · Σ_{i≥z} g_i Π_{z<j≤i} x_j; after z it is 0
// (torch's O(n) cumprod_backward). That 0 is not 0 as a function of the other zeros, so under createGraph a row with
// zeros takes torch's other route, O(n²): dx_k = (Π_{j<k} x_j) · Σ_{i≥k} g_i Π_{k<j≤i} x_j, in recorded ops.
internal sealed class Cumprod(int axis) : Function
{
    public const string Op = "cumprod";
    public override string Name => Op;

    public static Tensor Forward(Tensor x, int axis)
    {
        var y = Scan.Run(x, axis, reverse: false, Scan.Kind.Prod);
        if (!ShouldRecord(x)) return y;
        var fn = new Cumprod(axis);
        Attach(fn, y, x);
        fn.Save(x, y);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor x = Saved(0), y = Saved(1);
        int len = x.Rank == 0 ? 1 : x.Dims[axis];
        if (len <= 1) return [g];
        var isZero = x.Eq(0.0);
        var after = Cumsum.Forward(g * y, axis, reverse: true);
        if (isZero.Sum().Item() == 0) return [after / x];
        if (GradMode.IsEnabled) return [Quadratic(x, g, axis, len)];
        var zerosSoFar = Cumsum.Forward(isZero, axis, reverse: false);
        var before = zerosSoFar.Eq(0.0);
        var first = isZero * zerosSoFar.Eq(1.0);
        var head = RowProduct(Tensor.Where(before, x, 1.0), axis);
        var tail = Forward(Tensor.Where((zerosSoFar - isZero).Gt(0.5), x, 1.0), axis);
        var atFirst = head * Tensor.Where(before, 0.0, g * tail).Sum(axis, keepDims: true);
        return [Tensor.Where(before, after / Tensor.Where(before, x, 1.0), 0.0) + Tensor.Where(first, atFirst, 0.0)];
    }

    // dx_k = E_k · R_k: E the exclusive running product, R_k = Σ_{i≥k} g_i M[k, i] with M[k, i] = Π_{k<j≤i} x_j the running
    // product along j of x_j masked to 1 for j ≤ k (an [n, n] block per row).
    private static Tensor Quadratic(Tensor x, Tensor g, int axis, int n)
    {
        Tensor xt = x.Transpose(axis, -1), gt = g.Transpose(axis, -1);
        var later = new double[n * n];
        var upper = new double[n * n];
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
            {
                later[k * n + j] = j > k ? 1 : 0;
                upper[k * n + j] = j >= k ? 1 : 0;
            }
        var laterMask = Tensor.From(later, n, n).To(x.DType);
        var m = Forward(Tensor.Where(laterMask, xt.Unsqueeze(-2), 1.0), xt.Rank);
        var r = Tensor.Where(Tensor.From(upper, n, n).To(x.DType), gt.Unsqueeze(-2) * m, 0.0).Sum(-1);
        var ones = Tensor.Ones([.. xt.Dims[..^1], 1], x.DType);
        var e = Forward(Tensor.Concat([ones, xt.Slice(-1, 0, n - 1)], -1), xt.Rank - 1);
        return (e * r).Transpose(axis, -1);
    }

    /// <summary>Π over <paramref name="axis"/> (kept, size 1) of a non-empty axis: the last element of the running product.</summary>
    internal static Tensor RowProduct(Tensor x, int axis)
    {
        int len = x.Dims[axis];
        return Forward(x, axis).Slice(axis, len - 1, len);
    }
}

// y_k = log Σ_{j≤k} e^{x_j}: dx_k = Σ_{i≥k} g_i e^{x_k − y_i}, summed in log space with positive and negative g apart
// (torch's logcumsumexp_backward): exp(x + rlcse(log g⁺ − y)) − exp(x + rlcse(log g⁻ − y)), rlcse the reverse scan.
internal sealed class LogCumSumExp(int axis, bool reverse) : Function
{
    public const string Op = "logcumsumexp";
    public override string Name => Op;

    public static Tensor Forward(Tensor x, int axis, bool reverse)
    {
        var y = Scan.Run(x, axis, reverse, Scan.Kind.LogSumExp);
        if (!ShouldRecord(x)) return y;
        var fn = new LogCumSumExp(axis, reverse);
        Attach(fn, y, x);
        fn.Save(x, y);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor x = Saved(0), y = Saved(1);
        double lowest = g.DType == DType.Float32 ? float.MinValue : double.MinValue;
        var logAbs = g.Abs().Log();
        var positive = Tensor.Where(g.Gt(0.0), logAbs, lowest);
        var negative = Tensor.Where(g.Lt(0.0), logAbs, lowest);
        return [(Forward(positive - y, axis, !reverse) + x).Exp() - (Forward(negative - y, axis, !reverse) + x).Exp()];
    }
}

// var = Σ (x − mean)² / max(0, n − c) over the axes in mask, computed off the graph: dx = 2·g·(x − mean) / (n − c), torch's
// var_backward (with n − c as it is, so ±∞ for n − c = 0, and torch's finite values for n − c < 0); a primitive because
// the composite's gradient through the mean would add +∞ and −∞ there. The mean is recorded in the rule, so the second
// derivative is 2(I − 1/n) / (n − c).
internal sealed class Variance(bool[] mask, double correction) : Function
{
    public const string Op = "var";
    public override string Name => Op;

    public static Tensor Forward(Tensor x, Tensor kept, bool[] mask, double correction, bool keepDims)
    {
        var y = keepDims ? kept : kept.ViewAs(Sum.Squeezed(kept.Dims, mask));
        if (!ShouldRecord(x)) return y;
        var fn = new Variance(mask, correction);
        Attach(fn, y, x);
        fn.Save(x);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        var x = Saved(0);
        var axes = Enumerable.Range(0, mask.Length).Where(d => mask[d]).ToArray();
        long n = 1;
        for (int d = 0; d < mask.Length; d++) if (mask[d]) n *= x.Dims[d];
        var kept = (int[])x.Dims.Clone();
        for (int d = 0; d < mask.Length; d++) if (mask[d]) kept[d] = 1;
        return [g.Reshape(kept) * (2.0 / (n - correction)) * (x - x.Mean(axes, keepDims: true))];
    }
}

// ‖x‖_p over the axes in mask, computed off the graph scaled by the largest |x| (no overflow at 1e200 in float64 or
// 1e30 in float32). Its gradient is torch's norm_backward, with its zero rules:
//   p = 0: 0;  p = 1: sgn(x)·g;  p = ±∞: sgn(x)·g/#ties at the extreme |x|;
//   p < 1: sgn(x)·|x|^(p−1)·g·y^(1−p), 0 where x = 0;  otherwise x·|x|^(p−2)·g / y^(p−1), 0 where y = 0.
internal sealed class VectorNorm(double p, bool[] mask, int[] keptShape) : Function
{
    public const string Op = "linalg.vector_norm";
    public override string Name => Op;

    public static Tensor Forward(Tensor x, double p, bool[] mask, bool keepDims)
    {
        Tensor kept;
        using (Autodiff.NoGrad()) kept = Compute(Tensor.InternalView(x, x.Dims, x.StrideArray, x.Offset), p, mask);
        var y = keepDims ? kept : kept.ViewAs(Sum.Squeezed(kept.Dims, mask));
        if (!ShouldRecord(x)) return y;
        var fn = new VectorNorm(p, mask, kept.Dims);
        Attach(fn, y, x);
        // The output itself, not kept: the rule reads it through this node, so the second derivative sees y's dependence on x.
        fn.Save(x, y);
        return y;
    }

    private int[] Axes => Enumerable.Range(0, mask.Length).Where(d => mask[d]).ToArray();

    private static Tensor Compute(Tensor x, double p, bool[] mask)
    {
        var axes = Enumerable.Range(0, mask.Length).Where(d => mask[d]).ToArray();
        var a = x.Abs();
        if (p == 0) return a.Ne(0.0).Sum(axes, keepDims: true);
        if (p == 1) return a.Sum(axes, keepDims: true);
        bool empty = x.NumElements == 0;
        if (empty) return a.Sum(axes, keepDims: true);
        if (double.IsPositiveInfinity(p)) return a.Max(axes, keepDims: true);
        if (double.IsNegativeInfinity(p)) return a.Min(axes, keepDims: true);
        var m = a.Max(axes, keepDims: true);
        var scale = Tensor.Where(m.Eq(0.0) + (m - m).Ne(0.0), 1.0, m);
        var s = p == 2 ? (a / scale).Square().Sum(axes, keepDims: true) : (a / scale).Pow(p).Sum(axes, keepDims: true);
        return (p == 2 ? s.Sqrt() : s.Pow(1 / p)) * scale;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor x = Saved(0), y = Saved(1).Reshape(keptShape);
        var gk = g.Reshape(keptShape);
        if (p == 0) return [Tensor.Zeros(x.Shape, x.DType)];
        if (p == 1) return [x.Sign() * gk];
        if (double.IsInfinity(p))
        {
            var a = x.Abs();
            var ties = a.Eq(y) + a.Ne(a);
            return [x.Sign() * (gk / ties.Sum(Axes, keepDims: true) * ties)];
        }
        if (p < 1) return [x.Sign() * Tensor.Where(x.Eq(0.0), 0.0, x.Abs().Pow(p - 1)) * gk * y.Pow(1 - p)];
        var scaled = Tensor.Where(y.Eq(0.0), 0.0, gk / (p == 2 ? y : y.Pow(p - 1)));
        if (p == 2) return [x * scaled];
        return [(p < 2 ? x.Sign() * x.Abs().Pow(p - 1) : x * x.Abs().Pow(p - 2)) * scaled];
    }
}

// torch.median() of all elements (and torch.nanmedian's rule): the gradient is shared evenly by the elements equal to
// the median, or by the NaN elements where it is NaN (evenly_distribute_backward).
internal sealed class Median : Function
{
    public const string Op = "median";
    public override string Name => Op;

    /// <summary>Records the 0-d <paramref name="value"/>, x's median computed off the graph.</summary>
    public static Tensor Forward(Tensor x, Tensor value)
    {
        if (!ShouldRecord(x)) return value;
        var fn = new Median();
        Attach(fn, value, x);
        fn.Save(x, value);
        return value;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor x = Saved(0), y = Saved(1);
        var ties = x.Eq(y) + x.Ne(x) * y.Ne(y);
        return [g / ties.Sum() * ties];
    }
}
