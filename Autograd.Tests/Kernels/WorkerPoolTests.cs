using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The spinning worker pool behind parallel kernels: every part runs exactly once, errors reach the caller, nested and
/// concurrent calls work, and a worker late for one call never runs a part of the next.
/// </summary>
public class WorkerPoolTests
{
    [Test]
    public void EveryPartRunsExactlyOnceOverManyCalls()
    {
        for (int call = 0; call < 2000; call++)
        {
            int parts = 1 + call % 9;
            var hits = new int[parts];
            WorkerPool.Run(parts, i => Interlocked.Increment(ref hits[i]));
            Assert.That(hits, Is.All.EqualTo(1), $"call {call}");
        }
    }

    [Test]
    public void APartThatOutlastsTheCallersSpin_StillRunsEveryPartOnce()
    {
        // The caller blocks once every part is claimed and one is still running elsewhere; it must wake when that part ends.
        for (int call = 0; call < 40; call++)
        {
            var hits = new int[8];
            int slow = call % 8;
            WorkerPool.Run(8, i =>
            {
                if (i == slow) Thread.Sleep(1 + call % 3);
                Interlocked.Increment(ref hits[i]);
            });
            Assert.That(hits, Is.All.EqualTo(1), $"call {call}");
        }
    }

    [Test]
    public void AnExceptionInAPartReachesTheCallerAfterTheOtherPartsRan()
    {
        int ran = 0;
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(6, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 3) throw new InvalidOperationException("part 3");
        }))!;
        Assert.That(e.Message, Is.EqualTo("part 3"));
        Assert.That(ran, Is.EqualTo(6));
        var after = new int[4];
        WorkerPool.Run(4, i => after[i]++);
        Assert.That(after, Is.All.EqualTo(1), "the pool still works after a failed call");
    }

    [Test]
    public void NestedAndConcurrentCallsRunEveryPart()
    {
        var totals = new long[4];
        Parallel.For(0, 4, caller =>
        {
            for (int call = 0; call < 200; call++)
                WorkerPool.Run(3, i => WorkerPool.Run(2, j => Interlocked.Add(ref totals[caller], 1 + i * 2 + j)));
        });
        // Each call adds 1 + 2 + … + 6 = 21.
        Assert.That(totals, Is.All.EqualTo(200L * 21));
    }

    [Test]
    public void ParallelKernelsGiveTheSameBitsAfterIdlePeriods()
    {
        var g = new Generator(4);
        var a = Tensor.Randn([300, 200], g);
        var b = Tensor.Randn([200, 150], g);
        var x = Tensor.Randn([1 << 17], g);
        long threshold = GemmBlocking.ParallelThreshold;
        GemmBlocking.ParallelThreshold = 1 << 18;   // so that this product is split across threads
        try
        {
            Check(a, b, x);
        }
        finally
        {
            GemmBlocking.ParallelThreshold = threshold;
        }
    }

    private static void Check(Tensor a, Tensor b, Tensor x)
    {
        var expected = a.MatMul(b).ToArray<float>();
        var expectedTanh = x.Tanh().ToArray<float>();
        for (int i = 0; i < 5; i++)
        {
            Thread.Sleep(i * 2);   // workers spinning, and workers asleep
            Assert.That(a.MatMul(b).ToArray<float>(), Is.EqualTo(expected));
            Assert.That(x.Tanh().ToArray<float>(), Is.EqualTo(expectedTanh));
        }
    }
}
