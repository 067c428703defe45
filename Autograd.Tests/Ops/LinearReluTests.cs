using Autograd.Kernels;
using P = Autograd.Ops;
using static Autograd.Tests.Ops.LinearCases;

namespace Autograd.Tests.Ops;

/// <summary>
/// The ReLU epilogue of nn.Linear's product (Autograd.Core/Ops/Linear.cs, <c>linear_relu</c>: max(·, 0) applied to each
/// tile after the bias) gives the bits of linear followed by relu, forward and backward, first and second order, on
/// every instruction set, at every thread count, for batch and output sizes around the micro-kernels' tiles (MR 12, 6,
/// 6, 4 rows; NR 32, 16, 8, 4 floats) and on every path of the product (tiles, Cᵀ = Bᵀ·Aᵀ, row strips,
/// matrix·vector, empty depth, empty batch).
/// </summary>
[NonParallelizable]
public class LinearReluTests
{
    private static readonly (int N, int In, int Out)[] Shapes =
    [
        (1, 9, 7), (4, 20, 8), (5, 17, 15), (6, 33, 16), (7, 12, 17), (11, 40, 31), (12, 5, 32), (13, 64, 33), (24, 30, 4),
        (25, 70, 65), (128, 100, 10), (37, 300, 150), (700, 40, 6), (20, 1, 7), (5, 0, 4), (0, 8, 3), (9, 8, 1), (3, 600, 2),
    ];

    private static Tensor Unfused(Tensor x, Tensor w, Tensor b) => P.Linear.Forward(x, w, b).Relu();

    [Test]
    public void Forward_GivesTheBitsOfLinearThenRelu_OnEveryIsaAndDegree()
    {
        foreach (var isa in Autograd.Tests.Kernels.IsaTests.Available())
            foreach (var dtype in DTypes)
                foreach (var (n, inF, outF) in Shapes)
                    foreach (bool transposed in new[] { false, true })
                    {
                        var (x, w, b, _) = Operands(n, inF, outF, dtype, transposed, 3);
                        var expected = Bits(Under(isa, 1, () => Unfused(x, w, b)));
                        foreach (int degree in new[] { 1, 2, 3 })
                        {
                            var y = Under(isa, degree, () => P.LinearRelu.Forward(x, w, b));
                            Assert.That(Bits(y), Is.EqualTo(expected),
                                $"{Isa.Name(isa)} {dtype.Name()} [{n}, {inF}]·[{outF}, {inF}]ᵀ, x transposed {transposed}, degree {degree}");
                        }
                    }
    }

    [Test]
    public void Forward_ZeroesNegativesAndKeepsNaN_AsRelu()
    {
        var x = Tensor.From([1.0, double.NaN, -2.0, 0.5], 2, 2);
        var w = Tensor.From([1.0, 0.0, 0.0, 1.0, -1.0, 0.0], 3, 2);
        var b = Tensor.From([0.0, -1.0, 0.0], 3);
        var y = P.LinearRelu.Forward(x, w, b).ToArray<double>();
        var expected = Unfused(x, w, b).ToArray<double>();
        Assert.That(y, Is.EqualTo(expected));
        Assert.That(y.Count(double.IsNaN), Is.GreaterThan(0));
        Assert.That(y.Count(v => v == 0), Is.GreaterThan(0));
    }

    [Test]
    public void Backward_GivesTheBitsOfLinearThenRelu_OnEveryIsaAndDegree()
    {
        foreach (var isa in Autograd.Tests.Kernels.IsaTests.Available())
            foreach (var dtype in DTypes)
                foreach (var (n, inF, outF) in Shapes)
                {
                    var (x, w, b, r) = Operands(n, inF, outF, dtype, false, 5);
                    var expected = Under(isa, 1, () => Grads(Unfused, x, w, b, r)).Select(Bits).ToArray();
                    foreach (int degree in new[] { 1, 2, 3 })
                    {
                        var got = Under(isa, degree, () => Grads(P.LinearRelu.Forward, x, w, b, r));
                        for (int i = 0; i < 3; i++)
                            Assert.That(Bits(got[i]), Is.EqualTo(expected[i]),
                                $"{Isa.Name(isa)} {dtype.Name()} [{n}, {inF}]·[{outF}, {inF}]ᵀ, gradient {i}, degree {degree}");
                    }
                }
    }

    [Test]
    public void CreateGraphGradients_AndSecondOrder_GiveTheBitsOfLinearThenRelu()
    {
        foreach (var dtype in DTypes)
            foreach (var (n, inF, outF) in Shapes)
            {
                var (x, w, b, r) = Operands(n, inF, outF, dtype, false, 7);
                Tensor[] SecondOrder(Func<Tensor, Tensor, Tensor, Tensor> f)
                {
                    var (xg, wg, bg) = (x.Detach().RequireGrad(), w.Detach().RequireGrad(), b.Detach().RequireGrad());
                    var first = Autodiff.Grad([(f(xg, wg, bg) * r).Sum()], [xg, wg, bg], createGraph: true).Select(t => t!).ToArray();
                    // The x and W gradients depend on W and x through linear's rule; the mask is constant, as relu's.
                    var s = (first[0] * first[0]).Sum() + (first[1] * first[1]).Sum();
                    var second = Autodiff.Grad([s], [xg, wg], allowUnused: true).Select(t => t ?? Tensor.Zeros([0], dtype)).ToArray();
                    return [.. first, .. second];
                }
                var expected = SecondOrder(Unfused);
                var got = SecondOrder(P.LinearRelu.Forward);
                for (int i = 0; i < expected.Length; i++)
                    Assert.That(Bits(got[i]), Is.EqualTo(Bits(expected[i])), $"{dtype.Name()} [{n}, {inF}]·[{outF}, {inF}]ᵀ, gradient {i}");
            }
    }

    [Test]
    public void Backward_ReadsTheOutput_SoModifyingItInPlaceIsRefused()
    {
        var (x, w, b, _) = Operands(4, 3, 5, DType.Float64, false, 9);
        var wg = w.Detach().RequireGrad();
        var y = P.LinearRelu.Forward(x, wg, b);
        var sum = y.Sum();
        using (Autodiff.NoGrad()) y.AddInPlace(Tensor.OnesLike(y), 1.0);
        var e = Assert.Throws<InvalidOperationException>(() => sum.Backward());
        Assert.That(e!.Message, Does.StartWith("linear_relu: "));
    }
}
