namespace Autograd.Nn;

// Parameter-free modules wrapping the activation functions of the lecture notes, §1.2.1.3, for use in Sequential.

/// <summary>The identity (PyTorch's nn.Identity): computes y = x.</summary>
public sealed class Identity : Module
{
    /// <summary>Computes y = x (returns the input itself).</summary>
    /// <param name="input">The input.</param>
    /// <returns><paramref name="input"/> itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}

/// <summary>The rectified linear unit (PyTorch's nn.ReLU): computes y = max(x, 0); its derivative is 1 for x &gt; 0, else 0.</summary>
public sealed class ReLU : Module
{
    /// <summary>Computes y[i] = max(x[i], 0).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The rectified values, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }
}

/// <summary>The logistic sigmoid (PyTorch's nn.Sigmoid): computes y = 1 / (1 + e^−x) (lecture notes eq. 1.16).</summary>
public sealed class Sigmoid : Module
{
    /// <summary>Computes y[i] = 1 / (1 + e^−x[i]).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The sigmoids, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }
}

/// <summary>The hyperbolic tangent (PyTorch's nn.Tanh): computes y = (e^{2x} − 1)/(e^{2x} + 1) (lecture notes eq. 1.19).</summary>
public sealed class Tanh : Module
{
    /// <summary>Computes y[i] = tanh x[i].</summary>
    /// <param name="input">The input.</param>
    /// <returns>The hyperbolic tangents, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanh();
    }
}

/// <summary>
/// The hard tanh (PyTorch's nn.Hardtanh): computes y = max(min(x, max), min), by default max(min(x, 1), −1)
/// (lecture notes §1.2.1.3); its derivative is 1 on the open interval (min, max) and 0 elsewhere, bounds included, as
/// PyTorch's hardtanh_backward. (<c>Tensor.Hardtanh()</c> keeps the lecture notes' 1 at the bounds.)
/// </summary>
public sealed class Hardtanh : Module
{
    /// <summary>Creates the module with the clipping range [<paramref name="minValue"/>, <paramref name="maxValue"/>].</summary>
    /// <param name="minValue">The lower end of the linear region.</param>
    /// <param name="maxValue">The upper end of the linear region.</param>
    /// <exception cref="ArgumentException"><paramref name="minValue"/> exceeds <paramref name="maxValue"/>, or either is NaN.</exception>
    public Hardtanh(double minValue = -1, double maxValue = 1)
    {
        if (!(minValue <= maxValue))
            throw new ArgumentException($"Hardtanh: minValue {minValue} must not exceed maxValue {maxValue}.");
        MinValue = minValue;
        MaxValue = maxValue;
    }

    /// <summary>The lower end of the linear region.</summary>
    public double MinValue { get; }

    /// <summary>The upper end of the linear region.</summary>
    public double MaxValue { get; }

    /// <summary>Computes y[i] = max(min(x[i], max), min), with gradient 0 where x[i] ≤ min or x[i] ≥ max.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The clipped values, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Where x is at or past a bound the clamped value is taken off the graph, so the bounds pass no gradient.
        var outside = input.Le(MinValue) + input.Ge(MaxValue);
        return Tensor.Where(outside, input.Detach().Clamp(MinValue, MaxValue), input);
    }

    /// <summary>PyTorch's description, e.g. <c>min_val=-1.0, max_val=1.0</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.Hardtanh.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"min_val={Repr.Float(MinValue)}, max_val={Repr.Float(MaxValue)}";
}

/// <summary>
/// The leaky rectified linear unit (PyTorch's nn.LeakyReLU): computes y = x for x &gt; 0, else negative_slope·x; its
/// derivative at 0 is the slope, as PyTorch's.
/// </summary>
public sealed class LeakyReLU : Module
{
    /// <summary>Creates the module with slope <paramref name="negativeSlope"/> for x ≤ 0.</summary>
    /// <param name="negativeSlope">The slope for x ≤ 0 (PyTorch's negative_slope).</param>
    public LeakyReLU(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    /// <summary>The slope for x ≤ 0.</summary>
    public double NegativeSlope { get; }

    /// <summary>Computes y[i] = x[i] if x[i] &gt; 0, else <see cref="NegativeSlope"/>·x[i].</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LeakyRelu(NegativeSlope);
    }

    /// <summary>PyTorch's description, e.g. <c>negative_slope=0.01</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.LeakyReLU.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"negative_slope={Repr.Float(NegativeSlope)}";
}

/// <summary>
/// The rectified linear unit capped at 6 (PyTorch's nn.ReLU6): computes y = min(max(x, 0), 6); its derivative is 0
/// at 0 and at 6, as PyTorch's.
/// </summary>
public sealed class ReLU6 : Module
{
    /// <summary>Computes y[i] = min(max(x[i], 0), 6).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu6();
    }
}

/// <summary>The sigmoid-weighted linear unit (PyTorch's nn.SiLU, the swish): computes y = x·σ(x).</summary>
public sealed class SiLU : Module
{
    /// <summary>Computes y[i] = x[i]·σ(x[i]).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Silu();
    }
}

/// <summary>The softsign (PyTorch's nn.Softsign): computes y = x / (1 + |x|).</summary>
public sealed class Softsign : Module
{
    /// <summary>Computes y[i] = x[i] / (1 + |x[i]|).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softsign();
    }
}

/// <summary>The tanh shrinkage (PyTorch's nn.Tanhshrink): computes y = x − tanh x.</summary>
public sealed class Tanhshrink : Module
{
    /// <summary>Computes y[i] = x[i] − tanh x[i].</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanhshrink();
    }
}

/// <summary>The hard sigmoid (PyTorch's nn.Hardsigmoid): computes y = min(max(x + 3, 0), 6) / 6; its derivative is 0 at ±3, as PyTorch's.</summary>
public sealed class Hardsigmoid : Module
{
    /// <summary>Computes y[i] = min(max(x[i] + 3, 0), 6) / 6.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Hardsigmoid();
    }
}

/// <summary>The hard swish (PyTorch's nn.Hardswish): computes y = x·min(max(x + 3, 0), 6) / 6; its derivative is −1/2 at −3 and 3/2 at 3, as PyTorch's.</summary>
public sealed class Hardswish : Module
{
    /// <summary>Computes y[i] = x[i]·min(max(x[i] + 3, 0), 6) / 6.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Hardswish();
    }
}

/// <summary>The log-sigmoid (PyTorch's nn.LogSigmoid): computes y = ln σ(x) = −softplus(−x), finite for large |x|.</summary>
public sealed class LogSigmoid : Module
{
    /// <summary>Computes y[i] = −ln(1 + e^−x[i]).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LogSigmoid();
    }
}

/// <summary>
/// The exponential linear unit (PyTorch's nn.ELU): computes y = x for x &gt; 0, else alpha·(eˣ − 1); its derivative at 0
/// is alpha, as PyTorch's.
/// </summary>
public sealed class ELU : Module
{
    /// <summary>Creates the module with scale <paramref name="alpha"/> on the negative branch.</summary>
    /// <param name="alpha">The scale of the negative branch (PyTorch's alpha).</param>
    public ELU(double alpha = 1.0) => Alpha = alpha;

    /// <summary>The scale of the negative branch.</summary>
    public double Alpha { get; }

    /// <summary>Computes y[i] = x[i] if x[i] &gt; 0, else <see cref="Alpha"/>·(e^x[i] − 1).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Elu(Alpha);
    }

    /// <summary>PyTorch's description, e.g. <c>alpha=1.0</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.ELU.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"alpha={Repr.Float(Alpha)}";
}

/// <summary>
/// The sign function (lecture notes eq. 1.1, the perceptron's output): computes y = sign x ∈ {−1, 0, +1}. Its derivative is
/// 0 wherever it exists (§1.2.1.6), so no gradient flows through it: train a perceptron on the score W·X + b with
/// <see cref="Losses.PerceptronCriterion"/> and apply Sign only to predict.
/// </summary>
public sealed class Sign : Module
{
    /// <summary>Computes y[i] = sign x[i].</summary>
    /// <param name="input">The input.</param>
    /// <returns>The signs, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sign();
    }
}

/// <summary>The softmax (PyTorch's nn.Softmax): computes y_i = exp(x_i) / Σⱼ exp(x_j) along <see cref="Axis"/>, stably.</summary>
public sealed class Softmax : Module
{
    /// <summary>Creates the module normalizing along <paramref name="axis"/> (negative counts from the end).</summary>
    /// <param name="axis">The axis to normalize along.</param>
    public Softmax(int axis = -1) => Axis = axis;

    /// <summary>The axis the probabilities sum to 1 along.</summary>
    public int Axis { get; }

    /// <summary>Computes y = exp(x − max) / Σ exp(x − max) along <see cref="Axis"/>.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The probabilities, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Axis"/> is out of range for the input's rank.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softmax(Axis);
    }

    /// <summary>PyTorch's description, e.g. <c>dim=-1</c>.</summary>
    /// <returns>The axis as PyTorch's <c>nn.Softmax.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"dim={Repr.Int(Axis)}";
}

/// <summary>The log-softmax (PyTorch's nn.LogSoftmax): computes y_i = x_i − log Σⱼ exp(x_j) along <see cref="Axis"/>, stably.</summary>
public sealed class LogSoftmax : Module
{
    /// <summary>Creates the module normalizing along <paramref name="axis"/> (negative counts from the end).</summary>
    /// <param name="axis">The axis to normalize along.</param>
    public LogSoftmax(int axis = -1) => Axis = axis;

    /// <summary>The axis the normalization runs along.</summary>
    public int Axis { get; }

    /// <summary>Computes y = x − log Σ exp(x) along <see cref="Axis"/>.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The log-probabilities, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Axis"/> is out of range for the input's rank.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LogSoftmax(Axis);
    }

    /// <summary>PyTorch's description, e.g. <c>dim=-1</c>.</summary>
    /// <returns>The axis as PyTorch's <c>nn.LogSoftmax.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"dim={Repr.Int(Axis)}";
}

/// <summary>
/// Flattens axes <see cref="StartAxis"/> … <see cref="EndAxis"/> into one (PyTorch's nn.Flatten, which keeps the batch
/// axis: the defaults turn [N, C, H, W] into [N, C·H·W]).
/// </summary>
public sealed class Flatten : Module
{
    /// <summary>Creates the module merging axes <paramref name="startAxis"/> … <paramref name="endAxis"/>.</summary>
    /// <param name="startAxis">The first axis to merge (negative counts from the end).</param>
    /// <param name="endAxis">The last axis to merge (negative counts from the end).</param>
    public Flatten(int startAxis = 1, int endAxis = -1)
    {
        StartAxis = startAxis;
        EndAxis = endAxis;
    }

    /// <summary>The first merged axis.</summary>
    public int StartAxis { get; }

    /// <summary>The last merged axis.</summary>
    public int EndAxis { get; }

    /// <summary>Computes y = x reshaped with axes <see cref="StartAxis"/> … <see cref="EndAxis"/> merged (a view when contiguous).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The flattened tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="StartAxis"/> or <see cref="EndAxis"/> is out of range for the input's rank.</exception>
    /// <exception cref="ArgumentException">For the input's rank, <see cref="StartAxis"/> comes after <see cref="EndAxis"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(StartAxis, EndAxis);
    }

    /// <summary>PyTorch's description, e.g. <c>start_dim=1, end_dim=-1</c>.</summary>
    /// <returns>The axes as PyTorch's <c>nn.Flatten.extra_repr</c> prints them.</returns>
    public override string ExtraRepr() => $"start_dim={Repr.Int(StartAxis)}, end_dim={Repr.Int(EndAxis)}";
}

/// <summary>
/// Dropout (PyTorch's nn.Dropout): in training mode computes y = x · m / (1 − p) with m[i] = 0 with probability p and
/// 1 otherwise, drawn afresh at each call from the generator given, or <see cref="Generator.Default"/> (the scaled mask
/// is a constant tensor, so the gradient is g · m / (1 − p)); in evaluation mode computes y = x (the input itself).
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? _generator;

    /// <summary>Creates the module; <paramref name="p"/> must lie in [0, 1).</summary>
    /// <param name="p">Probability of zeroing each element (PyTorch's default 0.5).</param>
    /// <param name="generator">
    /// Source of the masks (one <see cref="Generator.NextDouble"/> per element per call, row-major); when null, each
    /// call draws from <see cref="Generator.Default"/> as it is then.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1) or NaN.</exception>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p < 1))
            throw new ArgumentException($"Dropout: probability p must lie in [0, 1), got {p}.", nameof(p));
        P = p;
        _generator = generator;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>
    /// Computes y = x · m / (1 − p) in training mode (m[i] = 1 when a uniform draw u[i] ≥ p, else 0), and y = x in
    /// evaluation mode or when p = 0 (no draws then).
    /// </summary>
    /// <param name="input">The input, float32 or float64 in training mode.</param>
    /// <returns>The input with elements zeroed and the rest scaled, or the input itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">In training mode with p &gt; 0, <paramref name="input"/> is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Training || P == 0) return input;
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"Dropout: expected a float32 or float64 input, got {input.DType.Name()}.", nameof(input));
        Tensor mask;
        using (Autodiff.NoGrad())
            mask = (Tensor.Rand(input.Shape, _generator ?? Generator.Default, DType.Float64).Ge(P) * (1 / (1 - P))).To(input.DType);
        return input * mask;
    }

    /// <summary>PyTorch's description, e.g. <c>p=0.5, inplace=False</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.Dropout.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"p={Repr.Float(P)}, inplace=False";
}

/// <summary>
/// The scaled exponential linear unit (PyTorch's nn.SELU): computes y = scale·(max(0, x) + min(0, α(eˣ − 1))) with
/// α ≈ 1.6733 and scale ≈ 1.0507; its derivative at 0 is scale·α, as PyTorch's.
/// </summary>
public sealed class SELU : Module
{
    /// <summary>Computes y[i] = scale·elu(x[i], α).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Selu();
    }
}

/// <summary>
/// The continuously differentiable exponential linear unit (PyTorch's nn.CELU): computes
/// y = max(0, x) + min(0, α(e^{x/α} − 1)); its derivative at 0 is 1, as PyTorch's.
/// </summary>
public sealed class CELU : Module
{
    /// <summary>Creates the module with the given α.</summary>
    /// <param name="alpha">The α of the formula (PyTorch's alpha); not 0.</param>
    /// <exception cref="ArgumentException"><paramref name="alpha"/> is 0.</exception>
    public CELU(double alpha = 1.0)
    {
        if (alpha == 0) throw new ArgumentException("CELU: alpha cannot be 0.", nameof(alpha));
        Alpha = alpha;
    }

    /// <summary>The α of the formula.</summary>
    public double Alpha { get; }

    /// <summary>Computes y[i] = max(0, x[i]) + min(0, α(e^{x[i]/α} − 1)).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Celu(Alpha);
    }

    /// <summary>PyTorch's description, e.g. <c>alpha=1.0</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.CELU.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"alpha={Repr.Float(Alpha)}";
}

/// <summary>
/// The Gaussian error linear unit (PyTorch's nn.GELU): computes y = x·Φ(x) = ½x(1 + erf(x/√2)), or with
/// approximate "tanh" ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
/// </summary>
public sealed class GELU : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="approximate">"none" for the exact form, "tanh" for the tanh approximation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="approximate"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="approximate"/> is neither "none" nor "tanh".</exception>
    public GELU(string approximate = "none")
    {
        ArgumentNullException.ThrowIfNull(approximate);
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate must be either 'none' or 'tanh', got '{approximate}'.", nameof(approximate));
        Approximate = approximate;
    }

    /// <summary>"none" or "tanh".</summary>
    public string Approximate { get; }

    /// <summary>Computes the GELU of each element.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Gelu(Approximate);
    }

    /// <summary>PyTorch's description, e.g. <c>approximate='none'</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.GELU.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"approximate='{Approximate}'";
}

/// <summary>The Mish activation (PyTorch's nn.Mish): computes y = x·tanh(softplus(x)).</summary>
public sealed class Mish : Module
{
    /// <summary>Computes y[i] = x[i]·tanh(ln(1 + e^x[i])).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Mish();
    }
}

/// <summary>The gated linear unit (PyTorch's nn.GLU): halves <see cref="Axis"/> into a and b and computes a·σ(b).</summary>
public sealed class GLU : Module
{
    /// <summary>Creates the module halving <paramref name="axis"/> (PyTorch's dim; negative counts from the end).</summary>
    /// <param name="axis">The axis to halve.</param>
    public GLU(int axis = -1) => Axis = axis;

    /// <summary>The axis halved.</summary>
    public int Axis { get; }

    /// <summary>Computes a·σ(b) for the halves a, b of <see cref="Axis"/>.</summary>
    /// <param name="input">The input; the size of <see cref="Axis"/> must be even.</param>
    /// <returns>The activations, of the input's shape with <see cref="Axis"/> halved.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Axis"/> is out of range for the input's rank.</exception>
    /// <exception cref="ArgumentException">The input is int64 or 0-d, or the size of <see cref="Axis"/> is odd.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Glu(Axis);
    }

    /// <summary>PyTorch's description, e.g. <c>dim=-1</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.GLU.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"dim={Repr.Int(Axis)}";
}

/// <summary>
/// The softplus (PyTorch's nn.Softplus): computes y = ln(1 + e^{βx})/β, and x where βx &gt; threshold; stable for large |x|.
/// </summary>
public sealed class Softplus : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="beta">The sharpness β.</param>
    /// <param name="threshold">Above this value of β·x the result is x.</param>
    public Softplus(double beta = 1.0, double threshold = 20.0)
    {
        Beta = beta;
        Threshold = threshold;
    }

    /// <summary>The sharpness β.</summary>
    public double Beta { get; }

    /// <summary>The value of β·x above which the result is x.</summary>
    public double Threshold { get; }

    /// <summary>Computes y[i] = ln(1 + e^{β·x[i]})/β, or x[i] above the threshold.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The activations, of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softplus(Beta, Threshold);
    }

    /// <summary>
    /// PyTorch's description of the default module, <c>beta=1, threshold=20</c>: whole values print without a decimal
    /// point, as PyTorch prints its integer defaults.
    /// </summary>
    /// <returns>The configuration as PyTorch's <c>nn.Softplus.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"beta={Number(Beta)}, threshold={Number(Threshold)}";

    private static string Number(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e15 ? Repr.Int((long)v) : Repr.Float(v);
}
