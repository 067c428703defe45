namespace Autograd.Tests;

public class EngineTests
{
    private static Tensor Leaf(double v) => Tensor.Scalar(v, DType.Float64).RequireGrad();

    [Test]
    public void AMillionOpChainBackpropagatesWithoutRecursion()
    {
        // y = x + 1 + 1 + … (10⁶ adds): dy/dx = 1 through a million nodes.
        var x = Leaf(0.5);
        var y = x;
        for (int i = 0; i < 1_000_000; i++) y = y + 1.0;
        y.Backward();
        Assert.That(y.Item(), Is.EqualTo(1_000_000.5));
        Assert.That(x.Grad!.Item(), Is.EqualTo(1.0));
    }

    [Test]
    public void ANodeFeedingTenThousandPathsReceivesTheSumOverAllOfThem()
    {
        // Δ(x, o) = Σ_{x→h} Φ'·w·Δ(h, o) (seed 000 eq. 1.25–1.27): o = Σᵢ tanh(cᵢ·x), do/dx = Σᵢ cᵢ(1 − tanh²(cᵢx)).
        const int paths = 10_000;
        var x = Leaf(0.3);
        var c = Tensor.Linspace(-1, 1, paths, DType.Float64).ToArray<double>();
        Tensor? o = null;
        for (int i = 0; i < paths; i++)
        {
            var h = (x * c[i]).Tanh();
            o = o is null ? h : o + h;
        }
        o!.Backward();
        double expected = c.Sum(ci => ci * (1 - Math.Tanh(ci * 0.3) * Math.Tanh(ci * 0.3)));
        Assert.That(x.Grad!.Item(), Is.EqualTo(expected).Within(1e-9));
    }

    [Test]
    public void DeltaRecursionOverATwoLayerNetworkMatchesTheHandComputedPaths()
    {
        // h₁ = tanh(w₁x), h₂ = tanh(w₂x), o = σ(v₁h₁ + v₂h₂). Two paths x→h₁→o and x→h₂→o:
        // do/dx = σ'(a_o)·[v₁·(1 − h₁²)·w₁ + v₂·(1 − h₂²)·w₂]
        double xv = 0.7, w1 = 0.4, w2 = -1.3, v1 = 2.0, v2 = 0.5;
        var x = Leaf(xv);
        var o = (v1 * (w1 * x).Tanh() + v2 * (w2 * x).Tanh()).Sigmoid();
        o.Backward();
        double h1 = Math.Tanh(w1 * xv), h2 = Math.Tanh(w2 * xv);
        double s = 1 / (1 + Math.Exp(-(v1 * h1 + v2 * h2)));
        double expected = s * (1 - s) * (v1 * (1 - h1 * h1) * w1 + v2 * (1 - h2 * h2) * w2);
        Assert.That(x.Grad!.Item(), Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void TwoBackwardPassesAccumulateAndZeroGradClears()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 4, 8, 12 }));
        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
        (x * 3.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 3, 3, 3 }));
    }

    [Test]
    public void BackwardWithASeedComputesAVectorJacobianProduct()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();
        var y = x * x;
        y.Backward(Tensor.From(new double[] { 1, 0.5, -1 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 2, 2, -6 }));
    }

    [Test]
    public void ASecondBackwardThroughAReleasedGraphThrowsAndSaysHowToRetain()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var y = (x * x).Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(e!.Message, Does.Contain("retainGraph: true").And.Contain("mul"));
    }

    [Test]
    public void IntermediateStorageIsReleasedAfterBackward()
    {
        var x = Tensor.Normal([1000], new Generator(1), dtype: DType.Float64).RequireGrad();
        var (y, weak) = BuildAndDropIntermediate(x);
        y.Backward();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(weak.IsAlive, Is.False, "the intermediate's storage is still reachable from the graph");
        GC.KeepAlive(y);
    }

    private static (Tensor, WeakReference) BuildAndDropIntermediate(Tensor x)
    {
        var h = x.Exp();
        return ((h * 2.0).Sum(), new WeakReference(h.Data));
    }

    [Test]
    public void AOneInputNodesInputBecomesAShellAndTheGraphCanBeTraversedAgain()
    {
        // The add node holds its one input (h) without an array; release swaps it for a shell of the same node.
        var x = Tensor.Normal([100], new Generator(1), dtype: DType.Float64).RequireGrad();
        var h = x * 3.0;
        var y = (h + 1.0).Sum();
        var add = y.GradFn!.Input(0).GradFn!;
        Assert.That(add.IsSingleInput, Is.True);
        Assert.That(add.Input(0), Is.SameAs(h));
        y.Backward();
        var shell = add.Input(0);
        Assert.That(shell, Is.Not.SameAs(h));
        Assert.That(shell.RawData.Length, Is.Zero);
        Assert.That(shell.Shape, Is.EqualTo(new[] { 100 }));
        Assert.That(shell.GradFn, Is.SameAs(h.GradFn));
        Assert.That(add.Inputs, Is.EqualTo(new[] { shell }));
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(6.0));
    }

    [Test]
    public void APassKeepsNoNodeAliveAfterItEnds()
    {
        // The engine keeps its node lists between passes; they must not hold on to the nodes of a finished pass.
        var x = Leaf(0.5);
        var weak = BackwardThroughAChain(x);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(weak.Any(w => w.IsAlive), Is.False);
        Assert.That(x.Grad!.Item(), Is.EqualTo(Math.Pow(2, 50) + 1));
    }

    private static WeakReference[] BackwardThroughAChain(Tensor x)
    {
        var y = x;
        var weak = new List<WeakReference>();
        for (int i = 0; i < 100; i++)
        {
            y = (i & 1) == 0 ? y * 2.0 : y + 1.0;
            weak.Add(new WeakReference(y.GradFn));
        }
        y = y + x;
        weak.Add(new WeakReference(y.GradFn));
        y.Backward();
        return [.. weak];
    }

    [Test]
    public void ANodeThatSavedTensorsKeepsThemWhenItGetsAHookARetainedOutputOrACreationSite()
    {
        // A node keeps its saved tensors in one field until it needs hooks, RetainGrad or a creation site; then they move
        // to a side object with those, which must not lose them, their versions or the release after backward.
        var x = Tensor.From(new double[] { 0.5, -1.0 }).RequireGrad();
        Tensor y;
        using (Autodiff.DetectAnomaly()) y = x.Tanh();
        var seen = new List<double[]>();
        y.RegisterHook(g => { seen.Add(g.ToArray<double>()); return null; });
        y.RetainGrad();
        (y * 2.0).Sum().Backward(retainGraph: true);
        var expected = x.ToArray<double>().Select(v => 2 * (1 - Math.Tanh(v) * Math.Tanh(v))).ToArray();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(1e-15));
        Assert.That(seen.Single(), Is.EqualTo(new[] { 2.0, 2.0 }));
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 2.0 }));

        using (Autodiff.NoGrad()) y.MulInPlace(Tensor.Scalar(1, DType.Float64));
        var e = Assert.Throws<InvalidOperationException>(() => (y * 2.0).Sum().Backward());
        Assert.That(e!.Message, Does.Contain("tanh").And.Contain("modified in place"));

        var z = x.Exp();
        z.RegisterHook(_ => null);
        z.Sum().Backward();
        e = Assert.Throws<InvalidOperationException>(() => z.Sum().Backward());
        Assert.That(e!.Message, Does.Contain("exp").And.Contain("retainGraph: true"));
    }

    // Identity whose backward throws while Fail is set: a one-input node on the path the engine sweeps without sorting.
    private sealed class Faulty : Function
    {
        public bool Fail = true;

        public override string Name => "faulty";

        public static (Tensor, Faulty) Apply(Tensor x)
        {
            Tensor y;
            using (Autodiff.NoGrad()) y = x * 1.0;
            var fn = new Faulty();
            return (Attach(fn, y, x), fn);
        }

        protected override Tensor?[] Backward(Tensor g) => Fail ? throw new InvalidOperationException("faulty backward") : [g];
    }

    [Test]
    public void ARuleThrowingOnAOneInputPathLeavesTheRestOfTheGraphReleasedAndNoGradientPending()
    {
        var x = Tensor.From(new double[] { 0.5, 1.5 }).RequireGrad();
        var (b, faulty) = Faulty.Apply(x.Exp());
        var c = (b * 2.0).Sum();
        Assert.That(faulty.IsSingleInput, Is.True);
        Assert.That(Assert.Throws<InvalidOperationException>(() => c.Backward())!.Message, Is.EqualTo("faulty backward"));
        faulty.Fail = false;
        var e = Assert.Throws<InvalidOperationException>(() => c.Backward());
        Assert.That(e!.Message, Does.Contain("exp").And.Contain("retainGraph: true"), "the exp node below the throwing rule was released");

        var (d, retained) = Faulty.Apply(x.Exp());
        var y = (d * 2.0).Sum();
        Assert.Throws<InvalidOperationException>(() => y.Backward(retainGraph: true));
        retained.Fail = false;
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2 * Math.Exp(0.5), 2 * Math.Exp(1.5) }).Within(1e-13));
    }

    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void GradientsThatHooksCallersOrSeedsSeeOnAScalarChainAreNeverOverwritten(DType dtype)
    {
        // Backward through a 0-d chain overwrites gradients that only the engine holds; every other one must keep its value.
        var x = Tensor.Scalar(0.5, dtype).RequireGrad();
        var a = x * 2.0;
        var b = a * 3.0;
        var c = b + 1.0;
        var d = c * 5.0;
        var e = d / 4.0;
        var seen = new List<Tensor>();
        b.RegisterHook(g => { seen.Add(g); return null; });
        c.RegisterHook(g => { seen.Add(g); return null; });
        c.RetainGrad();
        var seed = Tensor.Scalar(2, dtype);
        e.Backward(seed, retainGraph: true);
        Assert.That(seed.Item(), Is.EqualTo(2));
        Assert.That(seen.Select(t => t.Item()), Is.EqualTo(new[] { 2.5, 2.5 }));
        Assert.That(c.Grad!.Item(), Is.EqualTo(2.5));
        Assert.That(x.Grad!.Item(), Is.EqualTo(15));

        var grads = Autodiff.Grad([e], [d, b, a, x], retainGraph: true);
        Assert.That(grads.Select(t => t!.Item()), Is.EqualTo(new[] { 0.25, 1.25, 3.75, 7.5 }));
        var again = Autodiff.Grad(e, x, createGraph: true);
        Assert.That(again.Item(), Is.EqualTo(7.5));
        Assert.That(again.RequiresGrad, Is.False, "the rules were recorded only where a gradient required grad");
    }

    [Test]
    public void BackwardThroughAScalarChainAllocatesNoGradientPerNode()
    {
        static Tensor Chain(Tensor x)
        {
            var y = x;
            for (int i = 0; i < 1000; i++) y = (i & 1) == 0 ? y * 0.999 : y + 0.001;
            return y;
        }
        var x = Tensor.Scalar(0.5, DType.Float64).RequireGrad();
        Chain(x).Backward();
        x.ZeroGrad();
        var y = Chain(x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        y.Backward();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        // The 500 products would take 500 new gradients (over 50 KB); the pass itself needs a few hundred bytes.
        Assert.That(bytes, Is.LessThan(8_000), $"{bytes} bytes");
        Assert.That(x.Grad!.Item(), Is.EqualTo(Math.Pow(0.999, 500)).Within(1e-12));
    }

    [Test]
    public void RetainedGraphKeepsItsStorageAndAllowsAnotherPass()
    {
        var x = Tensor.From(new double[] { 0.5 }).RequireGrad();
        var y = x.Exp().Sum();
        y.Backward(retainGraph: true);
        y.Backward(retainGraph: true);
        Assert.That(x.Grad!.Item(), Is.EqualTo(2 * Math.Exp(0.5)).Within(1e-15));
    }

    [Test]
    public void NoGradScopeRecordsNothingAndRestoresTheMode()
    {
        var x = Leaf(2);
        Assert.That(Autodiff.IsGradEnabled, Is.True);
        using (Autodiff.NoGrad())
        {
            var y = x * x;
            Assert.That(y.RequiresGrad, Is.False);
            Assert.That(y.GradFnName, Is.Null);
            using (Autodiff.EnableGrad())
                Assert.That((x * x).RequiresGrad, Is.True);
            Assert.That(Autodiff.IsGradEnabled, Is.False);
        }
        Assert.That(Autodiff.IsGradEnabled, Is.True);
        Assert.That((x * x).GradFnName, Is.EqualTo("mul"));
    }

    [Test]
    public void RequiresGradPropagatesAsInPyTorch()
    {
        var a = Leaf(1);
        var b = Tensor.Scalar(2, DType.Float64);
        Assert.That((a + b).RequiresGrad, Is.True);
        Assert.That((b + b).RequiresGrad, Is.False);
        Assert.That((b + b).IsLeaf, Is.True);
        Assert.That((a + b).IsLeaf, Is.False);
    }

    [Test]
    public void DetachCutsTheGraphButSharesValues()
    {
        var x = Leaf(3);
        var d = (x * x).Detach();
        Assert.That(d.RequiresGrad, Is.False);
        var y = x * d; // d is a constant 9 here
        y.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(9));
    }

    [Test]
    public void CreateGraphGivesSecondDerivatives()
    {
        // d/dx x³ = 3x², d²/dx² x³ = 6x
        var x = Leaf(1.5);
        var y = x * x * x;
        var dy = Autodiff.Grad(y, x, createGraph: true);
        Assert.That(dy.Item(), Is.EqualTo(3 * 1.5 * 1.5).Within(1e-15));
        Assert.That(dy.RequiresGrad, Is.True);
        var d2 = Autodiff.Grad(dy, x);
        Assert.That(d2.Item(), Is.EqualTo(6 * 1.5).Within(1e-15));
    }

    [Test]
    public void BackwardWithCreateGraphLeavesADifferentiableGrad()
    {
        var x = Leaf(0.4);
        x.Tanh().Backward(createGraph: true);
        var g = x.Grad!;
        Assert.That(g.RequiresGrad, Is.True);
        x.ZeroGrad();
        g.Backward();
        double t = Math.Tanh(0.4);
        Assert.That(x.Grad!.Item(), Is.EqualTo(-2 * t * (1 - t * t)).Within(1e-15));
    }

    [Test]
    public void GradOfAnIntermediateAndOfSeveralOutputs()
    {
        var x = Leaf(2);
        var h = x * 3.0;
        var y1 = h * h;
        var y2 = h.Sin();
        var grads = Autodiff.Grad([y1, y2], [h, x]);
        Assert.That(grads[0]!.Item(), Is.EqualTo(2 * 6 + Math.Cos(6)).Within(1e-14));
        Assert.That(grads[1]!.Item(), Is.EqualTo(3 * (2 * 6 + Math.Cos(6))).Within(1e-14));
        Assert.That(x.Grad, Is.Null, "Autodiff.Grad does not touch .Grad");
    }

    [Test]
    public void GradOfUnusedInputIsNullOnlyWhenAllowed()
    {
        var x = Leaf(1);
        var z = Leaf(1);
        var y = x * 2.0;
        Assert.Throws<InvalidOperationException>(() => Autodiff.Grad([y], [x, z], retainGraph: true));
        var grads = Autodiff.Grad([y], [x, z], allowUnused: true);
        Assert.That(grads[1], Is.Null);
        Assert.That(grads[0]!.Item(), Is.EqualTo(2));
    }

    [Test]
    public void LeafGradIsACopyNotTheCallersSeed()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var seed = Tensor.From(new double[] { 5, 6 });
        (x + 0.0).Backward(seed);
        Assert.That(x.Grad, Is.Not.SameAs(seed));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 5, 6 }));
    }

    [Test]
    public void DeepGraphWithCreateGraphAndLongChainOfViews()
    {
        var x = Tensor.Normal([4, 6], new Generator(3), dtype: DType.Float64).RequireGrad();
        var y = x;
        for (int i = 0; i < 10_000; i++) y = y.Transpose(0, 1);
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(1.0));
    }
}
