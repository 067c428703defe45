namespace Autograd.Nn.Metrics;

/// <summary>
/// The mean of <c>(input − target)²</c> over every element of every batch (torchmetrics' <c>MeanSquaredError</c>),
/// accumulated in float64 with a compensated sum, so it does not drift with the number of batches.
/// </summary>
public sealed class MeanSquaredError
{
    private CompensatedSum _sum;

    /// <summary>The number of elements seen.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a batch of predictions and targets of the same shape.</summary>
    /// <param name="input">The predictions.</param>
    /// <param name="target">The targets, of the same shape.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Update(Tensor input, Tensor target)
    {
        var (x, y) = MetricInput.SameShape("MeanSquaredError", input, target);
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - y[i];
            _sum.Add(d * d);
        }
        Count += x.Length;
    }

    /// <summary>The mean squared error over everything seen, or NaN before any element.</summary>
    /// <returns>The mean squared error.</returns>
    public double Compute() => Count == 0 ? double.NaN : _sum.Value / Count;

    /// <summary>Forgets every batch seen.</summary>
    public void Reset() => (_sum, Count) = (default, 0);

    /// <summary>The mean squared error of one batch.</summary>
    /// <param name="input">The predictions.</param>
    /// <param name="target">The targets, of the same shape.</param>
    /// <returns>The mean squared error, NaN for empty tensors.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static double Score(Tensor input, Tensor target)
    {
        var m = new MeanSquaredError();
        m.Update(input, target);
        return m.Compute();
    }
}

/// <summary>
/// The mean of <c>|input − target|</c> over every element of every batch (torchmetrics' <c>MeanAbsoluteError</c>),
/// accumulated in float64 with a compensated sum.
/// </summary>
public sealed class MeanAbsoluteError
{
    private CompensatedSum _sum;

    /// <summary>The number of elements seen.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a batch of predictions and targets of the same shape.</summary>
    /// <param name="input">The predictions.</param>
    /// <param name="target">The targets, of the same shape.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Update(Tensor input, Tensor target)
    {
        var (x, y) = MetricInput.SameShape("MeanAbsoluteError", input, target);
        for (int i = 0; i < x.Length; i++) _sum.Add(Math.Abs(x[i] - y[i]));
        Count += x.Length;
    }

    /// <summary>The mean absolute error over everything seen, or NaN before any element.</summary>
    /// <returns>The mean absolute error.</returns>
    public double Compute() => Count == 0 ? double.NaN : _sum.Value / Count;

    /// <summary>Forgets every batch seen.</summary>
    public void Reset() => (_sum, Count) = (default, 0);

    /// <summary>The mean absolute error of one batch.</summary>
    /// <param name="input">The predictions.</param>
    /// <param name="target">The targets, of the same shape.</param>
    /// <returns>The mean absolute error, NaN for empty tensors.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static double Score(Tensor input, Tensor target)
    {
        var m = new MeanAbsoluteError();
        m.Update(input, target);
        return m.Compute();
    }
}

/// <summary>
/// The coefficient of determination R² = 1 − SS_res / SS_tot accumulated over batches (torchmetrics' <c>R2Score</c>,
/// scikit-learn's <c>r2_score</c>). Targets of shape (N) give one score; (N, D) give one per output, averaged uniformly.
/// </summary>
/// <remarks>
/// The target's mean and spread are merged batch by batch (Chan's parallel form of Welford's method) in float64, so
/// SS_tot does not lose digits to cancellation when the targets sit far from zero. An output whose targets are all
/// equal (SS_tot = 0) scores 1 if the predictions are exact and 0 otherwise, as scikit-learn's default.
/// </remarks>
public sealed class R2Score
{
    private double[] _mean = [];
    private double[] _m2 = [];
    private CompensatedSum[] _residual = [];

    /// <summary>The number of samples (rows) seen.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a batch of predictions and targets of the same shape, (N) or (N, D).</summary>
    /// <param name="input">The predictions.</param>
    /// <param name="target">The targets.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ, are not (N) or (N, D), or D changed since the last batch.</exception>
    public void Update(Tensor input, Tensor target)
    {
        const string op = "R2Score";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Rank is not (1 or 2))
            throw new ArgumentException($"{op}: targets must be (N) or (N, D); got shape {MetricInput.Format(target.Shape)}.", nameof(target));
        int outputs = target.Rank == 1 ? 1 : target.Size(1);
        if (Count > 0 && outputs != _mean.Length)
            throw new ArgumentException($"{op}: targets of shape {MetricInput.Format(target.Shape)} have {outputs} outputs, but earlier batches had {_mean.Length}.", nameof(target));
        var (x, y) = MetricInput.SameShape(op, input, target);
        int n = target.Size(0);
        if (n == 0) return;
        if (Count == 0)
        {
            _mean = new double[outputs];
            _m2 = new double[outputs];
            _residual = new CompensatedSum[outputs];
        }
        for (int d = 0; d < outputs; d++)
        {
            double batchMean = 0;
            for (int i = 0; i < n; i++) batchMean += y[i * outputs + d];
            batchMean /= n;
            double batchM2 = 0;
            for (int i = 0; i < n; i++)
            {
                double dev = y[i * outputs + d] - batchMean;
                batchM2 += dev * dev;
                double r = x[i * outputs + d] - y[i * outputs + d];
                _residual[d].Add(r * r);
            }
            double total = Count + n;
            double delta = batchMean - _mean[d];
            _mean[d] += delta * n / total;
            _m2[d] += batchM2 + delta * delta * Count * n / total;
        }
        Count += n;
    }

    /// <summary>R² over everything seen (averaged uniformly over outputs).</summary>
    /// <returns>The score: 1 for exact predictions, 0 for predicting the mean, negative for worse.</returns>
    /// <exception cref="InvalidOperationException">Fewer than two samples were seen.</exception>
    public double Compute()
    {
        if (Count < 2)
            throw new InvalidOperationException($"R2Score: needs at least two samples; {Count} seen.");
        double sum = 0;
        for (int d = 0; d < _mean.Length; d++)
        {
            double res = _residual[d].Value;
            sum += _m2[d] == 0 ? (res == 0 ? 1 : 0) : 1 - res / _m2[d];
        }
        return sum / _mean.Length;
    }

    /// <summary>Forgets every batch seen.</summary>
    public void Reset()
    {
        (_mean, _m2, _residual) = ([], [], []);
        Count = 0;
    }

    /// <summary>R² of one batch.</summary>
    /// <param name="input">The predictions.</param>
    /// <param name="target">The targets, (N) or (N, D).</param>
    /// <returns>The score.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Update"/>.</exception>
    /// <exception cref="InvalidOperationException">The batch has fewer than two samples.</exception>
    public static double Score(Tensor input, Tensor target)
    {
        var m = new R2Score();
        m.Update(input, target);
        return m.Compute();
    }
}

/// <summary>
/// A weighted running mean, for losses and other per-batch values (torchmetrics' <c>MeanMetric</c>): add each
/// batch's value with its weight (usually the batch size), read <see cref="Compute"/> at the end of the epoch.
/// Accumulated in float64 with compensated sums.
/// </summary>
public sealed class RunningMean
{
    private CompensatedSum _weighted;
    private CompensatedSum _weights;

    /// <summary>The total weight added.</summary>
    public double TotalWeight => _weights.Value;

    /// <summary>Adds <paramref name="value"/> with <paramref name="weight"/>.</summary>
    /// <param name="value">The value, e.g. a batch's mean loss.</param>
    /// <param name="weight">Its weight, e.g. the batch size; non-negative and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is negative, NaN or infinite.</exception>
    public void Update(double value, double weight = 1)
    {
        if (!(weight >= 0) || double.IsInfinity(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "RunningMean: weight must be finite and non-negative.");
        _weighted.Add(value * weight);
        _weights.Add(weight);
    }

    /// <summary>Adds every element of <paramref name="values"/> with weight 1.</summary>
    /// <param name="values">The values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    public void Update(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (double v in values.ToArray<double>())
        {
            _weighted.Add(v);
            _weights.Add(1);
        }
    }

    /// <summary>The weighted mean of everything added, or NaN when the total weight is 0.</summary>
    /// <returns>The mean.</returns>
    public double Compute() => _weights.Value == 0 ? double.NaN : _weighted.Value / _weights.Value;

    /// <summary>Forgets every value added.</summary>
    public void Reset() => (_weighted, _weights) = (default, default);
}
