namespace Autograd.Nn;

// The regression losses: squared, absolute, Huber and smooth L1 errors.
public static partial class Losses
{
    /// <summary>
    /// The mean squared error (F.mse_loss): computes ℓ[i] = (x[i] − t[i])², then <paramref name="reduction"/>.
    /// <paramref name="target"/> is a float tensor broadcastable with the input, as in PyTorch.
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, broadcastable with the input (PyTorch broadcasts them, with a warning when the sizes differ).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "MseLoss";
        CheckBroadcastPair(op, input, target, "input", "target");
        return Reduce(op, (input - target).Square(), reduction);
    }

    /// <summary>
    /// The mean absolute error (F.l1_loss): computes ℓ[i] = |x[i] − t[i]|, then <paramref name="reduction"/>.
    /// <paramref name="target"/> is a float tensor broadcastable with the input, as in PyTorch.
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, broadcastable with the input (PyTorch broadcasts them, with a warning when the sizes differ).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "L1Loss";
        CheckBroadcastPair(op, input, target, "input", "target");
        return Reduce(op, (input - target).Abs(), reduction);
    }

    /// <summary>
    /// The Huber loss (F.huber_loss): computes, for d[i] = x[i] − t[i], ℓ[i] = ½·d² where |d| &lt; δ and
    /// δ·(|d| − ½·δ) elsewhere, then <paramref name="reduction"/>. It is quadratic near the target and linear beyond δ;
    /// its gradient, d inside and δ·sign(d) outside, is continuous (δ at |d| = δ, as PyTorch's).
    /// <c>HuberLoss(x, t, δ)</c> equals δ·<c>SmoothL1Loss(x, t, beta: δ)</c>.
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, broadcastable with the input (PyTorch broadcasts them, with a warning when the sizes differ).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="delta">The threshold δ between the quadratic and the linear part; must be &gt; 0.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="delta"/> is not &gt; 0 (0, negative or NaN).</exception>
    public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
    {
        const string op = "HuberLoss";
        CheckBroadcastPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        if (!(delta > 0))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"{op}: delta must be > 0 (PyTorch's huber_loss refuses non-positive delta), got {delta}.");
        var d = input - target;
        var abs = d.Abs();
        return Reduce(op, Tensor.Where(abs.Lt(delta), 0.5 * d.Square(), delta * (abs - 0.5 * delta)), reduction);
    }

    /// <summary>
    /// The smooth L1 loss (F.smooth_l1_loss): computes, for d[i] = x[i] − t[i], ℓ[i] = ½·d²/β where |d| &lt; β and
    /// |d| − ½·β elsewhere, then <paramref name="reduction"/>. With β = 0 it is <see cref="L1Loss"/>, as in PyTorch.
    /// Its gradient, d/β inside and sign(d) outside, is continuous (1 at |d| = β, as PyTorch's).
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, broadcastable with the input (PyTorch broadcasts them, with a warning when the sizes differ).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="beta">The threshold β between the quadratic and the linear part; must be ≥ 0.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="beta"/> is negative or NaN.</exception>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        const string op = "SmoothL1Loss";
        CheckBroadcastPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        if (!(beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"{op}: beta must be >= 0 (PyTorch's smooth_l1_loss refuses negative beta), got {beta}.");
        var d = input - target;
        var abs = d.Abs();
        if (beta == 0)
            return Reduce(op, abs, reduction);
        return Reduce(op, Tensor.Where(abs.Lt(beta), 0.5 * d.Square() / beta, abs - 0.5 * beta), reduction);
    }
}
