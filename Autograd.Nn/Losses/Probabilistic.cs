namespace Autograd.Nn;

// The likelihood and divergence losses: Kullback–Leibler, Poisson and Gaussian negative log-likelihood.
public static partial class Losses
{
    /// <summary>
    /// The Kullback–Leibler divergence (F.kl_div) of log-probabilities <paramref name="input"/> from probabilities
    /// <paramref name="target"/>: computes ℓ[i] = t[i]·(log t[i] − x[i]), with 0·log 0 = 0 (PyTorch's xlogy), or, with
    /// <paramref name="logTarget"/>, for log-probabilities t: ℓ[i] = eᵗ·(t[i] − x[i]); then <paramref name="reduction"/>.
    /// <see cref="Reduction.Mean"/> averages over all elements, as PyTorch's 'mean' does; PyTorch's 'batchmean', the
    /// true KL divergence per sample, is <c>KlDivLoss(x, t, Reduction.Sum) / N</c> for a batch of N.
    /// A negative probability gives NaN, as PyTorch. Where t = 0 the gradient with respect to t is −x (0·log 0 contributing 0; PyTorch's is NaN).
    /// </summary>
    /// <param name="input">The log-probabilities x, float32 or float64.</param>
    /// <param name="target">The probabilities (log-probabilities with <paramref name="logTarget"/>), float32 or float64, broadcastable with the input.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="logTarget">Whether <paramref name="target"/> holds log-probabilities (PyTorch's <c>log_target</c>).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor KlDivLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        const string op = "KlDivLoss";
        CheckBroadcastPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        if (logTarget)
            return Reduce(op, target.Exp() * (target - input), reduction);
        // xlogy(t, t) − t·x: log 1 = 0 stands in at t = 0, so the value and both gradients there are finite.
        var xlogy = target * Tensor.Where(target.Eq(0.0), 1.0, target).Log();
        return Reduce(op, xlogy - target * input, reduction);
    }

    /// <summary>
    /// The Poisson negative log-likelihood (F.poisson_nll_loss) of targets t (counts) given a rate: computes
    /// ℓ[i] = e^x[i] − t[i]·x[i] when <paramref name="logInput"/> (x is the log-rate), else ℓ[i] = x[i] − t[i]·log(x[i] + eps);
    /// with <paramref name="full"/>, adds Stirling's approximation of log t!, t·log t − t + ½·log(2π·t), where t &gt; 1
    /// (0 where t ≤ 1, as PyTorch); then <paramref name="reduction"/>.
    /// </summary>
    /// <param name="input">The log-rates (with <paramref name="logInput"/>) or the rates, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, broadcastable with the input (PyTorch broadcasts them, with a warning when the sizes differ).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="logInput">Whether <paramref name="input"/> holds log-rates (PyTorch's <c>log_input</c>).</param>
    /// <param name="full">Whether to add the Stirling term (PyTorch's <c>full</c>).</param>
    /// <param name="eps">Added to a rate before its log when <paramref name="logInput"/> is false.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor PoissonNllLoss(
        Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logInput = true, bool full = false, double eps = 1e-8)
    {
        const string op = "PoissonNllLoss";
        CheckBroadcastPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        var loss = logInput ? input.Exp() - target * input : input - target * (input + eps).Log();
        if (full)
        {
            // Evaluated at max(t, 1) so the masked-out branch, and its gradient, stay finite.
            var above = target.Gt(1.0);
            var t = Tensor.Where(above, target, 1.0);
            var stirling = t * t.Log() - t + 0.5 * ((2 * Math.PI) * t).Log();
            loss = loss + Tensor.Where(above, stirling, 0.0);
        }
        return Reduce(op, loss, reduction);
    }

    /// <summary>
    /// The Gaussian negative log-likelihood (F.gaussian_nll_loss) of targets t under N(x, var): computes
    /// ℓ[i] = ½·(log max(var[i], eps) + (x[i] − t[i])² / max(var[i], eps)), plus ½·log 2π with <paramref name="full"/>,
    /// then <paramref name="reduction"/>. As in PyTorch, the clamp to eps is invisible to the gradient (it reaches
    /// var as if var were eps there), and <paramref name="var"/> may have the input's shape, that shape without its
    /// last axis (one variance per sample), or with a last axis of 1.
    /// </summary>
    /// <param name="input">The means x, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, broadcastable with the input (PyTorch broadcasts them, with a warning when the sizes differ).</param>
    /// <param name="var">The variances, float32 or float64, none negative.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="full">Whether to add the constant ½·log 2π (PyTorch's <c>full</c>).</param>
    /// <param name="eps">The least variance used, for stability.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, the target does not broadcast with the input, var has none of the shapes above, or a variance is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor GaussianNllLoss(
        Tensor input, Tensor target, Tensor var, Reduction reduction = Reduction.Mean, bool full = false, double eps = 1e-6)
    {
        const string op = "GaussianNllLoss";
        CheckBroadcastPair(op, input, target, "input", "target");
        CheckFloat(op, var, nameof(var));
        if (!Same(var.Shape, input.Shape))
        {
            var batch = input.Rank == 0 ? null : input.Shape[..^1];
            if (batch is not null && Same(var.Shape, batch))
                var = var.Unsqueeze(var.Rank);
            else if (!(batch is not null && var.Rank == input.Rank && Same(var.Shape[..^1], batch) && var.Shape[^1] == 1))
                throw new ArgumentException(
                    $"{op}: var of shape {Fmt(var.Shape)} does not fit input of shape {Fmt(input.Shape)}: expected {Fmt(input.Shape)}, the shape without its last axis, or with a last axis of 1.",
                    nameof(var));
        }
        CheckReduction(op, reduction);
        var values = var.ToArray<double>();
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0)
                throw new ArgumentException($"{op}: var has a negative entry, {values[i]} at position {i} (var of shape {Fmt(var.Shape)}).", nameof(var));
        // PyTorch clamps a clone under no_grad: the value max(var, eps), the gradient passed to var unchanged.
        var clamped = var.Clamp(min: eps).Detach() + (var - var.Detach());
        var loss = 0.5 * (clamped.Log() + (input - target).Square() / clamped);
        if (full)
            loss = loss + 0.5 * Math.Log(2 * Math.PI);
        return Reduce(op, loss, reduction);
    }
}
