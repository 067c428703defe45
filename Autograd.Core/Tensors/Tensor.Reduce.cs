namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Computes the sum over <paramref name="axes"/> (all axes when null or empty). An int64 tensor sums exactly to int64
    /// (wrapping on overflow, as torch.sum).
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Sum(int[]? axes = null, bool keepDims = false)
    {
        if (NumElements == 0) ShapeUtil.CheckReducedSize("sum", Dims, axes);
        return Ops.Sum.Forward(this, axes, keepDims);
    }

    /// <summary>Computes the sum over one axis.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">An empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Sum(int axis, bool keepDims = false) => Sum([axis], keepDims);

    /// <summary>
    /// Computes the mean over <paramref name="axes"/> (all axes when null or empty); NaN for an empty reduction. An int64
    /// tensor is refused, as torch.mean refuses it: convert it first with <c>To(DType.Float32)</c>.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Mean(int[]? axes = null, bool keepDims = false)
    {
        if (NumElements == 0) ShapeUtil.CheckReducedSize("mean", Dims, axes);
        if (DType == DType.Int64)
            throw new ArgumentException(
                $"mean: could not infer the output dtype of the int64 tensor of shape {ShapeUtil.Format(Dims)}: the input must be floating point. " +
                "Convert it first, e.g. x.To(DType.Float32).Mean().");
        RequireFloat("mean");
        var mask = ShapeUtil.AxisMask("mean", axes, Rank);
        long count = 1;
        for (int d = 0; d < Rank; d++) if (mask[d]) count *= Dims[d];
        return Sum(axes, keepDims) / (double)count;
    }

    /// <summary>Computes the mean over one axis.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor Mean(int axis, bool keepDims = false) => Mean([axis], keepDims);

    /// <summary>
    /// Computes the maximum over <paramref name="axes"/> (all axes when null or empty), as torch.amax (torch.max()
    /// for all axes): tied maximal elements share the gradient evenly, each getting g / (number of ties); where the
    /// maximum is NaN, the NaN elements share it.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or a reduced axis has size 0.</exception>
    public Tensor Max(int[]? axes = null, bool keepDims = false) => Extreme(axes, keepDims, true, "max", splitTies: true);

    /// <summary>
    /// Computes the maximum along one axis, as the values of torch.max(x, dim): the gradient goes to the one element
    /// whose index torch.max(dim) returns (the first maximal one, as <see cref="ArgMax"/>), even among ties.
    /// </summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public Tensor Max(int axis, bool keepDims = false) => Extreme([axis], keepDims, true, "max", splitTies: false);

    /// <summary>
    /// Computes the minimum over <paramref name="axes"/> (all axes when null or empty), as torch.amin: tied minimal
    /// elements share the gradient evenly; where the minimum is NaN, the NaN elements share it.
    /// </summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or a reduced axis has size 0.</exception>
    public Tensor Min(int[]? axes = null, bool keepDims = false) => Extreme(axes, keepDims, false, "min", splitTies: true);

    /// <summary>
    /// Computes the minimum along one axis, as the values of torch.min(x, dim): the gradient goes to the first minimal
    /// element (the index <see cref="ArgMin"/> returns), even among ties.
    /// </summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or <paramref name="axis"/> has size 0.</exception>
    public Tensor Min(int axis, bool keepDims = false) => Extreme([axis], keepDims, false, "min", splitTies: false);

    // Move the reduced axes last, flatten them, pick each row's extreme with argmax and gather: recorded as a gather for
    // torch.max(dim)'s one-index rule, or computed off the graph and recorded as the amax primitive, which splits ties.
    private Tensor Extreme(int[]? axes, bool keepDims, bool max, string op, bool splitTies)
    {
        RequireFloat(op);
        var mask = ShapeUtil.AxisMask(op, axes, Rank);
        if (Rank == 0) return Clone();
        var kept = new List<int>();
        var reduced = new List<int>();
        for (int d = 0; d < Rank; d++) (mask[d] ? reduced : kept).Add(d);
        long count = 1;
        foreach (var d in reduced) count *= Dims[d];
        if (count == 0)
            throw new ArgumentException($"{op}: cannot reduce over axes of size 0 (shape {ShapeUtil.Format(Dims)}, axes {ShapeUtil.Format(reduced.ToArray())}).");
        var keptShape = kept.Select(d => Dims[d]).ToArray();
        // Internal views: a reduction must not mark this tensor's storage as shared with a view, which would refuse a
        // later recorded in-place write into it.
        var source = splitTies ? OwnDetach() : this;
        var rows = Ops.Reshape.Forward(Ops.Permute.Forward(source, [.. kept, .. reduced], shared: false), [.. keptShape, (int)count], shared: false);
        var index = Kernels.Reduce.ArgExtreme(rows, keptShape.Length, max, op);
        var values = Ops.Gather.Forward(rows, keptShape.Length, index);
        if (splitTies) return Ops.Extremum.Forward(this, values.Reshape(KeptDimsShape(mask)), mask, keepDims, max);
        return values.Reshape(keepDims ? KeptDimsShape(mask) : keptShape);
    }

    private int[] KeptDimsShape(bool[] mask)
    {
        var shape = Shape;
        for (int d = 0; d < Rank; d++) if (mask[d]) shape[d] = 1;
        return shape;
    }

    /// <summary>Index of the first maximum over the flattened tensor (0-d) or along <paramref name="axis"/>, as int64; not differentiable.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank); null for the flattened tensor.</param>
    /// <param name="keepDims">Whether the reduced axis (every axis when <paramref name="axis"/> is null) stays in the result with size 1.</param>
    /// <returns>A new int64 tensor, not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or the reduction is over no elements (an empty tensor, or an axis of size 0).</exception>
    public Tensor ArgMax(int? axis = null, bool keepDims = false) => ArgExtreme(axis, keepDims, true, "argmax");

    /// <summary>Index of the first minimum over the flattened tensor (0-d) or along <paramref name="axis"/>, as int64; not differentiable.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank); null for the flattened tensor.</param>
    /// <param name="keepDims">Whether the reduced axis (every axis when <paramref name="axis"/> is null) stays in the result with size 1.</param>
    /// <returns>A new int64 tensor, not recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or the reduction is over no elements (an empty tensor, or an axis of size 0).</exception>
    public Tensor ArgMin(int? axis = null, bool keepDims = false) => ArgExtreme(axis, keepDims, false, "argmin");

    // Detach() for a reduction's own use: the same storage, off the graph, without marking it as shared with a view.
    private Tensor OwnDetach() => InternalView(this, Dims, StrideArray, Offset);

    private Tensor ArgExtreme(int? axis, bool keepDims, bool max, string op)
    {
        RequireFloat(op);
        if (axis is null)
        {
            if (NumElements == 0) throw new ArgumentException($"{op}: cannot reduce an empty tensor of shape {ShapeUtil.Format(Dims)}.");
            var flat = Ops.Reshape.Forward(OwnDetach(), [NumElements], shared: false);
            var i = Kernels.Reduce.ArgExtreme(flat, 0, max, op);
            return keepDims ? i.ViewAs(Enumerable.Repeat(1, Rank).ToArray()) : i.ViewAs([]);
        }
        int a = ShapeUtil.NormalizeAxis(op, axis.Value, Rank);
        var result = Kernels.Reduce.ArgExtreme(this, a, max, op);
        if (keepDims || Rank == 0) return result;
        var shape = Dims.Where((_, d) => d != a).ToArray();
        return result.ViewAs(shape);
    }

    /// <summary>Computes log Σ exp(x) over <paramref name="axes"/>, stable for large |x| (the maximum is subtracted first).</summary>
    /// <param name="axes">The axes to reduce, each in [−rank, rank); null or empty reduces all axes.</param>
    /// <param name="keepDims">Whether the reduced axes stay in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd (−∞ for a reduction over no elements).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, an axis appears twice, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor LogSumExp(int[]? axes = null, bool keepDims = false)
    {
        if (NumElements == 0) ShapeUtil.CheckReducedSize("logsumexp", Dims, axes);
        RequireFloat("logsumexp");
        var mask = ShapeUtil.AxisMask("logsumexp", axes, Rank);
        var shift = StableShift(axes, mask);
        var result = (this - shift).Exp().Sum(axes, keepDims: true).Log() + shift;
        return keepDims ? result : result.Reshape(Ops.Sum.Squeezed(result.Dims, mask));
    }

    /// <summary>Computes log Σ exp(x) over one axis.</summary>
    /// <param name="axis">The axis to reduce, in [−rank, rank).</param>
    /// <param name="keepDims">Whether the reduced axis stays in the result with size 1.</param>
    /// <returns>A new tensor of this dtype, recorded for autograd (−∞ for a reduction over no elements).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64, or an empty input's result would have more than <see cref="Array.MaxLength"/> elements.</exception>
    public Tensor LogSumExp(int axis, bool keepDims = false) => LogSumExp([axis], keepDims);

    /// <summary>Computes y[i] = exp(x[i] − max) / Σ_j exp(x[j] − max) along <paramref name="axis"/> (one primitive, torch.softmax).</summary>
    /// <param name="axis">The axis to normalize along, in [−rank, rank); the last by default.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor Softmax(int axis = -1) => Ops.Softmax.Forward(this, axis);

    /// <summary>Computes y[i] = x[i] − max − log Σ_j exp(x[j] − max) along <paramref name="axis"/>, stably (one primitive, torch.log_softmax).</summary>
    /// <param name="axis">The axis to normalize along, in [−rank, rank); the last by default.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is int64.</exception>
    public Tensor LogSoftmax(int axis = -1) => Ops.LogSoftmax.Forward(this, axis);

    /// <summary>
    /// Computes the cross-entropy of these logits with int64 class indices <paramref name="target"/> along the class axis
    /// <paramref name="axis"/>: y[n] = log Σ_c exp x[n, c] − x[n, t[n]] per sample, unreduced (one primitive; F.cross_entropy
    /// with reduction 'none', for any class axis). <paramref name="target"/> has this tensor's shape without the class
    /// axis, and every index lies in [0, C). <c>Losses.CrossEntropy</c> adds the checks and reductions of PyTorch's loss.
    /// </summary>
    /// <param name="target">The int64 class indices, of this tensor's shape without the class axis.</param>
    /// <param name="axis">The class axis, in [−rank, rank); the last by default.</param>
    /// <returns>A new tensor of the target's shape and this tensor's dtype holding the per-sample losses, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range, or a class index lies outside [0, C).</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d or int64, or <paramref name="target"/> is not int64 or has the wrong shape.</exception>
    public Tensor CrossEntropy(Tensor target, int axis = -1) => Ops.CrossEntropy.Forward(this, target, axis);

    // The detached per-row maximum (0 where it is ±∞ or the row is empty), subtracted before exp for stability.
    private Tensor StableShift(int[]? axes, bool[] mask)
    {
        using var _ = Autodiff.NoGrad();
        var shape = KeptDimsShape(mask);
        bool empty = Rank > 0 && mask.Select((m, d) => m && Dims[d] == 0).Any(b => b);
        if (empty || NumElements == 0) return Zeros(shape, DType);
        var m = OwnDetach().Max(axes, keepDims: true).Contiguous().Clone();
        for (int i = 0; i < m.NumElements; i++)
            if (!double.IsFinite(m.ReadAt(m.Offset + i))) m.Write(i, 0);
        return m;
    }
}
