using Autograd.Nn;

namespace Autograd.Tests.Ops;

/// <summary>
/// Where PyTorch's rules at ties and kinks differ from a naive one: torch.amax/amin (and torch.max() over all
/// elements) split the gradient evenly among tied extremes, torch.max(dim) sends it to one index, nn.Hardtanh passes
/// nothing at its bounds, and expand keeps a dimension given as −1. Expected gradients are computed by hand from
/// PyTorch's rules (amax: g / count at each tie, in that order; hardtanh_backward: 0 where x ≤ min or x ≥ max).
/// </summary>
public class TieGradientTests
{
    [Test]
    public void MaxOverAllElements_SplitsTheGradientAmongTies()
    {
        var x = Tensor.From(new double[] { 1, 3, 3, 2, 3 }).RequireGrad();
        var y = x.Max();
        Assert.That(y.Item(), Is.EqualTo(3.0));
        Assert.That(y.GradFnName, Is.EqualTo("amax"));
        y.Backward(Tensor.Scalar(6.0, DType.Float64));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 2, 0, 2 }));

        // g / 3 in float32, as PyTorch computes it in the tensor's dtype
        var f = Tensor.From(new float[] { 5, 5, 5, -1 }).RequireGrad();
        f.Max().Backward();
        Assert.That(f.Grad!.ToArray<float>(), Is.EqualTo(new[] { 1f / 3, 1f / 3, 1f / 3, 0f }));
    }

    [Test]
    public void MinOverAllElements_SplitsTheGradientAmongTies_AndAUniqueExtremeTakesAll()
    {
        var x = Tensor.From(new double[] { 2, -1, 4, -1 }, 2, 2).RequireGrad();
        var y = x.Min();
        Assert.That(y.GradFnName, Is.EqualTo("amin"));
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0.5, 0, 0.5 }));

        var u = Tensor.From(new double[] { 2, -1, 4, 0 }).RequireGrad();
        u.Min().Backward();
        Assert.That(u.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 1, 0, 0 }));
    }

    [Test]
    public void MaxOverSeveralAxes_CountsTiesPerReducedGroup()
    {
        // x[i, j, k] on [2, 2, 3], reduced over i and k for each j (torch.amax(x, (0, 2))), no keepdim
        double[] data =
        [
            4, 1, 4,   0, 0, 0,
            4, 2, 3,   0, -1, 0,
        ];
        var x = Tensor.From(data, 2, 2, 3).RequireGrad();
        var y = x.Max([0, 2]);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 4.0, 0 }));
        y.Backward(Tensor.From(new double[] { 9, 10 }));
        // j = 0: three 4s, 9/3 each; j = 1: five 0s, 10/5 each
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 3, 0, 3, 2, 2, 2, 3, 0, 0, 2, 0, 2 }));

        // the same through Min with keepDims over a negative axis
        var z = Tensor.From(data, 2, 2, 3).RequireGrad();
        var m = z.Min([-1], keepDims: true);
        Assert.That(m.Shape, Is.EqualTo(new[] { 2, 2, 1 }));
        Assert.That(m.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, 2, -1 }));
        m.Backward(Tensor.From(new double[] { 1, 6, 1, 1 }, 2, 2, 1));
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 0, 2, 2, 2, 0, 1, 0, 0, 1, 0 }));
    }

    [Test]
    public void MaxAlongOneAxis_KeepsTorchMaxDimsOneIndexRule_WhereAmaxSplits()
    {
        double[] data = [7, 7, 1, 2, 2, 2];
        var x = Tensor.From(data, 2, 3).RequireGrad();
        x.Max(1).Backward(Tensor.From(new double[] { 6, 6 }));
        // torch.max(x, 1): indices [0, 0], the whole gradient there
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 6, 0, 0, 6, 0, 0 }));

        var a = Tensor.From(data, 2, 3).RequireGrad();
        a.Max([1]).Backward(Tensor.From(new double[] { 6, 6 }));
        // torch.amax(x, 1): 6/2 to each 7, 6/3 to each 2
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 3, 3, 0, 2, 2, 2 }));

        var b = Tensor.From(data, 2, 3).RequireGrad();
        b.Min(1).Backward(Tensor.From(new double[] { 6, 6 }));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 6, 6, 0, 0 }));
    }

    [Test]
    public void MaxWithNaN_IsNaN_AndTheNaNElementsShareTheGradient()
    {
        var x = Tensor.From(new double[] { 1, double.NaN, 5, double.NaN }).RequireGrad();
        var y = x.Max();
        Assert.That(double.IsNaN(y.Item()));
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0.5, 0, 0.5 }));
    }

    [Test]
    public void MaxSecondOrder_IsZero_AndTheFirstOrderGradientIsDifferentiableInTheSeed()
    {
        var x = Tensor.From(new double[] { 1, 3, 3 }).RequireGrad();
        var g = Tensor.Scalar(4.0, DType.Float64).RequireGrad();
        var dx = Autodiff.Grad(x.Max(), x, g, createGraph: true);
        Assert.That(dx.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 2 }));
        // d(Σ dx · w)/dg = Σ w[i] · tie[i] / count = (5 + 7) / 2
        var w = Tensor.From(new double[] { 100, 5, 7 });
        var dg = Autodiff.Grad((dx * w).Sum(), g);
        Assert.That(dg.Item(), Is.EqualTo(6.0));
    }

    [Test]
    public void HardtanhModule_HasGradientZeroAtTheBounds_AsNnHardtanh()
    {
        double[] xs = [-2, -1, -0.5, 0, 0.5, 1, 2];
        var x = Tensor.From(xs).RequireGrad();
        var y = new Hardtanh().Forward(x);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { -1, -1, -0.5, 0, 0.5, 1, 1 }));
        y.Backward(Tensor.From(new double[] { 1, 2, 3, 4, 5, 6, 7 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 3, 4, 5, 0, 0 }));

        var u = Tensor.From(new float[] { -0.5f, -0.25f, 2f, 2.5f, float.NaN }).RequireGrad();
        var v = new Hardtanh(-0.5, 2).Forward(u);
        Assert.That(v.ToArray<float>(), Is.EqualTo(new[] { -0.5f, -0.25f, 2f, 2f, float.NaN }));
        v.Sum().Backward();
        // 0 at both bounds and beyond; NaN is neither ≤ min nor ≥ max, so hardtanh_backward passes its gradient
        Assert.That(u.Grad!.ToArray<float>(), Is.EqualTo(new[] { 0f, 1, 0, 0, 1 }));

        // the tensor method keeps the lecture notes' derivative, 1 on the closed interval
        var t = Tensor.From(xs).RequireGrad();
        t.Hardtanh().Sum().Backward();
        Assert.That(t.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 1, 1, 1, 1, 0 }));
    }

    [Test]
    public void BroadcastTo_MinusOneKeepsAnExistingDimension()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 }, 3, 1).RequireGrad();
        var y = x.BroadcastTo(2, -1, 4);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(y[1, 2, 3], Is.EqualTo(3.0));
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 8, 8, 8 }));

        Assert.That(x.BroadcastTo(-1, -1), Is.SameAs(x));
        Assert.That(x.BroadcastTo(-1, 5).Shape, Is.EqualTo(new[] { 3, 5 }));
        Assert.That(Tensor.From(new double[] { 1, 2 }).BroadcastTo(3, -1).Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(Tensor.Zeros([0, 1]).BroadcastTo(-1, 2).Shape, Is.EqualTo(new[] { 0, 2 }));
    }
}
