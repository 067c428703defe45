using System.Diagnostics;
using Autograd.Nn;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;

namespace Autograd.Bench;

/// <summary>
/// `dotnet run -c Release --project Autograd.Bench -- soak [steps] [--no-pool]`: trains a 784-256-10 MLP with Adam on
/// synthetic data through the public API (DataLoader, Mlp, CrossEntropy, the loader's BufferPool unless --no-pool)
/// for 10,000 steps by default, and checks that the managed heap after a full collection at step 1,000 and at the
/// last step agree within 10%. Prints both and exits with 1 when they do not.
/// </summary>
internal static class Soak
{
    public static int Run(string[] args)
    {
        int steps = args.Length > 0 && int.TryParse(args[0], out int s) ? s : 10_000;
        bool pooled = !args.Contains("--no-pool");
        int checkpoint = Math.Min(1_000, steps / 10);
        var loader = new DataLoader(Data(), batchSize: 128, shuffle: true, dropLast: true, generator: new Generator(18), pool: pooled ? new BufferPool() : null);
        var model = Mlp.Create(784, [256], 10, () => new ReLU(), new Generator(19));
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);

        Console.WriteLine($"# soak: {steps} steps of a 784-256-10 MLP, Adam, batch 128, {(pooled ? "a DataLoader with a BufferPool" : "no buffer pool")}");
        var sw = Stopwatch.StartNew();
        long atCheckpoint = 0, atEnd = 0;
        double firstLoss = double.NaN, lastLoss = double.NaN;
        int step = 0;
        while (step < steps)
        {
            foreach (var (x, y) in loader)
            {
                if (step == steps) break;
                step++;
                var loss = Losses.CrossEntropy(model.Forward(x), y);
                loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad(setToNone: !pooled);
                lastLoss = loss.Item();
                if (step == 1) firstLoss = lastLoss;
                // Both measurements at the same point of the loop, so they hold the same live objects.
                if (step == checkpoint)
                {
                    atCheckpoint = Heap();
                    Console.WriteLine($"step {step}: heap {atCheckpoint:N0} B, loss {lastLoss:F4}");
                }
                if (step == steps) atEnd = Heap();
            }
        }
        double change = (atEnd - atCheckpoint) / (double)atCheckpoint;
        Console.WriteLine($"step {step}: heap {atEnd:N0} B, loss {lastLoss:F4} (first step {firstLoss:F4})");
        Console.WriteLine($"heap change {(change >= 0 ? "+" : "")}{change * 100:F2}% between step {checkpoint} and step {step} (limit ±10%), " +
            $"{sw.Elapsed.TotalMilliseconds * 1000 / steps:F0} us per step, gen2 collections {GC.CollectionCount(2)}");
        bool flat = Math.Abs(change) <= 0.10;
        Console.WriteLine(flat ? "soak passed" : "soak FAILED: the heap changed by more than 10%");
        return flat ? 0 : 1;
    }

    // 2,048 samples of 10 classes, each a noisy class prototype: learnable, so the loss falls. Built in its own method
    // so that none of its temporaries stays reachable from the training loop's frame.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static TensorDataset Data()
    {
        var g = new Generator(17);
        var prototypes = Tensor.Randn([10, 784], g);
        var labels = Tensor.From(Enumerable.Range(0, 2048).Select(i => (long)(i % 10)).ToArray());
        var inputs = (prototypes.IndexSelect(0, labels) * 0.05 + Tensor.Randn([2048, 784], g)).Detach();
        return new TensorDataset(inputs.Clone(), labels);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
