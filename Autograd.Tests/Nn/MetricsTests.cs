using Autograd.Nn.Metrics;

namespace Autograd.Tests.Nn;

/// <summary>The metrics against values computed by hand from their definitions.</summary>
public class MetricsTests
{
    // Targets [0,0,1,1,2,2,2], predictions [0,1,1,1,2,0,2]: rows t0 = (1,1,0), t1 = (0,2,0), t2 = (1,0,2).
    private static readonly long[] Targets = [0, 0, 1, 1, 2, 2, 2];
    private static readonly long[] Predictions = [0, 1, 1, 1, 2, 0, 2];

    private static Tensor Logits(long[] predicted, int classes)
    {
        var v = new double[predicted.Length * classes];
        for (int i = 0; i < predicted.Length; i++)
            for (int c = 0; c < classes; c++) v[i * classes + c] = c == predicted[i] ? 2.0 : -0.5 * c;
        return Tensor.From(v).Reshape(predicted.Length, classes);
    }

    [Test]
    public void AccuracyFromScoresAndFromClassesAndOverBatches()
    {
        Assert.That(Accuracy.Score(Logits(Predictions, 3), Tensor.From(Targets)), Is.EqualTo(5.0 / 7).Within(1e-15));
        Assert.That(Accuracy.Score(Tensor.From(Predictions), Tensor.From(Targets)), Is.EqualTo(5.0 / 7).Within(1e-15));
        var a = new Accuracy();
        a.Update(Tensor.From(Predictions[..3]), Tensor.From(Targets[..3]));
        a.Update(Tensor.From(Predictions[3..]), Tensor.From(Targets[3..]));
        Assert.That((a.Correct, a.Count, a.Compute()), Is.EqualTo((5L, 7L, 5.0 / 7)));
        a.Reset();
        Assert.That(a.Compute(), Is.NaN);
    }

    [Test]
    public void TopKAccuracyCountsTheTargetAmongTheKHighestScores()
    {
        // Row scores and the target's rank: row 0 target 2 is 2nd, row 1 target 0 is 3rd, row 2 target 1 is 1st.
        var scores = Tensor.From([0.9, 0.1, 0.5, 0.2, 0.7, 0.4, 0.1, 0.8, 0.3]).Reshape(3, 3);
        var target = Tensor.From([2L, 0L, 1L]);
        Assert.That(Accuracy.Score(scores, target, topK: 1), Is.EqualTo(1.0 / 3).Within(1e-15));
        Assert.That(Accuracy.Score(scores, target, topK: 2), Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(Accuracy.Score(scores, target, topK: 3), Is.EqualTo(1.0));
    }

    [Test]
    public void AccuracyOverAClassDimensionWithExtraDimensions()
    {
        // (N=1, C=2, L=3): predictions argmax over dim 1 = [1, 0, 1]; targets [1, 1, 1].
        var scores = Tensor.From([0.1, 0.9, 0.2, 0.8, 0.3, 0.7]).Reshape(1, 2, 3);
        Assert.That(Accuracy.Score(scores, Tensor.From([1L, 1L, 1L]).Reshape(1, 3)), Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(Accuracy.Score(scores, Tensor.From([1L, 1L, 1L]).Reshape(1, 3), topK: 2), Is.EqualTo(1.0));
    }

    [Test]
    public void ConfusionMatrixCountsAndPerClassScores()
    {
        var m = ConfusionMatrix.From(Logits(Predictions, 3), Tensor.From(Targets), 3);
        Assert.That(m.ToTensor().ToArray<long>(), Is.EqualTo(new long[] { 1, 1, 0, 0, 2, 0, 1, 0, 2 }));
        Assert.That(m[2, 0], Is.EqualTo(1));
        Assert.That(m.Support(), Is.EqualTo(new long[] { 2, 2, 3 }));
        Assert.That(m.PrecisionPerClass(), Is.EqualTo(new[] { 0.5, 2.0 / 3, 1.0 }).Within(1e-15));
        Assert.That(m.RecallPerClass(), Is.EqualTo(new[] { 0.5, 1.0, 2.0 / 3 }).Within(1e-15));
        Assert.That(m.F1PerClass(), Is.EqualTo(new[] { 0.5, 0.8, 0.8 }).Within(1e-15));
        Assert.That(m.Accuracy(), Is.EqualTo(5.0 / 7).Within(1e-15));
    }

    [Test]
    public void AveragesMacroMicroAndWeighted()
    {
        var m = ConfusionMatrix.From(Tensor.From(Predictions), Tensor.From(Targets), 3);
        Assert.That(m.Precision(Average.Macro), Is.EqualTo((0.5 + 2.0 / 3 + 1.0) / 3).Within(1e-15));
        Assert.That(m.Recall(Average.Weighted), Is.EqualTo((2 * 0.5 + 2 * 1.0 + 3 * (2.0 / 3)) / 7).Within(1e-15));
        Assert.That(m.F1(Average.Weighted), Is.EqualTo((2 * 0.5 + 2 * 0.8 + 3 * 0.8) / 7).Within(1e-15));
        foreach (var micro in new[] { m.Precision(Average.Micro), m.Recall(Average.Micro), m.F1(Average.Micro) })
            Assert.That(micro, Is.EqualTo(5.0 / 7).Within(1e-15));
        // A fourth class that never occurs is left out of the macro average, as torchmetrics does.
        var wide = ConfusionMatrix.From(Tensor.From(Predictions), Tensor.From(Targets), 4);
        Assert.That(wide.F1(Average.Macro), Is.EqualTo(m.F1(Average.Macro)).Within(1e-15));
        Assert.That(wide.F1PerClass()[3], Is.EqualTo(0.0));
    }

    [Test]
    public void ConfusionMatrixOverBatchesEqualsOneBatchAndResets()
    {
        var m = new ConfusionMatrix(3);
        for (int i = 0; i < Targets.Length; i += 2)
        {
            int end = Math.Min(i + 2, Targets.Length);
            m.Update(Tensor.From(Predictions[i..end]), Tensor.From(Targets[i..end]));
        }
        Assert.That(m.ToTensor().ToArray<long>(), Is.EqualTo(ConfusionMatrix.From(Tensor.From(Predictions), Tensor.From(Targets), 3).ToTensor().ToArray<long>()));
        Assert.That(m.ToString(), Does.Contain("2 | 1 0 2"));
        m.Reset();
        Assert.That((m.Count, m.Precision()), Is.EqualTo((0L, double.NaN)));
    }

    [Test]
    public void ClassificationMetricsRefuseBadInputAndCountNothing()
    {
        var m = new ConfusionMatrix(3);
        var e = Assert.Throws<ArgumentException>(() => m.Update(Tensor.From([0L, 3L]), Tensor.From([0L, 1L])));
        Assert.That(e!.Message, Does.StartWith("ConfusionMatrix: predicted class 3 is out of range for 3 classes"));
        Assert.That(m.Count, Is.EqualTo(0));
        e = Assert.Throws<ArgumentException>(() => Accuracy.Score(Tensor.Zeros([4, 3]), Tensor.From([0.0, 1, 2, 0])));
        Assert.That(e!.Message, Does.StartWith("Accuracy: target must hold int64 class indices"));
        e = Assert.Throws<ArgumentException>(() => Accuracy.Score(Tensor.Zeros([4, 3]), Tensor.From([0L, 1L, 2L])));
        Assert.That(e!.Message, Does.StartWith("Accuracy: scores of shape [4, 3] need one class dimension"));
        e = Assert.Throws<ArgumentException>(() => Accuracy.Score(Tensor.Zeros([2, 3]), Tensor.From([0L, 5L])));
        Assert.That(e!.Message, Does.StartWith("Accuracy: target class 5 is out of range for 3 classes"));
        e = Assert.Throws<ArgumentException>(() => Accuracy.Score(Tensor.From([0L, 1L]), Tensor.From([0L, 1L]), topK: 2));
        Assert.That(e!.Message, Does.StartWith("Accuracy: top-2 accuracy needs scores"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Accuracy(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ConfusionMatrix(0));
    }

    [Test]
    public void MeanSquaredAndAbsoluteErrorOverBatches()
    {
        var x = Tensor.From([1.0, 2.0, 4.0, -1.0]);
        var y = Tensor.From([1.0, 0.0, 1.0, 1.0]);
        Assert.That(MeanSquaredError.Score(x, y), Is.EqualTo((0 + 4 + 9 + 4) / 4.0));
        Assert.That(MeanAbsoluteError.Score(x, y), Is.EqualTo((0 + 2 + 3 + 2) / 4.0));
        var mse = new MeanSquaredError();
        mse.Update(x.Slice(0, 0, 1), y.Slice(0, 0, 1));
        mse.Update(x.Slice(0, 1, 4), y.Slice(0, 1, 4));
        Assert.That((mse.Count, mse.Compute()), Is.EqualTo((4L, 17 / 4.0)));
        var e = Assert.Throws<ArgumentException>(() => mse.Update(x, Tensor.Zeros([3])));
        Assert.That(e!.Message, Does.StartWith("MeanSquaredError: input of shape [4] and target of shape [3]"));
    }

    [Test]
    public void R2ScoreSingleAndMultiOutput()
    {
        // y = [1,2,3,4], ŷ = [1,2,3,5]: SS_res = 1, SS_tot = 5.
        Assert.That(R2Score.Score(Tensor.From([1.0, 2, 3, 5]), Tensor.From([1.0, 2, 3, 4])), Is.EqualTo(0.8).Within(1e-15));
        // Two outputs: column 0 as above (0.8); column 1 y = [0,0,2,2], ŷ = [0,1,2,2]: SS_res = 1, SS_tot = 4, R² = 0.75.
        var pred = Tensor.From([1.0, 0, 2, 1, 3, 2, 5, 2]).Reshape(4, 2);
        var target = Tensor.From([1.0, 0, 2, 0, 3, 2, 4, 2]).Reshape(4, 2);
        Assert.That(R2Score.Score(pred, target), Is.EqualTo((0.8 + 0.75) / 2).Within(1e-15));
        var r = new R2Score();
        r.Update(pred.Slice(0, 0, 1), target.Slice(0, 0, 1));
        r.Update(pred.Slice(0, 1, 4), target.Slice(0, 1, 4));
        Assert.That(r.Compute(), Is.EqualTo((0.8 + 0.75) / 2).Within(1e-15));
        Assert.That(R2Score.Score(Tensor.From([2.0, 2.0]), Tensor.From([2.0, 2.0])), Is.EqualTo(1.0));
        Assert.That(R2Score.Score(Tensor.From([2.0, 3.0]), Tensor.From([2.0, 2.0])), Is.EqualTo(0.0));
        var e = Assert.Throws<InvalidOperationException>(() => R2Score.Score(Tensor.From([1.0]), Tensor.From([1.0])));
        Assert.That(e!.Message, Does.StartWith("R2Score: needs at least two samples"));
    }

    [Test]
    public void R2ScoreOfTargetsFarFromZeroKeepsItsDigitsOverManyBatches()
    {
        // Targets 1e9 + k (k = 0..9999 repeated), predictions off by ±1: SS_tot from Σy² − (Σy)²/n would lose every
        // digit; the merged Welford statistics keep R² to 1e-12 of the two-pass value.
        const int n = 100_000;
        var y = new double[n];
        var yhat = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = 1e9 + i % 10_000;
            yhat[i] = y[i] + (i % 2 == 0 ? 1 : -1);
        }
        double mean = y.Average();
        double ssTot = y.Sum(v => (v - mean) * (v - mean));
        double expected = 1 - n / ssTot;
        var r = new R2Score();
        for (int i = 0; i < n; i += 1000)
            r.Update(Tensor.From(yhat[i..(i + 1000)]), Tensor.From(y[i..(i + 1000)]));
        Assert.That(r.Compute(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void RunningMeanIsWeightedAndDoesNotDriftWithLength()
    {
        var m = new RunningMean();
        m.Update(2.0, 3);
        m.Update(4.0, 1);
        m.Update(Tensor.From([1.0, 1.0]));
        Assert.That((m.TotalWeight, m.Compute()), Is.EqualTo((6.0, (6 + 4 + 2) / 6.0)));
        // 10⁷ additions of 0.1: a plain double sum drifts by ~1e-9 relative; the compensated one stays within 1e-15.
        var drift = new RunningMean();
        for (int i = 0; i < 10_000_000; i++) drift.Update(0.1);
        Assert.That(drift.Compute(), Is.EqualTo(0.1).Within(1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Update(1.0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Update(1.0, double.NaN));
        m.Reset();
        Assert.That(m.Compute(), Is.NaN);
    }
}
