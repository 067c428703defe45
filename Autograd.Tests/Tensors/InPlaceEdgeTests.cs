namespace Autograd.Tests;

/// <summary>Recorded in-place writes at their edges: retained gradients, overwrites of infinite values, leaf checks.</summary>
public class InPlaceEdgeTests
{
    private static Tensor W() => Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();

    [Test]
    public void RetainGradBeforeAWrite_RetainsTheGradientOfTheNewValues()
    {
        // PyTorch 1.13 moves retains_grad to the write's node: y.grad is d(sum y_new)/d(y_new) = 1, not the old values' w.
        var w = W();
        var y = w * 2.0;
        y.RetainGrad();
        y.MulInPlace(w);
        Assert.That(y.RetainsGrad, Is.True);
        y.Sum().Backward();
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 1, 1 }));
        // d(2w·w)/dw = 4w.
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 4, 8, 12 }));
    }

    [Test]
    public void FillOverInfiniteValues_SendsExactZerosBackEvenFromANaNGradient()
    {
        var w = W();
        var y = w / Tensor.From(new double[] { 0, 1, 1 });   // [inf, 2, 3]
        using (Autodiff.DetectAnomaly()) y.Fill(1);          // no spurious NaN from inf · 0
        Assert.That(y.ToArray<double>(), Is.EqualTo(new double[] { 1, 1, 1 }));
        (y * w).Backward(Tensor.From(new double[] { double.NaN, double.PositiveInfinity, 1 }));
        // Through the fill nothing reaches w; only the product's direct path (g · y = [NaN, inf, 1]) does.
        var g = w.Grad!.ToArray<double>();
        Assert.That(double.IsNaN(g[0]) && double.IsPositiveInfinity(g[1]) && g[2] == 1, Is.True, string.Join(", ", g));
        var w2 = W();
        var z = w2 * 2.0;
        z.Fill(5);
        z.Backward(Tensor.From(new double[] { double.NaN, double.PositiveInfinity, 1 }));
        Assert.That(w2.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0 }));
    }

    [Test]
    public void RequiresGradOnAConstantRebasedByAWrite_ThrowsNamingTheWrite()
    {
        var c = Tensor.Zeros([3], DType.Float64);
        c.MulInPlace(W());
        var ex = Assert.Throws<InvalidOperationException>(() => c.RequiresGrad = false);
        Assert.That(ex!.Message, Does.Contain("RequiresGrad can only be changed on leaf tensors").And.Contain("mul"));
    }
}
