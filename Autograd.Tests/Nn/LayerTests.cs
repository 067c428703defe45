using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// Layers against closed forms written out here: Linear (naive loop, PyTorch's init bounds, gradients), Sequential,
/// the activation modules, Flatten, Dropout (statistics, gradient, eval identity, seeding) and the Mlp builder.
/// </summary>
public class LayerTests
{
    private const double Tol = 1e-12;

    // ---- Linear -------------------------------------------------------------------------------------------------

    [Test]
    public void Linear_RegistersWeightOutByInAndBias()
    {
        var layer = new Linear(5, 3);
        Assert.That(layer.NamedParameters().Select(p => p.Name).ToArray(), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(layer.Weight.Shape, Is.EqualTo(new[] { 3, 5 }));
        Assert.That(layer.Bias!.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(layer.Weight.DType, Is.EqualTo(DType.Float32));
        Assert.That(layer.ToString(), Is.EqualTo("Linear(in_features=5, out_features=3, bias=True)"));

        var noBias = new Linear(5, 3, bias: false, dtype: DType.Float64);
        Assert.That(noBias.Bias, Is.Null);
        Assert.That(noBias.NamedParameters().Select(p => p.Name).ToArray(), Is.EqualTo(new[] { "weight" }));
        Assert.That(noBias.Weight.DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void Linear_ForwardMatchesANaiveLoop()
    {
        const int n = 4, inF = 6, outF = 3;
        var layer = new Linear(inF, outF, generator: new Generator(5), dtype: DType.Float64);
        var x = Tensor.Normal([n, inF], new Generator(17), dtype: DType.Float64);

        var y = layer.Forward(x);

        double[] xs = x.ToArray<double>(), w = layer.Weight.ToArray<double>(), b = layer.Bias!.ToArray<double>();
        var expected = new double[n * outF];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = b[o];
                for (int i = 0; i < inF; i++) s += xs[r * inF + i] * w[o * inF + i]; // y = x·Wᵀ + b, W[o, i]
                expected[r * outF + o] = s;
            }
        Assert.That(y.Shape, Is.EqualTo(new[] { n, outF }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
    }

    [Test]
    public void Linear_AcceptsAnyLeadingAxesAndAnUnbatchedVector()
    {
        var layer = new Linear(3, 2, generator: new Generator(6), dtype: DType.Float64);
        var x = Tensor.Normal([2, 4, 3], new Generator(3), dtype: DType.Float64);

        var y = layer.Forward(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 4, 2 }));
        var rowByRow = layer.Forward(x.Reshape(8, 3)).Reshape(2, 4, 2);
        Assert.That(y.ToArray<double>(), Is.EqualTo(rowByRow.ToArray<double>()).Within(Tol));

        var v = x.Reshape(8, 3).Slice(0, 5, 6).Reshape(3);
        var yv = layer.Forward(v);
        Assert.That(yv.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(yv.ToArray<double>(), Is.EqualTo(rowByRow.Reshape(8, 2).Slice(0, 5, 6).ToArray<double>()).Within(Tol));
    }

    [Test]
    public void Linear_GradientsAreTheClosedForms()
    {
        const int n = 5, inF = 4, outF = 3;
        var layer = new Linear(inF, outF, generator: new Generator(8), dtype: DType.Float64);
        var x = Tensor.Normal([n, inF], new Generator(4), dtype: DType.Float64).RequireGrad();
        var gOut = Tensor.Normal([n, outF], new Generator(12), dtype: DType.Float64);

        layer.Forward(x).Backward(gOut);

        // y[r, o] = Σᵢ x[r, i]·W[o, i] + b[o]: ∂/∂W[o, i] = Σ_r G[r, o]·x[r, i], ∂/∂b[o] = Σ_r G[r, o], ∂/∂x[r, i] = Σ_o G[r, o]·W[o, i].
        double[] xs = x.ToArray<double>(), g = gOut.ToArray<double>(), w = layer.Weight.ToArray<double>();
        var dW = new double[outF * inF];
        var db = new double[outF];
        var dx = new double[n * inF];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outF; o++)
            {
                db[o] += g[r * outF + o];
                for (int i = 0; i < inF; i++)
                {
                    dW[o * inF + i] += g[r * outF + o] * xs[r * inF + i];
                    dx[r * inF + i] += g[r * outF + o] * w[o * inF + i];
                }
            }
        Assert.That(layer.Weight.Grad!.ToArray<double>(), Is.EqualTo(dW).Within(Tol));
        Assert.That(layer.Bias!.Grad!.ToArray<double>(), Is.EqualTo(db).Within(Tol));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(dx).Within(Tol));
    }

    [Test]
    public void Linear_InputGradientPassesGradCheck()
    {
        var layer = new Linear(4, 3, generator: new Generator(9), dtype: DType.Float64);
        var x = Tensor.Normal([2, 4], new Generator(1), dtype: DType.Float64).RequireGrad();
        Assert.That(GradCheck.Check(a => layer.Forward(a[0]).Tanh(), [x]), Gradients.Match);
    }

    [Test]
    public void Linear_DefaultInitIsUniformWithin1OverSqrtInForWeightAndBias()
    {
        // in = 16 → bound 1/4 for W and b alike (PyTorch: kaiming_uniform(a = √5) and U(±1/√fan_in)); out = 400 gives
        // enough bias values to see that the bias bound is 1/√in and not 1/√out = 1/20.
        var layer = new Linear(16, 400, generator: new Generator(123));
        double bound = 0.25;
        var w = layer.Weight.ToArray<double>();
        var b = layer.Bias!.ToArray<double>();

        Assert.That(w, Is.All.InRange(-bound, bound));
        Assert.That(b, Is.All.InRange(-bound, bound));
        Assert.That(w.Max(), Is.GreaterThan(0.99 * bound));
        Assert.That(w.Min(), Is.LessThan(-0.99 * bound));
        Assert.That(b.Max(), Is.GreaterThan(0.9 * bound));
        Assert.That(b.Min(), Is.LessThan(-0.9 * bound));
        // Var U(−a, a) = a²/3; 6400 draws: relative standard error of the sample variance ≈ 0.9·√(1/6400)·3 ≈ 3.4%.
        double mean = w.Average(), variance = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.That(mean, Is.EqualTo(0).Within(4 * bound / Math.Sqrt(3 * w.Length)));
        Assert.That(variance, Is.EqualTo(bound * bound / 3).Within(0.12 * bound * bound / 3));
    }

    [Test]
    public void Linear_SameGeneratorSeedGivesTheSameWeights()
    {
        var a = new Linear(7, 5, generator: new Generator(77));
        var b = new Linear(7, 5, generator: new Generator(77));
        var c = new Linear(7, 5, generator: new Generator(78));
        Assert.That(b.Weight.ToArray<float>(), Is.EqualTo(a.Weight.ToArray<float>()));
        Assert.That(b.Bias!.ToArray<float>(), Is.EqualTo(a.Bias!.ToArray<float>()));
        Assert.That(c.Weight.ToArray<float>(), Is.Not.EqualTo(a.Weight.ToArray<float>()));
        // The documented default: Generator.Default, here freshly reseeded.
        Generator.ManualSeed(77);
        Assert.That(new Linear(7, 5).Weight.ToArray<float>(), Is.EqualTo(a.Weight.ToArray<float>()));

        // Weight first, then bias, from one stream: U(−1/√7, 1/√7) element by element, as the generator draws it.
        var g = new Generator(77);
        double bound = 1 / Math.Sqrt(7);
        var expectedW = Enumerable.Range(0, 35).Select(_ => (float)(-bound + (bound - -bound) * g.NextSingle())).ToArray();
        var expectedB = Enumerable.Range(0, 5).Select(_ => (float)(-bound + (bound - -bound) * g.NextSingle())).ToArray();
        Assert.That(a.Weight.ToArray<float>(), Is.EqualTo(expectedW).Within(1e-7));
        Assert.That(a.Bias!.ToArray<float>(), Is.EqualTo(expectedB).Within(1e-7));
    }

    [Test]
    public void Linear_RejectsAWrongFeatureCountOrDtype()
    {
        var layer = new Linear(3, 2);
        Assert.That(() => layer.Forward(Tensor.Zeros([4, 5])),
            Throws.ArgumentException.With.Message.Contains("Linear").And.Message.Contains("[4, 5]").And.Message.Contains("3 features"));
        Assert.That(() => layer.Forward(Tensor.Zeros([4, 3], DType.Float64)),
            Throws.ArgumentException.With.Message.Contains("float64").And.Message.Contains("float32"));
        Assert.That(() => new Linear(-1, 2), Throws.ArgumentException);
        Assert.That(() => new Linear(2, 2, dtype: DType.Int64), Throws.ArgumentException);
    }

    // ---- Sequential ---------------------------------------------------------------------------------------------

    [Test]
    public void Sequential_ChainsItsModulesAndNamesThemByIndex()
    {
        var g = new Generator(13);
        var l0 = new Linear(3, 4, generator: g, dtype: DType.Float64);
        var act = new Tanh();
        var l2 = new Linear(4, 2, generator: g, dtype: DType.Float64);
        var seq = new Sequential(l0, act, l2);

        Assert.That(seq, Has.Count.EqualTo(3));
        Assert.That(seq[0], Is.SameAs(l0));
        Assert.That(seq[2], Is.SameAs(l2));
        Assert.That(seq[-1], Is.SameAs(l2));
        Assert.That(seq.ToArray(), Is.EqualTo(new Module[] { l0, act, l2 }));
        Assert.That(seq.NamedChildren().Select(c => c.Name).ToArray(), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(() => seq[3], Throws.TypeOf<ArgumentOutOfRangeException>());

        var x = Tensor.Normal([5, 3], new Generator(2), dtype: DType.Float64);
        var manual = l2.Forward(l0.Forward(x).Tanh());
        Assert.That(seq.Forward(x).ToArray<double>(), Is.EqualTo(manual.ToArray<double>()));

        var empty = new Sequential();
        Assert.That(empty.Forward(x), Is.SameAs(x));
        empty.Append(new ReLU());
        Assert.That(empty.NamedChildren().Single().Name, Is.EqualTo("0"));
    }

    // ---- Activations --------------------------------------------------------------------------------------------

    private static readonly double[] Xs = [-3, -1, -0.25, 0, 0.5, 1, 2.5];

    private static double[] Apply(Module m, double[] xs) => m.Forward(Tensor.From(xs)).ToArray<double>();

    [Test]
    public void ElementwiseActivations_MatchTheirDefinitions()
    {
        Assert.That(Apply(new ReLU(), Xs), Is.EqualTo(Xs.Select(v => Math.Max(v, 0)).ToArray()));
        Assert.That(Apply(new Sigmoid(), Xs), Is.EqualTo(Xs.Select(v => 1 / (1 + Math.Exp(-v))).ToArray()).Within(Tol));
        Assert.That(Apply(new Tanh(), Xs), Is.EqualTo(Xs.Select(v => (Math.Exp(2 * v) - 1) / (Math.Exp(2 * v) + 1)).ToArray()).Within(Tol));
        Assert.That(Apply(new Hardtanh(), Xs), Is.EqualTo(new[] { -1, -1, -0.25, 0, 0.5, 1, 1 }));
        Assert.That(Apply(new Hardtanh(-0.5, 2), Xs), Is.EqualTo(new[] { -0.5, -0.5, -0.25, 0, 0.5, 1, 2 }));
        Assert.That(Apply(new Sign(), Xs), Is.EqualTo(new double[] { -1, -1, -1, 0, 1, 1, 1 }));
        Assert.That(Apply(new Identity(), Xs), Is.EqualTo(Xs));
        Assert.That(() => new Hardtanh(1, -1), Throws.ArgumentException);
    }

    [Test]
    public void ActivationDerivatives_AreTheSeedsClosedForms()
    {
        // Seed 000 §1.2.1.6: σ' = o(1 − o) (eq. 1.18), tanh' = 1 − o² (eq. 1.21), ReLU' = [v > 0], hard tanh' = [−1 ≤ v ≤ 1], sign' = 0.
        double[] xs = [-3, -1.5, -0.25, 0.5, 1.5, 2.5];
        (Module Module, Func<double, double> Derivative)[] cases =
        [
            (new Sigmoid(), v => { double o = 1 / (1 + Math.Exp(-v)); return o * (1 - o); }),
            (new Tanh(), v => { double o = Math.Tanh(v); return 1 - o * o; }),
            (new ReLU(), v => v > 0 ? 1 : 0),
            (new Hardtanh(), v => v >= -1 && v <= 1 ? 1 : 0),
            (new Sign(), _ => 0),
        ];
        foreach (var (module, derivative) in cases)
        {
            var x = Tensor.From(xs).RequireGrad();
            module.Forward(x).Sum().Backward();
            Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(xs.Select(derivative).ToArray()).Within(Tol), module.GetType().Name);
        }
    }

    [Test]
    public void SoftmaxAndLogSoftmax_NormalizeAlongTheirAxis()
    {
        double[] data = [1, 2, 3, -1, 0, 4];
        var x = Tensor.From(data, 2, 3);

        var rows = new Softmax().Forward(x).ToArray<double>();
        var cols = new Softmax(0).Forward(x).ToArray<double>();
        var logRows = new LogSoftmax().Forward(x).ToArray<double>();
        var logCols = new LogSoftmax(axis: 0).Forward(x).ToArray<double>();
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
            {
                double rowSum = Enumerable.Range(0, 3).Sum(k => Math.Exp(data[r * 3 + k]));
                double colSum = Enumerable.Range(0, 2).Sum(k => Math.Exp(data[k * 3 + c]));
                Assert.That(rows[r * 3 + c], Is.EqualTo(Math.Exp(data[r * 3 + c]) / rowSum).Within(Tol));
                Assert.That(cols[r * 3 + c], Is.EqualTo(Math.Exp(data[r * 3 + c]) / colSum).Within(Tol));
                Assert.That(logRows[r * 3 + c], Is.EqualTo(data[r * 3 + c] - Math.Log(rowSum)).Within(Tol));
                Assert.That(logCols[r * 3 + c], Is.EqualTo(data[r * 3 + c] - Math.Log(colSum)).Within(Tol));
            }
        // Large scores: shifted by the maximum, no overflow.
        var big = new Softmax().Forward(Tensor.From(new double[] { 1000, 1001 })).ToArray<double>();
        Assert.That(big, Is.EqualTo(new[] { 1 / (1 + Math.E), Math.E / (1 + Math.E) }).Within(Tol));
    }

    [Test]
    public void Flatten_KeepsTheBatchAxisByDefault()
    {
        var x = Tensor.Arange(24, DType.Float64).Reshape(2, 3, 4);
        var y = new Flatten().Forward(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 12 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(new Flatten(0).Forward(x).Shape, Is.EqualTo(new[] { 24 }));
        Assert.That(new Flatten(0, 1).Forward(x).Shape, Is.EqualTo(new[] { 6, 4 }));
    }

    // ---- Dropout ------------------------------------------------------------------------------------------------

    [Test]
    public void Dropout_ZeroesAFractionPAndScalesTheRestBy1OverOneMinusP()
    {
        const double p = 0.3;
        const int n = 100_000;
        var drop = new Dropout(p, new Generator(2024));
        var y = drop.Forward(Tensor.Ones([n], DType.Float64)).ToArray<double>();

        int zeros = y.Count(v => v == 0);
        // Binomial(n, p): standard deviation √(n·p·(1 − p)) ≈ 145; allow 5σ.
        Assert.That(zeros, Is.EqualTo(p * n).Within(5 * Math.Sqrt(n * p * (1 - p))));
        Assert.That(y.Where(v => v != 0), Is.All.EqualTo(1 / (1 - p)));
        // E[y] = 1: the scaling keeps the mean.
        Assert.That(y.Average(), Is.EqualTo(1).Within(5 * Math.Sqrt(p / (1 - p) / n)));

        var yf = new Dropout(p, new Generator(1)).Forward(Tensor.Ones([1000])).ToArray<float>();
        Assert.That(yf.Where(v => v != 0), Is.All.EqualTo((float)(1 / (1 - p))), "float32 input, float32 mask");
    }

    [Test]
    public void Dropout_GradientIsTheSameScaledMask()
    {
        var drop = new Dropout(0.5, new Generator(3));
        var x = Tensor.Normal([50], new Generator(8), dtype: DType.Float64).RequireGrad();
        var y = drop.Forward(x);
        y.Sum().Backward();

        // y = x·m/(1 − p) with the mask m constant: ∂y/∂x = m/(1 − p), and y/x recovers it.
        double[] ys = y.ToArray<double>(), xs = x.ToArray<double>();
        var mask = ys.Select((v, i) => v / xs[i]).ToArray();
        Assert.That(mask, Is.All.EqualTo(0).Or.EqualTo(2).Within(Tol));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(mask).Within(Tol));
        Assert.That(mask, Has.Some.EqualTo(0).And.Some.EqualTo(2).Within(Tol));
    }

    [Test]
    public void Dropout_IsTheIdentityInEvalModeAndForPZero()
    {
        var x = Tensor.Normal([10, 10], new Generator(3), dtype: DType.Float64);
        var drop = new Dropout(0.9, new Generator(4));
        drop.Eval();
        Assert.That(drop.Forward(x), Is.SameAs(x));
        drop.Train();
        Assert.That(drop.Forward(x).ToArray<double>(), Is.Not.EqualTo(x.ToArray<double>()));
        Assert.That(new Dropout(0, new Generator(4)).Forward(x), Is.SameAs(x));
    }

    [Test]
    public void Dropout_IsDeterministicForASeedAndDrawsAFreshMaskEachCall()
    {
        var x = Tensor.Ones([200], DType.Float64);
        var a = new Dropout(0.5, new Generator(99));
        var b = new Dropout(0.5, new Generator(99));
        var a1 = a.Forward(x).ToArray<double>();
        var a2 = a.Forward(x).ToArray<double>();
        Assert.That(b.Forward(x).ToArray<double>(), Is.EqualTo(a1));
        Assert.That(b.Forward(x).ToArray<double>(), Is.EqualTo(a2));
        Assert.That(a2, Is.Not.EqualTo(a1));
        Assert.That(new Dropout(0.5, new Generator(100)).Forward(x).ToArray<double>(), Is.Not.EqualTo(a1));

        // Element i is kept when the i-th uniform draw is ≥ p.
        var g = new Generator(99);
        var expected = Enumerable.Range(0, 200).Select(_ => g.NextDouble() >= 0.5 ? 2.0 : 0.0).ToArray();
        Assert.That(a1, Is.EqualTo(expected));
    }

    [TestCase(-0.1)]
    [TestCase(1.0)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void Dropout_RejectsPOutsideZeroToOne(double p)
    {
        Assert.That(() => new Dropout(p, new Generator(0)), Throws.ArgumentException.With.Message.Contains("Dropout"));
    }

    // ---- Mlp ----------------------------------------------------------------------------------------------------

    [Test]
    public void Mlp_AlternatesLinearAndFreshActivationsAndEndsLinear()
    {
        var mlp = Mlp.Create(4, [8, 6], 3, () => new Tanh(), new Generator(5), DType.Float64);

        Assert.That(mlp, Has.Count.EqualTo(5));
        Assert.That(mlp.Select(m => m.GetType()).ToArray(),
            Is.EqualTo(new[] { typeof(Linear), typeof(Tanh), typeof(Linear), typeof(Tanh), typeof(Linear) }));
        Assert.That(mlp[1], Is.Not.SameAs(mlp[3]));
        var linears = mlp.OfType<Linear>().ToArray();
        Assert.That(linears.Select(l => (l.InFeatures, l.OutFeatures)), Is.EqualTo(new[] { (4, 8), (8, 6), (6, 3) }));

        var x = Tensor.Normal([7, 4], new Generator(1), dtype: DType.Float64);
        var manual = linears[2].Forward(linears[1].Forward(linears[0].Forward(x).Tanh()).Tanh());
        Assert.That(mlp.Forward(x).ToArray<double>(), Is.EqualTo(manual.ToArray<double>()));

        // One generator, consumed layer after layer: the same seed gives the same model.
        var again = Mlp.Create(4, [8, 6], 3, () => new Tanh(), new Generator(5), DType.Float64);
        Assert.That(again.Forward(x).ToArray<double>(), Is.EqualTo(mlp.Forward(x).ToArray<double>()));
        Assert.That(linears[1].Weight.ToArray<double>(), Is.Not.EqualTo(
            new Linear(8, 6, generator: new Generator(5), dtype: DType.Float64).Weight.ToArray<double>()), "layers do not restart the stream");

        Assert.That(Mlp.Create(4, [], 3, () => new ReLU(), new Generator(0)), Has.Count.EqualTo(1));
        Assert.That(() => Mlp.Create(4, [0], 3, () => new ReLU(), new Generator(0)), Throws.ArgumentException);
    }

    [Test]
    public void Perceptron_LinearThenSignPredictsPlusOrMinusOne()
    {
        // Seed 000 eq. 1.2: ŷ = sign(W·X + b).
        var linear = new Linear(2, 1, generator: new Generator(0), dtype: DType.Float64);
        using (Autodiff.NoGrad())
        {
            linear.Weight.CopyFrom(Tensor.From(new double[] { 1, -2 }, 1, 2));
            linear.Bias!.CopyFrom(Tensor.From(new double[] { 0.5 }));
        }
        var perceptron = new Sequential(linear, new Sign());
        var x = Tensor.From(new double[] { 1, 1, 3, 1, 0, 0, -1, 0 }, 4, 2);
        // W·X + b = −0.5, 1.5, 0.5, −0.5
        Assert.That(perceptron.Forward(x).ToArray<double>(), Is.EqualTo(new double[] { -1, 1, 1, -1 }));
    }
}
