// Every C# snippet of docs/tutorial.md, verbatim, so that the build compiles them and the tests run them.
// DocsTests checks that each snippet still appears here; edit both together. The asserts after a snippet keep the
// numbers quoted in its comments true.
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

public class TutorialDocSnippets
{
    private static double[] Values(Tensor t) => t.ToArray<double>();

    private static double MaxAbs(Tensor t) => t.Abs().Max().Item();

    [Test] // docs/tutorial.md: eq. 1.1, 1.2
    public void PerceptronPrediction()
    {
        var X = Tensor.From(new double[,] { { 2, 1 }, { 1, 3 }, { -1, -2 }, { -2, 1 } });  // one sample per row, d = 2
        var y = Tensor.From(new double[] { 1, 1, -1, -1 });                             // labels in {−1, +1}
        var W = Tensor.From(new double[] { 0.5, -0.25 });
        double b = 0.1;
        var yHat = (X.MatMul(W) + b).Sign();  // eq. 1.2: sign{W·X + b} for every row at once
        Console.WriteLine(yHat);              // [1, -1, 1, -1]: samples 1 and 2 are misclassified

        Assert.That(Values(yHat), Is.EqualTo(new double[] { 1, -1, 1, -1 }));
    }

    [Test] // docs/tutorial.md: the least-squares loss before eq. 1.3
    public void SignHasNoGradient()
    {
        var X = Tensor.From(new double[,] { { 2, 1 }, { 1, 3 }, { -1, -2 }, { -2, 1 } });
        var y = Tensor.From(new double[] { 1, 1, -1, -1 });
        var W = Tensor.From(new double[] { 0.5, -0.25 }).RequireGrad();
        var L = (y - X.MatMul(W).Sign()).Square().Sum();   // L = Σ (y − sign{W·X})²
        L.Backward();
        Console.WriteLine(L.Item());                        // 5: (1 − (−1))² for sample 1, (−1 − 0)² for sample 2
        Console.WriteLine(W.Grad);                          // [0, 0]: sign is flat wherever it has a derivative

        Assert.That(L.Item(), Is.EqualTo(5));
        Assert.That(Values(W.Grad!), Is.EqualTo(new double[] { 0, 0 }));
    }

    [Test] // docs/tutorial.md: eq. 1.3–1.6
    public void PerceptronAlgorithm()
    {
        var X = Tensor.From(new double[,] { { 2, 1 }, { 1, 3 }, { -1, -2 }, { -2, 1 } });
        var y = Tensor.From(new double[] { 1, 1, -1, -1 });
        var X1 = Tensor.Concat([X, Tensor.Ones([4, 1], DType.Float64)], axis: 1);  // a constant feature 1: b is the last weight
        var W = Tensor.From(new double[] { 0.5, -0.25, 0.1 });                      // W and b of the previous snippet
        double alpha = 0.1;
        for (int epoch = 0; epoch < 3; epoch++)
            for (int i = 0; i < 4; i++)                        // one sample at a time (stochastic gradient descent)
            {
                var Xi = X1.Slice(0, i, i + 1).Squeeze(0);
                double E = y[i] - Xi.MatMul(W).Sign().Item();  // E(X) = y − ŷ: 0 if right, ±2 if wrong
                W = W + alpha * E * Xi;                         // eq. 1.4 / 1.5: W ← W + α E(X) X
            }
        Console.WriteLine(W);                                   // [0.7, 0.35, 0.3]: one update (sample 1, E = 2) fixed both errors
        var errors = y - X1.MatMul(W).Sign();                   // E(X) for the whole batch S
        Console.WriteLine(errors);                              // [0, 0, 0, 0]
        W = W + alpha * X1.T.MatMul(errors);                    // eq. 1.6: W ← W + α Σ_{X∈S} E(X) X (no change now)

        Assert.That(Values(W), Is.EqualTo(new double[] { 0.7, 0.35, 0.3 }).Within(1e-12));
        Assert.That(Values(errors), Is.EqualTo(new double[] { 0, 0, 0, 0 }));
    }

    [Test] // docs/tutorial.md: eq. 1.7, 1.8, 1.10
    public void PerceptronCriterion()
    {
        var X = Tensor.From(new double[,] { { 2, 1, 1 }, { 1, 3, 1 }, { -1, -2, 1 }, { -2, 1, 1 } });  // last column: the bias feature
        var y = Tensor.From(new double[] { 1, 1, -1, -1 });
        var W = Tensor.From(new double[] { 0.5, -0.25, 0.1 }).RequireGrad();
        var scores = X.MatMul(W);                                            // W·Xᵢ
        var zeroOne = ((y - scores.Sign()).Square() / 4).Sum();              // eq. 1.7 summed: the number of mistakes
        var L = Losses.PerceptronCriterion(scores, y, Reduction.Sum);        // eq. 1.8: Σ max{−yᵢ(W·Xᵢ), 0}
        L.Backward();
        Console.WriteLine($"{zeroOne.Item()} mistakes, L = {L.Item():F2}");  // 2 mistakes, L = 0.25 (0.15 + 0.1)
        Console.WriteLine(W.Grad);                                           // −Σ_{S⁺} yᵢXᵢ = −(1, 3, 1) + (−1, −2, 1) = [-2, -5, 0]

        var sgd = new SGD([W], lr: 0.1);
        sgd.Step();                                                          // W − α∇L = W + α Σ_{S⁺} yᵢXᵢ: eq. 1.10
        Console.WriteLine(W);                                                // [0.7, 0.25, 0.1]

        Assert.That(zeroOne.Item(), Is.EqualTo(2));
        Assert.That(L.Item(), Is.EqualTo(0.25).Within(1e-12));
        Assert.That(Values(W.Grad!), Is.EqualTo(new double[] { -2, -5, 0 }));
        Assert.That(Values(W), Is.EqualTo(new double[] { 0.7, 0.25, 0.1 }).Within(1e-12));
    }

    [Test] // docs/tutorial.md: eq. 1.9
    public void HingeVersusPerceptron()
    {
        var margin = Tensor.From(new double[] { -1.0, 0.5, 2.0 }).RequireGrad();  // yᵢ(W·Xᵢ): wrong, right but close, right
        var one = Tensor.Ones([3], DType.Float64);                                   // take every yᵢ = +1, so the score is the margin
        var perceptron = Losses.PerceptronCriterion(margin, one, Reduction.None);   // max{−y ŷ, 0}
        var hinge = Losses.HingeLoss(margin, one, Reduction.None);                  // max{1 − y ŷ, 0}: the same, shifted by 1
        Console.WriteLine(perceptron);                                               // [1, 0, 0]
        Console.WriteLine(hinge);                                                    // [2, 0.5, 0]
        Console.WriteLine(Autodiff.Grad(perceptron.Sum(), margin));                  // [-1, -0, -0]: only the mistake moves W
        Console.WriteLine(Autodiff.Grad(hinge.Sum(), margin));                       // [-1, -1, -0]: the close call moves W too

        Assert.That(Values(perceptron), Is.EqualTo(new double[] { 1, 0, 0 }));
        Assert.That(Values(hinge), Is.EqualTo(new double[] { 2, 0.5, 0 }));
    }

    [Test] // docs/tutorial.md: §1.2.1.3
    public void Activations()
    {
        var v = Tensor.From(new double[] { -2, -0.5, 0, 0.5, 2 });
        Console.WriteLine(v.Sign());       // [-1, -1, 0, 1, 1]         sign{v}: a two-class output
        Console.WriteLine(v.Sigmoid());    // [0.1192, 0.3775, 0.5, …]  1/(1 + e^−v): a probability
        Console.WriteLine(v.Tanh());       // [-0.9640, -0.4621, 0, …]  (e^2v − 1)/(e^2v + 1): in (−1, 1)
        Console.WriteLine(v.Relu());       // [0, 0, 0, 0.5, 2]         max{v, 0}
        Console.WriteLine(v.Hardtanh());   // [-1, -0.5, 0, 0.5, 1]     max{min[v, 1], −1}
        Console.WriteLine(v.Softmax());    // [0.0126, 0.0563, 0.0928, 0.1529, 0.6855]: exp(vᵢ)/Σⱼ exp(vⱼ), sums to 1
        var chapterTanh = ((2 * v).Exp() - 1) / ((2 * v).Exp() + 1);
        Console.WriteLine(MaxAbs(chapterTanh - v.Tanh()));   // ~1e-16: the chapter's formula is tanh

        Assert.That(Values(v.Sign()), Is.EqualTo(new double[] { -1, -1, 0, 1, 1 }));
        Assert.That(Values(v.Relu()), Is.EqualTo(new double[] { 0, 0, 0, 0.5, 2 }));
        Assert.That(Values(v.Hardtanh()), Is.EqualTo(new double[] { -1, -0.5, 0, 0.5, 1 }));
        Assert.That(Values(v.Sigmoid())[0], Is.EqualTo(0.1192).Within(5e-5));
        Assert.That(Values(v.Softmax()), Is.EqualTo(new double[] { 0.0126, 0.0563, 0.0928, 0.1529, 0.6855 }).Within(5e-5));
        Assert.That(v.Softmax().Sum().Item(), Is.EqualTo(1).Within(1e-15));
        Assert.That(MaxAbs(chapterTanh - v.Tanh()), Is.LessThan(1e-15));
    }

    [Test] // docs/tutorial.md: eq. 1.14, 1.15
    public void LossFunctions()
    {
        var yHat = Tensor.From(new double[] { 2.0, -1.0 });        // scores W·X of two samples
        var y = Tensor.From(new double[] { 1, 1 });                // both labelled +1
        var logistic = Losses.LogisticLoss(yHat, y, Reduction.None);
        Console.WriteLine(logistic);                               // [0.1269, 1.3133]: log(1 + exp(−y·ŷ)), eq. 1.14 without its stray minus
        Console.WriteLine((1 + (-(y * yHat)).Exp()).Log());        // the same, written out

        var scores = Tensor.From(new double[,] { { 2.0, 1.0, 0.1 } });   // one sample, k = 3 classes
        var r = Tensor.From(new long[] { 0 });                           // its true class r
        var probabilities = scores.Softmax();                            // ŷ = softmax(scores) = [0.6590, 0.2424, 0.0986]
        Console.WriteLine(-Math.Log(probabilities[0, 0]));               // eq. 1.15: L = −log ŷ_r = 0.4170
        Console.WriteLine(Losses.CrossEntropy(scores, r).Item());        // 0.4170: softmax and −log in one stable op

        Assert.That(Values(logistic), Is.EqualTo(new double[] { 0.1269, 1.3133 }).Within(5e-5));
        Assert.That(Values(probabilities), Is.EqualTo(new double[] { 0.6590, 0.2424, 0.0986 }).Within(5e-5));
        Assert.That(Losses.CrossEntropy(scores, r).Item(), Is.EqualTo(0.4170).Within(5e-5));
    }

    [Test] // docs/tutorial.md: eq. 1.16–1.21 and §1.2.1.6
    public void ActivationDerivatives()
    {
        var v = Tensor.Linspace(-3, 3, 7, DType.Float64).RequireGrad();   // −3, −2, …, 3
        Tensor D(Func<Tensor, Tensor> phi) => Autodiff.Grad(phi(v).Sum(), v);   // ∂Φ(vᵢ)/∂vᵢ, one element at a time

        var o = v.Sigmoid();                                               // eq. 1.16
        Console.WriteLine(MaxAbs(D(u => u.Sigmoid()) - (-v).Exp() / (1 + (-v).Exp()).Square()));  // eq. 1.17: ~1e-16
        Console.WriteLine(MaxAbs(D(u => u.Sigmoid()) - o * (1 - o)));                            // eq. 1.18: 0
        var t = v.Tanh();                                                  // eq. 1.19
        Console.WriteLine(MaxAbs(D(u => u.Tanh()) - 4 * (2 * v).Exp() / ((2 * v).Exp() + 1).Square()));  // eq. 1.20: ~1e-16
        Console.WriteLine(MaxAbs(D(u => u.Tanh()) - (1 - t * t)));                                      // eq. 1.21: 0
        Console.WriteLine(D(u => u.Relu()));       // [0, 0, 0, 0, 1, 1, 1]: 1 for v > 0 (the chapter says v ≥ 0; PyTorch and we take 0 at 0)
        Console.WriteLine(D(u => u.Hardtanh()));   // [0, 0, 1, 1, 1, 0, 0]: 1 on [−1, +1]
        Console.WriteLine(D(u => u.Sign()));       // [0, 0, 0, 0, 0, 0, 0]: 0 wherever it exists

        Assert.That(MaxAbs(D(u => u.Sigmoid()) - (-v).Exp() / (1 + (-v).Exp()).Square()), Is.LessThan(1e-15));
        Assert.That(MaxAbs(D(u => u.Sigmoid()) - o * (1 - o)), Is.EqualTo(0));
        Assert.That(MaxAbs(D(u => u.Tanh()) - 4 * (2 * v).Exp() / ((2 * v).Exp() + 1).Square()), Is.LessThan(1e-15));
        Assert.That(MaxAbs(D(u => u.Tanh()) - (1 - t * t)), Is.EqualTo(0));
        Assert.That(Values(D(u => u.Relu())), Is.EqualTo(new double[] { 0, 0, 0, 0, 1, 1, 1 }));
        Assert.That(Values(D(u => u.Hardtanh())), Is.EqualTo(new double[] { 0, 0, 1, 1, 1, 0, 0 }));
        Assert.That(Values(D(u => u.Sign())), Is.EqualTo(new double[7]));
    }

    [Test] // docs/tutorial.md: §1.2.2
    public void MultilayerNetwork()
    {
        var gen = new Generator(7);
        var x = Tensor.Randn([3], gen, DType.Float64);        // d = 3 inputs
        var W1 = Tensor.Randn([3, 4], gen, DType.Float64);    // d × p₁
        var W2 = Tensor.Randn([4, 2], gen, DType.Float64);    // p₁ × p₂
        var W3 = Tensor.Randn([2, 1], gen, DType.Float64);    // p₂ × o
        var h1 = W1.T.MatMul(x).Tanh();                       // h₁ = Φ(W₁ᵀx)
        var h2 = W2.T.MatMul(h1).Tanh();                      // h₂ = Φ(W₂ᵀh₁)
        var o = W3.T.MatMul(h2).Tanh();                       // o = Φ(W₃ᵀh₂)

        // The same network from Autograd.Nn: Linear stores W ∈ ℝ^{out×in} (the slides' layout), so its weight is Wᵣᵀ.
        var net = new Sequential(
            new Linear(3, 4, bias: false, dtype: DType.Float64), new Tanh(),
            new Linear(4, 2, bias: false, dtype: DType.Float64), new Tanh(),
            new Linear(2, 1, bias: false, dtype: DType.Float64), new Tanh());
        using (Autodiff.NoGrad())
        {
            ((Linear)net[0]).Weight.CopyFrom(W1.T);
            ((Linear)net[2]).Weight.CopyFrom(W2.T);
            ((Linear)net[4]).Weight.CopyFrom(W3.T);
        }
        Console.WriteLine($"{o.Item():F6} {net.Forward(x).Item():F6}");   // the same number twice

        Assert.That(net.Forward(x).Item(), Is.EqualTo(o.Item()).Within(1e-15));
    }

    [Test] // docs/tutorial.md: eq. 1.22, 1.23
    public void ChainRuleOverPaths()
    {
        Value w = 0.8, x = 1.5;
        var h = (w * x).Tanh();            // one hidden unit h = Φ(a_h), a_h = w·x
        var p = h.Sigmoid();               // path 1: h → p → o
        var q = h.Sin();                   // path 2: h → q → o
        var o = p * q;                     // L = o
        o.Backward();

        double dh_dw = (1 - h.Data * h.Data) * x.Data;                        // ∂h/∂w = Φ′(a_h)·x (eq. 1.28)
        double pathP = q.Data * p.Data * (1 - p.Data);                        // ∂o/∂p · ∂p/∂h
        double pathQ = p.Data * Math.Cos(h.Data);                             // ∂o/∂q · ∂q/∂h
        Console.WriteLine($"{w.Grad:F12} = {(pathP + pathQ) * dh_dw:F12}");   // the sum over both paths (eq. 1.23)

        Assert.That(w.Grad, Is.EqualTo((pathP + pathQ) * dh_dw).Within(1e-15));
    }

    [Test] // docs/tutorial.md: eq. 1.25–1.28
    public void DeltaRecursion()
    {
        // A network 3 → 4 → 3 → 1 with Φ = tanh on every layer, one sample, L = ½(o − y)².
        var gen = new Generator(3);
        var x = Tensor.Randn([3], gen, DType.Float64);
        double y = 0.5;
        var W1 = Tensor.Randn([3, 4], gen, DType.Float64).RequireGrad();
        var W2 = Tensor.Randn([4, 3], gen, DType.Float64).RequireGrad();
        var W3 = Tensor.Randn([3, 1], gen, DType.Float64).RequireGrad();
        var h1 = W1.T.MatMul(x).Tanh();
        var h2 = W2.T.MatMul(h1).Tanh();
        var o = W3.T.MatMul(h2).Tanh();
        var L = 0.5 * (o - y).Square().Sum();
        // What the engine computes: ∂L/∂t for intermediate tensors t (Δ(h, o)) and for the weights.
        var engine = Autodiff.Grad([L], [h1, h2, o, W1, W2, W3]);

        // The chapter's recursion by hand, unit by unit. w[r][i·p[r+1] + j] is w_(hᵢ, hⱼ) from layer r to layer r + 1.
        int[] p = [3, 4, 3, 1];
        double[][] w = [W1.ToArray<double>(), W2.ToArray<double>(), W3.ToArray<double>()];
        var h = new double[4][];
        h[0] = x.ToArray<double>();
        for (int r = 0; r < 3; r++)                                        // forward: h = Φ(a_h), a_h = Σᵢ w_(hᵢ, h)·hᵢ
        {
            h[r + 1] = new double[p[r + 1]];
            for (int j = 0; j < p[r + 1]; j++)
            {
                double a = 0;
                for (int i = 0; i < p[r]; i++) a += w[r][i * p[r + 1] + j] * h[r][i];
                h[r + 1][j] = Math.Tanh(a);
            }
        }
        var delta = new double[4][];
        var dW = new double[3][];
        delta[3] = [h[3][0] - y];                                          // Δ(o, o) = ∂L/∂o
        for (int r = 2; r >= 0; r--)                                       // backward, outputs first
        {
            delta[r] = new double[p[r]];
            dW[r] = new double[p[r] * p[r + 1]];
            for (int i = 0; i < p[r]; i++)
                for (int j = 0; j < p[r + 1]; j++)                         // the units h = hⱼ with hᵢ ⇒ h
                {
                    double dPhi = 1 - h[r + 1][j] * h[r + 1][j];           // Φ′(a_h) = 1 − h², eq. 1.21
                    delta[r][i] += dPhi * w[r][i * p[r + 1] + j] * delta[r + 1][j];   // eq. 1.27
                    dW[r][i * p[r + 1] + j] = delta[r + 1][j] * h[r][i] * dPhi;       // Δ(hⱼ, o)·∂hⱼ/∂w, eq. 1.23 and 1.28
                }
        }

        double Diff(Tensor? t, double[] expected) => t!.ToArray<double>().Zip(expected, (u, v) => Math.Abs(u - v)).Max();
        Console.WriteLine($"Δ(h₁, o): {Diff(engine[0], delta[1]):E1}, Δ(h₂, o): {Diff(engine[1], delta[2]):E1}, ∂L/∂o: {Diff(engine[2], delta[3]):E1}");
        Console.WriteLine($"∂L/∂W₁: {Diff(engine[3], dW[0]):E1}, ∂L/∂W₂: {Diff(engine[4], dW[1]):E1}, ∂L/∂W₃: {Diff(engine[5], dW[2]):E1}");
        // differences of a few 1e-18: the engine's gradients are the chapter's Δ, up to rounding in the last bits

        for (int k = 0; k < 3; k++) Assert.That(Diff(engine[k], delta[k + 1]), Is.LessThan(1e-15));
        for (int k = 0; k < 3; k++) Assert.That(Diff(engine[k + 3], dW[k]), Is.LessThan(1e-15));
    }

    [Test] // docs/tutorial.md: the slides, f(x) = ax + b
    public void LinearRegression()
    {
        var x = Tensor.Linspace(0, 1, 20, DType.Float64);
        var y = 2 * x + 1;                                            // data on the line y = 2x + 1
        var a = Tensor.Scalar(0, DType.Float64).RequireGrad();
        var b = Tensor.Scalar(0, DType.Float64).RequireGrad();
        var optimizer = new SGD([a, b], lr: 0.02);
        for (int step = 0; step < 500; step++)
        {
            var L = (y - (a * x + b)).Square().Sum();                 // L(a, b) = Σᵢ (yᵢ − f(xᵢ))²
            optimizer.ZeroGrad();
            L.Backward();                                              // automatic differentiation (lecture 3)
            optimizer.Step();                                          // gradient descent (lecture 2)
        }
        Console.WriteLine($"a = {a.Item():F4}, b = {b.Item():F4}");   // a = 2.0000, b = 1.0000

        Assert.That(a.Item(), Is.EqualTo(2).Within(5e-5));
        Assert.That(b.Item(), Is.EqualTo(1).Within(5e-5));
    }

    [Test] // docs/tutorial.md: the slides, composition
    public void Composition()
    {
        var gen = new Generator(0);
        var f1 = new Linear(3, 4, generator: gen, dtype: DType.Float64);   // f₁(x) = W₁x + b₁
        var f2 = new Linear(4, 2, generator: gen, dtype: DType.Float64);   // f₂(u) = W₂u + b₂
        var x = Tensor.Randn([5, 3], gen, DType.Float64);                  // five inputs, one per row
        var W = f2.Weight.MatMul(f1.Weight);                               // f₂(f₁(x)) = (W₂W₁)x + (W₂b₁ + b₂)
        var b = f2.Weight.MatMul(f1.Bias!) + f2.Bias!;
        Console.WriteLine(MaxAbs(f2.Forward(f1.Forward(x)) - (x.MatMul(W.T) + b)));   // ~1e-16: still one affine map

        var t = Tensor.Linspace(-2, 2, 5, DType.Float64).RequireGrad();
        var h = (t * t + t).Sin().Exp();                                  // h(x) = exp(sin(x² + x)): not a line
        var dh = Autodiff.Grad(h.Sum(), t);
        var byHand = h * (t * t + t).Cos() * (2 * t + 1);                 // h′(x) = h(x)·cos(x² + x)·(2x + 1)
        Console.WriteLine(MaxAbs(dh - byHand));                           // ~1e-16

        Assert.That(MaxAbs(f2.Forward(f1.Forward(x)) - (x.MatMul(W.T) + b)), Is.LessThan(1e-14));
        Assert.That(MaxAbs(dh - byHand), Is.LessThan(1e-15));
    }

    [Test] // docs/tutorial.md: the slides, the sum of sines
    public void SumOfSines()
    {
        Tensor F(Tensor x) => 3 * (0.5 * x).Sin() - 2 * (0.8 * x).Cos() + (0.75 * x).Sin();  // 3f₁ − 2f₂ + f₃
        var x = Tensor.Linspace(-10, 10, 200, DType.Float64).Unsqueeze(1);                  // 200 samples, as a column
        var y = F(x).Squeeze(1);
        var a = Tensor.From(new double[] { 0.83, 0.27, 0.84, 0.28, 0.14 }).RequireGrad();  // the slides' first parameter set
        var b = Tensor.From(new double[] { 0.71, 0.47, 0.56, 0.39, 0.94 }).RequireGrad();
        var c = Tensor.From(new double[] { 0.08, 0.92, 0.16, 0.44, 0.21 }).RequireGrad();
        Tensor Model(Tensor x) => (a * (b * x + c).Sin()).Sum(1);   // f(x; a, b, c) = Σᵢ aᵢ sin(bᵢx + cᵢ), [200, 5] summed over i

        var optimizer = new Adam([a, b, c], lr: 0.05);
        Console.WriteLine(Losses.MseLoss(Model(x), y).Item());     // 3.89 at the start
        for (int step = 0; step < 300; step++)
        {
            var L = Losses.MseLoss(Model(x), y);
            optimizer.ZeroGrad();
            L.Backward();
            optimizer.Step();
        }
        Console.WriteLine(Losses.MseLoss(Model(x), y).Item());     // ~1e-6
        Console.WriteLine(b);                                       // [0.4990, 0.5012, 0.8043, 0.7507, 1.8180]: 0.5 (twice), 0.8, 0.75 and one spare

        Assert.That(Losses.MseLoss(Model(x), y).Item(), Is.LessThan(1e-5));
    }

    [Test] // docs/tutorial.md: the slides, the fully connected layer
    public void FullyConnectedLayer()
    {
        var layer = new Linear(3, 2, generator: new Generator(0), dtype: DType.Float64);   // n = 3 inputs, m = 2 outputs
        Console.WriteLine(string.Join(" × ", layer.Weight.Shape));                          // 2 × 3: W ∈ ℝ^{m×n}, b ∈ ℝ^m
        var x = Tensor.From(new double[] { 1, -1, 2 });
        var y = layer.Forward(x).Sigmoid();                                                // σ(Wx + b)
        for (int i = 0; i < 2; i++)                                                        // yᵢ = σ(Σⱼ Wᵢⱼxⱼ + bᵢ)
        {
            double sum = layer.Bias![i];
            for (int j = 0; j < 3; j++) sum += layer.Weight[i, j] * x[j];
            Console.WriteLine($"{y[i]:F6} = {1 / (1 + Math.Exp(-sum)):F6}");
        }

        for (int i = 0; i < 2; i++)
        {
            double sum = layer.Bias![i];
            for (int j = 0; j < 3; j++) sum += layer.Weight[i, j] * x[j];
            Assert.That(y[i], Is.EqualTo(1 / (1 + Math.Exp(-sum))).Within(1e-15));
        }
    }

    [Test] // docs/tutorial.md: the slides, the MLP
    public void MultiLayerPerceptron()
    {
        var gen = new Generator(0);
        var mlp = new Sequential(
            new Linear(1, 16, generator: gen), new Sigmoid(),    // u⁽¹⁾ = σ(W⁽¹⁾x + b⁽¹⁾): 1 → 16
            new Linear(16, 16, generator: gen), new Sigmoid(),   // u⁽²⁾ = σ(W⁽²⁾u⁽¹⁾ + b⁽²⁾): 16 → 16
            new Linear(16, 1, generator: gen));                  // the output layer: 16 → 1, no activation
        var same = Mlp.Create(1, [16, 16], 1, () => new Sigmoid(), new Generator(0));
        Console.WriteLine(mlp.ParameterCount);                   // 321 = (16 + 16) + (256 + 16) + (16 + 1)
        Console.WriteLine(string.Join(", ", same.NamedParameters().Select(p => p.Name)));   // 0.weight, 0.bias, 2.weight, …
        var x = Tensor.From(new float[,] { { 0.5f } });
        Console.WriteLine($"{mlp.Forward(x).Item()} {same.Forward(x).Item()}");             // the same network twice

        Assert.That(mlp.ParameterCount, Is.EqualTo(321));
        Assert.That(same.Forward(x).Item(), Is.EqualTo(mlp.Forward(x).Item()));
    }

    [Test] // docs/tutorial.md: the slides, universal approximation, steps 1 and 2
    public void StepsAndRectangles()
    {
        Tensor Step(Tensor x, double t, double b) => (b * x - b * t).Sigmoid();   // σ(bx + c) with c = −b·t
        var x = Tensor.From(new double[] { 1.9, 1.99, 2.01, 2.1 });
        Console.WriteLine(Step(x, 2, 99));                      // [5.0e-05, 0.2709, 0.7291, 0.99995]: a step at t = 2
        Console.WriteLine(Step(x, 2, 1e6));                     // [0, 0, 1, 1]: steeper, a sharper step
        Console.WriteLine(Step(x, 2, -1e6));                    // [1, 1, 0, 0]: a negative b flips it
        var rectangle = Step(x, 1.95, 1e6) - Step(x, 2.05, 1e6);   // up at 1.95, down at 2.05
        Console.WriteLine(rectangle);                           // [0, 1, 1, 0]

        Assert.That(Values(Step(x, 2, 99)), Is.EqualTo(new double[] { 0.0000, 0.2709, 0.7291, 0.9999 }).Within(1e-4));
        Assert.That(Values(Step(x, 2, 1e6)), Is.EqualTo(new double[] { 0, 0, 1, 1 }));
        Assert.That(Values(Step(x, 2, -1e6)), Is.EqualTo(new double[] { 1, 1, 0, 0 }));
        Assert.That(Values(rectangle), Is.EqualTo(new double[] { 0, 1, 1, 0 }));
    }

    [Test] // docs/tutorial.md: the slides, universal approximation, step 3
    public void SumOfRectangles()
    {
        Tensor F(Tensor x) => 3 * (0.5 * x).Sin() - 2 * (0.8 * x).Cos() + (0.75 * x).Sin();
        var xs = Tensor.Uniform([500, 1], new Generator(1), 0.1, 9.9, DType.Float64);   // 500 random test points in [0, 10]

        double MaxError(int n)                                                   // n rectangles of width 10/n
        {
            var edges = Tensor.Linspace(0, 10, n + 1, DType.Float64);
            var left = edges.Slice(0, 0, n);
            var right = edges.Slice(0, 1, n + 1);
            var height = F((left + right) / 2);                                  // f at each rectangle's middle
            double steep = 100 * n;
            // g(x) = Σᵢ aᵢ σ(bᵢx + cᵢ): one hidden layer of 2n sigmoid units, one up-step and one down-step per rectangle
            var hidden = new Linear(1, 2 * n, dtype: DType.Float64);
            var output = new Linear(2 * n, 1, bias: false, dtype: DType.Float64);
            using (Autodiff.NoGrad())
            {
                hidden.Weight.Fill(steep);                                           // bᵢ
                hidden.Bias!.CopyFrom(-steep * Tensor.Concat([left, right]));        // cᵢ = −bᵢ·tᵢ
                output.Weight.CopyFrom(Tensor.Concat([height, -height]).Unsqueeze(0));   // aᵢ = ±f(middle)
            }
            var g = new Sequential(hidden, new Sigmoid(), output);
            return MaxAbs(g.Forward(xs) - F(xs));
        }
        foreach (int n in new[] { 10, 100, 1000 })
            Console.WriteLine($"{2 * n} hidden units: max |f − g| = {MaxError(n):F3}");   // 1.622, 0.163, 0.016: about 16/n

        Assert.That(MaxError(10), Is.EqualTo(1.622).Within(5e-4));
        Assert.That(MaxError(100), Is.EqualTo(0.163).Within(5e-4));
    }

    [Test] // docs/tutorial.md: the slides, universal approximation by training
    public void TrainedApproximation()
    {
        Tensor F(Tensor x) => 3 * (0.5 * x).Sin() - 2 * (0.8 * x).Cos() + (0.75 * x).Sin();
        var x = Tensor.Linspace(0, 10, 100).Unsqueeze(1);                       // float32, [100, 1]
        var y = F(x);
        var model = Mlp.Create(1, [16], 1, () => new Sigmoid(), new Generator(0));   // g(x) = Σᵢ aᵢ σ(bᵢx + cᵢ) + d, 16 units
        var optimizer = new Adam(model.Parameters(), lr: 0.05);
        for (int step = 0; step < 500; step++)
        {
            var L = Losses.MseLoss(model.Forward(x), y);
            optimizer.ZeroGrad();
            L.Backward();
            optimizer.Step();
        }
        using (Autodiff.NoGrad())
            Console.WriteLine(MaxAbs(model.Forward(x) - y));   // ≈ 0.2: 16 trained units do what 200 hand-placed ones did

        using (Autodiff.NoGrad())
            Assert.That(MaxAbs(model.Forward(x) - y), Is.LessThan(0.4));
    }
}
