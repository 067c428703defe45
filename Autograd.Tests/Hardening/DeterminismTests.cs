using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Hardening;

public class DeterminismTests
{
    // 200 steps of a 64-128-10 MLP with Adam on seeded data; returns every parameter's bits.
    private static long[] Train(int threads)
    {
        int saved = Parallelism.MaxDegree;
        long threshold = Autograd.Kernels.GemmBlocking.ParallelThreshold;
        Parallelism.MaxDegree = threads;
        // This model's products are below the default threshold; lowered, they really are split across the threads.
        Autograd.Kernels.GemmBlocking.ParallelThreshold = 1 << 18;
        try
        {
            var g = new Generator(2026);
            var model = Mlp.Create(64, [128], 10, () => new ReLU(), g);
            var optimizer = new Adam(model.Parameters(), lr: 1e-3);
            var x = Tensor.Normal([96, 64], g);
            var t = Tensor.From(Enumerable.Range(0, 96).Select(i => (long)(i * 7 % 10)).ToArray());
            for (int step = 0; step < 200; step++)
            {
                optimizer.ZeroGrad();
                Losses.CrossEntropy(model.Forward(x), t).Backward();
                optimizer.Step();
            }
            return model.Parameters().SelectMany(p => p.ToArray<float>()).Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray();
        }
        finally
        {
            Parallelism.MaxDegree = saved;
            Autograd.Kernels.GemmBlocking.ParallelThreshold = threshold;
        }
    }

    [Test]
    public void TwoHundredTrainingStepsGiveTheSameBitsOnRepeatedRunsAndForOneAndTwoThreads()
    {
        var first = Train(2);
        Assert.That(Train(2), Is.EqualTo(first), "two runs with 2 threads");
        Assert.That(Train(1), Is.EqualTo(first), "1 thread against 2 threads");
        var untrained = Mlp.Create(64, [128], 10, () => new ReLU(), new Generator(2026)).Parameters()
            .SelectMany(p => p.ToArray<float>()).Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray();
        Assert.That(first, Is.Not.EqualTo(untrained), "the steps changed the weights");
    }
}
