namespace Autograd.Nn;

// The classification losses over class scores or probabilities: cross-entropy, negative log-likelihood and binary
// cross-entropy.
public static partial class Losses
{
    /// <summary>
    /// The cross-entropy of unnormalized scores (F.cross_entropy), with the class axis 1 of logits [N, C] or
    /// [N, C, d₁, …] (axis 0 of an unbatched [C]). The target's dtype selects the form, as in PyTorch:
    /// <list type="bullet">
    /// <item>int64 class indices of shape [N] ([N, d₁, …], or 0-d for [C]), each in [0, C) or equal to
    /// <paramref name="ignoreIndex"/>: computes ℓ[n] = −w[t[n]]·log softmax(z[n])[t[n]] (lecture notes eq. 1.15 when
    /// w = 1), 0 where t[n] is ignored; <see cref="Reduction.Mean"/> divides the sum by Σ w[t[n]] over the samples not
    /// ignored (their count without <paramref name="weight"/>; NaN when every sample is ignored);</item>
    /// <item>float class probabilities of the logits' shape: computes ℓ[n] = −Σ_c w[c]·t[n, c]·log softmax(z[n])[c];
    /// the mean is over the N (·d₁·…) samples, whatever the weights.</item>
    /// </list>
    /// With <paramref name="labelSmoothing"/> ε, as PyTorch 1.13: probability targets become (1 − ε)·t + ε/C; for class
    /// indices the loss is (1 − ε)·nll + (ε/C)·s with s[n] = −Σ_c w[c]·log softmax(z[n])[c] (0 where ignored), both
    /// terms reduced alike (the weighted mean of s divides by Σ w[t[n]] too).
    /// Class indices without weights, ignored samples or smoothing take one fused op,
    /// <see cref="Tensor.CrossEntropy(Tensor, int)"/>, whose gradient is softmax(z[n]) − onehot(t[n]).
    /// </summary>
    /// <param name="logits">The unnormalized scores, float32 or float64, of shape [C], [N, C] or [N, C, d₁, …].</param>
    /// <param name="target">The int64 class indices, or the float class probabilities (see above).</param>
    /// <param name="reduction">How the per-sample losses are combined.</param>
    /// <param name="weight">Optional per-class weights, a float tensor [C] (PyTorch's <c>weight</c>).</param>
    /// <param name="ignoreIndex">A class index whose samples add nothing to the loss or its gradient (PyTorch's <c>ignore_index</c>); must be negative with probability targets.</param>
    /// <param name="labelSmoothing">The smoothing ε in [0, 1] (PyTorch's <c>label_smoothing</c>).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per sample (the logits' shape without the class axis).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The logits are 0-d or int64; the target's shape fits neither form; a class index is outside [0, C) and not
    /// <paramref name="ignoreIndex"/>; <paramref name="weight"/> is not a float tensor [C]; or
    /// <paramref name="ignoreIndex"/> is non-negative with probability targets.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    public static Tensor CrossEntropy(
        Tensor logits, Tensor target, Reduction reduction = Reduction.Mean, Tensor? weight = null, long ignoreIndex = -100, double labelSmoothing = 0.0)
    {
        const string op = "CrossEntropy";
        int classAxis = CheckScores(op, logits, "logits");
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(op, reduction);
        CheckClassWeight(op, logits, weight, classAxis, "logits");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"{op}: labelSmoothing must lie in [0, 1], got {labelSmoothing}.");
        if (target.DType == DType.Int64)
        {
            int ignored = CheckClassIndices(op, logits, target, classAxis, "logits", ignoreIndex);
            if (weight is null && ignored == 0 && labelSmoothing == 0)
                return Reduce(op, logits.CrossEntropy(target, classAxis), reduction);
            return ClassIndexLoss(logits, target, classAxis, weight, ignoreIndex, ignored, labelSmoothing, reduction,
                safe => logits.CrossEntropy(safe, classAxis), () => logits.LogSoftmax(classAxis));
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
        if (ignoreIndex >= 0)
            throw new ArgumentException(
                $"{op}: ignoreIndex {ignoreIndex} is not supported with class-probability targets (target of shape {Fmt(target.Shape)}); leave it negative, as PyTorch requires.",
                nameof(ignoreIndex));
        int classes = logits.Size(classAxis);
        var probs = labelSmoothing > 0 ? target * (1 - labelSmoothing) + labelSmoothing / classes : target;
        var terms = logits.LogSoftmax(classAxis) * probs;
        if (weight is not null)
            terms = terms * ClassView(weight, logits, classAxis);
        return Reduce(op, -terms.Sum(classAxis), reduction);
    }

    /// <summary>
    /// The negative log-likelihood (F.nll_loss) of log-probabilities [N, C] ([N, C, d₁, …], or [C]) and int64 class
    /// indices [N] ([N, d₁, …], or 0-d) in [0, C) or equal to <paramref name="ignoreIndex"/>: computes
    /// ℓ[n] = −w[t[n]]·logp[n, t[n]], 0 where t[n] is ignored, then <paramref name="reduction"/>;
    /// <see cref="Reduction.Mean"/> divides the sum by Σ w[t[n]] over the samples not ignored (their count without
    /// <paramref name="weight"/>; NaN when every sample is ignored). <c>NllLoss(z.LogSoftmax(1), t)</c> equals
    /// <c>CrossEntropy(z, t)</c>, with the same weights and ignored index.
    /// </summary>
    /// <param name="logProbs">The log-probabilities, float32 or float64, of shape [C], [N, C] or [N, C, d₁, …].</param>
    /// <param name="target">The int64 class indices, of the log-probabilities' shape without the class axis.</param>
    /// <param name="reduction">How the per-sample losses are combined.</param>
    /// <param name="weight">Optional per-class weights, a float tensor [C] (PyTorch's <c>weight</c>).</param>
    /// <param name="ignoreIndex">A class index whose samples add nothing to the loss or its gradient (PyTorch's <c>ignore_index</c>).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per sample.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logProbs"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The log-probabilities are 0-d or int64; the target is not int64 or has another shape; a class index is outside [0, C) and not <paramref name="ignoreIndex"/>; or <paramref name="weight"/> is not a float tensor [C].</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, Reduction reduction = Reduction.Mean, Tensor? weight = null, long ignoreIndex = -100)
    {
        const string op = "NllLoss";
        int classAxis = CheckScores(op, logProbs, "logProbs");
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(op, reduction);
        CheckClassWeight(op, logProbs, weight, classAxis, "logProbs");
        if (target.DType != DType.Int64)
            throw new ArgumentException(
                $"{op}: target must hold int64 class indices, got {target.DType.Name()} of shape {Fmt(target.Shape)} (logProbs of shape {Fmt(logProbs.Shape)}).",
                nameof(target));
        int ignored = CheckClassIndices(op, logProbs, target, classAxis, "logProbs", ignoreIndex);
        if (weight is null && ignored == 0)
            return Reduce(op, -PickClass(logProbs, target, classAxis), reduction);
        return ClassIndexLoss(logProbs, target, classAxis, weight, ignoreIndex, ignored, 0.0, reduction,
            safe => -PickClass(logProbs, safe, classAxis), () => logProbs);
    }

    /// <summary>
    /// The binary cross-entropy of probabilities (F.binary_cross_entropy): computes
    /// ℓ[i] = −w[i]·(t[i]·log x[i] + (1 − t[i])·log(1 − x[i])) with each log clamped to be ≥ −100, as PyTorch, so that
    /// x = 0 or 1 gives a finite loss; then <paramref name="reduction"/> (the mean is the plain mean of the weighted
    /// terms). Where x(1 − x) &lt; 1e-12 PyTorch's gradient is (x − t)/max(x(1 − x), 1e-12), not the clamped log's
    /// (which is 0 for a clamped term): there the gradients differ. Prefer <see cref="BinaryCrossEntropyWithLogits"/>
    /// on logits, which is stable everywhere.
    /// </summary>
    /// <param name="input">The probabilities x in [0, 1], float32 or float64.</param>
    /// <param name="target">The targets in [0, 1], float32 or float64, of the input's shape (not checked to lie in [0, 1], as PyTorch).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="weight">Optional weights w, a float tensor that broadcasts to the input's shape (used in the input's dtype).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64; the shapes differ; <paramref name="weight"/> does not broadcast to the input's shape; or an input is outside [0, 1] or NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, Tensor? weight = null)
    {
        const string op = "BinaryCrossEntropy";
        CheckPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        CheckBroadcastsTo(op, weight, input, nameof(weight), "input");
        var values = input.ToArray<double>();
        for (int i = 0; i < values.Length; i++)
            if (!(values[i] >= 0 && values[i] <= 1))
                throw new ArgumentException(
                    $"{op}: input must hold probabilities in [0, 1], got {values[i]} at position {i} (input of shape {Fmt(input.Shape)}); apply Sigmoid, or use BinaryCrossEntropyWithLogits on the scores.",
                    nameof(input));
        // log x and log(1 − x) clamped at −100; the stand-in 1 where the argument is 0 keeps the masked gradient finite.
        var logX = Tensor.Where(input.Gt(0.0), Tensor.Where(input.Gt(0.0), input, 1.0).Log().Clamp(min: -100), -100.0);
        var oneMinus = 1.0 - input;
        var log1mX = Tensor.Where(oneMinus.Gt(0.0), Tensor.Where(oneMinus.Gt(0.0), oneMinus, 1.0).Log().Clamp(min: -100), -100.0);
        var loss = -(target * logX + (1.0 - target) * log1mX);
        if (weight is not null)
            loss = loss * weight.To(input.DType);
        return Reduce(op, loss, reduction);
    }

    /// <summary>
    /// The binary cross-entropy of logits x and targets t ∈ [0, 1] (F.binary_cross_entropy_with_logits): computes
    /// ℓ[i] = −w[i]·(p·t·log σ(x) + (1 − t)·log(1 − σ(x))) for the positive-class weight p (1 without
    /// <paramref name="posWeight"/>), i.e. w·((1 − t)·x + (1 + (p − 1)·t)·log(1 + e^−x)), then
    /// <paramref name="reduction"/> (the mean is the plain mean of the weighted terms). It is evaluated branch by
    /// branch — with l = 1 + (p − 1)·t, (x − x·t) + l·softplus(−x) where x ≥ 0, l·softplus(x) − p·t·x where x &lt; 0 — so
    /// no exp overflows, the small tail e^−|x| is not lost to cancellation, and the gradient is w·(l·σ(x) − p·t)
    /// everywhere (σ(x) − t unweighted), at x = 0 as well. <paramref name="targets"/> must be a float tensor of the logits' shape.
    /// </summary>
    /// <param name="logits">The logits, float32 or float64.</param>
    /// <param name="targets">The targets in [0, 1], float32 or float64, of the logits' shape.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="weight">Optional weights w, a float tensor that broadcasts to the logits' shape (used in the logits' dtype).</param>
    /// <param name="posWeight">Optional weights p of the positive term, a float tensor that broadcasts to the logits' shape (PyTorch's <c>pos_weight</c>: one per class along the last axis).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the logits' shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, the shapes differ, or a weight does not broadcast to the logits' shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(
        Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean, Tensor? weight = null, Tensor? posWeight = null)
    {
        const string op = "BinaryCrossEntropyWithLogits";
        CheckPair(op, logits, targets, "logits", "targets");
        CheckReduction(op, reduction);
        CheckBroadcastsTo(op, weight, logits, nameof(weight), "logits");
        CheckBroadcastsTo(op, posWeight, logits, nameof(posWeight), "logits");
        var xt = logits * targets;
        Tensor loss;
        if (posWeight is null)
        {
            var nonNegative = (logits - xt) + (-logits).Softplus(threshold: double.PositiveInfinity);
            var negative = logits.Softplus(threshold: double.PositiveInfinity) - xt;
            loss = Tensor.Where(logits.Ge(0.0), nonNegative, negative);
        }
        else
        {
            var p = posWeight.To(logits.DType);
            var l = 1.0 + (p - 1.0) * targets;
            var nonNegative = (logits - xt) + l * (-logits).Softplus(threshold: double.PositiveInfinity);
            var negative = l * logits.Softplus(threshold: double.PositiveInfinity) - p * xt;
            loss = Tensor.Where(logits.Ge(0.0), nonNegative, negative);
        }
        if (weight is not null)
            loss = loss * weight.To(logits.DType);
        return Reduce(op, loss, reduction);
    }

    // The class-index form with weights, an ignored index or label smoothing. nllAt(safe) is −log p[t] per sample for
    // class indices with the ignored ones replaced by 0; logProbs() the log-probabilities, for the smoothing term.
    private static Tensor ClassIndexLoss(
        Tensor scores, Tensor target, int classAxis, Tensor? weight, long ignoreIndex, int ignored, double labelSmoothing,
        Reduction reduction, Func<Tensor, Tensor> nllAt, Func<Tensor> logProbs)
    {
        Tensor? keep = ignored > 0 ? target.Ne(ignoreIndex) : null;
        var safe = keep is null ? target : Tensor.Where(keep, target, 0L);
        var nll = nllAt(safe);
        Tensor? w = weight is null ? null : weight.To(scores.DType).IndexSelect(0, safe.Flatten()).Reshape(target.Shape);
        if (w is not null)
            nll = w * nll;
        if (keep is not null)
            nll = Tensor.Where(keep, nll, 0.0);
        // The mean's divisor: the summed weights of the samples kept, or their count.
        Tensor? weightSum = null;
        double count = target.NumElements - ignored;
        if (reduction == Reduction.Mean && w is not null)
            weightSum = (keep is null ? w : Tensor.Where(keep, w, 0.0)).Sum();
        Tensor Reduced(Tensor perSample) => reduction switch
        {
            Reduction.None => perSample,
            Reduction.Sum => perSample.Sum(),
            _ => weightSum is not null ? perSample.Sum() / weightSum : perSample.Sum() / count,
        };
        var loss = Reduced(nll);
        if (labelSmoothing == 0)
            return loss;
        var lp = logProbs();
        if (weight is not null)
            lp = lp * ClassView(weight, scores, classAxis);
        var smooth = -lp.Sum(classAxis);
        if (keep is not null)
            smooth = Tensor.Where(keep, smooth, 0.0);
        return (1 - labelSmoothing) * loss + (labelSmoothing / scores.Size(classAxis)) * Reduced(smooth);
    }

    // The weights [C] shaped to broadcast along the class axis of the scores ([C], or [1, C, 1, …]).
    private static Tensor ClassView(Tensor weight, Tensor scores, int classAxis)
    {
        var shape = Enumerable.Repeat(1, scores.Rank).ToArray();
        shape[classAxis] = weight.NumElements;
        return weight.To(scores.DType).Reshape(shape);
    }

    private static void CheckClassWeight(string op, Tensor scores, Tensor? weight, int classAxis, string scoresName)
    {
        if (weight is null) return;
        CheckFloat(op, weight, nameof(weight));
        int classes = scores.Size(classAxis);
        if (weight.Rank != 1 || weight.Shape[0] != classes)
            throw new ArgumentException(
                $"{op}: weight of shape {Fmt(weight.Shape)} must hold one weight per class, shape [{classes}] ({scoresName} of shape {Fmt(scores.Shape)}).",
                nameof(weight));
    }
}
