using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

/// <summary>
/// Learning-rate schedulers and gradient clipping against values written out here: the schedulers' sequences over
/// ten epochs from PyTorch's closed forms, the clipping from a hand computation of clip_grad_norm_.
/// </summary>
public class SchedulerTests
{
    private static SGD NewSgd(double lr) => new([new Parameter(Tensor.From(new double[] { 1.0, 2.0 }))], lr);

    private static double[] Run(LRScheduler scheduler, Optimizer optimizer, int epochs = 10)
    {
        var lrs = new List<double> { scheduler.LastLearningRate };
        for (int e = 1; e <= epochs; e++)
        {
            scheduler.Step();
            Assert.That(optimizer.LearningRate, Is.EqualTo(scheduler.LastLearningRate), $"epoch {e}: the optimizer got the scheduled rate");
            Assert.That(scheduler.LastEpoch, Is.EqualTo(e));
            lrs.Add(scheduler.LastLearningRate);
        }
        return [.. lrs];
    }

    [Test]
    public void StepLRHalvesEveryThreeEpochs()
    {
        // η_e = 0.1 · 0.5^⌊e/3⌋, e = 0…10.
        var sgd = NewSgd(0.1);
        var lrs = Run(new StepLR(sgd, stepSize: 3, gamma: 0.5), sgd);
        Assert.That(lrs, Is.EqualTo(new[]
        {
            0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125,
        }).Within(1e-15));
    }

    [Test]
    public void StepLRDefaultsToGammaOneTenth()
    {
        var sgd = NewSgd(1.0);
        var lrs = Run(new StepLR(sgd, stepSize: 4), sgd);
        Assert.That(lrs, Is.EqualTo(new[] { 1.0, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01 }).Within(1e-15));
    }

    [Test]
    public void ExponentialLRMultipliesByGammaEveryEpoch()
    {
        // η_e = 0.1 · 0.9^e.
        var sgd = NewSgd(0.1);
        var lrs = Run(new ExponentialLR(sgd, gamma: 0.9), sgd);
        Assert.That(lrs, Is.EqualTo(new[]
        {
            0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721, 0.0387420489, 0.03486784401,
        }).Within(1e-15));
    }

    [Test]
    public void CosineAnnealingLRFollowsTheClosedFormDownToEtaMinAndBackUp()
    {
        // η_e = η_min + (η₀ − η_min)(1 + cos(πe/T_max))/2 with η₀ = 0.1, η_min = 0.01, T_max = 4: cos(π/4) = √2/2.
        var sgd = NewSgd(0.1);
        var lrs = Run(new CosineAnnealingLR(sgd, tMax: 4, etaMin: 0.01), sgd);
        double high = 0.01 + 0.09 * (1 + Math.Sqrt(0.5)) / 2; // e = 1, 7, 9
        double mid = 0.01 + 0.09 * 0.5;                        // e = 2, 6, 10
        double low = 0.01 + 0.09 * (1 - Math.Sqrt(0.5)) / 2;  // e = 3, 5
        Assert.That(lrs, Is.EqualTo(new[] { 0.1, high, mid, low, 0.01, low, mid, high, 0.1, high, mid }).Within(1e-15));
        Assert.That(high, Is.EqualTo(0.08681980515339464).Within(1e-15));
    }

    [Test]
    public void CosineAnnealingLRDefaultsToEtaMinZero()
    {
        var sgd = NewSgd(2.0);
        var lrs = Run(new CosineAnnealingLR(sgd, tMax: 10), sgd);
        var expected = Enumerable.Range(0, 11).Select(e => (1 + Math.Cos(Math.PI * e / 10))).ToArray(); // 2·(1 + cos)/2
        Assert.That(lrs, Is.EqualTo(expected).Within(1e-15));
        Assert.That(lrs[10], Is.EqualTo(0).Within(1e-15));
    }

    [Test]
    public void ConstructionKeepsTheRateAndTheScheduledRateDrivesTheNextStep()
    {
        var p = new Parameter(Tensor.From(new double[] { 1.0, 1.0 }));
        var sgd = new SGD([p], 0.4);
        var scheduler = new StepLR(sgd, stepSize: 1, gamma: 0.25);
        Assert.That(sgd.LearningRate, Is.EqualTo(0.4));
        Assert.That(scheduler.LastEpoch, Is.Zero);
        Assert.That(scheduler.BaseLearningRate, Is.EqualTo(0.4));
        scheduler.Step(); // 0.1
        p.Grad = Tensor.From(new double[] { 1.0, -2.0 });
        sgd.Step(); // θ − 0.1·g
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 0.9, 1.2 }).Within(1e-12));
    }

    [Test]
    public void InvalidSchedulerArgumentsThrow()
    {
        var sgd = NewSgd(0.1);
        Assert.That(Assert.Throws<ArgumentException>(() => new StepLR(sgd, 0))!.Message, Does.Contain("StepLR").And.Contain("step size 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => new StepLR(sgd, 2, -0.5))!.Message, Does.Contain("StepLR").And.Contain("-0.5"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ExponentialLR(sgd, double.NaN))!.Message, Does.Contain("ExponentialLR").And.Contain("NaN"));
        Assert.That(Assert.Throws<ArgumentException>(() => new CosineAnnealingLR(sgd, 0))!.Message, Does.Contain("CosineAnnealingLR").And.Contain("T_max 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => new CosineAnnealingLR(sgd, 5, -1))!.Message, Does.Contain("eta_min -1"));
        Assert.Throws<ArgumentNullException>(() => new ExponentialLR(null!, 0.5));
        Assert.That(sgd.LearningRate, Is.EqualTo(0.1));
    }

    // ---------------------------------------------------------------- gradient clipping

    private static Parameter WithGrad(double[] values, double[] grad) =>
        new(Tensor.From(values)) { Grad = Tensor.From(grad) };

    [Test]
    public void ClipGradNormScalesAllGradientsByMaxNormOverTheTotalNorm()
    {
        // ‖[3, 4]‖ = 5, ‖[12]‖ = 12, total = √(25 + 144) = 13; coefficient 6.5 / (13 + 1e-6).
        var a = WithGrad([0, 0], [3, 4]);
        var b = WithGrad([0], [12]);
        var none = new Parameter(Tensor.From(new double[] { 7 }));
        double total = GradClip.ClipGradNorm([a, none, b], maxNorm: 6.5);
        double c = 6.5 / (13 + 1e-6);
        Assert.That(total, Is.EqualTo(13).Within(1e-12));
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3 * c, 4 * c }).Within(1e-12));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { 12 * c }).Within(1e-12));
        Assert.That(none.Grad, Is.Null);
        Assert.That(none.ToArray<double>(), Is.EqualTo(new double[] { 7 }));
    }

    [Test]
    public void ClipGradNormLeavesGradientsBelowTheMaximumUnchanged()
    {
        // 100 / (13 + 1e-6) > 1 is clamped to 1.
        var a = WithGrad([0, 0], [3, 4]);
        var b = WithGrad([0], [12]);
        Assert.That(GradClip.ClipGradNorm([a, b], 100), Is.EqualTo(13).Within(1e-12));
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 3, 4 }));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 12 }));
    }

    [Test]
    public void ClipGradNormWithTheInfinityNormUsesTheLargestAbsoluteValue()
    {
        var a = WithGrad([0, 0], [3, -7]);
        var b = WithGrad([0], [5]);
        double total = GradClip.ClipGradNorm([a, b], 3.5, double.PositiveInfinity);
        double c = 3.5 / (7 + 1e-6);
        Assert.That(total, Is.EqualTo(7));
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3 * c, -7 * c }).Within(1e-12));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { 5 * c }).Within(1e-12));
    }

    [Test]
    public void ClipGradNormWithOtherOrders()
    {
        // p = 1: ‖[3, −4]‖₁ = 7, ‖[5]‖₁ = 5, total 12.
        var a = WithGrad([0, 0], [3, -4]);
        var b = WithGrad([0], [5]);
        Assert.That(GradClip.ClipGradNorm([a, b], 6, normType: 1), Is.EqualTo(12).Within(1e-12));
        double c1 = 6 / (12 + 1e-6);
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3 * c1, -4 * c1 }).Within(1e-12));

        // p = 3: ‖[1, 2]‖₃ = 9^(1/3), ‖[2]‖₃ = 2, total = (9 + 8)^(1/3).
        var x = WithGrad([0, 0], [1, 2]);
        var y = WithGrad([0], [-2]);
        double total = GradClip.ClipGradNorm([x, y], 1, normType: 3);
        double c3 = 1 / (Math.Cbrt(17) + 1e-6);
        Assert.That(total, Is.EqualTo(Math.Cbrt(17)).Within(1e-12));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { c3, 2 * c3 }).Within(1e-12));
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(new[] { -2 * c3 }).Within(1e-12));
    }

    [Test]
    public void ClipGradNormKeepsFloat32GradientsFloat32()
    {
        var p = new Parameter(Tensor.From(new float[] { 0, 0 })) { Grad = Tensor.From(new float[] { 3, 4 }) };
        Assert.That(GradClip.ClipGradNorm([p], 1), Is.EqualTo(5).Within(1e-6));
        Assert.That(p.Grad!.DType, Is.EqualTo(DType.Float32));
        Assert.That(p.Grad.ToArray<double>(), Is.EqualTo(new[] { 0.6, 0.8 }).Within(1e-6));
    }

    [Test]
    public void ClipGradNormWithoutGradientsReturnsZero()
    {
        var p = new Parameter(Tensor.From(new double[] { 1 }));
        Assert.That(GradClip.ClipGradNorm([p], 1), Is.Zero);
    }

    [Test]
    public void ANonFiniteTotalNormThrowsOnRequestOrScalesByItAsPyTorch()
    {
        var p = WithGrad([0, 0], [double.PositiveInfinity, 1]);
        var e = Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm([p], 1, errorIfNonfinite: true));
        Assert.That(e!.Message, Does.Contain("Infinity"));
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new[] { double.PositiveInfinity, 1 }), "nothing changed");

        // Without the check: coefficient 1 / (∞ + 1e-6) = 0, so ∞·0 = NaN and 1·0 = 0.
        Assert.That(GradClip.ClipGradNorm([p], 1), Is.EqualTo(double.PositiveInfinity));
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new[] { double.NaN, 0 }));
    }

    [Test]
    public void InvalidClipArgumentsThrow()
    {
        var p = WithGrad([0], [1]);
        Assert.That(Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([p], -1))!.Message, Does.Contain("max norm -1"));
        Assert.That(Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([p], 1, 0))!.Message, Does.Contain("norm type 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([p], 1, double.NaN))!.Message, Does.Contain("norm type NaN"));
        Assert.That(Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue([p], -0.5))!.Message, Does.Contain("-0.5"));
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1 }));
    }

    [Test]
    public void ClipGradValueClampsEachElement()
    {
        var p = WithGrad([0, 0, 0], [3, -0.5, -7]);
        GradClip.ClipGradValue([p], 2);
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2, -0.5, -2 }));
    }
}
