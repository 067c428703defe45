namespace Autograd.Nn.Optim;

/// <summary>
/// Adam (PyTorch's torch.optim.Adam), with optional L2 weight decay and the AMSGrad variant. For each parameter θ
/// with gradient g at step t (counted per parameter from 1), with γ = lr, λ = weight decay:
/// <code>
/// g ← g + λθ                                   (if λ ≠ 0)
/// m ← β₁m + (1 − β₁)g                          (exp_avg, evaluated as PyTorch's lerp)
/// v ← β₂v + (1 − β₂)g²                         (exp_avg_sq)
/// v_max ← max(v_max, v)                         (if amsgrad; max_exp_avg_sq, the raw v as PyTorch's code does)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v' / √(1 − β₂ᵗ) + ε),   v' = v_max if amsgrad, else v
/// </code>
/// State: <c>step</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, and <c>max_exp_avg_sq</c> with amsgrad.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>The state name of the first-moment running average m.</summary>
    public const string ExpAvgName = "exp_avg";

    /// <summary>The state name of the second-moment running average v.</summary>
    public const string ExpAvgSqName = "exp_avg_sq";

    /// <summary>The state name of the running maximum of v (AMSGrad).</summary>
    public const string MaxExpAvgSqName = "max_exp_avg_sq";

    private static readonly string[] Plain = [ExpAvgName, ExpAvgSqName];
    private static readonly string[] WithMax = [ExpAvgName, ExpAvgSqName, MaxExpAvgSqName];

    private readonly bool _decoupledWeightDecay;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The L2 penalty λ (≥ 0), added to the gradient.</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names the optimizer and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay: false)
    {
    }

    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay,
        bool amsgrad, bool decoupledWeightDecay)
        : base(parameters, lr)
    {
        Beta1 = CheckUnitInterval(beta1, "beta1", nameof(beta1));
        Beta2 = CheckUnitInterval(beta2, "beta2", nameof(beta2));
        Eps = CheckNonNegative(eps, "epsilon", nameof(eps));
        WeightDecay = CheckNonNegative(weightDecay, "weight decay", nameof(weightDecay));
        AmsGrad = amsgrad;
        _decoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>The decay β₁ of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>The decay β₂ of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>The term ε added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The weight decay λ (an L2 penalty for Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool AmsGrad { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames => AmsGrad ? WithMax : Plain;

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        var expAvg = state.ZerosBuffer(ExpAvgName, parameter);
        var expAvgSq = state.ZerosBuffer(ExpAvgSqName, parameter);
        var maxExpAvgSq = AmsGrad ? state.ZerosBuffer(MaxExpAvgSqName, parameter) : null;
        long step = ++state.Step;
        double lr = LearningRate;

        if (WeightDecay != 0)
        {
            if (_decoupledWeightDecay) parameter.MulInPlace(1 - lr * WeightDecay);
            else grad = grad + parameter * WeightDecay;
        }

        LerpInPlace(expAvg, grad, 1 - Beta1);
        expAvgSq.MulInPlace(Beta2);
        expAvgSq.AddInPlace(grad * (1 - Beta2) * grad); // addcmul_: v + (value·g)·g

        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);

        Tensor second = expAvgSq;
        if (maxExpAvgSq is not null)
        {
            maxExpAvgSq.CopyFrom(Tensor.Maximum(maxExpAvgSq, expAvgSq));
            second = maxExpAvgSq;
        }
        var denom = second.Sqrt() / biasCorrection2Sqrt + Eps;
        parameter.AddInPlace(expAvg * -stepSize / denom); // addcdiv_: θ + (value·m)/denom
    }
}

/// <summary>
/// AdamW (PyTorch's torch.optim.AdamW): Adam with decoupled weight decay. Before the Adam update of step t, each
/// parameter is scaled, θ ← θ·(1 − γλ), instead of adding λθ to the gradient; the rest is <see cref="Adam"/>'s update
/// (including AMSGrad) and state.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate γ (≥ 0).</param>
    /// <param name="beta1">The decay β₁ of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay β₂ of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term ε added to the denominator (≥ 0).</param>
    /// <param name="weightDecay">The decoupled weight decay λ (≥ 0).</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant.</param>
    /// <exception cref="ArgumentException">
    /// A hyperparameter is out of range (the message names AdamW and the value), or
    /// <paramref name="parameters"/> is empty or holds a non-leaf, an int64 tensor or the same tensor twice.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay: true)
    {
    }
}
