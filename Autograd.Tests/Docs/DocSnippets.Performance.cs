// Every C# snippet of docs/performance.md, verbatim, so that the build compiles them and the tests run them.
// DocsTests checks that each snippet still appears here; edit both together.
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

public class PerformanceDocSnippets
{
    [Test] // docs/performance.md
    public void BufferPoolSnippet()
    {
        var losses = new List<double>();
        var model = Mlp.Create(784, [256], 10, () => new ReLU(), new Generator(1));
        var optimizer = new SGD(model.Parameters(), lr: 0.1);
        var x = Tensor.Rand([128, 784], new Generator(2));
        var y = Tensor.From(Enumerable.Range(0, 128).Select(i => (long)(i % 10)).ToArray());
        var pool = new BufferPool();
        for (int step = 0; step < 20; step++)
        {
            using var scope = pool.Scope();            // this step's results borrow the pool's arrays
            var loss = Losses.CrossEntropy(model.Forward(x), y);
            loss.Backward();                           // .Grad is allocated once, then accumulated in place
            optimizer.Step();
            optimizer.ZeroGrad(setToNone: false);      // keep the gradients' storage for the next step
            losses.Add(loss.Item());                   // read what you need before the scope ends
        }

        Assert.That(losses[^1], Is.LessThan(losses[0]));
        Assert.That(pool.RetainedBytes, Is.GreaterThan(128 * 256 * 4), "the step's arrays are back in the pool");
    }

    [Test] // docs/performance.md
    public void DataLoaderPoolSnippet()
    {
        var g = new Generator(5);
        var model = Mlp.Create(784, [64], 10, () => new ReLU(), g);
        var optimizer = new SGD(model.Parameters(), lr: 0.1);
        var dataset = new TensorDataset(Tensor.Rand([256, 784], g), Tensor.From(Enumerable.Range(0, 256).Select(i => (long)(i % 10)).ToArray()));
        var loader = new DataLoader(dataset, batchSize: 128, shuffle: true, generator: new Generator(3), pool: new BufferPool());
        foreach (var (inputs, targets) in loader)
        {
            var loss = Losses.CrossEntropy(model.Forward(inputs), targets);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad(setToNone: false);
        }

        Assert.That(loader.Pool!.RetainedBytes, Is.GreaterThanOrEqualTo(128 * 784 * 4), "the batches went back to the pool");
    }
}
