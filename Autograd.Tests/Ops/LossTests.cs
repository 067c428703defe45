namespace Autograd.Tests.Ops;

/// <summary>
/// The fused softmax family — the Softmax and LogSoftmax primitives (Autograd.Core/Ops/Reduce.cs) and the per-sample
/// CrossEntropy primitive (Ops/Loss.cs) — against a naive float64 reference and closed-form gradients; the fused
/// backward kernels (used when the backward pass is not recorded) against the recorded rules (used with createGraph);
/// and the edges: logits of ±1000, −∞ entries, empty and 0-d tensors.
/// </summary>
public class LossOpTests
{
    private const double Tol = 1e-12;

    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // Logits of spread ~3 and targets that visit every class.
    private static double[] Logits(int n, int c, ulong seed) => (Tensor.Normal([n, c], new Generator(seed)) * 3.0).ToArray<double>();

    private static long[] Targets(int n, int c) => Enumerable.Range(0, n).Select(i => (long)((i * 7 + 3) % c)).ToArray();

    // Naive float64 references, the maximum subtracted first.
    private static double LogSumExp(IEnumerable<double> row)
    {
        var v = row.ToArray();
        double m = v.Max();
        double s = 0;
        foreach (var x in v) s += Math.Exp(x - m);
        return m + Math.Log(s);
    }

    private static double[] Row(double[] z, int n, int c) => z.Skip(n * c).Take(c).ToArray();

    private static void AssertClose(double[] actual, double[] expected, double atol, double rtol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            bool ok = actual[i].Equals(expected[i]) || Math.Abs(actual[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i]);
            if (!ok) Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    private static (double Atol, double Rtol) TolFor(DType dtype) => dtype == DType.Float64 ? (1e-12, 1e-12) : (1e-5, 1e-5);

    // ---- values ---------------------------------------------------------------------------------------------

    [Test]
    public void CrossEntropy_MatchesANaiveFloat64Reference([ValueSource(nameof(DTypes))] DType dtype, [Values(1, 4, 10, 16, 17, 33)] int classes)
    {
        const int n = 9;
        var z = Logits(n, classes, 7);
        var t = Targets(n, classes);
        var loss = Tensor.From(z, n, classes).To(dtype).CrossEntropy(Tensor.From(t), 1);

        Assert.That(loss.Shape, Is.EqualTo(new[] { n }));
        Assert.That(loss.DType, Is.EqualTo(dtype));
        // ℓ[n] = log Σ_c exp z[n, c] − z[n, t[n]]
        var expected = Enumerable.Range(0, n).Select(i => LogSumExp(Row(z, i, classes)) - z[i * classes + t[i]]).ToArray();
        var (atol, rtol) = TolFor(dtype);
        AssertClose(loss.ToArray<double>(), expected, atol, rtol, "cross_entropy");
    }

    [Test]
    public void SoftmaxAndLogSoftmax_MatchANaiveFloat64Reference([ValueSource(nameof(DTypes))] DType dtype, [Values(1, 10, 16, 17, 33)] int classes)
    {
        const int n = 5;
        var z = Logits(n, classes, 11);
        var x = Tensor.From(z, n, classes).To(dtype);
        var logSoftmax = new double[z.Length];
        for (int i = 0; i < n; i++)
        {
            double lse = LogSumExp(Row(z, i, classes));
            for (int c = 0; c < classes; c++) logSoftmax[i * classes + c] = z[i * classes + c] - lse;
        }
        var (atol, rtol) = TolFor(dtype);
        AssertClose(x.LogSoftmax().ToArray<double>(), logSoftmax, atol, rtol, "log_softmax");
        AssertClose(x.Softmax().ToArray<double>(), logSoftmax.Select(Math.Exp).ToArray(), atol, rtol, "softmax");
    }

    [Test]
    public void NonLastAxes_GiveTheLastAxisResultOfThePermutedInput([ValueSource(nameof(DTypes))] DType dtype)
    {
        // [2, 3, 17] along axis 1 runs the kernel's strided form (17 inner columns); permuted to [2, 17, 3] it is the row form.
        var x = Tensor.Normal([2, 3, 17], new Generator(5), dtype: dtype) * 4.0;
        var moved = x.Permute(0, 2, 1);
        var (atol, rtol) = TolFor(dtype);
        AssertClose(x.Softmax(1).Permute(0, 2, 1).ToArray<double>(), moved.Softmax(-1).ToArray<double>(), atol, rtol, "softmax");
        AssertClose(x.LogSoftmax(1).Permute(0, 2, 1).ToArray<double>(), moved.LogSoftmax(-1).ToArray<double>(), atol, rtol, "log_softmax");
        var t = Tensor.From(Targets(34, 3), 2, 17);
        AssertClose(x.CrossEntropy(t, 1).ToArray<double>(), moved.CrossEntropy(t, -1).ToArray<double>(), atol, rtol, "cross_entropy");
    }

    [Test]
    public void EachIsOneNodeOnTheGraph()
    {
        var x = Tensor.Normal([4, 5], new Generator(1)).RequireGrad();
        var t = Tensor.From(Targets(4, 5));
        foreach (var (y, name) in new[] { (x.Softmax(), "softmax"), (x.LogSoftmax(), "log_softmax"), (x.CrossEntropy(t), "cross_entropy") })
        {
            Assert.That(y.GradFnName, Is.EqualTo(name));
            Assert.That(y.GradFn!.Inputs, Has.Length.EqualTo(1));
            Assert.That(y.GradFn.Inputs[0], Is.SameAs(x), $"{name} reads the logits directly");
        }
    }

    // ---- gradients ------------------------------------------------------------------------------------------

    [Test]
    public void CrossEntropy_GradientIsSeedTimesSoftmaxMinusOneHot([Values] bool createGraph)
    {
        const int n = 6, classes = 5;
        var z = Logits(n, classes, 3);
        var t = Targets(n, classes);
        var g = Tensor.Normal([n], new Generator(4)).ToArray<double>();
        var x = Tensor.From(z, n, classes).RequireGrad();

        var dx = Autodiff.Grad(x.CrossEntropy(Tensor.From(t)), x, Tensor.From(g), createGraph: createGraph);

        // ∂ℓ[n]/∂z[n, c] = softmax(z[n])[c] − [c = t[n]]
        var expected = new double[n * classes];
        for (int i = 0; i < n; i++)
        {
            double lse = LogSumExp(Row(z, i, classes));
            for (int c = 0; c < classes; c++) expected[i * classes + c] = g[i] * (Math.Exp(z[i * classes + c] - lse) - (c == t[i] ? 1 : 0));
        }
        AssertClose(dx.ToArray<double>(), expected, Tol, Tol, "dℓ/dz");
        Assert.That(dx.RequiresGrad, Is.EqualTo(createGraph), "createGraph records the rule; without it the fused kernel runs");
    }

    [Test]
    public void SoftmaxAndLogSoftmax_GradientsAreTheirClosedForms([Values] bool createGraph)
    {
        double[] v = [0.5, -1.0, 2.0, 3.0, 0.0, -2.0, 1.5, 0.25];
        double[] g = [1, 2, -1, 0.5, 0, 4, -3, 0.75];
        var x = Tensor.From(v, 2, 4).RequireGrad();

        var dSoftmax = Autodiff.Grad(x.Softmax(1), x, Tensor.From(g, 2, 4), createGraph: createGraph).ToArray<double>();
        var dLogSoftmax = Autodiff.Grad(x.LogSoftmax(1), x, Tensor.From(g, 2, 4), createGraph: createGraph).ToArray<double>();

        var expectedSoftmax = new double[8];
        var expectedLogSoftmax = new double[8];
        for (int i = 0; i < 2; i++)
        {
            double lse = LogSumExp(Row(v, i, 4));
            var s = Row(v, i, 4).Select(a => Math.Exp(a - lse)).ToArray();
            double gs = Row(g, i, 4).Sum(), gy = Enumerable.Range(0, 4).Sum(c => g[i * 4 + c] * s[c]);
            for (int c = 0; c < 4; c++)
            {
                // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − softmax·Σ g
                expectedSoftmax[i * 4 + c] = s[c] * (g[i * 4 + c] - gy);
                expectedLogSoftmax[i * 4 + c] = g[i * 4 + c] - s[c] * gs;
            }
        }
        AssertClose(dSoftmax, expectedSoftmax, Tol, Tol, "softmax");
        AssertClose(dLogSoftmax, expectedLogSoftmax, Tol, Tol, "log_softmax");
    }

    public static IEnumerable<TestCaseData> FusedBackwardCases()
    {
        foreach (var dtype in DTypes)
            foreach (var (shape, axis) in new (int[], int)[] { ([7, 10], 1), ([3, 33], -1), ([2, 3, 17], 1), ([5, 4], 0), ([16], 0), ([2, 0, 3], 1), ([0, 5], 1), ([], 0) })
                foreach (var op in new[] { "softmax", "log_softmax", "cross_entropy" })
                {
                    // Cross-entropy needs a class axis, with classes for the samples' targets to name.
                    if (op == "cross_entropy" && (shape.Length == 0 || shape[axis < 0 ? axis + shape.Length : axis] == 0)) continue;
                    yield return new TestCaseData(op, shape, axis, dtype).SetName($"{op}([{string.Join(",", shape)}], axis {axis}, {dtype})");
                }
    }

    [TestCaseSource(nameof(FusedBackwardCases))]
    public void FusedBackwardKernel_AgreesWithTheRecordedRule(string op, int[] shape, int axis, DType dtype)
    {
        var x = (Tensor.Normal(shape, new Generator(21), dtype: dtype) * 3.0).Detach().RequireGrad();
        Tensor Apply()
        {
            if (op == "softmax") return x.Softmax(axis);
            if (op == "log_softmax") return x.LogSoftmax(axis);
            int a = axis < 0 ? axis + shape.Length : axis;
            var tShape = shape.Where((_, d) => d != a).ToArray();
            var t = Tensor.From(Targets(tShape.Aggregate(1, (p, d) => p * d), shape[a]));
            return x.CrossEntropy(t.Reshape(tShape), axis);
        }
        var y = Apply();
        // Seeds through a transposed view where there are two axes: the kernels must read strided gradients.
        var seed = Tensor.Normal(y.Shape, new Generator(22), dtype: dtype);
        if (y.Rank >= 2) seed = seed.Transpose(0, -1).Contiguous().Transpose(0, -1);

        var fused = Autodiff.Grad(y, x, seed, retainGraph: true);
        var recorded = Autodiff.Grad(y, x, seed, createGraph: true);

        Assert.That(fused.RequiresGrad, Is.False, "fused kernel");
        Assert.That(recorded.RequiresGrad, Is.True, "recorded rule");
        Assert.That(fused.Shape, Is.EqualTo(shape));
        var (atol, rtol) = dtype == DType.Float64 ? (1e-14, 1e-13) : (1e-6, 1e-5);
        AssertClose(fused.ToArray<double>(), recorded.ToArray<double>(), atol, rtol, op);
    }

    [Test]
    public void CrossEntropy_HessianIsDiagPMinusPPTransposed()
    {
        double[] v = [0.3, -1.2, 2.0, 0.7];
        var z = Tensor.From(v).RequireGrad();
        var loss = z.CrossEntropy(Tensor.Scalar(2, DType.Int64));
        var grad = Autodiff.Grad(loss, z, createGraph: true);

        double lse = LogSumExp(v);
        var p = v.Select(a => Math.Exp(a - lse)).ToArray();
        for (int i = 0; i < 4; i++)
        {
            var row = Autodiff.Grad(grad.Slice(0, i, i + 1).Sum(), z, retainGraph: true).ToArray<double>();
            // ∂²ℓ/∂zᵢ∂zⱼ = ∂(pᵢ − δᵢₜ)/∂zⱼ = pᵢ(δᵢⱼ − pⱼ): the one-hot is constant
            var expected = Enumerable.Range(0, 4).Select(j => p[i] * ((i == j ? 1 : 0) - p[j])).ToArray();
            AssertClose(row, expected, Tol, Tol, $"Hessian row {i}");
        }
    }

    // ---- edges ----------------------------------------------------------------------------------------------

    [TestCaseSource(nameof(DTypes))]
    public void CrossEntropy_AtPlusMinus1000_IsExactAndItsGradientFinite(DType dtype)
    {
        var z = Tensor.From(new double[] { 1000, 0, -1000, -1000, 1000, 0 }, 2, 3).To(dtype).Detach().RequireGrad();
        var loss = z.CrossEntropy(Tensor.From(new long[] { 1, 1 }));
        // Exact in float64. In float32 TensorPrimitives' vector exp returns exp(0) = 1 + 2⁻²³, so a term of 1 may be
        // one float32 ulp of 1 off (the exp op has the same error).
        double ulp = dtype == DType.Float64 ? 0 : Math.Pow(2, -23);
        // row 0 puts all mass on class 0: ℓ = 1000 − 0 + log(1 + e^−1000 + e^−2000) = 1000; row 1 is right: ℓ = 0
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new double[] { 1000, 0 }).Within(ulp));
        loss.Sum().Backward();
        // softmax − onehot: [1, 0, 0] − [0, 1, 0] and [0, 1, 0] − [0, 1, 0]
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, -1, 0, 0, 0, 0 }).Within(ulp));
    }

    [TestCaseSource(nameof(DTypes))]
    public void APlusInfinityOrNaNLogitMakesItsWholeRowNaN_AsPyTorch(DType dtype)
    {
        // torch.softmax([+inf, 0]) = [nan, nan]: +inf − max(row) = +inf − +inf = NaN, and the sum carries it to the row.
        double pi = double.PositiveInfinity;
        var z = Tensor.From(new double[] { pi, 0, 1, 0, double.NaN, 2, 1, 2, 3 }, 3, 3).To(dtype);
        foreach (var (name, y) in new[] { ("softmax", z.Softmax()), ("log_softmax", z.LogSoftmax()), ("softmax over axis 0", z.T.Softmax(0).T) })
        {
            var v = y.ToArray<double>();
            Assert.That(v[..6], Is.All.NaN, $"{name}: rows with +∞ or NaN");
            Assert.That(v[6..], Is.All.Matches<double>(double.IsFinite), $"{name}: the finite row");
        }
        var loss = z.CrossEntropy(Tensor.From(new long[] { 1, 0, 2 })).ToArray<double>();
        Assert.That(loss[..2], Is.All.NaN);
        Assert.That(double.IsFinite(loss[2]), Is.True);
    }

    [TestCaseSource(nameof(DTypes))]
    public void MinusInfinityLogits_GetNoMassAndAWholeRowOfThemGivesNaN(DType dtype)
    {
        double ni = double.NegativeInfinity;
        var z = Tensor.From(new double[] { 0, ni, 0, ni, 0, 0, ni, ni, ni }, 3, 3).To(dtype).Detach().RequireGrad();

        var loss = z.CrossEntropy(Tensor.From(new long[] { 0, 0, 0 }));
        // row 0: log 2; row 1: the target has probability 0, ℓ = +∞; row 2: no finite logit, NaN — as F.cross_entropy
        var l = loss.ToArray<double>();
        // float32: log 2 to its rounding plus the one-ulp error of TensorPrimitives' float32 vector exp in the sum.
        Assert.That(l[0], Is.EqualTo(Math.Log(2)).Within(dtype == DType.Float64 ? 1e-15 : 3 * Math.Pow(2, -24)));
        Assert.That(l[1], Is.EqualTo(double.PositiveInfinity));
        Assert.That(l[2], Is.NaN);
        var dz = Autodiff.Grad(loss.Slice(0, 0, 1).Sum(), z).ToArray<double>();
        Assert.That(dz[..3], Is.EqualTo(new[] { -0.5, 0, 0.5 }).Within(dtype == DType.Float64 ? 0 : 3 * Math.Pow(2, -24)));

        var s = z.Softmax().ToArray<double>();
        Assert.That(s[..6], Is.EqualTo(new[] { 0.5, 0, 0.5, 0, 0.5, 0.5 }));
        Assert.That(s[6..], Is.All.NaN, "softmax of a row of −∞ is NaN, as torch.softmax");
        var ls = z.LogSoftmax().ToArray<double>();
        Assert.That(ls[1], Is.EqualTo(ni));
        Assert.That(ls[6..], Is.All.NaN, "log_softmax of a row of −∞ is NaN, as torch.log_softmax");
        // d Σ softmax·w / dx stays finite next to −∞ entries
        var w = Tensor.From(new double[] { 1, 2, 3 }).To(dtype);
        var dx = Autodiff.Grad((z.Slice(0, 0, 2).Softmax() * w).Sum(), z).ToArray<double>();
        Assert.That(dx[..6], Is.All.Matches<double>(double.IsFinite));
    }

    [Test]
    public void EmptyAnd0DInputs()
    {
        var scalar = Tensor.Scalar(3.0, DType.Float64).RequireGrad();
        Assert.That(scalar.Softmax().Item(), Is.EqualTo(1));
        Assert.That(scalar.LogSoftmax(0).Item(), Is.EqualTo(0));
        Assert.That(Autodiff.Grad(scalar.LogSoftmax(), scalar).Item(), Is.EqualTo(0), "a constant has no gradient");
        Assert.That(Autodiff.Grad(scalar.Softmax(), scalar).Item(), Is.EqualTo(0));

        var empty = Tensor.Zeros([0, 4]).RequireGrad();
        var loss = empty.CrossEntropy(Tensor.Zeros([0], DType.Int64), 1);
        Assert.That(loss.Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Autodiff.Grad(loss.Sum(), empty).Shape, Is.EqualTo(new[] { 0, 4 }));
        Assert.That(Tensor.Zeros([3, 0]).Softmax(1).Shape, Is.EqualTo(new[] { 3, 0 }));
        Assert.That(Tensor.Zeros([3, 0]).LogSoftmax(0).Shape, Is.EqualTo(new[] { 3, 0 }));

        // unbatched: [C] logits and a 0-d target give a 0-d loss
        var single = Tensor.From(new double[] { 1, 2, 3 }).CrossEntropy(Tensor.Scalar(0, DType.Int64));
        Assert.That(single.Shape, Is.Empty);
        Assert.That(single.Item(), Is.EqualTo(LogSumExp([1.0, 2, 3]) - 1).Within(Tol));
    }
}
