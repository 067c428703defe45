namespace Autograd.Nn.Optim;

/// <summary>The shape of a <see cref="CyclicLR"/> cycle (PyTorch's <c>mode</c>).</summary>
public enum CyclicLRMode
{
    /// <summary>A triangle of constant height (<c>"triangular"</c>).</summary>
    Triangular,

    /// <summary>A triangle whose height halves every cycle (<c>"triangular2"</c>).</summary>
    Triangular2,

    /// <summary>A triangle whose height is scaled by γ^iteration (<c>"exp_range"</c>).</summary>
    ExpRange,
}

/// <summary>
/// Cycles each group's rate between <c>baseLr</c> and <c>maxLr</c> (PyTorch's CyclicLR), stepped once per batch:
/// with x the position in the current cycle (up for stepSizeUp steps, down for stepSizeDown),
/// η = base + (max − base)·s(x)·scale, and, with <c>cycleMomentum</c>, the group's <c>momentum</c> option cycled
/// inversely between baseMomentum and maxMomentum. As PyTorch's it is computed from the base rates, not chained.
/// </summary>
public sealed class CyclicLR : LRScheduler
{
    private readonly double[] _maxLrs;
    private readonly double[]? _baseMomentums;
    private readonly double[]? _maxMomentums;
    private readonly double _totalSize;
    private readonly double _stepRatio;
    private readonly Func<double, double> _scaleFn;
    private readonly bool _scaleByCycle;
    private double[]? _pendingMomentum;

    /// <summary>Creates the scheduler; each group's rate is set to its base rate at once.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="baseLr">The lower rate of every group (finite, ≥ 0).</param>
    /// <param name="maxLr">The upper rate of every group (finite, ≥ 0).</param>
    /// <param name="stepSizeUp">The number of steps of the rising half (≥ 1).</param>
    /// <param name="stepSizeDown">The number of steps of the falling half (≥ 1); null for <paramref name="stepSizeUp"/>.</param>
    /// <param name="mode">The shape of the cycles; ignored with <paramref name="scaleFn"/>.</param>
    /// <param name="gamma">The base γ of <see cref="CyclicLRMode.ExpRange"/>.</param>
    /// <param name="scaleFn">A custom scale of the height, of the cycle number or of the step count (see <paramref name="scaleByCycle"/>); null to use <paramref name="mode"/>.</param>
    /// <param name="scaleByCycle">With <paramref name="scaleFn"/>: whether it takes the cycle number (PyTorch's <c>scale_mode="cycle"</c>) or the step count (<c>"iterations"</c>).</param>
    /// <param name="cycleMomentum">Whether to cycle the groups' <c>momentum</c> option inversely to the rate.</param>
    /// <param name="baseMomentum">The lower momentum.</param>
    /// <param name="maxMomentum">The upper momentum.</param>
    /// <param name="baseLrs">Per-group lower rates, overriding <paramref name="baseLr"/>.</param>
    /// <param name="maxLrs">Per-group upper rates, overriding <paramref name="maxLr"/>.</param>
    /// <exception cref="ArgumentException">
    /// An argument is out of range, a per-group list does not have one value per group, or momentum is cycled on an
    /// optimizer without a <c>momentum</c> option.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public CyclicLR(Optimizer optimizer, double baseLr, double maxLr, int stepSizeUp = 2000, int? stepSizeDown = null,
        CyclicLRMode mode = CyclicLRMode.Triangular, double gamma = 1.0, Func<double, double>? scaleFn = null, bool scaleByCycle = true,
        bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9, IReadOnlyList<double>? baseLrs = null,
        IReadOnlyList<double>? maxLrs = null)
        : base(Prepare(optimizer, baseLr, baseLrs))
    {
        var bases = PerGroupValues(baseLr, baseLrs, "base_lr", nameof(baseLrs));
        foreach (var b in bases) CheckNonNegative(b, "base_lr", nameof(baseLr));
        _maxLrs = PerGroupValues(maxLr, maxLrs, "max_lr", nameof(maxLrs));
        foreach (var m in _maxLrs) CheckNonNegative(m, "max_lr", nameof(maxLr));
        double up = CheckPositive(stepSizeUp, "step_size_up", nameof(stepSizeUp));
        double down = stepSizeDown is { } sd ? CheckPositive(sd, "step_size_down", nameof(stepSizeDown)) : up;
        _totalSize = up + down;
        _stepRatio = up / _totalSize;
        Mode = mode;
        Gamma = CheckNonNegative(gamma, "gamma", nameof(gamma));
        if (scaleFn is not null)
        {
            _scaleFn = scaleFn;
            _scaleByCycle = scaleByCycle;
        }
        else
        {
            (_scaleFn, _scaleByCycle) = mode switch
            {
                CyclicLRMode.Triangular => ((Func<double, double>)(_ => 1.0), true),
                CyclicLRMode.Triangular2 => (x => 1 / Math.Pow(2.0, x - 1), true),
                CyclicLRMode.ExpRange => (x => Math.Pow(Gamma, x), false),
                _ => throw new ArgumentException($"CyclicLR: unknown mode {mode}.", nameof(mode)),
            };
        }
        if (cycleMomentum)
        {
            if (!optimizer.Defaults.ContainsKey(SGD.MomentumKey))
                throw new ArgumentException($"CyclicLR: {optimizer.GetType().Name} has no 'momentum' option to cycle; pass cycleMomentum: false.", nameof(cycleMomentum));
            _baseMomentums = PerGroupValues(baseMomentum, null, "base_momentum", nameof(baseMomentum));
            _maxMomentums = PerGroupValues(maxMomentum, null, "max_momentum", nameof(maxMomentum));
            foreach (var g in optimizer.ParamGroups) g[SGD.MomentumKey] = baseMomentum;
        }
        SetBaseLearningRates(bases);
        InitialStep();
    }

    private static Optimizer Prepare(Optimizer optimizer, double baseLr, IReadOnlyList<double>? baseLrs)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var groups = optimizer.ParamGroups;
        if (baseLrs is not null && baseLrs.Count != groups.Count)
            throw new ArgumentException($"CyclicLR: expected {groups.Count} values for base_lr (one per parameter group), got {baseLrs.Count}.", nameof(baseLrs));
        for (int g = 0; g < groups.Count; g++) groups[g].LearningRate = baseLrs?[g] ?? baseLr;
        return optimizer;
    }

    /// <summary>The shape of the cycles.</summary>
    public CyclicLRMode Mode { get; }

    /// <summary>The base γ of <see cref="CyclicLRMode.ExpRange"/>.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        double cycle = Math.Floor(1 + LastEpoch / _totalSize);
        double x = 1.0 + LastEpoch / _totalSize - cycle;
        double scaleFactor = x <= _stepRatio ? x / _stepRatio : (x - 1) / (_stepRatio - 1);
        double scale = _scaleFn(_scaleByCycle ? cycle : LastEpoch);
        var b = BaseLearningRates;
        var lrs = new double[b.Count];
        for (int g = 0; g < lrs.Length; g++) lrs[g] = b[g] + (_maxLrs[g] - b[g]) * scaleFactor * scale;
        if (_baseMomentums is not null)
        {
            _pendingMomentum = new double[lrs.Length];
            for (int g = 0; g < lrs.Length; g++)
            {
                double height = (_maxMomentums![g] - _baseMomentums[g]) * scaleFactor;
                _pendingMomentum[g] = _maxMomentums[g] - height * scale;
            }
        }
        return lrs;
    }

    /// <inheritdoc/>
    private protected override void OnApplied()
    {
        if (_pendingMomentum is null) return;
        var groups = Optimizer.ParamGroups;
        for (int g = 0; g < groups.Count; g++) groups[g][SGD.MomentumKey] = _pendingMomentum[g];
        _pendingMomentum = null;
    }
}
