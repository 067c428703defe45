namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Computes the variance over <paramref name="axes"/> (all axes when null or empty), as torch.var:
    /// Σ (x − mean)² / max(0, n − <paramref name="correction"/>), so n − correction ≤ 0 gives +∞ (NaN where every
    /// deviation is 0, and for an empty reduction). Two passes (the mean, then the deviations, with the rounding error of
    /// the mean corrected), each summed in float64, so a float32 variance keeps float32 accuracy however large the mean.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="correction">Subtracted from the element count n in the divisor: 1 (Bessel's correction, the default) for the sample variance, 0 for the population variance.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Var(int[]? axes = null, double correction = 1, bool keepDims = false) => Moments("var", axes, correction, keepDims).Var;

    /// <summary>Computes the variance over one axis, as <see cref="Var(int[], double, bool)"/>.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="correction">Subtracted from the element count n in the divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Var(int axis, double correction = 1, bool keepDims = false) => Moments("var", [axis], correction, keepDims).Var;

    /// <summary>Computes the standard deviation √var over <paramref name="axes"/>, as torch.std (see <see cref="Var(int[], double, bool)"/>).</summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="correction">Subtracted from the element count n in the divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Std(int[]? axes = null, double correction = 1, bool keepDims = false) => Moments("std", axes, correction, keepDims).Var.Sqrt();

    /// <summary>Computes the standard deviation over one axis, as torch.std(x, dim).</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="correction">Subtracted from the element count n in the divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Std(int axis, double correction = 1, bool keepDims = false) => Moments("std", [axis], correction, keepDims).Var.Sqrt();

    /// <summary>Computes the variance and the mean over <paramref name="axes"/> together, as torch.var_mean.</summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="correction">Subtracted from the element count n in the variance's divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axes stay in both results with size 1.</param>
    /// <returns>The variance and the mean, new tensors of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public (Tensor Var, Tensor Mean) VarMean(int[]? axes = null, double correction = 1, bool keepDims = false) => Moments("var_mean", axes, correction, keepDims);

    /// <summary>Computes the variance and the mean over one axis, as torch.var_mean(x, dim).</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="correction">Subtracted from the element count n in the variance's divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axis stays in both results with size 1.</param>
    /// <returns>The variance and the mean, new tensors of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public (Tensor Var, Tensor Mean) VarMean(int axis, double correction = 1, bool keepDims = false) => Moments("var_mean", [axis], correction, keepDims);

    /// <summary>Computes the standard deviation and the mean over <paramref name="axes"/> together, as torch.std_mean.</summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="correction">Subtracted from the element count n in the variance's divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axes stay in both results with size 1.</param>
    /// <returns>The standard deviation and the mean, new tensors of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public (Tensor Std, Tensor Mean) StdMean(int[]? axes = null, double correction = 1, bool keepDims = false)
    {
        var (v, mean) = Moments("std_mean", axes, correction, keepDims);
        return (v.Sqrt(), mean);
    }

    /// <summary>Computes the standard deviation and the mean over one axis, as torch.std_mean(x, dim).</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="correction">Subtracted from the element count n in the variance's divisor (1 by default).</param>
    /// <param name="keepDims">Whether the reduced axis stays in both results with size 1.</param>
    /// <returns>The standard deviation and the mean, new tensors of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public (Tensor Std, Tensor Mean) StdMean(int axis, double correction = 1, bool keepDims = false) => StdMean([axis], correction, keepDims);

    // var = max(0, Σd² − (Σd)²/n) / max(0, n − correction) with d = x − mean: the second term removes the mean's rounding
    // error (the corrected two-pass algorithm of Chan, Golub and LeVeque); max(0, ·) keeps a constant row's variance from
    // rounding below 0 (Std would give NaN). Computed off the graph and recorded as one primitive with torch's gradient.
    private (Tensor Var, Tensor Mean) Moments(string op, int[]? axes, double correction, bool keepDims)
    {
        if (NumElements == 0) ShapeUtil.CheckReducedSize(op, Dims, axes);
        RequireFloat(op);
        var mask = ShapeUtil.AxisMask(op, axes, Rank);
        long n = 1;
        for (int d = 0; d < Rank; d++) if (mask[d]) n *= Dims[d];
        var mean = Mean(axes, keepDims: true);
        Tensor kept;
        using (Autodiff.NoGrad())
        {
            var dev = OwnDetach() - mean.OwnDetach();
            var s2 = dev.Square().Sum(axes, keepDims: true);
            var s1 = dev.Sum(axes, keepDims: true);
            kept = (s2 - s1.Square() / (double)n).Relu() / Math.Max(0, n - correction);
        }
        var variance = Ops.Variance.Forward(this, kept, mask, correction, keepDims);
        return (variance, keepDims ? mean : mean.Reshape(Ops.Sum.Squeezed(mean.Dims, mask)));
    }

    /// <summary>
    /// Computes the vector p-norm over <paramref name="axes"/> (all axes when null or empty), as torch.linalg.vector_norm
    /// and torch.norm with a number p: (Σ |x|^p)^(1/p) for any real p, max |x| for +∞, min |x| for −∞, and the count of
    /// non-zero elements for 0. Computed scaled by the largest |x|, so it does not overflow where |x|^p would (1e200 in
    /// float64, 1e30 in float32; PyTorch 1.13 returns +∞ there). The gradient is PyTorch's: 0 where the norm is 0 (not
    /// NaN), split evenly among tied extremes for ±∞, 0 for p = 0.
    /// </summary>
    /// <param name="p">The order: any real number, <see cref="double.PositiveInfinity"/> or <see cref="double.NegativeInfinity"/>; 2 by default.</param>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">
    /// This tensor is int64, <paramref name="p"/> is NaN, an axis appears twice, or the reduction is over no elements for
    /// p = ±∞ or p &lt; 0 (which have no value there).
    /// </exception>
    public Tensor Norm(double p = 2, int[]? axes = null, bool keepDims = false)
    {
        const string op = "linalg.vector_norm";
        if (double.IsNaN(p)) throw new ArgumentException($"{op}: the order p must be a number, got NaN.", nameof(p));
        if (NumElements == 0) ShapeUtil.CheckReducedSize(op, Dims, axes);
        RequireFloat(op);
        var mask = ShapeUtil.AxisMask(op, axes, Rank);
        bool noElements = false;
        for (int d = 0; d < Rank; d++) if (mask[d] && Dims[d] == 0) noElements = true;
        if (noElements && (p < 0 || double.IsInfinity(p)))
            throw new ArgumentException(
                $"{op}: cannot compute the {(double.IsInfinity(p) ? (p > 0 ? "inf" : "-inf") : p.ToString(System.Globalization.CultureInfo.InvariantCulture))} norm of the tensor of shape {ShapeUtil.Format(Dims)} over axes {ShapeUtil.Format(axes ?? [])}: the reduction is over no elements and the operation has no identity.");
        return Ops.VectorNorm.Forward(this, p, mask, keepDims);
    }

    /// <summary>Computes the vector p-norm over one axis, as <see cref="Norm(double, int[], bool)"/>.</summary>
    /// <param name="p">The order: any real number or ±∞.</param>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, <paramref name="p"/> is NaN, or the axis has size 0 for p = ±∞ or p &lt; 0.</exception>
    public Tensor Norm(double p, int axis, bool keepDims = false) => Norm(p, [axis], keepDims);

    /// <summary>
    /// Computes the Frobenius norm √(Σ x²) over <paramref name="axes"/> (all axes when null or empty), as
    /// torch.norm(x, "fro", dim): the 2-norm of <see cref="Norm(double, int[], bool)"/>.
    /// </summary>
    /// <param name="p">"fro"; the nuclear norm "nuc" is not supported.</param>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="p"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="p"/> is not "fro", this tensor is int64, or an axis appears twice.</exception>
    public Tensor Norm(string p, int[]? axes = null, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p != "fro")
            throw new ArgumentException($"norm: unsupported norm type \"{p}\": expected \"fro\" or a number (the nuclear norm \"nuc\" is not supported).", nameof(p));
        return Norm(2, axes, keepDims);
    }

    /// <summary>
    /// Computes the product of all elements as a 0-d tensor, as torch.prod: 1 for an empty tensor. The gradient is exact
    /// with zeros, as PyTorch's: with one zero only that element gets the product of the others; with two or more, all 0.
    /// </summary>
    /// <returns>A new 0-d tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Prod()
    {
        RequireFloat("prod");
        return Rank == 0 ? Clone() : Reshape(-1).Prod(0);
    }

    /// <summary>Computes the product along one axis, as torch.prod(x, dim) (see <see cref="Prod()"/> for the gradient).</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd; 1 where the axis has size 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Prod(int axis, bool keepDims = false)
    {
        RequireFloat("prod");
        int a = ShapeUtil.NormalizeAxis("prod", axis, Rank);
        if (Rank == 0) return Clone();
        int n = Dims[a];
        if (n == 0) return Sum(a, keepDims) + 1.0;
        // The last element of the running product: its backward is cumprod's, exact with zeros and differentiable again.
        var y = Ops.Cumprod.RowProduct(this, a);
        return keepDims ? y : y.Squeeze(a);
    }

    /// <summary>
    /// Computes the running sum y[k] = x[0] + … + x[k] along <paramref name="axis"/>, as torch.cumsum, accumulated in
    /// float64 (a float32 result does not drift with the length).
    /// </summary>
    /// <param name="axis">The axis to scan, in [−rank, rank).</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Cumsum(int axis)
    {
        RequireFloat(Ops.Cumsum.Op);
        return Ops.Cumsum.Forward(this, ShapeUtil.NormalizeAxis(Ops.Cumsum.Op, axis, Rank), reverse: false);
    }

    /// <summary>
    /// Computes the running product y[k] = x[0] · … · x[k] along <paramref name="axis"/>, as torch.cumprod, accumulated
    /// in float64. The gradient is exact where x has zeros (no division by them) and can be differentiated again.
    /// </summary>
    /// <param name="axis">The axis to scan, in [−rank, rank).</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Cumprod(int axis)
    {
        RequireFloat(Ops.Cumprod.Op);
        return Ops.Cumprod.Forward(this, ShapeUtil.NormalizeAxis(Ops.Cumprod.Op, axis, Rank));
    }

    /// <summary>
    /// Computes y[k] = log(exp x[0] + … + exp x[k]) along <paramref name="axis"/>, as torch.logcumsumexp: stable for any
    /// magnitudes (each step adds in log space, in float64), −∞ terms contributing nothing.
    /// </summary>
    /// <param name="axis">The axis to scan, in [−rank, rank).</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor LogCumSumExp(int axis)
    {
        RequireFloat(Ops.LogCumSumExp.Op);
        return Ops.LogCumSumExp.Forward(this, ShapeUtil.NormalizeAxis(Ops.LogCumSumExp.Op, axis, Rank), reverse: false);
    }

    /// <summary>
    /// Computes the maximum over <paramref name="axes"/> (all axes when null or empty), as torch.amax: tied maximal
    /// elements share the gradient evenly. The same as <see cref="Max(int[], bool)"/>.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or a reduced axis has size 0.</exception>
    public Tensor Amax(int[]? axes = null, bool keepDims = false) => Extreme(axes, keepDims, true, "amax", splitTies: true);

    /// <summary>Computes the maximum over one axis, as torch.amax(x, dim): tied maximal elements share the gradient evenly.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public Tensor Amax(int axis, bool keepDims = false) => Amax([axis], keepDims);

    /// <summary>
    /// Computes the minimum over <paramref name="axes"/> (all axes when null or empty), as torch.amin: tied minimal
    /// elements share the gradient evenly. The same as <see cref="Min(int[], bool)"/>.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or a reduced axis has size 0.</exception>
    public Tensor Amin(int[]? axes = null, bool keepDims = false) => Extreme(axes, keepDims, false, "amin", splitTies: true);

    /// <summary>Computes the minimum over one axis, as torch.amin(x, dim): tied minimal elements share the gradient evenly.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public Tensor Amin(int axis, bool keepDims = false) => Amin([axis], keepDims);

    /// <summary>
    /// Computes the maximum along one axis with its index, as torch.max(x, dim) (torch.return_types.max): the values are
    /// <see cref="Max(int, bool)"/>, whose gradient goes only to the element at the returned index (the first maximal
    /// one, a NaN if there is one), the indices <see cref="ArgMax"/>.
    /// </summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in both results with size 1.</param>
    /// <returns>The maxima, recorded for autograd, and their int64 indices along <paramref name="axis"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public (Tensor Values, Tensor Indices) MaxWithIndices(int axis, bool keepDims = false) =>
        (Extreme([axis], keepDims, true, "max", splitTies: false), ArgExtreme(axis, keepDims, true, "max"));

    /// <summary>
    /// Computes the minimum along one axis with its index, as torch.min(x, dim): the values are
    /// <see cref="Min(int, bool)"/> (the gradient goes only to the element at the returned index), the indices
    /// <see cref="ArgMin"/>.
    /// </summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in both results with size 1.</param>
    /// <returns>The minima, recorded for autograd, and their int64 indices along <paramref name="axis"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public (Tensor Values, Tensor Indices) MinWithIndices(int axis, bool keepDims = false) =>
        (Extreme([axis], keepDims, false, "min", splitTies: false), ArgExtreme(axis, keepDims, false, "min"));

    /// <summary>
    /// Computes the lower median of all elements (the element of rank (n − 1) / 2 in sorted order) as a 0-d tensor, as
    /// torch.median(): NaN if any element is NaN or the tensor is empty. Elements equal to the median share its gradient
    /// evenly.
    /// </summary>
    /// <returns>A new 0-d tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Median()
    {
        RequireFloat(Ops.Median.Op);
        if (NumElements == 0) return Sum() * double.NaN;
        var flat = Ops.Reshape.Forward(OwnDetach(), [NumElements], shared: false);
        var index = Kernels.Scan.MedianIndex(flat, 0);
        return Ops.Median.Forward(this, Ops.Gather.Forward(flat, 0, index).ViewAs([]));
    }

    /// <summary>
    /// Computes the lower median along one axis with its index, as torch.median(x, dim): NaN (and the index of the first
    /// NaN) where a row has one. The gradient goes only to the element at the returned index; among equal medians that
    /// is the one of the median's rank when equal values are ordered by index.
    /// </summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in both results with size 1.</param>
    /// <returns>The medians, recorded for autograd, and their int64 indices along <paramref name="axis"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public (Tensor Values, Tensor Indices) Median(int axis, bool keepDims = false)
    {
        const string op = Ops.Median.Op;
        RequireFloat(op);
        int a = ShapeUtil.NormalizeAxis(op, axis, Rank);
        if (Rank == 0) return (Clone(), Zeros([], DType.Int64));
        if (Dims[a] == 0)
            throw new ArgumentException($"{op}: cannot reduce over axis {a} of size 0 (shape {ShapeUtil.Format(Dims)}).");
        var index = Kernels.Scan.MedianIndex(this, a);
        var values = Ops.Gather.Forward(this, a, index);
        if (keepDims) return (values, index);
        var squeezed = Dims.Where((_, d) => d != a).ToArray();
        return (values.Reshape(squeezed), index.ViewAs(squeezed));
    }

    /// <summary>
    /// Tests whether any element over <paramref name="axes"/> (all axes when null or empty) is non-zero, as torch.any;
    /// NaN counts as non-zero. There is no bool dtype: the result is 1 or 0 in this tensor's dtype, as the comparisons
    /// (<see cref="Eq(Tensor)"/>, <see cref="Gt(Tensor)"/>) give.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new mask of this dtype (0 for an empty reduction); not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis appears twice.</exception>
    public Tensor Any(int[]? axes = null, bool keepDims = false) => NonzeroCount("any", axes, keepDims).Gt(0L).To(DType);

    /// <summary>Tests whether any element along one axis is non-zero, as torch.any(x, dim); 1 or 0 in this tensor's dtype.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new mask of this dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor Any(int axis, bool keepDims = false) => Any([axis], keepDims);

    /// <summary>
    /// Tests whether every element over <paramref name="axes"/> (all axes when null or empty) is non-zero, as torch.all;
    /// NaN counts as non-zero. The result is 1 or 0 in this tensor's dtype, as the comparisons give.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new mask of this dtype (1 for an empty reduction); not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis appears twice.</exception>
    public Tensor All(int[]? axes = null, bool keepDims = false)
    {
        var mask = ShapeUtil.AxisMask("all", axes, Rank);
        long n = 1;
        for (int d = 0; d < Rank; d++) if (mask[d]) n *= Dims[d];
        return NonzeroCount("all", axes, keepDims).Eq(n).To(DType);
    }

    /// <summary>Tests whether every element along one axis is non-zero, as torch.all(x, dim); 1 or 0 in this tensor's dtype.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new mask of this dtype; not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor All(int axis, bool keepDims = false) => All([axis], keepDims);

    /// <summary>Counts the non-zero elements over <paramref name="axes"/> (all axes when null or empty), as torch.count_nonzero; NaN counts.</summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <returns>A new int64 tensor without the reduced axes; not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis appears twice.</exception>
    public Tensor CountNonzero(int[]? axes = null) => NonzeroCount("count_nonzero", axes, keepDims: false);

    /// <summary>Counts the non-zero elements along one axis, as torch.count_nonzero(x, dim).</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <returns>A new int64 tensor without the axis; not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor CountNonzero(int axis) => CountNonzero([axis]);

    private Tensor NonzeroCount(string op, int[]? axes, bool keepDims)
    {
        ShapeUtil.AxisMask(op, axes, Rank);
        if (NumElements == 0) ShapeUtil.CheckReducedSize(op, Dims, axes);
        using var _ = Autodiff.NoGrad();
        var nonzero = DType == DType.Int64 ? Ne(0L) : OwnDetach().Ne(0.0).To(DType.Int64);
        return nonzero.Sum(axes, keepDims);
    }
}
