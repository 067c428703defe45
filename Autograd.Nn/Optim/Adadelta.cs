namespace Autograd.Nn.Optim;

/// <summary>
/// Adadelta (PyTorch's torch.optim.Adadelta). For each parameter θ with gradient g, with γ = lr, ρ = rho,
/// λ = weight decay (the options of θ's group):
/// <code>
/// g ← −g                                (if maximize)
/// g ← g + λθ                            (if λ ≠ 0)
/// v ← ρv + (1 − ρ)g²                    (square_avg)
/// Δ ← √(u + ε) / √(v + ε) · g
/// u ← ρu + (1 − ρ)Δ²                    (acc_delta)
/// θ ← θ − γΔ
/// </code>
/// State: <c>step</c>, <c>square_avg</c>, <c>acc_delta</c>. Options: <c>lr</c>, <c>rho</c>, <c>eps</c>,
/// <c>weight_decay</c>, <c>maximize</c>.
/// </summary>
public sealed class Adadelta : Optimizer
{
    /// <summary>The state name of the running average of squared gradients v.</summary>
    public const string SquareAvgName = "square_avg";

    /// <summary>The state name of the running average of squared updates u.</summary>
    public const string AccDeltaName = "acc_delta";

    /// <summary>The option name of the decay ρ.</summary>
    public const string RhoKey = "rho";

    private static readonly string[] Names = [SquareAvgName, AccDeltaName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The factor γ applied to the update (≥ 0).</param>
    /// <param name="rho">The decay ρ of the running averages, in [0, 1].</param>
    /// <param name="eps">The term ε added inside the square roots (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public Adadelta(IEnumerable<Tensor> parameters, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : base(Single(parameters), Specs(lr, rho, eps, weightDecay, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The factor γ applied to the update (≥ 0).</param>
    /// <param name="rho">The decay ρ of the running averages, in [0, 1].</param>
    /// <param name="eps">The term ε added inside the square roots (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public Adadelta(IEnumerable<ParamGroup> groups, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : base(Groups(groups), Specs(lr, rho, eps, weightDecay, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double rho, double eps, double weightDecay, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(RhoKey, rho, OptionKind.ClosedUnitInterval, "rho", nameof(rho)),
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
        double rho = o[RhoKey], eps = o[Adam.EpsKey], weightDecay = o[WeightDecayKey];
        var squareAvg = state.ZerosBuffer(SquareAvgName, parameter);
        var accDelta = state.ZerosBuffer(AccDeltaName, parameter);
        state.Step++;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(squareAvg, accDelta))
        {
            FusedUpdates.Adadelta(parameter, grad, squareAvg, accDelta, ClaimGradZeroing(), o[MaximizeKey] != 0, weightDecay, rho, eps, o[LearningRateKey]);
            return;
        }
        if (o[MaximizeKey] != 0) grad = -grad;
        if (weightDecay != 0) grad = grad + parameter * weightDecay;
        squareAvg.MulInPlace(rho);
        squareAvg.AddInPlace(grad * (1 - rho) * grad);
        var std = (squareAvg + eps).Sqrt();
        var delta = (accDelta + eps).Sqrt() / std * grad;
        accDelta.MulInPlace(rho);
        accDelta.AddInPlace(delta * (1 - rho) * delta);
        parameter.AddInPlace(delta, -o[LearningRateKey]);
    }
}
