namespace Autograd.Nn.Optim;

/// <summary>
/// Stops training when a monitored metric has stopped improving (PyTorch Lightning's <c>EarlyStopping</c>): call
/// <see cref="Step"/> with the metric after every epoch; it returns true once <see cref="Patience"/> epochs in a row
/// have not improved on the best value by more than <see cref="MinDelta"/>. <see cref="Improved"/> says whether the
/// last value was a new best, which is when to save the best checkpoint.
/// </summary>
/// <example>
/// <code>
/// var stopper = new EarlyStopping(patience: 5, mode: PlateauMode.Max);
/// for (int epoch = 1; epoch &lt;= 100; epoch++)
/// {
///     TrainEpoch();
///     bool stop = stopper.Step(validationAccuracy);
///     if (stopper.Improved) Checkpoint.Save(model, "best.safetensors");
///     if (stop) break;
/// }
/// Checkpoint.Load(model, "best.safetensors");
/// </code>
/// </example>
public sealed class EarlyStopping
{
    /// <summary>Creates the monitor.</summary>
    /// <param name="patience">After how many epochs in a row without improvement training stops.</param>
    /// <param name="minDelta">How much better than the best a value must be to count as an improvement (≥ 0).</param>
    /// <param name="mode">Whether lower (a loss) or higher (an accuracy) is better.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="patience"/> is negative, <paramref name="minDelta"/> is negative or not finite, or
    /// <paramref name="mode"/> is not defined.
    /// </exception>
    public EarlyStopping(int patience = 3, double minDelta = 0, PlateauMode mode = PlateauMode.Min)
    {
        if (patience < 0)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping: patience must be non-negative.");
        if (!(minDelta >= 0) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "EarlyStopping: minDelta must be finite and non-negative.");
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "EarlyStopping: unknown PlateauMode.");
        (Patience, MinDelta, Mode) = (patience, minDelta, mode);
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>After how many epochs in a row without improvement training stops.</summary>
    public int Patience { get; }

    /// <summary>The margin an improvement must exceed.</summary>
    public double MinDelta { get; }

    /// <summary>Whether lower or higher is better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The best value seen (±∞ before the first).</summary>
    public double Best { get; private set; }

    /// <summary>The number of <see cref="Step"/> calls so far.</summary>
    public int Steps { get; private set; }

    /// <summary>The step (from 1) at which <see cref="Best"/> was seen, or 0 before any.</summary>
    public int BestStep { get; private set; }

    /// <summary>Epochs in a row without improvement.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Whether the last value given to <see cref="Step"/> was a new best.</summary>
    public bool Improved { get; private set; }

    /// <summary>Whether training should stop (the last <see cref="Step"/> returned true).</summary>
    public bool ShouldStop { get; private set; }

    /// <summary>Records this epoch's metric.</summary>
    /// <param name="metric">The monitored value. NaN never improves (and a run of them stops training).</param>
    /// <returns>True when training should stop: <see cref="Patience"/> epochs in a row without improvement.</returns>
    public bool Step(double metric)
    {
        Steps++;
        Improved = Mode == PlateauMode.Min ? metric < Best - MinDelta : metric > Best + MinDelta;
        if (Improved)
        {
            (Best, BestStep, EpochsWithoutImprovement) = (metric, Steps, 0);
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        ShouldStop = EpochsWithoutImprovement >= Patience;
        return ShouldStop;
    }

    /// <summary>The monitor's state (for a training checkpoint): <c>best</c>, <c>steps</c>, <c>best_step</c>, <c>wait</c>.</summary>
    /// <returns>New 0-d float64 tensors by name.</returns>
    public Dictionary<string, Tensor> StateDict() => new(StringComparer.Ordinal)
    {
        ["best"] = Tensor.Scalar(Best, DType.Float64),
        ["steps"] = Tensor.Scalar(Steps, DType.Float64),
        ["best_step"] = Tensor.Scalar(BestStep, DType.Float64),
        ["wait"] = Tensor.Scalar(EpochsWithoutImprovement, DType.Float64),
    };

    /// <summary>Restores a state from <see cref="StateDict"/>; on any problem nothing changes.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry is missing, not a 0-d float64 tensor, or out of range.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double Read(string key, bool count)
        {
            if (!state.TryGetValue(key, out var t) || t is null || t.Rank != 0 || t.DType != DType.Float64 || t.IsReleased)
                throw new ArgumentException($"EarlyStopping.LoadStateDict: '{key}' must be a 0-d float64 tensor from StateDict. Nothing was changed.", nameof(state));
            double v = t.Item();
            if (count && !(v >= 0 && v <= int.MaxValue && Math.Floor(v) == v))
                throw new ArgumentException($"EarlyStopping.LoadStateDict: '{key}' is {v}, expected a count. Nothing was changed.", nameof(state));
            return v;
        }
        double best = Read("best", false), steps = Read("steps", true), bestStep = Read("best_step", true), wait = Read("wait", true);
        (Best, Steps, BestStep, EpochsWithoutImprovement) = (best, (int)steps, (int)bestStep, (int)wait);
        Improved = false;
        ShouldStop = EpochsWithoutImprovement >= Patience && Steps > 0;
    }
}
