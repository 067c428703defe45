namespace Autograd.Nn.Optim;

/// <summary>
/// Cosine annealing without restarts (PyTorch's CosineAnnealingLR) in PyTorch's recursive (chainable) form:
/// η_e = η_min + (η_{e−1} − η_min)·(1 + cos(πe/T_max)) / (1 + cos(π(e−1)/T_max)), and at e − 1 − T_max a multiple
/// of 2T_max, η_e = η_{e−1} + (η₀ − η_min)(1 − cos(π/T_max))/2. Alone it follows the closed form
/// η_min + (η₀ − η_min)(1 + cos(πe/T_max))/2: down to η_min at e = T_max and, past it, back up (period 2·T_max).
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="tMax">The number of epochs T_max of the half period (≥ 1).</param>
    /// <param name="etaMin">The minimum learning rate η_min (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        TMax = CheckPositive(tMax, "T_max", nameof(tMax));
        EtaMin = CheckNonNegative(etaMin, "eta_min", nameof(etaMin));
        InitialStep();
    }

    /// <summary>The half period T_max, in epochs.</summary>
    public int TMax { get; }

    /// <summary>The minimum learning rate η_min.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        int e = LastEpoch;
        if (e == 0) return lrs;
        var b = BaseLearningRates;
        if ((e - 1 - TMax) % (2 * TMax) == 0)
            return [.. lrs.Select((lr, g) => lr + (b[g] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2)];
        return [.. lrs.Select(lr => (1 + Math.Cos(Math.PI * e / TMax)) / (1 + Math.Cos(Math.PI * (e - 1) / TMax)) * (lr - EtaMin) + EtaMin)];
    }

    /// <inheritdoc/>
    protected override double[]? ClosedFormLearningRates() =>
        [.. BaseLearningRates.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / 2)];
}
