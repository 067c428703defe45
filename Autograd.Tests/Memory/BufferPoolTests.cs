using Autograd.Nn;
using Autograd.Nn.Optim;

using Autograd.Nn.Data;

namespace Autograd.Tests;

/// <summary>
/// BufferPool and BufferScope: results inside a scope are the same bits as outside; what a scope lent is released
/// when it ends (reading it throws, never shows another step's values); what must outlive a step (clones, created
/// tensors, .Grad, optimizer state) does; and a steady-state training step allocates no large arrays.
/// </summary>
public class BufferPoolTests
{
    private static (Sequential Model, Adam Optimizer, Tensor X, Tensor Y) Problem(ulong seed)
    {
        var g = new Generator(seed);
        var model = Mlp.Create(20, [32, 16], 5, () => new Tanh(), g);
        var x = Tensor.Randn([24, 20], g);
        var y = Tensor.From(Enumerable.Range(0, 24).Select(i => (long)(i % 5)).ToArray());
        return (model, new Adam(model.Parameters(), lr: 0.01), x, y);
    }

    private static float[] Train(BufferPool? pool, int steps, bool setToNone)
    {
        var (model, optimizer, x, y) = Problem(3);
        var losses = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            using var scope = pool?.Scope();
            var loss = Losses.CrossEntropy(model.Forward(x), y);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad(setToNone);
            losses.Add(loss.Item());
        }
        Assert.That(losses[^1], Is.LessThan(losses[0]), "the model trains");
        return model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
    }

    [Test]
    public void TrainingInScopesGivesTheSameBitsAsWithout([Values] bool setToNone)
    {
        var plain = Train(null, 12, setToNone);
        var pool = new BufferPool();
        var pooled = Train(pool, 12, setToNone);
        Assert.That(pooled, Is.EqualTo(plain));
        Assert.That(pool.RetainedBytes, Is.GreaterThan(0), "the arrays came back to the pool");
    }

    [Test]
    public void ReusedArraysStartZeroedWhereAKernelAccumulates()
    {
        var pool = new BufferPool();
        var x = Tensor.Arange(12, DType.Float64).Reshape(3, 4);
        var expected = x.Sum(0).ToArray<double>();
        for (int i = 0; i < 3; i++)
        {
            using (pool.Scope())
            {
                // Garbage of the same size goes back to the pool first, then a reduction borrows it.
                _ = (x * 1e6).Sum(0) + 7;
                Assert.That(x.Sum(0).ToArray<double>(), Is.EqualTo(expected));
            }
        }
    }

    [Test]
    public void AResultReadAfterItsScopeEndedThrowsNamingTheScope()
    {
        var pool = new BufferPool();
        var x = Tensor.Arange(6).Reshape(2, 3);
        Tensor y, view;
        using (pool.Scope())
        {
            y = x * 2;
            view = y.T;
            Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { 0, 2, 4, 6, 8, 10 }));
        }
        var e = Assert.Throws<InvalidOperationException>(() => y.ToArray<float>())!;
        Assert.That(e.Message, Does.Contain("BufferScope").And.Contain("shape [2, 3]").And.Contain("Clone()"));
        Assert.Throws<InvalidOperationException>(() => view.Item());
        Assert.Throws<InvalidOperationException>(() => _ = view + 1);
        Assert.Throws<InvalidOperationException>(() => y.T.Contiguous());
        Assert.That(y.ToString(), Does.Contain("released").And.Contain("shape=[2, 3]"), "printing never throws");
        // The array now serves another scope; the released tensor never shows its values.
        using (pool.Scope())
        {
            var z = x + 100;
            Assert.That(z.ToArray<float>()[0], Is.EqualTo(100f));
            Assert.Throws<InvalidOperationException>(() => y.ToArray<float>());
        }
    }

    [Test]
    public void ClonesCreatedTensorsGradsAndOptimizerStateOutliveTheScope()
    {
        var pool = new BufferPool();
        var w = Tensor.Randn([4, 3], new Generator(1), DType.Float64).RequireGrad();
        Tensor kept, created;
        var adam = new Adam([w], lr: 0.1);
        using (pool.Scope())
        {
            var loss = (w * w).Sum();
            loss.Backward();
            adam.Step();
            kept = (w * 3).Clone();
            created = Tensor.Ones([2, 2]);
        }
        Assert.That(kept.ToArray<double>(), Is.EqualTo((w.Detach() * 3).ToArray<double>()));
        Assert.That(created.ToArray<float>(), Is.EqualTo(new float[] { 1, 1, 1, 1 }));
        Assert.That(w.Grad!.ToArray<double>(), Has.Length.EqualTo(12));
        // A second step in a new scope reads Adam's moments and accumulates into the kept gradient.
        var before = w.Grad.ToArray<double>();
        var wNow = w.ToArray<double>();
        using (pool.Scope())
        {
            (w * w).Sum().Backward();
            adam.Step();
        }
        Assert.That(w.Grad.ToArray<double>(), Is.EqualTo(before.Select((v, i) => v + 2 * wNow[i]).ToArray()).Within(1e-12));
    }

    [Test]
    public void BackwardThroughAGraphWhoseScopeEndedThrows()
    {
        var pool = new BufferPool();
        var w = Tensor.Arange(3, DType.Float64).RequireGrad();
        Tensor loss;
        using (pool.Scope()) loss = (w.Exp() * w).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward())!;
        Assert.That(e.Message, Does.Contain("BufferScope"));
    }

    [Test]
    public void NestedScopesReleaseOnlyTheirOwnResults()
    {
        var pool = new BufferPool();
        var x = Tensor.Arange(4);
        Tensor outer, inner;
        using (pool.Scope())
        {
            outer = x + 1;
            using (pool.Scope()) inner = x + 2;
            Assert.Throws<InvalidOperationException>(() => inner.ToArray<float>());
            Assert.That(outer.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
            Assert.That((outer + 1).ToArray<float>(), Is.EqualTo(new float[] { 2, 3, 4, 5 }), "the outer scope is active again");
        }
        Assert.Throws<InvalidOperationException>(() => outer.ToArray<float>());
    }

    [Test]
    public void AScopeBelongsToItsFlow()
    {
        var pool = new BufferPool();
        var x = Tensor.Arange(4);
        Tensor? fromOtherThread = null;
        using var go = new ManualResetEventSlim();
        // Started before the scope, so it does not inherit the scope's async flow.
        var thread = new Thread(() =>
        {
            go.Wait();
            fromOtherThread = x + 1;
        });
        thread.Start();
        using (pool.Scope())
        {
            go.Set();
            thread.Join();
        }
        Assert.That(fromOtherThread!.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4 }), "a thread that did not start the scope is not in it");
    }

    [Test]
    public async Task AScopeFollowsItsFlowAcrossAwaitsAndIntoTasksAndEndsThere()
    {
        var pool = new BufferPool();
        var x = Tensor.Arange(4);
        Tensor inTask, afterAwait, afterScope;
        using (pool.Scope())
        {
            inTask = await Task.Run(() => x + 1);   // a thread-pool thread, in the scope's flow
            await Task.Yield();
            afterAwait = x + 2;                     // perhaps another thread: still in the scope
        }
        afterScope = x + 3;
        Assert.That(() => inTask.ToArray<float>(), Throws.InvalidOperationException, "a result computed in a task started inside the scope is the scope's");
        Assert.That(() => afterAwait.ToArray<float>(), Throws.InvalidOperationException, "a result computed after an await inside the scope is the scope's");
        Assert.That(afterScope.ToArray<float>(), Is.EqualTo(new float[] { 3, 4, 5, 6 }), "after the scope, results are fresh");
        // Threads that ran the flow inside the scope are out of it once they run other work.
        var elsewhere = await Task.Run(() => x + 4);
        Assert.That(elsewhere.ToArray<float>(), Is.EqualTo(new float[] { 4, 5, 6, 7 }));
    }

    // Zeroed in place, or dropped as PyTorch's default zero_grad() does: a dropped gradient nobody read lends its
    // storage to the next pass's (Tensor.ZeroGrad).
    [TestCase(false)]
    [TestCase(true)]
    public void ASteadyStateMlpStepAllocatesNoLargeArrays(bool setToNone)
    {
        var g = new Generator(5);
        var model = Mlp.Create(784, [256], 10, () => new ReLU(), g);
        var x = Tensor.Rand([128, 784], g);
        var y = Tensor.From(Enumerable.Range(0, 128).Select(i => (long)(i % 10)).ToArray());
        var sgd = new SGD(model.Parameters(), lr: 0.01);
        var pool = new BufferPool();
        void Step()
        {
            using var scope = pool.Scope();
            Losses.CrossEntropy(model.Forward(x), y).Backward();
            sgd.Step();
            sgd.ZeroGrad(setToNone);
        }
        for (int i = 0; i < 5; i++) Step();
        int gen2 = GC.CollectionCount(2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // Everything large comes from the pool. The bound is below 85,000 bytes, the Large Object Heap threshold, so it
        // also proves that no step puts anything on the LOH.
        Assert.That(perStep, Is.LessThanOrEqualTo(65_536), "bytes allocated per step");
        Assert.That(GC.CollectionCount(2), Is.EqualTo(gen2), "no gen-2 collection (LOH allocations trigger them)");
    }

    private static (Sequential Model, SGD Optimizer, TensorDataset Data) MnistShaped()
    {
        var g = new Generator(21);
        var model = Mlp.Create(784, [256], 10, () => new ReLU(), g);
        var data = new TensorDataset(Tensor.Rand([512, 784], g), Tensor.From(Enumerable.Range(0, 512).Select(i => (long)(i % 10)).ToArray()));
        return (model, new SGD(model.Parameters(), lr: 0.05), data);
    }

    private static float[] TrainWithLoader(BufferPool? pool, int epochs)
    {
        var (model, sgd, data) = MnistShaped();
        var loader = new DataLoader(data, batchSize: 128, shuffle: true, generator: new Generator(3), pool: pool);
        for (int e = 0; e < epochs; e++)
            foreach (var (x, y) in loader)
            {
                Losses.CrossEntropy(model.Forward(x), y).Backward();
                sgd.Step();
                sgd.ZeroGrad(setToNone: pool is null);
            }
        return model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
    }

    [Test]
    public void ADataLoaderWithAPoolGivesTheSameBitsAndAllocatesNoLargeArrayPerStep()
    {
        Assert.That(TrainWithLoader(new BufferPool(), 2), Is.EqualTo(TrainWithLoader(null, 2)));

        var (model, sgd, data) = MnistShaped();
        var loader = new DataLoader(data, batchSize: 128, shuffle: true, generator: new Generator(3), pool: new BufferPool());
        long before = 0;
        int gen2 = 0;
        for (int e = 0; e < 4; e++)
        {
            if (e == 2)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
                gen2 = GC.CollectionCount(2);
            }
            foreach (var (x, y) in loader)
            {
                Losses.CrossEntropy(model.Forward(x), y).Backward();
                sgd.Step();
                sgd.ZeroGrad(setToNone: false);
            }
        }
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / (2 * loader.Count);
        // The batch alone is 128 × 784 floats (401 KB); it comes from the pool too.
        Assert.That(perStep, Is.LessThanOrEqualTo(65_536), "bytes allocated per step, batch included");
        Assert.That(GC.CollectionCount(2), Is.EqualTo(gen2), "no gen-2 collection");
    }

    [Test]
    public void ALoadersStepIsReleasedByTheNextBatchAndNoScopeOutlivesTheLoop()
    {
        var data = new TensorDataset(Tensor.Arange(12).Reshape(6, 2), Tensor.Arange(6));
        var pool = new BufferPool();
        Tensor? previousBatch = null, previousResult = null;
        foreach (var (x, _) in new DataLoader(data, batchSize: 2, pool: pool))
        {
            if (previousBatch is not null)
            {
                Assert.Throws<InvalidOperationException>(() => previousBatch.ToArray<float>());
                Assert.Throws<InvalidOperationException>(() => previousResult!.ToArray<float>());
            }
            previousResult = x * 2;
            Assert.That(previousResult.ToArray<float>(), Has.Length.EqualTo(4));
            previousBatch = x;
        }
        Assert.Throws<InvalidOperationException>(() => previousBatch!.ToArray<float>(), "the last step ends with the epoch");
        foreach (var (x, _) in new DataLoader(data, batchSize: 2, pool: pool)) break;
        var after = Tensor.Arange(3) + 1;
        using (pool.Scope()) _ = Tensor.Arange(3) * 5;
        Assert.That(after.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3 }), "computed outside any scope, even after a break");
    }

    [Test]
    public void InPlaceOpsReadTransposedAndBroadcastOperandsWithoutATemporary()
    {
        var g = new Generator(9);
        var a = Tensor.Randn([5, 7], g, DType.Float64);
        var b = Tensor.Randn([7, 5], g, DType.Float64).T;
        var row = Tensor.Randn([7], g, DType.Float64);
        var expected = ((a + b) * row - b) / row;
        var x = a.Clone();
        x.AddInPlace(b).MulInPlace(row).SubInPlace(b).DivInPlace(row);
        Assert.That(x.ToArray<double>(), Is.EqualTo(expected.ToArray<double>()));
        Assert.That(x.VersionNumber, Is.EqualTo(4));
        Assert.Throws<ArgumentNullException>(() => x.AddInPlace(null!, 0.5));
        Assert.Throws<ArgumentNullException>(() => x.MulInPlace((Tensor)null!));
        // Overlapping but shifted views of the same storage take the copying path and stay correct.
        var s = Tensor.Arange(6, DType.Float64);
        s.Slice(0, 0, 5).AddInPlace(s.Slice(0, 1, 6));
        Assert.That(s.ToArray<double>(), Is.EqualTo(new double[] { 1, 3, 5, 7, 9, 5 }));
    }
}
