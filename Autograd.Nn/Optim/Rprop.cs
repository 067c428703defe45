namespace Autograd.Nn.Optim;

/// <summary>
/// Rprop, resilient backpropagation (PyTorch's torch.optim.Rprop): each element has its own step size, grown by η₊
/// while its gradient keeps its sign and shrunk by η₋ when it flips. For each parameter θ with gradient g (with the
/// options of θ's group):
/// <code>
/// g ← −g                                        (if maximize)
/// s ← sign(g·g_prev)
/// δ ← clamp(δ·(η₊ if s &gt; 0, η₋ if s &lt; 0, 1 if s = 0), δ_min, δ_max)     (step_size, starting at lr)
/// g ← 0 where s &lt; 0
/// θ ← θ − sign(g)·δ;  g_prev ← g                  (prev)
/// </code>
/// State: <c>step</c>, <c>prev</c>, <c>step_size</c>. Options: <c>lr</c>, <c>eta_minus</c>, <c>eta_plus</c>
/// (PyTorch's <c>etas</c>), <c>step_size_min</c>, <c>step_size_max</c> (PyTorch's <c>step_sizes</c>), <c>maximize</c>.
/// </summary>
public sealed class Rprop : Optimizer
{
    /// <summary>The state name of the previous (masked) gradient.</summary>
    public const string PrevName = "prev";

    /// <summary>The state name of the per-element step sizes δ.</summary>
    public const string StepSizeName = "step_size";

    /// <summary>The option name of the shrink factor η₋ (PyTorch's <c>etas[0]</c>).</summary>
    public const string EtaMinusKey = "eta_minus";

    /// <summary>The option name of the growth factor η₊ (PyTorch's <c>etas[1]</c>).</summary>
    public const string EtaPlusKey = "eta_plus";

    /// <summary>The option name of the smallest step size (PyTorch's <c>step_sizes[0]</c>).</summary>
    public const string StepSizeMinKey = "step_size_min";

    /// <summary>The option name of the largest step size (PyTorch's <c>step_sizes[1]</c>).</summary>
    public const string StepSizeMaxKey = "step_size_max";

    private static readonly string[] Names = [PrevName, StepSizeName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The initial step size (≥ 0).</param>
    /// <param name="etaMinus">The shrink factor η₋, in (0, 1).</param>
    /// <param name="etaPlus">The growth factor η₊ (&gt; 1).</param>
    /// <param name="stepSizeMin">The smallest step size (≥ 0).</param>
    /// <param name="stepSizeMax">The largest step size (≥ <paramref name="stepSizeMin"/>).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public Rprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double etaMinus = 0.5, double etaPlus = 1.2, double stepSizeMin = 1e-6,
        double stepSizeMax = 50, bool maximize = false)
        : base(Single(parameters), Specs(lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The initial step size (≥ 0).</param>
    /// <param name="etaMinus">The shrink factor η₋, in (0, 1).</param>
    /// <param name="etaPlus">The growth factor η₊ (&gt; 1).</param>
    /// <param name="stepSizeMin">The smallest step size (≥ 0).</param>
    /// <param name="stepSizeMax">The largest step size (≥ <paramref name="stepSizeMin"/>).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public Rprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double etaMinus = 0.5, double etaPlus = 1.2, double stepSizeMin = 1e-6,
        double stepSizeMax = 50, bool maximize = false)
        : base(Groups(groups), Specs(lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double etaMinus, double etaPlus, double stepSizeMin, double stepSizeMax, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(EtaMinusKey, etaMinus, OptionKind.Positive, "eta_minus", nameof(etaMinus)),
        new(EtaPlusKey, etaPlus, OptionKind.Positive, "eta_plus", nameof(etaPlus)),
        new(StepSizeMinKey, stepSizeMin, OptionKind.NonNegative, "step_size_min", nameof(stepSizeMin)),
        new(StepSizeMaxKey, stepSizeMax, OptionKind.NonNegative, "step_size_max", nameof(stepSizeMax)),
        OptionSpec.Flag(MaximizeKey, maximize, nameof(maximize)),
    ];

    /// <inheritdoc/>
    private protected override (string Message, string ParamName)? CheckCombination(IReadOnlyDictionary<string, double> options)
    {
        double minus = options[EtaMinusKey], plus = options[EtaPlusKey];
        if (!(minus < 1 && 1 < plus))
            return ($"invalid etas ({Format(minus)}, {Format(plus)}): must satisfy 0 < eta_minus < 1 < eta_plus", "etaMinus");
        if (options[StepSizeMinKey] > options[StepSizeMaxKey])
            return ($"invalid step sizes ({Format(options[StepSizeMinKey])}, {Format(options[StepSizeMaxKey])}): step_size_min must be <= step_size_max", "stepSizeMin");
        return null;
    }

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
        var prev = state.ZerosBuffer(PrevName, parameter);
        if (!state.Buffers.TryGetValue(StepSizeName, out var stepSize))
        {
            stepSize = Tensor.Full(parameter.Shape, o[LearningRateKey], parameter.DType);
            state.Buffers[StepSizeName] = stepSize;
        }
        state.Step++;
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(prev, stepSize))
        {
            FusedUpdates.Rprop(parameter, grad, prev, stepSize, ClaimGradZeroing(), o[MaximizeKey] != 0, o[EtaMinusKey], o[EtaPlusKey],
                o[StepSizeMinKey], o[StepSizeMaxKey]);
            return;
        }
        if (o[MaximizeKey] != 0) grad = -grad;
        var sign = (grad * prev).Sign();
        var factor = Tensor.Where(sign.Gt(0), o[EtaPlusKey], Tensor.Where(sign.Lt(0), o[EtaMinusKey], Tensor.OnesLike(sign)));
        stepSize.CopyFrom((stepSize * factor).Clamp(o[StepSizeMinKey], o[StepSizeMaxKey]));
        var masked = Tensor.Where(sign.Lt(0), 0.0, grad);
        parameter.AddInPlace(masked.Sign() * stepSize, -1);
        prev.CopyFrom(masked);
    }
}
