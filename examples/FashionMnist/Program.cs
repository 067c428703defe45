using System.Diagnostics;
using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Data;
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
    private sealed class UsageException(string message) : Exception(message);

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
        public bool Help { get; init; }
    }

    private const string HelpText = """
        FashionMnist: trains an MLP with Autograd on Fashion-MNIST and prints its test accuracy.

        usage: dotnet run -c Release --project examples/FashionMnist -- [options]

        options:
          --epochs N        passes over the training set (default 20)
          --batch-size N    samples per optimizer step (default 128)
          --lr X            initial AdamW learning rate, cosine-annealed to 0 (default 0.001)
          --weight-decay X  AdamW's decoupled weight decay (default 0.0001)
          --dropout P       dropout after each hidden layer, in [0, 1) (default 0.2)
          --hidden A,B,...  hidden layer widths (default 512,256)
          --seed N          seeds the initial weights, the dropout masks and the batch order (default 1)
          --data-dir DIR    folder holding the four IDX files (default /usr/share/datasets/fashion-mnist/,
                            where `sudo apt-get install dataset-fashion-mnist` puts them)
          --limit N         train on the first N training images only (for quick checks)
          --threads N       most threads a kernel may use (default: all cores); results do not depend on it
          --help            shows this text
        """;

    public static int Main(string[] args)
    {
        try
        {
            var options = Parse(args);
            if (options.Help)
            {
                Console.WriteLine(HelpText);
                return 0;
            }
            return Run(options);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("FashionMnist: error: " + e.Message);
            return 2;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"FashionMnist: error: {e.GetType().Name}: {string.Join(" ", e.Message.Split('\n', StringSplitOptions.TrimEntries))}");
            return 1;
        }
    }

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
            double lossSum = 0;
            long correct = 0, seen = 0;
            foreach (var (inputs, targets) in loader)
            {
                var logits = model.Forward(inputs);
                var loss = Losses.CrossEntropy(logits, targets);
                optimizer.ZeroGrad(setToNone: false);   // gradients stay allocated, zeroed in place
                loss.Backward();
                optimizer.Step();
                lossSum += loss.Item() * inputs.Size(0);
                seen += inputs.Size(0);
                correct += Correct(logits, targets);
            }
            schedule.Step();
            double trainSeconds = clock.Elapsed.TotalSeconds;
            testAccuracy = Accuracy(model, test);
            epochSeconds += trainSeconds;
            Console.WriteLine($"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{o.Epochs}  " +
                              $"loss {F(lossSum / seen, "F4")}  train acc {Pct((double)correct / seen)}  test acc {Pct(testAccuracy)}  " +
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

    private static double Accuracy(Module model, TensorDataset data)
    {
        model.Eval();
        using var noGrad = Autodiff.NoGrad();
        long correct = 0;
        for (int start = 0; start < data.Count; start += 1000)
        {
            int end = Math.Min(start + 1000, data.Count);
            correct += Correct(model.Forward(data.Inputs.Slice(0, start, end)), data.Targets.Slice(0, start, end));
        }
        model.Train();
        return (double)correct / data.Count;
    }

    private static long Correct(Tensor logits, Tensor targets)
    {
        var predicted = logits.ArgMax(1).ToArray<long>();
        var actual = targets.ToArray<long>();
        long correct = 0;
        for (int i = 0; i < predicted.Length; i++)
            if (predicted[i] == actual[i]) correct++;
        return correct;
    }

    private static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i], value;
            if (name is "--help" or "-h")
            {
                o = o with { Help = true };
                continue;
            }
            int eq = name.IndexOf('=');
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (!name.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{name}' (options start with --; see --help)");
            else if (!Known.Contains(name))
                throw new UsageException($"unknown option '{name}' (see --help)");
            else if (i + 1 >= args.Length)
                throw new UsageException($"option {name} needs a value (see --help)");
            else
                value = args[++i];
            o = name switch
            {
                "--epochs" => o with { Epochs = Int(name, value, 1, 10_000) },
                "--batch-size" => o with { BatchSize = Int(name, value, 1, 60_000) },
                "--lr" => o with { LearningRate = Real(name, value, 0, double.PositiveInfinity, "a positive number such as 0.001", open: true) },
                "--weight-decay" => o with { WeightDecay = Real(name, value, 0, double.PositiveInfinity, "a number >= 0", open: false) },
                "--dropout" => o with { Dropout = Real(name, value, 0, 1, "a probability in [0, 1)", open: false) },
                "--hidden" => o with { Hidden = Widths(value) },
                "--seed" => o with { Seed = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw new UsageException($"invalid value '{value}' for --seed: expected a non-negative integer") },
                "--data-dir" => o with { DataDir = string.IsNullOrWhiteSpace(value) ? throw new UsageException("option --data-dir needs a non-empty value") : value },
                "--limit" => o with { Limit = Int(name, value, 1, int.MaxValue) },
                "--threads" => o with { Threads = Int(name, value, 1, 1024) },
                _ => throw new UsageException($"unknown option '{name}' (see --help)"),
            };
        }
        return o;
    }

    private static readonly string[] Known =
        ["--epochs", "--batch-size", "--lr", "--weight-decay", "--dropout", "--hidden", "--seed", "--data-dir", "--limit", "--threads"];

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new UsageException($"invalid value '{value}' for {name}: expected an integer from {min} to {max}");

    // A number in (low, high) when open, else in [low, high) — enough for the rates and probabilities here.
    private static double Real(string name, string value, double low, double high, string expected, bool open) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) &&
        (open ? x > low : x >= low) && x < high
            ? x
            : throw new UsageException($"invalid value '{value}' for {name}: expected {expected}");

    private static int[] Widths(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1 || widths[i] > 65536)
                throw new UsageException($"invalid value '{value}' for --hidden: expected comma-separated layer widths, e.g. 512,256");
        return widths;
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
