namespace Autograd.Nn.Optim;

/// <summary>
/// RMSprop (PyTorch's torch.optim.RMSprop), with optional L2 weight decay, momentum and the centered variant. For
/// each parameter θ with gradient g, with γ = lr, α = smoothing constant, λ = weight decay, μ = momentum:
/// <code>
/// g ← g + λθ                               (if λ ≠ 0)
/// v ← αv + (1 − α)g²                       (square_avg)
/// a ← αa + (1 − α)g                        (if centered; grad_avg, evaluated as PyTorch's lerp)
/// d ← √(v − a²) + ε if centered, else √v + ε
/// b ← μb + g/d;  θ ← θ − γb               (if μ &gt; 0; momentum_buffer)
/// θ ← θ − γg/d                             (otherwise)
/// </code>
/// State: <c>step</c>, <c>square_avg</c>, <c>momentum_buffer</c> when μ &gt; 0, <c>grad_avg</c> when centered.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>The state name of the running average of squared gradients v.</summary>
    public const string SquareAvgName = "square_avg";

    /// <summary>The state name of the momentum buffer b.</summary>
    public const string MomentumBufferName = "momentum_buffer";

    /// <summary>The state name of the running average of gradients a (centered).</summary>
    public const string GradAvgName = "grad_avg";

    private readonly string[] _bufferNames;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="alpha">The smoothing constant α (≥ 0).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="momentum">The momentum factor μ (≥ 0).</param>
    /// <param name="centered">Whether to normalize by an estimate of the gradient's variance instead of its second moment.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names RMSprop and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false)
        : base(parameters, lr)
    {
        Alpha = CheckNonNegative(alpha, "alpha", nameof(alpha));
        Eps = CheckNonNegative(eps, "epsilon", nameof(eps));
        WeightDecay = CheckNonNegative(weightDecay, "weight decay", nameof(weightDecay));
        Momentum = CheckNonNegative(momentum, "momentum", nameof(momentum));
        Centered = centered;
        var names = new List<string> { SquareAvgName };
        if (momentum > 0) names.Add(MomentumBufferName);
        if (centered) names.Add(GradAvgName);
        _bufferNames = [.. names];
    }

    /// <summary>The smoothing constant α.</summary>
    public double Alpha { get; }

    /// <summary>The term ε added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The L2 penalty λ.</summary>
    public double WeightDecay { get; }

    /// <summary>The momentum factor μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames => _bufferNames;

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        var squareAvg = state.ZerosBuffer(SquareAvgName, parameter);
        var buffer = Momentum > 0 ? state.ZerosBuffer(MomentumBufferName, parameter) : null;
        var gradAvg = Centered ? state.ZerosBuffer(GradAvgName, parameter) : null;
        state.Step++;

        if (WeightDecay != 0) grad = grad + parameter * WeightDecay;

        squareAvg.MulInPlace(Alpha);
        squareAvg.AddInPlace(grad * (1 - Alpha) * grad); // addcmul_: v + (value·g)·g

        Tensor avg;
        if (gradAvg is not null)
        {
            LerpInPlace(gradAvg, grad, 1 - Alpha);
            avg = (squareAvg - gradAvg * gradAvg).Sqrt();
        }
        else
        {
            avg = squareAvg.Sqrt();
        }
        avg = avg + Eps;

        if (buffer is not null)
        {
            buffer.MulInPlace(Momentum);
            buffer.AddInPlace(grad / avg);
            parameter.AddInPlace(buffer, -LearningRate);
        }
        else
        {
            parameter.AddInPlace(grad * -LearningRate / avg); // addcdiv_: θ + (value·g)/avg
        }
    }
}
