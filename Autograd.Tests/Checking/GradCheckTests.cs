namespace Autograd.Tests;

public class GradCheckTests
{
    // sin with a chosen backward: correct, wrong by a factor, or correct to first order only (detached).
    private sealed class TestSin(string mode) : Function
    {
        public override string Name => "test_sin_" + mode;

        public static Tensor Apply(Tensor x, string mode)
        {
            Tensor y;
            using (Autodiff.NoGrad()) y = x.Sin();
            var fn = new TestSin(mode);
            fn.Save(x);
            return Attach(fn, y.Detach(), x);
        }

        protected override Tensor?[] Backward(Tensor g) => mode switch
        {
            "right" => [g * Saved(0).Cos()],
            "off" => [g * Saved(0).Cos() * 1.01],
            // d/dx sin x = cos x, but computed off the graph: first derivatives right, second derivatives missing.
            _ => [g * Saved(0).Detach().Cos()],
        };
    }

    private static Tensor[] Inputs(int n) => [Tensor.Normal([n], new Generator(7), dtype: DType.Float64).RequireGrad()];

    [Test]
    public void PassesOnACorrectGradient() =>
        Assert.That(GradCheck.Check(x => TestSin.Apply(x[0], "right"), Inputs(5)), Gradients.Match);

    [Test]
    public void ReportsTheWorstElementOfAWrongGradient()
    {
        var xs = Inputs(5);
        var result = GradCheck.Check(x => TestSin.Apply(x[0], "off"), xs);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.FastMode, Is.False);
        var worst = result.Inputs[0];
        Assert.That(worst.Passed, Is.False);
        int i = worst.InputIndex[0];
        Assert.That(worst.OutputIndex, Is.EqualTo(worst.InputIndex), "sin's Jacobian is diagonal: the worst entry is on it");
        double cos = Math.Cos(xs[0][i]);
        Assert.That(worst.Analytic, Is.EqualTo(1.01 * cos).Within(1e-12));
        Assert.That(worst.Numeric, Is.EqualTo(cos).Within(1e-8));
        Assert.That(worst.AbsoluteError, Is.EqualTo(Math.Abs(worst.Analytic - worst.Numeric)));
        Assert.That(result.ToString(), Does.Contain("FAILED").And.Contain("input 0"));
    }

    [Test]
    public void AssertThrowsWithTheReport()
    {
        var e = Assert.Throws<GradCheckException>(() => GradCheck.Assert(x => TestSin.Apply(x[0], "off"), Inputs(3)));
        Assert.That(e!.Message, Does.Contain("analytic").And.Contain("numeric"));
        Assert.DoesNotThrow(() => GradCheck.Assert(x => TestSin.Apply(x[0], "right"), Inputs(3)));
    }

    [Test]
    public void LargeInputsUseRandomProjectionsThatStillCatchErrors()
    {
        var options = new GradCheckOptions { FullJacobianLimit = 100 };
        var good = GradCheck.Check(x => TestSin.Apply(x[0], "right"), Inputs(500), options);
        var bad = GradCheck.Check(x => TestSin.Apply(x[0], "off"), Inputs(500), options);
        Assert.That(good.FastMode, Is.True);
        Assert.That(good, Gradients.Match);
        Assert.That(bad.Passed, Is.False);
    }

    [Test]
    public void SecondOrderCheckCatchesABackwardThatLeavesTheGraph()
    {
        Assert.That(GradCheck.Check(x => TestSin.Apply(x[0], "detached"), Inputs(4)), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(x => TestSin.Apply(x[0], "detached"), Inputs(4)).Passed, Is.False);
        Assert.That(GradCheck.CheckSecondOrder(x => TestSin.Apply(x[0], "right"), Inputs(4)), Gradients.Match);
    }

    [Test]
    public void ChecksOnlyInputsThatRequireGrad()
    {
        var a = Tensor.Normal([3], new Generator(1), dtype: DType.Float64).RequireGrad();
        var b = Tensor.Normal([3], new Generator(2), dtype: DType.Float64);
        var result = GradCheck.Check(x => x[0] * x[1], [a, b]);
        Assert.That(result.Inputs.Select(r => r.Input), Is.EqualTo(new[] { 0 }));
        Assert.Throws<ArgumentException>(() => GradCheck.Check(x => x[0] * 2.0, [b]));
    }

    [Test]
    public void DoesNotModifyTheCallersInputs()
    {
        var x = Tensor.Normal([4], new Generator(3), dtype: DType.Float64).RequireGrad();
        var before = x.ToArray<double>();
        GradCheck.Check(t => t[0].Exp(), [x]);
        Assert.That(x.ToArray<double>(), Is.EqualTo(before));
        Assert.That(x.Grad, Is.Null);
    }
}
