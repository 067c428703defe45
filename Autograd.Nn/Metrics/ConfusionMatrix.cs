using System.Globalization;
using System.Text;

namespace Autograd.Nn.Metrics;

/// <summary>
/// Counts of (target class, predicted class) pairs accumulated over batches (torchmetrics' <c>ConfusionMatrix</c>,
/// scikit-learn's <c>confusion_matrix</c>): row = target, column = prediction. Accuracy, precision, recall and F1 per
/// class and averaged (<see cref="Average"/>) are read from the counts.
/// </summary>
/// <remarks>
/// Per-class scores whose denominator is zero (a class never predicted, for precision) are 0, as torchmetrics' and
/// scikit-learn's default <c>zero_division=0</c>.
/// </remarks>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>Creates an empty confusion matrix over <paramref name="numClasses"/> classes.</summary>
    /// <param name="numClasses">The number of classes, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is less than 1.</exception>
    public ConfusionMatrix(int numClasses)
    {
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "ConfusionMatrix: numClasses must be at least 1.");
        NumClasses = numClasses;
        _counts = new long[numClasses * numClasses];
    }

    /// <summary>The number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>The number of samples counted.</summary>
    public long Count { get; private set; }

    /// <summary>How many samples of target class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    /// <param name="actual">The target class.</param>
    /// <param name="predicted">The predicted class.</param>
    /// <exception cref="ArgumentOutOfRangeException">A class is not in [0, <see cref="NumClasses"/>).</exception>
    public long this[int actual, int predicted]
    {
        get
        {
            if ((uint)actual >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"ConfusionMatrix: class {actual} is out of range for {NumClasses} classes.");
            if ((uint)predicted >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"ConfusionMatrix: class {predicted} is out of range for {NumClasses} classes.");
            return _counts[actual * NumClasses + predicted];
        }
    }

    /// <summary>
    /// Adds a batch: <paramref name="input"/> holds int64 predicted classes of the target's shape, or scores (logits or
    /// probabilities) with a class dimension (1, or 0 for one sample) whose argmax is the prediction.
    /// </summary>
    /// <param name="input">The predicted classes or scores.</param>
    /// <param name="target">The int64 target classes.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The shapes do not fit, the target is not int64, or a class is outside [0, <see cref="NumClasses"/>); nothing is
    /// counted then.
    /// </exception>
    public void Update(Tensor input, Tensor target)
    {
        const string op = "ConfusionMatrix";
        var predicted = MetricInput.PredictedClasses(op, input, target);
        var actual = target.ToArray<long>();
        MetricInput.CheckClasses(op, actual, NumClasses, "target");
        MetricInput.CheckClasses(op, predicted, NumClasses, "predicted");
        for (int i = 0; i < actual.Length; i++)
            _counts[actual[i] * NumClasses + predicted[i]]++;
        Count += actual.Length;
    }

    /// <summary>Forgets every batch seen.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
    }

    /// <summary>The counts as a [C, C] int64 tensor, row = target class, column = predicted class.</summary>
    /// <returns>A new tensor.</returns>
    public Tensor ToTensor() => Tensor.From((long[])_counts.Clone()).Reshape(NumClasses, NumClasses);

    /// <summary>Each class's count in the targets (the row sums).</summary>
    /// <returns>A new array of length <see cref="NumClasses"/>.</returns>
    public long[] Support()
    {
        var s = new long[NumClasses];
        for (int a = 0; a < NumClasses; a++)
            for (int p = 0; p < NumClasses; p++) s[a] += _counts[a * NumClasses + p];
        return s;
    }

    /// <summary>The fraction of samples predicted correctly (the trace over the count), or NaN when empty.</summary>
    /// <returns>The accuracy.</returns>
    public double Accuracy()
    {
        long diagonal = 0;
        for (int c = 0; c < NumClasses; c++) diagonal += _counts[c * NumClasses + c];
        return Count == 0 ? double.NaN : (double)diagonal / Count;
    }

    /// <summary>Per class, TP / (TP + FP): of the samples predicted as the class, the fraction that are.</summary>
    /// <returns>A new array of length <see cref="NumClasses"/>.</returns>
    public double[] PrecisionPerClass() => PerClass((tp, fp, fn) => Ratio(tp, tp + fp));

    /// <summary>Per class, TP / (TP + FN): of the samples of the class, the fraction predicted as it.</summary>
    /// <returns>A new array of length <see cref="NumClasses"/>.</returns>
    public double[] RecallPerClass() => PerClass((tp, fp, fn) => Ratio(tp, tp + fn));

    /// <summary>Per class, the harmonic mean of precision and recall, 2·TP / (2·TP + FP + FN).</summary>
    /// <returns>A new array of length <see cref="NumClasses"/>.</returns>
    public double[] F1PerClass() => PerClass((tp, fp, fn) => Ratio(2 * tp, 2 * tp + fp + fn));

    /// <summary>Precision averaged over classes.</summary>
    /// <param name="average">How the per-class values are combined.</param>
    /// <returns>The averaged precision, or NaN when nothing was counted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="average"/> is not a defined value.</exception>
    public double Precision(Average average = Average.Macro) => Averaged(PrecisionPerClass(), average);

    /// <summary>Recall averaged over classes.</summary>
    /// <param name="average">How the per-class values are combined.</param>
    /// <returns>The averaged recall, or NaN when nothing was counted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="average"/> is not a defined value.</exception>
    public double Recall(Average average = Average.Macro) => Averaged(RecallPerClass(), average);

    /// <summary>F1 averaged over classes.</summary>
    /// <param name="average">How the per-class values are combined.</param>
    /// <returns>The averaged F1, or NaN when nothing was counted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="average"/> is not a defined value.</exception>
    public double F1(Average average = Average.Macro) => Averaged(F1PerClass(), average);

    /// <summary>The confusion matrix of one batch (torchmetrics.functional.confusion_matrix).</summary>
    /// <param name="input">The predicted classes or scores (see <see cref="Update"/>).</param>
    /// <param name="target">The int64 target classes.</param>
    /// <param name="numClasses">The number of classes.</param>
    /// <returns>A new confusion matrix holding the batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Update"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is less than 1.</exception>
    public static ConfusionMatrix From(Tensor input, Tensor target, int numClasses)
    {
        var m = new ConfusionMatrix(numClasses);
        m.Update(input, target);
        return m;
    }

    /// <summary>The counts as a table, one row per target class.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var cells = _counts.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        int width = Math.Max(cells.Max(c => c.Length), (NumClasses - 1).ToString(CultureInfo.InvariantCulture).Length);
        var sb = new StringBuilder();
        sb.AppendLine("rows: target class, columns: predicted class");
        for (int a = 0; a < NumClasses; a++)
        {
            sb.Append(a.ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(" |");
            for (int p = 0; p < NumClasses; p++) sb.Append(' ').Append(cells[a * NumClasses + p].PadLeft(width));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private (long Tp, long Fp, long Fn) Counts(int c)
    {
        long tp = _counts[c * NumClasses + c], fp = 0, fn = 0;
        for (int o = 0; o < NumClasses; o++)
        {
            if (o == c) continue;
            fp += _counts[o * NumClasses + c];
            fn += _counts[c * NumClasses + o];
        }
        return (tp, fp, fn);
    }

    private double[] PerClass(Func<long, long, long, double> score)
    {
        var r = new double[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            var (tp, fp, fn) = Counts(c);
            r[c] = score(tp, fp, fn);
        }
        return r;
    }

    private double Averaged(double[] perClass, Average average)
    {
        if (!Enum.IsDefined(average))
            throw new ArgumentOutOfRangeException(nameof(average), average, "ConfusionMatrix: unknown Average value.");
        if (Count == 0) return double.NaN;
        if (average == Average.Micro) return Accuracy();
        var support = Support();
        double sum = 0, weights = 0;
        for (int c = 0; c < NumClasses; c++)
        {
            var (tp, fp, fn) = Counts(c);
            double w = average == Average.Weighted ? support[c] : (tp + fp + fn == 0 ? 0 : 1);
            sum += w * perClass[c];
            weights += w;
        }
        return weights == 0 ? 0 : sum / weights;
    }
}
