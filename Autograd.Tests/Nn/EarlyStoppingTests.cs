using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

public class EarlyStoppingTests
{
    [Test]
    public void StopsAfterPatienceEpochsWithoutAnImprovementBeyondMinDelta()
    {
        var s = new EarlyStopping(patience: 2, minDelta: 0.1);
        double[] losses = [1.0, 0.8, 0.75, 0.85, 0.6, 0.55, 0.58];
        var stops = losses.Select(s.Step).ToArray();
        // 0.75 is not 0.1 better than 0.8; 0.85 neither: two in a row stop; 0.6 would have been a new best.
        Assert.That(stops, Is.EqualTo(new[] { false, false, false, true, false, false, true }));
        Assert.That((s.Best, s.BestStep, s.Steps), Is.EqualTo((0.6, 5, 7)));
    }

    [Test]
    public void MaxModeImprovedMarksEachNewBestAndNaNNeverImproves()
    {
        var s = new EarlyStopping(patience: 3, mode: PlateauMode.Max);
        var improved = new List<bool>();
        foreach (var acc in new[] { 0.5, 0.7, 0.6, double.NaN, 0.71 })
        {
            s.Step(acc);
            improved.Add(s.Improved);
        }
        Assert.That(improved, Is.EqualTo(new[] { true, true, false, false, true }));
        Assert.That(s.ShouldStop, Is.False);
    }

    [Test]
    public void StateRoundTripsAndBadInputIsRefused()
    {
        var s = new EarlyStopping(patience: 2);
        s.Step(1.0);
        s.Step(2.0);
        var t = new EarlyStopping(patience: 2);
        t.LoadStateDict(s.StateDict());
        Assert.That((t.Best, t.Steps, t.BestStep, t.EpochsWithoutImprovement), Is.EqualTo((1.0, 2, 1, 1)));
        Assert.That(t.Step(3.0), Is.True);
        var e = Assert.Throws<ArgumentException>(() => t.LoadStateDict(new Dictionary<string, Tensor> { ["best"] = Tensor.Scalar(1.0, DType.Float64) }));
        Assert.That(e!.Message, Does.StartWith("EarlyStopping.LoadStateDict: 'steps' must be a 0-d float64 tensor"));
        Assert.That(t.Steps, Is.EqualTo(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EarlyStopping(patience: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EarlyStopping(minDelta: double.NaN));
    }
}
