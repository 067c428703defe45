using Autograd.Nn;

namespace Autograd.Tests.Ops;

/// <summary>
/// The composite activations at their kinks, where GradCheck cannot look: each gradient is PyTorch's backward formula
/// (leaky_relu_backward: slope where x ≤ 0; relu6 = hardtanh(0, 6): 0 at both bounds), and the modules' repr.
/// </summary>
public class ActivationTests
{
    private static double[] Grad(Func<Tensor, Tensor> f, double[] xs)
    {
        var x = Tensor.From(xs).RequireGrad();
        f(x).Sum().Backward();
        return x.Grad!.ToArray<double>();
    }

    [Test]
    public void LeakyRelu_ValuesAndGradientAtZeroAreTheSlope()
    {
        double[] xs = [-2, -0.0, 0, 1e-300, 3];
        Assert.That(Tensor.From(xs).LeakyRelu().ToArray<double>(), Is.EqualTo(new[] { -0.02, 0, 0, 1e-300, 3 }));
        Assert.That(Grad(x => x.LeakyRelu(), xs), Is.EqualTo(new[] { 0.01, 0.01, 0.01, 1, 1 }));
        Assert.That(Grad(x => new LeakyReLU(0.2).Forward(x), xs), Is.EqualTo(new[] { 0.2, 0.2, 0.2, 1, 1 }));
    }

    [Test]
    public void Relu6_PassesNoGradientAtZeroOrSix()
    {
        double[] xs = [-1, 0, 0.5, 6, 7];
        Assert.That(Tensor.From(xs).Relu6().ToArray<double>(), Is.EqualTo(new[] { 0, 0, 0.5, 6, 6 }));
        Assert.That(Grad(x => x.Relu6(), xs), Is.EqualTo(new double[] { 0, 0, 1, 0, 0 }));
        Assert.That(Grad(x => new ReLU6().Forward(x), xs), Is.EqualTo(new double[] { 0, 0, 1, 0, 0 }));
    }

    [Test]
    public void Silu_AtZeroHasHalfSlope()
    {
        // silu'(0) = σ(0)(1 + 0) = 0.5; silu(x) → 0 for large negative x, without NaN.
        Assert.That(Grad(x => new SiLU().Forward(x), [0.0]), Is.EqualTo(new[] { 0.5 }));
        Assert.That(Tensor.From([-800.0, 800.0]).Silu().ToArray<double>(), Is.EqualTo(new[] { -0.0, 800 }));
    }

    [Test]
    public void Softsign_HasSlopeOneAtZero()
    {
        Assert.That(Tensor.From([-3.0, 0, 1]).Softsign().ToArray<double>(), Is.EqualTo(new[] { -0.75, 0, 0.5 }));
        Assert.That(Grad(x => new Softsign().Forward(x), [0.0, 1.0]), Is.EqualTo(new[] { 1, 0.25 }));
        Assert.That(Grad(x => new Tanhshrink().Forward(x), [0.0]), Is.EqualTo(new[] { 0.0 }));
    }

    [Test]
    public void Hardsigmoid_PassesOneSixthOnlyInsideTheOpenInterval()
    {
        double[] xs = [-4, -3, 0, 3, 4];
        Assert.That(Tensor.From(xs).Hardsigmoid().ToArray<double>(), Is.EqualTo(new[] { 0, 0, 0.5, 1, 1 }));
        Assert.That(Grad(x => new Hardsigmoid().Forward(x), xs), Is.EqualTo(new[] { 0, 0, 1 / 6.0, 0, 0 }));
    }

    [Test]
    public void Hardswish_AtItsKinksIsPyTorchsBackward()
    {
        // hardswish_backward: 0 for x < −3, x/3 + 1/2 for −3 ≤ x ≤ 3, 1 above.
        double[] xs = [-4, -3, 0, 3, 4];
        Assert.That(Tensor.From(xs).Hardswish().ToArray<double>(), Is.EqualTo(new[] { 0, 0, 0, 3, 4 }));
        Assert.That(Grad(x => new Hardswish().Forward(x), xs), Is.EqualTo(new[] { 0, -0.5, 0.5, 1.5, 1 }));
    }

    [Test]
    public void LogSigmoid_IsFiniteForLargeMagnitudes()
    {
        // ln σ(−800) = −800 − ln(1 + e^−800) = −800; ln σ(800) = −ln(1 + e^−800), which rounds to −0.
        var y = Tensor.From([-800.0, 0, 800]).LogSigmoid().ToArray<double>();
        Assert.That(y, Is.EqualTo(new[] { -800, -Math.Log(2), 0 }).Within(1e-15));
        Assert.That(Grad(x => new LogSigmoid().Forward(x), [-800.0, 0, 800]), Is.EqualTo(new[] { 1, 0.5, 0 }).Within(1e-15));
    }

    [Test]
    public void Elu_GradientIsAlphaAtZeroAndFiniteForLargeInputs()
    {
        double[] xs = [-1, 0, 2, 800];
        Assert.That(Tensor.From(xs).Elu(0.5).ToArray<double>(), Is.EqualTo(new[] { 0.5 * (Math.Exp(-1) - 1), 0, 2, 800 }).Within(1e-15));
        Assert.That(Grad(x => new ELU(0.5).Forward(x), xs), Is.EqualTo(new[] { 0.5 * Math.Exp(-1), 0.5, 1, 1 }).Within(1e-15));
    }

    [Test]
    public void Modules_PrintAsPyTorch()
    {
        Assert.That(new LeakyReLU().ToString(), Is.EqualTo("LeakyReLU(negative_slope=0.01)"));
        Assert.That(new LeakyReLU(0.2).ExtraRepr(), Is.EqualTo("negative_slope=0.2"));
        Assert.That(new ReLU6().ToString(), Is.EqualTo("ReLU6()"));
        Assert.That(new SiLU().ToString(), Is.EqualTo("SiLU()"));
        Assert.That(new Softsign().ToString(), Is.EqualTo("Softsign()"));
        Assert.That(new Tanhshrink().ToString(), Is.EqualTo("Tanhshrink()"));
        Assert.That(new Hardsigmoid().ToString(), Is.EqualTo("Hardsigmoid()"));
        Assert.That(new Hardswish().ToString(), Is.EqualTo("Hardswish()"));
        Assert.That(new LogSigmoid().ToString(), Is.EqualTo("LogSigmoid()"));
        Assert.That(new ELU().ToString(), Is.EqualTo("ELU(alpha=1.0)"));
    }
}
