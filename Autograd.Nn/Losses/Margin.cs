namespace Autograd.Nn;

// The margin and embedding losses, and the margin losses of the lecture notes.
public static partial class Losses
{
    /// <summary>
    /// The soft margin loss (F.soft_margin_loss): computes ℓ[i] = log(1 + exp(−y[i]·x[i])), then
    /// <paramref name="reduction"/>. Evaluated as softplus(−y·x), which neither overflows for large −y·x nor rounds
    /// to 0 early for large y·x. Unlike <see cref="LogisticLoss"/>, the targets are not checked to be ±1, as in PyTorch.
    /// </summary>
    /// <param name="input">The scores x, float32 or float64.</param>
    /// <param name="target">The targets y (usually −1 or +1), float32 or float64, of the input's shape or broadcasting to it (PyTorch writes into an output of the input's shape).</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor SoftMarginLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "SoftMarginLoss";
        CheckFloat(op, input, nameof(input));
        CheckFloat(op, target, nameof(target));
        CheckBroadcastsTo(op, target, input, nameof(target), nameof(input));
        return Reduce(op, (-(target * input)).Softplus(threshold: double.PositiveInfinity), reduction);
    }

    /// <summary>
    /// The margin ranking loss (F.margin_ranking_loss): computes ℓ[i] = max(0, −y[i]·(x₁[i] − x₂[i]) + margin) for
    /// y = 1 when x₁ should rank higher and y = −1 when x₂ should, then <paramref name="reduction"/>. As PyTorch's
    /// clamp_min, the gradient at the kink (the loss exactly 0) is that of the linear part. The three tensors must
    /// have one rank and broadcast together, as PyTorch's.
    /// </summary>
    /// <param name="input1">The first scores x₁, float32 or float64.</param>
    /// <param name="input2">The second scores x₂, float32 or float64, of the first's rank.</param>
    /// <param name="target">The targets y (usually −1 or +1), float32 or float64, of the first's rank.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="margin">The margin by which the right score must lead.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of the three.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, the ranks differ, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, Reduction reduction = Reduction.Mean, double margin = 0.0)
    {
        const string op = "MarginRankingLoss";
        CheckFloat(op, input1, nameof(input1));
        CheckFloat(op, input2, nameof(input2));
        CheckFloat(op, target, nameof(target));
        if (input2.Rank != input1.Rank)
            throw new ArgumentException(
                $"{op}: input2 of shape {Fmt(input2.Shape)} does not match input1 of shape {Fmt(input1.Shape)}. PyTorch's margin_ranking_loss requires one rank for input1, input2 and target.",
                nameof(input2));
        if (target.Rank != input1.Rank)
            throw new ArgumentException(
                $"{op}: target of shape {Fmt(target.Shape)} does not match input1 of shape {Fmt(input1.Shape)}. PyTorch's margin_ranking_loss requires one rank for input1, input2 and target.",
                nameof(target));
        CheckBroadcastPair(op, input1, input2, "input1", "input2");
        var pair = BroadcastShape(input1.Shape, input2.Shape)!;
        if (BroadcastShape(pair, target.Shape) is null)
            throw new ArgumentException(
                $"{op}: target of shape {Fmt(target.Shape)} does not match input1 and input2 of shapes {Fmt(input1.Shape)} and {Fmt(input2.Shape)}. The shapes do not broadcast.",
                nameof(target));
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
    /// <param name="target">The targets y, −1 or +1, float32 or float64, broadcastable with the input.</param>
    /// <param name="reduction">How the per-element losses are combined.</param>
    /// <param name="margin">The margin a dissimilar pair's distance must reach.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else of the broadcast shape of input and target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor HingeEmbeddingLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double margin = 1.0)
    {
        const string op = "HingeEmbeddingLoss";
        CheckBroadcastPair(op, input, target, "input", "target");
        CheckReduction(op, reduction);
        var gap = margin - input;
        var marginTerm = Tensor.Where(target.Ne(1.0), Tensor.Where(gap.Ge(0.0), gap, 0.0), 0.0);
        return Reduce(op, marginTerm + Tensor.Where(target.Ne(-1.0), input, 0.0), reduction);
    }

    /// <summary>
    /// The cosine embedding loss (F.cosine_embedding_loss) of pairs x₁, x₂ [N, D] (or one pair [D]) and targets
    /// y ∈ {−1, +1} [N] (or 0-d): with cos = x₁·x₂ / √((|x₁|² + 1e-12)·(|x₂|² + 1e-12)) per pair, computes
    /// ℓ = 1 − cos where y = 1 and max(0, cos − margin) where y = −1 (0 for any other target, as PyTorch), then
    /// <paramref name="reduction"/>. As PyTorch's clamp_min, the gradient at cos = margin is that of cos − margin.
    /// </summary>
    /// <param name="input1">The first embeddings, float32 or float64, [N, D] or [D].</param>
    /// <param name="input2">The second embeddings, of the first's shape.</param>
    /// <param name="target">The targets, −1 or +1, of shape [N] (0-d for one pair), any dtype.</param>
    /// <param name="reduction">How the per-pair losses are combined.</param>
    /// <param name="margin">The cosine below which a dissimilar pair costs nothing (PyTorch suggests 0 to 0.5).</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per pair.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">An input is int64; the inputs are not [N, D] or [D] of one shape; or the target is not [N] (0-d for [D]).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>.</exception>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, Reduction reduction = Reduction.Mean, double margin = 0.0)
    {
        const string op = "CosineEmbeddingLoss";
        CheckFloat(op, input1, nameof(input1));
        CheckFloat(op, input2, nameof(input2));
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(op, reduction);
        if (input1.Rank is not (1 or 2) || !Same(input1.Shape, input2.Shape))
            throw new ArgumentException(
                $"{op}: input1 and input2 must be embeddings of one shape, [N, D] or [D], got {Fmt(input1.Shape)} and {Fmt(input2.Shape)}.", nameof(input2));
        var expected = input1.Shape[..^1];
        if (!Same(target.Shape, expected))
            throw new ArgumentException(
                $"{op}: target of shape {Fmt(target.Shape)} does not match inputs of shape {Fmt(input1.Shape)}: expected one target per pair, shape {Fmt(expected)}.",
                nameof(target));
        const double eps = 1e-12;
        int axis = input1.Rank - 1;
        var dot = (input1 * input2).Sum(axis);
        var norms = (((input1 * input1).Sum(axis) + eps) * ((input2 * input2).Sum(axis) + eps)).Sqrt();
        var cos = dot / norms;
        var excess = cos - margin;
        var loss = Tensor.Where(target.Eq(1.0), 1.0 - cos, 0.0) + Tensor.Where(target.Eq(-1.0), Tensor.Where(excess.Ge(0.0), excess, 0.0), 0.0);
        return Reduce(op, loss, reduction);
    }

    /// <summary>
    /// The multi-class margin loss (F.multi_margin_loss) of scores x [N, C] (or [C]) and int64 class indices t [N]
    /// (or 0-d): computes ℓ[n] = Σ_{c ≠ t} w[t]·max(0, margin − x[n, t] + x[n, c])^p / C, then
    /// <paramref name="reduction"/> (the mean is the plain mean over the N samples, whatever the weights). As
    /// PyTorch's, a term at exactly 0 passes no gradient.
    /// </summary>
    /// <param name="input">The scores, float32 or float64, [N, C] or [C].</param>
    /// <param name="target">The int64 class indices in [0, C), [N] (0-d for [C]).</param>
    /// <param name="reduction">How the per-sample losses are combined.</param>
    /// <param name="p">The power of each term, 1 or 2.</param>
    /// <param name="margin">The margin by which the target's score must lead.</param>
    /// <param name="weight">Optional per-class weights, a float tensor [C], applied by the target's class.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per sample.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is int64 or not [N, C] or [C]; the target is not int64 of shape [N] (0-d for [C]); a class index is outside [0, C); or <paramref name="weight"/> is not a float tensor [C].</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="p"/> is neither 1 nor 2.</exception>
    public static Tensor MultiMarginLoss(
        Tensor input, Tensor target, Reduction reduction = Reduction.Mean, int p = 1, double margin = 1.0, Tensor? weight = null)
    {
        const string op = "MultiMarginLoss";
        CheckFloat(op, input, nameof(input));
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(op, reduction);
        if (p is not (1 or 2))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"{op}: p must be 1 or 2, as PyTorch's multi_margin_loss, got {p}.");
        if (input.Rank is not (1 or 2))
            throw new ArgumentException($"{op}: input must be scores [N, C] or [C], got shape {Fmt(input.Shape)}.", nameof(input));
        int classAxis = input.Rank - 1;
        if (target.DType != DType.Int64)
            throw new ArgumentException(
                $"{op}: target must hold int64 class indices, got {target.DType.Name()} of shape {Fmt(target.Shape)} (input of shape {Fmt(input.Shape)}).", nameof(target));
        CheckClassWeight(op, input, weight, classAxis, "input");
        CheckClassIndices(op, input, target, classAxis, "input");
        var x = input.Rank == 1 ? input.Unsqueeze(0) : input;
        var t = target.Reshape(x.Size(0));
        int n = x.Size(0), classes = x.Size(1);
        var indices = t.ToArray<long>();
        var others = new double[n * classes];
        for (int i = 0; i < others.Length; i++)
            others[i] = i % classes == indices[i / classes] ? 0 : 1;
        var z = margin - x.Gather(1, t.Unsqueeze(1)) + x;
        var terms = Tensor.Where(Tensor.From(others, [n, classes]), Tensor.Where(z.Gt(0.0), p == 1 ? z : z.Square(), 0.0), 0.0);
        if (weight is not null)
            terms = terms * weight.To(input.DType).IndexSelect(0, t).Unsqueeze(1);
        var perSample = terms.Sum(1) / classes;
        return Reduce(op, input.Rank == 1 ? perSample.Reshape() : perSample, reduction);
    }

    /// <summary>
    /// The triplet margin loss (F.triplet_margin_loss) of anchors a, positives p and negatives n (rows of [N, D], or
    /// one [D]): computes ℓ = max(0, margin + d(a, p) − d(a, n)) with the p-norm distance d(x, y) = ‖x − y + eps‖ₚ
    /// along the last axis (PyTorch's pairwise_distance adds eps to the difference), then <paramref name="reduction"/>.
    /// With <paramref name="swap"/> the negative distance is min(d(a, n), d(p, n)) (the distance swap of Balntas et al.).
    /// As PyTorch's clamp_min, the gradient at the kink is that of the linear part.
    /// </summary>
    /// <param name="anchor">The anchors, float32 or float64.</param>
    /// <param name="positive">The positives, of the anchors' rank, broadcasting with them.</param>
    /// <param name="negative">The negatives, of the anchors' rank, broadcasting with them.</param>
    /// <param name="reduction">How the per-triplet losses are combined.</param>
    /// <param name="margin">The margin by which the negative must be farther than the positive.</param>
    /// <param name="p">The norm's order, finite and &gt; 0.</param>
    /// <param name="eps">Added to each difference before the norm, so that equal points have a differentiable distance.</param>
    /// <param name="swap">Whether to use the distance swap.</param>
    /// <returns>The loss: a 0-d tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one value per triplet.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor is int64 or 0-d, the ranks differ, or the shapes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Reduction"/>, or <paramref name="p"/> is not finite and &gt; 0.</exception>
    public static Tensor TripletMarginLoss(
        Tensor anchor, Tensor positive, Tensor negative, Reduction reduction = Reduction.Mean, double margin = 1.0, double p = 2.0,
        double eps = 1e-6, bool swap = false)
    {
        const string op = "TripletMarginLoss";
        CheckFloat(op, anchor, nameof(anchor));
        CheckFloat(op, positive, nameof(positive));
        CheckFloat(op, negative, nameof(negative));
        CheckReduction(op, reduction);
        if (!(p > 0 && double.IsFinite(p)))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"{op}: p must be finite and > 0, got {p}.");
        if (anchor.Rank == 0 || positive.Rank != anchor.Rank || negative.Rank != anchor.Rank)
            throw new ArgumentException(
                $"{op}: anchor, positive and negative must have one rank of at least 1 (PyTorch: all inputs should have same dimension), got shapes {Fmt(anchor.Shape)}, {Fmt(positive.Shape)} and {Fmt(negative.Shape)}.",
                nameof(positive));
        var ap = BroadcastShape(anchor.Shape, positive.Shape);
        if (ap is null || BroadcastShape(ap, negative.Shape) is null)
            throw new ArgumentException(
                $"{op}: anchor, positive and negative of shapes {Fmt(anchor.Shape)}, {Fmt(positive.Shape)} and {Fmt(negative.Shape)} do not broadcast.", nameof(negative));
        Tensor Distance(Tensor x, Tensor y)
        {
            var d = x - y + eps;
            return p switch
            {
                1.0 => d.Abs().Sum(-1),
                2.0 => d.Square().Sum(-1).Sqrt(),
                _ => d.Abs().Pow(p).Sum(-1).Pow(1.0 / p),
            };
        }
        var toNegative = Distance(anchor, negative);
        if (swap)
            toNegative = Tensor.Minimum(toNegative, Distance(positive, negative));
        var z = margin + Distance(anchor, positive) - toNegative;
        return Reduce(op, Tensor.Where(z.Ge(0.0), z, 0.0), reduction);
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
}
