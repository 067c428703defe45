namespace Autograd.Nn.Optim;

/// <summary>
/// Averaged stochastic gradient descent (PyTorch's torch.optim.ASGD). For each parameter θ with gradient g at step t
/// (counted per parameter from 1), with γ = lr, λ = weight decay (the options of θ's group):
/// <code>
/// g ← −g                                (if maximize)
/// g ← g + λθ                            (if λ ≠ 0)
/// θ ← θ·(1 − λ_d·η) − η·g               (η: eta, starting at γ; λ_d: lambd)
/// a ← a + μ(θ − a) if μ ≠ 1, else a ← θ (ax, the average; μ: mu, starting at 1)
/// η ← γ / (1 + λ_d·γ·t)^α;  μ ← 1 / max(1, t − t₀)
/// </code>
/// State: <c>step</c>, <c>eta</c> and <c>mu</c> (numbers), <c>ax</c>. Options: <c>lr</c>, <c>lambd</c>,
/// <c>alpha</c>, <c>t0</c>, <c>weight_decay</c>, <c>maximize</c>.
/// </summary>
public sealed class ASGD : Optimizer
{
    /// <summary>The state name of the averaged parameter.</summary>
    public const string AxName = "ax";

    /// <summary>The state name of the current step size η.</summary>
    public const string EtaName = "eta";

    /// <summary>The state name of the averaging coefficient μ.</summary>
    public const string MuName = "mu";

    /// <summary>The option name of the decay term λ_d.</summary>
    public const string LambdKey = "lambd";

    /// <summary>The option name of the power α of the η update.</summary>
    public const string AlphaKey = "alpha";

    /// <summary>The option name of the step t₀ at which averaging starts.</summary>
    public const string T0Key = "t0";

    private static readonly string[] Names = [AxName];
    private static readonly string[] Numbers = [EtaName, MuName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="lambd">The decay term λ_d (≥ 0).</param>
    /// <param name="alpha">The power α of the η update (finite).</param>
    /// <param name="t0">The step t₀ at which averaging starts (finite).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public ASGD(IEnumerable<Tensor> parameters, double lr = 1e-2, double lambd = 1e-4, double alpha = 0.75, double t0 = 1e6, double weightDecay = 0,
        bool maximize = false)
        : base(Single(parameters), Specs(lr, lambd, alpha, t0, weightDecay, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="lambd">The decay term λ_d (≥ 0).</param>
    /// <param name="alpha">The power α of the η update (finite).</param>
    /// <param name="t0">The step t₀ at which averaging starts (finite).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public ASGD(IEnumerable<ParamGroup> groups, double lr = 1e-2, double lambd = 1e-4, double alpha = 0.75, double t0 = 1e6, double weightDecay = 0,
        bool maximize = false)
        : base(Groups(groups), Specs(lr, lambd, alpha, t0, weightDecay, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double lambd, double alpha, double t0, double weightDecay, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(LambdKey, lambd, OptionKind.NonNegative, "lambd", nameof(lambd)),
        new(AlphaKey, alpha, OptionKind.Finite, "alpha", nameof(alpha)),
        new(T0Key, t0, OptionKind.Finite, "t0", nameof(t0)),
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
        double lr = o[LearningRateKey], lambd = o[LambdKey], weightDecay = o[WeightDecayKey];
        var ax = state.ZerosBuffer(AxName, parameter);
        double eta = state.Scalars.GetValueOrDefault(EtaName, lr);
        double mu = state.Scalars.GetValueOrDefault(MuName, 1.0);
        long step = ++state.Step;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(ax))
        {
            FusedUpdates.Asgd(parameter, grad, ax, ClaimGradZeroing(), o[MaximizeKey] != 0, weightDecay, 1 - lambd * eta, eta, mu);
        }
        else
        {
            if (o[MaximizeKey] != 0) grad = -grad;
            if (weightDecay != 0) grad = grad + parameter * weightDecay;
            parameter.MulInPlace(1 - lambd * eta);
            parameter.AddInPlace(grad, -eta);
            if (mu != 1) ax.AddInPlace((parameter - ax) * mu);
            else ax.CopyFrom(parameter);
        }
        state.Scalars[EtaName] = lr / Math.Pow(1 + lambd * lr * step, o[AlphaKey]);
        state.Scalars[MuName] = 1 / Math.Max(1, step - o[T0Key]);
    }
}
