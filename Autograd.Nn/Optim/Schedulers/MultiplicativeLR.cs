namespace Autograd.Nn.Optim;

/// <summary>
/// Multiplies each group's current rate by a function of the epoch at every epoch after 0 (PyTorch's
/// MultiplicativeLR): η_e = η_{e−1} · f(e).
/// </summary>
public sealed class MultiplicativeLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the scheduler with one function for every group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="lrLambda">The factor f(e) applied at epoch e ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambda"/> is null.</exception>
    public MultiplicativeLR(Optimizer optimizer, Func<int, double> lrLambda)
        : this(optimizer, LambdaLR.Repeat(optimizer, lrLambda ?? throw new ArgumentNullException(nameof(lrLambda))))
    {
    }

    /// <summary>Creates the scheduler with one function per group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="lrLambdas">One factor function per parameter group.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambdas"/> is null or holds a null.</exception>
    /// <exception cref="ArgumentException">There is not one function per group.</exception>
    public MultiplicativeLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lrLambdas)
        : base(optimizer)
    {
        _lambdas = LambdaLR.CheckLambdas(this, optimizer, lrLambdas ?? throw new ArgumentNullException(nameof(lrLambdas)));
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] GetLearningRates()
    {
        var lrs = CurrentLearningRates();
        return LastEpoch > 0 ? [.. lrs.Select((lr, g) => lr * _lambdas[g](LastEpoch))] : lrs;
    }
}
