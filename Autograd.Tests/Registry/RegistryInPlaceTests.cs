using Autograd.Tests.Registry;

namespace Autograd.Tests;

/// <summary>
/// Every registry op with an in-place variant (<see cref="OpInfo.InPlace"/>), on each sample whose result has input 0's
/// shape: the variant written into a recorded copy of input 0, and into a constant, gives the values and gradients
/// of the out-of-place op, first and second order.
/// </summary>
public class RegistryInPlaceTests
{
    private const ulong Seed = 20261201;

    public static IEnumerable<TestCaseData> Cases() =>
        OpRegistry.All.Where(op => op.InPlace is not null)
            .SelectMany(op => op.Samples.Select(s => new TestCaseData(op, s).SetName($"{op.Name}_({s.Name})")));

    private static Tensor?[] Gradients(Tensor y, Tensor weights, Tensor[] inputs, bool createGraph = false) =>
        Autodiff.Grad([(y * weights).Sum()], inputs, createGraph: createGraph, allowUnused: true);

    [TestCaseSource(nameof(Cases))]
    public void TheInPlaceVariantGivesTheGradientsOfTheOp(OpInfo op, OpSample sample)
    {
        var inputs = sample.Make(DType.Float64, Seed);
        var expected = op.Apply(inputs);
        if (!ShapeUtil.SameShape(expected.Dims, inputs[0].Dims))
        {
            // The result would grow input 0: refused, as PyTorch refuses it.
            Assert.Throws<ArgumentException>(() => op.InPlace!(inputs[0].Clone(), inputs));
            return;
        }
        var weights = Tensor.Normal(expected.Shape, new Generator(5), dtype: DType.Float64);
        var differentiable = inputs.Where(t => t.RequiresGrad).ToArray();

        var target = inputs[0].Clone();
        op.InPlace!(target, inputs);
        Assert.That(target.ToArray<double>(), Is.EqualTo(expected.ToArray<double>()), "values");
        AssertSame(Gradients(target, weights, differentiable), Gradients(expected, weights, differentiable), "into a copy of input 0");

        if (op.SecondOrder)
        {
            var again = inputs[0].Clone();
            op.InPlace!(again, inputs);
            var first = Gradients(again, weights, differentiable, createGraph: true);
            var firstExpected = Gradients(op.Apply(inputs), weights, differentiable, createGraph: true);
            for (int i = 0; i < first.Length; i++)
            {
                if (first[i] is not { RequiresGrad: true } g || firstExpected[i] is not { RequiresGrad: true } e) continue;
                AssertSame(Autodiff.Grad([g.Sum()], differentiable, allowUnused: true),
                    Autodiff.Grad([e.Sum()], differentiable, allowUnused: true), $"second order through input {i}");
            }
        }

        // Into a constant, only the other inputs bring gradients.
        var others = differentiable.Where(t => !ReferenceEquals(t, inputs[0])).ToArray();
        if (others.Length == 0) return;
        var constant = inputs[0].Detach().Clone();
        op.InPlace!(constant, inputs);
        var expectedFromConstant = op.Apply([inputs[0].Detach(), .. inputs[1..]]);
        AssertSame(Gradients(constant, weights, others), Gradients(expectedFromConstant, weights, others), "into a constant");
    }

    private static void AssertSame(Tensor?[] actual, Tensor?[] expected, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] is null) Assert.That(actual[i] is null || actual[i]!.ToArray<double>().All(v => v == 0), Is.True, $"{what}: input {i}");
            else Assert.That(actual[i]?.ToArray<double>(), Is.EqualTo(expected[i]!.ToArray<double>()), $"{what}: input {i}");
        }
    }
}
