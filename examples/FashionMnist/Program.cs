using System.Diagnostics;
using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Data;
using Autograd.Nn.Metrics;
using Autograd.Nn.Optim;
using FashionMnistData = Autograd.Nn.Data.FashionMnist;

namespace FashionMnistExample;

/// <summary>
/// Example 5: an MLP 784-512-256-10 (ReLU, dropout) trained with Adam and a cosine learning-rate schedule on
/// Fashion-MNIST. Prints the loss, the accuracies and the time of every epoch, and ends with
/// <c>test accuracy NN.NN%</c>.
/// </summary>
public static class Program
{
    private sealed record Options
    {
        public int Epochs { get; init; } = 20;
        public int BatchSize { get; init; } = 128;
        public double LearningRate { get; init; } = 1e-3;
        public double WeightDecay { get; init; } = 1e-4;
        public double Dropout { get; init; } = 0.2;
        public int[] Hidden { get; init; } = [512, 256];
        public ulong Seed { get; init; } = 1;
        public string DataDir { get; init; } = FashionMnistData.DefaultDirectory;
        public int? Limit { get; init; }
        public int? Threads { get; init; }
    }

    private const string Description = """
        FashionMnist: trains an MLP with Autograd on Fashion-MNIST and prints its test accuracy.
        Run it with: dotnet run -c Release --project examples/FashionMnist -- [options]
        """;

    private static Option[] AllOptions() =>
    [
        Cli.Int("--epochs", "passes over the training set", 20, 1, 10_000),
        Cli.Int("--batch-size", "samples per optimizer step", 128, 1, 60_000),
        Cli.Double("--lr", "X", "initial AdamW learning rate, cosine-annealed to 0", 1e-3, 0, double.MaxValue),
        Cli.HalfOpen("--weight-decay", "X", "AdamW's decoupled weight decay", 1e-4, 0, double.PositiveInfinity),
        Cli.HalfOpen("--dropout", "P", "dropout after each hidden layer, in [0, 1)", 0.2, 0, 1),
        Cli.Widths("--hidden", "hidden layer widths (default 512,256)", null),
        Cli.Seed("seeds the initial weights, the dropout masks and the batch order", 1),
        Cli.Path("--data-dir", $"folder holding the four IDX files (default {FashionMnistData.DefaultDirectory}, where `sudo apt-get install dataset-fashion-mnist` puts them)"),
        Cli.Int("--limit", "train on the first N training images only (for quick checks)", null, 1, int.MaxValue),
        Cli.Int("--threads", "most threads a kernel may use (default: all cores); results do not depend on it", null, 1, 1024),
    ];

    public static int Main(string[] args) => Cli.Run("FashionMnist", args, Description, AllOptions(), r =>
    {
        var defaults = new Options();
        var options = new Options
        {
            Epochs = r.GetValue<int?>("--epochs")!.Value,
            BatchSize = r.GetValue<int?>("--batch-size")!.Value,
            LearningRate = r.GetValue<double?>("--lr")!.Value,
            WeightDecay = r.GetValue<double?>("--weight-decay")!.Value,
            Dropout = r.GetValue<double?>("--dropout")!.Value,
            Hidden = r.GetValue<int[]?>("--hidden") ?? defaults.Hidden,
            Seed = r.GetValue<ulong?>("--seed")!.Value,
            DataDir = r.GetValue<string?>("--data-dir") ?? defaults.DataDir,
            Limit = r.GetValue<int?>("--limit"),
            Threads = r.GetValue<int?>("--threads"),
        };
        try
        {
            return Run(options);
        }
        catch (Exception e) when (e is not UsageException)
        {
            Console.Error.WriteLine($"FashionMnist: error: {e.GetType().Name}: {string.Join(" ", e.Message.Split('\n', StringSplitOptions.TrimEntries))}");
            return 1;
        }
    });

    private static int Run(Options o)
    {
        if (o.Threads is int threads) Parallelism.MaxDegree = threads;
        var total = Stopwatch.StartNew();
        var data = Load(o.DataDir);

        // Inputs: pixels in [0, 1], standardized with the mean and standard deviation of the training pixels.
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
        Console.WriteLine($"data: {train.Count} training / {test.Count} test images from {o.DataDir} " +
                          $"(loaded in {total.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");

        var model = BuildModel(o);
        var optimizer = new AdamW(model.Parameters(), lr: o.LearningRate, weightDecay: o.WeightDecay);
        var schedule = new CosineAnnealingLR(optimizer, tMax: o.Epochs);
        // Each batch begins a BufferScope that lasts until the next: batches and intermediate results reuse the same arrays.
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, generator: new Generator(o.Seed + 2), pool: new BufferPool());
        Console.WriteLine($"model: MLP {string.Join("-", new[] { 784 }.Concat(o.Hidden).Append(10))} (ReLU, dropout {F(o.Dropout, "G4")}), " +
                          $"{model.ParameterCount} parameters");
        Console.WriteLine($"training: AdamW lr {F(o.LearningRate, "G4")} cosine-annealed to 0, weight decay {F(o.WeightDecay, "G4")}, " +
                          $"batch size {o.BatchSize}, {o.Epochs} epochs, seed {o.Seed}");

        int width = o.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        double testAccuracy = 0, epochSeconds = 0;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.Train();
            var trainLoss = new RunningMean();
            var trainAccuracy = new Accuracy();
            foreach (var (inputs, targets) in loader)
            {
                var logits = model.Forward(inputs);
                var loss = Losses.CrossEntropy(logits, targets);
                optimizer.ZeroGrad(setToNone: false);   // gradients stay allocated, zeroed in place
                loss.Backward();
                optimizer.Step();
                trainLoss.Update(loss.Item(), inputs.Size(0));
                trainAccuracy.Update(logits, targets);
            }
            schedule.Step();
            double trainSeconds = clock.Elapsed.TotalSeconds;
            testAccuracy = TestAccuracy(model, test);
            epochSeconds += trainSeconds;
            Console.WriteLine($"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{o.Epochs}  " +
                              $"loss {F(trainLoss.Compute(), "F4")}  train acc {Pct(trainAccuracy.Compute())}  test acc {Pct(testAccuracy)}  " +
                              $"time {F(trainSeconds, "F1")} s");
        }
        Console.WriteLine($"mean time per epoch {F(epochSeconds / o.Epochs, "F1")} s (training only); " +
                          $"total {F(total.Elapsed.TotalSeconds, "F1")} s");
        Console.WriteLine($"test accuracy {Pct(testAccuracy)}");
        return 0;
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

    /// <summary>784 → hidden… → 10 with ReLU and dropout after each hidden layer, initialized from one seeded generator.</summary>
    private static Sequential BuildModel(Options o)
    {
        var init = new Generator(o.Seed);
        var masks = new Generator(o.Seed + 1);
        var model = new Sequential();
        int width = 784;
        foreach (int h in o.Hidden)
        {
            model.Append(new Linear(width, h, generator: init));
            model.Append(new ReLU());
            if (o.Dropout > 0) model.Append(new Dropout(o.Dropout, masks));
            width = h;
        }
        model.Append(new Linear(width, 10, generator: init));
        return model;
    }

    private static (double Mean, double Std) MeanStd(Tensor x)
    {
        using var noGrad = Autodiff.NoGrad();
        var x64 = x.To(DType.Float64);
        double mean = x64.Mean().Item();
        double std = Math.Sqrt((x64 - mean).Square().Mean().Item());
        return (mean, std);
    }

    private static double TestAccuracy(Module model, TensorDataset data)
    {
        model.Eval();
        using var noGrad = Autodiff.NoGrad();
        var accuracy = new Accuracy();
        for (int start = 0; start < data.Count; start += 1000)
        {
            int end = Math.Min(start + 1000, data.Count);
            accuracy.Update(model.Forward(data.Inputs.Slice(0, start, end)), data.Targets.Slice(0, start, end));
        }
        model.Train();
        return accuracy.Compute();
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
