using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>Bilinear (closed form, PyTorch's init bounds, GradCheck) and AlphaDropout (mean and variance kept, eval identity, seeding).</summary>
public class BilinearAndAlphaDropoutTests
{
    private const double Tol = 1e-12;

    [Test]
    public void Bilinear_IsTheClosedFormAndPrintsAsPyTorch()
    {
        var m = new Bilinear(3, 2, 4, generator: new Generator(1), dtype: DType.Float64);
        Assert.That(m.ToString(), Is.EqualTo("Bilinear(in1_features=3, in2_features=2, out_features=4, bias=True)"));
        Assert.That(m.Weight.Shape, Is.EqualTo(new[] { 4, 3, 2 }));
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        var x1 = Tensor.Normal([2, 5, 3], new Generator(2), dtype: DType.Float64);
        var x2 = Tensor.Normal([2, 5, 2], new Generator(3), dtype: DType.Float64);
        var y = m.Forward(x1, x2);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 5, 4 }));
        double[] a = x1.ToArray<double>(), b = x2.ToArray<double>(), w = m.Weight.ToArray<double>(), bias = m.Bias!.ToArray<double>(), ys = y.ToArray<double>();
        for (int n = 0; n < 10; n++)
            for (int o = 0; o < 4; o++)
            {
                double s = bias[o];
                for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) s += a[n * 3 + i] * w[(o * 3 + i) * 2 + j] * b[n * 2 + j];
                Assert.That(ys[n * 4 + o], Is.EqualTo(s).Within(Tol));
            }
    }

    [Test]
    public void Bilinear_InitIsUniformWithin1OverSqrtIn1()
    {
        var m = new Bilinear(16, 3, 200, generator: new Generator(4));
        Assert.That(m.Weight.ToArray<float>(), Is.All.InRange(-0.25f, 0.25f));
        Assert.That(m.Weight.ToArray<float>().Max(), Is.GreaterThan(0.99f * 0.25f));
        Assert.That(m.Bias!.ToArray<float>(), Is.All.InRange(-0.25f, 0.25f));
        Assert.That(m.Bias!.ToArray<float>().Min(), Is.LessThan(-0.9f * 0.25f));
    }

    [Test]
    public void Bilinear_PassesGradCheckOverBothInputs_FirstAndSecondOrder()
    {
        var m = new Bilinear(3, 2, 2, generator: new Generator(5), dtype: DType.Float64);
        Tensor[] xs = [Tensor.Normal([4, 3], new Generator(6), dtype: DType.Float64).RequireGrad(), Tensor.Normal([4, 2], new Generator(7), dtype: DType.Float64).RequireGrad()];
        Assert.That(GradCheck.Check(a => m.Forward(a[0], a[1]), xs), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(a => m.Forward(a[0], a[1]), xs), Gradients.Match);
        Assert.That(() => m.Forward(xs[1], xs[0]), Throws.ArgumentException.With.Message.StartsWith("Bilinear: expected inputs of shapes [*, 3] and [*, 2]"));
        Assert.That(() => m.Forward(xs[0]), Throws.InvalidOperationException);
    }

    [Test]
    public void AlphaDropout_KeepsZeroMeanAndUnitVarianceAndIsTheIdentityInEval()
    {
        var m = new AlphaDropout(0.2, new Generator(8));
        Assert.That(m.ToString(), Is.EqualTo("AlphaDropout(p=0.2, inplace=False)"));
        var x = Tensor.Normal([200_000], new Generator(9), dtype: DType.Float64);
        var y = m.Forward(x).ToArray<double>();
        double mean = y.Average(), variance = y.Select(v => (v - mean) * (v - mean)).Average();
        Assert.That(mean, Is.EqualTo(0).Within(0.01));
        Assert.That(variance, Is.EqualTo(1).Within(0.02));
        // A dropped element becomes a·α′ + b = −α·a + α·a·p with α = 1.7580993408473766.
        double a = 1 / Math.Sqrt((1.7580993408473766 * 1.7580993408473766 * 0.2 + 1) * 0.8);
        double dropped = -1.7580993408473766 * a + 1.7580993408473766 * a * 0.2;
        double fraction = y.Count(v => Math.Abs(v - dropped) < 1e-12) / (double)y.Length;
        Assert.That(fraction, Is.EqualTo(0.2).Within(0.005));
        m.Eval();
        Assert.That(m.Forward(x), Is.SameAs(x));
    }

    [Test]
    public void AlphaDropout_SameSeedSameMask_GradientIsTheKeptScale()
    {
        var x = Tensor.Normal([50], new Generator(10), dtype: DType.Float64).RequireGrad();
        var y1 = new AlphaDropout(0.5, new Generator(11)).Forward(x);
        var y2 = new AlphaDropout(0.5, new Generator(11)).Forward(x);
        Assert.That(y2.ToArray<double>(), Is.EqualTo(y1.ToArray<double>()));
        y1.Sum().Backward();
        double a = 1 / Math.Sqrt((1.7580993408473766 * 1.7580993408473766 * 0.5 + 1) * 0.5);
        Assert.That(x.Grad!.ToArray<double>().All(v => v == 0 || Math.Abs(v - a) < Tol), Is.True);
        Assert.That(x.Grad!.ToArray<double>().Count(v => v == 0), Is.InRange(10, 40));
        Assert.That(() => new AlphaDropout(1.5), Throws.ArgumentException.With.Message.StartsWith("AlphaDropout: dropout probability has to be between 0 and 1, but got 1.5"));
        Assert.That(new AlphaDropout(1).Forward(x).ToArray<double>(), Is.All.EqualTo(0));
    }
}
