using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// Every loss against a closed form written out here in float64, for each reduction, and by GradCheck; the three
/// margin losses of seed 000 §1.2.1 (eq. 1.8, 1.9, 1.14) where they vanish and where they are positive; input
/// validation; and short training runs that must reach a stated loss.
/// </summary>
public class LossTests
{
    private const double Tol = 1e-12;

    // Logits [3, 4] and targets [2, 0, 3].
    private static readonly double[] Z = [0.5, -1.0, 2.0, 0.3, 1.5, 0.2, -0.7, 0.0, -2.0, 1.0, 0.4, 3.0];
    private static readonly long[] T = [2, 0, 3];

    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape);

    private static Tensor Grad(double[] values, params int[] shape) => Tensor.From(values, shape).RequireGrad();

    // Checks a loss's value: per-element values for None (with the given shape), their mean or sum otherwise, as a 0-d tensor.
    private static void AssertReduced(Tensor actual, double[] perElement, int[] noneShape, Reduction reduction, double tol = Tol)
    {
        switch (reduction)
        {
            case Reduction.None:
                Assert.That(actual.Shape, Is.EqualTo(noneShape));
                Assert.That(actual.ToArray<double>(), Is.EqualTo(perElement).Within(tol));
                break;
            case Reduction.Sum:
                Assert.That(actual.Shape, Is.Empty);
                Assert.That(actual.Item(), Is.EqualTo(perElement.Sum()).Within(tol));
                break;
            default:
                Assert.That(actual.Shape, Is.Empty);
                Assert.That(actual.Item(), Is.EqualTo(perElement.Average()).Within(tol));
                break;
        }
    }

    private static double LogSumExpRow(double[] z, int row, int classes)
    {
        double m = Enumerable.Range(0, classes).Max(c => z[row * classes + c]);
        return m + Math.Log(Enumerable.Range(0, classes).Sum(c => Math.Exp(z[row * classes + c] - m)));
    }

    // ---- MSE and L1 ---------------------------------------------------------------------------------------------

    private static readonly double[] X = [0.5, -1.2, 2.0, 0.0, 3.5, -0.25];
    private static readonly double[] Y = [1.0, -1.0, -0.5, 0.75, 3.0, 0.5];

    [Test]
    public void MseLoss_IsTheSquaredDifference([Values] Reduction reduction)
    {
        var expected = X.Select((x, i) => (x - Y[i]) * (x - Y[i])).ToArray();
        AssertReduced(Losses.MseLoss(D(X, 2, 3), D(Y, 2, 3), reduction), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.MseLoss(a[0], a[1], reduction), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void MseLoss_GradientIsTwoTimesTheDifferenceOverN()
    {
        var x = Grad(X, 2, 3);
        Losses.MseLoss(x, D(Y, 2, 3)).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(X.Select((v, i) => 2 * (v - Y[i]) / 6).ToArray()).Within(Tol));
    }

    [Test]
    public void L1Loss_IsTheAbsoluteDifference([Values] Reduction reduction)
    {
        var expected = X.Select((x, i) => Math.Abs(x - Y[i])).ToArray();
        AssertReduced(Losses.L1Loss(D(X, 2, 3), D(Y, 2, 3), reduction), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.L1Loss(a[0], a[1], reduction), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);

        var x = Grad(X, 2, 3);
        Losses.L1Loss(x, D(Y, 2, 3), Reduction.Sum).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(X.Select((v, i) => (double)Math.Sign(v - Y[i])).ToArray()));
    }

    [Test]
    public void MseAndL1_RejectMismatchedShapesAndIntegerTargets()
    {
        Assert.That(() => Losses.MseLoss(D(X, 2, 3), D(Y, 6)),
            Throws.ArgumentException.With.Message.Contains("MseLoss").And.Message.Contains("[6]").And.Message.Contains("[2, 3]"));
        Assert.That(() => Losses.L1Loss(D(X, 6), Tensor.From(new long[] { 1, 2, 3, 4, 5, 6 })),
            Throws.ArgumentException.With.Message.Contains("L1Loss").And.Message.Contains("int64"));
        Assert.That(() => Losses.MseLoss(D(X, 6), D(Y, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    // ---- Cross-entropy and NLL ----------------------------------------------------------------------------------

    [Test]
    public void CrossEntropy_WithClassIndicesIsMinusLogSoftmaxAtTheTarget([Values] Reduction reduction)
    {
        // ℓ[n] = −log softmax(z[n])[t[n]] = −z[n, t[n]] + log Σ_c exp z[n, c]
        var expected = Enumerable.Range(0, 3).Select(n => -Z[n * 4 + T[n]] + LogSumExpRow(Z, n, 4)).ToArray();
        var loss = Losses.CrossEntropy(D(Z, 3, 4), Tensor.From(T), reduction);
        AssertReduced(loss, expected, [3], reduction);

        var target = Tensor.From(T);
        Assert.That(GradCheck.Check(a => Losses.CrossEntropy(a[0], target, reduction), [Grad(Z, 3, 4)]), Gradients.Match);
    }

    [Test]
    public void CrossEntropy_GradientIsSoftmaxMinusOneHotOverN()
    {
        var z = Grad(Z, 3, 4);
        Losses.CrossEntropy(z, Tensor.From(T)).Backward();
        var expected = new double[12];
        for (int n = 0; n < 3; n++)
        {
            double lse = LogSumExpRow(Z, n, 4);
            for (int c = 0; c < 4; c++) expected[n * 4 + c] = (Math.Exp(Z[n * 4 + c] - lse) - (c == T[n] ? 1 : 0)) / 3;
        }
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
    }

    [Test]
    public void CrossEntropy_WithProbabilitiesIsTheExpectedNegativeLogSoftmax([Values] Reduction reduction)
    {
        double[] p = [0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0, 0.25, 0.25, 0.5, 0];
        // ℓ[n] = −Σ_c p[n, c]·(z[n, c] − log Σ exp z[n, ·]); the mean is over the N = 3 samples.
        var expected = Enumerable.Range(0, 3)
            .Select(n => -Enumerable.Range(0, 4).Sum(c => p[n * 4 + c] * (Z[n * 4 + c] - LogSumExpRow(Z, n, 4)))).ToArray();
        AssertReduced(Losses.CrossEntropy(D(Z, 3, 4), D(p, 3, 4), reduction), expected, [3], reduction);
        Assert.That(GradCheck.Check(a => Losses.CrossEntropy(a[0], a[1], reduction), [Grad(Z, 3, 4), Grad(p, 3, 4)]), Gradients.Match);
    }

    [Test]
    public void CrossEntropy_OneHotProbabilitiesGiveTheIndexForm()
    {
        var oneHot = new double[12];
        for (int n = 0; n < 3; n++) oneHot[n * 4 + T[n]] = 1;
        var withIndices = Losses.CrossEntropy(D(Z, 3, 4), Tensor.From(T)).Item();
        Assert.That(Losses.CrossEntropy(D(Z, 3, 4), D(oneHot, 3, 4)).Item(), Is.EqualTo(withIndices).Within(Tol));
    }

    [Test]
    public void CrossEntropy_UnbatchedAndSpatialInputs()
    {
        // [C] logits with a 0-d target.
        double[] z = [1, 2, 0.5];
        var single = Losses.CrossEntropy(D(z, 3), Tensor.Scalar(1, DType.Int64), Reduction.None);
        Assert.That(single.Shape, Is.Empty);
        Assert.That(single.Item(), Is.EqualTo(-2 + Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(0.5))).Within(Tol));

        // [N = 2, C = 3, d = 2] logits with [2, 2] targets: the class axis is 1.
        double[] zs = [0.1, 0.2, 1.0, -1.0, 0.3, 0.4, 2.0, 0.0, -0.5, 0.6, 0.7, 0.8];
        long[] ts = [2, 0, 1, 2];
        var expected = new double[4];
        for (int n = 0; n < 2; n++)
            for (int d = 0; d < 2; d++)
            {
                double lse = Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(zs[(n * 3 + c) * 2 + d])));
                expected[n * 2 + d] = -zs[(n * 3 + (int)ts[n * 2 + d]) * 2 + d] + lse;
            }
        AssertReduced(Losses.CrossEntropy(D(zs, 2, 3, 2), Tensor.From(ts, 2, 2), Reduction.None), expected, [2, 2], Reduction.None);
        AssertReduced(Losses.CrossEntropy(D(zs, 2, 3, 2), Tensor.From(ts, 2, 2)), expected, [], Reduction.Mean);
    }

    public static IEnumerable<TestCaseData> IndexTargetShapes()
    {
        foreach (var reduction in Enum.GetValues<Reduction>())
        {
            yield return new TestCaseData(new[] { 5 }, Array.Empty<int>(), reduction).SetName($"CrossEntropy_WithIndicesIsOneFusedNode([5], {reduction})");
            yield return new TestCaseData(new[] { 6, 10 }, new[] { 6 }, reduction).SetName($"CrossEntropy_WithIndicesIsOneFusedNode([6, 10], {reduction})");
            yield return new TestCaseData(new[] { 2, 3, 4, 2 }, new[] { 2, 4, 2 }, reduction).SetName($"CrossEntropy_WithIndicesIsOneFusedNode([2, 3, 4, 2], {reduction})");
        }
    }

    [TestCaseSource(nameof(IndexTargetShapes))]
    public void CrossEntropy_WithIndicesIsOneFusedNode(int[] logitsShape, int[] targetShape, Reduction reduction)
    {
        int classAxis = logitsShape.Length == 1 ? 0 : 1;
        int samples = targetShape.Aggregate(1, (p, d) => p * d);
        var z = (Tensor.Normal(logitsShape, new Generator(17), dtype: DType.Float64) * 3.0).Detach().RequireGrad();
        var t = Tensor.From(Enumerable.Range(0, samples).Select(i => (long)(i * 5 % logitsShape[classAxis])).ToArray()).Reshape(targetShape);

        var loss = Losses.CrossEntropy(z, t, reduction);
        var perSample = reduction == Reduction.None ? loss : Losses.CrossEntropy(z, t, Reduction.None);
        Assert.That(perSample.GradFnName, Is.EqualTo("cross_entropy"), "one primitive, not log_softmax + gather");
        // The composite it replaced: −log_softmax picked at the target.
        var composite = -z.LogSoftmax(classAxis).Gather(classAxis, t.Unsqueeze(classAxis)).Squeeze(classAxis);
        var reduced = reduction switch { Reduction.Mean => composite.Mean(), Reduction.Sum => composite.Sum(), _ => composite };
        Assert.That(loss.Shape, Is.EqualTo(reduced.Shape));
        Assert.That(loss.ToArray<double>(), Is.EqualTo(reduced.ToArray<double>()).Within(Tol));
        var seed = Tensor.Normal(loss.Shape, new Generator(18), dtype: DType.Float64);
        Assert.That(Autodiff.Grad(loss, z, seed).ToArray<double>(), Is.EqualTo(Autodiff.Grad(reduced, z, seed).ToArray<double>()).Within(Tol));
    }

    [Test]
    public void CrossEntropy_IsStableForHugeLogitsAndWorksInFloat32()
    {
        var loss = Losses.CrossEntropy(D([1000, 0, -1000], 1, 3), Tensor.From(new long[] { 1 }));
        Assert.That(loss.Item(), Is.EqualTo(1000).Within(1e-9));
        var correct = Losses.CrossEntropy(D([1000, 0, -1000], 1, 3), Tensor.From(new long[] { 0 }));
        Assert.That(correct.Item(), Is.EqualTo(0));

        var f32 = Losses.CrossEntropy(Tensor.From(new float[] { 0.5f, -1, 2, 0.3f }, 1, 4), Tensor.From(new long[] { 2 }));
        Assert.That(f32.DType, Is.EqualTo(DType.Float32));
        Assert.That(f32.Item(), Is.EqualTo(-Z[2] + LogSumExpRow(Z, 0, 4)).Within(1e-6));
    }

    [Test]
    public void NllLoss_IsMinusTheLogProbabilityAtTheTarget([Values] Reduction reduction)
    {
        double[] logp = Z.Select(v => v - 3).ToArray(); // any values: NLL only picks
        var expected = Enumerable.Range(0, 3).Select(n => -logp[n * 4 + T[n]]).ToArray();
        var target = Tensor.From(T);
        AssertReduced(Losses.NllLoss(D(logp, 3, 4), target, reduction), expected, [3], reduction);
        Assert.That(GradCheck.Check(a => Losses.NllLoss(a[0], target, reduction), [Grad(logp, 3, 4)]), Gradients.Match);

        var viaLogSoftmax = Losses.NllLoss(D(Z, 3, 4).LogSoftmax(1), target, reduction).ToArray<double>();
        Assert.That(viaLogSoftmax, Is.EqualTo(Losses.CrossEntropy(D(Z, 3, 4), target, reduction).ToArray<double>()).Within(Tol));
    }

    [Test]
    public void CrossEntropyAndNll_RejectBadTargetsNamingTheLossAndTheValues()
    {
        var z = D(Z, 3, 4);
        Assert.That(() => Losses.CrossEntropy(z, Tensor.From(new long[] { 2, 4, 0 })),
            Throws.ArgumentException.With.Message.Contains("CrossEntropy").And.Message.Contains("class index 4").And.Message.Contains("[3, 4]"));
        Assert.That(() => Losses.CrossEntropy(z, Tensor.From(new long[] { 2, 0, -1 })),
            Throws.ArgumentException.With.Message.Contains("class index -1"));
        Assert.That(() => Losses.CrossEntropy(z, Tensor.From(new long[] { 2, 0 })),
            Throws.ArgumentException.With.Message.Contains("CrossEntropy").And.Message.Contains("[2]").And.Message.Contains("[3, 4]"));
        // Float class indices: PyTorch reads a float target as probabilities; with an index-shaped one, say what is wrong.
        Assert.That(() => Losses.CrossEntropy(z, D([2, 0, 3], 3)),
            Throws.ArgumentException.With.Message.Contains("int64").And.Message.Contains("[3]"));
        Assert.That(() => Losses.CrossEntropy(z, D(new double[8], 2, 4)),
            Throws.ArgumentException.With.Message.Contains("[2, 4]"));
        Assert.That(() => Losses.NllLoss(z, D([2, 0, 3], 3)),
            Throws.ArgumentException.With.Message.Contains("NllLoss").And.Message.Contains("int64").And.Message.Contains("float64"));
        Assert.That(() => Losses.NllLoss(z, Tensor.From(new long[] { 0, 0, 9 })),
            Throws.ArgumentException.With.Message.Contains("NllLoss").And.Message.Contains("class index 9"));
        Assert.That(() => Losses.CrossEntropy(Tensor.Scalar(1.0, DType.Float64), Tensor.Scalar(0, DType.Int64)),
            Throws.ArgumentException.With.Message.Contains("0-d"));
        Assert.That(() => Losses.CrossEntropy(Tensor.From(new long[] { 1, 2 }), Tensor.Scalar(0, DType.Int64)),
            Throws.ArgumentException.With.Message.Contains("logits").And.Message.Contains("int64"));
    }

    // ---- Binary cross-entropy with logits -----------------------------------------------------------------------

    [Test]
    public void BinaryCrossEntropyWithLogits_IsTheBernoulliNegativeLogLikelihood([Values] Reduction reduction)
    {
        double[] x = [-2.0, -0.5, 0.0, 0.7, 3.0, 1.5];
        double[] t = [0.0, 1.0, 1.0, 0.0, 1.0, 0.3];
        // ℓ = −t·log σ(x) − (1 − t)·log(1 − σ(x)), written naively (fine for moderate x).
        var expected = x.Select((v, i) =>
        {
            double s = 1 / (1 + Math.Exp(-v));
            return -t[i] * Math.Log(s) - (1 - t[i]) * Math.Log(1 - s);
        }).ToArray();
        AssertReduced(Losses.BinaryCrossEntropyWithLogits(D(x, 2, 3), D(t, 2, 3), reduction), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.BinaryCrossEntropyWithLogits(a[0], a[1], reduction), [Grad(x, 2, 3), Grad(t, 2, 3)]),
            Gradients.Match);
    }

    [Test]
    public void BinaryCrossEntropyWithLogits_IsStableAndItsGradientIsSigmoidMinusTarget()
    {
        double[] x = [800, -800, 800, 0, 0, 40];
        double[] t = [0, 1, 1, 0, 1, 1];
        var xt = Grad(x, 6);
        var loss = Losses.BinaryCrossEntropyWithLogits(xt, D(t, 6), Reduction.None);
        // max(x, 0) − x·t + log(1 + e^−|x|): 800, 800, 0 (e^−800 underflows), log 2, log 2, e^−40 (not rounded to 0).
        var values = loss.ToArray<double>();
        Assert.That(values[..5], Is.EqualTo(new[] { 800, 800, 0, Math.Log(2), Math.Log(2) }).Within(Tol));
        Assert.That(values[5], Is.EqualTo(Math.Exp(-40)).Within(1e-9).Percent);

        loss.Sum().Backward();
        // ∂ℓ/∂x = σ(x) − t, also at x = 0, where max(x, 0) and |x| have kinks that cancel.
        Assert.That(xt.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1, -1, 0, 0.5, -0.5, -1 / (1 + Math.Exp(40)) }).Within(Tol));
    }

    [Test]
    public void BinaryCrossEntropyWithLogits_RejectsMismatchedTargets()
    {
        Assert.That(() => Losses.BinaryCrossEntropyWithLogits(D([1, 2], 2), D([1, 0, 1], 3)),
            Throws.ArgumentException.With.Message.Contains("BinaryCrossEntropyWithLogits").And.Message.Contains("[3]").And.Message.Contains("[2]"));
        Assert.That(() => Losses.BinaryCrossEntropyWithLogits(D([1, 2], 2), Tensor.From(new long[] { 1, 0 })),
            Throws.ArgumentException.With.Message.Contains("int64"));
    }

    // ---- Seed 000 §1.2.1: perceptron criterion (1.8), hinge (1.9), logistic (1.14) ------------------------------

    // Scores ŷ and labels y ∈ {−1, +1}; margins y·ŷ = 2, −0.5, −0.3, 3, 0.5, 1.
    private static readonly double[] Scores = [2, -0.5, 0.3, -3, 0.5, 1];
    private static readonly double[] Labels = [1, 1, -1, -1, 1, 1];

    [Test]
    public void PerceptronCriterion_IsZeroWhenCorrectAndMinusMarginWhenWrong([Values] Reduction reduction)
    {
        // L = max(−y·ŷ, 0)
        double[] expected = [0, 0.5, 0.3, 0, 0, 0];
        AssertReduced(Losses.PerceptronCriterion(D(Scores, 6), D(Labels, 6), reduction), expected, [6], reduction);
        var labels = D(Labels, 6);
        Assert.That(GradCheck.Check(a => Losses.PerceptronCriterion(a[0], labels, reduction), [Grad(Scores, 6)]), Gradients.Match);
    }

    [Test]
    public void HingeLoss_IsZeroOnlyBeyondTheMargin([Values] Reduction reduction)
    {
        // L = max(1 − y·ŷ, 0): the correctly classified point with margin 0.5 still costs 0.5; margin 1 costs 0.
        double[] expected = [0, 1.5, 1.3, 0, 0.5, 0];
        AssertReduced(Losses.HingeLoss(D(Scores, 6), D(Labels, 6), reduction), expected, [6], reduction);
        // GradCheck away from the kink at margin 1.
        double[] scores = [2, -0.5, 0.3, -3, 0.5, 1.25];
        var labels = D(Labels, 6);
        Assert.That(GradCheck.Check(a => Losses.HingeLoss(a[0], labels, reduction), [Grad(scores, 6)]), Gradients.Match);
    }

    [Test]
    public void LogisticLoss_IsLogOnePlusExpMinusMargin([Values] Reduction reduction)
    {
        // L = log(1 + exp(−y·ŷ)) — positive for every point, log 2 on the boundary.
        var expected = Scores.Select((s, i) => Math.Log(1 + Math.Exp(-Labels[i] * s))).ToArray();
        AssertReduced(Losses.LogisticLoss(D(Scores, 6), D(Labels, 6), reduction), expected, [6], reduction);
        var labels = D(Labels, 6);
        Assert.That(GradCheck.Check(a => Losses.LogisticLoss(a[0], labels, reduction), [Grad(Scores, 6)]), Gradients.Match);
    }

    [Test]
    public void SeedLosses_AtTheBoundaryAndFarFromIt()
    {
        var zero = D([0.0], 1);
        var plus = D([1.0], 1);
        Assert.That(Losses.PerceptronCriterion(zero, plus).Item(), Is.EqualTo(0));
        Assert.That(Losses.HingeLoss(zero, plus).Item(), Is.EqualTo(1));
        Assert.That(Losses.LogisticLoss(zero, plus).Item(), Is.EqualTo(Math.Log(2)).Within(Tol));
        Assert.That(Losses.HingeLoss(plus, plus).Item(), Is.EqualTo(0), "margin exactly 1");

        // Far on the wrong side: log(1 + e^1000) = 1000 without overflow; far on the right side: e^−40, not 0.
        Assert.That(Losses.LogisticLoss(D([1000.0], 1), D([-1.0], 1)).Item(), Is.EqualTo(1000).Within(Tol));
        Assert.That(Losses.LogisticLoss(D([-40.0], 1), D([-1.0], 1)).Item(), Is.EqualTo(Math.Exp(-40)).Within(1e-9).Percent);
        Assert.That(Losses.PerceptronCriterion(D([1000.0], 1), D([-1.0], 1)).Item(), Is.EqualTo(1000));
    }

    [Test]
    public void SeedLosses_GradientWithRespectToWIsMinusYXOnTheCountedPoints()
    {
        // ŷ = W·X with W = (1, −1). Points (X, y): ((2, 1), +1) margin 1; ((1, 3), +1) margin −2; ((0.5, 2), −1) margin 1.5;
        // ((3, 1), −1) margin −2; ((1, 0.5), +1) margin 0.5.
        double[] xs = [2, 1, 1, 3, 0.5, 2, 3, 1, 1, 0.5];
        double[] y = [1, 1, -1, -1, 1];
        var x = D(xs, 5, 2);

        // Perceptron (eq. 1.8): ∇_W L_i = −y_i·X_i for the misclassified points 2 and 4 only (seed: "∇W L_i = −y_i X").
        var w = Grad([1, -1], 2);
        Losses.PerceptronCriterion(x.MatMul(w), D(y, 5), Reduction.Sum).Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { -1 + 3, -3 + 1 }).Within(Tol));

        // Hinge (eq. 1.9): also the correct point 5, whose margin 0.5 is below 1 (§1.2.1.2).
        var wh = Grad([1, -1], 2);
        Losses.HingeLoss(x.MatMul(wh), D(y, 5), Reduction.Sum).Backward();
        Assert.That(wh.Grad!.ToArray<double>(), Is.EqualTo(new double[] { -1 + 3 - 1, -3 + 1 - 0.5 }).Within(Tol));

        // Logistic (eq. 1.14): every point, weighted by σ(−margin): ∇_W = −Σ y_i·X_i·σ(−y_i·ŷ_i).
        var wl = Grad([1, -1], 2);
        Losses.LogisticLoss(x.MatMul(wl), D(y, 5), Reduction.Sum).Backward();
        double[] margins = [1, -2, 1.5, -2, 0.5];
        var expected = new double[2];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 2; j++) expected[j] += -y[i] * xs[i * 2 + j] / (1 + Math.Exp(margins[i]));
        Assert.That(wl.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
    }

    [Test]
    public void SeedLosses_AcceptInt64LabelsAndRejectLabelsOutsidePlusMinusOne()
    {
        var intLabels = Tensor.From(new long[] { 1, 1, -1, -1, 1, 1 });
        Assert.That(Losses.HingeLoss(D(Scores, 6), intLabels, Reduction.Sum).Item(), Is.EqualTo(1.5 + 1.3 + 0.5).Within(Tol));

        Assert.That(() => Losses.HingeLoss(D(Scores, 6), D([1, 0, 1, 0, 1, 1], 6)),
            Throws.ArgumentException.With.Message.Contains("HingeLoss").And.Message.Contains("got 0 at position 1"));
        Assert.That(() => Losses.LogisticLoss(D(Scores, 6), D([1, 1, 2, 1, 1, 1], 6)),
            Throws.ArgumentException.With.Message.Contains("LogisticLoss").And.Message.Contains("got 2 at position 2"));
        Assert.That(() => Losses.PerceptronCriterion(D(Scores, 6), D(Labels, 6, 1)),
            Throws.ArgumentException.With.Message.Contains("PerceptronCriterion").And.Message.Contains("[6, 1]").And.Message.Contains("[6]"));
        Assert.That(() => Losses.PerceptronCriterion(Tensor.From(new long[] { 1 }), D([1], 1)),
            Throws.ArgumentException.With.Message.Contains("scores").And.Message.Contains("int64"));
    }

    // ---- Training runs ------------------------------------------------------------------------------------------

    private static void SgdStep(Module model, double lr)
    {
        using (Autodiff.NoGrad())
            foreach (var p in model.Parameters())
                p.AddInPlace(p.Grad!, -lr);
        model.ZeroGrad();
    }

    // Two Gaussian blobs in the plane: class 0 around (−1.5, −1.5), class 1 around (1.5, 1.5), σ = 0.6.
    private static (Tensor X, Tensor Classes, double[] Signs) Blobs(int perClass, ulong seed)
    {
        var g = new Generator(seed);
        var x = new double[2 * perClass * 2];
        var classes = new long[2 * perClass];
        var signs = new double[2 * perClass];
        for (int i = 0; i < 2 * perClass; i++)
        {
            int c = i % 2;
            double center = c == 0 ? -1.5 : 1.5;
            x[2 * i] = center + 0.6 * g.NextNormal();
            x[2 * i + 1] = center + 0.6 * g.NextNormal();
            classes[i] = c;
            signs[i] = c == 0 ? -1 : 1;
        }
        return (Tensor.From(x, 2 * perClass, 2), Tensor.From(classes), signs);
    }

    [Test]
    public void Training_MlpWithCrossEntropySeparatesTwoBlobs()
    {
        var (x, classes, _) = Blobs(100, 5);
        var model = Mlp.Create(2, [16], 2, () => new Tanh(), new Generator(1), DType.Float64);
        double first = Losses.CrossEntropy(model.Forward(x), classes).Item();

        double loss = double.NaN;
        for (int step = 0; step < 200; step++)
        {
            var l = Losses.CrossEntropy(model.Forward(x), classes);
            loss = l.Item();
            l.Backward();
            SgdStep(model, 0.5);
        }

        Assert.That(first, Is.GreaterThan(0.3), "the untrained model is far from the optimum");
        Assert.That(loss, Is.LessThan(0.005));
        var predicted = model.Forward(x).ArgMax(1).ToArray<long>();
        Assert.That(predicted, Is.EqualTo(classes.ToArray<long>()));
    }

    [Test]
    public void Training_PerceptronCriterionReachesZeroOnSeparableData()
    {
        // Seed 000 §1.2.1: ŷ = W·X + b, one point at a time (eq. 1.4); a step on max(−y·ŷ, 0) is W ← W + α·y·X for a
        // misclassified point and nothing otherwise, and on separable data an epoch without errors ends the run.
        var (x, _, signs) = Blobs(50, 6);
        var y = Tensor.From(signs);
        var perceptron = new Linear(2, 1, generator: new Generator(3), dtype: DType.Float64);
        using (Autodiff.NoGrad())
        {
            perceptron.Weight.CopyFrom(Tensor.From(new double[] { -1, 0.5 }, 1, 2)); // pointing the wrong way
            perceptron.Bias!.Fill(1);
        }
        double Total() => Losses.PerceptronCriterion(perceptron.Forward(x).Squeeze(1), y, Reduction.Sum).Item();
        Assert.That(Total(), Is.GreaterThan(50), "most points start misclassified");

        int epochs = 0, updates = 0;
        for (bool clean = false; !clean && epochs < 100; epochs++)
        {
            clean = true;
            for (int i = 0; i < signs.Length; i++)
            {
                var loss = Losses.PerceptronCriterion(perceptron.Forward(x.Slice(0, i, i + 1)).Squeeze(1), y.Slice(0, i, i + 1));
                if (loss.Item() == 0) continue;
                clean = false;
                updates++;
                loss.Backward();
                SgdStep(perceptron, 0.1);
            }
        }

        Assert.That(Total(), Is.EqualTo(0), $"after {epochs} epochs and {updates} updates");
        Assert.That(updates, Is.GreaterThan(0));
        var predictions = new Sequential(perceptron, new Sign()).Forward(x).Squeeze(1).ToArray<double>();
        Assert.That(predictions, Is.EqualTo(signs));
    }

    [Test]
    public void Training_MlpFitsSinOnMinusPiToPi()
    {
        var x = Tensor.Linspace(-Math.PI, Math.PI, 64, DType.Float64).Reshape(64, 1);
        var target = x.Sin();
        var model = Mlp.Create(1, [32], 1, () => new Tanh(), new Generator(2), DType.Float64);
        double first = Losses.MseLoss(model.Forward(x), target).Item();

        double loss = double.NaN;
        for (int step = 0; step < 2000; step++)
        {
            var l = Losses.MseLoss(model.Forward(x), target);
            loss = l.Item();
            l.Backward();
            SgdStep(model, 0.05);
        }

        Assert.That(first, Is.GreaterThan(0.1), "the untrained model is far from sin");
        Assert.That(loss, Is.LessThan(0.005));
    }
}
