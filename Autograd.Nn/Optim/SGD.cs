namespace Autograd.Nn.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay
/// (PyTorch's torch.optim.SGD). For each parameter θ with gradient g, with γ = lr, λ = weight decay, μ = momentum,
/// τ = dampening (the options of θ's group):
/// <code>
/// g ← −g                              (if maximize)
/// g ← g + λθ                          (if λ ≠ 0)
/// b ← g on the first step, else b ← μb + (1 − τ)g   (if μ ≠ 0)
/// g ← g + μb if nesterov, else g ← b  (if μ ≠ 0)
/// θ ← θ − γg
/// </code>
/// State: <c>momentum_buffer</c> (b) when μ ≠ 0; no step count. Options: <c>lr</c>, <c>momentum</c>,
/// <c>dampening</c>, <c>weight_decay</c>, <c>nesterov</c>, <c>maximize</c>.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>The state name of the momentum buffer.</summary>
    public const string MomentumBufferName = "momentum_buffer";

    /// <summary>The option name of the momentum factor.</summary>
    public const string MomentumKey = "momentum";

    /// <summary>The option name of the dampening.</summary>
    public const string DampeningKey = "dampening";

    /// <summary>The option name of the Nesterov flag.</summary>
    public const string NesterovKey = "nesterov";

    private static readonly string[] WithMomentum = [MomentumBufferName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="momentum">The momentum factor μ (≥ 0).</param>
    /// <param name="dampening">The dampening τ for momentum.</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; requires μ &gt; 0 and τ = 0.</param>
    /// <param name="maximize">Whether to maximize the objective (step along the gradient instead of against it).</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names SGD and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false,
        bool maximize = false)
        : base(Single(parameters), Specs(lr, momentum, dampening, weightDecay, nesterov, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name (<c>lr</c>, <c>momentum</c>, …) overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="momentum">The momentum factor μ (≥ 0).</param>
    /// <param name="dampening">The dampening τ for momentum.</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; requires μ &gt; 0 and τ = 0.</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter or a group's option is out of range or unknown, or the groups hold no parameter, a non-leaf,
    /// an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false,
        bool maximize = false)
        : base(Groups(groups), Specs(lr, momentum, dampening, weightDecay, nesterov, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(MomentumKey, momentum, OptionKind.NonNegative, "momentum", nameof(momentum)),
        new(DampeningKey, dampening, OptionKind.Finite, "dampening", nameof(dampening)),
        new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
        OptionSpec.Flag(NesterovKey, nesterov, nameof(nesterov)),
        OptionSpec.Flag(MaximizeKey, maximize, nameof(maximize)),
    ];

    /// <summary>The default momentum factor μ.</summary>
    public double Momentum => Defaults[MomentumKey];

    /// <summary>The default dampening τ.</summary>
    public double Dampening => Defaults[DampeningKey];

    /// <summary>The default L2 penalty λ.</summary>
    public double WeightDecay => Defaults[WeightDecayKey];

    /// <summary>Whether Nesterov momentum is used by default.</summary>
    public bool Nesterov => Flag(Defaults, NesterovKey);

    /// <summary>Whether the objective is maximized by default.</summary>
    public bool Maximize => Flag(Defaults, MaximizeKey);

    /// <inheritdoc/>
    private protected override (string Message, string ParamName)? CheckCombination(IReadOnlyDictionary<string, double> options)
    {
        double momentum = options[MomentumKey], dampening = options[DampeningKey];
        if (Flag(options, NesterovKey) && (momentum <= 0 || dampening != 0))
            return ($"Nesterov momentum requires a momentum > 0 and zero dampening, got momentum {Format(momentum)} and dampening {Format(dampening)}", "nesterov");
        return null;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options[MomentumKey] != 0 ? WithMomentum : [];
    }

    /// <inheritdoc/>
    protected override bool CountsSteps => false;

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(group);
        var o = group.OptionsMutable;
        double lr = o[LearningRateKey], momentum = o[MomentumKey], weightDecay = o[WeightDecayKey];
        bool maximize = o[MaximizeKey] != 0;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad))
        {
            Tensor? buffer = null;
            bool first = false;
            if (momentum != 0 && !state.Buffers.TryGetValue(MomentumBufferName, out buffer))
            {
                // The first step's buffer is the step direction itself, written by the pass.
                buffer = Tensor.ZerosLike(parameter);
                first = true;
            }
            if (FusedUpdates.Contiguous(buffer))
            {
                if (first) state.Buffers[MomentumBufferName] = buffer!;
                FusedUpdates.Sgd(parameter, grad, buffer, ClaimGradZeroing(), maximize, weightDecay, momentum, o[DampeningKey], o[NesterovKey] != 0, first, lr);
                return;
            }
        }
        if (weightDecay == 0 && momentum == 0)
        {
            // The plain step without a temporary: θ + (−γ)(−g) has the bits of θ + γg.
            parameter.AddInPlace(grad, maximize ? lr : -lr);
            return;
        }
        var d = maximize ? -grad : grad;
        if (weightDecay != 0) d = d + parameter * weightDecay;
        if (momentum != 0)
        {
            if (!state.Buffers.TryGetValue(MomentumBufferName, out var buffer))
            {
                buffer = d.Clone();
                state.Buffers[MomentumBufferName] = buffer;
            }
            else
            {
                buffer.MulInPlace(momentum);
                buffer.AddInPlace(d, 1 - o[DampeningKey]);
            }
            d = o[NesterovKey] != 0 ? d + buffer * momentum : buffer;
        }
        parameter.AddInPlace(d, -lr);
    }
}
