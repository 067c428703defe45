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

    [Test]
    public void ReadingReductionsLeaveATensorWritableInPlace()
    {
        // Max, Min, ArgMax, LogSumExp and softmax used views of their input internally, which marked its storage as
        // shared with a view and refused a later recorded write as if the caller had made one.
        var reads = new (string Name, Action<Tensor> Read)[]
        {
            ("max", t => t.Max()), ("max_axes", t => t.Max([0])), ("max_axis", t => t.Max(0)), ("min", t => t.Min()),
            ("argmax", t => t.ArgMax()), ("argmax_axis", t => t.ArgMax(1)), ("logsumexp", t => t.LogSumExp()),
            ("log_softmax", t => t.LogSoftmax(1)),
        };
        foreach (var (name, read) in reads)
        {
            var w = Tensor.From(new double[] { 1, 5, 3, 2, 4, 6 }, [2, 3]).RequireGrad();
            var y = w * 2.0;
            read(y);
            Assert.DoesNotThrow(() => y.AddInPlace(w), name);
            y.Sum().Backward();
            Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 3, 3, 3, 3, 3, 3 }), name);
        }
        // A view the caller made is still refused.
        var v = Tensor.From(new double[] { 1, 2 }).RequireGrad() * 1.0;
        _ = v.Reshape(2, 1);
        Assert.Throws<InvalidOperationException>(() => v.AddInPlace(Tensor.From(new double[] { 1, 1 }).RequireGrad()));
    }
}
