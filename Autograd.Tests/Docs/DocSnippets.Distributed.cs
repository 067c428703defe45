// The C# snippets of docs/distributed.md, verbatim, run in a world of one process (no mpirun); DocsTests checks that
// each still appears here.
using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

public class DistributedDocSnippets
{
    [Test] // docs/distributed.md: the training loop
    public void TrainingLoop()
    {
        var g = new Generator(3);
        var train = new TensorDataset(Tensor.Randn([256, 784], g), Tensor.From(Enumerable.Range(0, 256).Select(i => (long)(i % 10)).ToArray()));
        int Program()
        {
            return ProcessGroup.Run(group =>
            {
                var model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
                using var ddp = new DistributedDataParallel(model, group);      // rank 0's weights on every rank
                var optimizer = new Adam(ddp.Parameters(), lr: 1e-3);
                var sampler = new DistributedSampler(train.Count, group, seed: 42);
                var loader = new DataLoader(train, batchSize: 64, sampler: sampler);
                for (int epoch = 0; epoch < 10; epoch++)
                {
                    sampler.SetEpoch(epoch);                                     // a new order each epoch, the same on every rank
                    foreach (var (x, y) in loader)
                    {
                        optimizer.ZeroGrad();
                        Losses.CrossEntropy(ddp.Call(x), y).Backward();          // returns with the averaged gradients
                        optimizer.Step();
                    }
                }
            });
        }

        Assert.That(Program(), Is.EqualTo(0), "a world of one process: the program ran and returned");
    }

    [Test] // docs/distributed.md: NoSync for gradient accumulation
    public void GradientAccumulation()
    {
        var model = new Linear(3, 2, generator: new Generator(1));
        var reference = new Linear(3, 2, generator: new Generator(1));
        using var ddp = new DistributedDataParallel(model, ProcessGroup.Single);
        var optimizer = new SGD(ddp.Parameters(), lr: 0.1);
        int k = 4;
        var x = Enumerable.Range(0, k).Select(i => Tensor.Randn([5, 3], new Generator((ulong)i))).ToArray();
        Tensor Loss(Tensor output) => output.Square().Mean();
        Func<Tensor, Tensor> loss = Loss;

        using (ddp.NoSync())
            for (int i = 0; i < k - 1; i++) loss(ddp.Call(x[i])).Backward();
        loss(ddp.Call(x[k - 1])).Backward();   // averages the sum of the k micro-batches' gradients
        optimizer.Step();

        foreach (var xi in x) Loss(reference.Call(xi)).Backward();
        Assert.That(model.Weight.Grad!.ToArray<float>(), Is.EqualTo(reference.Weight.Grad!.ToArray<float>()));
    }
}
