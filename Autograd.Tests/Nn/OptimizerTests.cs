using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

/// <summary>
/// Optimizers against hand computations: every expected parameter value is computed here, element by element with
/// plain doubles, following the algorithm in PyTorch's torch.optim documentation (SGD, Adam, AdamW, RMSprop) — never
/// by the code under test. Most tests minimize the quadratic L(θ) = Σᵢ ½cᵢθᵢ² + bᵢθᵢ, whose gradient is
/// gᵢ = cᵢθᵢ + bᵢ, with gradients from Backward; some set <see cref="Tensor.Grad"/> directly.
/// </summary>
public class OptimizerTests
{
    private const double Tol = 1e-12;

    private static readonly double[] C = [2.0, 0.5];
    private static readonly double[] B = [-1.0, 0.3];
    private static readonly double[] Theta0 = [1.5, -2.0];

    private static Parameter NewParam(double[]? values = null) => new(Tensor.From((double[])(values ?? Theta0).Clone()));

    /// <summary>Sets θ.Grad to ∇L(θ) by backward through the quadratic.</summary>
    private static void QuadraticBackward(Tensor theta)
    {
        var loss = (Tensor.From(C) * theta * theta * 0.5 + Tensor.From(B) * theta).Sum();
        loss.Backward();
    }

    private static double QuadraticGrad(int i, double theta) => C[i] * theta + B[i];

    private static double[] RunQuadratic(Optimizer optimizer, Tensor theta, int steps = 3)
    {
        for (int t = 0; t < steps; t++)
        {
            optimizer.ZeroGrad();
            QuadraticBackward(theta);
            optimizer.Step();
        }
        return theta.ToArray<double>();
    }

    // ---------------------------------------------------------------- SGD

    [Test]
    public void SgdPlainStepsAreThetaMinusLrTimesGrad()
    {
        // θ ← θ − 0.1·g with gradients set by hand; the values are written out.
        var p = NewParam([1.0, -2.0]);
        var sgd = new SGD([p], lr: 0.1);
        p.Grad = Tensor.From(new double[] { 0.5, -1.0 });
        sgd.Step(); // [1 − 0.05, −2 + 0.1]
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 0.95, -1.9 }).Within(Tol));
        p.Grad = Tensor.From(new double[] { 0.25, 0.5 });
        sgd.Step(); // [0.95 − 0.025, −1.9 − 0.05]
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 0.925, -1.95 }).Within(Tol));
        p.Grad = Tensor.From(new double[] { -1.0, 2.0 });
        sgd.Step(); // [0.925 + 0.1, −1.95 − 0.2]
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 1.025, -2.15 }).Within(Tol));
        Assert.That(sgd.StateDict().Keys, Has.None.StartsWith("state."), "plain SGD keeps no state");
    }

    [Test]
    public void SgdMomentumWithDampeningAndWeightDecayMatchesTheHandComputation()
    {
        const double lr = 0.1, mu = 0.9, tau = 0.1, wd = 0.01;
        var p = NewParam();
        var actual = RunQuadratic(new SGD([p], lr, momentum: mu, dampening: tau, weightDecay: wd), p);

        // g ← g + λθ; b₁ = g (no dampening on the first step), bₜ = μbₜ₋₁ + (1 − τ)g; θ ← θ − γb.
        double[] theta = [.. Theta0], buf = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = QuadraticGrad(i, theta[i]) + wd * theta[i];
                buf[i] = t == 1 ? g : mu * buf[i] + (1 - tau) * g;
                theta[i] -= lr * buf[i];
            }
        Assert.That(actual, Is.EqualTo(theta).Within(Tol));
    }

    [Test]
    public void SgdNesterovMatchesTheHandComputation()
    {
        const double lr = 0.05, mu = 0.8, wd = 0.02;
        var p = NewParam();
        var actual = RunQuadratic(new SGD([p], lr, momentum: mu, weightDecay: wd, nesterov: true), p);

        // bₜ = μbₜ₋₁ + g (b₁ = g); θ ← θ − γ(g + μbₜ).
        double[] theta = [.. Theta0], buf = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = QuadraticGrad(i, theta[i]) + wd * theta[i];
                buf[i] = t == 1 ? g : mu * buf[i] + g;
                theta[i] -= lr * (g + mu * buf[i]);
            }
        Assert.That(actual, Is.EqualTo(theta).Within(Tol));
    }

    // ---------------------------------------------------------------- Adam / AdamW

    /// <summary>
    /// Adam by the documented algorithm: mₜ = β₁mₜ₋₁ + (1 − β₁)g, vₜ = β₂vₜ₋₁ + (1 − β₂)g², m̂ = mₜ/(1 − β₁ᵗ),
    /// v̂ = vₜ/(1 − β₂ᵗ), θ ← θ − γm̂/(√v̂ + ε); with λ ≠ 0, g ← g + λθ (Adam) or θ ← θ(1 − γλ) first (AdamW).
    /// </summary>
    private static double[] AdamByHand(double lr, double b1, double b2, double eps, double wd, bool decoupled)
    {
        double[] theta = [.. Theta0], m = new double[2], v = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = QuadraticGrad(i, theta[i]);
                if (decoupled) theta[i] *= 1 - lr * wd;
                else g += wd * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        return theta;
    }

    [Test]
    public void AdamWithDefaultBetasMatchesTheHandComputation()
    {
        var p = NewParam();
        var actual = RunQuadratic(new Adam([p], lr: 0.1), p);
        Assert.That(actual, Is.EqualTo(AdamByHand(0.1, 0.9, 0.999, 1e-8, 0, decoupled: false)).Within(Tol));
    }

    [Test]
    public void AdamWithWeightDecayAndALargeEpsilonMatchesTheHandComputation()
    {
        // ε = 0.1 makes its place (after the bias correction of √v) visible; β₁ = 0.3 < 0.5 takes lerp's other branch.
        var p = NewParam();
        var actual = RunQuadratic(new Adam([p], lr: 0.05, beta1: 0.3, beta2: 0.95, eps: 0.1, weightDecay: 0.1), p);
        Assert.That(actual, Is.EqualTo(AdamByHand(0.05, 0.3, 0.95, 0.1, 0.1, decoupled: false)).Within(Tol));
    }

    [Test]
    public void AdamAmsGradKeepsTheMaximumOfTheRawSecondMomentAsPyTorchDoes()
    {
        // PyTorch's code keeps v_max = max(v_max, vₜ) over the *uncorrected* vₜ and divides √v_max by √(1 − β₂ᵗ) of
        // the current step (pytorch/pytorch#142323: the docs' max over v̂ differs; the code is what runs). A large
        // first gradient followed by small ones makes v_max differ from vₜ.
        const double lr = 0.1, b1 = 0.9, b2 = 0.9, eps = 1e-8;
        double[][] grads = [[4.0, -3.0], [0.1, 0.2], [0.5, -0.1]];
        var p = NewParam([1.0, -1.0]);
        var adam = new Adam([p], lr, b1, b2, eps, amsgrad: true);
        foreach (var g in grads)
        {
            p.Grad = Tensor.From(g);
            adam.Step();
        }

        double[] theta = [1.0, -1.0], m = new double[2], v = new double[2], vMax = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = grads[t - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vMax[i] = Math.Max(vMax[i], v[i]);
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                theta[i] -= lr * mHat / (Math.Sqrt(vMax[i] / (1 - Math.Pow(b2, t))) + eps);
            }
        Assert.That(p.ToArray<double>(), Is.EqualTo(theta).Within(Tol));
        Assert.That(adam.StateDict()["state.0.max_exp_avg_sq"].ToArray<double>(), Is.EqualTo(vMax).Within(Tol));
    }

    [Test]
    public void AdamWDecaysTheParameterBeforeTheAdamUpdate()
    {
        var p = NewParam();
        var actual = RunQuadratic(new AdamW([p], lr: 0.1, weightDecay: 0.1), p);
        Assert.That(actual, Is.EqualTo(AdamByHand(0.1, 0.9, 0.999, 1e-8, 0.1, decoupled: true)).Within(Tol));
    }

    [Test]
    public void AdamWDefaultsToWeightDecayOneHundredth()
    {
        var p = NewParam();
        var adamW = new AdamW([p]);
        Assert.That(adamW.WeightDecay, Is.EqualTo(1e-2));
        Assert.That(adamW.LearningRate, Is.EqualTo(1e-3));
        var actual = RunQuadratic(adamW, p);
        Assert.That(actual, Is.EqualTo(AdamByHand(1e-3, 0.9, 0.999, 1e-8, 1e-2, decoupled: true)).Within(Tol));
    }

    // ---------------------------------------------------------------- RMSprop

    [Test]
    public void RMSpropMatchesTheHandComputation()
    {
        const double lr = 0.01, alpha = 0.99, eps = 1e-8;
        var p = NewParam();
        var actual = RunQuadratic(new RMSprop([p]), p);

        // vₜ = αvₜ₋₁ + (1 − α)g²; θ ← θ − γg/(√vₜ + ε).
        double[] theta = [.. Theta0], v = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = QuadraticGrad(i, theta[i]);
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                theta[i] -= lr * g / (Math.Sqrt(v[i]) + eps);
            }
        Assert.That(actual, Is.EqualTo(theta).Within(Tol));
    }

    [Test]
    public void RMSpropCenteredWithMomentumAndWeightDecayMatchesTheHandComputation()
    {
        const double lr = 0.01, alpha = 0.9, eps = 1e-4, wd = 0.05, mu = 0.8;
        var p = NewParam();
        var actual = RunQuadratic(new RMSprop([p], lr, alpha, eps, weightDecay: wd, momentum: mu, centered: true), p);

        // g ← g + λθ; vₜ = αv + (1 − α)g²; aₜ = αa + (1 − α)g; d = √(vₜ − aₜ²) + ε; bₜ = μb + g/d; θ ← θ − γbₜ.
        double[] theta = [.. Theta0], v = new double[2], a = new double[2], buf = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = QuadraticGrad(i, theta[i]) + wd * theta[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                a[i] = alpha * a[i] + (1 - alpha) * g;
                double d = Math.Sqrt(v[i] - a[i] * a[i]) + eps;
                buf[i] = mu * buf[i] + g / d;
                theta[i] -= lr * buf[i];
            }
        Assert.That(actual, Is.EqualTo(theta).Within(Tol));
    }

    [Test]
    public void RMSpropWithMomentumOnlyMatchesTheHandComputation()
    {
        const double lr = 0.02, alpha = 0.5, eps = 1e-3, mu = 0.5;
        var p = NewParam();
        var actual = RunQuadratic(new RMSprop([p], lr, alpha, eps, momentum: mu), p);

        double[] theta = [.. Theta0], v = new double[2], buf = new double[2];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double g = QuadraticGrad(i, theta[i]);
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                buf[i] = mu * buf[i] + g / (Math.Sqrt(v[i]) + eps);
                theta[i] -= lr * buf[i];
            }
        Assert.That(actual, Is.EqualTo(theta).Within(Tol));
    }

    // ---------------------------------------------------------------- common behaviour

    [Test]
    public void AParameterWithoutGradientIsUntouchedAndGetsNoState()
    {
        // Weight decay would move it if it were visited: it must not be (PyTorch skips p.grad is None).
        foreach (var make in new Func<Tensor[], Optimizer>[]
                 {
                     ps => new SGD(ps, 0.1, momentum: 0.9, weightDecay: 0.5),
                     ps => new Adam(ps, 0.1, weightDecay: 0.5, amsgrad: true),
                     ps => new AdamW(ps, 0.1, weightDecay: 0.5),
                     ps => new RMSprop(ps, 0.1, weightDecay: 0.5, momentum: 0.5, centered: true),
                 })
        {
            var used = NewParam();
            var unused = NewParam([3.0, 4.0]);
            var optimizer = make([used, unused]);
            for (int t = 0; t < 3; t++)
            {
                used.Grad = Tensor.From(new double[] { 1.0, -1.0 });
                optimizer.Step();
            }
            string name = optimizer.GetType().Name;
            Assert.That(unused.ToArray<double>(), Is.EqualTo(new[] { 3.0, 4.0 }), name);
            Assert.That(unused.VersionNumber, Is.Zero, $"{name} wrote into the parameter without gradient");
            Assert.That(unused.Grad, Is.Null, name);
            Assert.That(used.ToArray<double>(), Is.Not.EqualTo(Theta0), name);
            Assert.That(optimizer.StateDict().Keys.Where(k => k.StartsWith("state.1.", StringComparison.Ordinal)), Is.Empty, name);
        }
    }

    [Test]
    public void StepDoesNotModifyTheGradientAndKeepsTheParameterALeaf()
    {
        var p = NewParam();
        var adam = new Adam([p], lr: 0.1, weightDecay: 0.3);
        var g = Tensor.From(new double[] { 0.5, -0.25 });
        p.Grad = g;
        adam.Step();
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 0.5, -0.25 }));
        Assert.That(g.VersionNumber, Is.Zero);
        Assert.That(p.IsLeaf && p.RequiresGrad, Is.True);
        Assert.That(Autodiff.IsGradEnabled, Is.True, "Step restores grad mode");
    }

    [Test]
    public void GradientsThatRequireGradOrAreStridedViewsWork()
    {
        // A gradient from Backward(createGraph: true) is on the graph; a transposed gradient is not contiguous.
        var p = NewParam();
        var adam = new Adam([p], 0.1);
        (p * p).Sum().Backward(createGraph: true); // g = 2θ
        Assert.That(p.Grad!.RequiresGrad, Is.True);
        adam.Step();
        Assert.That(adam.StateDict()["state.0.exp_avg"].RequiresGrad, Is.False);
        // First Adam step: m̂ = g, v̂ = g², so θ ← θ − 0.1·g/(|g| + 1e-8).
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 1.5 - 0.1 * 3 / (3 + 1e-8), -2.0 + 0.1 * 4 / (4 + 1e-8) }).Within(Tol));

        var w = new Parameter(Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2));
        var sgd = new SGD([w], 0.5, momentum: 0.5);
        for (int t = 0; t < 2; t++)
        {
            w.Grad = Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2).T; // [[1, 3], [2, 4]]
            sgd.Step();
        }
        // b₁ = g, b₂ = 0.5·g + g = 1.5·g; θ ← θ − 0.5·(g + 1.5·g) = θ − 1.25·g.
        Assert.That(w.ToArray<double>(), Is.EqualTo(new[] { 1 - 1.25, 2 - 3.75, 3 - 2.5, 4 - 5.0 }).Within(Tol));
    }

    [Test]
    public void Float32ParametersAreUpdatedInFloat32()
    {
        var p = new Parameter(Tensor.From(new float[] { 1.5f, -2.0f }));
        var adam = new Adam([p], lr: 0.1, amsgrad: true);
        var actual = RunQuadratic(adam, p);
        Assert.That(p.DType, Is.EqualTo(DType.Float32));
        foreach (var (name, value) in adam.StateDict().Where(kv => kv.Key.StartsWith("state.0.exp", StringComparison.Ordinal)))
            Assert.That(value.DType, Is.EqualTo(DType.Float32), name);
        // Float32 rounding only: the double-precision hand computation within float32 accuracy.
        Assert.That(actual, Is.EqualTo(AdamByHand(0.1, 0.9, 0.999, 1e-8, 0, decoupled: false)).Within(1e-5));
    }

    [Test]
    public void ZeroGradSetsGradientsToNullOrZerosThemInPlace()
    {
        var p = NewParam();
        var q = NewParam();
        var sgd = new SGD([p, q], 0.1);
        p.Grad = Tensor.From(new double[] { 1, 2 });
        var qGrad = Tensor.From(new double[] { 3, 4 });
        q.Grad = qGrad;
        sgd.ZeroGrad(setToNone: false);
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0 }));
        Assert.That(q.Grad, Is.SameAs(qGrad));
        Assert.That(qGrad.ToArray<double>(), Is.EqualTo(new double[] { 0, 0 }));
        sgd.ZeroGrad();
        Assert.That(p.Grad, Is.Null);
        Assert.That(q.Grad, Is.Null);
    }

    [Test]
    public void TheLearningRateCanBeChangedBetweenSteps()
    {
        var p = NewParam([1.0, 1.0]);
        var sgd = new SGD([p], 0.1);
        p.Grad = Tensor.From(new double[] { 1.0, 2.0 });
        sgd.LearningRate = 0.5;
        sgd.Step(); // θ − 0.5·g
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 0.5, 0.0 }).Within(Tol));
        var e = Assert.Throws<ArgumentException>(() => sgd.LearningRate = -0.5);
        Assert.That(e!.Message, Does.Contain("SGD").And.Contain("-0.5"));
        Assert.That(sgd.LearningRate, Is.EqualTo(0.5));
    }

    private static IEnumerable<TestCaseData> InvalidHyperparameters()
    {
        Tensor[] ps = [NewParam()];
        yield return Case(() => new SGD(ps, lr: -0.1), "SGD", "learning rate", "-0.1");
        yield return Case(() => new SGD(ps, lr: double.NaN), "SGD", "learning rate", "NaN");
        yield return Case(() => new SGD(ps, 0.1, momentum: -0.5), "SGD", "momentum", "-0.5");
        yield return Case(() => new SGD(ps, 0.1, weightDecay: -1), "SGD", "weight decay", "-1");
        yield return Case(() => new SGD(ps, 0.1, dampening: double.PositiveInfinity), "SGD", "dampening", "Infinity");
        yield return Case(() => new SGD(ps, 0.1, nesterov: true), "SGD", "Nesterov", "momentum 0");
        yield return Case(() => new SGD(ps, 0.1, momentum: 0.9, dampening: 0.1, nesterov: true), "SGD", "Nesterov", "dampening 0.1");
        yield return Case(() => new Adam(ps, lr: -1e-3), "Adam", "learning rate", "-0.001");
        yield return Case(() => new Adam(ps, beta1: 1.0), "Adam", "beta1", "1");
        yield return Case(() => new Adam(ps, beta1: -0.1), "Adam", "beta1", "-0.1");
        yield return Case(() => new Adam(ps, beta2: 1.5), "Adam", "beta2", "1.5");
        yield return Case(() => new Adam(ps, beta2: double.NaN), "Adam", "beta2", "NaN");
        yield return Case(() => new Adam(ps, eps: -1e-8), "Adam", "epsilon", "-1E-08");
        yield return Case(() => new Adam(ps, weightDecay: -0.1), "Adam", "weight decay", "-0.1");
        yield return Case(() => new AdamW(ps, beta1: 1.0), "AdamW", "beta1", "1");
        yield return Case(() => new AdamW(ps, weightDecay: -0.01), "AdamW", "weight decay", "-0.01");
        yield return Case(() => new AdamW(ps, lr: -2), "AdamW", "learning rate", "-2");
        yield return Case(() => new RMSprop(ps, lr: -0.01), "RMSprop", "learning rate", "-0.01");
        yield return Case(() => new RMSprop(ps, alpha: -0.5), "RMSprop", "alpha", "-0.5");
        yield return Case(() => new RMSprop(ps, eps: -1), "RMSprop", "epsilon", "-1");
        yield return Case(() => new RMSprop(ps, momentum: -0.9), "RMSprop", "momentum", "-0.9");
        yield return Case(() => new RMSprop(ps, weightDecay: double.NegativeInfinity), "RMSprop", "weight decay", "-Infinity");

        static TestCaseData Case(Func<Optimizer> make, params string[] fragments) =>
            new TestCaseData(make, fragments).SetArgDisplayNames(string.Join(" ", fragments));
    }

    [TestCaseSource(nameof(InvalidHyperparameters))]
    public void InvalidHyperparametersThrowNamingTheOptimizerAndTheValue(Func<Optimizer> make, string[] fragments)
    {
        var e = Assert.Throws<ArgumentException>(() => make());
        foreach (var f in fragments) Assert.That(e!.Message, Does.Contain(f));
    }

    [Test]
    public void InvalidParameterListsThrow()
    {
        var p = NewParam();
        Assert.That(Assert.Throws<ArgumentException>(() => new SGD(Array.Empty<Tensor>(), 0.1))!.Message, Does.Contain("empty"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Adam([p, p]))!.Message, Does.Contain("parameter 1").And.Contain("parameter 0"));
        var nonLeaf = p * 2.0;
        Assert.That(Assert.Throws<ArgumentException>(() => new RMSprop([nonLeaf]))!.Message, Does.Contain("not a leaf"));
        Assert.That(Assert.Throws<ArgumentException>(() => new SGD([Tensor.From(new long[] { 1 })], 0.1))!.Message, Does.Contain("int64"));
        Assert.Throws<ArgumentNullException>(() => new SGD((IEnumerable<Tensor>)null!, 0.1));
    }

    [Test]
    public void ParametersOfAModuleCanBeOptimized()
    {
        // Optimizers take IEnumerable<Tensor>, so Module.Parameters() (IEnumerable<Parameter>) passes as is.
        IEnumerable<Parameter> parameters = [NewParam()];
        var sgd = new SGD(parameters, 0.1);
        Assert.That(sgd.Parameters, Has.Count.EqualTo(1));
    }

    // ---------------------------------------------------------------- state dictionaries

    private static IEnumerable<TestCaseData> Factories()
    {
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new SGD(ps, 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01))).SetArgDisplayNames("SGD momentum");
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new SGD(ps, 0.1, momentum: 0.9, nesterov: true))).SetArgDisplayNames("SGD nesterov");
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new Adam(ps, 0.1, weightDecay: 0.01))).SetArgDisplayNames("Adam");
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new Adam(ps, 0.1, beta2: 0.9, amsgrad: true))).SetArgDisplayNames("Adam amsgrad");
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new AdamW(ps, 0.1, amsgrad: true))).SetArgDisplayNames("AdamW amsgrad");
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new RMSprop(ps, 0.01))).SetArgDisplayNames("RMSprop");
        yield return new TestCaseData(new Func<Tensor[], Optimizer>(ps => new RMSprop(ps, 0.01, momentum: 0.5, centered: true))).SetArgDisplayNames("RMSprop centered momentum");
    }

    [TestCaseSource(nameof(Factories))]
    public void AStateDictRoundTripGivesIdenticalSubsequentSteps(Func<Tensor[], Optimizer> make)
    {
        var p = NewParam();
        var q = new Parameter(Tensor.From(new double[] { 0.5, -0.5, 0.25, 1.0 }, 2, 2));
        var original = make([p, q]);
        void Grads(Tensor a, Tensor b, int t)
        {
            a.Grad = Tensor.From(new[] { 0.3 * t - 1, 0.7 - 0.2 * t });
            b.Grad = Tensor.From(new[] { 0.1 * t, -0.4, 2.0 - t, 0.05 * t * t }, 2, 2);
        }
        for (int t = 0; t < 2; t++)
        {
            Grads(p, q, t);
            original.Step();
        }
        original.LearningRate *= 0.5;
        var saved = original.StateDict();

        var p2 = new Parameter(Tensor.From(p.ToArray<double>()));
        var q2 = new Parameter(Tensor.From(q.ToArray<double>(), 2, 2));
        var restored = make([p2, q2]);
        restored.LoadStateDict(saved);
        Assert.That(restored.LearningRate, Is.EqualTo(original.LearningRate));
        // The loaded tensors are copies: changing the dictionary afterwards does not reach the optimizer.
        using (Autodiff.NoGrad())
            foreach (var value in saved.Values)
                value.Fill(1234);

        for (int t = 2; t < 5; t++)
        {
            Grads(p, q, t);
            original.Step();
            Grads(p2, q2, t);
            restored.Step();
            Assert.That(p2.ToArray<double>(), Is.EqualTo(p.ToArray<double>()), $"step {t}");
            Assert.That(q2.ToArray<double>(), Is.EqualTo(q.ToArray<double>()), $"step {t}");
        }
        AssertSameState(restored.StateDict(), original.StateDict());
    }

    [Test]
    public void AdamStateDictHasPyTorchNamesScalarsAsZeroDimensionalFloat64AndCopies()
    {
        var p = NewParam();
        var adam = new Adam([p], 0.1, amsgrad: true);
        RunQuadratic(adam, p, steps: 2);
        var state = adam.StateDict();
        Assert.That(state.Keys, Is.EquivalentTo(new[]
        {
            "num_params", "num_param_groups", "param_groups.0.num_params", "param_groups.0.lr", "param_groups.0.beta1", "param_groups.0.beta2",
            "param_groups.0.eps", "param_groups.0.weight_decay", "param_groups.0.amsgrad", "param_groups.0.maximize",
            "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
        }));
        foreach (var key in new[] { "param_groups.0.lr", "num_params", "state.0.step" })
        {
            Assert.That(state[key].Rank, Is.Zero, key);
            Assert.That(state[key].DType, Is.EqualTo(DType.Float64), key);
        }
        Assert.That(state["param_groups.0.lr"].Item(), Is.EqualTo(0.1));
        Assert.That(state["param_groups.0.amsgrad"].Item(), Is.EqualTo(1));
        Assert.That(state["num_params"].Item(), Is.EqualTo(1));
        Assert.That(state["state.0.step"].Item(), Is.EqualTo(2));
        Assert.That(state["state.0.exp_avg"].Shape, Is.EqualTo(new[] { 2 }));

        // A snapshot: later steps do not change it, and writing into it does not change the optimizer.
        var expAvg = state["state.0.exp_avg"].ToArray<double>();
        RunQuadratic(adam, p, steps: 1);
        Assert.That(state["state.0.exp_avg"].ToArray<double>(), Is.EqualTo(expAvg));
        var now = adam.StateDict()["state.0.exp_avg"].ToArray<double>();
        adam.StateDict()["state.0.exp_avg"].Fill(99);
        Assert.That(adam.StateDict()["state.0.exp_avg"].ToArray<double>(), Is.EqualTo(now));
        Assert.That(adam.StateDict()["state.0.step"].Item(), Is.EqualTo(3));
    }

    [Test]
    public void LoadingAStateWithoutPerParameterEntriesRestartsTheParameterFromScratch()
    {
        // PyTorch's load_state_dict replaces the state wholesale: a parameter absent from it starts over (step 1).
        var p = NewParam();
        var adam = new Adam([p], 0.1);
        RunQuadratic(adam, p, steps: 2);
        var groupsOnly = adam.StateDict().Where(kv => !kv.Key.StartsWith("state.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        adam.LoadStateDict(groupsOnly);
        Assert.That(adam.StateDict().Keys, Is.EquivalentTo(groupsOnly.Keys));

        var fresh = new Parameter(Tensor.From(p.ToArray<double>()));
        var reference = new Adam([fresh], 0.1);
        p.Grad = Tensor.From(new double[] { 0.5, -0.5 });
        fresh.Grad = Tensor.From(new double[] { 0.5, -0.5 });
        adam.Step();
        reference.Step();
        Assert.That(p.ToArray<double>(), Is.EqualTo(fresh.ToArray<double>()));
    }

    private static IEnumerable<TestCaseData> BadStateDicts()
    {
        static TestCaseData Case(string name, Action<Dictionary<string, Tensor>> corrupt, params string[] fragments) =>
            new TestCaseData(corrupt, fragments).SetArgDisplayNames(name);

        yield return Case("missing buffer", s => s.Remove("state.0.exp_avg_sq"), "missing 'state.0.exp_avg_sq'");
        yield return Case("missing step", s => s.Remove("state.1.step"), "missing 'state.1.step'");
        yield return Case("missing lr", s => s.Remove("param_groups.0.lr"), "missing 'param_groups.0.lr'");
        yield return Case("missing num_params", s => s.Remove("num_params"), "missing 'num_params'");
        yield return Case("unknown buffer", s => s["state.0.momentum_buffer"] = Tensor.Zeros([2], DType.Float64),
            "unexpected 'state.0.momentum_buffer'", "'exp_avg'");
        yield return Case("unknown top-level name", s => s["betas"] = Tensor.Scalar(0.9, DType.Float64), "unexpected 'betas'");
        yield return Case("non-canonical index", s => s["state.01.exp_avg"] = Tensor.Zeros([2], DType.Float64), "unexpected 'state.01.exp_avg'");
        yield return Case("index out of range", s => s["state.2.exp_avg"] = Tensor.Zeros([2], DType.Float64),
            "'state.2.exp_avg' refers to parameter 2", "2 parameters");
        yield return Case("wrong shape", s => s["state.1.exp_avg"] = Tensor.Zeros([4], DType.Float64),
            "'state.1.exp_avg' has shape [4], expected [2, 2]");
        yield return Case("wrong dtype", s => s["state.0.exp_avg"] = Tensor.Zeros([2], DType.Float32),
            "'state.0.exp_avg' has dtype float32, expected float64");
        yield return Case("wrong parameter count", s => s["num_params"] = Tensor.Scalar(3, DType.Float64),
            "'num_params' is 3 but the optimizer has 2 parameters");
        yield return Case("fractional step", s => s["state.0.step"] = Tensor.Scalar(1.5, DType.Float64), "'state.0.step' is 1.5");
        yield return Case("negative step", s => s["state.0.step"] = Tensor.Scalar(-1, DType.Float64), "'state.0.step' is -1");
        yield return Case("float32 step", s => s["state.0.step"] = Tensor.Scalar(1, DType.Float32), "'state.0.step' has dtype float32, expected float64");
        yield return Case("1-d lr", s => s["param_groups.0.lr"] = Tensor.From(new double[] { 0.1 }), "'param_groups.0.lr' has shape [1], expected a 0-d tensor");
        yield return Case("negative lr", s => s["param_groups.0.lr"] = Tensor.Scalar(-0.1, DType.Float64), "'param_groups.0.lr': invalid learning rate -0.1");
        yield return Case("null value", s => s["state.0.exp_avg"] = null!, "'state.0.exp_avg' is null");
        yield return Case("two problems", s =>
        {
            s.Remove("state.0.exp_avg");
            s["state.1.exp_avg_sq"] = Tensor.Zeros([2, 3], DType.Float64);
        }, "missing 'state.0.exp_avg'", "'state.1.exp_avg_sq' has shape [2, 3]");
    }

    [TestCaseSource(nameof(BadStateDicts))]
    public void ABadStateDictThrowsNamingTheProblemAndLeavesTheOptimizerUnchanged(Action<Dictionary<string, Tensor>> corrupt, string[] fragments)
    {
        var p = NewParam();
        var q = new Parameter(Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2));
        var adam = new Adam([p, q], 0.1);
        p.Grad = Tensor.From(new double[] { 1, -1 });
        q.Grad = Tensor.From(new double[] { 0.5, 0.5, -0.5, 2 }, 2, 2);
        adam.Step();
        var before = adam.StateDict();

        // Another optimizer in a different state, whose dictionary is corrupted and offered to the first one.
        var other = new Adam([NewParam(), new Parameter(Tensor.Zeros([2, 2], DType.Float64))], 0.3);
        for (int t = 0; t < 3; t++)
        {
            foreach (var x in other.Parameters) x.Grad = Tensor.OnesLike(x);
            other.Step();
        }
        var bad = other.StateDict();
        corrupt(bad);

        var e = Assert.Throws<ArgumentException>(() => adam.LoadStateDict(bad));
        Assert.That(e!.Message, Does.Contain("Adam.LoadStateDict").And.Contain("not changed"));
        foreach (var f in fragments) Assert.That(e.Message, Does.Contain(f));
        AssertSameState(adam.StateDict(), before);
        Assert.That(adam.LearningRate, Is.EqualTo(0.1));
    }

    private static void AssertSameState(Dictionary<string, Tensor> actual, Dictionary<string, Tensor> expected)
    {
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (key, value) in expected)
        {
            Assert.That(actual[key].Shape, Is.EqualTo(value.Shape), key);
            Assert.That(actual[key].DType, Is.EqualTo(value.DType), key);
            Assert.That(actual[key].ToArray<double>(), Is.EqualTo(value.ToArray<double>()), key);
        }
    }
}
