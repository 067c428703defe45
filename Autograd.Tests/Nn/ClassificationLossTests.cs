using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// The options of the classification and margin losses (issue 14): cross-entropy's weight, ignored index and label
/// smoothing, NLL's weight and ignored index, binary cross-entropy on probabilities and with positive weights, the
/// cosine, multi-margin and triplet losses, and broadcasting: worked values, GradCheck to first and second order, and
/// refusals. PyTorch's values are checked in <see cref="TorchLossFixtureTests"/>.
/// </summary>
public class ClassificationLossTests
{
    private const double Tol = 1e-12;

    private static readonly double[] Z = [0.5, -1.0, 2.0, 0.0, 1.5, 0.25, -0.5, 1.0, 0.75, -2.0, 0.1, 0.3];

    private static Tensor Logits() => Tensor.From(Z, 3, 4).RequireGrad();

    private static Tensor Idx(params long[] v) => Tensor.From(v, v.Length);

    private static Tensor W() => Tensor.From([0.5, 2.0, 1.0, 1.5], 4);

    private static double LogSoftmax(int row, int c)
    {
        var r = Z.Skip(row * 4).Take(4).ToArray();
        double m = r.Max();
        return r[c] - (m + Math.Log(r.Sum(v => Math.Exp(v - m))));
    }

    [Test]
    public void CrossEntropy_PlainClassIndicesStayOnTheFusedOp()
    {
        var z = Logits();
        var loss = Losses.CrossEntropy(z, Idx(1, 0, 3), Reduction.None);
        Assert.That(loss.GradFn!.Name, Is.EqualTo("cross_entropy"), "no weight, no ignored target, no smoothing: the fused primitive alone");
        Assert.That(loss.ToArray<double>(), Is.EqualTo(z.CrossEntropy(Idx(1, 0, 3), 1).ToArray<double>()));
    }

    [Test]
    public void CrossEntropy_WeightedMeanDividesByTheTargetsWeights()
    {
        var t = Idx(1, 0, 3);
        double[] w = [0.5, 2.0, 1.0, 1.5];
        double num = 0, den = 0;
        for (int n = 0; n < 3; n++)
        {
            int c = (int)t.ToArray<long>()[n];
            num += -w[c] * LogSoftmax(n, c);
            den += w[c];
        }
        Assert.That(Losses.CrossEntropy(Logits(), t, weight: W()).Item(), Is.EqualTo(num / den).Within(Tol));
        Assert.That(Losses.CrossEntropy(Logits(), t, Reduction.Sum, W()).Item(), Is.EqualTo(num).Within(Tol));
    }

    [Test]
    public void CrossEntropy_IgnoredSamplesAddNothingAndGetNoGradient()
    {
        var z = Logits();
        var loss = Losses.CrossEntropy(z, Idx(1, -100, 3));
        Assert.That(loss.Item(), Is.EqualTo(-(LogSoftmax(0, 1) + LogSoftmax(2, 3)) / 2).Within(Tol), "the mean over the two samples kept");
        loss.Backward();
        Assert.That(z.Grad!.ToArray<double>().Skip(4).Take(4), Is.All.EqualTo(0.0));
        var all = Losses.CrossEntropy(Logits(), Idx(2, 2, 2), ignoreIndex: 2);
        Assert.That(all.Item(), Is.NaN, "every sample ignored: 0/0, as PyTorch");
    }

    [Test]
    public void CrossEntropy_LabelSmoothingMixesTheUniformTerm()
    {
        const double eps = 0.2;
        var t = Idx(1, 0, 3);
        double expected = 0;
        for (int n = 0; n < 3; n++)
        {
            int c = (int)t.ToArray<long>()[n];
            double uniform = -Enumerable.Range(0, 4).Sum(k => LogSoftmax(n, k));
            expected += (1 - eps) * -LogSoftmax(n, c) + eps / 4 * uniform;
        }
        Assert.That(Losses.CrossEntropy(Logits(), t, labelSmoothing: eps).Item(), Is.EqualTo(expected / 3).Within(Tol));
        // The same as probability targets (1 − ε)·onehot + ε/C without weights.
        var onehot = new double[12];
        for (int n = 0; n < 3; n++) onehot[n * 4 + (int)t.ToArray<long>()[n]] = 1;
        Assert.That(Losses.CrossEntropy(Logits(), Tensor.From(onehot, 3, 4), labelSmoothing: eps).Item(), Is.EqualTo(expected / 3).Within(Tol));
    }

    [Test]
    public void NllLoss_WithWeightsAndAnIgnoredIndexEqualsCrossEntropy([Values] Reduction reduction)
    {
        var t = Idx(1, 2, 3);
        var viaNll = Losses.NllLoss(Logits().LogSoftmax(1), t, reduction, W(), ignoreIndex: 2);
        var viaCe = Losses.CrossEntropy(Logits(), t, reduction, W(), ignoreIndex: 2);
        Assert.That(viaNll.ToArray<double>(), Is.EqualTo(viaCe.ToArray<double>()).Within(Tol));
    }

    [Test]
    public void CrossEntropyOptions_PassGradCheckToSecondOrder(
        [Values] Reduction reduction, [Values(0.0, 0.3)] double smoothing, [Values(false, true)] bool weighted)
    {
        var logits = Tensor.From(Z, 3, 4).RequireGrad();
        var t = Idx(1, -100, 3);
        Tensor F(Tensor[] a) => Losses.CrossEntropy(a[0], t, reduction, weighted ? W() : null, labelSmoothing: smoothing);
        Assert.That(GradCheck.Check(F, [logits]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(F, [logits]), Gradients.Match);
        var probs = Tensor.From(Z, 3, 4).Softmax(1).Detach().RequireGrad();
        Tensor P(Tensor[] a) => Losses.CrossEntropy(a[0], a[1], reduction, weighted ? W() : null, labelSmoothing: smoothing);
        Assert.That(GradCheck.Check(P, [logits, probs]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(P, [logits, probs]), Gradients.Match);
    }

    [Test]
    public void NllLossAndMultiMargin_PassGradCheckToSecondOrder([Values] Reduction reduction, [Values(1, 2)] int p)
    {
        var x = Tensor.From(Z, 3, 4).RequireGrad();
        Tensor Nll(Tensor[] a) => Losses.NllLoss(a[0], Idx(0, 3, 2), reduction, W(), ignoreIndex: 3);
        Assert.That(GradCheck.Check(Nll, [x]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(Nll, [x]), Gradients.Match);
        Tensor Mm(Tensor[] a) => Losses.MultiMarginLoss(a[0], Idx(0, 3, 2), reduction, p, 0.7, W());
        Assert.That(GradCheck.Check(Mm, [x]), Gradients.Match);
        if (p == 2)
            Assert.That(GradCheck.CheckSecondOrder(Mm, [x]), Gradients.Match);
    }

    [Test]
    public void BinaryCrossEntropies_PassGradCheckToSecondOrder([Values] Reduction reduction)
    {
        var probs = Tensor.From([0.2, 0.9, 0.5, 0.35, 0.6, 0.05], 2, 3).RequireGrad();
        var target = Tensor.From([0.0, 1.0, 0.3, 1.0, 0.0, 0.8], 2, 3).RequireGrad();
        var w = Tensor.From([0.5, 1.0, 2.0], 3);
        Tensor Bce(Tensor[] a) => Losses.BinaryCrossEntropy(a[0], a[1], reduction, w);
        Assert.That(GradCheck.Check(Bce, [probs, target]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(Bce, [probs, target]), Gradients.Match);
        var logits = Tensor.From([-3.0, 0.4, 2.5, 1.0, -0.7, 0.2], 2, 3).RequireGrad();
        Tensor Bcel(Tensor[] a) => Losses.BinaryCrossEntropyWithLogits(a[0], a[1], reduction, w, Tensor.From([3.0, 0.5, 1.0], 3));
        Assert.That(GradCheck.Check(Bcel, [logits, target]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(Bcel, [logits, target]), Gradients.Match);
    }

    [Test]
    public void BinaryCrossEntropyWithLogits_PosWeightIsStableAndItsGradientIsWeightedSigmoidMinusTarget()
    {
        var x = Tensor.From([-800.0, 800.0, 0.0, -30.0], 4).RequireGrad();
        var t = Tensor.From([1.0, 0.0, 0.5, 0.0], 4);
        var pw = Tensor.From([3.0, 3.0, 3.0, 3.0], 4);
        var loss = Losses.BinaryCrossEntropyWithLogits(x, t, Reduction.None, posWeight: pw);
        var l = loss.ToArray<double>();
        Assert.That(l[0], Is.EqualTo(2400.0), "3·800: −p·t·log σ(−800)");
        Assert.That(l[1], Is.EqualTo(800.0));
        Assert.That(l[2], Is.EqualTo(2 * Math.Log(2)).Within(Tol), "(1 + 2·0.5)·log 2");
        Assert.That(l[3], Is.EqualTo(Math.Exp(-30) - Math.Exp(-60) / 2).Within(1e-12 * 1e-13), "the small tail is kept: log1p(e^−30)");
        loss.Sum().Backward();
        double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        var expected = new[] { -3.0, 1.0, 2 * 0.5 - 1.5, Sigmoid(-30) };
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
    }

    [Test]
    public void BinaryCrossEntropy_ClampsTheLogAtMinus100()
    {
        var loss = Losses.BinaryCrossEntropy(Tensor.From([0.0, 1.0, 0.0], 3), Tensor.From([1.0, 0.0, 0.0], 3), Reduction.None);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 100.0, 100.0, 0.0 }));
    }

    [Test]
    public void MarginLosses_PassGradCheckToSecondOrder([Values] Reduction reduction, [Values(1.0, 2.0, 3.0)] double p, [Values] bool swap)
    {
        var a = Tensor.From([0.5, -1.0, 2.0, 0.0, 1.5, 0.25], 2, 3).RequireGrad();
        var pos = Tensor.From([0.2, -0.4, 1.0, 0.7, 1.1, -0.3], 2, 3).RequireGrad();
        var neg = Tensor.From([-0.6, 0.8, 1.7, 0.1, 0.4, 0.9], 2, 3).RequireGrad();
        Tensor Tri(Tensor[] x) => Losses.TripletMarginLoss(x[0], x[1], x[2], reduction, margin: 1.5, p: p, swap: swap);
        Assert.That(GradCheck.Check(Tri, [a, pos, neg]), Gradients.Match);
        if (p != 1.0)
            Assert.That(GradCheck.CheckSecondOrder(Tri, [a, pos, neg]), Gradients.Match);
        var y = Tensor.From([1.0, -1.0], 2);
        Tensor Cos(Tensor[] x) => Losses.CosineEmbeddingLoss(x[0], x[1], y, reduction, margin: -0.5);
        Assert.That(GradCheck.Check(Cos, [a, pos]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(Cos, [a, pos]), Gradients.Match);
    }

    [Test]
    public void ElementwiseLosses_BroadcastInputAndTargetAndPassGradCheck([Values] Reduction reduction)
    {
        var x = Tensor.From([0.5, -1.2, 2.0, 0.0, 3.5, -0.25], 2, 3).RequireGrad();
        var t = Tensor.From([1.0, -1.0, -0.5], 3).RequireGrad();
        var mse = Losses.MseLoss(x, t, Reduction.None);
        Assert.That(mse.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(mse.ToArray<double>()[4], Is.EqualTo(Math.Pow(3.5 + 1.0, 2)).Within(Tol));
        Assert.That(GradCheck.Check(a => Losses.MseLoss(a[0], a[1], reduction), [x, t]), Gradients.Match);
        Assert.That(GradCheck.Check(a => Losses.HuberLoss(a[0], a[1], reduction, 0.7), [x, t]), Gradients.Match);
        Assert.That(GradCheck.Check(a => Losses.KlDivLoss(a[0], a[1], reduction, logTarget: true), [x, t]), Gradients.Match);
        Assert.That(Losses.L1Loss(t, x, Reduction.None).Shape, Is.EqualTo(new[] { 2, 3 }), "the target may be the larger one");
    }

    [Test]
    public void ClassificationLosses_RejectBadOptionsNamingTheLoss()
    {
        Assert.That(() => Losses.CrossEntropy(Logits(), Idx(1, 0, 3), weight: Tensor.From([1.0, 2.0], 2)),
            Throws.ArgumentException.With.Message.StartsWith("CrossEntropy: weight of shape [2] must hold one weight per class, shape [4] (logits of shape [3, 4])."));
        Assert.That(() => Losses.NllLoss(Logits(), Idx(1, 0, 3), weight: Tensor.From(new long[] { 1, 1, 1, 1 }, 4)),
            Throws.ArgumentException.With.Message.StartsWith("NllLoss: weight must be float32 or float64, got int64 of shape [4]."));
        Assert.That(() => Losses.CrossEntropy(Logits(), Idx(1, 0, 3), labelSmoothing: 1.5),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("CrossEntropy: labelSmoothing must lie in [0, 1], got 1.5."));
        Assert.That(() => Losses.CrossEntropy(Logits(), Tensor.Zeros([3, 4], DType.Float64), ignoreIndex: 0),
            Throws.ArgumentException.With.Message.StartsWith("CrossEntropy: ignoreIndex 0 is not supported with class-probability targets"));
        Assert.That(() => Losses.CrossEntropy(Logits(), Idx(1, -1, 3)),
            Throws.ArgumentException.With.Message.StartsWith("CrossEntropy: class index -1 at position 1 of the target is out of range for 4 classes (logits of shape [3, 4]); indices must lie in [0, 4) or equal ignoreIndex (-100)."));
        Assert.That(() => Losses.BinaryCrossEntropy(Tensor.From([0.5, 1.5], 2), Tensor.From([0.0, 1.0], 2)),
            Throws.ArgumentException.With.Message.StartsWith("BinaryCrossEntropy: input must hold probabilities in [0, 1], got 1.5 at position 1 (input of shape [2])"));
        Assert.That(() => Losses.BinaryCrossEntropy(Tensor.From([0.5, 0.5], 2), Tensor.From([0.0, 1.0, 1.0], 3)),
            Throws.ArgumentException.With.Message.StartsWith("BinaryCrossEntropy: target of shape [3] does not match input of shape [2]."));
        Assert.That(() => Losses.BinaryCrossEntropyWithLogits(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 3], DType.Float64), posWeight: Tensor.Ones([2], DType.Float64)),
            Throws.ArgumentException.With.Message.StartsWith("BinaryCrossEntropyWithLogits: posWeight of shape [2] does not match logits of shape [2, 3]. It must broadcast to that shape."));
    }

    [Test]
    public void MarginLosses_RejectBadShapesAndOptionsNamingTheLoss()
    {
        Assert.That(() => Losses.MultiMarginLoss(Logits(), Idx(1, 0, 3), p: 3),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("MultiMarginLoss: p must be 1 or 2, as PyTorch's multi_margin_loss, got 3."));
        Assert.That(() => Losses.MultiMarginLoss(Logits(), Idx(1, 4, 3)),
            Throws.ArgumentException.With.Message.StartsWith("MultiMarginLoss: class index 4 at position 1 of the target is out of range for 4 classes (input of shape [3, 4])"));
        Assert.That(() => Losses.MultiMarginLoss(Tensor.Zeros([2, 3, 4], DType.Float64), Idx(1, 0)),
            Throws.ArgumentException.With.Message.StartsWith("MultiMarginLoss: input must be scores [N, C] or [C], got shape [2, 3, 4]."));
        Assert.That(() => Losses.CosineEmbeddingLoss(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 4], DType.Float64), Tensor.Ones([2], DType.Float64)),
            Throws.ArgumentException.With.Message.StartsWith("CosineEmbeddingLoss: input1 and input2 must be embeddings of one shape, [N, D] or [D], got [2, 3] and [2, 4]."));
        Assert.That(() => Losses.CosineEmbeddingLoss(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 3], DType.Float64), Tensor.Ones([3], DType.Float64)),
            Throws.ArgumentException.With.Message.StartsWith("CosineEmbeddingLoss: target of shape [3] does not match inputs of shape [2, 3]: expected one target per pair, shape [2]."));
        Assert.That(() => Losses.TripletMarginLoss(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([3], DType.Float64), Tensor.Zeros([2, 3], DType.Float64)),
            Throws.ArgumentException.With.Message.StartsWith("TripletMarginLoss: anchor, positive and negative must have one rank of at least 1"));
        Assert.That(() => Losses.TripletMarginLoss(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 3], DType.Float64), p: 0),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("TripletMarginLoss: p must be finite and > 0, got 0."));
        Assert.That(() => Losses.MarginRankingLoss(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 1], DType.Float64), Tensor.Zeros([2, 2], DType.Float64)),
            Throws.ArgumentException.With.Message.StartsWith("MarginRankingLoss: target of shape [2, 2] does not match input1 and input2 of shapes [2, 3] and [2, 1]. The shapes do not broadcast."));
        Assert.That(() => Losses.MseLoss(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2], DType.Float64)),
            Throws.ArgumentException.With.Message.StartsWith("MseLoss: target of shape [2] does not match input of shape [2, 3]. The shapes do not broadcast."));
    }
}
