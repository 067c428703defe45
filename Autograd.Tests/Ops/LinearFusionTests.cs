using Autograd.Kernels;
using P = Autograd.Ops;
using static Autograd.Tests.Ops.LinearCases;

namespace Autograd.Tests.Ops;

/// <summary>
/// nn.Linear's fused op (Autograd.Core/Ops/Linear.cs: the bias added in the product's epilogue, its gradient summed in
/// the weight gradient's pass) gives the bits of x·Wᵀ + b and of that composite's gradients, whatever the thread count,
/// on shapes that reach every path of the product (row strips, tiles, Cᵀ = Bᵀ·Aᵀ, matrix·vector, empty depth).
/// </summary>
[NonParallelizable]
public class LinearFusionTests
{
    // (600, 33, 128): the weight gradient runs as Cᵀ = Bᵀ·Aᵀ on row strips, so the bias gradient is B's column sums,
    // over two depth blocks. (50, 40, 700): it runs as Cᵀ on column strips, each strip summing its own columns of B;
    // (128, 784, 256) runs the forward on column strips, and (128, 256, 10) the weight gradient with A's row sums.
    private static readonly (int N, int In, int Out)[] Shapes =
    [
        (128, 784, 256), (128, 256, 10), (37, 300, 150), (700, 40, 6), (1, 50, 30), (20, 1, 7), (5, 0, 4), (0, 8, 3), (9, 8, 1), (3, 600, 2),
        (600, 33, 128), (50, 40, 700),
    ];

    [Test]
    public void Forward_GivesTheBitsOfMatMulPlusBias_ForEveryDegree()
    {
        foreach (var dtype in DTypes)
            foreach (var (n, inF, outF) in Shapes)
                foreach (bool transposed in new[] { false, true })
                {
                    var (x, w, b, _) = Operands(n, inF, outF, dtype, transposed, 3);
                    var expected = Bits(Under(null, 1, () => x.MatMul(w.T) + b));
                    foreach (int degree in new[] { 1, 2, 3 })
                        Assert.That(Bits(Under(null, degree, () => P.Linear.Forward(x, w, b))), Is.EqualTo(expected),
                            $"{dtype.Name()} [{n}, {inF}]·[{outF}, {inF}]ᵀ, x transposed {transposed}, degree {degree}");
                }
    }

    [Test]
    public void Backward_GivesTheBitsOfTheCompositeGradients_ForEveryDegree()
    {
        foreach (var dtype in DTypes)
            foreach (var (n, inF, outF) in Shapes)
            {
                var (x, w, b, r) = Operands(n, inF, outF, dtype, false, 5);
                var expected = Under(null, 1, () => Grads((a, v, c) => a.MatMul(v.T) + c, x, w, b, r)).Select(Bits).ToArray();
                foreach (int degree in new[] { 1, 2, 3 })
                {
                    var got = Under(null, degree, () => Grads(P.Linear.Forward, x, w, b, r));
                    for (int i = 0; i < 3; i++)
                        Assert.That(Bits(got[i]), Is.EqualTo(expected[i]), $"{dtype.Name()} [{n}, {inF}]·[{outF}, {inF}]ᵀ, gradient {i}, degree {degree}");
                }
            }
    }

    [Test]
    public void FirstOrderGradients_AreTheSameBits_WithAndWithoutCreateGraph()
    {
        foreach (var (n, inF, outF) in Shapes)
        {
            var (x, w, b, r) = Operands(n, inF, outF, DType.Float32, false, 7);
            var plain = Grads(P.Linear.Forward, x, w, b, r);
            var graph = Grads(P.Linear.Forward, x, w, b, r, createGraph: true);
            for (int i = 0; i < 3; i++) Assert.That(Bits(graph[i]), Is.EqualTo(Bits(plain[i])), $"[{n}, {inF}]·[{outF}, {inF}]ᵀ, gradient {i}");
        }
    }

    [Test]
    public void TheLinearLayer_RunsTheFusedOp_OnAnyLeadingAxes()
    {
        var layer = new Autograd.Nn.Linear(20, 12, generator: new Generator(2));
        var x = Tensor.Uniform([2, 3, 20], new Generator(3), -1, 1);
        var y = layer.Forward(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3, 12 }));
        Assert.That(Bits(y), Is.EqualTo(Bits(x.MatMul(layer.Weight.T) + layer.Bias!)));
        var v = layer.Forward(Tensor.Uniform([20], new Generator(4), -1, 1));
        Assert.That(v.Shape, Is.EqualTo(new[] { 12 }));
        y.Sum().Backward();
        Assert.That(Bits(layer.Bias!.Grad!), Is.EqualTo(Bits(Tensor.Full([12], 6.0))));
    }
}
