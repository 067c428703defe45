namespace Autograd.Nn;

// The classification losses over class scores or probabilities: cross-entropy, negative log-likelihood and binary cross-entropy.
public static partial class Losses
{
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
        var nonNegative = (logits - xt) + (-logits).Softplus();
        var negative = logits.Softplus() - xt;
        return Reduce(op, Tensor.Where(logits.Ge(0.0), nonNegative, negative), reduction);
    }
}
