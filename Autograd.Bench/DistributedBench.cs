using System.Diagnostics;
using System.Globalization;
using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Bench;

/// <summary>
/// `mpirun -np N dotnet Autograd.Bench.dll distributed [steps]` (or without mpirun, as one rank): on every rank,
/// (a) the time of a float32 all-reduce (sum, in place) of the 784-256-10 MLP's gradient (203,530 floats) and of a
/// 10M-parameter model's (10,000,000 floats), and (b) the time of a DistributedDataParallel training step of that MLP
/// (global batch 128 split over the ranks, AdamW, synthetic data) beside the same step on the rank's share of the batch
/// without DistributedDataParallel (the compute alone). Rank 0 prints the medians, the slowest rank's in brackets.
/// Each rank uses the cores divided by the ranks on the machine.
/// </summary>
internal static class DistributedBench
{
    private const int GlobalBatch = 128, In = 784, Hidden = 256, Out = 10;

    public static int Run(string[] args)
    {
        int steps = args.Length > 0 && int.TryParse(args[0], out int s) ? s : 200;
        return ProcessGroup.Run(group =>
        {
            int local = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int l) && l > 0 ? l : group.WorldSize;
            Parallelism.MaxDegree = Math.Max(1, Environment.ProcessorCount / local);
            void Log(string line)
            {
                if (group.IsMain) Console.WriteLine(line);
            }

            Log($"# distributed: {group.WorldSize} rank(s) ({group.Backend}), {Parallelism.MaxDegree} thread(s) per rank, {Environment.ProcessorCount} cores, {steps} timed repetitions");
            foreach (int count in new[] { 203_530, 10_000_000 })
            {
                var buffer = new float[count];
                int repetitions = count > 1_000_000 ? Math.Max(5, steps / 20) : steps;
                for (int i = 0; i < 5; i++) group.AllReduce(buffer.AsSpan());
                var times = new double[repetitions];
                for (int i = 0; i < repetitions; i++)
                {
                    group.Barrier();
                    long t0 = Stopwatch.GetTimestamp();
                    group.AllReduce(buffer.AsSpan());
                    times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
                double median = Median(times), slowest = group.AllReduce(median, ReduceOp.Max);
                double bytes = 4.0 * count;
                double moved = 2.0 * (group.WorldSize - 1) / group.WorldSize * bytes;
                Log($"all-reduce {count,10:N0} float32 ({bytes / 1e6:F2} MB): median {F(median)} ms [{F(slowest)} ms]; " +
                    $"ring traffic 2(N-1)/N x bytes = {moved / 1e6:F2} MB per rank, {(median > 0 ? moved / (median / 1e3) / 1e9 : 0):F2} GB/s");
            }

            int batch = GlobalBatch / group.WorldSize;
            double compute = StepTime(group, batch, steps, ddp: false);
            double ddpStep = StepTime(group, batch, steps, ddp: true);
            double slowCompute = group.AllReduce(compute, ReduceOp.Max), slowDdp = group.AllReduce(ddpStep, ReduceOp.Max);
            Log($"step, 784-256-10 MLP, {batch} samples per rank, no DDP (compute only): median {F(compute)} ms [{F(slowCompute)} ms]");
            Log($"step, DistributedDataParallel, global batch {GlobalBatch}: median {F(ddpStep)} ms [{F(slowDdp)} ms]; " +
                $"{GlobalBatch / (ddpStep / 1e3):F0} samples/s over the job");
        });
    }

    private static double StepTime(ProcessGroup group, int batch, int steps, bool ddp)
    {
        var g = new Generator(7 + (ulong)group.Rank);
        var x = Tensor.Rand([batch, In], g);
        var labels = new long[batch];
        for (int i = 0; i < batch; i++) labels[i] = (i + group.Rank) % Out;
        var y = Tensor.From(labels, batch);
        var model = new Sequential(new Linear(In, Hidden, generator: new Generator(1)), new ReLU(), new Linear(Hidden, Out, generator: new Generator(2)));
        using var wrapper = ddp ? new DistributedDataParallel(model, group) : null;
        Module run = wrapper is null ? model : wrapper;
        var optimizer = new AdamW(run.Parameters(), lr: 1e-3);
        var times = new double[steps];
        for (int i = -20; i < steps; i++)
        {
            group.Barrier();
            long t0 = Stopwatch.GetTimestamp();
            optimizer.ZeroGrad(setToNone: false);
            Losses.CrossEntropy(run.Call(x), y).Backward();
            optimizer.Step();
            if (i >= 0) times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        return Median(times);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double ms) => ms.ToString("F3", CultureInfo.InvariantCulture);
}
