using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>The loss modules of torch.nn: options held, PyTorch's repr, weights as state-dictionary buffers, the functional results.</summary>
public class LossModuleTests
{
    private static Tensor X() => Tensor.From([0.5, -1.0, 2.0, 0.0, 1.5, 0.25, -0.5, 1.0, 0.75, -2.0, 0.1, 0.3], 3, 4);

    private static Tensor Row() => Tensor.From([0.5, -1.0, 2.0, 0.0], 4);

    private static Tensor Idx() => Tensor.From(new long[] { 1, -100, 3 }, 3);

    private static Tensor W() => Tensor.From([0.5, 2.0, 1.0, 1.5], 4);

    [Test]
    public void EveryLossModulePrintsAsPyTorch()
    {
        Module[] modules =
        [
            new CrossEntropyLoss(W()), new NLLLoss(), new MSELoss(), new L1Loss(), new BCELoss(), new BCEWithLogitsLoss(posWeight: W()),
            new HuberLoss(delta: 2), new SmoothL1Loss(), new KLDivLoss(), new SoftMarginLoss(), new MarginRankingLoss(), new HingeEmbeddingLoss(),
            new PoissonNLLLoss(), new GaussianNLLLoss(), new CosineEmbeddingLoss(), new MultiMarginLoss(), new TripletMarginLoss(),
        ];
        Assert.That(modules.Select(m => m.ToString()), Is.EqualTo(new[]
        {
            "CrossEntropyLoss()", "NLLLoss()", "MSELoss()", "L1Loss()", "BCELoss()", "BCEWithLogitsLoss()", "HuberLoss()", "SmoothL1Loss()",
            "KLDivLoss()", "SoftMarginLoss()", "MarginRankingLoss()", "HingeEmbeddingLoss()", "PoissonNLLLoss()", "GaussianNLLLoss()",
            "CosineEmbeddingLoss()", "MultiMarginLoss()", "TripletMarginLoss()",
        }));
    }

    [Test]
    public void ClassWeightsAreBuffersUnderPyTorchsNames()
    {
        Assert.That(new CrossEntropyLoss(W()).StateDict().Keys, Is.EqualTo(new[] { "weight" }));
        Assert.That(new CrossEntropyLoss().StateDict().Keys, Is.Empty, "no weight, no entry, as PyTorch's None buffer");
        Assert.That(new BCEWithLogitsLoss(posWeight: W()).StateDict().Keys, Is.EqualTo(new[] { "pos_weight" }));
        Assert.That(new BCEWithLogitsLoss(W(), posWeight: W()).StateDict().Keys, Is.EquivalentTo(new[] { "weight", "pos_weight" }));
        Assert.That(new MultiMarginLoss(weight: W()).StateDict().Keys, Is.EqualTo(new[] { "weight" }));
        Assert.That(new NLLLoss(W()).Parameters(), Is.Empty, "a buffer, not a parameter");
        var loss = new CrossEntropyLoss(W());
        loss.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.From([1.0, 1.0, 1.0, 1.0], 4) });
        Assert.That(loss.Call(X(), Idx()).Item(), Is.EqualTo(Losses.CrossEntropy(X(), Idx()).Item()).Within(1e-15), "the loaded weights are used");
    }

    [Test]
    public void TheModulesComputeTheirFunctions()
    {
        var t = Idx();
        Assert.That(new CrossEntropyLoss(W(), reduction: Reduction.Sum, labelSmoothing: 0.1).Call(X(), t).Item(),
            Is.EqualTo(Losses.CrossEntropy(X(), t, Reduction.Sum, W(), labelSmoothing: 0.1).Item()));
        Assert.That(new NLLLoss(W(), ignoreIndex: 3).Call(X(), Tensor.From(new long[] { 1, 0, 3 }, 3)).Item(),
            Is.EqualTo(Losses.NllLoss(X(), Tensor.From(new long[] { 1, 0, 3 }, 3), weight: W(), ignoreIndex: 3).Item()));
        var y = Tensor.From([1.0, 0.0, 1.0, 0.5], 4);
        Assert.That(new BCEWithLogitsLoss(posWeight: W()).Call(Row(), y).Item(),
            Is.EqualTo(Losses.BinaryCrossEntropyWithLogits(Row(), y, posWeight: W()).Item()));
        Assert.That(new MSELoss(Reduction.None).Call(X(), Row()).Shape, Is.EqualTo(new[] { 3, 4 }), "broadcast, as nn.MSELoss");
        Assert.That(new HuberLoss(delta: 0.5).Delta, Is.EqualTo(0.5));
        var a = X();
        var p = X() * 0.5;
        var n = Tensor.From([0.75, -2.0, 0.1, 0.3, -0.5, 1.0, 0.5, -1.0, 2.0, 0.0, 1.5, 0.25], 3, 4);
        Assert.That(new TripletMarginLoss(margin: 0.3, p: 1, swap: true).Call(a, p, n).Item(),
            Is.EqualTo(Losses.TripletMarginLoss(a, p, n, margin: 0.3, p: 1, swap: true).Item()));
        var signs = Tensor.From([1.0, -1.0, 1.0], 3);
        Assert.That(new CosineEmbeddingLoss(0.2).Call(a, n, signs).Item(), Is.EqualTo(Losses.CosineEmbeddingLoss(a, n, signs, margin: 0.2).Item()));
        Assert.That(new MarginRankingLoss(0.1, Reduction.Sum).Call(a, n, X().Sign()).Item(),
            Is.EqualTo(Losses.MarginRankingLoss(a, n, X().Sign(), Reduction.Sum, 0.1).Item()));
        var v = X().Abs() + 0.1;
        Assert.That(new GaussianNLLLoss(full: true).Call(a, n, v).Item(), Is.EqualTo(Losses.GaussianNllLoss(a, n, v, full: true).Item()));
        Assert.That(new MultiMarginLoss(2, 0.5, W()).Call(X(), Tensor.From(new long[] { 1, 0, 3 }, 3)).Item(),
            Is.EqualTo(Losses.MultiMarginLoss(X(), Tensor.From(new long[] { 1, 0, 3 }, 3), p: 2, margin: 0.5, weight: W()).Item()));
    }

    [Test]
    public void LossModulesRefuseBadOptionsAtConstruction()
    {
        Assert.That(() => new MSELoss((Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("MSELoss: reduction must be Mean, Sum or None."));
        Assert.That(() => new CrossEntropyLoss(labelSmoothing: -0.1),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("CrossEntropyLoss: labelSmoothing must lie in [0, 1], got -0.1."));
        Assert.That(() => new MultiMarginLoss(p: 3), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("MultiMarginLoss: p must be 1 or 2, got 3."));
        Assert.That(() => new HuberLoss(delta: 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("HuberLoss: delta must be > 0, got 0."));
        Assert.That(() => new BCEWithLogitsLoss(posWeight: Tensor.From(new long[] { 1 }, 1)),
            Throws.ArgumentException.With.Message.StartsWith("BCEWithLogitsLoss: posWeight must be float32 or float64, got int64."));
        Module three = new TripletMarginLoss();
        Assert.That(() => three.Forward(X()), Throws.InvalidOperationException.With.Message.StartsWith("TripletMarginLoss.Forward"));
    }
}
