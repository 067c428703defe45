namespace Autograd.Nn.Optim;

/// <summary>
/// Adagrad (PyTorch's torch.optim.Adagrad). For each parameter θ with gradient g at step t (counted per parameter
/// from 1), with γ = lr, η = lr decay, λ = weight decay (the options of θ's group):
/// <code>
/// g ← −g                                (if maximize)
/// g ← g + λθ                            (if λ ≠ 0)
/// γ̃ ← γ / (1 + (t − 1)η)
/// s ← s + g²                            (sum, starting at initial_accumulator_value)
/// θ ← θ − γ̃ · g / (√s + ε)
/// </code>
/// State: <c>step</c>, <c>sum</c> (made at a parameter's first step, where PyTorch makes it in the constructor, from the
/// constructor's <c>initial_accumulator_value</c> even for a group that sets its own, as PyTorch does).
/// Options: <c>lr</c>, <c>lr_decay</c>, <c>weight_decay</c>, <c>initial_accumulator_value</c>, <c>eps</c>, <c>maximize</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>The state name of the running sum of squared gradients.</summary>
    public const string SumName = "sum";

    /// <summary>The option name of the learning-rate decay η.</summary>
    public const string LrDecayKey = "lr_decay";

    /// <summary>The option name of the sum's starting value.</summary>
    public const string InitialAccumulatorValueKey = "initial_accumulator_value";

    private static readonly string[] Names = [SumName];

    /// <summary>Creates the optimizer with one parameter group.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="lrDecay">The learning-rate decay η (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="initialAccumulatorValue">The starting value of the sum of squares (≥ 0).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, or the parameters are unfit (empty, non-leaf, int64, repeated).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0,
        double eps = 1e-10, bool maximize = false)
        : base(Single(parameters), Specs(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
    }

    /// <summary>Creates the optimizer with parameter groups; the arguments are the defaults of options a group does not set.</summary>
    /// <param name="groups">The parameter groups, with options by name overriding the defaults.</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="lrDecay">The learning-rate decay η (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="initialAccumulatorValue">The starting value of the sum of squares (≥ 0).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="maximize">Whether to maximize the objective.</param>
    /// <exception cref="ArgumentException">A hyperparameter or a group's option is out of range or unknown, or the groups are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null or holds a null.</exception>
    public Adagrad(IEnumerable<ParamGroup> groups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0,
        double eps = 1e-10, bool maximize = false)
        : base(Groups(groups), Specs(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
    }

    private static OptionSpec[] Specs(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps, bool maximize) =>
    [
        new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
        new(LrDecayKey, lrDecay, OptionKind.NonNegative, "lr decay", nameof(lrDecay)),
        new(WeightDecayKey, weightDecay, OptionKind.NonNegative, "weight decay", nameof(weightDecay)),
        new(InitialAccumulatorValueKey, initialAccumulatorValue, OptionKind.NonNegative, "initial accumulator value", nameof(initialAccumulatorValue)),
        new(Adam.EpsKey, eps, OptionKind.NonNegative, "epsilon", nameof(eps)),
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
        if (!state.Buffers.TryGetValue(SumName, out var sum))
        {
            // As PyTorch, which fills the sums in its constructor: the constructor's value, whatever the group says.
            sum = Tensor.Full(parameter.Shape, Defaults[InitialAccumulatorValueKey], parameter.DType);
            state.Buffers[SumName] = sum;
        }
        long step = ++state.Step;
        double weightDecay = o[WeightDecayKey];
        double clr = o[LearningRateKey] / (1 + (step - 1) * o[LrDecayKey]);
        if (UseFusedUpdate && FusedUpdates.CanFuse(parameter, grad) && FusedUpdates.Contiguous(sum))
        {
            FusedUpdates.Adagrad(parameter, grad, sum, ClaimGradZeroing(), o[MaximizeKey] != 0, weightDecay, clr, o[Adam.EpsKey]);
            return;
        }
        if (o[MaximizeKey] != 0) grad = -grad;
        if (weightDecay != 0) grad = grad + parameter * weightDecay;
        sum.AddInPlace(grad * grad);
        var std = sum.Sqrt() + o[Adam.EpsKey];
        parameter.AddInPlace(grad * -clr / std);
    }
}
