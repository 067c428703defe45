namespace Autograd.Nn.Optim;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches for a metric that should fall or rise.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss; <c>"min"</c>).</summary>
    Min,

    /// <summary>Higher is better (an accuracy; <c>"max"</c>).</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> compares a metric with the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>Relative: better than best·(1 ∓ threshold) (<c>"rel"</c>).</summary>
    Rel,

    /// <summary>Absolute: better than best ∓ threshold (<c>"abs"</c>).</summary>
    Abs,
}

/// <summary>
/// Reduces each group's rate by <c>factor</c> when a metric has stopped improving for more than <c>patience</c>
/// epochs (PyTorch's ReduceLROnPlateau): call <see cref="Step(double)"/> with the metric once per epoch. After a
/// reduction, <c>cooldown</c> epochs pass before bad epochs count again; a rate never goes below its group's
/// <c>minLr</c>, and a reduction smaller than <c>eps</c> is skipped. It multiplies the current rates, so it composes
/// with a rate set by hand.
/// </summary>
public sealed class ReduceLROnPlateau
{
    private readonly double[] _minLrs;
    private double[] _lastLr;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to reduce.</param>
    /// <param name="mode">Whether the metric should fall (<see cref="PlateauMode.Min"/>) or rise.</param>
    /// <param name="factor">The factor by which a rate is reduced, in [0, 1).</param>
    /// <param name="patience">The number of epochs without improvement to wait before reducing (≥ 0).</param>
    /// <param name="threshold">The least change that counts as an improvement (finite).</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative or absolute.</param>
    /// <param name="cooldown">The number of epochs after a reduction during which bad epochs are not counted (≥ 0).</param>
    /// <param name="minLr">The lowest rate of every group (finite, ≥ 0).</param>
    /// <param name="eps">The smallest reduction that is applied (finite, ≥ 0).</param>
    /// <param name="minLrs">Per-group lowest rates, overriding <paramref name="minLr"/>.</param>
    /// <exception cref="ArgumentException">An argument is out of range, or <paramref name="minLrs"/> does not have one value per group.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0, double eps = 1e-8, IReadOnlyList<double>? minLrs = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (!(factor >= 0 && factor < 1)) throw new ArgumentException($"ReduceLROnPlateau: invalid factor {F(factor)}: must be in [0, 1).", nameof(factor));
        if (patience < 0) throw new ArgumentException($"ReduceLROnPlateau: invalid patience {patience}: must be >= 0.", nameof(patience));
        if (cooldown < 0) throw new ArgumentException($"ReduceLROnPlateau: invalid cooldown {cooldown}: must be >= 0.", nameof(cooldown));
        if (!double.IsFinite(threshold)) throw new ArgumentException($"ReduceLROnPlateau: invalid threshold {F(threshold)}: must be finite.", nameof(threshold));
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentException($"ReduceLROnPlateau: invalid eps {F(eps)}: must be a finite number >= 0.", nameof(eps));
        int groups = optimizer.ParamGroups.Count;
        if (minLrs is not null && minLrs.Count != groups)
            throw new ArgumentException($"ReduceLROnPlateau: expected {groups} min_lrs (one per parameter group), got {minLrs.Count}.", nameof(minLrs));
        _minLrs = minLrs is null ? [.. Enumerable.Repeat(minLr, groups)] : [.. minLrs];
        foreach (var m in _minLrs)
            if (!double.IsFinite(m) || m < 0) throw new ArgumentException($"ReduceLROnPlateau: invalid min_lr {F(m)}: must be a finite number >= 0.", nameof(minLr));
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        Eps = eps;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        _lastLr = [.. optimizer.ParamGroups.Select(g => g.LearningRate)];
    }

    /// <summary>The optimizer whose learning rates are reduced.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor by which a rate is reduced.</summary>
    public double Factor { get; }

    /// <summary>The number of epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>The number of epochs after a reduction during which bad epochs are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The smallest reduction that is applied.</summary>
    public double Eps { get; }

    /// <summary>The best metric so far (±∞ before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>The number of epochs since the last improvement (outside cooldown).</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>The cooldown epochs left.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The number of steps taken.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The rate of each group after the last step (PyTorch's <c>_last_lr</c>).</summary>
    /// <returns>A new array, one rate per group.</returns>
    public double[] GetLastLr() => (double[])_lastLr.Clone();

    private bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > best * (Threshold + 1.0),
        _ => a > best + Threshold,
    };

    /// <summary>Records one epoch's metric and reduces the rates if it has not improved for more than <see cref="Patience"/> epochs.</summary>
    /// <param name="metric">The metric (e.g. the validation loss) of this epoch.</param>
    /// <exception cref="ArgumentException"><paramref name="metric"/> is NaN.</exception>
    public void Step(double metric)
    {
        if (double.IsNaN(metric)) throw new ArgumentException("ReduceLROnPlateau.Step: the metric is NaN.", nameof(metric));
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > Patience)
        {
            var groups = Optimizer.ParamGroups;
            for (int g = 0; g < groups.Count; g++)
            {
                double old = groups[g].LearningRate;
                double next = Math.Max(old * Factor, _minLrs[g]);
                if (old - next > Eps) groups[g].LearningRate = next;
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        _lastLr = [.. Optimizer.ParamGroups.Select(g => g.LearningRate)];
    }

    /// <summary>
    /// The scheduler's state as 0-d float64 tensors: <c>last_epoch</c>, <c>best</c>, <c>num_bad_epochs</c>,
    /// <c>cooldown_counter</c>, and <c>last_lr</c> (0-d for one group, else one value per group).
    /// </summary>
    /// <returns>New tensors.</returns>
    public Dictionary<string, Tensor> StateDict() => new(StringComparer.Ordinal)
    {
        ["last_epoch"] = Tensor.Scalar(LastEpoch, DType.Float64),
        ["best"] = Tensor.Scalar(Best, DType.Float64),
        ["num_bad_epochs"] = Tensor.Scalar(NumBadEpochs, DType.Float64),
        ["cooldown_counter"] = Tensor.Scalar(CooldownCounter, DType.Float64),
        ["last_lr"] = _lastLr.Length == 1 ? Tensor.Scalar(_lastLr[0], DType.Float64) : Tensor.From((double[])_lastLr.Clone()),
    };

    /// <summary>Replaces the state with one from <see cref="StateDict"/>; everything is checked first and nothing changes on a problem.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry is missing, unknown or invalid; the message lists them all.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        static bool Count(double v) => v >= 0 && v <= int.MaxValue && Math.Floor(v) == v;
        double? Read(string key, Func<double, bool> ok, string expected)
        {
            if (!state.TryGetValue(key, out var t) || t is null) { problems.Add($"missing '{key}'"); return null; }
            if (t.DType != DType.Float64 || t.Rank != 0) { problems.Add($"'{key}' must be a 0-d float64 tensor"); return null; }
            if (t.IsReleased) { problems.Add($"'{key}' cannot be read: its storage went back to the pool when the BufferScope that computed it ended"); return null; }
            double v = t.Item();
            if (!ok(v)) { problems.Add($"'{key}' is {v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, expected {expected}"); return null; }
            return v;
        }
        var epoch = Read("last_epoch", Count, "a non-negative integer");
        var best = Read("best", v => !double.IsNaN(v), "a number");
        var bad = Read("num_bad_epochs", Count, "a non-negative integer");
        var cool = Read("cooldown_counter", Count, "a non-negative integer");
        double[]? last = null;
        int groups = _lastLr.Length;
        if (!state.TryGetValue("last_lr", out var l) || l is null) problems.Add("missing 'last_lr'");
        else if (l.DType != DType.Float64 || !(groups == 1 ? l.Rank == 0 : l.Rank == 1 && l.Size(0) == groups) || l.IsReleased)
            problems.Add($"'last_lr' must be a readable float64 tensor of {(groups == 1 ? "shape []" : $"shape [{groups}]")}");
        else last = l.ToArray<double>();
        foreach (var key in state.Keys.Order(StringComparer.Ordinal))
            if (key is not ("last_epoch" or "best" or "num_bad_epochs" or "cooldown_counter" or "last_lr")) problems.Add($"unexpected '{key}'");
        if (problems.Count > 0)
            throw new ArgumentException("ReduceLROnPlateau.LoadStateDict: " + string.Join("; ", problems) + ". The scheduler was not changed.", nameof(state));
        LastEpoch = (int)epoch!.Value;
        Best = best!.Value;
        NumBadEpochs = (int)bad!.Value;
        CooldownCounter = (int)cool!.Value;
        _lastLr = last!;
    }
}
