namespace Autograd.Nn.Optim;

/// <summary>
/// Decays each group's rate by <c>gamma</c> every <c>stepSize</c> epochs (PyTorch's StepLR), chainable: at an epoch
/// e &gt; 0 divisible by stepSize the current rate is multiplied by γ. Alone, η_e = η₀ · γ^⌊e / stepSize⌋.
/// </summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="stepSize">The period of the decay, in epochs (≥ 1).</param>
    /// <param name="gamma">The multiplicative factor γ (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        StepSize = CheckPositive(stepSize, "step size", nameof(stepSize));
        Gamma = CheckNonNegative(gamma, "gamma", nameof(gamma));
        InitialStep();
    }

    /// <summary>The period of the decay, in epochs.</summary>
    public int StepSize { get; }

    /// <summary>The multiplicative factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        if (LastEpoch == 0 || LastEpoch % StepSize != 0) return lrs;
        return [.. lrs.Select(lr => lr * Gamma)];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates() => [.. BaseLearningRates.Select(b => b * Math.Pow(Gamma, LastEpoch / StepSize))];
}
