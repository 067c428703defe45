namespace Autograd.Nn.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay
/// (PyTorch's torch.optim.SGD). For each parameter θ with gradient g, with γ = lr, λ = weight decay, μ = momentum,
/// τ = dampening:
/// <code>
/// g ← g + λθ                          (if λ ≠ 0)
/// b ← g on the first step, else b ← μb + (1 − τ)g   (if μ ≠ 0)
/// g ← g + μb if nesterov, else g ← b  (if μ ≠ 0)
/// θ ← θ − γg
/// </code>
/// State: <c>momentum_buffer</c> (b) when μ ≠ 0; no step count.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>The state name of the momentum buffer.</summary>
    public const string MomentumBufferName = "momentum_buffer";

    private static readonly string[] WithMomentum = [MomentumBufferName];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="momentum">The momentum factor μ (≥ 0).</param>
    /// <param name="dampening">The dampening τ for momentum.</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0).</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; requires μ &gt; 0 and τ = 0.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names SGD and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr)
    {
        Momentum = CheckNonNegative(momentum, "momentum", nameof(momentum));
        Dampening = CheckFinite(dampening, "dampening", nameof(dampening));
        WeightDecay = CheckNonNegative(weightDecay, "weight decay", nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException(
                $"SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum {Format(momentum)} and dampening {Format(dampening)}.",
                nameof(nesterov));
        Nesterov = nesterov;
    }

    /// <summary>The momentum factor μ.</summary>
    public double Momentum { get; }

    /// <summary>The dampening τ.</summary>
    public double Dampening { get; }

    /// <summary>The L2 penalty λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames => Momentum != 0 ? WithMomentum : [];

    /// <inheritdoc/>
    protected override bool CountsSteps => false;

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        var d = grad;
        if (WeightDecay != 0) d = d + parameter * WeightDecay;
        if (Momentum != 0)
        {
            if (!state.Buffers.TryGetValue(MomentumBufferName, out var buffer))
            {
                buffer = d.Clone();
                state.Buffers[MomentumBufferName] = buffer;
            }
            else
            {
                buffer.MulInPlace(Momentum);
                buffer.AddInPlace(d, 1 - Dampening);
            }
            d = Nesterov ? d + buffer * Momentum : buffer;
        }
        parameter.AddInPlace(d, -LearningRate);
    }
}
