namespace Autograd.Tests.Ops;

/// <summary>
/// Worked examples for the movement primitives of Autograd.Core/Ops/Movement.cs (and the composites built on them):
/// each moves values without arithmetic, so values and gradients are compared exactly, index by index, with the
/// routing written out here. Seeds are distinct numbers so that a gradient landing in the wrong place shows.
/// </summary>
public class MovementTests
{
    // 0, 1, 2, … as float64.
    private static double[] Iota(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    // 1000 + 0, 1000 + 1, …: a seed distinct from any value.
    private static double[] SeedOf(int n) => Enumerable.Range(0, n).Select(i => 1000.0 + i).ToArray();

    private static Tensor Leaf(double[] values, params int[] shape) => Tensor.From(values, shape).RequireGrad();

    [Test]
    public void ReshapeAndFlatten_KeepRowMajorOrder_AndReshapeTheGradientBack()
    {
        var x = Leaf(Iota(24), 2, 3, 4);

        var r = x.Reshape(4, -1);
        Assert.That(r.Shape, Is.EqualTo(new[] { 4, 6 }));
        Assert.That(r[2, 1], Is.EqualTo(13.0));   // row-major: 2·6 + 1
        r.Backward(Tensor.From(SeedOf(24), 4, 6));
        // reshape: x.Grad = G reshaped back to [2, 3, 4]
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(SeedOf(24)));

        var f = Leaf(Iota(24), 2, 3, 4);
        var flat = f.Flatten(1);
        Assert.That(flat.Shape, Is.EqualTo(new[] { 2, 12 }));
        Assert.That(f.Flatten().Shape, Is.EqualTo(new[] { 24 }));
        Assert.That(f.Flatten(0, 1).Shape, Is.EqualTo(new[] { 6, 4 }));
        Assert.That(flat.ToArray<double>(), Is.EqualTo(Iota(24)));
        flat.Backward(Tensor.From(SeedOf(24), 2, 12));
        Assert.That(f.Grad!.ToArray<double>(), Is.EqualTo(SeedOf(24)));
    }

    [Test]
    public void TransposeAndPermute_RouteTheGradientByTheInversePermutation()
    {
        var m = Leaf(Iota(6), 2, 3);
        var mt = m.Transpose(0, 1);
        Assert.That(mt.Shape, Is.EqualTo(new[] { 3, 2 }));
        // y[j, i] = x[i, j]
        Assert.That(mt.ToArray<double>(), Is.EqualTo(new[] { 0.0, 3, 1, 4, 2, 5 }));
        mt.Backward(Tensor.From(SeedOf(6), 3, 2));
        // x.Grad[i, j] = G[j, i]
        Assert.That(m.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1000.0, 1002, 1004, 1001, 1003, 1005 }));

        var x = Leaf(Iota(24), 2, 3, 4);
        var p = x.Permute(2, 0, 1);   // y[k, i, j] = x[i, j, k]
        Assert.That(p.Shape, Is.EqualTo(new[] { 4, 2, 3 }));
        var g = SeedOf(24);
        p.Backward(Tensor.From(g, 4, 2, 3));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                {
                    Assert.That(p[k, i, j], Is.EqualTo(x[i, j, k]));
                    // x.Grad[i, j, k] = G[k, i, j]
                    Assert.That(x.Grad![i, j, k], Is.EqualTo(g[(k * 2 + i) * 3 + j]));
                }
    }

    [Test]
    public void SliceWithStep_TakesEveryThirdElement_AndTheGradientLandsOnlyThere()
    {
        var x = Leaf(Iota(10), 10);
        var s = x.Slice(0, 1, 8, step: 3);   // x[1:8:3] = x[1], x[4], x[7]
        Assert.That(s.ToArray<double>(), Is.EqualTo(new[] { 1.0, 4, 7 }));
        s.Backward(Tensor.From(new double[] { 10, 20, 30 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 10, 0, 0, 20, 0, 0, 30, 0, 0 }));

        // along axis 1 with a negative start: m[:, −2:] of a [2, 4]
        var m = Leaf(Iota(8), 2, 4);
        var tail = m.Slice(1, -2);
        Assert.That(tail.Shape, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(tail.ToArray<double>(), Is.EqualTo(new[] { 2.0, 3, 6, 7 }));
        tail.Backward(Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2));
        Assert.That(m.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 1, 2, 0, 0, 3, 4 }));

        // on a non-contiguous view: rows 0 and 2 of t.T are columns 0 and 2 of t [3, 4]
        var t = Leaf(Iota(12), 3, 4);
        var cols = t.T.Slice(0, 0, null, step: 2);
        Assert.That(cols.ToArray<double>(), Is.EqualTo(new[] { 0.0, 4, 8, 2, 6, 10 }));
        cols.Backward(Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        Assert.That(t.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, 4, 0, 2, 0, 5, 0, 3, 0, 6, 0 }));
    }

    [Test]
    public void IndexSelect_RepeatedIndicesAccumulateTheirGradients()
    {
        var x = Leaf(Iota(6), 3, 2);   // rows [0, 1], [2, 3], [4, 5]
        var y = x.IndexSelect(0, 0, 2, 0);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.0, 1, 4, 5, 0, 1 }));

        y.Sum().Backward();
        // row 0 is picked twice: gradient 2; row 1 never: 0; row 2 once: 1
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 2, 0, 0, 1, 1 }));

        var z = Leaf(Iota(6), 3, 2);
        var w = z.IndexSelect(0, Tensor.From(new long[] { 0, 2, 0 }));
        w.Backward(Tensor.From(new double[] { 1, 2, 10, 20, 100, 200 }, 3, 2));
        // z.Grad[0] = G[0] + G[2]
        Assert.That(z.Grad!.ToArray<double>(), Is.EqualTo(new[] { 101.0, 202, 0, 0, 10, 20 }));

        // along axis 1, with a negative index: columns −1 and 0
        var c = Leaf(Iota(6), 2, 3);
        var cols = c.IndexSelect(1, -1, 0);
        Assert.That(cols.ToArray<double>(), Is.EqualTo(new[] { 2.0, 0, 5, 3 }));
        cols.Sum().Backward();
        Assert.That(c.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, 1, 1, 0, 1 }));
    }

    [Test]
    public void Gather_PicksAlongAnAxis_AndScatterAddsTheGradientBack()
    {
        var x = Leaf([10, 11, 12, 20, 21, 22], 2, 3);
        var index = Tensor.From(new long[] { 2, 0, 1, 1 }, 2, 2);
        var y = x.Gather(1, index);   // y[i, j] = x[i, index[i, j]]
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 12.0, 10, 21, 21 }));

        y.Backward(Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2));
        // x.Grad[i, index[i, j]] += G[i, j]: x[1, 1] is gathered twice, 3 + 4
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 0, 1, 0, 7, 0 }));
    }

    [Test]
    public void ConcatAndStack_SplitTheSeedBackIntoThePieces()
    {
        var a = Leaf([1, 2, 3, 4], 2, 2);
        var b = Leaf([5, 6, 7, 8, 9, 10], 2, 3);
        var c = Tensor.Concat([a, b], axis: 1);
        Assert.That(c.Shape, Is.EqualTo(new[] { 2, 5 }));
        Assert.That(c.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 5, 6, 7, 3, 4, 8, 9, 10 }));
        c.Backward(Tensor.From(SeedOf(10), 2, 5));
        // a.Grad = G[:, 0:2], b.Grad = G[:, 2:5]
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1000.0, 1001, 1005, 1006 }));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1002.0, 1003, 1004, 1007, 1008, 1009 }));

        var p = Leaf([1, 2, 3], 3);
        var q = Leaf([4, 5, 6], 3);
        var s = Tensor.Stack([p, q], axis: 1);
        Assert.That(s.Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(s.ToArray<double>(), Is.EqualTo(new[] { 1.0, 4, 2, 5, 3, 6 }));
        s.Backward(Tensor.From(SeedOf(6), 3, 2));
        // p.Grad = G[:, 0], q.Grad = G[:, 1]
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1000.0, 1002, 1004 }));
        Assert.That(q.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1001.0, 1003, 1005 }));
    }

    [Test]
    public void BroadcastTo_SumsTheSeedOverTheBroadcastAxes()
    {
        var x = Leaf([1, 2, 3], 3, 1);
        var y = x.BroadcastTo(2, 3, 4);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3, 4 }));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) Assert.That(y[i, j, k], Is.EqualTo(j + 1.0));

        var g = SeedOf(24);
        y.Backward(Tensor.From(g, 2, 3, 4));
        // x.Grad[j, 0] = Σᵢ Σₖ G[i, j, k]
        var expected = new double[3];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) expected[j] += g[(i * 3 + j) * 4 + k];
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 3, 1 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected));
    }

    [Test]
    public void SqueezeAndUnsqueeze_ChangeOnlyTheShape()
    {
        var x = Leaf([1, 2, 3], 1, 3, 1);
        Assert.That(x.Squeeze().Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(x.Squeeze(0).Shape, Is.EqualTo(new[] { 3, 1 }));
        Assert.That(x.Squeeze(-1).Shape, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(x.Squeeze(1).Shape, Is.EqualTo(new[] { 1, 3, 1 }));   // size 3: unchanged

        var y = x.Squeeze().Unsqueeze(0).Unsqueeze(-1).Unsqueeze(1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 1, 1, 3, 1 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3 }));

        y.Backward(Tensor.From(new double[] { 7, 8, 9 }, 1, 1, 3, 1));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 1, 3, 1 }));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 7.0, 8, 9 }));
    }
}

public class ReshapeViewTests
{
    [Test]
    public void ReshapeIsAViewWhenTheStridesAllowIt()
    {
        var x = Tensor.Arange(24, DType.Float64).Reshape(2, 3, 4);
        var t = x.Transpose(0, 2);                                  // [4, 3, 2], not contiguous
        var inserted = t.Reshape(4, 1, 3, 2, 1);                    // only size-1 axes added: a view
        Assert.That(inserted.Data, Is.SameAs(x.Data));
        Assert.That(inserted.ToArray<double>(), Is.EqualTo(t.ToArray<double>()));
        var w = Tensor.Arange(12, DType.Float64).Reshape(3, 4).T;  // [4, 3] transposed
        var batched = w.Reshape(1, 4, 3);
        Assert.That(batched.Data, Is.SameAs(w.Data));
        var sliced = Tensor.Arange(24, DType.Float64).Reshape(4, 6).Slice(1, 0, 6, 2);  // [4, 3], row stride 6
        var merged = sliced.Reshape(2, 2, 3);                       // splitting the outer axis keeps a view
        Assert.That(merged.Data, Is.SameAs(sliced.Data));
        Assert.That(merged.ToArray<double>(), Is.EqualTo(sliced.ToArray<double>()));
    }

    [Test]
    public void ReshapeCopiesWhenNoViewCanExpressIt()
    {
        var t = Tensor.Arange(12, DType.Float64).Reshape(3, 4).T;  // [4, 3]
        var flat = t.Reshape(-1);
        Assert.That(flat.Data, Is.Not.SameAs(t.Data));
        Assert.That(flat.ToArray<double>(), Is.EqualTo(new double[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }));
    }
}
