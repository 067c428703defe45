namespace Autograd.Nn;

/// <summary>Shared checks and printing of the normalization layers.</summary>
internal static class NormChecks
{
    public static int[] CheckShape(string op, int[] normalizedShape)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException(
                $"{op}: normalizedShape must have at least one dimension, all positive, got {TensorChecks.Format(normalizedShape)}.", nameof(normalizedShape));
        return (int[])normalizedShape.Clone();
    }

    public static void CheckEps(string op, double eps)
    {
        if (!(eps >= 0))
            throw new ArgumentException($"{op}: eps must be non-negative, got {eps}.", nameof(eps));
    }

    public static void CheckFloat(string op, DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: parameters must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
    }

    public static void CheckInput(string op, Tensor input, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.DType != dtype)
            throw new ArgumentException(
                $"{op}: input of dtype {input.DType.Name()} does not match the parameters' dtype {dtype.Name()}; convert it with To().", nameof(input));
    }

    public static void CheckTrailing(string op, Tensor input, int[] normalizedShape)
    {
        int k = normalizedShape.Length;
        bool fits = input.Rank >= k;
        for (int i = 1; fits && i <= k; i++) fits = input.Size(-i) == normalizedShape[^i];
        if (!fits)
            throw new ArgumentException(
                $"{op}: expected an input whose last dimensions are {TensorChecks.Format(normalizedShape)}, got shape {TensorChecks.Format(input.Shape)}.", nameof(input));
    }

    /// <summary>Python's repr of a tuple of ints: <c>(4,)</c>, <c>(2, 3)</c>.</summary>
    public static string Tuple(int[] shape) =>
        shape.Length == 1 ? $"({Repr.Int(shape[0])},)" : "(" + string.Join(", ", shape.Select(d => Repr.Int(d))) + ")";

    /// <summary>[1, C, 1, …] for a per-channel tensor broadcast against an input of rank <paramref name="rank"/>.</summary>
    public static int[] ChannelShape(int channels, int rank)
    {
        var shape = Enumerable.Repeat(1, rank).ToArray();
        shape[1] = channels;
        return shape;
    }
}

/// <summary>
/// Layer normalization (PyTorch's nn.LayerNorm): y = (x − E[x]) / √(Var[x] + eps) · γ + β, with the mean and the
/// biased variance taken over the last <c>normalizedShape.Length</c> axes, and γ (<c>"weight"</c>, initialised to
/// ones) and β (<c>"bias"</c>, zeros) of shape <c>normalizedShape</c> when <c>elementwiseAffine</c>.
/// </summary>
/// <remarks>The computation is <see cref="Tensor.LayerNorm(int[], Tensor?, Tensor?, double)"/>; the same in training and evaluation mode.</remarks>
public sealed class LayerNorm : Module
{
    private readonly int[] _normalizedShape;

    /// <summary>Creates the layer with γ = 1 and β = 0, as PyTorch's reset_parameters.</summary>
    /// <param name="normalizedShape">The trailing dimensions of the input to normalize over.</param>
    /// <param name="eps">Added to the variance, for stability.</param>
    /// <param name="elementwiseAffine">Whether to learn γ and β.</param>
    /// <param name="dtype">Element type of the parameters and of the inputs (float32 or float64).</param>
    /// <exception cref="ArgumentNullException"><paramref name="normalizedShape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="normalizedShape"/> is empty or has a non-positive dimension, <paramref name="eps"/> is negative or NaN, or <paramref name="dtype"/> is int64.</exception>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32)
    {
        _normalizedShape = NormChecks.CheckShape(nameof(LayerNorm), normalizedShape);
        NormChecks.CheckEps(nameof(LayerNorm), eps);
        NormChecks.CheckFloat(nameof(LayerNorm), dtype);
        Eps = eps;
        DType = dtype;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(_normalizedShape, dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros(_normalizedShape, dtype));
        }
    }

    /// <summary>Creates the layer normalizing over the last axis, of size <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The size of the last axis of the input.</param>
    /// <param name="eps">Added to the variance, for stability.</param>
    /// <param name="elementwiseAffine">Whether to learn γ and β.</param>
    /// <param name="dtype">Element type of the parameters and of the inputs (float32 or float64).</param>
    /// <exception cref="ArgumentException"><paramref name="normalizedShape"/> is not positive, <paramref name="eps"/> is negative or NaN, or <paramref name="dtype"/> is int64.</exception>
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, dtype)
    {
    }

    /// <summary>The trailing dimensions normalized over (a copy).</summary>
    public int[] NormalizedShape => (int[])_normalizedShape.Clone();

    /// <summary>The value added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The element type of the parameters and inputs.</summary>
    public DType DType { get; }

    /// <summary>γ, of shape <see cref="NormalizedShape"/>, or null without elementwise affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β, of shape <see cref="NormalizedShape"/>, or null without elementwise affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>Normalizes <paramref name="input"/> over its trailing <see cref="NormalizedShape"/> axes.</summary>
    /// <param name="input">The input, of shape [*, normalizedShape] and the layer's dtype.</param>
    /// <returns>The normalized input, of the same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input's dtype is not the layer's, or its last dimensions are not <see cref="NormalizedShape"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        NormChecks.CheckInput(nameof(LayerNorm), input, DType);
        NormChecks.CheckTrailing(nameof(LayerNorm), input, _normalizedShape);
        return input.LayerNorm(_normalizedShape, Weight, Bias, Eps);
    }

    /// <summary>PyTorch's description, e.g. <c>(4,), eps=1e-05, elementwise_affine=True</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.LayerNorm.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() =>
        $"{NormChecks.Tuple(_normalizedShape)}, eps={Repr.Float(Eps)}, elementwise_affine={Repr.Bool(Weight is not null)}";
}

/// <summary>
/// Root-mean-square normalization (PyTorch 2.4's nn.RMSNorm): y = x / √(mean(x²) + eps) · γ, the mean taken over the
/// last <c>normalizedShape.Length</c> axes, with γ (<c>"weight"</c>, initialised to ones) when <c>elementwiseAffine</c>.
/// When eps is null the machine epsilon of the input's dtype is used (2⁻²³ for float32, 2⁻⁵² for float64), as PyTorch.
/// </summary>
public sealed class RMSNorm : Module
{
    private readonly int[] _normalizedShape;

    /// <summary>Creates the layer with γ = 1.</summary>
    /// <param name="normalizedShape">The trailing dimensions of the input to normalize over.</param>
    /// <param name="eps">Added to the mean square; null for the machine epsilon of the input's dtype.</param>
    /// <param name="elementwiseAffine">Whether to learn γ.</param>
    /// <param name="dtype">Element type of the parameters and of the inputs (float32 or float64).</param>
    /// <exception cref="ArgumentNullException"><paramref name="normalizedShape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="normalizedShape"/> is empty or has a non-positive dimension, <paramref name="eps"/> is negative or NaN, or <paramref name="dtype"/> is int64.</exception>
    public RMSNorm(int[] normalizedShape, double? eps = null, bool elementwiseAffine = true, DType dtype = DType.Float32)
    {
        _normalizedShape = NormChecks.CheckShape(nameof(RMSNorm), normalizedShape);
        if (eps is { } e) NormChecks.CheckEps(nameof(RMSNorm), e);
        NormChecks.CheckFloat(nameof(RMSNorm), dtype);
        Eps = eps;
        DType = dtype;
        if (elementwiseAffine) Weight = RegisterParameter("weight", Tensor.Ones(_normalizedShape, dtype));
    }

    /// <summary>Creates the layer normalizing over the last axis, of size <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The size of the last axis of the input.</param>
    /// <param name="eps">Added to the mean square; null for the machine epsilon of the input's dtype.</param>
    /// <param name="elementwiseAffine">Whether to learn γ.</param>
    /// <param name="dtype">Element type of the parameters and of the inputs (float32 or float64).</param>
    /// <exception cref="ArgumentException"><paramref name="normalizedShape"/> is not positive, <paramref name="eps"/> is negative or NaN, or <paramref name="dtype"/> is int64.</exception>
    public RMSNorm(int normalizedShape, double? eps = null, bool elementwiseAffine = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, dtype)
    {
    }

    /// <summary>The trailing dimensions normalized over (a copy).</summary>
    public int[] NormalizedShape => (int[])_normalizedShape.Clone();

    /// <summary>The value added to the mean square, or null for the machine epsilon of the input's dtype.</summary>
    public double? Eps { get; }

    /// <summary>The element type of the parameters and inputs.</summary>
    public DType DType { get; }

    /// <summary>γ, of shape <see cref="NormalizedShape"/>, or null without elementwise affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>Computes y = x / √(mean(x²) + eps) · γ over the trailing <see cref="NormalizedShape"/> axes.</summary>
    /// <param name="input">The input, of shape [*, normalizedShape] and the layer's dtype.</param>
    /// <returns>The normalized input, of the same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input's dtype is not the layer's, or its last dimensions are not <see cref="NormalizedShape"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        NormChecks.CheckInput(nameof(RMSNorm), input, DType);
        NormChecks.CheckTrailing(nameof(RMSNorm), input, _normalizedShape);
        double eps = Eps ?? (input.DType == DType.Float32 ? (double)MathF.BitIncrement(1f) - 1 : Math.BitIncrement(1.0) - 1);
        var axes = Enumerable.Range(input.Rank - _normalizedShape.Length, _normalizedShape.Length).ToArray();
        var y = input / ((input * input).Mean(axes, keepDims: true) + eps).Sqrt();
        return Weight is null ? y : y * Weight;
    }

    /// <summary>PyTorch's description, e.g. <c>(4,), eps=None, elementwise_affine=True</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.RMSNorm.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() =>
        $"{NormChecks.Tuple(_normalizedShape)}, eps={(Eps is { } e ? Repr.Float(e) : "None")}, elementwise_affine={Repr.Bool(Weight is not null)}";
}

/// <summary>
/// Group normalization (PyTorch's nn.GroupNorm): the C channels of an input (N, C, *) are split into
/// <c>numGroups</c> groups of C / numGroups channels, each sample's group is normalized by its own mean and biased
/// variance, y = (x − E[x]) / √(Var[x] + eps) · γ + β, with per-channel γ (<c>"weight"</c>, ones) and β (<c>"bias"</c>,
/// zeros) when <c>affine</c>. The same in training and evaluation mode.
/// </summary>
public sealed class GroupNorm : Module
{
    /// <summary>Creates the layer with γ = 1 and β = 0.</summary>
    /// <param name="numGroups">The number of groups; must divide <paramref name="numChannels"/>.</param>
    /// <param name="numChannels">The number of channels C of the input.</param>
    /// <param name="eps">Added to the variance, for stability.</param>
    /// <param name="affine">Whether to learn per-channel γ and β.</param>
    /// <param name="dtype">Element type of the parameters and of the inputs (float32 or float64).</param>
    /// <exception cref="ArgumentException">A count is not positive, <paramref name="numChannels"/> is not divisible by <paramref name="numGroups"/>, <paramref name="eps"/> is negative or NaN, or <paramref name="dtype"/> is int64.</exception>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        if (numGroups <= 0 || numChannels <= 0)
            throw new ArgumentException($"GroupNorm: numGroups and numChannels must be positive, got {numGroups} and {numChannels}.");
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: numChannels ({numChannels}) must be divisible by numGroups ({numGroups}).", nameof(numChannels));
        NormChecks.CheckEps(nameof(GroupNorm), eps);
        NormChecks.CheckFloat(nameof(GroupNorm), dtype);
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        DType = dtype;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numChannels], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numChannels], dtype));
        }
    }

    /// <summary>The number of groups.</summary>
    public int NumGroups { get; }

    /// <summary>The number of channels.</summary>
    public int NumChannels { get; }

    /// <summary>The value added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The element type of the parameters and inputs.</summary>
    public DType DType { get; }

    /// <summary>γ, of shape [C], or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β, of shape [C], or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>Normalizes each sample's groups of channels.</summary>
    /// <param name="input">The input, of shape (N, C, *) and the layer's dtype.</param>
    /// <returns>The normalized input, of the same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input's dtype is not the layer's, its rank is below 2, or its dimension 1 is not <see cref="NumChannels"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        NormChecks.CheckInput(nameof(GroupNorm), input, DType);
        if (input.Rank < 2 || input.Size(1) != NumChannels)
            throw new ArgumentException(
                $"GroupNorm: expected an input of shape (N, {NumChannels}, *), got {TensorChecks.Format(input.Shape)}.", nameof(input));
        int n = input.Size(0);
        int perGroup = input.NumElements / Math.Max(1, n) / NumGroups;
        if (n == 0) perGroup = NumChannels / NumGroups * input.Shape.Skip(2).Aggregate(1, (a, b) => a * b);
        var y = input.Reshape(n, NumGroups, perGroup).LayerNorm([perGroup], eps: Eps).Reshape(input.Shape);
        if (Weight is null) return y;
        var shape = NormChecks.ChannelShape(NumChannels, input.Rank);
        return y * Weight.Reshape(shape) + Bias!.Reshape(shape);
    }

    /// <summary>PyTorch's description, e.g. <c>2, 4, eps=1e-05, affine=True</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.GroupNorm.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() =>
        $"{Repr.Int(NumGroups)}, {Repr.Int(NumChannels)}, eps={Repr.Float(Eps)}, affine={Repr.Bool(Weight is not null)}";
}

/// <summary>
/// Batch normalization over (N, C) or (N, C, L) inputs (PyTorch's nn.BatchNorm1d): y = (x − μ) / √(σ² + eps) · γ + β
/// per channel. In training mode (or without running statistics) μ and σ² are the batch's mean and biased variance
/// over N (and L); in training mode with running statistics, <c>running_mean</c> and <c>running_var</c> move towards
/// the batch mean and the unbiased batch variance, r ← (1 − m)·r + m·batch with m the momentum (or 1/t, the
/// cumulative average, when the momentum is null), and <c>num_batches_tracked</c> (t, int64) counts the batches. In
/// evaluation mode μ and σ² are the running statistics. Parameters γ (<c>"weight"</c>, ones) and β (<c>"bias"</c>,
/// zeros) when <c>affine</c>; buffers <c>running_mean</c> (zeros), <c>running_var</c> (ones) and
/// <c>num_batches_tracked</c> (0) when <c>trackRunningStats</c>, PyTorch's names.
/// </summary>
public sealed class BatchNorm1d : Module
{
    /// <summary>Creates the layer with PyTorch's initial values (see the class summary).</summary>
    /// <param name="numFeatures">The number of channels C.</param>
    /// <param name="eps">Added to the variance, for stability.</param>
    /// <param name="momentum">The weight of each batch in the running statistics, in [0, 1]; null for the cumulative average.</param>
    /// <param name="affine">Whether to learn per-channel γ and β.</param>
    /// <param name="trackRunningStats">Whether to keep running statistics (and use them in evaluation mode).</param>
    /// <param name="dtype">Element type of the parameters, statistics and inputs (float32 or float64).</param>
    /// <exception cref="ArgumentException"><paramref name="numFeatures"/> is not positive, <paramref name="eps"/> is negative or NaN, <paramref name="momentum"/> is outside [0, 1], or <paramref name="dtype"/> is int64.</exception>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
        DType dtype = DType.Float32)
    {
        if (numFeatures <= 0)
            throw new ArgumentException($"BatchNorm1d: numFeatures must be positive, got {numFeatures}.", nameof(numFeatures));
        NormChecks.CheckEps(nameof(BatchNorm1d), eps);
        if (momentum is { } m && !(m >= 0 && m <= 1))
            throw new ArgumentException($"BatchNorm1d: momentum must lie in [0, 1] or be null, got {m}.", nameof(momentum));
        NormChecks.CheckFloat(nameof(BatchNorm1d), dtype);
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        DType = dtype;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
        }
    }

    /// <summary>The number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>The value added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The weight of each batch in the running statistics, or null for the cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>The element type of the parameters, statistics and inputs.</summary>
    public DType DType { get; }

    /// <summary>γ, of shape [C], or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β, of shape [C], or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>The running mean (buffer <c>running_mean</c>, shape [C]), or null without running statistics.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>The running unbiased variance (buffer <c>running_var</c>, shape [C]), or null without running statistics.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training batches seen (0-d int64 buffer <c>num_batches_tracked</c>), or null without running statistics.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>
    /// Normalizes each channel, with the batch's statistics in training mode (updating the running ones) and the
    /// running statistics in evaluation mode (see the class summary).
    /// </summary>
    /// <param name="input">The input, of shape (N, C) or (N, C, L) and the layer's dtype.</param>
    /// <returns>The normalized input, of the same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The input's dtype is not the layer's, it is not 2-D or 3-D, its dimension 1 is not <see cref="NumFeatures"/>,
    /// or the batch statistics are needed and there is only one value per channel (N·L = 1).
    /// </exception>
    public override Tensor Forward(Tensor input)
    {
        NormChecks.CheckInput(nameof(BatchNorm1d), input, DType);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d: expected 2D or 3D input (got {input.Rank}D input).", nameof(input));
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException(
                $"BatchNorm1d: expected an input of shape (N, {NumFeatures}) or (N, {NumFeatures}, L), got {TensorChecks.Format(input.Shape)}.", nameof(input));
        int[] axes = input.Rank == 2 ? [0] : [0, 2];
        var shape = NormChecks.ChannelShape(NumFeatures, input.Rank);
        bool useBatch = Training || RunningMean is null;
        Tensor y;
        if (useBatch)
        {
            long count = input.NumElements / NumFeatures;
            if (count == 1)
                throw new ArgumentException(
                    $"BatchNorm1d: expected more than 1 value per channel when training, got input size {TensorChecks.Format(input.Shape)}.", nameof(input));
            var mean = input.Mean(axes, keepDims: true);
            var centred = input - mean;
            var variance = (centred * centred).Mean(axes, keepDims: true);
            y = centred / (variance + Eps).Sqrt();
            if (Training && RunningMean is not null)
                UpdateRunningStats(mean, variance, count);
        }
        else
        {
            y = (input - RunningMean!.Reshape(shape)) / (RunningVar!.Reshape(shape) + Eps).Sqrt();
        }
        if (Weight is null) return y;
        return y * Weight.Reshape(shape) + Bias!.Reshape(shape);
    }

    private void UpdateRunningStats(Tensor mean, Tensor variance, long count)
    {
        using var _ = Autodiff.NoGrad();
        NumBatchesTracked!.AddInPlace(1L);
        double factor = Momentum ?? 1.0 / NumBatchesTracked.Item<long>();
        var batchMean = mean.Detach().Reshape(NumFeatures);
        var batchVar = variance.Detach().Reshape(NumFeatures) * ((double)count / (count - 1));
        RunningMean!.CopyFrom(RunningMean * (1 - factor) + batchMean * factor);
        RunningVar!.CopyFrom(RunningVar * (1 - factor) + batchVar * factor);
    }

    /// <summary>PyTorch's description, e.g. <c>4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>_NormBase.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() =>
        $"{Repr.Int(NumFeatures)}, eps={Repr.Float(Eps)}, momentum={(Momentum is { } m ? Repr.Float(m) : "None")}, " +
        $"affine={Repr.Bool(Weight is not null)}, track_running_stats={Repr.Bool(RunningMean is not null)}";
}
