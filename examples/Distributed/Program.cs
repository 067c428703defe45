using System.Diagnostics;
using System.Globalization;
using Autograd;
using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Metrics;
using Autograd.Nn.Optim;
using FashionMnistData = Autograd.Nn.Data.FashionMnist;

namespace DistributedExample;

/// <summary>
/// Example 8: data-parallel training of a 784-256-10 MLP on Fashion-MNIST with <see cref="DistributedDataParallel"/>
/// and <see cref="DistributedSampler"/>. <c>dotnet Distributed.dll</c> trains as one process;
/// <c>mpirun -np N dotnet Distributed.dll</c> as N ranks, each taking 1/N of every global batch. The loss and the
/// accuracies are all-reduced over the ranks; only rank 0 prints and writes the checkpoint. Ends with
/// <c>test accuracy NN.NN%</c>.
/// </summary>
public static class Program
{
    private sealed record Options
    {
        public int Epochs { get; init; } = 5;
        public int BatchSize { get; init; } = 128;
        public double LearningRate { get; init; } = 1e-3;
        public int Hidden { get; init; } = 256;
        public ulong Seed { get; init; } = 1;
        public string DataDir { get; init; } = FashionMnistData.DefaultDirectory;
        public int? Limit { get; init; }
        public int? Threads { get; init; }
        public string? Save { get; init; }
    }

    private const string Description = """
        Distributed: trains an MLP on Fashion-MNIST on one or several processes (DistributedDataParallel) and prints its test accuracy.
        Run it with: dotnet examples/Distributed/bin/Release/net10.0/Distributed.dll [options]
                 or: mpirun -np 2 dotnet examples/Distributed/bin/Release/net10.0/Distributed.dll [options]
        """;

    private static Option[] AllOptions() =>
    [
        Cli.Int("--epochs", "passes over the training set", 5, 1, 10_000),
        Cli.Int("--batch-size", "global batch: samples per optimizer step over all ranks (a multiple of the number of ranks)", 128, 1, 60_000),
        Cli.Double("--lr", "X", "initial AdamW learning rate, cosine-annealed to 0", 1e-3, 0, double.MaxValue),
        Cli.Int("--hidden", "width of the hidden layer", 256, 1, 65_536),
        Cli.Seed("seeds the initial weights and the sampler's order", 1),
        Cli.Path("--data-dir", $"folder holding the four IDX files (default {FashionMnistData.DefaultDirectory}, where `sudo apt-get install dataset-fashion-mnist` puts them)"),
        Cli.Int("--limit", "train on the first N training images only (for quick checks)", null, 1, int.MaxValue),
        Cli.Int("--threads", "most threads a kernel may use on each rank (default: the cores divided by the ranks on this machine); results do not depend on it", null, 1, 1024),
        Cli.Path("--save", "rank 0 writes the trained model (safetensors) to this file after every epoch"),
    ];

    public static int Main(string[] args) => Cli.Run("Distributed", args, Description, AllOptions(), r =>
    {
        var options = new Options
        {
            Epochs = r.GetValue<int?>("--epochs")!.Value,
            BatchSize = r.GetValue<int?>("--batch-size")!.Value,
            LearningRate = r.GetValue<double?>("--lr")!.Value,
            Hidden = r.GetValue<int?>("--hidden")!.Value,
            Seed = r.GetValue<ulong?>("--seed")!.Value,
            DataDir = r.GetValue<string?>("--data-dir") ?? FashionMnistData.DefaultDirectory,
            Limit = r.GetValue<int?>("--limit"),
            Threads = r.GetValue<int?>("--threads"),
            Save = r.GetValue<string?>("--save"),
        };
        // Every rank reads the data before joining the job, so a missing data set is a usage error on each rank.
        var data = Load(options.DataDir);
        // The world of mpirun's (or srun's) ranks, or of this process alone.
        int ranks = ProcessGroup.Initialize().WorldSize;
        if (options.BatchSize % ranks != 0)
            throw new UsageException($"--batch-size {options.BatchSize} is not a multiple of the {ranks} ranks: each rank takes an equal share of every batch.");
        // ProcessGroup.Run: an exception on any rank ends every rank.
        return ProcessGroup.Run(group => Train(group, data, options));
    });

    private static void Train(ProcessGroup group, FashionMnistData data, Options o)
    {
        int ranks = group.WorldSize;
        // Ranks on one machine share its cores.
        int localRanks = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int l) && l > 0 ? l : ranks;
        Parallelism.MaxDegree = o.Threads ?? Math.Max(1, Environment.ProcessorCount / localRanks);
        void Log(string line)
        {
            if (group.IsMain) Console.WriteLine(line);
        }

        var total = Stopwatch.StartNew();
        var trainX = data.TrainImages;
        var trainY = data.TrainLabels;
        if (o.Limit is int limit && limit < trainX.Size(0))
        {
            trainX = trainX.Slice(0, 0, limit);
            trainY = trainY.Slice(0, 0, limit);
        }
        var (mean, std) = MeanStd(trainX);
        var train = new TensorDataset((trainX - mean) / std, trainY);
        var test = new TensorDataset((data.TestImages - mean) / std, data.TestLabels);
        Log($"data: {train.Count} training / {test.Count} test images from {o.DataDir}");

        // The same seed on every rank; DistributedDataParallel would broadcast rank 0's weights anyway.
        var init = new Generator(o.Seed);
        var model = new Sequential(new Linear(784, o.Hidden, generator: init), new ReLU(), new Linear(o.Hidden, 10, generator: init));
        using var ddp = new DistributedDataParallel(model, group);
        var optimizer = new AdamW(ddp.Parameters(), lr: o.LearningRate, weightDecay: 1e-4);
        var schedule = new CosineAnnealingLR(optimizer, tMax: o.Epochs);
        // Each epoch's permutation is the same on every rank; rank r takes its positions r, r + N, r + 2N, …, so the
        // ranks' k-th batches together hold the k-th global batch of a single process.
        var sampler = new DistributedSampler(train.Count, group, shuffle: true, seed: o.Seed + 2);
        var loader = new DataLoader(train, o.BatchSize / ranks, sampler: sampler, pool: new BufferPool());
        Log($"model: MLP 784-{o.Hidden}-10 (ReLU), {model.ParameterCount} parameters, in {ddp.Buckets.Count} gradient bucket(s)");
        Log($"world: {ranks} rank(s) ({group.Backend}), global batch {o.BatchSize} = {ranks} × {o.BatchSize / ranks} per rank, " +
            $"{Parallelism.MaxDegree} thread(s) per rank");
        Log($"training: AdamW lr {F(o.LearningRate, "G4")} cosine-annealed to 0, weight decay 0.0001, {o.Epochs} epochs, seed {o.Seed}");

        int width = o.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        double testAccuracy = 0, epochSeconds = 0;
        long steps = 0;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            sampler.SetEpoch(epoch);
            ddp.Train();
            double lossSum = 0;
            var accuracy = new Accuracy();
            foreach (var (inputs, targets) in loader)
            {
                var logits = ddp.Call(inputs);
                var loss = Losses.CrossEntropy(logits, targets);
                optimizer.ZeroGrad(setToNone: false);
                loss.Backward();                      // returns with the gradients averaged over the ranks
                optimizer.Step();
                lossSum += loss.Item() * inputs.Size(0);
                accuracy.Update(logits, targets);
                steps++;
            }
            schedule.Step();
            double trainSeconds = clock.Elapsed.TotalSeconds;
            // The metrics over every rank's shard: sums all-reduced, then divided.
            long seen = group.AllReduce(accuracy.Count);
            double trainLoss = group.AllReduce(lossSum) / seen;
            double trainAccuracy = (double)group.AllReduce(accuracy.Correct) / seen;
            testAccuracy = TestAccuracy(ddp.Module, test, group);
            if (o.Save is { } save) group.RunOnMain(() => Checkpoint.Save(ddp.Module, save));
            epochSeconds += trainSeconds;
            Log($"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{o.Epochs}  loss {F(trainLoss, "F4")}  " +
                $"train acc {Pct(trainAccuracy)}  test acc {Pct(testAccuracy)}  time {F(trainSeconds, "F1")} s");
        }
        Log($"mean time per step {F(epochSeconds / steps * 1000, "F2")} ms; per epoch {F(epochSeconds / o.Epochs, "F1")} s (training only); " +
            $"total {F(total.Elapsed.TotalSeconds, "F1")} s");
        Log($"test accuracy {Pct(testAccuracy)}");
    }

    /// <summary>The data set from <paramref name="dir"/>; a missing folder or file is a usage error whose message says where the files come from.</summary>
    private static FashionMnistData Load(string dir)
    {
        try
        {
            return FashionMnistData.Load(dir);
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException(e.Message + " Give the folder with --data-dir DIR.");
        }
    }

    private static (double Mean, double Std) MeanStd(Tensor x)
    {
        using var noGrad = Autodiff.NoGrad();
        var x64 = x.To(DType.Float64);
        double mean = x64.Mean().Item();
        double std = Math.Sqrt((x64 - mean).Square().Mean().Item());
        return (mean, std);
    }

    /// <summary>Each rank scores every N-th chunk of 1,000 test images; the correct answers are summed over the ranks.</summary>
    private static double TestAccuracy(Module model, TensorDataset data, ProcessGroup group)
    {
        model.Eval();
        using var noGrad = Autodiff.NoGrad();
        var accuracy = new Accuracy();
        for (int chunk = group.Rank; chunk * 1000 < data.Count; chunk += group.WorldSize)
        {
            int start = chunk * 1000, end = Math.Min(start + 1000, data.Count);
            accuracy.Update(model.Forward(data.Inputs.Slice(0, start, end)), data.Targets.Slice(0, start, end));
        }
        model.Train();
        return (double)group.AllReduce(accuracy.Correct) / group.AllReduce(accuracy.Count);
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
