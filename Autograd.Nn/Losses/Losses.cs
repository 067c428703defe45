namespace Autograd.Nn;

/// <summary>How a loss combines its per-element values (PyTorch's <c>reduction</c>).</summary>
public enum Reduction
{
    /// <summary>The mean over the per-element losses (a 0-d tensor; NaN when there are none).</summary>
    Mean = 1,
    /// <summary>The sum over the per-element losses (a 0-d tensor).</summary>
    Sum = 2,
    /// <summary>The per-element losses themselves.</summary>
    None = 0,
}

/// <summary>
/// Loss functions with PyTorch's semantics, built as composites of differentiable <see cref="Tensor"/> ops (no
/// hand-written backward), so their gradients — and gradients of gradients — come from the engine. Every loss takes a
/// <see cref="Reduction"/> (mean by default) and throws <see cref="ArgumentException"/> naming the loss and the
/// offending shapes, dtypes or values on bad input.
/// </summary>
/// <remarks>
/// The last three are the margin losses of the lecture notes, §1.2.1, for a score ŷ = W·X + b and a label y ∈ {−1, +1}:
/// <see cref="PerceptronCriterion"/> (eq. 1.8), <see cref="HingeLoss"/> (eq. 1.9) and <see cref="LogisticLoss"/>
/// (eq. 1.14). Where a loss has a kink (the ReLU-shaped ones at y·ŷ = 0 or 1, L1 at x = t), the gradient used is
/// the one of the ReLU/abs primitive there: 0.
/// </remarks>
public static class Losses
{
    /// <summary>
    /// The mean squared error (F.mse_loss): computes ℓ[i] = (x[i] − t[i])², then <paramref name="reduction"/>.
    /// <paramref name="target"/> must be a float tensor of the input's shape.
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "MseLoss";
        CheckPair(op, input, target, "input", "target");
        return Reduce(op, (input - target).Square(), reduction);
    }

    /// <summary>
    /// The mean absolute error (F.l1_loss): computes ℓ[i] = |x[i] − t[i]|, then <paramref name="reduction"/>.
    /// <paramref name="target"/> must be a float tensor of the input's shape.
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "L1Loss";
        CheckPair(op, input, target, "input", "target");
        return Reduce(op, (input - target).Abs(), reduction);
    }

    /// <summary>
    /// The Huber loss (F.huber_loss): computes, for d[i] = x[i] − t[i], ℓ[i] = ½·d² where |d| &lt; δ and
    /// δ·(|d| − ½·δ) elsewhere, then <paramref name="reduction"/>. It is quadratic near the target and linear beyond δ;
    /// its gradient, d inside and δ·sign(d) outside, is continuous (δ at |d| = δ, as PyTorch's).
    /// <c>HuberLoss(x, t, δ)</c> equals δ·<c>SmoothL1Loss(x, t, beta: δ)</c>.
    /// </summary>
    /// <param name="input">The predictions, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="delta">The threshold δ between the quadratic and the linear part; must be &gt; 0.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="delta"/> is not &gt; 0 (0, negative or NaN).</exception>
    public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
    {
        const string op = "HuberLoss";
        CheckPair(op, input, target, "input", "target");
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
    /// <param name="target">The targets, float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="beta">The threshold β between the quadratic and the linear part; must be ≥ 0.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="beta"/> is negative or NaN.</exception>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        const string op = "SmoothL1Loss";
        CheckPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        if (!(beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"{op}: beta must be >= 0 (PyTorch's smooth_l1_loss refuses negative beta), got {beta}.");
        var d = input - target;
        var abs = d.Abs();
        if (beta == 0)
            return Reduce(op, abs, reduction);
        return Reduce(op, Tensor.Where(abs.Lt(beta), 0.5 * d.Square() / beta, abs - 0.5 * beta), reduction);
    }

    /// <summary>
    /// The soft margin loss (F.soft_margin_loss): computes ℓ[i] = log(1 + exp(−y[i]·x[i])), then
    /// <paramref name="reduction"/>. Evaluated as softplus(−y·x), which neither overflows for large −y·x nor rounds
    /// to 0 early for large y·x. Unlike <see cref="LogisticLoss"/>, the targets are not checked to be ±1, as in PyTorch.
    /// </summary>
    /// <param name="input">The scores x, float32 or float64.</param>
    /// <param name="target">The targets y (usually −1 or +1), float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor SoftMarginLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "SoftMarginLoss";
        CheckPair(op, input, target, "input", "target");
        return Reduce(op, (-(target * input)).Softplus(threshold: double.PositiveInfinity), reduction);
    }

    /// <summary>
    /// The Kullback–Leibler divergence (F.kl_div) of log-probabilities <paramref name="input"/> from probabilities
    /// <paramref name="target"/>: computes ℓ[i] = t[i]·(log t[i] − x[i]), with 0·log 0 = 0 (PyTorch's xlogy), or, with
    /// <paramref name="logTarget"/>, for log-probabilities t: ℓ[i] = eᵗ·(t[i] − x[i]); then <paramref name="reduction"/>.
    /// <see cref="Reduction.Mean"/> averages over all elements, as PyTorch's 'mean' does; PyTorch's 'batchmean', the
    /// true KL divergence per sample, is <c>KlDivLoss(x, t, Reduction.Sum) / N</c> for a batch of N.
    /// A negative probability gives NaN, as PyTorch. Where t = 0 the gradient with respect to t is −x (0·log 0 contributing 0; PyTorch's is NaN).
    /// </summary>
    /// <param name="input">The log-probabilities x, float32 or float64.</param>
    /// <param name="target">The probabilities (log-probabilities with <paramref name="logTarget"/>), float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="logTarget">Whether <paramref name="target"/> holds log-probabilities (PyTorch's <c>log_target</c>).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor KlDivLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        const string op = "KlDivLoss";
        CheckPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        if (logTarget)
            return Reduce(op, target.Exp() * (target - input), reduction);
        // xlogy(t, t) − t·x: log 1 = 0 stands in at t = 0, so the value and both gradients there are finite.
        var xlogy = target * Tensor.Where(target.Eq(0.0), 1.0, target).Log();
        return Reduce(op, xlogy - target * input, reduction);
    }

    /// <summary>
    /// The margin ranking loss (F.margin_ranking_loss): computes ℓ[i] = max(0, −y[i]·(x₁[i] − x₂[i]) + margin) for
    /// y = 1 when x₁ should rank higher and y = −1 when x₂ should, then <paramref name="reduction"/>. As PyTorch's
    /// clamp_min, the gradient at the kink (the loss exactly 0) is that of the linear part. The three tensors must
    /// have one shape (PyTorch would also broadcast tensors of one rank).
    /// </summary>
    /// <param name="input1">The first scores x₁, float32 or float64.</param>
    /// <param name="input2">The second scores x₂, float32 or float64, of the first's shape.</param>
    /// <param name="target">The targets y (usually −1 or +1), float32 or float64, of the first's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="margin">The margin by which the right score must lead.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the inputs' shape.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, Reduction reduction = Reduction.Mean, double margin = 0.0)
    {
        const string op = "MarginRankingLoss";
        CheckPair(op, input1, input2, "input1", "input2");
        CheckPair(op, input1, target, "input1", "target");
        CheckReduction(op, reduction);
        var z = -target * (input1 - input2) + margin;
        return Reduce(op, Tensor.Where(z.Ge(0.0), z, 0.0), reduction);
    }

    /// <summary>
    /// The hinge embedding loss (F.hinge_embedding_loss) of distances x and targets y ∈ {−1, +1}: computes
    /// ℓ[i] = x[i] where y[i] = 1 and max(0, margin − x[i]) where y[i] = −1, then <paramref name="reduction"/>. As in
    /// PyTorch, a target that is neither adds both terms (none is checked), and the gradient at margin − x = 0 is −1.
    /// </summary>
    /// <param name="input">The distances x, float32 or float64.</param>
    /// <param name="target">The targets y, −1 or +1, float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="margin">The margin a dissimilar pair's distance must reach.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor HingeEmbeddingLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double margin = 1.0)
    {
        const string op = "HingeEmbeddingLoss";
        CheckPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        var gap = margin - input;
        var marginTerm = Tensor.Where(target.Ne(1.0), Tensor.Where(gap.Ge(0.0), gap, 0.0), 0.0);
        return Reduce(op, marginTerm + Tensor.Where(target.Ne(-1.0), input, 0.0), reduction);
    }

    /// <summary>
    /// The Poisson negative log-likelihood (F.poisson_nll_loss) of targets t (counts) given a rate: computes
    /// ℓ[i] = e^x[i] − t[i]·x[i] when <paramref name="logInput"/> (x is the log-rate), else ℓ[i] = x[i] − t[i]·log(x[i] + eps);
    /// with <paramref name="full"/>, adds Stirling's approximation of log t!, t·log t − t + ½·log(2π·t), where t &gt; 1
    /// (0 where t ≤ 1, as PyTorch); then <paramref name="reduction"/>.
    /// </summary>
    /// <param name="input">The log-rates (with <paramref name="logInput"/>) or the rates, float32 or float64.</param>
    /// <param name="target">The targets, float32 or float64, of the input's shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="logInput">Whether <paramref name="input"/> holds log-rates (PyTorch's <c>log_input</c>).</param>
    /// <param name="full">Whether to add the Stirling term (PyTorch's <c>full</c>).</param>
    /// <param name="eps">Added to a rate before its log when <paramref name="logInput"/> is false.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor PoissonNllLoss(
        Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logInput = true, bool full = false, double eps = 1e-8)
    {
        const string op = "PoissonNllLoss";
        CheckPair(op, input, target, "input", "target");
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
    /// <param name="target">The targets, float32 or float64, of the input's shape.</param>
    /// <param name="var">The variances, float32 or float64, none negative.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="full">Whether to add the constant ½·log 2π (PyTorch's <c>full</c>).</param>
    /// <param name="eps">The least variance used, for stability.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, the target's shape differs, var has none of the shapes above, or a variance is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor GaussianNllLoss(
        Tensor input, Tensor target, Tensor var, Reduction reduction = Reduction.Mean, bool full = false, double eps = 1e-6)
    {
        const string op = "GaussianNllLoss";
        CheckPair(op, input, target, "input", "target");
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

    /// <summary>
    /// The cross-entropy of unnormalized scores (F.cross_entropy), with the class axis 1 of logits [N, C] or
    /// [N, C, d₁, …] (axis 0 of an unbatched [C]). The target's dtype selects the form, as in PyTorch:
    /// <list type="bullet">
    /// <item>int64 class indices of shape [N] ([N, d₁, …], or 0-d for [C]), each in [0, C): computes
    /// ℓ[n] = −log softmax(z[n])[t[n]] = −z[n, t[n]] + log Σ_c exp z[n, c] (lecture notes eq. 1.15);</item>
    /// <item>float class probabilities of the logits' shape: computes ℓ[n] = −Σ_c t[n, c] · log softmax(z[n])[c].</item>
    /// </list>
    /// Then <paramref name="reduction"/>: the mean is over the N (·d₁·…) samples in both forms. The index form is one
    /// fused op, <see cref="Tensor.CrossEntropy(Tensor, int)"/>, whose gradient is softmax(z[n]) − onehot(t[n]).
    /// </summary>
    /// <param name="logits">The unnormalized scores, float32 or float64, of shape [C], [N, C] or [N, C, d₁, …].</param>
    /// <param name="target">The int64 class indices, or the float class probabilities (see above).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per sample (the logits' shape without the class axis).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The logits are 0-d or int64; the target's shape fits neither form; or a class index is outside [0, C).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "CrossEntropy";
        int classAxis = CheckScores(op, logits, "logits");
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(op, reduction);
        if (target.DType == DType.Int64)
        {
            CheckClassIndices(op, logits, target, classAxis, "logits");
            return Reduce(op, logits.CrossEntropy(target, classAxis), reduction);
        }
        if (!Same(target.Shape, logits.Shape))
        {
            string hint = Same(target.Shape, Without(logits.Shape, classAxis))
                ? $" A target of shape {Fmt(target.Shape)} holds class indices, which must be int64, not {target.DType.Name()}."
                : "";
            throw new ArgumentException(
                $"{op}: target of shape {Fmt(target.Shape)} and dtype {target.DType.Name()} does not fit logits of shape {Fmt(logits.Shape)}: " +
                $"expected int64 class indices of shape {Fmt(Without(logits.Shape, classAxis))} or float class probabilities of shape {Fmt(logits.Shape)}.{hint}",
                nameof(target));
        }
        var perSample = -(logits.LogSoftmax(classAxis) * target).Sum(classAxis);
        return Reduce(op, perSample, reduction);
    }

    /// <summary>
    /// The negative log-likelihood (F.nll_loss) of log-probabilities [N, C] ([N, C, d₁, …], or [C]) and int64 class
    /// indices [N] ([N, d₁, …], or 0-d) in [0, C): computes ℓ[n] = −logp[n, t[n]], then <paramref name="reduction"/>.
    /// <c>NllLoss(z.LogSoftmax(1), t)</c> equals <c>CrossEntropy(z, t)</c>.
    /// </summary>
    /// <param name="logProbs">The log-probabilities, float32 or float64, of shape [C], [N, C] or [N, C, d₁, …].</param>
    /// <param name="target">The int64 class indices, of the log-probabilities' shape without the class axis.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per sample.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logProbs"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The log-probabilities are 0-d or int64; the target is not int64 or has another shape; or a class index is outside [0, C).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "NllLoss";
        int classAxis = CheckScores(op, logProbs, "logProbs");
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(op, reduction);
        if (target.DType != DType.Int64)
            throw new ArgumentException(
                $"{op}: target must hold int64 class indices, got {target.DType.Name()} of shape {Fmt(target.Shape)} (logProbs of shape {Fmt(logProbs.Shape)}).",
                nameof(target));
        CheckClassIndices(op, logProbs, target, classAxis, "logProbs");
        return Reduce(op, -PickClass(logProbs, target, classAxis), reduction);
    }

    /// <summary>
    /// The binary cross-entropy of logits x and targets t ∈ [0, 1] (F.binary_cross_entropy_with_logits): computes
    /// ℓ[i] = −t·log σ(x) − (1 − t)·log(1 − σ(x)) = max(x, 0) − x·t + log(1 + e^−|x|), then
    /// <paramref name="reduction"/>. The right-hand form is evaluated branch by branch — (x − x·t) + softplus(−x) where
    /// x ≥ 0, softplus(x) − x·t where x &lt; 0 — so no exp overflows, the small tail e^−|x| is not lost to
    /// cancellation, and the gradient is σ(x) − t everywhere (at x = 0 as well, where max(x, 0) and |x| have kinks
    /// whose one-sided derivatives would not cancel). <paramref name="targets"/> must be a float tensor of the logits' shape.
    /// </summary>
    /// <param name="logits">The logits, float32 or float64.</param>
    /// <param name="targets">The targets in [0, 1], float32 or float64, of the logits' shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the logits' shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        const string op = "BinaryCrossEntropyWithLogits";
        CheckPair(op, logits, targets, "logits", "targets");
        var xt = logits * targets;
        var nonNegative = (logits - xt) + (-logits).Softplus(threshold: double.PositiveInfinity);
        var negative = logits.Softplus(threshold: double.PositiveInfinity) - xt;
        return Reduce(op, Tensor.Where(logits.Ge(0.0), nonNegative, negative), reduction);
    }

    /// <summary>
    /// The perceptron criterion of the lecture notes, eq. 1.8: computes ℓ[i] = max(−y[i]·ŷ[i], 0) for scores ŷ = W·X (+ b)
    /// and labels y ∈ {−1, +1} (float or int64, the scores' shape), then <paramref name="reduction"/>. It is 0 for
    /// every correctly classified point; for a misclassified one ∂ℓ/∂W = −y·X, the perceptron update of eq. 1.4. On
    /// the boundary y·ŷ = 0 the gradient is 0 (so a perceptron started at W = 0 does not move: start it elsewhere).
    /// </summary>
    /// <param name="scores">The scores ŷ, float32 or float64.</param>
    /// <param name="labels">The labels, each −1 or +1, of the scores' shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the scores' shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">The scores are int64, the shapes differ, or a label is not −1 or +1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor PerceptronCriterion(Tensor scores, Tensor labels, Reduction reduction = Reduction.Mean)
    {
        const string op = "PerceptronCriterion";
        CheckSignedLabels(op, scores, labels);
        return Reduce(op, (-(labels * scores)).Relu(), reduction);
    }

    /// <summary>
    /// The hinge loss of the SVM, lecture notes eq. 1.9: computes ℓ[i] = max(1 − y[i]·ŷ[i], 0) for scores ŷ and labels
    /// y ∈ {−1, +1} (float or int64, the scores' shape), then <paramref name="reduction"/>. It is 0 only from the
    /// margin y·ŷ ≥ 1 on, so points that are correct but close to the boundary still update (§1.2.1.2).
    /// </summary>
    /// <param name="scores">The scores ŷ, float32 or float64.</param>
    /// <param name="labels">The labels, each −1 or +1, of the scores' shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the scores' shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">The scores are int64, the shapes differ, or a label is not −1 or +1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor HingeLoss(Tensor scores, Tensor labels, Reduction reduction = Reduction.Mean)
    {
        const string op = "HingeLoss";
        CheckSignedLabels(op, scores, labels);
        return Reduce(op, (1.0 - labels * scores).Relu(), reduction);
    }

    /// <summary>
    /// The logistic loss of the lecture notes, eq. 1.14: computes ℓ[i] = log(1 + exp(−y[i]·ŷ[i])) for scores ŷ and labels
    /// y ∈ {−1, +1} (float or int64, the scores' shape), then <paramref name="reduction"/> — PyTorch's
    /// soft_margin_loss. (The seed prints it with a leading minus sign; the loss is the positive quantity, −log σ(y·ŷ).)
    /// Evaluated as softplus(−y·ŷ) = max(−y·ŷ, 0) + log(1 + e^−|y·ŷ|), so it neither overflows nor rounds to 0 early.
    /// </summary>
    /// <param name="scores">The scores ŷ, float32 or float64.</param>
    /// <param name="labels">The labels, each −1 or +1, of the scores' shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the scores' shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">The scores are int64, the shapes differ, or a label is not −1 or +1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor LogisticLoss(Tensor scores, Tensor labels, Reduction reduction = Reduction.Mean)
    {
        const string op = "LogisticLoss";
        CheckSignedLabels(op, scores, labels);
        return Reduce(op, (-(labels * scores)).Softplus(threshold: double.PositiveInfinity), reduction);
    }

    private static Tensor Reduce(string op, Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.Mean => loss.Mean(),
        Reduction.Sum => loss.Sum(),
        Reduction.None => loss,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{op}: reduction must be Mean, Sum or None."),
    };

    private static void CheckReduction(string op, Reduction reduction)
    {
        if (reduction is not (Reduction.Mean or Reduction.Sum or Reduction.None))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{op}: reduction must be Mean, Sum or None.");
    }

    // x[..., t, ...] along the class axis, with the class axis removed.
    private static Tensor PickClass(Tensor scores, Tensor target, int classAxis) =>
        scores.Gather(classAxis, target.Unsqueeze(classAxis)).Squeeze(classAxis);

    private static void CheckFloat(string op, Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: {name} must be float32 or float64, got {t.DType.Name()} of shape {Fmt(t.Shape)}.", name);
    }

    private static void CheckPair(string op, Tensor input, Tensor target, string inputName, string targetName)
    {
        CheckFloat(op, input, inputName);
        CheckFloat(op, target, targetName);
        if (!Same(input.Shape, target.Shape))
            throw new ArgumentException(
                $"{op}: {targetName} of shape {Fmt(target.Shape)} does not match {inputName} of shape {Fmt(input.Shape)}.", targetName);
    }

    // Validates [C] or [N, C, d₁, …] scores and returns the class axis.
    private static int CheckScores(string op, Tensor scores, string name)
    {
        CheckFloat(op, scores, name);
        if (scores.Rank == 0)
            throw new ArgumentException($"{op}: {name} must have a class axis ([C], [N, C] or [N, C, d₁, …]), got a 0-d tensor.", name);
        return scores.Rank == 1 ? 0 : 1;
    }

    private static void CheckClassIndices(string op, Tensor scores, Tensor target, int classAxis, string scoresName)
    {
        var expected = Without(scores.Shape, classAxis);
        if (!Same(target.Shape, expected))
            throw new ArgumentException(
                $"{op}: target of shape {Fmt(target.Shape)} does not match {scoresName} of shape {Fmt(scores.Shape)}: expected class indices of shape {Fmt(expected)}.",
                nameof(target));
        int classes = scores.Size(classAxis);
        var values = target.ToArray<long>();
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentException(
                    $"{op}: class index {values[i]} at position {i} of the target is out of range for {classes} classes ({scoresName} of shape {Fmt(scores.Shape)}); indices must lie in [0, {classes}).",
                    nameof(target));
    }

    private static void CheckSignedLabels(string op, Tensor scores, Tensor labels)
    {
        CheckFloat(op, scores, "scores");
        ArgumentNullException.ThrowIfNull(labels);
        if (!Same(scores.Shape, labels.Shape))
            throw new ArgumentException($"{op}: labels of shape {Fmt(labels.Shape)} do not match scores of shape {Fmt(scores.Shape)}.", nameof(labels));
        var values = labels.ToArray<double>();
        for (int i = 0; i < values.Length; i++)
            if (values[i] is not (1.0 or -1.0))
                throw new ArgumentException(
                    $"{op}: labels must be −1 or +1 (lecture notes §1.2.1: y ∈ {{−1, +1}}), got {values[i]} at position {i} (labels of shape {Fmt(labels.Shape)}); map 0/1 labels with 2y − 1.",
                    nameof(labels));
    }

    private static int[] Without(int[] shape, int axis) => shape.Where((_, d) => d != axis).ToArray();

    private static bool Same(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    private static string Fmt(int[] shape) => Init.Format(shape);
}
