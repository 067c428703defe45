namespace Autograd.Tests;

public class CustomFunctionTests
{
    /// <summary>f(x) = Σᵢ aᵢ sin(bᵢx + cᵢ) as one fused op (seed 001), x of any shape, a, b, c of shape [n].</summary>
    private sealed class SumOfSines : CustomFunction
    {
        private SavedTensor _x, _a, _b, _c;

        protected override Tensor Forward(Tensor[] inputs)
        {
            _x = SaveForBackward(inputs[0]);
            _a = SaveForBackward(inputs[1]);
            _b = SaveForBackward(inputs[2]);
            _c = SaveForBackward(inputs[3]);
            return (inputs[1] * (inputs[0].Unsqueeze(-1) * inputs[2] + inputs[3]).Sin()).Sum(-1);
        }

        // ∂f/∂x = Σ aᵢbᵢcos(bᵢx + cᵢ), ∂f/∂aᵢ = sin(bᵢx + cᵢ), ∂f/∂bᵢ = aᵢx cos(bᵢx + cᵢ), ∂f/∂cᵢ = aᵢ cos(bᵢx + cᵢ)
        protected override Tensor?[] Backward(Tensor grad)
        {
            Tensor x = _x.Value.Unsqueeze(-1), a = _a.Value, b = _b.Value, c = _c.Value;
            var phase = x * b + c;
            var g = grad.Unsqueeze(-1);
            var cos = phase.Cos();
            var batchAxes = Enumerable.Range(0, x.Rank - 1).ToArray();
            Tensor Reduce(Tensor t) => batchAxes.Length == 0 ? t : t.Sum(batchAxes);
            return
            [
                (g * a * b * cos).Sum(-1),
                Reduce(g * phase.Sin()),
                Reduce(g * a * x * cos),
                Reduce(g * a * cos),
            ];
        }

        public static Tensor Call(Tensor x, Tensor a, Tensor b, Tensor c) => new SumOfSines().Apply(x, a, b, c);
    }

    /// <summary>argmax as a custom op: the output is marked non-differentiable.</summary>
    private sealed class RoundDown : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs)
        {
            MarkNonDifferentiable();
            return inputs[0] - (inputs[0] - inputs[0].To(DType.Int64).To(inputs[0].DType));
        }

        protected override Tensor?[] Backward(Tensor grad) => [null];
    }

    private static Tensor[] SineInputs() =>
    [
        Tensor.Normal([3, 4], new Generator(1), dtype: DType.Float64).RequireGrad(),
        Tensor.Normal([5], new Generator(2), dtype: DType.Float64).RequireGrad(),
        Tensor.Normal([5], new Generator(3), dtype: DType.Float64).RequireGrad(),
        Tensor.Normal([5], new Generator(4), dtype: DType.Float64).RequireGrad(),
    ];

    [Test]
    public void FusedSumOfSinesMatchesTheCompositeAndPassesGradCheck()
    {
        var inputs = SineInputs();
        var fused = SumOfSines.Call(inputs[0], inputs[1], inputs[2], inputs[3]);
        var composite = (inputs[1] * (inputs[0].Unsqueeze(-1) * inputs[2] + inputs[3]).Sin()).Sum(-1);
        Assert.That(fused.ToArray<double>(), Is.EqualTo(composite.ToArray<double>()).Within(1e-14));
        Assert.That(fused.GradFnName, Is.EqualTo("SumOfSines"));
        Assert.That(GradCheck.Check(x => SumOfSines.Call(x[0], x[1], x[2], x[3]), inputs), Gradients.Match);
    }

    [Test]
    public void ABackwardWrittenWithTensorOpsSupportsSecondOrder() =>
        Assert.That(GradCheck.CheckSecondOrder(x => SumOfSines.Call(x[0], x[1], x[2], x[3]), SineInputs()), Gradients.Match);

    [Test]
    public void NonDifferentiableOutputsGetNoGradient()
    {
        var x = Tensor.From(new double[] { 1.5, -0.5 }).RequireGrad();
        var y = new RoundDown().Apply(x);
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new double[] { 1, 0 }));
    }

    [Test]
    public void AnInstanceRecordsOneCall()
    {
        var f = new RoundDown();
        f.Apply(Tensor.Scalar(1));
        Assert.That(() => f.Apply(Tensor.Scalar(1)), Throws.InvalidOperationException.With.Message.Contains("RoundDown"));
    }

    [Test]
    public void SavedTensorsAreCheckedForInPlaceChangesAndReleasedAfterBackward()
    {
        var inputs = SineInputs();
        var x = inputs[0].Detach().Clone();
        var y = SumOfSines.Call(x, inputs[1], inputs[2], inputs[3]).Sum();
        x.MulInPlace(2);
        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contains("SumOfSines").And.Message.Contains("modified in place"));

        var y2 = SumOfSines.Call(inputs[0], inputs[1], inputs[2], inputs[3]).Sum();
        y2.Backward();
        Assert.That(() => y2.Backward(), Throws.InvalidOperationException.With.Message.Contains("retainGraph"));
    }
}
