using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// The losses added for issue 14 (PyTorch's regression and margin losses), each against PyTorch 1.13's formula
/// written out here in float64, for every reduction, by GradCheck, at the points where its pieces meet, and on bad input.
/// </summary>
public class MoreLossTests
{
    private const double Tol = 1e-12;

    // x − t = [−0.5, −0.2, 2.5, −0.75, 0.5, −0.75]: inside and outside a threshold of 0.6, none at a kink.
    private static readonly double[] X = [0.5, -1.2, 2.0, 0.0, 3.5, -0.25];
    private static readonly double[] Y = [1.0, -1.0, -0.5, 0.75, 3.0, 0.5];

    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape);

    private static Tensor Grad(double[] values, params int[] shape) => Tensor.From(values, shape).RequireGrad();

    private static void AssertReduced(Tensor actual, double[] perElement, int[] noneShape, Reduction reduction)
    {
        switch (reduction)
        {
            case Reduction.None:
                Assert.That(actual.Shape, Is.EqualTo(noneShape));
                Assert.That(actual.ToArray<double>(), Is.EqualTo(perElement).Within(Tol));
                break;
            case Reduction.Sum:
                Assert.That(actual.Shape, Is.Empty);
                Assert.That(actual.Item(), Is.EqualTo(perElement.Sum()).Within(Tol));
                break;
            default:
                Assert.That(actual.Shape, Is.Empty);
                Assert.That(actual.Item(), Is.EqualTo(perElement.Average()).Within(Tol));
                break;
        }
    }

    // ---- Huber and smooth L1 ------------------------------------------------------------------------------------

    // PyTorch's huber_loss: z = |x − t|; z < δ ? 0.5·z·z : δ·(z − 0.5·δ).
    private static double Huber(double x, double t, double delta)
    {
        double z = Math.Abs(x - t);
        return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    }

    // PyTorch's smooth_l1_loss: z = |x − t|; z < β ? 0.5·z·z/β : z − 0.5·β.
    private static double SmoothL1(double x, double t, double beta)
    {
        double z = Math.Abs(x - t);
        return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
    }

    [Test]
    public void HuberLoss_IsQuadraticInsideDeltaAndLinearOutside([Values] Reduction reduction, [Values(1.0, 0.6)] double delta)
    {
        var expected = X.Select((x, i) => Huber(x, Y[i], delta)).ToArray();
        AssertReduced(Losses.HuberLoss(D(X, 2, 3), D(Y, 2, 3), reduction, delta), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.HuberLoss(a[0], a[1], reduction, delta), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void HuberLoss_ByHand_AndItsGradientIsTheDifferenceClippedToDelta()
    {
        // δ = 1: d = 2.5 gives 1·(2.5 − 0.5) = 2; d = −0.5 gives 0.125; d = 1 (the boundary) gives 0.5.
        var x = Grad([3.0, 0.5, 2.0], 3);
        var loss = Losses.HuberLoss(x, D([0.5, 1.0, 1.0], 3), Reduction.None);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 2.0, 0.125, 0.5 }).Within(Tol));
        loss.Sum().Backward();
        // PyTorch's huber_loss_backward: δ beyond δ, d inside, and d = δ at the boundary.
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, -0.5, 1.0 }).Within(Tol));

        var x2 = Grad([3.0, 0.5, 2.0, -4.0], 4);
        Losses.HuberLoss(x2, D([0.5, 1.0, 0.0, 0.0], 4), Reduction.Mean, delta: 2.0).Backward();
        Assert.That(x2.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0 / 4, -0.5 / 4, 2.0 / 4, -2.0 / 4 }).Within(Tol));
    }

    [Test]
    public void SmoothL1Loss_IsQuadraticOverBetaInsideBetaAndL1MinusHalfBetaOutside([Values] Reduction reduction, [Values(1.0, 0.6)] double beta)
    {
        var expected = X.Select((x, i) => SmoothL1(x, Y[i], beta)).ToArray();
        AssertReduced(Losses.SmoothL1Loss(D(X, 2, 3), D(Y, 2, 3), reduction, beta), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.SmoothL1Loss(a[0], a[1], reduction, beta), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void SmoothL1Loss_ByHand_AndHuberIsDeltaTimesSmoothL1()
    {
        // β = 0.5: d = 2.5 gives 2.5 − 0.25 = 2.25; d = −0.2 gives 0.5·0.04/0.5 = 0.04; d = 0.5 (the boundary) gives 0.25.
        var x = Grad([3.0, 0.8, 1.5], 3);
        var loss = Losses.SmoothL1Loss(x, D([0.5, 1.0, 1.0], 3), Reduction.None, beta: 0.5);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 2.25, 0.04, 0.25 }).Within(Tol));
        loss.Sum().Backward();
        // PyTorch's smooth_l1_loss_backward: sign(d) beyond β, d/β inside, 1 at the boundary.
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, -0.4, 1.0 }).Within(Tol));

        var huber = Losses.HuberLoss(D(X, 6), D(Y, 6), Reduction.None, delta: 0.6).ToArray<double>();
        var smooth = Losses.SmoothL1Loss(D(X, 6), D(Y, 6), Reduction.None, beta: 0.6).ToArray<double>();
        Assert.That(huber, Is.EqualTo(smooth.Select(v => 0.6 * v).ToArray()).Within(Tol));
    }

    [Test]
    public void SmoothL1Loss_WithBetaZero_IsL1Loss([Values] Reduction reduction)
    {
        var l1 = Losses.L1Loss(D(X, 2, 3), D(Y, 2, 3), reduction).ToArray<double>();
        Assert.That(Losses.SmoothL1Loss(D(X, 2, 3), D(Y, 2, 3), reduction, beta: 0.0).ToArray<double>(), Is.EqualTo(l1));
        Assert.That(GradCheck.Check(a => Losses.SmoothL1Loss(a[0], a[1], reduction, 0.0), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void HuberAndSmoothL1_RejectBadThresholdsShapesAndDtypes()
    {
        foreach (double delta in new[] { 0.0, -1.0, double.NaN })
            Assert.That(() => Losses.HuberLoss(D(X, 6), D(Y, 6), delta: delta),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("HuberLoss: delta must be > 0").And.Message.Contains($"got {delta}"));
        foreach (double beta in new[] { -0.5, double.NaN })
            Assert.That(() => Losses.SmoothL1Loss(D(X, 6), D(Y, 6), beta: beta),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("SmoothL1Loss: beta must be >= 0").And.Message.Contains($"got {beta}"));
        Assert.That(() => Losses.HuberLoss(D(X, 6), D(Y, 2, 3)),
            Throws.ArgumentException.With.Message.StartsWith("HuberLoss: target of shape [2, 3] does not match input of shape [6]."));
        Assert.That(() => Losses.SmoothL1Loss(D(X, 6), Tensor.From(new long[] { 1, 2, 3, 4, 5, 6 }, 6)),
            Throws.ArgumentException.With.Message.StartsWith("SmoothL1Loss: target must be float32 or float64, got int64 of shape [6]."));
        Assert.That(() => Losses.HuberLoss(D(X, 6), D(Y, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    // ---- Soft margin ------------------------------------------------------------------------------------------

    [Test]
    public void SoftMarginLoss_IsLogOfOnePlusExpOfMinusYX([Values] Reduction reduction)
    {
        // Targets need not be ±1 (PyTorch does not check them).
        double[] y = [1.0, -1.0, 1.0, -1.0, 0.5, -2.0];
        var expected = X.Select((x, i) => Math.Log(1 + Math.Exp(-y[i] * x))).ToArray();
        AssertReduced(Losses.SoftMarginLoss(D(X, 2, 3), D(y, 2, 3), reduction), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.SoftMarginLoss(a[0], a[1], reduction), [Grad(X, 2, 3), Grad(y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void SoftMarginLoss_IsStableAtLargeMargins()
    {
        // −y·x = 800: log(1 + e⁸⁰⁰) = 800 (no overflow); −y·x = −40: e⁻⁴⁰ (not rounded to 0).
        var x = Grad([-800.0, 40.0], 2);
        var loss = Losses.SoftMarginLoss(x, D([1.0, 1.0], 2), Reduction.None);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 800.0, Math.Exp(-40) }).Within(1e-12).Percent);
        loss.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { -1.0, -Math.Exp(-40) }).Within(1e-12).Percent);
    }

    // ---- KL divergence ------------------------------------------------------------------------------------------

    // Log-probabilities of two rows of three, and target probabilities with a zero.
    private static readonly double[] LogP = [Math.Log(0.2), Math.Log(0.5), Math.Log(0.3), Math.Log(0.6), Math.Log(0.1), Math.Log(0.3)];
    private static readonly double[] Q = [0.25, 0.25, 0.5, 0.0, 0.9, 0.1];

    [Test]
    public void KlDivLoss_IsTargetTimesLogTargetMinusInput([Values] Reduction reduction)
    {
        // PyTorch 1.13: xlogy(t, t) − t·x, 0 where t = 0; 'mean' averages over all six elements.
        var expected = LogP.Select((x, i) => Q[i] == 0 ? 0.0 : Q[i] * (Math.Log(Q[i]) - x)).ToArray();
        AssertReduced(Losses.KlDivLoss(D(LogP, 2, 3), D(Q, 2, 3), reduction), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.KlDivLoss(a[0], D(Q, 2, 3), reduction), [Grad(LogP, 2, 3)]), Gradients.Match);
        double[] inside = [0.25, 0.25, 0.5, 0.05, 0.85, 0.1];
        Assert.That(GradCheck.Check(a => Losses.KlDivLoss(a[0], a[1], reduction), [Grad(LogP, 2, 3), Grad(inside, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void KlDivLoss_WithLogTarget_IsExpTargetTimesTargetMinusInput([Values] Reduction reduction)
    {
        var logQ = Q.Select(q => Math.Log(q)).ToArray();
        var expected = LogP.Select((x, i) => Math.Exp(logQ[i]) * (logQ[i] - x)).ToArray();
        // log 0 = −∞ gives e^−∞·(−∞ − x) = 0·(−∞) = NaN in PyTorch too: check the finite rows' elements.
        var finite = new[] { 0, 1, 2, 4, 5 };
        var none = Losses.KlDivLoss(D(LogP, 2, 3), D(logQ, 2, 3), Reduction.None, logTarget: true).ToArray<double>();
        Assert.That(finite.Select(i => none[i]).ToArray(), Is.EqualTo(finite.Select(i => expected[i]).ToArray()).Within(Tol));

        var logInside = new[] { 0.25, 0.25, 0.5, 0.05, 0.85, 0.1 }.Select(q => Math.Log(q)).ToArray();
        var expectedInside = LogP.Select((x, i) => Math.Exp(logInside[i]) * (logInside[i] - x)).ToArray();
        AssertReduced(Losses.KlDivLoss(D(LogP, 2, 3), D(logInside, 2, 3), reduction, logTarget: true), expectedInside, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.KlDivLoss(a[0], a[1], reduction, true), [Grad(LogP, 2, 3), Grad(logInside, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void KlDivLoss_ByHand_BatchMeanIsSumOverN_AndAZeroTargetHasFiniteGradients()
    {
        // KL(q ‖ p) per row: row 0 = 0.25·ln(0.25/0.2) + 0.25·ln(0.25/0.5) + 0.5·ln(0.5/0.3); row 1 = 0.9·ln 9 + 0.1·ln(1/3).
        double row0 = 0.25 * Math.Log(1.25) + 0.25 * Math.Log(0.5) + 0.5 * Math.Log(5.0 / 3);
        double row1 = 0.9 * Math.Log(9) + 0.1 * Math.Log(1.0 / 3);
        var sum = Losses.KlDivLoss(D(LogP, 2, 3), D(Q, 2, 3), Reduction.Sum);
        Assert.That((sum / 2).Item(), Is.EqualTo((row0 + row1) / 2).Within(Tol));
        Assert.That(Losses.KlDivLoss(D(LogP, 2, 3), D(Q, 2, 3)).Item(), Is.EqualTo((row0 + row1) / 6).Within(Tol));

        var x = Grad(LogP, 2, 3);
        var t = Grad(Q, 2, 3);
        Losses.KlDivLoss(x, t, Reduction.Sum).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(Q.Select(q => -q).ToArray()).Within(Tol));
        // ∂/∂t = log t + 1 − x where t > 0, and −x at t = 0 (xlogy contributing 0).
        var expectedT = Q.Select((q, i) => q == 0 ? -LogP[i] : Math.Log(q) + 1 - LogP[i]).ToArray();
        Assert.That(t.Grad!.ToArray<double>(), Is.EqualTo(expectedT).Within(Tol));
    }

    [Test]
    public void SoftMarginAndKlDiv_RejectMismatchedShapesAndInt64()
    {
        Assert.That(() => Losses.SoftMarginLoss(D(X, 6), D(Y, 2, 3)),
            Throws.ArgumentException.With.Message.StartsWith("SoftMarginLoss: target of shape [2, 3] does not match input of shape [6]."));
        Assert.That(() => Losses.KlDivLoss(D(X, 6), D(Y, 3, 2), logTarget: true),
            Throws.ArgumentException.With.Message.StartsWith("KlDivLoss: target of shape [3, 2] does not match input of shape [6]."));
        Assert.That(() => Losses.KlDivLoss(Tensor.From(new long[] { 1, 2 }, 2), D([0.5, 0.5], 2)),
            Throws.ArgumentException.With.Message.StartsWith("KlDivLoss: input must be float32 or float64, got int64 of shape [2]."));
        Assert.That(() => Losses.KlDivLoss(D(X, 6), D(Y, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    // ---- Margin ranking and hinge embedding -------------------------------------------------------------------

    private static readonly double[] Signs = [1.0, -1.0, -1.0, 1.0, 1.0, -1.0];

    [Test]
    public void MarginRankingLoss_IsMaxOfZeroAndMinusYTimesTheGapPlusMargin([Values] Reduction reduction, [Values(0.0, 0.3)] double margin)
    {
        // x1 − x2 = X − Y (none makes −y·d + margin exactly 0).
        var expected = X.Select((x, i) => Math.Max(0, -Signs[i] * (x - Y[i]) + margin)).ToArray();
        AssertReduced(Losses.MarginRankingLoss(D(X, 2, 3), D(Y, 2, 3), D(Signs, 2, 3), reduction, margin), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.MarginRankingLoss(a[0], a[1], D(Signs, 2, 3), reduction, margin), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void MarginRankingLoss_ByHand_WithPyTorchsGradientAtTheKink()
    {
        // y = 1, x1 − x2 = 0.5, margin 1: 0.5. y = −1, x1 − x2 = 2: 3. y = 1, x1 − x2 = 1 (the kink): 0, gradient −1 (clamp_min).
        var x1 = Grad([1.0, 2.0, 1.5], 3);
        var loss = Losses.MarginRankingLoss(x1, D([0.5, 0.0, 0.5], 3), D([1.0, -1.0, 1.0], 3), Reduction.None, margin: 1.0);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 0.5, 3.0, 0.0 }).Within(Tol));
        loss.Sum().Backward();
        Assert.That(x1.Grad!.ToArray<double>(), Is.EqualTo(new[] { -1.0, 1.0, -1.0 }));
    }

    [Test]
    public void HingeEmbeddingLoss_IsXForSimilarAndMaxOfZeroAndMarginMinusXForDissimilar([Values] Reduction reduction, [Values(1.0, 2.0)] double margin)
    {
        double[] x = [0.5, 0.2, 2.5, 0.75, 1.5, 3.0];
        var expected = x.Select((v, i) => Signs[i] == 1 ? v : Math.Max(0, margin - v)).ToArray();
        AssertReduced(Losses.HingeEmbeddingLoss(D(x, 2, 3), D(Signs, 2, 3), reduction, margin), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.HingeEmbeddingLoss(a[0], D(Signs, 2, 3), reduction, margin), [Grad(x, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void HingeEmbeddingLoss_ByHand_AtTheKinkAndForATargetThatIsNeither()
    {
        // margin 1: y = −1, x = 1 (the kink) gives 0 with gradient −1 as PyTorch's clamp_min; y = 0 adds both terms:
        // 0.25 + max(0, 1 − 0.25) = 1, gradient 1 − 1 = 0.
        var x = Grad([1.0, 0.25, 0.4], 3);
        var loss = Losses.HingeEmbeddingLoss(x, D([-1.0, 0.0, 1.0], 3), Reduction.None);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 0.0, 1.0, 0.4 }).Within(Tol));
        loss.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { -1.0, 0.0, 1.0 }));
    }

    [Test]
    public void MarginRankingAndHingeEmbedding_RejectMismatchedShapesAndInt64()
    {
        Assert.That(() => Losses.MarginRankingLoss(D(X, 6), D(Y, 2, 3), D(Signs, 6)),
            Throws.ArgumentException.With.Message.StartsWith("MarginRankingLoss: input2 of shape [2, 3] does not match input1 of shape [6]."));
        Assert.That(() => Losses.MarginRankingLoss(D(X, 6), D(Y, 6), D(Signs, 3, 2)),
            Throws.ArgumentException.With.Message.StartsWith("MarginRankingLoss: target of shape [3, 2] does not match input1 of shape [6]."));
        Assert.That(() => Losses.HingeEmbeddingLoss(D(X, 6), Tensor.From(new long[] { 1, -1, 1, -1, 1, -1 }, 6)),
            Throws.ArgumentException.With.Message.StartsWith("HingeEmbeddingLoss: target must be float32 or float64, got int64 of shape [6]."));
        Assert.That(() => Losses.HingeEmbeddingLoss(D(X, 6), D(Y, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    // ---- Poisson negative log-likelihood --------------------------------------------------------------------

    private static readonly double[] Counts = [0.0, 1.0, 2.0, 5.0, 0.5, 3.0];

    // PyTorch's stirling term: t·log t − t + 0.5·log(2π·t) where t > 1, else 0.
    private static double Stirling(double t) => t > 1 ? t * Math.Log(t) - t + 0.5 * Math.Log(2 * Math.PI * t) : 0.0;

    [Test]
    public void PoissonNllLoss_MatchesPyTorchsFormula([Values] Reduction reduction, [Values] bool logInput, [Values] bool full)
    {
        // Log-rates of either sign, rates positive.
        double[] x = logInput ? [0.5, -1.2, 2.0, 0.1, 1.5, 0.25] : [0.5, 1.2, 2.0, 0.1, 1.5, 0.25];
        var expected = x.Select((v, i) =>
            (logInput ? Math.Exp(v) - Counts[i] * v : v - Counts[i] * Math.Log(v + 1e-8)) + (full ? Stirling(Counts[i]) : 0)).ToArray();
        AssertReduced(Losses.PoissonNllLoss(D(x, 2, 3), D(Counts, 2, 3), reduction, logInput, full), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.PoissonNllLoss(a[0], D(Counts, 2, 3), reduction, logInput, full), [Grad(x, 2, 3)]), Gradients.Match);
        // With respect to the target too, away from t = 1, where the Stirling term jumps (from 0 to ½·log 2π − 1).
        double[] counts = [0.0, 0.5, 2.0, 5.0, 0.25, 3.0];
        Assert.That(GradCheck.Check(a => Losses.PoissonNllLoss(a[0], a[1], reduction, logInput, full), [Grad(x, 2, 3), Grad(counts, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void PoissonNllLoss_ByHand()
    {
        // log-rate 0, count 2: e⁰ − 0 = 1; full adds 2·ln 2 − 2 + ½·ln(4π). Rate 2, count 3: 2 − 3·ln(2 + 1e-8).
        var full = Losses.PoissonNllLoss(D([0.0], 1), D([2.0], 1), Reduction.Sum, full: true).Item();
        Assert.That(full, Is.EqualTo(1 + 2 * Math.Log(2) - 2 + 0.5 * Math.Log(4 * Math.PI)).Within(Tol));
        var rate = Losses.PoissonNllLoss(D([2.0], 1), D([3.0], 1), Reduction.Sum, logInput: false).Item();
        Assert.That(rate, Is.EqualTo(2 - 3 * Math.Log(2 + 1e-8)).Within(Tol));
        var x = Grad([0.5, 1.0], 2);
        Losses.PoissonNllLoss(x, D([2.0, 0.0], 2), Reduction.Mean).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { (Math.Exp(0.5) - 2) / 2, Math.E / 2 }).Within(Tol));
    }

    [Test]
    public void PoissonNllLoss_RejectsMismatchedShapesAndInt64()
    {
        Assert.That(() => Losses.PoissonNllLoss(D(X, 6), D(Y, 2, 3)),
            Throws.ArgumentException.With.Message.StartsWith("PoissonNllLoss: target of shape [2, 3] does not match input of shape [6]."));
        Assert.That(() => Losses.PoissonNllLoss(D(X, 6), Tensor.From(new long[] { 1, 2, 3, 4, 5, 6 }, 6)),
            Throws.ArgumentException.With.Message.StartsWith("PoissonNllLoss: target must be float32 or float64, got int64 of shape [6]."));
        Assert.That(() => Losses.PoissonNllLoss(D(X, 6), D(Y, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    // ---- Gaussian negative log-likelihood -------------------------------------------------------------------

    private static readonly double[] Var = [0.5, 2.0, 1.0, 0.1, 3.0, 0.25];

    // PyTorch 1.13: 0.5·(log v + (x − t)²/v) with v = max(var, eps), plus 0.5·log 2π when full.
    private static double Gaussian(double x, double t, double v, bool full, double eps = 1e-6)
    {
        v = Math.Max(v, eps);
        return 0.5 * (Math.Log(v) + (x - t) * (x - t) / v) + (full ? 0.5 * Math.Log(2 * Math.PI) : 0);
    }

    [Test]
    public void GaussianNllLoss_MatchesPyTorchsFormula([Values] Reduction reduction, [Values] bool full)
    {
        var expected = X.Select((x, i) => Gaussian(x, Y[i], Var[i], full)).ToArray();
        AssertReduced(Losses.GaussianNllLoss(D(X, 2, 3), D(Y, 2, 3), D(Var, 2, 3), reduction, full), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.GaussianNllLoss(a[0], a[1], a[2], reduction, full), [Grad(X, 2, 3), Grad(Y, 2, 3), Grad(Var, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void GaussianNllLoss_TakesOneVariancePerSample_InEitherShape([Values] Reduction reduction)
    {
        double[] v = [0.5, 2.0];
        var expected = X.Select((x, i) => Gaussian(x, Y[i], v[i / 3], false)).ToArray();
        AssertReduced(Losses.GaussianNllLoss(D(X, 2, 3), D(Y, 2, 3), D(v, 2), reduction), expected, [2, 3], reduction);
        AssertReduced(Losses.GaussianNllLoss(D(X, 2, 3), D(Y, 2, 3), D(v, 2, 1), reduction), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.GaussianNllLoss(a[0], a[1], a[2], reduction), [Grad(X, 2, 3), Grad(Y, 2, 3), Grad(v, 2)]), Gradients.Match);
    }

    [Test]
    public void GaussianNllLoss_ClampsTheVarianceToEps_WithTheGradientPassedThrough()
    {
        // var 0 is used as eps = 0.01: 0.5·(ln 0.01 + 0.04/0.01); ∂/∂var is the one at 0.01: 0.5·(1/v − d²/v²) = 50 − 200.
        var v = Grad([0.0], 1);
        var loss = Losses.GaussianNllLoss(D([0.2], 1), D([0.0], 1), v, Reduction.Sum, eps: 0.01);
        Assert.That(loss.Item(), Is.EqualTo(0.5 * (Math.Log(0.01) + 4.0)).Within(Tol));
        loss.Backward();
        Assert.That(v.Grad!.Item(), Is.EqualTo(0.5 * (1 / 0.01 - 0.04 / 1e-4)).Within(1e-9));
    }

    [Test]
    public void GaussianNllLoss_RejectsBadVarianceShapesAndNegativeVariances()
    {
        Assert.That(() => Losses.GaussianNllLoss(D(X, 2, 3), D(Y, 2, 3), D([1.0, 1.0, 1.0], 3)),
            Throws.ArgumentException.With.Message.StartsWith("GaussianNllLoss: var of shape [3] does not fit input of shape [2, 3]"));
        Assert.That(() => Losses.GaussianNllLoss(D(X, 2, 3), D(Y, 2, 3), D([1.0, -0.5, 1.0, 1.0, 1.0, 1.0], 2, 3)),
            Throws.ArgumentException.With.Message.StartsWith("GaussianNllLoss: var has a negative entry, -0.5 at position 1 (var of shape [2, 3])."));
        Assert.That(() => Losses.GaussianNllLoss(D(X, 6), D(Y, 3, 2), D(Var, 6)),
            Throws.ArgumentException.With.Message.StartsWith("GaussianNllLoss: target of shape [3, 2] does not match input of shape [6]."));
        Assert.That(() => Losses.GaussianNllLoss(D(X, 6), D(Y, 6), Tensor.From(new long[] { 1, 1, 1, 1, 1, 1 }, 6)),
            Throws.ArgumentException.With.Message.StartsWith("GaussianNllLoss: var must be float32 or float64, got int64 of shape [6]."));
        Assert.That(() => Losses.GaussianNllLoss(D(X, 6), D(Y, 6), D(Var, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
