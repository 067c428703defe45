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
public static partial class Losses
{
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

    // Checks int64 class indices of the scores' shape without the class axis, each in [0, C) or equal to ignoreIndex;
    // returns how many equal ignoreIndex.
    private static int CheckClassIndices(string op, Tensor scores, Tensor target, int classAxis, string scoresName, long? ignoreIndex = null)
    {
        var expected = Without(scores.Shape, classAxis);
        if (!Same(target.Shape, expected))
            throw new ArgumentException(
                $"{op}: target of shape {Fmt(target.Shape)} does not match {scoresName} of shape {Fmt(scores.Shape)}: expected class indices of shape {Fmt(expected)}.",
                nameof(target));
        int classes = scores.Size(classAxis);
        var values = target.ToArray<long>();
        int ignored = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] == ignoreIndex)
                ignored++;
            else if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentException(
                    $"{op}: class index {values[i]} at position {i} of the target is out of range for {classes} classes ({scoresName} of shape {Fmt(scores.Shape)}); indices must lie in [0, {classes})" +
                    (ignoreIndex is { } ig ? $" or equal ignoreIndex ({ig})." : "."),
                    nameof(target));
        }
        return ignored;
    }

    // PyTorch's elementwise losses broadcast input and target (torch.broadcast_tensors); shapes that do not broadcast are refused.
    private static void CheckBroadcastPair(string op, Tensor input, Tensor target, string inputName, string targetName)
    {
        CheckFloat(op, input, inputName);
        CheckFloat(op, target, targetName);
        if (BroadcastShape(input.Shape, target.Shape) is null)
            throw new ArgumentException(
                $"{op}: {targetName} of shape {Fmt(target.Shape)} does not match {inputName} of shape {Fmt(input.Shape)}. The shapes do not broadcast.", targetName);
    }

    // A weight that must broadcast to the input's shape (the loss keeps the input's shape).
    private static void CheckBroadcastsTo(string op, Tensor? weight, Tensor input, string weightName, string inputName)
    {
        if (weight is null) return;
        CheckFloat(op, weight, weightName);
        var b = BroadcastShape(weight.Shape, input.Shape);
        if (b is null || !Same(b, input.Shape))
            throw new ArgumentException(
                $"{op}: {weightName} of shape {Fmt(weight.Shape)} does not match {inputName} of shape {Fmt(input.Shape)}. It must broadcast to that shape.", weightName);
    }

    // NumPy's broadcast of two shapes, or null when they do not broadcast.
    private static int[]? BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1) return null;
            result[i] = da == 1 ? db : da;
        }
        return result;
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
