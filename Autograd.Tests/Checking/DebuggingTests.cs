using System.Runtime.CompilerServices;

namespace Autograd.Tests;

public class DebuggingTests
{
    private static int Line([CallerLineNumber] int line = 0) => line;

    [Test]
    public void AnomalyModeNamesTheOpAndTheSourceLineOfANaNInForward()
    {
        var x = Tensor.From(new double[] { 1, -1 }).RequireGrad();
        using var anomaly = Autodiff.DetectAnomaly();
        int line = 0;
        var e = Assert.Throws<InvalidOperationException>(() => { line = Line() + 1;
            x.Sqrt(); });
        Assert.That(e!.Message, Does.Contain("'sqrt'").And.Contain("NaN").And.Contain($"DebuggingTests.cs:{line}"));
    }

    [Test]
    public void AnomalyModeNamesTheOpWhoseBackwardProducesInfinity()
    {
        var x = Tensor.From(new double[] { 0, 1 }).RequireGrad();
        Tensor y;
        int line;
        using (Autodiff.DetectAnomaly())
        {
            line = Line() + 1;
            y = x.Sqrt().Sum(); // sqrt(0) is fine forward; its derivative 1/(2√0) is +∞
            var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
            Assert.That(e!.Message, Does.Contain("backward of op 'sqrt'").And.Contain("+Inf").And.Contain($"DebuggingTests.cs:{line}"));
        }
        Assert.That(Autodiff.IsAnomalyEnabled, Is.False);
        var y2 = x.Sqrt().Sum();
        Assert.DoesNotThrow(() => y2.Backward(), "outside the scope nothing is checked");
    }

    [Test]
    public void HooksObserveAndReplaceGradients()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var h = x * 3.0;
        Tensor? seenAtH = null;
        int leafCalls = 0;
        using var observe = h.RegisterHook(g => { seenAtH = g; return null; });
        using var doubleIt = x.RegisterHook(g => { leafCalls++; return g * 2.0; });
        // x feeds two paths; its hook runs once on their sum
        var y = (h * h).Sum() + x.Sum();
        y.Backward();
        Assert.That(seenAtH!.ToArray<double>(), Is.EqualTo(new double[] { 6, 12 }));
        Assert.That(leafCalls, Is.EqualTo(1));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 2 * (18 + 1), 2 * (36 + 1) }));
    }

    [Test]
    public void AReplacingHookOnAnIntermediateChangesWhatFlowsUpstream()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var h = x.Exp();
        var handle = h.RegisterHook(g => Tensor.ZerosLike(g));
        (h * 5.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0 }));
        handle.Dispose();
        x.ZeroGrad();
        var h2 = x.Exp();
        (h2 * 5.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>()[0], Is.EqualTo(5 * Math.E).Within(1e-12));
    }

    [Test]
    public void AHookReturningTheWrongShapeIsRejected()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        using var bad = x.RegisterHook(_ => Tensor.Zeros([3], DType.Float64));
        Assert.That(() => (x * 2.0).Sum().Backward(), Throws.InvalidOperationException.With.Message.Contains("[3]").And.Message.Contains("[2]"));
    }

    [Test]
    public void DotExportHasTheNodesAndEdgesOfTheGraph()
    {
        var a = Tensor.Scalar(2, DType.Float64).RequireGrad();
        var b = Tensor.Scalar(-3, DType.Float64).RequireGrad();
        var c = a * b;
        var d = (c + a).Tanh();
        d.Backward();
        var dot = Graphviz.ToDot(d);
        Assert.That(dot, Does.StartWith("digraph"));
        // ops: tanh, add, mul; tensors: d, c+a, c, a, b and the add's inputs
        Assert.That(CountMatches(dot, "shape=ellipse"), Is.EqualTo(3));
        Assert.That(dot, Does.Contain("label=\"tanh\"").And.Contain("label=\"add\"").And.Contain("label=\"mul\""));
        Assert.That(CountMatches(dot, "shape=record"), Is.EqualTo(5));
        // edges: a→mul, b→mul, mul→c, c→add, a→add, add→(c+a), (c+a)→tanh, tanh→d
        Assert.That(CountMatches(dot, " -> "), Is.EqualTo(8));
        Assert.That(dot, Does.Contain("data 2").And.Contain("data -3"));
        Assert.That(dot, Does.Contain("grad " + ((1 - Math.Pow(Math.Tanh(-4), 2)) * -2).ToString("G4", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static int CountMatches(string s, string what)
    {
        int n = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
