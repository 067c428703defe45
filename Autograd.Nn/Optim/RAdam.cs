namespace Autograd.Nn.Optim;

/// <summary>
/// RAdam (PyTorch's torch.optim.RAdam), Adam with a rectified adaptive learning rate. For each parameter θ with
/// gradient g at step t (counted per parameter from 1), with γ = lr, λ = weight decay (the options of θ's group):
/// <code>
/// g ← g + λθ                                  (if λ ≠ 0)
/// m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
/// m̂ ← m / (1 − β₁ᵗ)
/// ρ∞ ← 2/(1 − β₂) − 1;  ρ_t ← ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
/// if ρ_t &gt; 5:  r ← √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t));  θ ← θ − γ·m̂·r·√(1 − β₂ᵗ)/(√v + ε)
/// else:         θ ← θ − γ·m̂
/// </code>
/// State: <c>step</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>. Options: <c>lr</c>, <c>beta1</c>, <c>beta2</c>,
/// <c>eps</c>, <c>weight_decay</c> (PyTorch 1.13's RAdam has no <c>maximize</c>).
/// </summary>
public sealed class RAdam : Optimizer
{
    /// <summary>The state name of the first-moment running average m.</summary>
    public const string ExpAvgName = "exp_avg";

    /// <summary>The state name of the second-moment running average v.</summary>
    public const string ExpAvgSqName = "exp_avg_sq";

    private static readonly string[] Names = [ExpAvgName, ExpAvgSqName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public RAdam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(Single(parameters), Specs(lr, beta1, beta2, eps, weightDecay))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public RAdam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(Groups(groups), Specs(lr, beta1, beta2, eps, weightDecay))
    {
    }

    private static OptionSpec[] Specs(double lr, double beta1, double beta2, double eps, double weightDecay) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(Adam.Beta1Key, beta1, OptionKind.UnitInterval, "beta1", nameof(beta1)),
        new(Adam.Beta2Key, beta2, OptionKind.UnitInterval, "beta2", nameof(beta2)),
        new(Adam.EpsKey, eps, OptionKind.NonNegative, "epsilon", nameof(eps)),
        new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
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
        double lr = o[LearningRateKey], beta1 = o[Adam.Beta1Key], beta2 = o[Adam.Beta2Key], weightDecay = o[WeightDecayKey];
        var expAvg = state.ZerosBuffer(ExpAvgName, parameter);
        var expAvgSq = state.ZerosBuffer(ExpAvgSqName, parameter);
        long step = ++state.Step;
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * step * Math.Pow(beta2, step) / biasCorrection2;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(expAvg, expAvgSq))
        {
            double rect = rhoT > 5.0 ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 1;
            FusedUpdates.RAdam(parameter, grad, expAvg, expAvgSq, ClaimGradZeroing(), weightDecay, beta1, beta2, biasCorrection1, lr, rhoT > 5.0,
                Math.Sqrt(biasCorrection2), o[Adam.EpsKey], rect);
            return;
        }
        if (weightDecay != 0) grad = grad + parameter * weightDecay;
        expAvg.MulInPlace(beta1);
        expAvg.AddInPlace(grad, 1 - beta1);
        expAvgSq.MulInPlace(beta2);
        expAvgSq.AddInPlace(grad * (1 - beta2) * grad);
        var corrected = expAvg / biasCorrection1;
        if (rhoT > 5.0)
        {
            double rect = Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            var adaptive = Math.Sqrt(biasCorrection2) / (expAvgSq.Sqrt() + o[Adam.EpsKey]);
            parameter.AddInPlace(corrected * lr * adaptive * rect, -1.0);
        }
        else
        {
            parameter.AddInPlace(corrected * lr, -1.0);
        }
    }
}
