namespace Autograd.Tests.Hardening;

public class ConcurrencyTests
{
    private static double[] TrainTinyModel(int seed)
    {
        var g = new Generator((ulong)seed);
        var w = Tensor.Normal([4, 3], g, dtype: DType.Float64).RequireGrad();
        var x = Tensor.Normal([16, 4], g, dtype: DType.Float64);
        var t = Tensor.Normal([16, 3], g, dtype: DType.Float64);
        for (int step = 0; step < 50; step++)
        {
            var loss = (x.MatMul(w).Tanh() - t).Square().Mean();
            loss.Backward();
            using (Autodiff.NoGrad()) w.AddInPlace(w.Grad!, -0.1);
            w.ZeroGrad();
        }
        return w.ToArray<double>();
    }

    [Test]
    public void IndependentGraphsOnParallelThreadsGiveTheSequentialResults()
    {
        var sequential = Enumerable.Range(0, 8).Select(TrainTinyModel).ToArray();
        var parallel = new double[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = TrainTinyModel(i));
        for (int i = 0; i < 8; i++) Assert.That(parallel[i], Is.EqualTo(sequential[i]), $"model {i}");
    }

    [Test]
    public void TwoThreadsGivingASharedLeafItsFirstGradLeaveItALeaf()
    {
        // Both threads make the leaf's GradState at once: the leaf must stay a leaf and keep a .Grad (when .Grad and the
        // producing node shared one field, a GradState left where the node belonged crashed the next backward).
        var g = Tensor.Zeros([1], DType.Float64);
        Tensor current = Tensor.Zeros([1], DType.Float64).RequireGrad();
        const int Rounds = 100_000;
        using var barrier = new Barrier(2);
        var other = new Thread(() =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                barrier.SignalAndWait();
                Volatile.Read(ref current).Grad = g;
                barrier.SignalAndWait();
            }
        });
        other.Start();
        int notLeaf = 0;
        for (int r = 0; r < Rounds; r++)
        {
            var t = Tensor.Zeros([1], DType.Float64).RequireGrad();
            Volatile.Write(ref current, t);
            barrier.SignalAndWait();
            t.Grad = g;
            barrier.SignalAndWait();
            if (!t.IsLeaf || t.Grad is null) notLeaf++;
        }
        other.Join();
        Assert.That(notLeaf, Is.Zero, "rounds after which the leaf was no longer a leaf or lost its .Grad");
    }

    [Test]
    public void NoGradAndAnomalyScopesBelongToTheirThread()
    {
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool otherThreadRecords = false, otherThreadAnomaly = true;
        var other = new Thread(() =>
        {
            started.Wait();
            var x = Tensor.Scalar(1, DType.Float64).RequireGrad();
            otherThreadRecords = (x * 2.0).RequiresGrad;
            otherThreadAnomaly = Autodiff.IsAnomalyEnabled;
            release.Set();
        });
        other.Start();
        using (Autodiff.NoGrad())
        using (Autodiff.DetectAnomaly())
        {
            started.Set();
            release.Wait();
            Assert.That(Autodiff.IsGradEnabled, Is.False);
            Assert.That(Autodiff.IsAnomalyEnabled, Is.True);
        }
        other.Join();
        Assert.That(otherThreadRecords, Is.True, "a NoGrad scope on one thread must not switch recording off on another");
        Assert.That(otherThreadAnomaly, Is.False);
    }

    [Test]
    public void ScalarValuesOnParallelThreadsDoNotInterfere()
    {
        static double Grad(int i)
        {
            Value x = 0.1 * i;
            var y = x;
            for (int k = 0; k < 2000; k++) y = (y * 0.999).Tanh() + x;
            y.Backward();
            return x.Grad;
        }
        var sequential = Enumerable.Range(0, 16).Select(Grad).ToArray();
        var parallel = new double[16];
        Parallel.For(0, 16, i => parallel[i] = Grad(i));
        Assert.That(parallel, Is.EqualTo(sequential));
    }
}

public class AsyncFlowTests
{
    [Test]
    public async Task ANoGradScopeFollowsItsCodeAcrossAwaitsAndStaysOutOfOtherFlows()
    {
        var x = Tensor.Scalar(1, DType.Float64).RequireGrad();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Started before the scope: an independent flow that must keep recording.
        var other = Task.Run(async () =>
        {
            await gate.Task;
            return (x * 2.0).RequiresGrad;
        });
        using (Autodiff.NoGrad())
        {
            await Task.Yield();                       // may resume on another pool thread
            await Task.Delay(10);
            Assert.That(Autodiff.IsGradEnabled, Is.False, "the scope must survive the await");
            Assert.That((x * 2.0).RequiresGrad, Is.False);
            gate.SetResult();
            Assert.That(await other, Is.True, "a flow started outside the scope records");
            Assert.That(await Task.Run(() => (x * 2.0).RequiresGrad), Is.False, "a task started inside the scope inherits it");
        }
        Assert.That(Autodiff.IsGradEnabled, Is.True);
        await Task.Yield();
        Assert.That((x * 2.0).RequiresGrad, Is.True);
    }

    [Test]
    public async Task PoolThreadsThatRanWorkInsideAScopeRecordAgainForWorkOutsideIt()
    {
        // The modes are mirrored per thread: a pool thread must take the mode of each work item's flow, not keep the last.
        var x = Tensor.Scalar(1, DType.Float64).RequireGrad();
        using (Autodiff.NoGrad())
        using (Autodiff.DetectAnomaly())
        {
            var inside = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => (Autodiff.IsGradEnabled, Autodiff.IsAnomalyEnabled))));
            Assert.That(inside, Is.All.EqualTo((false, true)));
        }
        var outside = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => ((x * 2.0).RequiresGrad, Autodiff.IsAnomalyEnabled))));
        Assert.That(outside, Is.All.EqualTo((true, false)));
    }

    [Test]
    public void AThreadStartedInsideAScopeInheritsItAndOneStartedOutsideDoesNot()
    {
        (bool Grad, bool Anomaly) seen = default;
        Thread Start()
        {
            var t = new Thread(() => seen = (Autodiff.IsGradEnabled, Autodiff.IsAnomalyEnabled));
            t.Start();
            return t;
        }
        using (Autodiff.NoGrad())
        using (Autodiff.DetectAnomaly())
            Start().Join();
        Assert.That(seen, Is.EqualTo((false, true)));
        Start().Join();
        Assert.That(seen, Is.EqualTo((true, false)));
    }

    [Test]
    public void AThreadInsideANoGradScopeChangesNothingForOtherThreads()
    {
        // While some thread has recording off, the others keep recording, and a thread of their own turning it off is obeyed.
        var x = Tensor.Scalar(1, DType.Float64).RequireGrad();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool insideRecorded = true;
        var holder = new Thread(() =>
        {
            using (Autodiff.NoGrad())
            {
                insideRecorded = (x * 2.0).RequiresGrad;
                entered.Set();
                release.Wait();
            }
        });
        holder.Start();
        entered.Wait();
        try
        {
            Assert.That(insideRecorded, Is.False);
            Assert.That((x * 2.0).RequiresGrad, Is.True);
            using (Autodiff.NoGrad()) Assert.That((x * 2.0).RequiresGrad, Is.False);
            Assert.That((x * 2.0).RequiresGrad, Is.True);
        }
        finally
        {
            release.Set();
            holder.Join();
        }
        // A thread that ends with recording off (its scope never disposed) leaves the others recording.
        var leaver = new Thread(() => Autodiff.NoGrad());
        leaver.Start();
        leaver.Join();
        Assert.That((x * 2.0).RequiresGrad, Is.True);
        using (Autodiff.NoGrad()) Assert.That((x * 2.0).RequiresGrad, Is.False);
    }
}
