namespace Autograd.Tests;

/// <summary>Tensor.RetainGrad: backward fills .Grad of a non-leaf tensor, as PyTorch's retain_grad.</summary>
public class RetainGradTests
{
    [Test]
    public void AnIntermediateGetsItsGradientSummedOverEveryPath()
    {
        var x = Tensor.From(new double[] { 0.5, -1, 2 }).RequireGrad();
        var y = x.Tanh();
        y.RetainGrad();
        var loss = (y * y).Sum() + (3.0 * y).Sum();   // dL/dy = 2y + 3, over two paths
        loss.Backward();
        var expected = y.Detach().ToArray<double>().Select(v => 2 * v + 3).ToArray();
        Assert.That(y.RetainsGrad, Is.True);
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(1e-15));
        var tanh = x.Detach().Tanh().ToArray<double>();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected.Select((g, i) => g * (1 - tanh[i] * tanh[i])).ToArray()).Within(1e-14));
    }

    [Test]
    public void PassesAccumulateAndLeavesAndUnretainedIntermediatesAreUnchanged()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var y = x * x;
        var other = y + 1;
        y.RetainGrad();
        x.RetainGrad();   // a leaf: nothing changes
        var loss = (other * 2.0).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 4, 4 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 8, 16 }));
        Assert.That(x.RetainsGrad, Is.False, "as PyTorch: retains_grad is for non-leaves");
        Assert.That(other.Grad, Is.Null);
        Assert.That(other.RetainsGrad, Is.False);
    }

    [Test]
    public void AutodiffGradFillsNoGrad()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var y = x.Exp();
        y.RetainGrad();
        var g = Autodiff.Grad(y.Sum(), x);
        Assert.That(g.ToArray<double>(), Is.EqualTo(x.Detach().Exp().ToArray<double>()));
        Assert.That(y.Grad, Is.Null);
    }

    [Test]
    public void TheRetainedGradientOutlivesABufferScopeAndCarriesTheGraphWithCreateGraph()
    {
        var pool = new BufferPool();
        var x = Tensor.From(new double[] { 1.5, -0.5 }).RequireGrad();
        Tensor y;
        using (pool.Scope())
        {
            y = x.Sin();
            y.RetainGrad();
            (y * y).Sum().Backward();
        }
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(x.Detach().Sin().ToArray<double>().Select(v => 2 * v).ToArray()).Within(1e-15));

        var z = x * x;
        z.RetainGrad();
        (z * z).Sum().Backward(createGraph: true);
        Assert.That(z.Grad!.RequiresGrad, Is.True, "with createGraph the retained gradient is on the graph");
        x.Grad = null;
        z.Grad.Sum().Backward();   // d/dx Σ 2x² = 4x
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 6, -2 }));
    }
}
