namespace Autograd.Nn.Optim;

/// <summary>
/// Decays each group's rate by <c>gamma</c> at each milestone epoch (PyTorch's MultiStepLR), chainable: at a
/// milestone listed k times the current rate is multiplied by γᵏ. Alone, η_e = η₀ · γ^(number of milestones ≤ e).
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> _counts = [];
    private readonly int[] _sorted;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="milestones">The epochs (≥ 1) at which to decay; a repeated epoch decays once per repetition.</param>
    /// <param name="gamma">The multiplicative factor γ (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="milestones"/> is null.</exception>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _sorted = [.. milestones.Order()];
        foreach (var m in _sorted)
        {
            CheckPositive(m, "milestone", nameof(milestones));
            _counts[m] = _counts.GetValueOrDefault(m) + 1;
        }
        Gamma = CheckNonNegative(gamma, "gamma", nameof(gamma));
        InitialStep();
    }

    /// <summary>The milestones, sorted (repetitions kept).</summary>
    public IReadOnlyList<int> Milestones => _sorted;

    /// <summary>The multiplicative factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        if (!_counts.TryGetValue(LastEpoch, out int k)) return lrs;
        return [.. lrs.Select(lr => lr * Math.Pow(Gamma, k))];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates()
    {
        int passed = _sorted.Count(m => m <= LastEpoch);
        return [.. BaseLearningRates.Select(b => b * Math.Pow(Gamma, passed))];
    }
}
