namespace Autograd.Tests.Ops;

/// <summary>
/// Worked examples for the reductions (Autograd.Core/Ops/Reduce.cs and the composites of Tensor.Reduce.cs): sums and
/// means, max/min (first-occurrence gradient along one axis, ties shared over several), argmax/argmin, and the softmax family, each against a closed
/// form written out here in float64.
/// </summary>
public class ReduceTests
{
    private const double Tol = 1e-12;

    // x[i, j, k] = 100i + 10j + k on [2, 3, 4]: every value tells where it came from.
    private static double[] Cube()
    {
        var v = new double[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) v[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
        return v;
    }

    [Test]
    public void Sum_OverTwoAxesWithKeepDims_AndTheGradientBroadcastsTheSeedBack()
    {
        var data = Cube();
        var x = Tensor.From(data, 2, 3, 4).RequireGrad();

        var y = x.Sum([0, 2], keepDims: true);
        Assert.That(y.Shape, Is.EqualTo(new[] { 1, 3, 1 }));
        // y[0, j, 0] = Σᵢ Σₖ (100i + 10j + k) = 4·100 + 8·10j + 2·6
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 412.0, 492, 572 }).Within(Tol));
        Assert.That(x.Sum([0, 2]).Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(x.Sum().Shape, Is.Empty);
        Assert.That(x.Sum().Item(), Is.EqualTo(data.Sum()).Within(Tol));

        double[] g = [1, -2, 5];
        y.Backward(Tensor.From(g, 1, 3, 1));
        // ∂(Σᵢₖ x[i, j, k])/∂x[i, j, k] = 1: x.Grad[i, j, k] = G[0, j, 0]
        var expected = new double[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) expected[(i * 3 + j) * 4 + k] = g[j];
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected));
    }

    [Test]
    public void Mean_OverTheLastAxis_GradientIsTheSeedOverTheCount()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4, -1, 0, 7, 10 }, 2, 4).RequireGrad();

        var m = x.Mean(-1);
        Assert.That(m.ToArray<double>(), Is.EqualTo(new[] { 2.5, 4 }).Within(Tol));
        var mk = x.Mean(1, keepDims: true);
        Assert.That(mk.Shape, Is.EqualTo(new[] { 2, 1 }));

        m.Backward(Tensor.From(new double[] { 4, -8 }));
        // ∂(¼ Σⱼ x[i, j])/∂x[i, j] = ¼
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 1, 1, 1, -2, -2, -2, -2 }).Within(Tol));

        var all = Tensor.From(new double[] { 1, 2, 3, 4, -1, 0, 7, 10 }, 2, 4).RequireGrad();
        var mean = all.Mean();
        mean.Backward();
        Assert.That(mean.Item(), Is.EqualTo(26 / 8.0).Within(Tol));
        Assert.That(all.Grad!.ToArray<double>(), Is.All.EqualTo(1 / 8.0));
    }

    [Test]
    public void MaxAndMinAlongOneAxis_SendTheGradientToTheFirstExtremeOnly_OverAllAxesTiesShareIt()
    {
        // row 0 ties at 5 (columns 1, 2), row 1 ties at 7 (columns 0, 2)
        double[] data = [1, 5, 5, 7, 2, 7];
        var x = Tensor.From(data, 2, 3).RequireGrad();
        var max = x.Max(1);
        max.Backward(Tensor.From(new double[] { 10, 20 }));
        Assert.That(max.ToArray<double>(), Is.EqualTo(new[] { 5.0, 7 }));
        // ∂max/∂x = 1 at the first maximal element only (torch.max(dim))
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 10, 0, 20, 0, 0 }));

        // column minima over axis 0: [1, 2, 5]; no ties here, then a tie on the whole tensor
        var y = Tensor.From(data, 2, 3).RequireGrad();
        var min = y.Min(0, keepDims: true);
        min.Backward(Tensor.From(new double[] { 1, 2, 3 }, 1, 3));
        Assert.That(min.Shape, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(min.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 5 }));
        Assert.That(y.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, 3, 0, 2, 0 }));

        var z = Tensor.From(data, 2, 3).RequireGrad();
        var top = z.Max();
        top.Backward();
        Assert.That(top.Item(), Is.EqualTo(7.0));
        // 7 appears at flat positions 3 and 5: they share the gradient, 1/2 each (torch.max() over all elements)
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0, 0.5, 0, 0.5 }));
    }

    [Test]
    public void Max_OverSeveralAxes_TiesShareTheGradientEvenly()
    {
        // x[i, j, k] on [2, 3, 4], reduced over i and k for each j; every slice x[:, j, :] has a tie
        double[] data =
        [
            1, 9, 3, 9,   2, 2, 2, 2,   0, 0, 0, 0,
            9, 1, 1, 1,   5, 5, 5, 5,   6, 6, 6, 6,
        ];
        var x = Tensor.From(data, 2, 3, 4).RequireGrad();

        var m = x.Max([0, 2], keepDims: true);
        Assert.That(m.Shape, Is.EqualTo(new[] { 1, 3, 1 }));
        Assert.That(m.ToArray<double>(), Is.EqualTo(new[] { 9.0, 5, 6 }));

        m.Backward(Tensor.From(new double[] { 10, 20, 30 }, 1, 3, 1));
        // torch.amax: j = 0 has 9 at (0, 1), (0, 3), (1, 0), 10/3 each; j = 1 has 5 at (1, k) for four k, 20/4 each;
        // j = 2 has 6 at (1, k) for four k, 30/4 each
        var expected = new double[24];
        expected[(0 * 3 + 0) * 4 + 1] = expected[(0 * 3 + 0) * 4 + 3] = expected[(1 * 3 + 0) * 4 + 0] = 10.0 / 3;
        for (int k = 0; k < 4; k++) expected[(1 * 3 + 1) * 4 + k] = 5;
        for (int k = 0; k < 4; k++) expected[(1 * 3 + 2) * 4 + k] = 7.5;
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected));
    }

    [Test]
    public void ArgMaxAndArgMin_AreInt64IndicesOfTheFirstExtreme()
    {
        double[] data = [1, 5, 5, 7, 2, 7, -3, 0, -3];
        var x = Tensor.From(data, 3, 3);

        var rowMax = x.ArgMax(1);
        Assert.That(rowMax.DType, Is.EqualTo(DType.Int64));
        Assert.That(rowMax.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(rowMax.ToArray<long>(), Is.EqualTo(new long[] { 1, 0, 1 }));

        var colMin = x.ArgMin(0, keepDims: true);
        Assert.That(colMin.DType, Is.EqualTo(DType.Int64));
        Assert.That(colMin.Shape, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(colMin.ToArray<long>(), Is.EqualTo(new long[] { 2, 2, 2 }));

        // over the flattened tensor: a 0-d int64
        var flatMax = x.ArgMax();
        Assert.That(flatMax.DType, Is.EqualTo(DType.Int64));
        Assert.That(flatMax.Shape, Is.Empty);
        Assert.That(flatMax.Item<long>(), Is.EqualTo(3L));
        Assert.That(x.ArgMin().Item<long>(), Is.EqualTo(6L));
    }

    [Test]
    public void LogSumExp_AtPlusMinusThousand_IsFiniteAndEqualsTheClosedForm()
    {
        double[] data = [1000, 999, 998, -1000, -1001, -1002];
        var x = Tensor.From(data, 2, 3).RequireGrad();

        var y = x.LogSumExp(1);
        y.Sum().Backward();

        // log Σ e^{xⱼ} = m + log Σ e^{xⱼ − m}; here m = ±1000 and the differences are 0, −1, −2
        double rest = Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1000 + rest, -1000 + rest }).Within(Tol));
        // ∂/∂xⱼ log Σ e^{x} = e^{xⱼ}/Σ e^{x} = softmax(x)ⱼ
        double z = 1 + Math.Exp(-1) + Math.Exp(-2);
        double[] s = [1 / z, Math.Exp(-1) / z, Math.Exp(-2) / z];
        Assert.That(x.Grad!.ToArray<double>(), Is.All.Matches<double>(double.IsFinite));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(s.Concat(s).ToArray()).Within(Tol));

        Assert.That(x.LogSumExp(1, keepDims: true).Shape, Is.EqualTo(new[] { 2, 1 }));
        // over everything, the −1000 row vanishes next to e^{1000}
        Assert.That(x.LogSumExp().Item(), Is.EqualTo(1000 + rest).Within(Tol));
    }

    [Test]
    public void Softmax_RowsSumToOne_AndTheJacobianIsDiagSMinusSSTransposed()
    {
        double[] v = [0.5, -1.0, 2.0, 0.0];
        var x = Tensor.From(v).RequireGrad();
        var s = x.Softmax();

        // Φ(v)ᵢ = exp(vᵢ)/Σⱼ exp(vⱼ) (seed 000 §1.2.1.3)
        double z = v.Sum(Math.Exp);
        var expected = v.Select(t => Math.Exp(t) / z).ToArray();
        Assert.That(s.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
        Assert.That(s.ToArray<double>().Sum(), Is.EqualTo(1.0).Within(Tol));

        // ∂sᵢ/∂vⱼ = sᵢ(δᵢⱼ − sⱼ): row i of the Jacobian is the gradient of sᵢ, seeded with the unit vector eᵢ
        for (int i = 0; i < v.Length; i++)
        {
            var seed = new double[v.Length];
            seed[i] = 1;
            x.ZeroGrad();
            s.Backward(Tensor.From(seed), retainGraph: true);
            var row = Enumerable.Range(0, v.Length).Select(j => (i == j ? expected[i] : 0) - expected[i] * expected[j]).ToArray();
            Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(row).Within(Tol), $"Jacobian row {i}");
        }

        // along axis 0 of a matrix, every column sums to one
        var m = Tensor.From(new double[] { 1, 2, 3, -4, 5, 0 }, 2, 3).Softmax(0);
        var cols = new double[3];
        for (int j = 0; j < 3; j++) cols[j] = m[0, j] + m[1, j];
        Assert.That(cols, Is.All.EqualTo(1.0).Within(Tol));
        Assert.That(m[0, 0], Is.EqualTo(Math.Exp(1) / (Math.Exp(1) + Math.Exp(-4))).Within(Tol));
    }

    [Test]
    public void LogSoftmax_GradientIsSeedMinusSoftmaxTimesSumOfSeed()
    {
        double[] v = [0.5, -1.0, 2.0, 3.0, 0.0, -2.0];
        double[] g = [1, 2, -1, 0.5, 0, 4];
        var x = Tensor.From(v, 2, 3).RequireGrad();

        var y = x.LogSoftmax(1);
        y.Backward(Tensor.From(g, 2, 3));

        var values = new double[6];
        var grad = new double[6];
        for (int i = 0; i < 2; i++)
        {
            double z = Math.Exp(v[3 * i]) + Math.Exp(v[3 * i + 1]) + Math.Exp(v[3 * i + 2]);
            double gs = g[3 * i] + g[3 * i + 1] + g[3 * i + 2];
            for (int j = 0; j < 3; j++)
            {
                int k = 3 * i + j;
                values[k] = v[k] - Math.Log(z);
                // ∂/∂vⱼ Σᵢ gᵢ(vᵢ − log Σ e^{v}) = gⱼ − softmax(v)ⱼ·Σᵢ gᵢ
                grad[k] = g[k] - Math.Exp(v[k]) / z * gs;
            }
        }
        Assert.That(y.ToArray<double>(), Is.EqualTo(values).Within(Tol));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(grad).Within(Tol));
    }
}
