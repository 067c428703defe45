namespace Autograd.Tests;

public class InPlaceTests
{
    [Test]
    public void InPlaceOpsWriteThroughViewsAndBumpTheSharedVersion()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var column = x.Slice(1, 1, 2);
        column.MulInPlace(10);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 1, 20, 3, 4, 50, 6 }));
        Assert.That(x.VersionNumber, Is.EqualTo(1), "views share one version counter");
        x.AddInPlace(Tensor.From(new double[] { 1, 1, 1 }), alpha: 2);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 3, 22, 5, 6, 52, 8 }));
        x.T.SubInPlace(Tensor.Ones([3, 2], DType.Float64));
        x.DivInPlace(2);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 1, 10.5, 2, 2.5, 25.5, 3.5 }));
        x.ClampInPlace(2, 10);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 2, 10, 2, 2.5, 10, 3.5 }));
        x.CopyFrom(Tensor.From(new float[] { 7, 8, 9 }));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 7, 8, 9, 7, 8, 9 }));
        x.ZeroInPlace();
        Assert.That(x.ToArray<double>(), Is.All.EqualTo(0));
        Assert.That(x.VersionNumber, Is.EqualTo(7));
    }

    [TestCase(65535)]
    [TestCase(65536)]
    [TestCase(200_705)]
    public void LongInPlaceUpdatesMatchTheOutOfPlaceOpsOnAnyThreadCount(int length)
    {
        // Long enough to be shared among threads in chunks; odd lengths leave a tail in the last chunk.
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var g = new Generator((ulong)length);
            var p = Tensor.Randn([length], g, dtype);
            var d = Tensor.Randn([length], g, dtype);
            var expected = (p + d * -0.01) * 0.5;
            foreach (int degree in new[] { 1, 2 })
            {
                int saved = Parallelism.MaxDegree;
                Parallelism.MaxDegree = degree;
                try
                {
                    var x = p.Clone();
                    x.AddInPlace(d, -0.01).MulInPlace(0.5);
                    Assert.That(x.ToArray<double>(), Is.EqualTo(expected.ToArray<double>()), $"{dtype.Name()} degree {degree}");
                    x.Fill(3.5);
                    Assert.That(x.ToArray<double>(), Is.All.EqualTo(3.5), $"{dtype.Name()} degree {degree}");
                    x.ZeroInPlace();
                    Assert.That(x.ToArray<double>(), Is.All.EqualTo(0), $"{dtype.Name()} degree {degree}");
                }
                finally
                {
                    Parallelism.MaxDegree = saved;
                }
            }
        }
    }

    [Test]
    public void ModifyingASavedTensorMakesBackwardThrowNamingTheOpAndBothVersions()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var x = Tensor.From(new double[] { 3, 4 });
        var y = (w * x).Sum(); // mul saves x
        x.MulInPlace(2);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(e!.Message, Does.Contain("mul").And.Contain("version 0").And.Contain("1 now"));
    }

    [Test]
    public void ModifyingATensorThatWasNotSavedIsFine()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var x = Tensor.From(new double[] { 3, 4 });
        var y = (w + x).Sum(); // add saves nothing
        x.MulInPlace(2);
        y.Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 1 }));
    }

    [Test]
    public void InPlaceOnATensorThatRequiresGradNeedsNoGrad()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var e = Assert.Throws<InvalidOperationException>(() => w.AddInPlace(1.0));
        Assert.That(e!.Message, Does.Contain("add_").And.Contain("NoGrad"));
        using (Autodiff.NoGrad()) w.AddInPlace(Tensor.From(new double[] { 0.5, 0.5 }), alpha: -2);
        Assert.That(w.ToArray<double>(), Is.EqualTo(new double[] { 0, 1 }));
        Assert.That(w.IsLeaf && w.RequiresGrad, Is.True);
    }

    [Test]
    public void InPlaceRejectsBroadcastViewsAndShapeChanges()
    {
        var b = Tensor.From(new double[] { 1, 2 }).BroadcastTo(3, 2);
        Assert.Throws<InvalidOperationException>(() => b.MulInPlace(2));
        var x = Tensor.Zeros([2], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => x.AddInPlace(Tensor.Ones([3, 2], DType.Float64)));
        Assert.That(e!.Message, Does.Contain("add_").And.Contain("[3, 2]").And.Contain("[2]"));
    }
}
