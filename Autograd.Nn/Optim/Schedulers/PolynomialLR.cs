namespace Autograd.Nn.Optim;

/// <summary>
/// Decays each group's rate polynomially to 0 over <c>totalIters</c> epochs (PyTorch's PolynomialLR), chainable: at
/// each epoch 1 ≤ e ≤ totalIters the rate is multiplied by ((1 − e/T)/(1 − (e − 1)/T))^power. Alone,
/// η_e = η₀ (1 − min(e, T)/T)^power.
/// </summary>
public sealed class PolynomialLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="totalIters">The number of epochs T of the decay (≥ 1).</param>
    /// <param name="power">The power (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public PolynomialLR(Optimizer optimizer, int totalIters = 5, double power = 1.0)
        : base(optimizer)
    {
        TotalIters = CheckPositive(totalIters, "total_iters", nameof(totalIters));
        Power = CheckNonNegative(power, "power", nameof(power));
        InitialStep();
    }

    /// <summary>The number of epochs of the decay.</summary>
    public int TotalIters { get; }

    /// <summary>The power.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        if (LastEpoch == 0 || LastEpoch > TotalIters) return lrs;
        double f = Math.Pow((1.0 - (double)LastEpoch / TotalIters) / (1.0 - (double)(LastEpoch - 1) / TotalIters), Power);
        return [.. lrs.Select(lr => lr * f)];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates() =>
        [.. BaseLearningRates.Select(b => b * Math.Pow(1.0 - (double)Math.Min(TotalIters, LastEpoch) / TotalIters, Power))];
}
