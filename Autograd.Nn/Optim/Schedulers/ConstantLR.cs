namespace Autograd.Nn.Optim;

/// <summary>
/// Scales each group's rate by a constant factor until <c>totalIters</c> (PyTorch's ConstantLR), chainable: at
/// creation (epoch 0) the current rate is multiplied by the factor, and at epoch totalIters divided by it.
/// </summary>
public sealed class ConstantLR : LRScheduler
{
    /// <summary>Creates the scheduler; the optimizer's rates are scaled at once.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="factor">The factor, in [0, 1].</param>
    /// <param name="totalIters">The epoch at which the factor is removed (≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public ConstantLR(Optimizer optimizer, double factor = 1.0 / 3, int totalIters = 5)
        : base(optimizer)
    {
        Factor = CheckFraction(factor, "factor", nameof(factor));
        if (totalIters < 0) throw new ArgumentException($"ConstantLR: invalid total_iters {totalIters}: must be >= 0.", nameof(totalIters));
        TotalIters = totalIters;
        InitialStep();
    }

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <summary>The epoch at which the factor is removed.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        if (LastEpoch == 0) return [.. lrs.Select(lr => lr * Factor)];
        if (LastEpoch != TotalIters) return lrs;
        return [.. lrs.Select(lr => lr * (1.0 / Factor))];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates() =>
        [.. BaseLearningRates.Select(b => b * (Factor + (LastEpoch >= TotalIters ? 1 : 0) * (1 - Factor)))];
}
