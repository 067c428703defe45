using System.Diagnostics;
using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Metrics;
using Autograd.Nn.Optim;
using FashionMnistData = Autograd.Nn.Data.FashionMnist;

namespace FashionMnistExample;

/// <summary>
/// Example 5: an MLP trained on Fashion-MNIST, printing the loss, the accuracies and the time of every epoch and ending
/// with <c>test accuracy NN.NN%</c>. <c>--model plain</c> (the default) is 784-512-256-10 with ReLU and dropout, AdamW
/// and a cosine schedule; <c>--model modern</c> is residual blocks of LayerNorm → Linear → GELU → Dropout, AdamW
/// without decay on biases and norms, label smoothing and a cosine schedule after a linear warm-up.
/// <c>--save</c> writes a training checkpoint after every epoch and <c>--resume</c> continues from one, with the same
/// bits as an uninterrupted run.
/// </summary>
public static class Program
{
    private sealed record Options
    {
        public string Model { get; init; } = "plain";
        public int Blocks { get; init; } = 2;
        public int Width { get; init; } = 512;
        public double LabelSmoothing { get; init; }
        public int Warmup { get; init; }
        public int Shift { get; init; }
        public bool Flip { get; init; }
        public bool TestFlip { get; init; }
        public double? Ema { get; init; }
        public int? SwaFrom { get; init; }
        public string? Save { get; init; }
        public string? Resume { get; init; }
        public int? StopAfter { get; init; }
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
        Cli.Choice("--model", "plain (784-512-256-10, ReLU, dropout) or modern (residual LayerNorm-Linear-GELU-Dropout blocks, label smoothing, warm-up)", "plain", ["plain", "modern"], t => t.ToLowerInvariant()),
        Cli.Int("--blocks", "modern: residual blocks", 2, 1, 64),
        Cli.Int("--width", "modern: width of the residual stream", 512, 1, 65_536),
        Cli.HalfOpen("--label-smoothing", "X", "cross-entropy label smoothing in [0, 1) (default: plain 0, modern 0.1)", null, 0, 1),
        Cli.Int("--warmup", "epochs of linear learning-rate warm-up before the cosine (default: plain 0, modern 2)", null, 0, 10_000),
        Cli.Int("--shift", "augmentation: move each training image by up to N pixels in x and y, a fresh draw every epoch (default: plain 0, modern 1)", null, 0, 27),
        Cli.Choice("--flip", "augmentation: mirror each training image left-right with probability 1/2 (default: plain no, modern yes)", null, ["yes", "no"], t => t.ToLowerInvariant()),
        Cli.Choice("--test-flip", "average the predicted probabilities of each test image and its mirror image (default: the same as --flip)", null, ["yes", "no"], t => t.ToLowerInvariant()),
        Cli.HalfOpen("--ema", "D", "test an exponential moving average of the weights, updated after every step with decay D in [0, 1) (AveragedModel)", null, 0, 1),
        Cli.Int("--swa-from", "test the equal-weight average of the weights at the end of every epoch from this one on (stochastic weight averaging, AveragedModel)", null, 1, 10_000),
        Cli.Path("--save", "write a training checkpoint (model, optimizer, schedule, generators, epoch) to this file after every epoch"),
        Cli.Path("--resume", "continue the run saved in this checkpoint file (give the same options as the saved run)"),
        Cli.Int("--stop-after", "stop after this epoch (the schedule still spans --epochs); continue later with --resume", null, 1, 10_000),
        Cli.Int("--epochs", "passes over the training set (default: plain 20, modern 60)", null, 1, 10_000),
        Cli.Int("--batch-size", "samples per optimizer step", 128, 1, 60_000),
        Cli.Double("--lr", "X", "initial AdamW learning rate, cosine-annealed to 0", 1e-3, 0, double.MaxValue),
        Cli.HalfOpen("--weight-decay", "X", "AdamW's decoupled weight decay (default: plain 1e-4, modern 0.05)", null, 0, double.PositiveInfinity),
        Cli.HalfOpen("--dropout", "P", "dropout after each hidden layer or block, in [0, 1) (default: plain 0.2, modern 0)", null, 0, 1),
        Cli.Widths("--hidden", "hidden layer widths (default 512,256)", null),
        Cli.Seed("seeds the initial weights, the dropout masks and the batch order", 1),
        Cli.Path("--data-dir", $"folder holding the four IDX files (default {FashionMnistData.DefaultDirectory}, where `sudo apt-get install dataset-fashion-mnist` puts them)"),
        Cli.Int("--limit", "train on the first N training images only (for quick checks)", null, 1, int.MaxValue),
        Cli.Int("--threads", "most threads a kernel may use (default: all cores); results do not depend on it", null, 1, 1024),
    ];

    public static int Main(string[] args) => Cli.Run("FashionMnist", args, Description, AllOptions(), r =>
    {
        var defaults = new Options();
        bool modern = r.GetValue<string?>("--model") == "modern";
        var options = new Options
        {
            Model = modern ? "modern" : "plain",
            Blocks = r.GetValue<int?>("--blocks")!.Value,
            Width = r.GetValue<int?>("--width")!.Value,
            LabelSmoothing = r.GetValue<double?>("--label-smoothing") ?? (modern ? 0.1 : 0),
            Warmup = r.GetValue<int?>("--warmup") ?? (modern ? 2 : 0),
            Shift = r.GetValue<int?>("--shift") ?? (modern ? 1 : 0),
            Flip = (r.GetValue<string?>("--flip") ?? (modern ? "yes" : "no")) == "yes",
            TestFlip = (r.GetValue<string?>("--test-flip") ?? r.GetValue<string?>("--flip") ?? (modern ? "yes" : "no")) == "yes",
            Ema = r.GetValue<double?>("--ema"),
            SwaFrom = r.GetValue<int?>("--swa-from"),
            Save = r.GetValue<string?>("--save"),
            Resume = r.GetValue<string?>("--resume"),
            StopAfter = r.GetValue<int?>("--stop-after"),
            Epochs = r.GetValue<int?>("--epochs") ?? (modern ? 60 : 20),
            BatchSize = r.GetValue<int?>("--batch-size")!.Value,
            LearningRate = r.GetValue<double?>("--lr")!.Value,
            WeightDecay = r.GetValue<double?>("--weight-decay") ?? (modern ? 0.05 : 1e-4),
            Dropout = r.GetValue<double?>("--dropout") ?? (modern ? 0 : 0.2),
            Hidden = r.GetValue<int[]?>("--hidden") ?? defaults.Hidden,
            Seed = r.GetValue<ulong?>("--seed")!.Value,
            DataDir = r.GetValue<string?>("--data-dir") ?? defaults.DataDir,
            Limit = r.GetValue<int?>("--limit"),
            Threads = r.GetValue<int?>("--threads"),
        };
        if (options.Ema is not null && options.SwaFrom is not null)
            throw new UsageException("--ema and --swa-from are two ways to average the weights: give one of them.");
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

        var init = new Generator(o.Seed);
        var masks = new Generator(o.Seed + 1);
        var shuffle = new Generator(o.Seed + 2);
        var augment = new Generator(o.Seed + 3);
        float background = (float)((0 - mean) / std);
        var model = o.Model == "modern" ? BuildModern(o, init, masks) : BuildPlain(o, init, masks);
        // The modern recipe decays only the matrices (no weight decay on biases and LayerNorm weights).
        var optimizer = o.Model == "modern"
            ? new AdamW(ParamGroups.WithoutDecayOnBiasesAndNorms(model, o.WeightDecay), lr: o.LearningRate, weightDecay: o.WeightDecay)
            : new AdamW(model.Parameters(), lr: o.LearningRate, weightDecay: o.WeightDecay);
        // Stepped once per epoch: a linear warm-up from a tenth of the rate, then half a cosine down to 0.
        LRScheduler schedule = o.Warmup > 0
            ? new SequentialLR(optimizer,
                [new LinearLR(optimizer, startFactor: 0.1, endFactor: 1, totalIters: o.Warmup), new CosineAnnealingLR(optimizer, tMax: Math.Max(1, o.Epochs - o.Warmup))],
                [o.Warmup])
            : new CosineAnnealingLR(optimizer, tMax: o.Epochs);
        // Each batch begins a BufferScope that lasts until the next: batches and intermediate results reuse the same arrays.
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, generator: shuffle, pool: new BufferPool());
        var generators = new Dictionary<string, Generator> { ["init"] = init, ["masks"] = masks, ["shuffle"] = shuffle, ["augment"] = augment };
        // The averaged model is tested in place of the trained one; its copy's own initial weights are overwritten.
        AveragedModel? averaged = o.Ema is { } decay || o.SwaFrom is not null
            ? new AveragedModel(model, o.Model == "modern" ? BuildModern(o, new Generator(0), masks) : BuildPlain(o, new Generator(0), masks),
                o.Ema is { } d ? AveragedModel.EmaAverage(d) : null)
            : null;
        Module saved = averaged is null ? model : new WithAverage(model, averaged);
        int firstEpoch = 1;
        if (o.Resume is { } resume)
        {
            var progress = TrainingCheckpoint.Load(resume, saved, optimizer, [schedule], generators);
            firstEpoch = (int)progress.Epoch + 1;
            Console.WriteLine($"resumed: {resume} after epoch {progress.Epoch}");
        }
        Console.WriteLine(o.Model == "modern"
            ? $"model: residual MLP 784-{o.Width}, {o.Blocks} blocks of LayerNorm-Linear-GELU-Dropout {F(o.Dropout, "G4")}, LayerNorm-10, {model.ParameterCount} parameters"
            : $"model: MLP {string.Join("-", new[] { 784 }.Concat(o.Hidden).Append(10))} (ReLU, dropout {F(o.Dropout, "G4")}), {model.ParameterCount} parameters");
        Console.WriteLine($"training: AdamW lr {F(o.LearningRate, "G4")}" + (o.Warmup > 0 ? $" warmed up over {o.Warmup} epochs then" : "") +
                          $" cosine-annealed to 0, weight decay {F(o.WeightDecay, "G4")}, label smoothing {F(o.LabelSmoothing, "G4")}, " +
                          $"batch size {o.BatchSize}, {o.Epochs} epochs, seed {o.Seed}");
        if (o.Shift > 0 || o.Flip)
            Console.WriteLine("augmentation: " + string.Join(", ", new[] { o.Shift > 0 ? $"shifts of up to {o.Shift} pixels" : null, o.Flip ? "left-right flips" : null }.OfType<string>()));
        if (o.TestFlip)
            Console.WriteLine("test: probabilities averaged over each image and its mirror image");
        if (o.Ema is { } emaDecay)
            Console.WriteLine($"test: an exponential moving average of the weights (decay {F(emaDecay, "G4")} per step)");
        if (o.SwaFrom is { } swaFrom)
            Console.WriteLine($"test: the mean of the weights at the end of epochs {swaFrom}–{o.Epochs}");

        int width = o.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        double testAccuracy = 0, epochSeconds = 0;
        int lastEpoch = Math.Min(o.Epochs, o.StopAfter ?? o.Epochs);
        for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.Train();
            var trainLoss = new RunningMean();
            var trainAccuracy = new Accuracy();
            foreach (var (batch, targets) in loader)
            {
                var inputs = o.Shift > 0 || o.Flip ? Augment(batch, o.Shift, o.Flip, background, augment) : batch;
                var logits = model.Forward(inputs);
                var loss = Losses.CrossEntropy(logits, targets, labelSmoothing: o.LabelSmoothing);
                optimizer.ZeroGrad(setToNone: false);   // gradients stay allocated, zeroed in place
                loss.Backward();
                optimizer.Step();
                if (o.Ema is not null) averaged!.UpdateParameters(model);
                trainLoss.Update(loss.Item(), inputs.Size(0));
                trainAccuracy.Update(logits, targets);
            }
            schedule.Step();
            if (o.SwaFrom is { } from && epoch >= from) averaged!.UpdateParameters(model);
            if (o.Save is { } save) TrainingCheckpoint.Save(save, saved, optimizer, [schedule], generators, epoch: epoch);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            double modelAccuracy = testAccuracy = TestAccuracy(model, test, o.TestFlip);
            string average = "";
            if (averaged is { } a && a.NAveraged.Item<long>() > 0)
            {
                testAccuracy = TestAccuracy(a, test, o.TestFlip);
                average = $"  averaged {Pct(testAccuracy)}";
            }
            epochSeconds += trainSeconds;
            Console.WriteLine($"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{o.Epochs}  " +
                              $"loss {F(trainLoss.Compute(), "F4")}  train acc {Pct(trainAccuracy.Compute())}  test acc {Pct(modelAccuracy)}{average}  " +
                              $"time {F(trainSeconds, "F1")} s");
        }
        Console.WriteLine($"mean time per epoch {F(epochSeconds / Math.Max(1, lastEpoch - firstEpoch + 1), "F1")} s (training only); " +
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

    /// <summary>784 → hidden… → 10 with ReLU and dropout after each hidden layer.</summary>
    private static Sequential BuildPlain(Options o, Generator init, Generator masks)
    {
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

    /// <summary>784 → width, then residual blocks x + Dropout(GELU(Linear(LayerNorm(x)))), then LayerNorm → 10.</summary>
    private static Sequential BuildModern(Options o, Generator init, Generator masks)
    {
        var model = new Sequential(new Linear(784, o.Width, generator: init));
        for (int b = 0; b < o.Blocks; b++) model.Append(new ResidualBlock(o.Width, o.Dropout, init, masks));
        model.Append(new LayerNorm(o.Width));
        model.Append(new Linear(o.Width, 10, generator: init));
        return model;
    }

    /// <summary>The trained model and its average, saved together in a checkpoint.</summary>
    private sealed class WithAverage(Module model, AveragedModel average) : Module
    {
        private readonly Module _model = model;
        private readonly AveragedModel _average = average;
    }

    /// <summary>A pre-norm residual block: x + Dropout(GELU(Linear(LayerNorm(x)))).</summary>
    private sealed class ResidualBlock(int width, double dropout, Generator init, Generator masks) : Module
    {
        private readonly LayerNorm _norm = new(width);
        private readonly Linear _fc = new(width, width, generator: init);
        private readonly GELU _gelu = new();
        private readonly Dropout _dropout = new(dropout, masks);

        public override Tensor Forward(Tensor input) => input + _dropout.Call(_gelu.Call(_fc.Call(_norm.Call(input))));
    }

    /// <summary>
    /// Each 28 × 28 image of <paramref name="batch"/> moved by a random whole number of pixels in
    /// [−<paramref name="shift"/>, <paramref name="shift"/>] in x and y (uncovered pixels take the background value)
    /// and, if <paramref name="flip"/>, mirrored left-right with probability 1/2.
    /// </summary>
    private static Tensor Augment(Tensor batch, int shift, bool flip, float background, Generator generator)
    {
        const int Side = 28;
        float[] source = batch.ToArray<float>();
        var result = new float[source.Length];
        for (int image = 0; image < source.Length / (Side * Side); image++)
        {
            int dx = shift > 0 ? generator.NextInt(2 * shift + 1) - shift : 0;
            int dy = shift > 0 ? generator.NextInt(2 * shift + 1) - shift : 0;
            bool mirror = flip && generator.NextInt(2) == 1;
            var from = source.AsSpan(image * Side * Side, Side * Side);
            var to = result.AsSpan(image * Side * Side, Side * Side);
            for (int y = 0; y < Side; y++)
            {
                int sy = y - dy;
                for (int x = 0; x < Side; x++)
                {
                    int sx = (mirror ? Side - 1 - x : x) - dx;
                    to[y * Side + x] = sy is >= 0 and < Side && sx is >= 0 and < Side ? from[sy * Side + sx] : background;
                }
            }
        }
        return Tensor.From(result, batch.Size(0), batch.Size(1));
    }

    private static (double Mean, double Std) MeanStd(Tensor x)
    {
        using var noGrad = Autodiff.NoGrad();
        var x64 = x.To(DType.Float64);
        double mean = x64.Mean().Item();
        double std = Math.Sqrt((x64 - mean).Square().Mean().Item());
        return (mean, std);
    }

    private static double TestAccuracy(Module model, TensorDataset data, bool withMirror)
    {
        model.Eval();
        using var noGrad = Autodiff.NoGrad();
        var accuracy = new Accuracy();
        for (int start = 0; start < data.Count; start += 1000)
        {
            int end = Math.Min(start + 1000, data.Count);
            var images = data.Inputs.Slice(0, start, end);
            var scores = model.Forward(images);
            if (withMirror)
            {
                var mirrored = images.Reshape(end - start, 28, 28).Flip(2).Reshape(end - start, 784);
                scores = scores.Softmax(1) + model.Forward(mirrored).Softmax(1);
            }
            accuracy.Update(scores, data.Targets.Slice(0, start, end));
        }
        model.Train();
        return accuracy.Compute();
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
