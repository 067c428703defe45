namespace Autograd.Tests.Ops;

/// <summary>
/// Worked examples for the elementwise primitives of Autograd.Core/Ops/Unary.cs: every value and every gradient is
/// compared with a closed form written out here with System.Math, in float64. Equation numbers refer to the seed
/// document ../shared/seeds/000 (§1.2.1.3 lists the activations, §1.2.1.6 their derivatives).
/// </summary>
public class UnaryTests
{
    private const double Tol = 1e-12;

    private static Tensor Leaf(params double[] values) => Tensor.From(values).RequireGrad();

    private static double[] Apply(double[] x, Func<double, double> f) => x.Select(f).ToArray();

    private static double[] Times(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).ToArray();

    // Runs y = op(x) with a non-uniform seed g and returns (y, x.Grad), so that the gradient is g·f′(x), not just f′(x).
    private static (double[] Y, double[] Grad) Run(double[] x, double[] seed, Func<Tensor, Tensor> op)
    {
        var leaf = Leaf(x);
        var y = op(leaf);
        y.Backward(Tensor.From(seed));
        return (y.ToArray<double>(), leaf.Grad!.ToArray<double>());
    }

    [Test]
    public void Tanh_IsTheSeedsExponentialFormula_WithDerivativeOneMinusTanhSquared()
    {
        double[] x = [-2.0, -0.5, 0.0, 0.3, 1.7];
        double[] g = [1.0, 2.0, -1.0, 0.5, 3.0];
        var (y, grad) = Run(x, g, t => t.Tanh());

        // o = (e^{2v} − 1)/(e^{2v} + 1) (seed 000 eq. 1.19)
        Assert.That(y, Is.EqualTo(Apply(x, v => (Math.Exp(2 * v) - 1) / (Math.Exp(2 * v) + 1))).Within(Tol));
        // ∂o/∂v = 4e^{2v}/(e^{2v} + 1)² (seed 000 eq. 1.20)
        Assert.That(grad, Is.EqualTo(Times(g, Apply(x, v => 4 * Math.Exp(2 * v) / Math.Pow(Math.Exp(2 * v) + 1, 2)))).Within(Tol));
        // d/dv tanh v = 1 − tanh² v (seed 000 eq. 1.21)
        Assert.That(grad, Is.EqualTo(Times(g, Apply(x, v => 1 - Math.Tanh(v) * Math.Tanh(v)))).Within(Tol));
    }

    [Test]
    public void Sigmoid_IsOneOverOnePlusExpMinusV_WithDerivativeOTimesOneMinusO()
    {
        double[] x = [-3.0, -0.25, 0.0, 0.8, 4.0];
        double[] g = [0.5, -1.0, 2.0, 1.0, -3.0];
        var (y, grad) = Run(x, g, t => t.Sigmoid());

        // o = 1/(1 + e^{−v}) (seed 000 eq. 1.16)
        Assert.That(y, Is.EqualTo(Apply(x, v => 1 / (1 + Math.Exp(-v)))).Within(Tol));
        // ∂o/∂v = e^{−v}/(1 + e^{−v})² (seed 000 eq. 1.17)
        Assert.That(grad, Is.EqualTo(Times(g, Apply(x, v => Math.Exp(-v) / Math.Pow(1 + Math.Exp(-v), 2)))).Within(Tol));
        // ∂o/∂v = o(1 − o) (seed 000 eq. 1.18)
        Assert.That(grad, Is.EqualTo(Times(g, Apply(x, v => { double o = 1 / (1 + Math.Exp(-v)); return o * (1 - o); }))).Within(Tol));
    }

    [Test]
    public void Relu_PassesTheGradientOnlyWherePositive()
    {
        double[] x = [-2.0, -0.1, 0.0, 0.1, 3.0];
        double[] g = [1.0, 2.0, 3.0, 4.0, 5.0];
        var (y, grad) = Run(x, g, t => t.Relu());

        // Φ(v) = max{v, 0} (seed 000 §1.2.1.3)
        Assert.That(y, Is.EqualTo(Apply(x, v => Math.Max(v, 0))).Within(Tol));
        // d/dv max{v, 0} = 1 for v > 0, else 0 (seed 000 §1.2.1.6 item 4; at v = 0 PyTorch's 0, the seed says 1)
        Assert.That(grad, Is.EqualTo(new[] { 0.0, 0.0, 0.0, 4.0, 5.0 }).Within(Tol));
    }

    [Test]
    public void Hardtanh_ClipsToMinusOneOne_AndItsGradientIsZeroOutside()
    {
        double[] x = [-3.0, -1.0, -0.5, 0.0, 0.7, 1.0, 2.5];
        double[] g = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        var (y, grad) = Run(x, g, t => t.Hardtanh());

        // Φ(v) = max{min[v, 1], −1} (seed 000 §1.2.1.3)
        Assert.That(y, Is.EqualTo(Apply(x, v => Math.Max(Math.Min(v, 1), -1))).Within(Tol));
        // d/dv hardtanh v = 1 on [−1, +1], else 0 (seed 000 §1.2.1.6 item 4)
        Assert.That(grad, Is.EqualTo(Times(g, Apply(x, v => v >= -1 && v <= 1 ? 1.0 : 0.0))).Within(Tol));
        Assert.That(grad[0], Is.Zero);
        Assert.That(grad[^1], Is.Zero);
    }

    [Test]
    public void Sign_MapsToMinusOneZeroOne_AndHasZeroGradient()
    {
        double[] x = [-2.5, -1e-300, 0.0, 1e-300, 7.0];
        var (y, grad) = Run(x, [1.0, 1.0, 1.0, 1.0, 1.0], t => t.Sign());

        // Φ(v) = sign v (seed 000 eq. 1.1, §1.2.1.3)
        Assert.That(y, Is.EqualTo(Apply(x, v => (double)Math.Sign(v))).Within(Tol));
        // d/dv sign v = 0 wherever it exists (seed 000 §1.2.1.6 item 1)
        Assert.That(grad, Is.All.EqualTo(0.0));
    }

    [Test]
    public void Softplus_StaysFiniteAtPlusMinusHundred()
    {
        double[] x = [-100.0, -1.0, 0.0, 2.0, 100.0];
        double[] g = [1.0, 1.0, 1.0, 1.0, 1.0];
        var (y, grad) = Run(x, g, t => t.Softplus());

        Assert.That(y, Is.All.Matches<double>(double.IsFinite));
        Assert.That(grad, Is.All.Matches<double>(double.IsFinite));
        // softplus v = ln(1 + e^v); at v = −100 it is e^{−100}(1 − e^{−100}/2 …) = e^{−100} to double precision
        Assert.That(y[0], Is.EqualTo(Math.Exp(-100)).Within(1e-12).Percent);
        Assert.That(y[1..4], Is.EqualTo(Apply(x[1..4], v => Math.Log(1 + Math.Exp(v)))).Within(Tol));
        // at v = 100, ln(1 + e^100) = 100 + ln(1 + e^{−100}) = 100 in double
        Assert.That(y[4], Is.EqualTo(100.0).Within(Tol));
        // d/dv ln(1 + e^v) = 1/(1 + e^{−v}) = σ(v) (seed 000 eq. 1.16)
        Assert.That(grad[0], Is.EqualTo(1 / (1 + Math.Exp(100))).Within(1e-12).Percent);
        Assert.That(grad, Is.EqualTo(Apply(x, v => 1 / (1 + Math.Exp(-v)))).Within(Tol));
    }

    [Test]
    public void ExpLogSqrt_HaveTheirTextbookDerivatives()
    {
        double[] x = [0.25, 1.0, 2.0, 3.5];
        double[] g = [1.0, -2.0, 0.5, 3.0];

        var (exp, dExp) = Run(x, g, t => t.Exp());
        Assert.That(exp, Is.EqualTo(Apply(x, Math.Exp)).Within(Tol));
        // d/dx eˣ = eˣ
        Assert.That(dExp, Is.EqualTo(Times(g, Apply(x, Math.Exp))).Within(Tol));

        var (log, dLog) = Run(x, g, t => t.Log());
        Assert.That(log, Is.EqualTo(Apply(x, Math.Log)).Within(Tol));
        // d/dx ln x = 1/x
        Assert.That(dLog, Is.EqualTo(Times(g, Apply(x, v => 1 / v))).Within(Tol));

        var (sqrt, dSqrt) = Run(x, g, t => t.Sqrt());
        Assert.That(sqrt, Is.EqualTo(Apply(x, Math.Sqrt)).Within(Tol));
        // d/dx √x = 1/(2√x)
        Assert.That(dSqrt, Is.EqualTo(Times(g, Apply(x, v => 0.5 / Math.Sqrt(v)))).Within(Tol));
    }

    [Test]
    public void AbsSinCos_HaveTheirTextbookDerivatives()
    {
        double[] x = [-2.0, -0.5, 0.0, 0.75, 3.0];
        double[] g = [2.0, 1.0, 5.0, -1.0, 0.5];

        var (abs, dAbs) = Run(x, g, t => t.Abs());
        Assert.That(abs, Is.EqualTo(Apply(x, Math.Abs)).Within(Tol));
        // d/dx |x| = sign x (0 at x = 0, as PyTorch)
        Assert.That(dAbs, Is.EqualTo(Times(g, Apply(x, v => (double)Math.Sign(v)))).Within(Tol));

        var (sin, dSin) = Run(x, g, t => t.Sin());
        Assert.That(sin, Is.EqualTo(Apply(x, Math.Sin)).Within(Tol));
        // d/dx sin x = cos x
        Assert.That(dSin, Is.EqualTo(Times(g, Apply(x, Math.Cos))).Within(Tol));

        var (cos, dCos) = Run(x, g, t => t.Cos());
        Assert.That(cos, Is.EqualTo(Apply(x, Math.Cos)).Within(Tol));
        // d/dx cos x = −sin x
        Assert.That(dCos, Is.EqualTo(Times(g, Apply(x, v => -Math.Sin(v)))).Within(Tol));
    }

    [TestCase(3.0)]
    [TestCase(2.0)]
    [TestCase(0.5)]
    [TestCase(-1.0)]
    [TestCase(-2.5)]
    public void PowScalar_IsCTimesXToTheCMinusOne(double c)
    {
        double[] x = [0.5, 1.0, 1.5, 4.0];
        double[] g = [1.0, -1.0, 2.0, 0.25];
        var (y, grad) = Run(x, g, t => t.Pow(c));

        Assert.That(y, Is.EqualTo(Apply(x, v => Math.Pow(v, c))).Within(Tol));
        // d/dx xᶜ = c·xᶜ⁻¹
        Assert.That(grad, Is.EqualTo(Times(g, Apply(x, v => c * Math.Pow(v, c - 1)))).Within(Tol));
    }

    [Test]
    public void PowScalar_OddIntegerExponentOfANegativeBase()
    {
        var (y, grad) = Run([-2.0, -0.5], [1.0, 1.0], t => t.Pow(3));

        Assert.That(y, Is.EqualTo(new[] { -8.0, -0.125 }).Within(Tol));
        // d/dx x³ = 3x²
        Assert.That(grad, Is.EqualTo(new[] { 12.0, 0.75 }).Within(Tol));
    }

    [Test]
    public void PowScalar_ExponentZeroIsOneEverywhere_WithZeroGradient_EvenAtZero()
    {
        var (y, grad) = Run([-3.0, 0.0, 2.0], [1.0, 1.0, 1.0], t => t.Pow(0));

        // x⁰ = 1, including 0⁰ = 1 (IEEE pow)
        Assert.That(y, Is.EqualTo(new[] { 1.0, 1.0, 1.0 }).Within(Tol));
        // d/dx x⁰ = 0 (not 0·x⁻¹, which is NaN at x = 0)
        Assert.That(grad, Is.EqualTo(new[] { 0.0, 0.0, 0.0 }));
    }

    [Test]
    public void Clamp_PassesTheGradientInsideTheClosedInterval()
    {
        double[] x = [-2.0, -0.5, 0.0, 1.0, 2.0, 3.0];
        double[] g = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];

        var (y, grad) = Run(x, g, t => t.Clamp(-0.5, 2.0));
        Assert.That(y, Is.EqualTo(Apply(x, v => Math.Clamp(v, -0.5, 2.0))).Within(Tol));
        // d/dx clamp(x, lo, hi) = 1 for lo ≤ x ≤ hi, else 0 (the bounds themselves pass, as torch.clamp)
        Assert.That(grad, Is.EqualTo(new[] { 0.0, 2.0, 3.0, 4.0, 5.0, 0.0 }).Within(Tol));

        var (lower, dLower) = Run(x, g, t => t.Clamp(min: 0.5));
        Assert.That(lower, Is.EqualTo(Apply(x, v => Math.Max(v, 0.5))).Within(Tol));
        Assert.That(dLower, Is.EqualTo(new[] { 0.0, 0.0, 0.0, 4.0, 5.0, 6.0 }).Within(Tol));

        var (upper, dUpper) = Run(x, g, t => t.Clamp(max: 0.0));
        Assert.That(upper, Is.EqualTo(Apply(x, v => Math.Min(v, 0.0))).Within(Tol));
        Assert.That(dUpper, Is.EqualTo(new[] { 1.0, 2.0, 3.0, 0.0, 0.0, 0.0 }).Within(Tol));
    }

    [Test]
    public void Tanh_SecondDerivativeThroughCreateGraph()
    {
        double[] x = [-1.5, -0.2, 0.0, 0.6, 2.0];
        var leaf = Leaf(x);
        var dy = Autodiff.Grad(leaf.Tanh().Sum(), leaf, createGraph: true);
        var d2y = Autodiff.Grad(dy.Sum(), leaf);

        // d/dx tanh x = 1 − tanh² x (seed 000 eq. 1.21)
        Assert.That(dy.ToArray<double>(), Is.EqualTo(Apply(x, v => 1 - Math.Tanh(v) * Math.Tanh(v))).Within(Tol));
        // d²/dx² tanh x = −2 tanh x (1 − tanh² x)
        Assert.That(d2y.ToArray<double>(), Is.EqualTo(Apply(x, v => -2 * Math.Tanh(v) * (1 - Math.Tanh(v) * Math.Tanh(v)))).Within(Tol));
    }

    [Test]
    public void Sigmoid_SecondDerivativeThroughCreateGraph()
    {
        double[] x = [-2.0, -0.5, 0.0, 1.0, 3.0];
        var leaf = Leaf(x);
        var dy = Autodiff.Grad(leaf.Sigmoid().Sum(), leaf, createGraph: true);
        var d2y = Autodiff.Grad(dy.Sum(), leaf);

        static double S(double v) => 1 / (1 + Math.Exp(-v));
        // d/dv σ = σ(1 − σ) (seed 000 eq. 1.18)
        Assert.That(dy.ToArray<double>(), Is.EqualTo(Apply(x, v => S(v) * (1 - S(v)))).Within(Tol));
        // d²/dv² σ = σ(1 − σ)(1 − 2σ)
        Assert.That(d2y.ToArray<double>(), Is.EqualTo(Apply(x, v => S(v) * (1 - S(v)) * (1 - 2 * S(v)))).Within(Tol));
    }
}
