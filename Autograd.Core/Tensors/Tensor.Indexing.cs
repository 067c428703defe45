using Autograd.Kernels;

namespace Autograd;

public partial class Tensor
{
    /// <summary>Splits this tensor into pieces of <paramref name="splitSize"/> along <paramref name="axis"/>, the last one shorter if the size does not divide (torch.split).</summary>
    /// <param name="splitSize">The length of each piece, at least 1 (0 only for an axis of size 0).</param>
    /// <param name="axis">The axis to split, in [−rank, rank).</param>
    /// <returns>The pieces in order: views of this storage, each recorded for autograd; one (empty) piece for an axis of size 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d, or <paramref name="splitSize"/> is negative, or 0 for an axis of nonzero size.</exception>
    public Tensor[] Split(int splitSize, int axis = 0)
    {
        int a = RequireAxis("split", axis);
        int n = Dims[a];
        if (splitSize < 0 || (splitSize == 0 && n != 0))
            throw new ArgumentException($"split: split_size must be positive (0 only if the dimension size is 0), got {splitSize} for dimension {axis} of size {n}.");
        if (n == 0) return [this.Slice(a, 0, 0)];
        var pieces = new Tensor[(n + splitSize - 1) / splitSize];
        for (int i = 0; i < pieces.Length; i++) pieces[i] = Slice(a, i * splitSize, (int)Math.Min((long)(i + 1) * splitSize, n));
        return pieces;
    }

    /// <summary>Splits this tensor along <paramref name="axis"/> into pieces of the given lengths (torch.split with a list of sizes).</summary>
    /// <param name="splitSizes">The length of each piece, each at least 0, adding up to the size of the axis.</param>
    /// <param name="axis">The axis to split, in [−rank, rank).</param>
    /// <returns>One piece per entry of <paramref name="splitSizes"/>: views of this storage, each recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="splitSizes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d, or a size is negative, or the sizes do not add up to the size of the axis.</exception>
    public Tensor[] Split(int[] splitSizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(splitSizes);
        int a = RequireAxis("split", axis);
        long total = 0;
        foreach (var s in splitSizes)
        {
            if (s < 0) throw new ArgumentException($"split: split sizes must be non-negative, got {ShapeUtil.Format(splitSizes)}.");
            total += s;
        }
        if (total != Dims[a])
            throw new ArgumentException($"split: split sizes {ShapeUtil.Format(splitSizes)} must sum exactly to {Dims[a]}, the size of dimension {axis} of the tensor of shape {ShapeUtil.Format(Dims)}.");
        var pieces = new Tensor[splitSizes.Length];
        int at = 0;
        for (int i = 0; i < pieces.Length; i++)
        {
            pieces[i] = Slice(a, at, at + splitSizes[i]);
            at += splitSizes[i];
        }
        return pieces;
    }

    /// <summary>Splits this tensor into at most <paramref name="chunks"/> pieces of ⌈size / chunks⌉ along <paramref name="axis"/> (torch.chunk); fewer when the size is too small.</summary>
    /// <param name="chunks">The number of pieces wanted, at least 1.</param>
    /// <param name="axis">The axis to split, in [−rank, rank).</param>
    /// <returns>The pieces in order: views of this storage, each recorded for autograd; <paramref name="chunks"/> empty pieces for an axis of size 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d, or <paramref name="chunks"/> is below 1.</exception>
    public Tensor[] Chunk(int chunks, int axis = 0)
    {
        int a = RequireAxis("chunk", axis);
        if (chunks <= 0) throw new ArgumentException($"chunk: chunks must be greater than 0, got {chunks}.");
        int n = Dims[a];
        if (n == 0) return Split(new int[chunks], a);
        return Split((int)((n + (long)chunks - 1) / chunks), a);
    }

    /// <summary>The slices along <paramref name="axis"/>, each without that axis (torch.unbind).</summary>
    /// <param name="axis">The axis to remove, in [−rank, rank).</param>
    /// <returns>One tensor per entry of the axis: views of this storage, each recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d.</exception>
    public Tensor[] Unbind(int axis = 0)
    {
        int a = RequireAxis("unbind", axis);
        var shape = Dims.Where((_, d) => d != a).ToArray();
        var pieces = new Tensor[Dims[a]];
        for (int i = 0; i < pieces.Length; i++) pieces[i] = Slice(a, i, i + 1).Reshape(shape);
        return pieces;
    }

    /// <summary>Elements <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1 along <paramref name="axis"/> (torch.narrow). A view.</summary>
    /// <param name="axis">The axis to narrow, in [−rank, rank).</param>
    /// <param name="start">The first index, in [−size, size]; negative counts from the end.</param>
    /// <param name="length">The number of elements kept, at least 0, with start + length at most the size.</param>
    /// <returns>A view of this storage, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or <paramref name="start"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d, <paramref name="length"/> is negative, or the range runs past the end.</exception>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = RequireAxis("narrow", axis);
        int n = Dims[a];
        if (start < -n || start > n)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"narrow: start {start} is out of range for dimension {axis} of size {n} (expected {-n} to {n}).");
        if (length < 0) throw new ArgumentException($"narrow: length must be non-negative, got {length}.");
        int s = start < 0 ? start + n : start;
        if ((long)s + length > n)
            throw new ArgumentException($"narrow: start ({s}) + length ({length}) exceeds dimension size ({n}) of dimension {axis}.");
        return Slice(a, s, s + length);
    }

    /// <summary>Splits axis <paramref name="axis"/> into several of the given sizes (torch.unflatten), the inverse of <see cref="Flatten"/>.</summary>
    /// <param name="axis">The axis to split, in [−rank, rank).</param>
    /// <param name="sizes">The new sizes, whose product is the size of the axis; one entry may be −1 (inferred).</param>
    /// <returns>A tensor as <see cref="Reshape"/> returns (a view when the strides allow it), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sizes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is 0-d, <paramref name="sizes"/> is empty, has two −1 entries or an entry below −1, or does not multiply up to the size of the axis.</exception>
    public Tensor Unflatten(int axis, params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int a = RequireAxis("unflatten", axis);
        if (sizes.Length == 0) throw new ArgumentException("unflatten: sizes must be non-empty.");
        var target = (int[])sizes.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1 && infer < 0) infer = i;
            else if (target[i] < 0) throw new ArgumentException($"unflatten: invalid sizes {ShapeUtil.Format(sizes)}: only one -1 is allowed, and no other negative size.");
            else known *= target[i];
        }
        int n = Dims[a];
        if (infer >= 0 && known != 0 && n % known == 0) target[infer] = (int)(n / known);
        else if (infer >= 0 || known != n)
            throw new ArgumentException($"unflatten: sizes {ShapeUtil.Format(sizes)} don't multiply up to the size of dimension {axis} ({n}) of the tensor of shape {ShapeUtil.Format(Dims)}.");
        return Reshape([.. Dims[..a], .. target, .. Dims[(a + 1)..]]);
    }

    /// <summary>Moves axis <paramref name="source"/> to position <paramref name="destination"/>, the others keeping their order (torch.movedim). A view.</summary>
    /// <param name="source">The axis to move, in [−rank, rank).</param>
    /// <param name="destination">Its position in the result, in [−rank, rank).</param>
    /// <returns>A view of this storage, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="source"/> or <paramref name="destination"/> is out of range.</exception>
    public Tensor Movedim(int source, int destination) => Movedim([source], [destination]);

    /// <summary>Moves axes <paramref name="source"/>[i] to positions <paramref name="destination"/>[i], the others keeping their order (torch.movedim). A view.</summary>
    /// <param name="source">The axes to move, each in [−rank, rank), none repeated.</param>
    /// <param name="destination">Their positions in the result, as many, each in [−rank, rank), none repeated.</param>
    /// <returns>A view of this storage, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">The two lists differ in length, or one repeats an axis.</exception>
    public Tensor Movedim(int[] source, int[] destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.Length != destination.Length)
            throw new ArgumentException($"movedim: invalid source or destination dims: source ({ShapeUtil.Format(source)} dims) should contain the same number of dims as destination ({ShapeUtil.Format(destination)} dims).");
        int rank = Rank;
        var perm = Enumerable.Repeat(-1, Math.Max(rank, 1)).ToArray();
        var moved = new bool[perm.Length];
        for (int i = 0; i < source.Length; i++)
        {
            int s = ShapeUtil.NormalizeAxis("movedim", source[i], rank), d = ShapeUtil.NormalizeAxis("movedim", destination[i], rank);
            if (moved[s]) throw new ArgumentException($"movedim: repeated dim in `source` ({ShapeUtil.Format(source)}).");
            if (perm[d] >= 0) throw new ArgumentException($"movedim: repeated dim in `destination` ({ShapeUtil.Format(destination)}).");
            moved[s] = true;
            perm[d] = s;
        }
        if (rank == 0) return this;
        int next = 0;
        for (int d = 0; d < rank; d++)
        {
            if (perm[d] >= 0) continue;
            while (moved[next]) next++;
            perm[d] = next++;
        }
        return Permute(perm);
    }

    /// <summary>This tensor repeated along each axis (torch.Tensor.repeat); extra leading repeat counts add leading axes.</summary>
    /// <param name="repeats">One count per axis, at least as many as the rank, each at least 0.</param>
    /// <returns>A new tensor whose axis i has size repeats[i] × size i (the sizes padded with leading 1s), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="repeats"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="repeats"/> has fewer entries than the rank, or a negative entry.</exception>
    public Tensor Repeat(params int[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length < Rank)
            throw new ArgumentException($"repeat: number of repeat dims ({repeats.Length}, {ShapeUtil.Format(repeats)}) can not be smaller than the number of dimensions of the tensor of shape {ShapeUtil.Format(Dims)}.");
        if (repeats.Any(r => r < 0)) throw new ArgumentException($"repeat: repeats must be non-negative, got {ShapeUtil.Format(repeats)}.");
        int lead = repeats.Length - Rank;
        var padded = Enumerable.Repeat(1, lead).Concat(Dims).ToArray();
        // [d0, d1, …] as [1, d0, 1, d1, …], broadcast to [r0, d0, r1, d1, …] and merged pairwise.
        var spread = new int[2 * padded.Length];
        var wide = new int[2 * padded.Length];
        var result = new int[padded.Length];
        for (int i = 0; i < padded.Length; i++)
        {
            spread[2 * i] = 1;
            spread[2 * i + 1] = padded[i];
            wide[2 * i] = repeats[i];
            wide[2 * i + 1] = padded[i];
            result[i] = (int)Math.Min((long)repeats[i] * padded[i], int.MaxValue);
        }
        ShapeUtil.NumElements(result, "repeat");
        return Reshape(spread).BroadcastTo(wide).Reshape(result);
    }

    /// <summary>This tensor tiled (torch.tile): as <see cref="Repeat"/>, but with fewer counts than the rank the leading axes are repeated once.</summary>
    /// <param name="reps">The counts, each at least 0; missing leading counts are 1.</param>
    /// <returns>A new tensor, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reps"/> is null.</exception>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public Tensor Tile(params int[] reps)
    {
        ArgumentNullException.ThrowIfNull(reps);
        if (reps.Any(r => r < 0)) throw new ArgumentException($"tile: reps must be non-negative, got {ShapeUtil.Format(reps)}.");
        return Repeat(reps.Length >= Rank ? reps : Enumerable.Repeat(1, Rank - reps.Length).Concat(reps).ToArray());
    }

    /// <summary>Each element repeated <paramref name="repeats"/> times in place along <paramref name="axis"/> (torch.repeat_interleave); without an axis the flattened tensor.</summary>
    /// <param name="repeats">How often each element is repeated, at least 0.</param>
    /// <param name="axis">The axis, in [−rank, rank); null flattens first and gives a 1-D result.</param>
    /// <returns>A new tensor, recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="repeats"/> is negative, or an axis is given for a 0-d tensor.</exception>
    public Tensor RepeatInterleave(int repeats, int? axis = null)
    {
        if (repeats < 0) throw new ArgumentException($"repeat_interleave: repeats can not be negative, got {repeats}.");
        var (x, a) = InterleaveInput(axis);
        var shape = x.Dims.ToList();
        shape.Insert(a + 1, repeats);
        var result = x.Shape;
        result[a] = (int)Math.Min((long)result[a] * repeats, int.MaxValue);
        ShapeUtil.NumElements(result, "repeat_interleave");
        return x.Unsqueeze(a + 1).BroadcastTo([.. shape]).Reshape(result);
    }

    /// <summary>Element i repeated repeats[i] times in place along <paramref name="axis"/> (torch.repeat_interleave); without an axis the flattened tensor.</summary>
    /// <param name="repeats">An int64 tensor, 0-d or 1-D with one entry (the same count for all) or one per element of the axis; entries at least 0.</param>
    /// <param name="axis">The axis, in [−rank, rank); null flattens first and gives a 1-D result.</param>
    /// <returns>A new tensor, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="repeats"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="repeats"/> is not a 0-d or 1-D int64 tensor, has a negative entry or the wrong length, or an axis is given for a 0-d tensor.</exception>
    public Tensor RepeatInterleave(Tensor repeats, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.DType != DType.Int64 || repeats.Rank > 1)
            throw new ArgumentException($"repeat_interleave: repeats must be a 0-d or 1-D int64 tensor, got {repeats.DType.Name()} of shape {ShapeUtil.Format(repeats.Dims)}.");
        var counts = repeats.ToArray<long>();
        if (counts.Any(c => c < 0)) throw new ArgumentException("repeat_interleave: repeats can not be negative.");
        var (x, a) = InterleaveInput(axis);
        if (counts.Length == 1) return RepeatInterleave((int)Math.Min(counts[0], int.MaxValue), axis);
        int n = x.Dims[a];
        if (counts.Length != n)
            throw new ArgumentException($"repeat_interleave: repeats of length {counts.Length} must have the same size as the input along dimension {a} ({n}).");
        long total = counts.Sum();
        if (total > System.Array.MaxLength) throw new ArgumentException($"repeat_interleave: {total} repeats are more than a tensor can hold.");
        var indices = new long[total];
        int at = 0;
        for (int i = 0; i < n; i++)
            for (long c = 0; c < counts[i]; c++) indices[at++] = i;
        return Ops.IndexSelect.Forward(x, a, indices);
    }

    private (Tensor X, int Axis) InterleaveInput(int? axis)
    {
        if (axis is null) return (Reshape(-1), 0);
        if (Rank == 0) throw new ArgumentException($"repeat_interleave: dimension {axis} is out of range for a 0-d tensor; leave the axis out to flatten.");
        return (this, ShapeUtil.NormalizeAxis("repeat_interleave", axis.Value, Rank));
    }

    /// <summary>The order of elements reversed along each of <paramref name="axes"/> (torch.flip).</summary>
    /// <param name="axes">The axes to reverse, each in [−rank, rank), none repeated.</param>
    /// <returns>A new tensor (this tensor itself when no axis has more than one element), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="axes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis repeats.</exception>
    public Tensor Flip(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var mask = new bool[Math.Max(Rank, 1)];
        foreach (var axis in axes)
        {
            int a = ShapeUtil.NormalizeAxis("flip", axis, Rank);
            if (mask[a]) throw new ArgumentException($"flip: dim {axis} appears multiple times in the list of dims {ShapeUtil.Format(axes)}.");
            mask[a] = true;
        }
        var y = this;
        for (int a = 0; a < Rank; a++)
        {
            int n = Dims[a];
            if (!mask[a] || n < 2) continue;
            var reversed = new long[n];
            for (int i = 0; i < n; i++) reversed[i] = n - 1 - i;
            y = Ops.IndexSelect.Forward(y, a, reversed);
        }
        return y;
    }

    /// <summary>Rolls the flattened tensor by <paramref name="shift"/> places, or along <paramref name="axis"/>: element i moves to i + shift, wrapping around (torch.roll).</summary>
    /// <param name="shift">The number of places; negative rolls the other way.</param>
    /// <param name="axis">The axis to roll along, in [−rank, rank); null rolls the flattened tensor and restores the shape.</param>
    /// <returns>A new tensor (this tensor itself when nothing moves), recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range, or given for a 0-d tensor.</exception>
    public Tensor Roll(int shift, int? axis = null) => axis is { } a ? Roll([shift], [a]) : Roll([shift], []);

    /// <summary>Rolls along several axes: shifts[i] places along axes[i] (torch.roll); with no axes, the flattened tensor by shifts[0].</summary>
    /// <param name="shifts">The number of places per axis; negative rolls the other way.</param>
    /// <param name="axes">The axes, as many as <paramref name="shifts"/>, each in [−rank, rank); empty rolls the flattened tensor (one shift).</param>
    /// <returns>A new tensor (this tensor itself when nothing moves), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shifts"/> or <paramref name="axes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range, or given for a 0-d tensor.</exception>
    /// <exception cref="ArgumentException">The shifts and axes differ in number (one shift without axes).</exception>
    public Tensor Roll(int[] shifts, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0)
        {
            if (shifts.Length != 1) throw new ArgumentException($"roll: shifts {ShapeUtil.Format(shifts)} must have exactly one entry when no dims are given.");
            return Rank == 1 ? RollAlong(0, shifts[0]) : Reshape(-1).RollAlong(0, shifts[0]).Reshape(Dims);
        }
        if (shifts.Length != axes.Length)
            throw new ArgumentException($"roll: shifts and dimensions must align: {shifts.Length} shifts {ShapeUtil.Format(shifts)} for {axes.Length} dims {ShapeUtil.Format(axes)}.");
        if (Rank == 0)
            throw new ArgumentOutOfRangeException(nameof(axes), $"roll: dimension {axes[0]} is out of range for a 0-d tensor; leave the dims out to roll it.");
        var y = this;
        for (int i = 0; i < axes.Length; i++) y = y.RollAlong(ShapeUtil.NormalizeAxis("roll", axes[i], Rank), shifts[i]);
        return y;
    }

    // The last s elements moved to the front: two views joined.
    private Tensor RollAlong(int axis, int shift)
    {
        int n = Dims[axis];
        if (n < 2) return this;
        int s = (int)(((long)shift % n + n) % n);
        return s == 0 ? this : Concat([Slice(axis, n - s), Slice(axis, 0, n - s)], axis);
    }

    /// <summary>This tensor with <paramref name="value"/> where <paramref name="mask"/> is nonzero (torch.masked_fill).</summary>
    /// <param name="mask">The mask, of any dtype, broadcastable to this tensor's shape: a nonzero element is filled.</param>
    /// <param name="value">The fill value (truncated for an int64 tensor).</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd (zero gradient where filled).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mask"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="mask"/> does not broadcast to this tensor's shape.</exception>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        CheckMaskShape("masked_fill", mask);
        return DType == DType.Int64 ? Where(mask, (long)value, this) : Where(mask, Scalar(value, DType), this);
    }

    /// <summary>This tensor with the 0-d <paramref name="value"/> where <paramref name="mask"/> is nonzero (torch.masked_fill); the value gets the summed gradient of the filled places.</summary>
    /// <param name="mask">The mask, of any dtype, broadcastable to this tensor's shape: a nonzero element is filled.</param>
    /// <param name="value">A 0-d tensor, converted to this dtype.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mask"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not 0-d, or <paramref name="mask"/> does not broadcast to this tensor's shape.</exception>
    public Tensor MaskedFill(Tensor mask, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank != 0)
            throw new ArgumentException($"masked_fill: only supports a 0-dimensional value tensor, but got a tensor of shape {ShapeUtil.Format(value.Dims)}.");
        CheckMaskShape("masked_fill", mask);
        return Where(mask, value.To(DType), this);
    }

    private void CheckMaskShape(string op, Tensor mask)
    {
        bool fits = mask.Rank <= Rank;
        for (int d = 1; fits && d <= mask.Rank; d++) fits = mask.Dims[^d] == 1 || mask.Dims[^d] == Dims[^d];
        if (!fits)
            throw new ArgumentException($"{op}: mask of shape {ShapeUtil.Format(mask.Dims)} does not broadcast to the tensor's shape {ShapeUtil.Format(Dims)}.");
    }

    /// <summary>The elements where <paramref name="mask"/> is nonzero, in row-major order, as a 1-D tensor (torch.masked_select); mask and tensor broadcast together.</summary>
    /// <param name="mask">The mask, of any dtype: a nonzero element selects.</param>
    /// <returns>A new 1-D tensor of this dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mask"/> is null.</exception>
    /// <exception cref="ArgumentException">The mask and this tensor do not broadcast together.</exception>
    public Tensor MaskedSelect(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var shape = ShapeUtil.Broadcast("masked_select", mask.Dims, Dims);
        var m = mask.Detach().BroadcastTo(shape).ToArray<double>();
        var picked = new List<long>();
        for (int i = 0; i < m.Length; i++) if (m[i] != 0) picked.Add(i);
        return Ops.IndexSelect.Forward(BroadcastTo(shape).Reshape(-1), 0, picked.ToArray());
    }

    /// <summary>The lower triangle of the last two axes (torch.tril): elements with column − row ≤ <paramref name="diagonal"/> kept, the others 0.</summary>
    /// <param name="diagonal">0 for the main diagonal, positive above it, negative below.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor has fewer than 2 axes.</exception>
    public Tensor Tril(int diagonal = 0) => Triangle("tril", diagonal, lower: true);

    /// <summary>The upper triangle of the last two axes (torch.triu): elements with column − row ≥ <paramref name="diagonal"/> kept, the others 0.</summary>
    /// <param name="diagonal">0 for the main diagonal, positive above it, negative below.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor has fewer than 2 axes.</exception>
    public Tensor Triu(int diagonal = 0) => Triangle("triu", diagonal, lower: false);

    private Tensor Triangle(string op, int diagonal, bool lower)
    {
        if (Rank < 2) throw new ArgumentException($"{op}: input tensor must have at least 2 dimensions, got shape {ShapeUtil.Format(Dims)}.");
        int rows = Dims[^2], cols = Dims[^1];
        var keep = new long[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                long d = (long)j - i;
                keep[i * cols + j] = (lower ? d <= diagonal : d >= diagonal) ? 1 : 0;
            }
        var mask = From(keep, rows, cols);
        return DType == DType.Int64 ? Where(mask, this, 0L) : Where(mask, this, Scalar(0, DType));
    }

    /// <summary>
    /// torch.diag: a 1-D tensor becomes the square matrix with it on diagonal <paramref name="diagonal"/>; a 2-D tensor
    /// gives that diagonal as a 1-D tensor.
    /// </summary>
    /// <param name="diagonal">0 for the main diagonal, positive above it, negative below.</param>
    /// <returns>A new tensor (2-D from 1-D, 1-D from 2-D), recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is neither 1-D nor 2-D.</exception>
    public Tensor Diag(int diagonal = 0)
    {
        if (Rank == 2) return Diagonal(diagonal);
        if (Rank != 1) throw new ArgumentException($"diag: expected a 1-D or 2-D tensor, got shape {ShapeUtil.Format(Dims)}.");
        int n = Dims[0];
        long m = n + Math.Abs((long)diagonal);
        if (m * m > System.Array.MaxLength) throw new ArgumentException($"diag: a {m} × {m} result is more than a tensor can hold.");
        int size = (int)m, row = Math.Max(-diagonal, 0), col = Math.Max(diagonal, 0);
        var at = new long[n];
        for (int i = 0; i < n; i++) at[i] = (long)(i + row) * size + i + col;
        return Ops.Scatter.Forward(Zeros([size * size], DType), 0, From(at), this, "diag").Reshape(size, size);
    }

    /// <summary>The diagonal <paramref name="offset"/> of the planes spanned by two axes, as a new last axis (torch.diagonal); a view when the layout allows it.</summary>
    /// <param name="offset">0 for the main diagonal, positive above it, negative below.</param>
    /// <param name="axis1">The row axis, in [−rank, rank).</param>
    /// <param name="axis2">The column axis, in [−rank, rank), other than <paramref name="axis1"/>.</param>
    /// <returns>A tensor without the two axes and with the diagonal as its last axis (empty when the offset is past the edge), recorded for autograd.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis1"/> or <paramref name="axis2"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The two axes are the same, or this tensor has fewer than 2 axes.</exception>
    public Tensor Diagonal(int offset = 0, int axis1 = 0, int axis2 = 1)
    {
        if (Rank < 2) throw new ArgumentException($"diagonal: expected a tensor with at least 2 dimensions, got shape {ShapeUtil.Format(Dims)}.");
        int a = ShapeUtil.NormalizeAxis("diagonal", axis1, Rank), b = ShapeUtil.NormalizeAxis("diagonal", axis2, Rank);
        if (a == b) throw new ArgumentException($"diagonal: dimensions cannot be identical {axis1}, {axis2}.");
        int rows = Dims[a], cols = Dims[b];
        var perm = Enumerable.Range(0, Rank).Where(d => d != a && d != b).Append(a).Append(b).ToArray();
        var others = perm[..^2].Select(d => Dims[d]).ToArray();
        var plane = Permute(perm).Reshape([.. others, rows * cols]);
        long length = offset >= 0 ? Math.Min(rows, (long)cols - offset) : Math.Min((long)rows + offset, cols);
        if (length <= 0) return plane.Slice(-1, 0, 0);
        int start = offset >= 0 ? offset : -offset * cols;
        return plane.Slice(-1, start, (int)(start + (length - 1) * (cols + 1) + 1), cols + 1);
    }

    /// <summary>
    /// The values and int64 positions that sort each line along <paramref name="axis"/> (torch.sort); NaN sorts as the
    /// largest value. The sort is always stable: equal values keep their order, in both directions.
    /// </summary>
    /// <param name="axis">The axis to sort along, in [−rank, rank).</param>
    /// <param name="descending">Largest first when true.</param>
    /// <param name="stable">Accepted for PyTorch's signature; the sort is stable either way.</param>
    /// <returns>The sorted values (recorded for autograd: the gradient goes back to each value's position) and their int64 indices, both of this shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public (Tensor Values, Tensor Indices) Sort(int axis = -1, bool descending = false, bool stable = false)
    {
        _ = stable;
        int a = ShapeUtil.NormalizeAxis("sort", axis, Rank);
        var indices = Selection.SortIndices(this, a, descending, Rank == 0 ? 1 : Dims[a]);
        return (Ops.Gather.Forward(this, a, indices), indices);
    }

    /// <summary>The int64 positions that sort each line along <paramref name="axis"/> (torch.argsort), as <see cref="Sort"/> orders them.</summary>
    /// <param name="axis">The axis to sort along, in [−rank, rank).</param>
    /// <param name="descending">Largest first when true.</param>
    /// <param name="stable">Accepted for PyTorch's signature; the sort is stable either way.</param>
    /// <returns>A new int64 tensor of this shape; not differentiable.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor ArgSort(int axis = -1, bool descending = false, bool stable = false)
    {
        _ = stable;
        int a = ShapeUtil.NormalizeAxis("argsort", axis, Rank);
        return Selection.SortIndices(this, a, descending, Rank == 0 ? 1 : Dims[a]);
    }

    /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="axis"/> and their int64 positions (torch.topk); NaN counts as the largest value.</summary>
    /// <param name="k">How many to keep, from 0 to the size of the axis.</param>
    /// <param name="axis">The axis, in [−rank, rank).</param>
    /// <param name="largest">The largest values when true, the smallest otherwise.</param>
    /// <param name="sorted">Accepted for PyTorch's signature; the values always come in order (largest first, or smallest first), ties by position.</param>
    /// <returns>The values (recorded for autograd: the gradient goes back to each value's position) and their int64 indices, of this shape with <paramref name="axis"/> of size <paramref name="k"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or <paramref name="k"/> is out of range.</exception>
    public (Tensor Values, Tensor Indices) TopK(int k, int axis = -1, bool largest = true, bool sorted = true)
    {
        _ = sorted;
        int a = ShapeUtil.NormalizeAxis("topk", axis, Rank);
        int n = Rank == 0 ? 1 : Dims[a];
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"topk: k ({k}) must be non-negative.");
        if (k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"topk: k ({k}) is larger than dimension {a} of size {n}.");
        var indices = Selection.SortIndices(this, a, largest, k);
        return (Ops.Gather.Forward(this, a, indices), indices);
    }

    /// <summary>
    /// out = this tensor with out[…, index[…, i, …], …] = src[…, i, …] along <paramref name="axis"/> (torch.scatter); where
    /// an index repeats, the last write wins. This tensor's gradient is 0 where written; src's is the gathered gradient.
    /// </summary>
    /// <param name="axis">The axis the indices point along, in [−rank, rank).</param>
    /// <param name="index">An int64 tensor of this rank, no larger than <paramref name="src"/> on any axis nor than this tensor off <paramref name="axis"/>; entries in [0, size).</param>
    /// <param name="src">The values, of this dtype and rank; only the part covered by <paramref name="index"/> is read.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> or <paramref name="src"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index entry is out of range.</exception>
    /// <exception cref="ArgumentException">The dtypes, ranks or sizes do not fit.</exception>
    public Tensor Scatter(int axis, Tensor index, Tensor src)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(src);
        int a = CheckScatter("scatter", axis, index, src);
        return Ops.Scatter.Forward(this, a, index, FitTo(src, index));
    }

    /// <summary>out = this tensor with out[…, index[…, i, …], …] = <paramref name="value"/> along <paramref name="axis"/> (torch.scatter with a value).</summary>
    /// <param name="axis">The axis the indices point along, in [−rank, rank).</param>
    /// <param name="index">An int64 tensor of this rank, no larger than this tensor off <paramref name="axis"/>; entries in [0, size).</param>
    /// <param name="value">The value written (truncated for an int64 tensor).</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd (zero gradient where written).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index entry is out of range.</exception>
    /// <exception cref="ArgumentException">The index is not int64 or has another rank or larger sizes.</exception>
    public Tensor Scatter(int axis, Tensor index, double value)
    {
        int a = CheckScatter("scatter", axis, index, null);
        return Ops.Scatter.Forward(this, a, index, Full(index.Shape, DType == DType.Int64 ? Math.Truncate(value) : value, DType));
    }

    /// <summary>out = this tensor + src added at the indices along <paramref name="axis"/> (torch.scatter_add): out[…, index[…, i, …], …] += src[…, i, …], repeated indices accumulating.</summary>
    /// <param name="axis">The axis the indices point along, in [−rank, rank).</param>
    /// <param name="index">An int64 tensor of this rank, no larger than <paramref name="src"/> on any axis nor than this tensor off <paramref name="axis"/>; entries in [0, size).</param>
    /// <param name="src">The values, of this floating-point dtype and rank; only the part covered by <paramref name="index"/> is read.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd. float32 sums accumulate in float64 in index order: the same bits for any thread count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> or <paramref name="src"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index entry is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is not floating point, or the dtypes, ranks or sizes do not fit.</exception>
    public Tensor ScatterAdd(int axis, Tensor index, Tensor src)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(src);
        RequireFloat("scatter_add");
        int a = CheckScatter("scatter_add", axis, index, src);
        return this + Ops.ScatterAdd.Forward(Shape, a, index, FitTo(src, index));
    }

    private int CheckScatter(string op, int axis, Tensor index, Tensor? src)
    {
        ArgumentNullException.ThrowIfNull(index);
        int a = ShapeUtil.NormalizeAxis(op, axis, Rank);
        if (index.DType != DType.Int64) throw new ArgumentException($"{op}: index must be an int64 tensor, got {index.DType.Name()}.");
        if (index.Rank != Rank)
            throw new ArgumentException($"{op}: index of shape {ShapeUtil.Format(index.Dims)} must have the same number of dimensions as self of shape {ShapeUtil.Format(Dims)}.");
        if (src is null) return a;
        if (src.DType != DType) throw new ArgumentException($"{op}: expected self.dtype to be equal to src.dtype, got {DType.Name()} and {src.DType.Name()}.");
        if (src.Rank != Rank)
            throw new ArgumentException($"{op}: src of shape {ShapeUtil.Format(src.Dims)} must have the same number of dimensions as self of shape {ShapeUtil.Format(Dims)}.");
        for (int d = 0; d < Rank; d++)
            if (index.Dims[d] > src.Dims[d] || (d != a && index.Dims[d] > Dims[d]))
                throw new ArgumentException(
                    $"{op}: expected index {ShapeUtil.Format(index.Dims)} to be smaller than self {ShapeUtil.Format(Dims)} apart from dimension {a} and to be smaller than src {ShapeUtil.Format(src.Dims)}.");
        return a;
    }

    // src cut down to index's shape, through views, so that src's gradient is zero outside it.
    private static Tensor FitTo(Tensor src, Tensor index)
    {
        var y = src;
        for (int d = 0; d < src.Rank; d++)
            if (index.Dims[d] < src.Dims[d]) y = y.Slice(d, 0, index.Dims[d]);
        return y;
    }

    /// <summary>out = this tensor + alpha × source added at the positions <paramref name="index"/> along <paramref name="axis"/> (torch.index_add): out[…, index[j], …] += alpha × source[…, j, …].</summary>
    /// <param name="axis">The axis, in [−rank, rank).</param>
    /// <param name="index">A 0-d or 1-D int64 tensor of positions, each in [0, size) of the axis; repeats accumulate.</param>
    /// <param name="source">Values of this floating-point dtype and shape except along <paramref name="axis"/>, which has one entry per index.</param>
    /// <param name="alpha">The scale of <paramref name="source"/>.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd. float32 sums over repeated indices accumulate in float64 in index order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index is out of range.</exception>
    /// <exception cref="ArgumentException">This tensor is not floating point, or the dtypes or shapes do not fit.</exception>
    public Tensor IndexAdd(int axis, Tensor index, Tensor source, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        RequireFloat("index_add");
        var (x, a, idx, src) = CheckIndexInto("index_add", axis, index, source);
        var added = Ops.IndexAdd.Forward(x.Shape, a, idx, alpha == 1 ? src : src * alpha);
        return (x + added).Reshape(Dims);
    }

    /// <summary>out = this tensor with out[…, index[j], …] = source[…, j, …] along <paramref name="axis"/> (torch.index_copy); where an index repeats, the last copy wins.</summary>
    /// <param name="axis">The axis, in [−rank, rank).</param>
    /// <param name="index">A 0-d or 1-D int64 tensor of positions, each in [0, size) of the axis.</param>
    /// <param name="source">Values of this dtype and shape except along <paramref name="axis"/>, which has one entry per index.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd (zero gradient where copied into; the source gets the selected gradient).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or an index is out of range.</exception>
    /// <exception cref="ArgumentException">The dtypes or shapes do not fit.</exception>
    public Tensor IndexCopy(int axis, Tensor index, Tensor source)
    {
        var (x, a, idx, src) = CheckIndexInto("index_copy", axis, index, source);
        // index_copy is scatter with the index spread over the source's other axes.
        var spread = new int[x.Rank];
        System.Array.Fill(spread, 1);
        spread[a] = idx.Length;
        var full = Strided.ToContiguous(From(idx).Reshape(spread).BroadcastTo(src.Dims));
        return Ops.Scatter.Forward(x, a, full, src, "index_copy").Reshape(Dims);
    }

    // A 0-d self and source are taken as 1-D of one element.
    private (Tensor X, int Axis, long[] Index, Tensor Source) CheckIndexInto(string op, int axis, Tensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        int a = ShapeUtil.NormalizeAxis(op, axis, Rank);
        if (index.DType != DType.Int64 || index.Rank > 1)
            throw new ArgumentException($"{op}: index must be a 0-d or 1-D int64 tensor, got {index.DType.Name()} of shape {ShapeUtil.Format(index.Dims)}.");
        if (source.DType != DType) throw new ArgumentException($"{op}: expected self.dtype to be equal to source.dtype, got {DType.Name()} and {source.DType.Name()}.");
        var x = Rank == 0 ? Reshape(1) : this;
        var src = source.Rank == 0 ? source.Reshape(1) : source;
        var idx = index.ToArray<long>();
        bool fits = src.Rank == x.Rank && src.Dims[a] == idx.Length;
        for (int d = 0; fits && d < x.Rank; d++) fits = d == a || src.Dims[d] == x.Dims[d];
        if (!fits)
            throw new ArgumentException(
                $"{op}: source of shape {ShapeUtil.Format(source.Dims)} must match self of shape {ShapeUtil.Format(Dims)} except at dimension {a}, where it must have one entry per index ({idx.Length}).");
        int n = x.Dims[a];
        foreach (var v in idx)
            if (v < 0 || v >= n) throw new ArgumentOutOfRangeException(nameof(index), v, $"{op}: index {v} is out of range for dimension {a} of size {n}.");
        return (x, a, idx, src);
    }

    private int RequireAxis(string op, int axis)
    {
        if (Rank == 0) throw new ArgumentException($"{op}: expected at least a 1-dimensional tensor, got a 0-d tensor.");
        return ShapeUtil.NormalizeAxis(op, axis, Rank);
    }
}
