namespace Autograd.Nn.Metrics;

/// <summary>
/// A float64 sum with Neumaier's compensation: the error stays at a few ulps of the total however many batches are
/// added, where a plain double sum would drift with the count.
/// </summary>
internal struct CompensatedSum
{
    private double _sum;
    private double _compensation;

    public readonly double Value => _sum + _compensation;

    public void Add(double x)
    {
        double t = _sum + x;
        _compensation += Math.Abs(_sum) >= Math.Abs(x) ? (_sum - t) + x : (x - t) + _sum;
        _sum = t;
    }

    public void Reset() => this = default;
}

internal static class MetricInput
{
    public static string Format(int[] shape) => TensorChecks.Format(shape);

    /// <summary>
    /// Predicted class indices from <paramref name="input"/>: int64 class indices of <paramref name="target"/>'s shape,
    /// or scores (logits or probabilities) with one more dimension, the class dimension 1 (or the only one), whose
    /// argmax is taken.
    /// </summary>
    public static long[] PredictedClasses(string op, Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (target.DType != DType.Int64)
            throw new ArgumentException($"{op}: target must hold int64 class indices; got {target.DType}.", nameof(target));
        if (input.DType == DType.Int64)
        {
            if (!input.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException(
                    $"{op}: predicted class indices of shape {Format(input.Shape)} do not match target of shape {Format(target.Shape)}.", nameof(input));
            return input.ToArray<long>();
        }
        return ScoresToClasses(op, input, target);
    }

    private static long[] ScoresToClasses(string op, Tensor input, Tensor target)
    {
        if (input.Rank != target.Rank + 1 || !ClassDimRemoved(input.Shape).SequenceEqual(target.Shape))
            throw new ArgumentException(
                $"{op}: scores of shape {Format(input.Shape)} need one class dimension (dimension 1, or 0 for one sample) beyond target of shape {Format(target.Shape)}.", nameof(input));
        if (input.Size(ClassDim(input)) == 0)
            throw new ArgumentException($"{op}: scores of shape {Format(input.Shape)} have no classes.", nameof(input));
        return input.ArgMax(ClassDim(input)).ToArray<long>();
    }

    public static int ClassDim(Tensor scores) => scores.Rank == 1 ? 0 : 1;

    public static int[] ClassDimRemoved(int[] shape) =>
        shape.Length == 1 ? [] : [shape[0], .. shape[2..]];

    public static void CheckClasses(string op, long[] classes, int numClasses, string what)
    {
        foreach (long c in classes)
            if ((ulong)c >= (ulong)numClasses)
                throw new ArgumentException($"{op}: {what} class {c} is out of range for {numClasses} classes.");
    }

    public static (double[] Input, double[] Target) SameShape(string op, Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!input.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException(
                $"{op}: input of shape {Format(input.Shape)} and target of shape {Format(target.Shape)} must have the same shape.", nameof(target));
        return (input.ToArray<double>(), target.ToArray<double>());
    }
}
