namespace Autograd.Nn.Optim;

/// <summary>
/// RMSprop (PyTorch's torch.optim.RMSprop), with optional L2 weight decay, momentum and the centered variant. For
/// each parameter θ with gradient g, with γ = lr, α = smoothing constant, λ = weight decay, μ = momentum (the options
/// of θ's group):
/// <code>
/// g ← −g                                   (if maximize)
/// g ← g + λθ                               (if λ ≠ 0)
/// v ← αv + (1 − α)g²                       (square_avg)
/// a ← αa + (1 − α)g                        (if centered; grad_avg, evaluated as PyTorch's lerp)
/// d ← √(v − a²) + ε if centered, else √v + ε
/// b ← μb + g/d;  θ ← θ − γb               (if μ &gt; 0; momentum_buffer)
/// θ ← θ − γg/d                             (otherwise)
/// </code>
/// State: <c>step</c>, <c>square_avg</c>, <c>momentum_buffer</c> when μ &gt; 0, <c>grad_avg</c> when centered.
/// Options: <c>lr</c>, <c>alpha</c>, <c>eps</c>, <c>weight_decay</c>, <c>momentum</c>, <c>centered</c>, <c>maximize</c>.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>The state name of the running average of squared gradients v.</summary>
    public const string SquareAvgName = "square_avg";

    /// <summary>The state name of the momentum buffer b.</summary>
    public const string MomentumBufferName = "momentum_buffer";

    /// <summary>The state name of the running average of gradients a (centered).</summary>
    public const string GradAvgName = "grad_avg";

    /// <summary>The option name of the smoothing constant α.</summary>
    public const string AlphaKey = "alpha";

    /// <summary>The option name of the centered flag.</summary>
    public const string CenteredKey = "centered";

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="alpha">The smoothing constant α (≥ 0).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="momentum">The momentum factor μ (≥ 0).</param>
    /// <param name="centered">Whether to normalize by an estimate of the gradient's variance instead of its second moment.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names RMSprop and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false, bool maximize = false)
        : base(Single(parameters), Specs(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="alpha">The smoothing constant α (≥ 0).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="momentum">The momentum factor μ (≥ 0).</param>
    /// <param name="centered">Whether to use the centered variant.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public RMSprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false, bool maximize = false)
        : base(Groups(groups), Specs(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double alpha, double eps, double weightDecay, double momentum, bool centered, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(AlphaKey, alpha, OptionKind.NonNegative, "alpha", nameof(alpha)),
        new(Adam.EpsKey, eps, OptionKind.NonNegative, "epsilon", nameof(eps)),
        new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
        new(SGD.MomentumKey, momentum, OptionKind.NonNegative, "momentum", nameof(momentum)),
        OptionSpec.Flag(CenteredKey, centered, nameof(centered)),
        OptionSpec.Flag(MaximizeKey, maximize, nameof(maximize)),
    ];

    /// <summary>The default smoothing constant α.</summary>
    public double Alpha => Defaults[AlphaKey];

    /// <summary>The default term ε added to the denominator.</summary>
    public double Eps => Defaults[Adam.EpsKey];

    /// <summary>The default L2 penalty λ.</summary>
    public double WeightDecay => Defaults[WeightDecayKey];

    /// <summary>The default momentum factor μ.</summary>
    public double Momentum => Defaults[SGD.MomentumKey];

    /// <summary>Whether the centered variant is used by default.</summary>
    public bool Centered => Flag(Defaults, CenteredKey);

    /// <summary>Whether the objective is maximized by default.</summary>
    public bool Maximize => Flag(Defaults, MaximizeKey);

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = new List<string> { SquareAvgName };
        if (options[SGD.MomentumKey] > 0) names.Add(MomentumBufferName);
        if (Flag(options, CenteredKey)) names.Add(GradAvgName);
        return names;
    }

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(group);
        var o = group.OptionsMutable;
        double lr = o[LearningRateKey], alpha = o[AlphaKey], eps = o[Adam.EpsKey], weightDecay = o[WeightDecayKey], momentum = o[SGD.MomentumKey];
        var squareAvg = state.ZerosBuffer(SquareAvgName, parameter);
        var buffer = momentum > 0 ? state.ZerosBuffer(MomentumBufferName, parameter) : null;
        var gradAvg = o[CenteredKey] != 0 ? state.ZerosBuffer(GradAvgName, parameter) : null;
        state.Step++;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(squareAvg, buffer, gradAvg))
        {
            FusedUpdates.RmsProp(parameter, grad, squareAvg, gradAvg, buffer, ClaimGradZeroing(), o[MaximizeKey] != 0, weightDecay, alpha, eps, momentum, lr);
            return;
        }
        if (o[MaximizeKey] != 0) grad = -grad;

        if (weightDecay != 0) grad = grad + parameter * weightDecay;

        squareAvg.MulInPlace(alpha);
        squareAvg.AddInPlace(grad * (1 - alpha) * grad); // addcmul_: v + (value·g)·g

        Tensor avg;
        if (gradAvg is not null)
        {
            LerpInPlace(gradAvg, grad, 1 - alpha);
            avg = (squareAvg - gradAvg * gradAvg).Sqrt();
        }
        else
        {
            avg = squareAvg.Sqrt();
        }
        avg = avg + eps;

        if (buffer is not null)
        {
            buffer.MulInPlace(momentum);
            buffer.AddInPlace(grad / avg);
            parameter.AddInPlace(buffer, -lr);
        }
        else
        {
            parameter.AddInPlace(grad * -lr / avg); // addcdiv_: θ + (value·g)/avg
        }
    }
}
