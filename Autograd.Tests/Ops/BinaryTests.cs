namespace Autograd.Tests.Ops;

/// <summary>
/// Worked examples for the broadcast binary primitives of Autograd.Core/Ops/Binary.cs. A broadcast operand's
/// gradient is the seed (times the local derivative) summed over the axes it was broadcast along; each expected
/// value is written out here with loops and System.Math, in float64.
/// </summary>
public class BinaryTests
{
    private const double Tol = 1e-12;

    private static Tensor Leaf(double[] values, params int[] shape) => Tensor.From(values, shape).RequireGrad();

    private static double[] Grad(Tensor t) => t.Grad!.ToArray<double>();

    // G[i, j] = 1 + i + j/4 − (i·j mod 3): distinct, non-uniform seed values.
    private static double[] Seed(int rows, int cols)
    {
        var g = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) g[i * cols + j] = 1 + i + j / 4.0 - (i * j % 3);
        return g;
    }

    [Test]
    public void Add_RowBroadcast_GradientOfTheRowIsTheColumnSumsOfTheSeed()
    {
        double[] a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        double[] b = [0.5, -1, 2, 10];
        var ta = Leaf(a, 3, 4);
        var tb = Leaf(b, 4);
        var g = Seed(3, 4);

        var z = ta + tb;
        z.Backward(Tensor.From(g, 3, 4));

        var expected = new double[12];
        var colSums = new double[4];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            {
                expected[i * 4 + j] = a[i * 4 + j] + b[j];
                colSums[j] += g[i * 4 + j];
            }
        Assert.That(z.Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(z.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
        // ∂(a + b)/∂a = 1: a.Grad = G
        Assert.That(Grad(ta), Is.EqualTo(g).Within(Tol));
        // ∂(a + b)/∂b = 1, summed over the broadcast axis 0: b.Grad[j] = Σᵢ G[i, j]
        Assert.That(Grad(tb), Is.EqualTo(colSums).Within(Tol));
    }

    [Test]
    public void SubAndMul_ColumnBroadcast_GradientsAreRowSums()
    {
        double[] a = [1, -2, 3, 0.5, 4, -6];
        double[] b = [2, -3];
        var g = Seed(2, 3);

        var sa = Leaf(a, 2, 3);
        var sb = Leaf(b, 2, 1);
        var diff = sa - sb;
        diff.Backward(Tensor.From(g, 2, 3));
        // ∂(a − b)/∂a = 1, ∂(a − b)/∂b = −1 summed over axis 1: b.Grad[i] = −Σⱼ G[i, j]
        Assert.That(diff.ToArray<double>(), Is.EqualTo(new[] { 1 - 2, -2 - 2, 3 - 2, 0.5 + 3, 4 + 3, -6 + 3.0 }).Within(Tol));
        Assert.That(Grad(sa), Is.EqualTo(g).Within(Tol));
        Assert.That(Grad(sb), Is.EqualTo(new[] { -(g[0] + g[1] + g[2]), -(g[3] + g[4] + g[5]) }).Within(Tol));

        var ma = Leaf(a, 2, 3);
        var mb = Leaf(b, 2, 1);
        var prod = ma * mb;
        prod.Backward(Tensor.From(g, 2, 3));
        // ∂(ab)/∂a = b, ∂(ab)/∂b = a: a.Grad[i, j] = G[i, j]·b[i], b.Grad[i] = Σⱼ G[i, j]·a[i, j]
        Assert.That(prod.ToArray<double>(), Is.EqualTo(new[] { 2, -4, 6, -1.5, -12, 18.0 }).Within(Tol));
        Assert.That(Grad(ma), Is.EqualTo(new[] { g[0] * 2, g[1] * 2, g[2] * 2, g[3] * -3, g[4] * -3, g[5] * -3 }).Within(Tol));
        Assert.That(Grad(mb), Is.EqualTo(new[]
        {
            g[0] * a[0] + g[1] * a[1] + g[2] * a[2],
            g[3] * a[3] + g[4] * a[4] + g[5] * a[5],
        }).Within(Tol));
    }

    [Test]
    public void Div_BroadcastDenominator_GradientIsMinusSumOfGTimesAOverBSquared()
    {
        double[] a = [1, 2, 3, -4, 5, 6];
        double[] b = [0.5, -2, 4];
        var g = Seed(2, 3);
        var ta = Leaf(a, 2, 3);
        var tb = Leaf(b, 3);

        var q = ta / tb;
        q.Backward(Tensor.From(g, 2, 3));

        var values = new double[6];
        var ga = new double[6];
        var gb = new double[3];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
            {
                int k = i * 3 + j;
                values[k] = a[k] / b[j];
                ga[k] = g[k] / b[j];                      // ∂(a/b)/∂a = 1/b
                gb[j] += -g[k] * a[k] / (b[j] * b[j]);    // ∂(a/b)/∂b = −a/b², summed over axis 0
            }
        Assert.That(q.ToArray<double>(), Is.EqualTo(values).Within(Tol));
        Assert.That(Grad(ta), Is.EqualTo(ga).Within(Tol));
        Assert.That(Grad(tb), Is.EqualTo(gb).Within(Tol));
    }

    [Test]
    public void ScalarOnTheLeft_TwoMinusXAndOneOverX()
    {
        double[] x = [-2, 0.5, 1, 4];

        var t = Leaf(x, 4);
        var d = 2.0 - t;
        d.Sum().Backward();
        Assert.That(d.ToArray<double>(), Is.EqualTo(x.Select(v => 2 - v).ToArray()).Within(Tol));
        // d/dx (2 − x) = −1
        Assert.That(Grad(t), Is.All.EqualTo(-1.0));

        var u = Leaf(x, 4);
        var r = 1.0 / u;
        r.Sum().Backward();
        Assert.That(r.DType, Is.EqualTo(DType.Float64));
        Assert.That(r.ToArray<double>(), Is.EqualTo(x.Select(v => 1 / v).ToArray()).Within(Tol));
        // d/dx (1/x) = −1/x²
        Assert.That(Grad(u), Is.EqualTo(x.Select(v => -1 / (v * v)).ToArray()).Within(Tol));
    }

    [Test]
    public void PowTensorTensor_GradientWrtTheExponentIsAToTheBTimesLnA()
    {
        double[] a = [0.5, 2, 3, 1.5];
        double[] b = [1.5, -1, 2, 0.25];
        var ta = Leaf(a, 4);
        var tb = Leaf(b, 4);

        var z = Tensor.Pow(ta, tb);
        z.Sum().Backward();

        Assert.That(z.ToArray<double>(), Is.EqualTo(a.Zip(b, Math.Pow).ToArray()).Within(Tol));
        // ∂(aᵇ)/∂a = b·aᵇ⁻¹
        Assert.That(Grad(ta), Is.EqualTo(a.Zip(b, (p, q) => q * Math.Pow(p, q - 1)).ToArray()).Within(Tol));
        // ∂(aᵇ)/∂b = aᵇ·ln a
        Assert.That(Grad(tb), Is.EqualTo(a.Zip(b, (p, q) => Math.Pow(p, q) * Math.Log(p)).ToArray()).Within(Tol));

        // A scalar base: d/dx 2ˣ = 2ˣ ln 2
        var x = Leaf([-1, 0, 3], 3);
        var e = Tensor.Pow(2.0, x);
        e.Sum().Backward();
        Assert.That(e.ToArray<double>(), Is.EqualTo(new[] { 0.5, 1, 8 }).Within(Tol));
        Assert.That(Grad(x), Is.EqualTo(new[] { 0.5 * Math.Log(2), Math.Log(2), 8 * Math.Log(2) }).Within(Tol));
    }

    [Test]
    public void PowTensorTensor_ZeroBaseAndZeroExponent_HasZeroGradients()
    {
        var ta = Leaf([0, 0, 2], 3);
        var tb = Leaf([0, 2, 0], 3);

        var z = Tensor.Pow(ta, tb);
        z.Sum().Backward();

        // 0⁰ = 1, 0² = 0, 2⁰ = 1
        Assert.That(z.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0.0, 1.0 }));
        // ∂(aᵇ)/∂a = b·aᵇ⁻¹, which is 0 wherever b = 0 (a⁰ is constant in a), as torch.pow
        Assert.That(Grad(ta), Is.EqualTo(new[] { 0.0, 0.0, 0.0 }));
        // ∂(aᵇ)/∂b = aᵇ·ln a, taken as 0 at a = 0, b ≥ 0 (as torch.pow); ln 2 at a = 2, b = 0
        Assert.That(Grad(tb), Is.EqualTo(new[] { 0.0, 0.0, Math.Log(2) }).Within(Tol));
    }

    [Test]
    public void MaximumAndMinimum_TiesSplitTheGradientHalfAndHalf()
    {
        double[] a = [1, 2, 3, -1];
        double[] b = [3, 2, 1, -1];
        double[] g = [1, 2, 4, 8];

        var xa = Leaf(a, 4);
        var xb = Leaf(b, 4);
        var max = Tensor.Maximum(xa, xb);
        max.Backward(Tensor.From(g));
        Assert.That(max.ToArray<double>(), Is.EqualTo(new[] { 3.0, 2, 3, -1 }));
        // ∂max(a, b)/∂a = 1 where a > b, ½ where a = b, else 0 (torch.maximum)
        Assert.That(Grad(xa), Is.EqualTo(new[] { 0.0, 1, 4, 4 }).Within(Tol));
        Assert.That(Grad(xb), Is.EqualTo(new[] { 1.0, 1, 0, 4 }).Within(Tol));

        var na = Leaf(a, 4);
        var nb = Leaf(b, 4);
        var min = Tensor.Minimum(na, nb);
        min.Backward(Tensor.From(g));
        Assert.That(min.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 1, -1 }));
        // ∂min(a, b)/∂a = 1 where a < b, ½ where a = b, else 0 (torch.minimum)
        Assert.That(Grad(na), Is.EqualTo(new[] { 1.0, 1, 0, 4 }).Within(Tol));
        Assert.That(Grad(nb), Is.EqualTo(new[] { 0.0, 1, 4, 4 }).Within(Tol));
    }

    [Test]
    public void Maximum_WithABroadcastScalar_SumsItsShareOverAllElements()
    {
        // max(x, 0): like ReLU, but the tie at x = 0 sends ½ to each side
        var x = Leaf([-1, 0, 2, 3], 4);
        var zero = Tensor.Scalar(0.0, DType.Float64).RequireGrad();
        var y = Tensor.Maximum(x, zero);
        y.Backward(Tensor.From([1.0, 10, 100, 1000]));

        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 2, 3 }));
        Assert.That(Grad(x), Is.EqualTo(new[] { 0.0, 5, 100, 1000 }).Within(Tol));
        // the scalar gets 1 at x = −1, ½ at x = 0, summed: 1 + 5
        Assert.That(zero.Grad!.Item(), Is.EqualTo(6.0).Within(Tol));
    }

    [Test]
    public void Where_GradientsAreTheConditionMaskAndItsComplement()
    {
        double[] a = [1, 2, 3, 4, 5, 6];
        var cond = Tensor.From([1.0, 0, 0, 1, 1, 0], 2, 3);
        var g = Seed(2, 3);
        var ta = Leaf(a, 2, 3);
        var tb = Leaf([-1, -2, -3], 3);

        var z = Tensor.Where(cond, ta, tb);
        z.Backward(Tensor.From(g, 2, 3));

        Assert.That(z.ToArray<double>(), Is.EqualTo(new[] { 1.0, -2, -3, 4, 5, -3 }));
        // ∂where(c, a, b)/∂a = [c]
        Assert.That(Grad(ta), Is.EqualTo(new[] { g[0], 0, 0, g[3], g[4], 0 }).Within(Tol));
        // ∂where(c, a, b)/∂b = [¬c], summed over the broadcast axis 0
        Assert.That(Grad(tb), Is.EqualTo(new[] { 0, g[1], g[2] + g[5] }).Within(Tol));

        // an int64 condition works the same way
        var x = Leaf([1, 2, 3], 3);
        var picked = Tensor.Where(Tensor.From(new long[] { 0, 1, 0 }), x, 0.0);
        picked.Sum().Backward();
        Assert.That(picked.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 0 }));
        Assert.That(Grad(x), Is.EqualTo(new[] { 0.0, 1, 0 }));
    }
}

public class Int64ComparisonTests
{
    [Test]
    public void Int64TensorsCompareAndGiveInt64Masks()
    {
        var predictions = Tensor.From(new double[,] { { 0.1, 0.9 }, { 0.8, 0.2 }, { 0.3, 0.7 } }).ArgMax(1);
        var labels = Tensor.From(new long[] { 1, 1, 1 });
        var correct = predictions.Eq(labels);
        Assert.That(correct.DType, Is.EqualTo(DType.Int64));
        Assert.That(correct.ToArray<long>(), Is.EqualTo(new long[] { 1, 0, 1 }));
        Assert.That(correct.To(DType.Float64).Mean().Item(), Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(labels.Gt(predictions).ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 0 }));
        Assert.That(predictions.Ne(1.0).ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 0 }));
        Assert.That(predictions.Lt(0.5).ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 0 }));
    }
}

/// <summary>
/// Tensor ∘ number for + and · (MulScalar, AddScalar in Autograd.Core/Ops/Binary.cs): the number is taken in the
/// tensor's dtype without building a 0-d tensor, and the results are bit for bit those of the general path with
/// the number as a 0-d tensor of that dtype.
/// </summary>
public class ScalarOperandTests
{
    private static readonly double[] Constants = [0.999, 0.001, -2.5, 0.1, 1e-40, 3e38, 1e300, -0.0, 0.0, double.PositiveInfinity, double.NaN];

    private static readonly double[] Values = [1.5, -0.3, 0.0, -0.0, 7e-46, 1e-39, 3.4e38, -1e300, double.NegativeInfinity, double.NaN, 0.1, 2.0 / 3];

    private static IEnumerable<Tensor> Operands(DType dtype)
    {
        var g = new Generator(5);
        Tensor Make(int n, params int[] shape) => Tensor.From(Enumerable.Range(0, n).Select(i => i < Values.Length ? Values[i] : g.NextNormal()).ToArray(), shape).To(dtype);
        yield return Tensor.Scalar(Values[0], dtype);
        yield return Tensor.Scalar(Values[1], dtype);
        yield return Make(1, 1);
        yield return Make(0, 0);
        yield return Make(17, 17);
        yield return Make(33, 33);
        yield return Make(12, 3, 4);
        yield return Make(12, 3, 4).Transpose(0, 1); // strided: the general path
        yield return Make(40, 40).Slice(0, 1, null, 3); // offset and stride
    }

    private static long[] Bits(Tensor t) => t.DType == DType.Float32
        ? t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray()
        : t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void SameBits(Tensor fast, Tensor general, string what)
    {
        Assert.That(fast.DType, Is.EqualTo(general.DType), what);
        Assert.That(fast.Shape, Is.EqualTo(general.Shape), what);
        Assert.That(Bits(fast), Is.EqualTo(Bits(general)), what);
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void FastAndGeneralPathsAgreeBitwiseForwardAndBackward(DType dtype)
    {
        foreach (var x0 in Operands(dtype))
            foreach (double c in Constants)
            {
                var s = Tensor.Scalar(c, dtype);
                var cases = new (string Name, Func<Tensor, Tensor> Fast, Func<Tensor, Tensor> General)[]
                {
                    ("x * c", x => x * c, x => x * s),
                    ("c * x", x => c * x, x => s * x),
                    ("x + c", x => x + c, x => x + s),
                    ("c + x", x => c + x, x => s + x),
                    ("x - c", x => x - c, x => x - s),
                    ("x / c", x => x / c, x => x / s),
                };
                foreach (var (name, fast, general) in cases)
                {
                    string what = $"{name}, c = {c:R}, x of shape [{string.Join(",", x0.Shape)}] {dtype}";
                    var a = x0.Detach().RequireGrad();
                    var b = x0.Detach().RequireGrad();
                    var ya = fast(a);
                    var yb = general(b);
                    SameBits(ya, yb, what);
                    Assert.That(ya.GradFnName, Is.EqualTo(yb.GradFnName), what);
                    var seed = Tensor.Normal(ya.Shape, new Generator(3), dtype: dtype);
                    ya.Backward(seed);
                    yb.Backward(seed);
                    SameBits(a.Grad!, b.Grad!, what + ", gradient");
                }
            }
    }

    [Test]
    public void DTypesFollowPyTorch()
    {
        var f = Tensor.From(new float[] { 1.1f, 2.2f });
        Assert.That((f * 0.1).DType, Is.EqualTo(DType.Float32));
        Assert.That((f * 0.1).ToArray<float>(), Is.EqualTo(new[] { 1.1f * 0.1f, 2.2f * 0.1f }), "computed as (float)c");
        Assert.That((0.1 + f).ToArray<float>(), Is.EqualTo(new[] { 1.1f + 0.1f, 2.2f + 0.1f }));
        Assert.That((Tensor.Scalar(1.5) * 1e-3).DType, Is.EqualTo(DType.Float32), "a 0-d float32 tensor stays float32");
        var d = Tensor.From(new double[] { 1.1, 2.2 });
        Assert.That((d * 0.1).ToArray<double>(), Is.EqualTo(new[] { 1.1 * 0.1, 2.2 * 0.1 }));
        Assert.That((d + 0.1).DType, Is.EqualTo(DType.Float64));
        // int64 tensors meeting a number give float32, as a float number meets an integer tensor in PyTorch.
        var i = Tensor.From(new long[] { 3, -4 });
        Assert.That((i * 0.5).DType, Is.EqualTo(DType.Float32));
        Assert.That((i * 0.5).ToArray<float>(), Is.EqualTo(new[] { 1.5f, -2f }));
        Assert.That((2.0 + i).ToArray<float>(), Is.EqualTo(new[] { 5f, -2f }));
    }

    [Test]
    public void MulScalarAndAddScalar_WorkedExample()
    {
        double[] v = [1, -2, 0.5];
        double[] g = [0.25, 4, -1];
        var x = Tensor.From(v).RequireGrad();
        var m = x * 2.5;
        var y = 0.75 + m;
        Assert.That(m.GradFnName, Is.EqualTo("mul"));
        Assert.That(y.GradFnName, Is.EqualTo("add"));
        Assert.That(y.ToArray<double>(), Is.EqualTo(v.Select(e => 0.75 + e * 2.5).ToArray()));
        y.Backward(Tensor.From(g));
        // ∂(x·c + d)/∂x = c
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(g.Select(e => e * 2.5).ToArray()));

        // Gradients of gradients: d/dx of (dL/dx · w) is 0, and the recorded gradient is c·seed.
        var x2 = Tensor.From(v).RequireGrad();
        var seed = Tensor.From(g).RequireGrad();
        var dx = Autodiff.Grad(x2 * -3.0 + 1.0, x2, seed, createGraph: true);
        Assert.That(dx.ToArray<double>(), Is.EqualTo(g.Select(e => e * -3.0).ToArray()));
        Assert.That(Autodiff.Grad(dx.Sum(), seed).ToArray<double>(), Is.EqualTo(new[] { -3.0, -3.0, -3.0 }));
    }

    [Test]
    public void ScalarOpsOnTensorsWithoutGradRecordNothing()
    {
        var x = Tensor.From(new double[] { 1, 2 });
        Assert.That((x * 2.0 + 1.0).GradFnName, Is.Null);
        var w = x.Detach().RequireGrad();
        using (Autodiff.NoGrad()) Assert.That((w * 2.0 + 1.0).RequiresGrad, Is.False);
    }
}
