namespace Autograd.Tests.Hardening;

public class MemoryTests
{
    [Test]
    public void AHundredThousandNodeGraphIsReleasedAfterBackward()
    {
        var x = Tensor.Normal([256], new Generator(5), dtype: DType.Float64).RequireGrad();
        long before = HeapAfterCollection();
        var (y, weak) = BuildDeepGraph(x, 100_000);
        long built = HeapAfterCollection();
        y.Backward();
        long after = HeapAfterCollection();
        Assert.That(weak.IsAlive, Is.False, "an intermediate's storage outlived backward");
        // 10⁵ intermediates of 256 doubles hold ≥ 200 MB before backward; after it only the node shells remain.
        Assert.That(built - before, Is.GreaterThan(150_000_000L));
        Assert.That(after - before, Is.LessThan((built - before) / 5), $"heap: before {before}, built {built}, after {after}");
        Assert.That(x.Grad, Is.Not.Null);
        GC.KeepAlive(y);
    }

    private static (Tensor, WeakReference) BuildDeepGraph(Tensor x, int nodes)
    {
        var h = x;
        WeakReference? first = null;
        for (int i = 0; i < nodes; i++)
        {
            h = h * 0.99999 + 1e-6;
            first ??= new WeakReference(h.Data);
        }
        return (h.Sum(), first!);
    }

    private static long HeapAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [Test]
    public void TrainingStepsKeepTheManagedHeapFlat()
    {
        // Short version of the soak: the heap after step 300 and after step 1500 agree within 10%.
        var g = new Generator(11);
        var w1 = (Tensor.Normal([32, 64], g, dtype: DType.Float64) * 0.1).Detach().RequireGrad();
        var w2 = (Tensor.Normal([64, 4], g, dtype: DType.Float64) * 0.1).Detach().RequireGrad();
        var x = Tensor.Normal([64, 32], g, dtype: DType.Float64);
        var t = Tensor.From(Enumerable.Range(0, 64).Select(i => (long)(i % 4)).ToArray(), 64, 1);
        long at300 = 0;
        for (int step = 1; step <= 1500; step++)
        {
            var loss = -x.MatMul(w1).Relu().MatMul(w2).LogSoftmax(-1).Gather(1, t).Mean();
            loss.Backward();
            using (Autodiff.NoGrad())
            {
                w1.AddInPlace(w1.Grad!, -0.05);
                w2.AddInPlace(w2.Grad!, -0.05);
            }
            w1.ZeroGrad();
            w2.ZeroGrad();
            if (step == 300) at300 = HeapAfterCollection();
        }
        long at1500 = HeapAfterCollection();
        Assert.That(Math.Abs(at1500 - at300), Is.LessThan(at300 / 10), $"heap after step 300: {at300} B, after step 1500: {at1500} B");
    }
}
