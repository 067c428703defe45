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
        return Reduce(op, (-(target * input)).Softplus(), reduction);
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
        return Reduce(op, (-(labels * scores)).Softplus(), reduction);
    }
}
