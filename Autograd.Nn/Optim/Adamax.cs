namespace Autograd.Nn.Optim;

/// <summary>
/// Adamax (PyTorch's torch.optim.Adamax), Adam with the infinity norm. For each parameter θ with gradient g at step t
/// (counted per parameter from 1), with γ = lr, λ = weight decay (the options of θ's group):
/// <code>
/// g ← −g                                (if maximize)
/// g ← g + λθ                            (if λ ≠ 0)
/// m ← β₁m + (1 − β₁)g                   (exp_avg)
/// u ← max(β₂u, |g| + ε)                 (exp_inf)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / u
/// </code>
/// State: <c>step</c>, <c>exp_avg</c>, <c>exp_inf</c>. Options: <c>lr</c>, <c>beta1</c>, <c>beta2</c>, <c>eps</c>,
/// <c>weight_decay</c>, <c>maximize</c>.
/// </summary>
public sealed class Adamax : Optimizer
{
    /// <summary>The state name of the first-moment running average m.</summary>
    public const string ExpAvgName = "exp_avg";

    /// <summary>The state name of the exponentially weighted infinity norm u.</summary>
    public const string ExpInfName = "exp_inf";

    private static readonly string[] Names = [ExpAvgName, ExpInfName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the infinity norm, in [0, 1).</param>
    /// <param name="eps">The term ε added to |g| (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public Adamax(IEnumerable<Tensor> parameters, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        bool maximize = false)
        : base(Single(parameters), Specs(lr, beta1, beta2, eps, weightDecay, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the infinity norm, in [0, 1).</param>
    /// <param name="eps">The term ε added to |g| (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public Adamax(IEnumerable<ParamGroup> groups, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        bool maximize = false)
        : base(Groups(groups), Specs(lr, beta1, beta2, eps, weightDecay, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double beta1, double beta2, double eps, double weightDecay, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(Adam.Beta1Key, beta1, OptionKind.UnitInterval, "beta1", nameof(beta1)),
        new(Adam.Beta2Key, beta2, OptionKind.UnitInterval, "beta2", nameof(beta2)),
        new(Adam.EpsKey, eps, OptionKind.NonNegative, "epsilon", nameof(eps)),
        new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
        OptionSpec.Flag(MaximizeKey, maximize, nameof(maximize)),
    ];

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Names;
    }

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(group);
        var o = group.OptionsMutable;
        double beta1 = o[Adam.Beta1Key], beta2 = o[Adam.Beta2Key], weightDecay = o[WeightDecayKey];
        var expAvg = state.ZerosBuffer(ExpAvgName, parameter);
        var expInf = state.ZerosBuffer(ExpInfName, parameter);
        long step = ++state.Step;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(expAvg, expInf))
        {
            FusedUpdates.Adamax(parameter, grad, expAvg, expInf, ClaimGradZeroing(), o[MaximizeKey] != 0, weightDecay, beta1, beta2, o[Adam.EpsKey],
                o[LearningRateKey] / (1 - Math.Pow(beta1, step)));
            return;
        }
        if (o[MaximizeKey] != 0) grad = -grad;
        if (weightDecay != 0) grad = grad + parameter * weightDecay;
        expAvg.MulInPlace(beta1);
        expAvg.AddInPlace(grad, 1 - beta1);
        expInf.MulInPlace(beta2);
        expInf.CopyFrom(Tensor.Maximum(expInf, grad.Abs() + o[Adam.EpsKey]));
        double clr = o[LearningRateKey] / (1 - Math.Pow(beta1, step));
        parameter.AddInPlace(expAvg * -clr / expInf);
    }
}
