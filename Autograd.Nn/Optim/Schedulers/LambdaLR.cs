namespace Autograd.Nn.Optim;

/// <summary>
/// Sets each group's rate to its base rate times a function of the epoch (PyTorch's LambdaLR): η_e = η₀ · f(e). Not
/// chainable (as PyTorch's): the function's value replaces the current rate.
/// </summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the scheduler with one function for every group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="lrLambda">The factor f(e) at epoch e (called from epoch 0, at creation).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambda"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The factor at epoch 0 gives a rate that is not a finite number ≥ 0.</exception>
    public LambdaLR(Optimizer optimizer, Func<int, double> lrLambda)
        : this(optimizer, Repeat(optimizer, lrLambda ?? throw new ArgumentNullException(nameof(lrLambda))))
    {
    }

    /// <summary>Creates the scheduler with one function per group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="lrLambdas">One factor function per parameter group.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambdas"/> is null or holds a null.</exception>
    /// <exception cref="ArgumentException">There is not one function per group.</exception>
    /// <exception cref="InvalidOperationException">The factor at epoch 0 gives a rate that is not a finite number ≥ 0.</exception>
    public LambdaLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lrLambdas)
        : base(optimizer)
    {
        _lambdas = CheckLambdas(this, optimizer, lrLambdas ?? throw new ArgumentNullException(nameof(lrLambdas)));
        InitialStep();
    }

    internal static Func<int, double>[] Repeat(Optimizer optimizer, Func<int, double> f)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(f);
        return [.. Enumerable.Repeat(f, optimizer.ParamGroups.Count)];
    }

    internal static Func<int, double>[] CheckLambdas(LRScheduler self, Optimizer optimizer, IReadOnlyList<Func<int, double>> lambdas)
    {
        ArgumentNullException.ThrowIfNull(lambdas);
        if (lambdas.Count != optimizer.ParamGroups.Count)
            throw new ArgumentException($"{self.GetType().Name}: expected {optimizer.ParamGroups.Count} lr_lambdas (one per parameter group), got {lambdas.Count}.", nameof(lambdas));
        for (int i = 0; i < lambdas.Count; i++)
            if (lambdas[i] is null) throw new ArgumentNullException(nameof(lambdas), $"{self.GetType().Name}: lr_lambda {i} is null.");
        return [.. lambdas];
    }

    /// <inheritdoc/>
    protected override double[] GetLearningRates() => [.. BaseLearningRates.Select((b, g) => b * _lambdas[g](LastEpoch))];
}
