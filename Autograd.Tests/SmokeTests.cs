namespace Autograd.Tests;

public class SmokeTests
{
    [Test]
    public void TanhOfSumHasTheClosedFormGradient()
    {
        // y = tanh(a·b + c); dy/da = (1 − y²)·b
        var a = Tensor.Scalar(0.5, DType.Float64).RequireGrad();
        var b = Tensor.Scalar(-1.5, DType.Float64).RequireGrad();
        var c = Tensor.Scalar(0.25, DType.Float64).RequireGrad();
        var y = (a * b + c).Tanh();
        y.Backward();
        double yv = Math.Tanh(0.5 * -1.5 + 0.25);
        Assert.That(y.Item(), Is.EqualTo(yv).Within(1e-15));
        Assert.That(a.Grad!.Item(), Is.EqualTo((1 - yv * yv) * -1.5).Within(1e-15));
        Assert.That(b.Grad!.Item(), Is.EqualTo((1 - yv * yv) * 0.5).Within(1e-15));
        Assert.That(c.Grad!.Item(), Is.EqualTo(1 - yv * yv).Within(1e-15));
    }
}
