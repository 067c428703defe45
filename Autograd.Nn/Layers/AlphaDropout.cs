namespace Autograd.Nn;

/// <summary>
/// Alpha dropout (PyTorch's nn.AlphaDropout), for self-normalizing networks: in training mode sets each element, with
/// probability p, to SELU's negative saturation value α′ = −λα and then applies the affine map that restores zero mean
/// and unit variance: y = a·(x·m + α′·(1 − m)) + b, with m[i] = 1 with probability 1 − p, a = ((1 − p)(1 + p·α′²))^(−½)
/// and b = −a·α′·p. Written as PyTorch computes it, y = x·(a·m) + (m − 1)·α″ + α″·p with α″ = 1.7580993408473766·a.
/// In evaluation mode, or for p = 0, y = x; for p = 1, y = x·0.
/// </summary>
public sealed class AlphaDropout : Module
{
    private const double Alpha = 1.7580993408473766; // λα of SELU
    private readonly Generator? _generator;

    /// <summary>Creates the module; <paramref name="p"/> must lie in [0, 1].</summary>
    /// <param name="p">Probability of dropping each element (PyTorch's default 0.5).</param>
    /// <param name="generator">
    /// Source of the masks (one <see cref="Generator.NextDouble"/> per element per call, row-major, an element kept
    /// when its draw is at least p); when null, each call draws from <see cref="Generator.Default"/> as it is then.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public AlphaDropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentException($"AlphaDropout: dropout probability has to be between 0 and 1, but got {p}.", nameof(p));
        P = p;
        _generator = generator;
    }

    /// <summary>The probability of dropping an element.</summary>
    public double P { get; }

    /// <summary>Applies alpha dropout in training mode (see the class summary); the input itself in evaluation mode.</summary>
    /// <param name="input">The input, float32 or float64 in training mode.</param>
    /// <returns>The transformed input, or the input itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">In training mode with p &gt; 0, <paramref name="input"/> is int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Training || P == 0 || input.NumElements == 0) return input;
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"AlphaDropout: expected a float32 or float64 input, got {input.DType.Name()}.", nameof(input));
        if (P == 1) return input * 0.0;
        double a = 1 / Math.Sqrt((Alpha * Alpha * P + 1) * (1 - P));
        Tensor scale, shift;
        using (Autodiff.NoGrad())
        {
            var keep = Tensor.Rand(input.Shape, _generator ?? Generator.Default, DType.Float64).Ge(P).To(DType.Float64);
            shift = ((keep - 1.0) * (Alpha * a) + Alpha * a * P).To(input.DType);
            scale = (keep * a).To(input.DType);
        }
        return input * scale + shift;
    }

    /// <summary>PyTorch's description, e.g. <c>p=0.5, inplace=False</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.AlphaDropout.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => $"p={Repr.Float(P)}, inplace=False";
}
