namespace Autograd.Nn.Optim;

/// <summary>How <see cref="OneCycleLR"/> moves between two rates (PyTorch's <c>anneal_strategy</c>).</summary>
public enum AnnealStrategy
{
    /// <summary>Cosine annealing (<c>"cos"</c>).</summary>
    Cos,

    /// <summary>Linear annealing (<c>"linear"</c>).</summary>
    Linear,
}

/// <summary>
/// The 1cycle policy (PyTorch's OneCycleLR), stepped once per batch: each group's rate rises from
/// maxLr/divFactor to maxLr over the first pctStart of totalSteps, then falls to maxLr/(divFactor·finalDivFactor)
/// (with threePhase, back to the initial rate first, then to the minimum); with cycleMomentum, the group's
/// <c>momentum</c> option (or <c>beta1</c> for Adam-like optimizers) moves inversely between maxMomentum and
/// baseMomentum. The rate is set to the initial rate at creation. As PyTorch's it is computed from the phases, not
/// chained.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double EndStep, int Start, int End, int StartMomentum, int EndMomentum)[] _phases;
    private readonly double[] _initial;
    private readonly double[] _max;
    private readonly double[] _min;
    private readonly double[] _maxMomentum;
    private readonly double[] _baseMomentum;
    private readonly string? _momentumKey;
    private double[]? _pendingMomentum;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule; each group's rate is set to maxLr/divFactor.</param>
    /// <param name="maxLr">The peak rate of every group (finite, ≥ 0).</param>
    /// <param name="totalSteps">The number of steps of the cycle (≥ 1).</param>
    /// <param name="pctStart">The fraction of the cycle spent rising, in [0, 1].</param>
    /// <param name="annealStrategy">Cosine or linear annealing.</param>
    /// <param name="cycleMomentum">Whether to cycle the momentum (<c>momentum</c> or <c>beta1</c>) inversely to the rate.</param>
    /// <param name="baseMomentum">The momentum at the peak rate.</param>
    /// <param name="maxMomentum">The momentum at the lowest rates.</param>
    /// <param name="divFactor">The initial rate is maxLr/divFactor (&gt; 0).</param>
    /// <param name="finalDivFactor">The final rate is the initial rate/finalDivFactor (&gt; 0).</param>
    /// <param name="threePhase">Whether to use PyTorch's three-phase schedule.</param>
    /// <param name="maxLrs">Per-group peak rates, overriding <paramref name="maxLr"/>.</param>
    /// <exception cref="ArgumentException">
    /// An argument is out of range, or momentum is cycled on an optimizer with neither a <c>momentum</c> nor a
    /// <c>beta1</c> option.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25.0, double finalDivFactor = 1e4,
        bool threePhase = false, IReadOnlyList<double>? maxLrs = null)
        : base(Prepare(optimizer, maxLr, maxLrs, divFactor))
    {
        TotalSteps = CheckPositive(totalSteps, "total_steps", nameof(totalSteps));
        CheckFraction(pctStart, "pct_start", nameof(pctStart));
        if (!(divFactor > 0 && double.IsFinite(divFactor))) throw new ArgumentException($"OneCycleLR: invalid div_factor {Format(divFactor)}: must be a finite number > 0.", nameof(divFactor));
        if (!(finalDivFactor > 0 && double.IsFinite(finalDivFactor)))
            throw new ArgumentException($"OneCycleLR: invalid final_div_factor {Format(finalDivFactor)}: must be a finite number > 0.", nameof(finalDivFactor));
        AnnealStrategy = annealStrategy;
        _max = PerGroupValues(maxLr, maxLrs, "max_lr", nameof(maxLrs));
        foreach (var m in _max) CheckNonNegative(m, "max_lr", nameof(maxLr));
        _initial = [.. _max.Select(m => m / divFactor)];
        _min = [.. _initial.Select(i => i / finalDivFactor)];
        // Rates: 0 initial, 1 max, 2 min; momenta: 0 max, 1 base.
        _phases = threePhase
            ? [(pctStart * TotalSteps - 1, 0, 1, 0, 1), (2 * pctStart * TotalSteps - 2, 1, 0, 1, 0), (TotalSteps - 1, 0, 2, 0, 0)]
            : [(pctStart * TotalSteps - 1, 0, 1, 0, 1), (TotalSteps - 1, 1, 2, 1, 0)];
        _maxMomentum = PerGroupValues(maxMomentum, null, "max_momentum", nameof(maxMomentum));
        _baseMomentum = PerGroupValues(baseMomentum, null, "base_momentum", nameof(baseMomentum));
        if (cycleMomentum)
        {
            _momentumKey = optimizer.Defaults.ContainsKey(Adam.Beta1Key) ? Adam.Beta1Key
                : optimizer.Defaults.ContainsKey(SGD.MomentumKey) ? SGD.MomentumKey
                : throw new ArgumentException($"OneCycleLR: {optimizer.GetType().Name} has neither a 'momentum' nor a 'beta1' option to cycle; pass cycleMomentum: false.", nameof(cycleMomentum));
            foreach (var g in optimizer.ParamGroups) g[_momentumKey] = maxMomentum;
        }
        SetBaseLearningRates([.. _initial]);
        InitialStep();
    }

    private static Optimizer Prepare(Optimizer optimizer, double maxLr, IReadOnlyList<double>? maxLrs, double divFactor)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var groups = optimizer.ParamGroups;
        if (maxLrs is not null && maxLrs.Count != groups.Count)
            throw new ArgumentException($"OneCycleLR: expected {groups.Count} values for max_lr (one per parameter group), got {maxLrs.Count}.", nameof(maxLrs));
        for (int g = 0; g < groups.Count; g++)
        {
            double initial = (maxLrs?[g] ?? maxLr) / divFactor;
            if (double.IsFinite(initial) && initial >= 0) groups[g].InitialLearningRate = initial;
        }
        return optimizer;
    }

    /// <summary>The number of steps of the cycle.</summary>
    public int TotalSteps { get; }

    /// <summary>Cosine or linear annealing.</summary>
    public AnnealStrategy AnnealStrategy { get; }

    private double Anneal(double start, double end, double pct) => AnnealStrategy == AnnealStrategy.Cos
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        int stepNum = LastEpoch;
        if (stepNum > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR.Step: tried to step {stepNum + 1} times; the schedule has {TotalSteps} total steps.");
        var groups = Optimizer.ParamGroups;
        var lrs = new double[groups.Count];
        var momentum = new double[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            double[] rates = [_initial[g], _max[g], _min[g]];
            double[] momenta = [_maxMomentum[g], _baseMomentum[g]];
            double startStep = 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (stepNum <= phase.EndStep || i == _phases.Length - 1)
                {
                    double pct = (stepNum - startStep) / (phase.EndStep - startStep);
                    lrs[g] = Anneal(rates[phase.Start], rates[phase.End], pct);
                    momentum[g] = Anneal(momenta[phase.StartMomentum], momenta[phase.EndMomentum], pct);
                    break;
                }
                startStep = phase.EndStep;
            }
        }
        _pendingMomentum = _momentumKey is null ? null : momentum;
        return lrs;
    }

    /// <inheritdoc/>
    private protected override void OnApplied()
    {
        if (_pendingMomentum is null) return;
        var groups = Optimizer.ParamGroups;
        for (int g = 0; g < groups.Count; g++) groups[g][_momentumKey!] = _pendingMomentum[g];
        _pendingMomentum = null;
    }
}
