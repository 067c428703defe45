namespace Autograd.Nn;

/// <summary>Index checks and row lookups shared by <see cref="Embedding"/> and <see cref="EmbeddingBag"/>.</summary>
internal static class EmbeddingChecks
{
    public static void CheckSizes(string op, int numEmbeddings, int embeddingDim, DType dtype)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"{op}: numEmbeddings and embeddingDim must be positive, got {numEmbeddings} and {embeddingDim}.");
        if ((long)numEmbeddings * embeddingDim > Array.MaxLength)
            throw new ArgumentException($"{op}: the weight of shape [{numEmbeddings}, {embeddingDim}] would have more than {Array.MaxLength} elements.");
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: parameters must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
    }

    public static int? NormalizePadding(string op, int? paddingIdx, int numEmbeddings)
    {
        if (paddingIdx is not { } p) return null;
        if (p >= numEmbeddings || p < -numEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), p, $"{op}: paddingIdx {p} must lie within [-{numEmbeddings}, {numEmbeddings}).");
        return p < 0 ? p + numEmbeddings : p;
    }

    /// <summary>The indices of an int64 tensor, each checked to lie in [0, <paramref name="numEmbeddings"/>).</summary>
    public static long[] Indices(string op, Tensor input, int numEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.DType != DType.Int64)
            throw new ArgumentException($"{op}: expected an int64 tensor of indices, got {input.DType.Name()}.", nameof(input));
        var indices = input.ToArray<long>();
        for (int i = 0; i < indices.Length; i++)
            if ((ulong)indices[i] >= (ulong)numEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(input), indices[i],
                    $"{op}: index {indices[i]} (at flat position {i} of the input of shape {TensorChecks.Format(input.Shape)}) is out of range for {numEmbeddings} embeddings.");
        return indices;
    }

    /// <summary>Scales in place, under no-grad, each distinct looked-up row whose p-norm exceeds maxNorm to norm maxNorm (PyTorch's embedding_renorm_).</summary>
    public static void Renormalize(Parameter weight, long[] indices, double maxNorm, double normType)
    {
        using var _ = Autodiff.NoGrad();
        foreach (long i in indices.Distinct())
        {
            var row = weight.Slice(0, (int)i, (int)i + 1);
            var values = row.ToArray<double>();
            double norm = double.IsPositiveInfinity(normType)
                ? values.Max(Math.Abs)
                : Math.Pow(values.Sum(v => Math.Pow(Math.Abs(v), normType)), 1 / normType);
            if (norm > maxNorm) row.MulInPlace(maxNorm / (norm + 1e-7));
        }
    }

    public static void CheckNorm(string op, double? maxNorm, double normType)
    {
        if (maxNorm is { } m && !(m > 0))
            throw new ArgumentException($"{op}: maxNorm must be positive, got {m}.", nameof(maxNorm));
        if (!(normType > 0))
            throw new ArgumentException($"{op}: normType must be positive, got {normType}.", nameof(normType));
    }
}

/// <summary>
/// A lookup table (PyTorch's nn.Embedding): y[…, :] = W[x[…], :] for an int64 index tensor x of any shape, with
/// the table W ∈ ℝ^{num×dim} registered as <c>"weight"</c>, PyTorch's name and layout. The gradient is added into
/// the looked-up rows by index (an index-add, not a one-hot product); the row <c>paddingIdx</c>, when given,
/// starts at zero and receives no gradient. With <c>maxNorm</c>, each looked-up row whose <c>normType</c>-norm
/// exceeds it is first scaled in place, without recording, to norm maxNorm (scale maxNorm / (norm + 1e-7)), as
/// PyTorch's embedding_renorm_.
/// </summary>
/// <remarks>W is drawn from N(0, 1) (PyTorch's reset_parameters), from the generator passed in or <see cref="Generator.Default"/>.</remarks>
public sealed class Embedding : Module
{
    /// <summary>Creates the table and initializes it as PyTorch does (see the remarks on the class).</summary>
    /// <param name="numEmbeddings">The number of rows (valid indices are 0 … numEmbeddings − 1).</param>
    /// <param name="embeddingDim">The size of each row.</param>
    /// <param name="paddingIdx">A row that starts at zero and gets no gradient (negative counts from the end), or null.</param>
    /// <param name="maxNorm">When given, looked-up rows are renormalized in place to at most this norm.</param>
    /// <param name="normType">The p of the p-norm used with <paramref name="maxNorm"/> (positive; infinity for the max norm).</param>
    /// <param name="generator">Source of the initial values; <see cref="Generator.Default"/> when null.</param>
    /// <param name="dtype">Element type of the table (float32 or float64).</param>
    /// <exception cref="ArgumentException">A size is not positive, the table would be too large, <paramref name="maxNorm"/> or <paramref name="normType"/> is not positive, or <paramref name="dtype"/> is int64.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="paddingIdx"/> is outside [−numEmbeddings, numEmbeddings).</exception>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, double? maxNorm = null, double normType = 2,
        Generator? generator = null, DType dtype = DType.Float32)
    {
        EmbeddingChecks.CheckSizes(nameof(Embedding), numEmbeddings, embeddingDim, dtype);
        EmbeddingChecks.CheckNorm(nameof(Embedding), maxNorm, normType);
        PaddingIdx = EmbeddingChecks.NormalizePadding(nameof(Embedding), paddingIdx, numEmbeddings);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        MaxNorm = maxNorm;
        NormType = normType;
        Weight = RegisterParameter("weight", Tensor.Zeros([numEmbeddings, embeddingDim], dtype));
        Init.Normal(Weight, generator ?? Generator.Default);
        if (PaddingIdx is { } p)
            using (Autodiff.NoGrad())
                Weight.Slice(0, p, p + 1).ZeroInPlace();
    }

    /// <summary>The number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>The size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding row (in [0, numEmbeddings)), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>The norm looked-up rows are renormalized to at most, or null.</summary>
    public double? MaxNorm { get; }

    /// <summary>The p of the p-norm used with <see cref="MaxNorm"/>.</summary>
    public double NormType { get; }

    /// <summary>The table W, of shape [numEmbeddings, embeddingDim].</summary>
    public Parameter Weight { get; }

    /// <summary>Looks up the rows at <paramref name="input"/>: y has shape input.shape + [embeddingDim].</summary>
    /// <param name="input">An int64 tensor of indices in [0, numEmbeddings), of any shape.</param>
    /// <returns>The rows, recorded for autograd (into <see cref="Weight"/> by index).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not int64.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, numEmbeddings); the message names it and its position.</exception>
    public override Tensor Forward(Tensor input)
    {
        var indices = EmbeddingChecks.Indices(nameof(Embedding), input, NumEmbeddings);
        if (MaxNorm is { } maxNorm) EmbeddingChecks.Renormalize(Weight, indices, maxNorm, NormType);
        var rows = Weight.IndexSelect(0, Tensor.From(indices));
        if (PaddingIdx is { } p && indices.Contains(p))
        {
            var keep = Tensor.From(indices.Select(i => i == p ? 0.0 : 1.0).ToArray(), indices.Length, 1).To(Weight.DType);
            rows = Tensor.Where(keep, rows, rows.Detach());
        }
        return rows.Reshape([.. input.Shape, EmbeddingDim]);
    }

    /// <summary>PyTorch's description, e.g. <c>10, 3, padding_idx=0</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.Embedding.extra_repr</c> prints it.</returns>
    public override string ExtraRepr()
    {
        var s = $"{Repr.Int(NumEmbeddings)}, {Repr.Int(EmbeddingDim)}";
        if (PaddingIdx is { } p) s += $", padding_idx={Repr.Int(p)}";
        if (MaxNorm is { } m) s += $", max_norm={Repr.Float(m)}";
        if (NormType != 2) s += $", norm_type={Repr.Float(NormType)}";
        return s;
    }
}

/// <summary>
/// Sums, means or maxima of bags of embeddings (PyTorch's nn.EmbeddingBag) without building the [bags, length,
/// dim] lookups for the caller: for a 2-D input [B, L] each row is a bag; for a 1-D input with 1-D int64
/// <c>offsets</c>, bag b is input[offsets[b] .. offsets[b + 1]) (the last runs to the end). Entries equal to
/// <c>paddingIdx</c> are left out of their bag (and of the mean's count); an empty bag gives zeros, as PyTorch.
/// The table is <c>"weight"</c>, [num, dim], drawn from N(0, 1) with the padding row zeroed.
/// </summary>
public sealed class EmbeddingBag : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the table and initializes it as PyTorch does.</summary>
    /// <param name="numEmbeddings">The number of rows.</param>
    /// <param name="embeddingDim">The size of each row.</param>
    /// <param name="mode"><c>"mean"</c> (PyTorch's default), <c>"sum"</c> or <c>"max"</c>.</param>
    /// <param name="paddingIdx">A row left out of every bag, starting at zero (negative counts from the end), or null.</param>
    /// <param name="generator">Source of the initial values; <see cref="Generator.Default"/> when null.</param>
    /// <param name="dtype">Element type of the table (float32 or float64).</param>
    /// <exception cref="ArgumentNullException"><paramref name="mode"/> is null.</exception>
    /// <exception cref="ArgumentException">A size is not positive, the table would be too large, <paramref name="mode"/> is not one of the three, or <paramref name="dtype"/> is int64.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="paddingIdx"/> is outside [−numEmbeddings, numEmbeddings).</exception>
    public EmbeddingBag(int numEmbeddings, int embeddingDim, string mode = "mean", int? paddingIdx = null, Generator? generator = null,
        DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(mode);
        EmbeddingChecks.CheckSizes(nameof(EmbeddingBag), numEmbeddings, embeddingDim, dtype);
        if (mode is not ("mean" or "sum" or "max"))
            throw new ArgumentException($"EmbeddingBag: mode must be \"sum\", \"mean\" or \"max\", got \"{mode}\".", nameof(mode));
        PaddingIdx = EmbeddingChecks.NormalizePadding(nameof(EmbeddingBag), paddingIdx, numEmbeddings);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Mode = mode;
        Weight = RegisterParameter("weight", Tensor.Zeros([numEmbeddings, embeddingDim], dtype));
        Init.Normal(Weight, generator ?? Generator.Default);
        if (PaddingIdx is { } p)
            using (Autodiff.NoGrad())
                Weight.Slice(0, p, p + 1).ZeroInPlace();
    }

    /// <summary>The number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>The size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>How a bag is reduced: <c>"mean"</c>, <c>"sum"</c> or <c>"max"</c>.</summary>
    public string Mode { get; }

    /// <summary>The row left out of every bag (in [0, numEmbeddings)), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>The table W, of shape [numEmbeddings, embeddingDim].</summary>
    public Parameter Weight { get; }

    /// <summary>Reduces each row of a 2-D index tensor [B, L] as a bag, giving [B, embeddingDim].</summary>
    /// <param name="input">An int64 tensor of shape [B, L] with entries in [0, numEmbeddings).</param>
    /// <returns>The bags' reductions, of shape [B, embeddingDim].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not int64 or not 2-D (a 1-D input needs offsets).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2)
            throw new ArgumentException(
                $"EmbeddingBag: expected a 2-D input [bags, length] (a 1-D input needs offsets: Forward(input, offsets)), got shape {TensorChecks.Format(input.Shape)}.", nameof(input));
        var indices = EmbeddingChecks.Indices(nameof(EmbeddingBag), input, NumEmbeddings);
        int bags = input.Size(0), length = input.Size(1);
        return Reduce(indices, Enumerable.Range(0, bags + 1).Select(b => (long)b * length).ToArray());
    }

    /// <summary>Reduces the bags input[offsets[b] .. offsets[b + 1]) of a 1-D index tensor, giving [offsets.Length, embeddingDim].</summary>
    /// <param name="input1">A 1-D int64 tensor of indices in [0, numEmbeddings).</param>
    /// <param name="input2">The 1-D int64 offsets: the first 0, non-decreasing, none past the input's length.</param>
    /// <returns>The bags' reductions, of shape [offsets.Length, embeddingDim].</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The input or offsets are not 1-D int64, or the offsets do not start at 0, decrease, or pass the input's end.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public override Tensor Forward(Tensor input1, Tensor input2)
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        if (input1.Rank != 1)
            throw new ArgumentException($"EmbeddingBag: with offsets the input must be 1-D, got shape {TensorChecks.Format(input1.Shape)}.", nameof(input1));
        if (input2.Rank != 1 || input2.DType != DType.Int64)
            throw new ArgumentException(
                $"EmbeddingBag: offsets must be a 1-D int64 tensor, got {input2.DType.Name()} of shape {TensorChecks.Format(input2.Shape)}.", nameof(input2));
        var indices = EmbeddingChecks.Indices(nameof(EmbeddingBag), input1, NumEmbeddings);
        var offsets = input2.ToArray<long>();
        if (offsets.Length > 0 && offsets[0] != 0)
            throw new ArgumentException($"EmbeddingBag: offsets[0] has to be 0, got {offsets[0]}.", nameof(input2));
        for (int b = 1; b < offsets.Length; b++)
            if (offsets[b] < offsets[b - 1] || offsets[b] > indices.Length)
                throw new ArgumentException(
                    $"EmbeddingBag: offsets must be non-decreasing and at most the input's length {indices.Length}, got offsets[{b - 1}] = {offsets[b - 1]}, offsets[{b}] = {offsets[b]}.", nameof(input2));
        return Reduce(indices, [.. offsets, indices.Length]);
    }

    // Bag b holds indices[bounds[b] .. bounds[b + 1]). The bags are padded to the longest one, looked up with one
    // index_select (whose gradient is an index-add into the table) and reduced over a mask.
    private Tensor Reduce(long[] indices, long[] bounds)
    {
        int bags = bounds.Length - 1;
        var members = new List<long>[bags];
        int longest = 0;
        for (int b = 0; b < bags; b++)
        {
            members[b] = [];
            for (long i = bounds[b]; i < bounds[b + 1]; i++)
                if (indices[i] != PaddingIdx) members[b].Add(indices[i]);
            longest = Math.Max(longest, members[b].Count);
        }
        var dtype = Weight.DType;
        if (longest == 0) return Tensor.Zeros([bags, EmbeddingDim], dtype);
        var lookup = new long[bags * longest];
        var mask = new double[bags * longest];
        var counts = new double[bags];
        for (int b = 0; b < bags; b++)
        {
            for (int j = 0; j < members[b].Count; j++)
            {
                lookup[b * longest + j] = members[b][j];
                mask[b * longest + j] = 1;
            }
            counts[b] = members[b].Count;
        }
        var rows = Weight.IndexSelect(0, Tensor.From(lookup)).Reshape(bags, longest, EmbeddingDim);
        var present = Tensor.From(mask, bags, longest, 1).To(dtype);
        var nonEmpty = Tensor.From(counts.Select(c => c > 0 ? 1.0 : 0.0).ToArray(), bags, 1).To(dtype);
        switch (Mode)
        {
            case "max":
                return Tensor.Where(nonEmpty, Tensor.Where(present, rows, double.NegativeInfinity).Max(1), 0.0);
            case "sum":
                return (rows * present).Sum(1);
            default:
                var divisor = Tensor.From(counts.Select(c => Math.Max(c, 1)).ToArray(), bags, 1).To(dtype);
                return (rows * present).Sum(1) / divisor;
        }
    }

    /// <summary>PyTorch's description, e.g. <c>10, 3, mode=mean</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.EmbeddingBag.extra_repr</c> prints it.</returns>
    public override string ExtraRepr()
    {
        var s = $"{Repr.Int(NumEmbeddings)}, {Repr.Int(EmbeddingDim)}, mode={Mode}";
        if (PaddingIdx is { } p) s += $", padding_idx={Repr.Int(p)}";
        return s;
    }
}
