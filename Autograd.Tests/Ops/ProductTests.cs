namespace Autograd.Tests.Ops;

/// <summary>Dot, Outer, Bmm, Addmm and Baddbmm (Tensor.Products.cs) against PyTorch's values and gradients, and their refusals.</summary>
public class ProductTests
{
    private static Tensor Arange(params int[] shape) => Tensor.Arange(shape.Aggregate(1, (a, b) => a * b), DType.Float64).Reshape(shape);

    [Test]
    public void ValuesAndGradientsMatchTorch()
    {
        int checkedCases = 0;
        foreach (var c in ProductFixture.Cases("products"))
        {
            var x = ProductFixture.Inputs(c);
            var y = c.GetProperty("name").GetString() switch
            {
                "dot" => x[0].Dot(x[1]),
                "outer" => x[0].Outer(x[1]),
                "bmm" => x[0].Bmm(x[1]),
                "addmm" => Tensor.Addmm(x[0], x[1], x[2], c.GetProperty("beta").GetDouble(), c.GetProperty("alpha").GetDouble()),
                "baddbmm" => Tensor.Baddbmm(x[0], x[1], x[2], c.GetProperty("beta").GetDouble(), c.GetProperty("alpha").GetDouble()),
                var other => throw new InvalidOperationException(other),
            };
            ProductFixture.Check(c, x, y);
            checkedCases++;
        }
        Assert.That(checkedCases, Is.EqualTo(7));
    }

    [Test]
    public void AddmmWithBetaZero_IgnoresNaNInTheInput()
    {
        var input = Tensor.Full([2, 2], double.NaN, DType.Float64);
        var y = Tensor.Addmm(input, Arange(2, 3), Arange(3, 2), beta: 0, alpha: 2);
        // [[0,1,2],[3,4,5]]·[[0,1],[2,3],[4,5]] = [[10,13],[28,40]], times 2
        Assert.That(y.ToArray<double>(), Is.EqualTo(new double[] { 20, 26, 56, 80 }));
        var z = Tensor.Baddbmm(Tensor.Scalar(double.PositiveInfinity, DType.Float64), Arange(1, 2, 3), Arange(1, 3, 2), beta: 0);
        Assert.That(z.ToArray<double>(), Is.EqualTo(new double[] { 10, 13, 28, 40 }));
    }

    [Test]
    public void Outer_OfInt64VectorsIsInt64()
    {
        var y = Tensor.From(new long[] { 1, 2 }).Outer(Tensor.From(new long[] { 3, 4, 5 }));
        Assert.That(y.DType, Is.EqualTo(DType.Int64));
        Assert.That(y.ToArray<long>(), Is.EqualTo(new long[] { 3, 4, 5, 6, 8, 10 }));
    }

    private static void Fails(TestDelegate code, params string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(code)!;
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f), ex.Message);
    }

    [Test]
    public void DotOfNonVectors_IsRefused() =>
        Fails(() => Arange(3, 1).Dot(Arange(3)), "dot: expected two 1-D tensors", "[3, 1]", "[3]");

    [Test]
    public void DotOfDifferentLengths_IsRefused() =>
        Fails(() => Arange(3).Dot(Arange(4)), "dot: the tensors have different lengths", "[3]", "[4]");

    [Test]
    public void DotOfInt64_IsRefused() =>
        Fails(() => Tensor.From(new long[] { 1, 2 }).Dot(Tensor.From(new long[] { 1, 2 })), "dot:", "int64");

    [Test]
    public void OuterOfNonVectors_IsRefused() =>
        Fails(() => Arange(2, 2).Outer(Arange(3)), "outer: expected two 1-D tensors", "[2, 2]");

    [Test]
    public void BmmOfNon3dTensors_IsRefused() =>
        Fails(() => Arange(3, 4).Bmm(Arange(2, 4, 5)), "bmm: expected two 3-D tensors", "[3, 4]", "[2, 4, 5]");

    [Test]
    public void BmmWithDifferentBatchOrInnerSizes_IsRefused()
    {
        Fails(() => Arange(2, 3, 4).Bmm(Arange(3, 4, 5)), "bmm:", "[2, 4]", "[3, 4, 5]");
        Fails(() => Arange(2, 3, 4).Bmm(Arange(2, 3, 5)), "bmm:", "[2, 4]", "[2, 3, 5]");
    }

    [Test]
    public void AddmmOfNonMatricesOrMismatchedMatrices_IsRefused()
    {
        Fails(() => Tensor.Addmm(Arange(3, 4), Arange(3), Arange(3, 4)), "addmm: mat1 and mat2 must be matrices", "[3]");
        Fails(() => Tensor.Addmm(Arange(3, 4), Arange(3, 2), Arange(3, 4)), "addmm: mat1 and mat2 shapes cannot be multiplied", "[3, 2]", "[3, 4]");
    }

    [Test]
    public void AddmmWithAnInputThatDoesNotBroadcast_IsRefused()
    {
        Fails(() => Tensor.Addmm(Arange(1, 3, 4), Arange(3, 2), Arange(2, 4)), "addmm: input of shape [1, 3, 4] does not broadcast", "[3, 4]");
        Fails(() => Tensor.Addmm(Arange(3), Arange(3, 2), Arange(2, 4)), "addmm: input of shape [3]");
        Fails(() => Tensor.Baddbmm(Arange(2, 3, 3), Arange(2, 3, 2), Arange(2, 2, 4)), "baddbmm: input of shape [2, 3, 3]", "[2, 3, 4]");
    }

    [Test]
    public void BaddbmmOfMismatchedBatches_IsRefused() =>
        Fails(() => Tensor.Baddbmm(Arange(2, 3, 5), Arange(2, 3, 4), Arange(1, 4, 5)), "baddbmm:", "[2, 4]", "[1, 4, 5]");
}
