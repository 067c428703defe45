namespace Autograd.Nn.Optim;

/// <summary>
/// Adam (PyTorch's torch.optim.Adam), with optional L2 weight decay and the AMSGrad variant. For each parameter θ
/// with gradient g at step t (counted per parameter from 1), with γ = lr, λ = weight decay (the options of θ's group):
/// <code>
/// g ← −g                                       (if maximize)
/// g ← g + λθ                                   (if λ ≠ 0)
/// m ← β₁m + (1 − β₁)g                          (exp_avg, evaluated as PyTorch's lerp)
/// v ← β₂v + (1 − β₂)g²                         (exp_avg_sq)
/// v_max ← max(v_max, v)                         (if amsgrad; max_exp_avg_sq, the raw v as PyTorch's code does)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v' / √(1 − β₂ᵗ) + ε),   v' = v_max if amsgrad, else v
/// </code>
/// State: <c>step</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, and <c>max_exp_avg_sq</c> with amsgrad. Options:
/// <c>lr</c>, <c>beta1</c>, <c>beta2</c>, <c>eps</c>, <c>weight_decay</c>, <c>amsgrad</c>, <c>maximize</c>.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>The state name of the first-moment running average m.</summary>
    public const string ExpAvgName = "exp_avg";

    /// <summary>The state name of the second-moment running average v.</summary>
    public const string ExpAvgSqName = "exp_avg_sq";

    /// <summary>The state name of the running maximum of v (AMSGrad).</summary>
    public const string MaxExpAvgSqName = "max_exp_avg_sq";

    /// <summary>The option name of β₁ (PyTorch's <c>betas[0]</c>).</summary>
    public const string Beta1Key = "beta1";

    /// <summary>The option name of β₂ (PyTorch's <c>betas[1]</c>).</summary>
    public const string Beta2Key = "beta2";

    /// <summary>The option name of ε.</summary>
    public const string EpsKey = "eps";

    /// <summary>The option name of the AMSGrad flag.</summary>
    public const string AmsGradKey = "amsgrad";

    private static readonly string[] Plain = [ExpAvgName, ExpAvgSqName];
    private static readonly string[] WithMax = [ExpAvgName, ExpAvgSqName, MaxExpAvgSqName];

    private readonly bool _decoupledWeightDecay;

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0), added to the gradient.</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names the optimizer and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(Single(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: false)
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name (<c>lr</c>, <c>beta1</c>, …) overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0), added to the gradient.</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter or a group's option is out of range or unknown, or the groups hold no parameter, a non-leaf,
    /// an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(Groups(groups), lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: false)
    {
    }

    private protected Adam(IEnumerable<ParamGroup>? groups, double lr, double beta1, double beta2, double eps, double weightDecay,
        bool amsgrad, bool maximize, bool decoupledWeightDecay)
        : base(groups,
        [
            new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
            new(Beta1Key, beta1, OptionKind.UnitInterval, "beta1", nameof(beta1)),
            new(Beta2Key, beta2, OptionKind.UnitInterval, "beta2", nameof(beta2)),
            new(EpsKey, eps, OptionKind.NonNegative, "epsilon", nameof(eps)),
            new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
            OptionSpec.Flag(AmsGradKey, amsgrad, nameof(amsgrad)),
            OptionSpec.Flag(MaximizeKey, maximize, nameof(maximize)),
        ])
    {
        _decoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>The default decay β₁ of the first-moment average.</summary>
    public double Beta1 => Defaults[Beta1Key];

    /// <summary>The default decay β₂ of the second-moment average.</summary>
    public double Beta2 => Defaults[Beta2Key];

    /// <summary>The default term ε added to the denominator.</summary>
    public double Eps => Defaults[EpsKey];

    /// <summary>The default weight decay λ (an L2 penalty for Adam, decoupled for AdamW).</summary>
    public double WeightDecay => Defaults[WeightDecayKey];

    /// <summary>Whether the AMSGrad variant is used by default.</summary>
    public bool AmsGrad => Flag(Defaults, AmsGradKey);

    /// <summary>Whether the objective is maximized by default.</summary>
    public bool Maximize => Flag(Defaults, MaximizeKey);

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Flag(options, AmsGradKey) ? WithMax : Plain;
    }

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(group);
        var o = group.OptionsMutable;
        double lr = o[LearningRateKey], beta1 = o[Beta1Key], beta2 = o[Beta2Key], eps = o[EpsKey], weightDecay = o[WeightDecayKey];
        bool amsgrad = o[AmsGradKey] != 0;
        var expAvg = state.ZerosBuffer(ExpAvgName, parameter);
        var expAvgSq = state.ZerosBuffer(ExpAvgSqName, parameter);
        var maxExpAvgSq = amsgrad ? state.ZerosBuffer(MaxExpAvgSqName, parameter) : null;
        long step = ++state.Step;

        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(expAvg, expAvgSq, maxExpAvgSq))
        {
            double bc2 = 1 - Math.Pow(beta2, step);
            FusedUpdates.Adam(parameter, grad, expAvg, expAvgSq, maxExpAvgSq, ClaimGradZeroing(), new FusedUpdates.AdamStep(
                o[MaximizeKey] != 0, weightDecay, _decoupledWeightDecay, lr, beta1, beta2, eps, lr / (1 - Math.Pow(beta1, step)), Math.Sqrt(bc2)));
            return;
        }
        if (o[MaximizeKey] != 0) grad = -grad;
        if (weightDecay != 0)
        {
            if (_decoupledWeightDecay) parameter.MulInPlace(1 - lr * weightDecay);
            else grad = grad + parameter * weightDecay;
        }

        LerpInPlace(expAvg, grad, 1 - beta1);
        expAvgSq.MulInPlace(beta2);
        expAvgSq.AddInPlace(grad * (1 - beta2) * grad); // addcmul_: v + (value·g)·g

        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);

        Tensor second = expAvgSq;
        if (maxExpAvgSq is not null)
        {
            maxExpAvgSq.CopyFrom(Tensor.Maximum(maxExpAvgSq, expAvgSq));
            second = maxExpAvgSq;
        }
        var denom = second.Sqrt() / biasCorrection2Sqrt + eps;
        parameter.AddInPlace(expAvg * -stepSize / denom); // addcdiv_: θ + (value·m)/denom
    }
}

/// <summary>
/// AdamW (PyTorch's torch.optim.AdamW): Adam with decoupled weight decay. Before the Adam update of step t, each
/// parameter is scaled, θ ← θ·(1 − γλ), instead of adding λθ to the gradient; the rest is <see cref="Adam"/>'s update
/// (including AMSGrad and maximize), options and state.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The decoupled weight decay λ (≥ 0).</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names AdamW and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(Single(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: true)
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The decoupled weight decay λ (≥ 0).</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(Groups(groups), lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: true)
    {
    }
}
