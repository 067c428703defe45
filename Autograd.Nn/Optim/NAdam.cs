namespace Autograd.Nn.Optim;

/// <summary>
/// NAdam (PyTorch's torch.optim.NAdam), Adam with Nesterov momentum. For each parameter θ with gradient g at step t
/// (counted per parameter from 1), with γ = lr, λ = weight decay, ψ = momentum decay (the options of θ's group):
/// <code>
/// g ← g + λθ                                      (if λ ≠ 0)
/// μ_t ← β₁(1 − ½·0.96^(tψ)),  μ_{t+1} ← β₁(1 − ½·0.96^((t+1)ψ))
/// Π ← Π·μ_t                                       (mu_product, from 1)
/// m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
/// d ← √(v / (1 − β₂ᵗ)) + ε
/// θ ← θ − γ(1 − μ_t)/(1 − Π) · g/d − γμ_{t+1}/(1 − Πμ_{t+1}) · m/d
/// </code>
/// State: <c>step</c>, <c>mu_product</c> (a number), <c>exp_avg</c>, <c>exp_avg_sq</c>. Options: <c>lr</c>,
/// <c>beta1</c>, <c>beta2</c>, <c>eps</c>, <c>weight_decay</c>, <c>momentum_decay</c> (PyTorch 1.13's NAdam has no
/// <c>maximize</c>).
/// </summary>
public sealed class NAdam : Optimizer
{
    /// <summary>The state name of the first-moment running average m.</summary>
    public const string ExpAvgName = "exp_avg";

    /// <summary>The state name of the second-moment running average v.</summary>
    public const string ExpAvgSqName = "exp_avg_sq";

    /// <summary>The state name of the product Π of the momentum coefficients.</summary>
    public const string MuProductName = "mu_product";

    /// <summary>The option name of the momentum decay ψ.</summary>
    public const string MomentumDecayKey = "momentum_decay";

    private static readonly string[] Names = [ExpAvgName, ExpAvgSqName];
    private static readonly string[] Numbers = [MuProductName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="momentumDecay">The momentum decay ψ (≥ 0).</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public NAdam(IEnumerable<Tensor> parameters, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        double momentumDecay = 4e-3)
        : base(Single(parameters), Specs(lr, beta1, beta2, eps, weightDecay, momentumDecay))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="momentumDecay">The momentum decay ψ (≥ 0).</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public NAdam(IEnumerable<ParamGroup> groups, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        double momentumDecay = 4e-3)
        : base(Groups(groups), Specs(lr, beta1, beta2, eps, weightDecay, momentumDecay))
    {
    }

    private static OptionSpec[] Specs(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(Adam.Beta1Key, beta1, OptionKind.UnitInterval, "beta1", nameof(beta1)),
        new(Adam.Beta2Key, beta2, OptionKind.UnitInterval, "beta2", nameof(beta2)),
        new(Adam.EpsKey, eps, OptionKind.NonNegative, "epsilon", nameof(eps)),
        new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
        new(MomentumDecayKey, momentumDecay, OptionKind.NonNegative, "momentum decay", nameof(momentumDecay)),
    ];

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Names;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> ScalarNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Numbers;
    }

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(group);
        var o = group.OptionsMutable;
        double lr = o[LearningRateKey], beta1 = o[Adam.Beta1Key], beta2 = o[Adam.Beta2Key], weightDecay = o[WeightDecayKey], psi = o[MomentumDecayKey];
        var expAvg = state.ZerosBuffer(ExpAvgName, parameter);
        var expAvgSq = state.ZerosBuffer(ExpAvgSqName, parameter);
        double muProduct = state.Scalars.GetValueOrDefault(MuProductName, 1.0);
        long step = ++state.Step;
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        double mu = beta1 * (1.0 - 0.5 * Math.Pow(0.96, step * psi));
        double muNext = beta1 * (1.0 - 0.5 * Math.Pow(0.96, (step + 1) * psi));
        muProduct *= mu;
        state.Scalars[MuProductName] = muProduct;
        double muProductNext = muProduct * mu * muNext;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(expAvg, expAvgSq))
        {
            FusedUpdates.NAdam(parameter, grad, expAvg, expAvgSq, ClaimGradZeroing(), weightDecay, beta1, beta2, biasCorrection2, o[Adam.EpsKey],
                -lr * (1.0 - mu) / (1.0 - muProduct), -lr * muNext / (1.0 - muProductNext));
            return;
        }
        if (weightDecay != 0) grad = grad + parameter * weightDecay;
        expAvg.MulInPlace(beta1);
        expAvg.AddInPlace(grad, 1 - beta1);
        expAvgSq.MulInPlace(beta2);
        expAvgSq.AddInPlace(grad * (1 - beta2) * grad);
        var denom = (expAvgSq / biasCorrection2).Sqrt() + o[Adam.EpsKey];
        parameter.AddInPlace(grad * (-lr * (1.0 - mu) / (1.0 - muProduct)) / denom);
        parameter.AddInPlace(expAvg * (-lr * muNext / (1.0 - muProductNext)) / denom);
    }
}
