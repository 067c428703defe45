namespace Autograd.Tests;

/// <summary>
/// A tensor that <see cref="CustomFunction"/>'s Forward computed has no graph back to the inputs: a backward with
/// createGraph that reads it would give a wrong second-order gradient, so it throws; first order stays legal.
/// </summary>
public class CustomFunctionDoubleBackwardTests
{
    /// <summary>sin(x), saving cos(x) computed in Forward (the mistake) or x itself (the fix).</summary>
    private sealed class Sine(bool saveCos) : CustomFunction
    {
        private SavedTensor _x, _cos;

        protected override Tensor Forward(Tensor[] inputs)
        {
            _x = SaveForBackward(inputs[0]);
            if (saveCos) _cos = SaveForBackward(inputs[0].Cos());
            return inputs[0].Sin();
        }

        protected override Tensor?[] Backward(Tensor grad) => [grad * (saveCos ? _cos.Value : _x.Value.Cos())];
    }

    /// <summary>exp(x), saving its output: d/dx = y, and y is on the graph once Apply attaches it.</summary>
    private sealed class Exp : CustomFunction
    {
        private SavedTensor _y;

        protected override Tensor Forward(Tensor[] inputs)
        {
            var y = inputs[0].Exp();
            _y = SaveForBackward(y);
            return y;
        }

        protected override Tensor?[] Backward(Tensor grad) => [grad * _y.Value];
    }

    /// <summary>relu(x)·w with w not an input: an int64 mask made in Forward, and w's own graph.</summary>
    private sealed class MaskedScale(Tensor w) : CustomFunction
    {
        private SavedTensor _mask, _w, _x;

        protected override Tensor Forward(Tensor[] inputs)
        {
            _x = SaveForBackward(inputs[0]);
            _mask = SaveForBackward((inputs[0] > 0.0).To(DType.Int64));
            _w = SaveForBackward(w);
            return inputs[0].Relu() * w * inputs[0];
        }

        // d/dx relu(x)·w·x = 2·w·x where x > 0
        protected override Tensor?[] Backward(Tensor grad) => [grad * _mask.Value.To(DType.Float64) * _w.Value * _x.Value * 2.0];
    }

    /// <summary>x·c for a constant c, made in Forward and saved (refused under createGraph) or kept in a field (fine).</summary>
    private sealed class ScaleByConstant(bool save) : CustomFunction
    {
        private readonly Tensor _c = Tensor.From(new double[] { 2, 3 });
        private SavedTensor _saved;

        protected override Tensor Forward(Tensor[] inputs)
        {
            if (save) _saved = SaveForBackward(_c * 1.0);
            return inputs[0] * _c;
        }

        protected override Tensor?[] Backward(Tensor grad) => [grad * (save ? _saved.Value : _c)];
    }

    private static Tensor X() => Tensor.From(new double[] { 0.5, -1.25 }).RequireGrad();

    [Test]
    public void BackwardWithCreateGraphReadingATensorForwardComputedThrowsNamingTheFunctionAndTheTensor()
    {
        // First order may read it.
        var x = X();
        new Sine(saveCos: true).Apply(x).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { Math.Cos(0.5), Math.Cos(-1.25) }).Within(1e-15));
        Assert.That(GradCheck.Check(xs => new Sine(saveCos: true).Apply(xs[0]), [X()]), Gradients.Match);

        var y = new Sine(saveCos: true).Apply(x).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => Autodiff.Grad(y, x, createGraph: true))!;
        Assert.That(e.Message, Does.StartWith("Sine: backward with createGraph reads saved tensor 1 (shape [2], float64)")
            .And.Contain("no graph back to the inputs").And.Contain("Save the inputs and recompute it in Backward").And.Contain("return it as an output"));
        // The check that used to be the only one to notice now gets the exception too, instead of a silent mismatch.
        Assert.Throws<InvalidOperationException>(() => GradCheck.CheckSecondOrder(xs => new Sine(saveCos: true).Apply(xs[0]), [X()]));
        Assert.Throws<InvalidOperationException>(() => new Sine(saveCos: true).Apply(X()).Sum().Backward(createGraph: true));
    }

    [Test]
    public void InputsOutputsInt64TensorsAndTensorsWithAGraphOfTheirOwnSupportDoubleBackward()
    {
        // Only the tensor Forward computed is refused; the same function saving its input instead is differentiable twice.
        Assert.Throws<InvalidOperationException>(() => GradCheck.CheckSecondOrder(xs => new Sine(saveCos: true).Apply(xs[0]), [X()]));
        Assert.That(GradCheck.CheckSecondOrder(xs => new Sine(saveCos: false).Apply(xs[0]), [X()]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(xs => new Exp().Apply(xs[0]), [X()]), Gradients.Match);
        var x = X();
        var g = Autodiff.Grad(new Exp().Apply(x).Sum(), x, createGraph: true);
        var g2 = Autodiff.Grad(g.Sum(), x);
        Assert.That(g2.ToArray<double>(), Is.EqualTo(new[] { Math.Exp(0.5), Math.Exp(-1.25) }).Within(1e-15), "d²/dx² eˣ = eˣ");

        var w = Tensor.From(new double[] { 1.5, -2 }).RequireGrad();
        var v = Tensor.From(new double[] { 0.5, 1.25 }).RequireGrad();
        var gv = Autodiff.Grad(new MaskedScale(w).Apply(v).Sum(), v, createGraph: true);
        Assert.That(gv.ToArray<double>(), Is.EqualTo(new[] { 1.5, -5 }), "2·w·x");
        var second = Autodiff.Grad([gv.Sum()], [v, w]);
        Assert.That(second[0]!.ToArray<double>(), Is.EqualTo(new[] { 3.0, -4 }), "2·w");
        Assert.That(second[1]!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2.5 }), "2·x: through the saved w's own graph");
    }

    [Test]
    public void AConstantMadeInForwardIsRefusedWhenSavedAndFineInAField()
    {
        var x = X();
        var e = Assert.Throws<InvalidOperationException>(() => Autodiff.Grad(new ScaleByConstant(save: true).Apply(x).Sum(), x, createGraph: true))!;
        Assert.That(e.Message, Does.StartWith("ScaleByConstant: backward with createGraph reads saved tensor 0").And.Contain("belongs in a field"));
        var x2 = X();
        var g = Autodiff.Grad(new ScaleByConstant(save: false).Apply(x2).Sum(), x2, createGraph: true);
        Assert.That(g.ToArray<double>(), Is.EqualTo(new double[] { 2, 3 }));
        Assert.That(g.RequiresGrad, Is.False, "the gradient of x·c does not depend on x");
    }
}
