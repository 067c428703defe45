namespace Autograd.Tests;

/// <summary>Extreme inputs: values and gradients are finite wherever PyTorch's are, and match its results.</summary>
public class NumericalEdgeTests
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    private static (double[] Values, double[] Grad) ValueAndGrad(Func<Tensor, Tensor> f, double[] x, DType dtype)
    {
        var t = Tensor.From(x).To(dtype).Detach().RequireGrad();
        var y = f(t);
        y.Sum().Backward();
        return (y.ToArray<double>(), t.Grad!.ToArray<double>());
    }

    [TestCaseSource(nameof(DTypes))]
    public void SoftmaxAndLogSoftmaxAtPlusMinus1000(DType dtype)
    {
        var x = new double[] { 1000, 0, -1000 };
        var (s, gs) = ValueAndGrad(t => t.Softmax() * Tensor.From(new double[] { 1, 2, 3 }).To(dtype), x, dtype);
        Assert.That(s, Is.EqualTo(new double[] { 1, 0, 0 }));
        Assert.That(gs.All(double.IsFinite), Is.True);
        var (l, gl) = ValueAndGrad(t => t.LogSoftmax(), x, dtype);
        Assert.That(l, Is.EqualTo(new double[] { 0, -1000, -2000 }));
        // d/dx Σ log_softmax = 1 − n·softmax = [1 − 3, 1, 1]
        Assert.That(gl, Is.EqualTo(new double[] { -2, 1, 1 }));
    }

    [TestCaseSource(nameof(DTypes))]
    public void LogSumExpAtLargeMagnitudes(DType dtype)
    {
        var (v, g) = ValueAndGrad(t => t.LogSumExp(), [1000, 1000], dtype);
        Assert.That(v[0], Is.EqualTo(1000 + Math.Log(2)).Within(dtype == DType.Float32 ? 1e-4 : 1e-12));
        Assert.That(g, Is.EqualTo(new[] { 0.5, 0.5 }).Within(1e-6));
        var (v2, g2) = ValueAndGrad(t => t.LogSumExp(), [-1000, -1000], dtype);
        Assert.That(v2[0], Is.EqualTo(-1000 + Math.Log(2)).Within(dtype == DType.Float32 ? 1e-4 : 1e-12));
        Assert.That(g2, Is.EqualTo(new[] { 0.5, 0.5 }).Within(1e-6));
    }

    [TestCaseSource(nameof(DTypes))]
    public void CrossEntropyFromLogitsOfPlusMinus1000IsFinite(DType dtype)
    {
        var logits = Tensor.From(new double[] { 1000, -1000, 0, -1000, 1000, 0 }, 2, 3).To(dtype).Detach().RequireGrad();
        var target = Tensor.From(new long[] { 1, 1 }, 2, 1);
        var loss = -logits.LogSoftmax(-1).Gather(1, target).Mean();
        loss.Backward();
        // sample 0 puts all mass on class 0 but the target is 1: loss 2000; sample 1 is right: loss 0
        Assert.That(loss.Item(), Is.EqualTo(1000));
        Assert.That(logits.Grad!.ToArray<double>().All(double.IsFinite), Is.True);
    }

    [TestCaseSource(nameof(DTypes))]
    public void SigmoidTanhAndSoftplusAtPlusMinus100(DType dtype)
    {
        var (s, gs) = ValueAndGrad(t => t.Sigmoid(), [100, -100], dtype);
        Assert.That(s[0], Is.EqualTo(1));
        Assert.That(s[1], Is.EqualTo(dtype == DType.Float64 ? 3.7200759760208356e-44 : 0).Within(dtype == DType.Float64 ? 1e-56 : 1e-43));
        Assert.That(gs.All(double.IsFinite), Is.True);
        var (t, gt) = ValueAndGrad(v => v.Tanh(), [100, -100], dtype);
        Assert.That(t, Is.EqualTo(new double[] { 1, -1 }));
        Assert.That(gt, Is.EqualTo(new double[] { 0, 0 }));
        var (p, gp) = ValueAndGrad(v => v.Softplus(), [1000, -1000], dtype);
        Assert.That(p, Is.EqualTo(new double[] { 1000, 0 }));
        Assert.That(gp, Is.EqualTo(new double[] { 1, 0 }));
    }

    [TestCaseSource(nameof(DTypes))]
    public void LogOfZeroAndExpOverflowAreInfiniteAsInPyTorch(DType dtype)
    {
        var (l, gl) = ValueAndGrad(t => t.Log(), [0], dtype);
        Assert.That(l[0], Is.EqualTo(double.NegativeInfinity));
        Assert.That(gl[0], Is.EqualTo(double.PositiveInfinity));
        var (e, ge) = ValueAndGrad(t => t.Exp(), [1000], dtype);
        Assert.That(e[0], Is.EqualTo(double.PositiveInfinity));
        Assert.That(ge[0], Is.EqualTo(double.PositiveInfinity));
        var (r, gr) = ValueAndGrad(t => t.Relu(), [-1000], dtype);
        Assert.That(r[0], Is.EqualTo(0));
        Assert.That(gr[0], Is.EqualTo(0));
    }
}
