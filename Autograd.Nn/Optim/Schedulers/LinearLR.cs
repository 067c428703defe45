namespace Autograd.Nn.Optim;

/// <summary>
/// Changes each group's rate linearly from <c>startFactor</c>·η to <c>endFactor</c>·η over <c>totalIters</c> epochs
/// (PyTorch's LinearLR), chainable: at creation the rate is multiplied by startFactor, then at each epoch e ≤
/// totalIters by 1 + (end − start)/(totalIters·start + (e − 1)(end − start)).
/// </summary>
public sealed class LinearLR : LRScheduler
{
    /// <summary>Creates the scheduler; the optimizer's rates are scaled at once.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="startFactor">The factor at epoch 0, in [0, 1].</param>
    /// <param name="endFactor">The factor from epoch totalIters on, in [0, 1].</param>
    /// <param name="totalIters">The number of epochs of the ramp (≥ 1).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer)
    {
        StartFactor = CheckFraction(startFactor, "start factor", nameof(startFactor));
        EndFactor = CheckFraction(endFactor, "end factor", nameof(endFactor));
        TotalIters = CheckPositive(totalIters, "total_iters", nameof(totalIters));
        InitialStep();
    }

    /// <summary>The factor at epoch 0.</summary>
    public double StartFactor { get; }

    /// <summary>The factor from epoch <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>The number of epochs of the ramp.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        if (LastEpoch == 0) return [.. lrs.Select(lr => lr * StartFactor)];
        if (LastEpoch > TotalIters) return lrs;
        double f = 1.0 + (EndFactor - StartFactor) / (TotalIters * StartFactor + (LastEpoch - 1) * (EndFactor - StartFactor));
        return [.. lrs.Select(lr => lr * f)];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates() =>
        [.. BaseLearningRates.Select(b => b * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIters, LastEpoch) / TotalIters))];
}
