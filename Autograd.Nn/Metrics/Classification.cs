namespace Autograd.Nn.Metrics;

/// <summary>How per-class scores are combined into one (torchmetrics' and scikit-learn's <c>average</c>).</summary>
public enum Average
{
    /// <summary>
    /// The unweighted mean over classes, leaving out classes that occur neither in the targets nor in the predictions
    /// (as torchmetrics does).
    /// </summary>
    Macro = 0,

    /// <summary>
    /// From the counts summed over classes. For single-label classification, micro precision, recall and F1 all equal
    /// the accuracy.
    /// </summary>
    Micro = 1,

    /// <summary>The mean over classes weighted by each class's support (its count in the targets).</summary>
    Weighted = 2,
}

/// <summary>
/// The fraction of samples whose target class is among the <see cref="TopK"/> highest scores, accumulated over
/// batches (torchmetrics' <c>Accuracy</c>): <c>Update</c> per batch, <see cref="Compute"/> at the end.
/// </summary>
/// <remarks>
/// A prediction counts as correct when fewer than <see cref="TopK"/> classes score strictly higher than the target
/// class, so ties are resolved in the target's favour. With <see cref="TopK"/> = 1 and int64 predicted classes the
/// comparison is plain equality.
/// </remarks>
public sealed class Accuracy
{
    private long _correct;
    private long _count;

    /// <summary>Creates an accuracy counting the target among the top <paramref name="topK"/> scores as correct.</summary>
    /// <param name="topK">How many of the highest scores count; 1 is plain accuracy.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is less than 1.</exception>
    public Accuracy(int topK = 1)
    {
        if (topK < 1)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, "Accuracy: topK must be at least 1.");
        TopK = topK;
    }

    /// <summary>How many of the highest scores count as a correct prediction.</summary>
    public int TopK { get; }

    /// <summary>The number of samples seen since construction or the last <see cref="Reset"/>.</summary>
    public long Count => _count;

    /// <summary>The number of correct predictions seen.</summary>
    public long Correct => _correct;

    /// <summary>
    /// Adds a batch: <paramref name="input"/> holds scores (logits or probabilities) of shape (N, C) or (C), or
    /// (N, C, d1, …) for targets (N, d1, …); or, with <see cref="TopK"/> = 1, int64 predicted classes of the target's
    /// shape.
    /// </summary>
    /// <param name="input">The scores or predicted classes.</param>
    /// <param name="target">The int64 target classes.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The shapes do not fit, the target is not int64, a target class is out of range, or <see cref="TopK"/> &gt; 1 with
    /// predicted classes instead of scores.
    /// </exception>
    public void Update(Tensor input, Tensor target)
    {
        var (correct, count) = Count1(input, target, TopK);
        _correct += correct;
        _count += count;
    }

    /// <summary>The accuracy over everything seen: correct / count, or NaN before any sample.</summary>
    /// <returns>A value in [0, 1], or NaN when nothing was seen.</returns>
    public double Compute() => _count == 0 ? double.NaN : (double)_correct / _count;

    /// <summary>Forgets every batch seen.</summary>
    public void Reset() => (_correct, _count) = (0, 0);

    /// <summary>The accuracy of one batch (torchmetrics.functional.accuracy); see <see cref="Update"/> for the shapes.</summary>
    /// <param name="input">The scores or predicted classes.</param>
    /// <param name="target">The int64 target classes.</param>
    /// <param name="topK">How many of the highest scores count as correct.</param>
    /// <returns>The fraction correct, or NaN for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Update"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is less than 1.</exception>
    public static double Score(Tensor input, Tensor target, int topK = 1)
    {
        var a = new Accuracy(topK);
        a.Update(input, target);
        return a.Compute();
    }

    private static (long Correct, long Count) Count1(Tensor input, Tensor target, int topK)
    {
        const string op = "Accuracy";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (topK == 1 || input.DType == DType.Int64)
        {
            if (topK > 1)
                throw new ArgumentException($"{op}: top-{topK} accuracy needs scores, not int64 predicted classes.", nameof(input));
            var predicted = MetricInput.PredictedClasses(op, input, target);
            var actual = target.ToArray<long>();
            if (input.DType != DType.Int64)
                MetricInput.CheckClasses(op, actual, input.Size(MetricInput.ClassDim(input)), "target");
            long correct = 0;
            for (int i = 0; i < actual.Length; i++)
                if (predicted[i] == actual[i]) correct++;
            return (correct, actual.Length);
        }
        MetricInput.PredictedClasses(op, input, target); // the shape and dtype checks
        int classDim = MetricInput.ClassDim(input);
        int classes = input.Size(classDim);
        var targets = target.ToArray<long>();
        MetricInput.CheckClasses(op, targets, classes, "target");
        // Scores as (N·d, C) rows: move the class dimension last.
        var rows = (classDim == input.Rank - 1 ? input : input.Movedim(classDim, -1)).Contiguous().ToArray<double>();
        long hits = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            double t = rows[i * classes + targets[i]];
            int higher = 0;
            for (int c = 0; c < classes; c++)
                if (rows[i * classes + c] > t) higher++;
            if (higher < topK) hits++;
        }
        return (hits, targets.Length);
    }
}
