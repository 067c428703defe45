namespace Autograd;

public partial class Tensor
{
    /// <summary>The same elements in another shape; one dimension may be −1 (inferred). A view when contiguous.</summary>
    /// <param name="shape">The new shape, with the same number of elements; at most one entry is −1.</param>
    /// <returns>A tensor of <paramref name="shape"/> and this dtype: a view of this storage when the strides allow it, otherwise a contiguous copy (this tensor itself if the shape is unchanged); recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has two −1 entries, an entry below −1, or another number of elements.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape: only one dimension can be -1, got {ShapeUtil.Format(shape)}.");
                infer = i;
            }
            else if (target[i] < 0) throw new ArgumentException($"reshape: invalid dimension {target[i]} in {ShapeUtil.Format(shape)}.");
            // Saturated, so that no product of large dimensions wraps around to this tensor's element count.
            else known = Math.Min(known * target[i], (long)System.Array.MaxLength + 1);
        }
        if (infer >= 0)
        {
            if (known == 0 || NumElements % known != 0)
                throw new ArgumentException($"reshape: cannot reshape tensor of shape {ShapeUtil.Format(Dims)} ({NumElements} elements) into {ShapeUtil.Format(shape)}.");
            target[infer] = (int)(NumElements / known);
            known *= target[infer];
        }
        if (known != NumElements)
            throw new ArgumentException($"reshape: cannot reshape tensor of shape {ShapeUtil.Format(Dims)} ({NumElements} elements) into {ShapeUtil.Format(shape)} ({(known > System.Array.MaxLength ? $"more than {System.Array.MaxLength}" : known.ToString(System.Globalization.CultureInfo.InvariantCulture))} elements).");
        return ShapeUtil.SameShape(target, Dims) ? this : Ops.Reshape.Forward(this, target);
    }

    /// <summary>Reorders the axes: axis i of the result is axis <paramref name="axes"/>[i] of this tensor. A view.</summary>
    /// <param name="axes">A permutation of the axes, each in [−rank, rank), one per axis.</param>
    /// <returns>A view of this storage (this tensor itself for the identity), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="axes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="axes"/> does not have one entry per axis, or repeats an axis.</exception>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length != Rank)
            throw new ArgumentException($"permute: got {axes.Length} axes {ShapeUtil.Format(axes)} for a tensor of shape {ShapeUtil.Format(Dims)}.");
        var perm = new int[Rank];
        var seen = new bool[Rank];
        bool identity = true;
        for (int i = 0; i < Rank; i++)
        {
            int a = ShapeUtil.NormalizeAxis("permute", axes[i], Rank);
            if (seen[a]) throw new ArgumentException($"permute: axis {axes[i]} repeats in {ShapeUtil.Format(axes)}.");
            seen[a] = true;
            perm[i] = a;
            identity &= a == i;
        }
        return identity ? this : Ops.Permute.Forward(this, perm);
    }

    /// <summary>Swaps two axes. A view.</summary>
    /// <param name="axis0">The first axis, in [−rank, rank).</param>
    /// <param name="axis1">The second axis, in [−rank, rank).</param>
    /// <returns>A view of this storage (this tensor itself for a tensor of rank below 2), recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis0"/> or <paramref name="axis1"/> is out of range.</exception>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a = ShapeUtil.NormalizeAxis("transpose", axis0, Rank), b = ShapeUtil.NormalizeAxis("transpose", axis1, Rank);
        if (Rank < 2) return this;
        var perm = Enumerable.Range(0, Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>All axes reversed (the matrix transpose for 2-D). A view.</summary>
    public Tensor T => Permute(Enumerable.Range(0, Rank).Reverse().ToArray());

    /// <summary>
    /// Elements start, start + step, … before stop along <paramref name="axis"/>, with Python's rules: negative
    /// bounds count from the end, out-of-range bounds are clipped; step must be positive. A view.
    /// </summary>
    /// <param name="axis">The axis to slice, in [−rank, rank).</param>
    /// <param name="start">The first index; null for 0.</param>
    /// <param name="stop">The index to stop before; null for the axis size.</param>
    /// <param name="step">The stride between selected indices, at least 1.</param>
    /// <returns>A view of this storage, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d, or <paramref name="step"/> is not positive.</exception>
    public Tensor Slice(int axis, int? start = null, int? stop = null, int step = 1)
    {
        int a = ShapeUtil.NormalizeAxis("slice", axis, Rank);
        if (Rank == 0) throw new ArgumentException("slice: cannot slice a 0-d tensor.");
        if (step <= 0) throw new ArgumentException($"slice: step must be positive, got {step}.");
        int n = Dims[a];
        int Clip(int v) => Math.Clamp(v < 0 ? v + n : v, 0, n);
        int s = Clip(start ?? 0), e = Clip(stop ?? n);
        // (e - s + step - 1) / step would overflow for a step near int.MaxValue; one element needs no step at all.
        int count = e > s ? (e - s - 1) / step + 1 : 0;
        return Ops.Slice.Forward(this, a, s, count, count > 1 ? step : 1);
    }

    /// <summary>The entries at <paramref name="indices"/> along <paramref name="axis"/> (torch.index_select); negative indices count from the end.</summary>
    /// <param name="axis">The axis to select along, in [−rank, rank).</param>
    /// <param name="indices">The indices, each in [−size, size) of the axis.</param>
    /// <returns>A new tensor of this dtype whose <paramref name="axis"/> has one entry per index, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d.</exception>
    public Tensor IndexSelect(int axis, params int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return Ops.IndexSelect.Forward(this, ShapeUtil.NormalizeAxis("index_select", axis, Rank), indices.Select(i => (long)i).ToArray());
    }

    /// <summary>The entries at the 1-D int64 <paramref name="indices"/> along <paramref name="axis"/>.</summary>
    /// <param name="axis">The axis to select along, in [−rank, rank).</param>
    /// <param name="indices">A 1-D int64 tensor of indices, each in [−size, size) of the axis.</param>
    /// <returns>A new tensor of this dtype whose <paramref name="axis"/> has one entry per index, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is not a 1-D int64 tensor, or this tensor is 0-d.</exception>
    public Tensor IndexSelect(int axis, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.DType != DType.Int64 || indices.Rank != 1)
            throw new ArgumentException($"index_select: indices must be a 1-D int64 tensor, got {indices.DType.Name()} of shape {ShapeUtil.Format(indices.Dims)}.");
        return Ops.IndexSelect.Forward(this, ShapeUtil.NormalizeAxis("index_select", axis, Rank), indices.ToArray<long>());
    }

    /// <summary>Computes y[…, i, …] = x[…, index[…, i, …], …] along <paramref name="axis"/> (torch.gather); index is int64 of x's rank; x of any dtype.</summary>
    /// <param name="axis">The axis to gather along, in [−rank, rank).</param>
    /// <param name="index">An int64 tensor of this tensor's rank, no larger than it off <paramref name="axis"/>; each entry in [0, size) of the axis.</param>
    /// <returns>A new tensor of <paramref name="index"/>'s shape and this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index entry is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="index"/> is not int64, has another rank, or is larger than this tensor off <paramref name="axis"/>.</exception>
    public Tensor Gather(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.DType != DType.Int64)
            throw new ArgumentException($"gather: index must be an int64 tensor, got {index.DType.Name()}.");
        return Ops.Gather.Forward(this, ShapeUtil.NormalizeAxis("gather", axis, Rank), index);
    }

    /// <summary>Joins tensors along an existing axis; all other dimensions must agree.</summary>
    /// <param name="tensors">The tensors to join, at least one, none 0-d; their dtypes are promoted to a common one.</param>
    /// <param name="axis">The axis to join along, in [−rank, rank).</param>
    /// <returns>A new tensor, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="tensors"/> is empty, holds 0-d tensors, or holds shapes that differ outside <paramref name="axis"/>.</exception>
    public static Tensor Concat(Tensor[] tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("concat: expected at least one tensor.");
        CheckNoNulls("concat", tensors);
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException("concat: 0-d tensors cannot be concatenated; use Stack.");
        int a = ShapeUtil.NormalizeAxis("concat", axis, first.Rank);
        var dtype = tensors.Select(t => t.DType).Aggregate((x, y) => ResultType(x, false, y, false));
        var xs = new Tensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            bool ok = t.Rank == first.Rank;
            for (int d = 0; ok && d < t.Rank; d++) ok = d == a || t.Dims[d] == first.Dims[d];
            if (!ok)
                throw new ArgumentException($"concat: tensor {i} of shape {ShapeUtil.Format(t.Dims)} does not match tensor 0 of shape {ShapeUtil.Format(first.Dims)} outside axis {axis}.");
            xs[i] = t.To(dtype);
        }
        return Ops.Concat.Forward(xs, a);
    }

    /// <summary>Joins tensors of one shape along a new axis.</summary>
    /// <param name="tensors">The tensors to join, at least one, all of one shape; their dtypes are promoted to a common one.</param>
    /// <param name="axis">The position of the new axis, in [−rank−1, rank].</param>
    /// <returns>A new tensor of rank one more than the inputs', recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="tensors"/> is empty or holds different shapes.</exception>
    public static Tensor Stack(Tensor[] tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("stack: expected at least one tensor.");
        CheckNoNulls("stack", tensors);
        for (int i = 1; i < tensors.Length; i++)
            if (!ShapeUtil.SameShape(tensors[i].Dims, tensors[0].Dims))
                throw new ArgumentException($"stack: tensor {i} of shape {ShapeUtil.Format(tensors[i].Dims)} differs from tensor 0 of shape {ShapeUtil.Format(tensors[0].Dims)}.");
        int a = NormalizeInsertAxis("stack", axis, tensors[0].Rank);
        return Concat(tensors.Select(t => t.Unsqueeze(a)).ToArray(), a);
    }

    /// <summary>
    /// This tensor broadcast to <paramref name="shape"/> (NumPy rules; torch.expand): −1 keeps the size of the matching
    /// existing dimension, counted from the right, and is refused for a new leading dimension. A view.
    /// </summary>
    /// <param name="shape">The target shape; each entry is a size ≥ 0 or −1.</param>
    /// <returns>A view of this tensor's storage with the target shape (this tensor itself if the shape is unchanged).</returns>
    /// <exception cref="ArgumentException">An entry is −1 for a new leading dimension or below −1, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    public Tensor BroadcastTo(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = (int[])shape.Clone();
        int lead = target.Length - Rank;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] >= 0) continue;
            if (target[i] != -1)
                throw new ArgumentException($"broadcast_to: invalid size {target[i]} at dimension {i} of {ShapeUtil.Format(shape)}; sizes are at least 0, or -1 to keep a dimension.");
            if (i < lead)
                throw new ArgumentException(
                    $"broadcast_to: the size -1 is not allowed at dimension {i} of {ShapeUtil.Format(shape)}: it is a new leading dimension for the tensor of shape {ShapeUtil.Format(Dims)}, which has no size to keep.");
            target[i] = Dims[i - lead];
        }
        return ShapeUtil.SameShape(target, Dims) ? this : Ops.Expand.Forward(this, target);
    }

    /// <summary>Removes axes of size 1: all of them, or only <paramref name="axis"/> if it has size 1.</summary>
    /// <param name="axis">The axis to remove if its size is 1, in [−rank, rank); null removes every axis of size 1.</param>
    /// <returns>A view of this storage (this tensor itself when nothing is removed), recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor Squeeze(int? axis = null)
    {
        if (axis is { } ax)
        {
            int a = ShapeUtil.NormalizeAxis("squeeze", ax, Rank);
            if (Rank == 0 || Dims[a] != 1) return this;
            return Reshape(Dims.Where((_, d) => d != a).ToArray());
        }
        return Reshape(Dims.Where(d => d != 1).ToArray());
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/> (−Rank−1 … Rank).</summary>
    /// <param name="axis">The position of the new axis, in [−rank−1, rank].</param>
    /// <returns>A view of this storage, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor Unsqueeze(int axis)
    {
        int a = NormalizeInsertAxis("unsqueeze", axis, Rank);
        var shape = Dims.ToList();
        shape.Insert(a, 1);
        return Reshape(shape.ToArray());
    }

    /// <summary>Merges axes <paramref name="startAxis"/> … <paramref name="endAxis"/> into one.</summary>
    /// <param name="startAxis">The first axis to merge, in [−rank, rank).</param>
    /// <param name="endAxis">The last axis to merge, in [−rank, rank); the last by default.</param>
    /// <returns>A tensor as <see cref="Reshape"/> returns (a view when the strides allow it); a 0-d tensor becomes 1-D.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startAxis"/> or <paramref name="endAxis"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="startAxis"/> comes after <paramref name="endAxis"/>.</exception>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = ShapeUtil.NormalizeAxis("flatten", startAxis, Rank), e = ShapeUtil.NormalizeAxis("flatten", endAxis, Rank);
        if (s > e) throw new ArgumentException($"flatten: startAxis {startAxis} comes after endAxis {endAxis} for shape {ShapeUtil.Format(Dims)}.");
        var shape = new List<int>();
        for (int d = 0; d < s; d++) shape.Add(Dims[d]);
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= Dims[d];
        shape.Add(merged);
        for (int d = e + 1; d < Rank; d++) shape.Add(Dims[d]);
        return Reshape(shape.ToArray());
    }

    private static void CheckNoNulls(string op, Tensor[] tensors)
    {
        for (int i = 0; i < tensors.Length; i++)
            if (tensors[i] is null) throw new ArgumentNullException(nameof(tensors), $"{op}: tensor {i} of {tensors.Length} is null.");
    }

    private static int NormalizeInsertAxis(string op, int axis, int rank)
    {
        if (axis < -rank - 1 || axis > rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for inserting into rank {rank} (expected {-rank - 1} to {rank}).");
        return axis < 0 ? axis + rank + 1 : axis;
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="shape"/>: the one helper every backward rule uses for broadcasting.</summary>
    internal Tensor SumTo(int[] shape)
    {
        if (ShapeUtil.SameShape(shape, Dims)) return this;
        int lead = Rank - shape.Length;
        if (lead < 0) throw new InvalidOperationException($"sum_to: cannot reduce shape {ShapeUtil.Format(Dims)} to larger shape {ShapeUtil.Format(shape)}.");
        var axes = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (d < lead || (shape[d - lead] == 1 && Dims[d] != 1)) axes.Add(d);
        return (axes.Count == 0 ? this : Sum(axes.ToArray(), keepDims: true)).Reshape(shape);
    }
}
