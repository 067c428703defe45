namespace Autograd.Nn.Optim;

/// <summary>
/// Decays each group's rate by <c>gamma</c> every epoch (PyTorch's ExponentialLR), chainable: the current rate is
/// multiplied by γ at each epoch after 0. Alone, η_e = η₀ · γ^e.
/// </summary>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="gamma">The multiplicative factor γ (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public ExponentialLR(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Gamma = CheckNonNegative(gamma, "gamma", nameof(gamma));
        InitialStep();
    }

    /// <summary>The multiplicative factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        return LastEpoch == 0 ? lrs : [.. lrs.Select(lr => lr * Gamma)];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates() => [.. BaseLearningRates.Select(b => b * Math.Pow(Gamma, LastEpoch))];
}
