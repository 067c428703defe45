using System.Diagnostics;
using System.Globalization;
using Autograd.Nn;
using Autograd.Nn.Data;
using Autograd.Nn.Metrics;
using Autograd.Nn.Optim;

namespace Autograd.Bench;

/// <summary>
/// `fmnist-epoch [epochs] [limit] [data-dir]`: the training epochs of `examples/FashionMnist --model modern` (its
/// model, optimizer, schedule, loader, flip augmentation and per-step loss and accuracy bookkeeping, with the same
/// seeds), printing <c>fmnist_epoch_s</c>, the mean seconds per epoch of training only (no loading, no test pass).
/// Peers/fashion_mnist_epoch.py runs the same epochs in PyTorch 1.13. Prints <c># unavailable: REASON</c> when the
/// data set is missing. Arguments: epochs (default 1), the first N training images only (default all), the folder.
/// </summary>
internal static class FashionMnistEpoch
{
    private const int Width = 512, Blocks = 2, BatchSize = 128, Warmup = 2, Side = 28;
    private const double Dropout = 0.1, LearningRate = 1e-3, WeightDecay = 0.05, LabelSmoothing = 0.1;
    private const ulong Seed = 1;

    public static int Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        int? limit = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;
        string dir = args.Length > 2 ? args[2] : Nn.Data.FashionMnist.DefaultDirectory;
        Nn.Data.FashionMnist data;
        try
        {
            data = Nn.Data.FashionMnist.Load(dir);
        }
        catch (FileNotFoundException e)
        {
            // The loader's first sentence names what is missing; the rest says where to get the files.
            Console.WriteLine($"# unavailable: {e.Message.Split(". ")[0]}. `sudo apt-get install dataset-fashion-mnist` puts the files in {Nn.Data.FashionMnist.DefaultDirectory}.");
            return 0;
        }
        var trainX = data.TrainImages;
        var trainY = data.TrainLabels;
        if (limit is int n && n < trainX.Size(0))
        {
            trainX = trainX.Slice(0, 0, n);
            trainY = trainY.Slice(0, 0, n);
        }
        double mean, std;
        using (Autodiff.NoGrad())
        {
            var x64 = trainX.To(DType.Float64);
            mean = x64.Mean().Item();
            std = Math.Sqrt((x64 - mean).Square().Mean().Item());
        }
        var train = new TensorDataset((trainX - mean) / std, trainY);

        var init = new Generator(Seed);
        var masks = new Generator(Seed + 1);
        var shuffle = new Generator(Seed + 2);
        var augment = new Generator(Seed + 3);
        var model = new Sequential(new Linear(784, Width, generator: init));
        for (int b = 0; b < Blocks; b++) model.Append(new ResidualBlock(Width, Dropout, init, masks));
        model.Append(new LayerNorm(Width));
        model.Append(new Linear(Width, 10, generator: init));
        var optimizer = new AdamW(ParamGroups.WithoutDecayOnBiasesAndNorms(model, WeightDecay), lr: LearningRate, weightDecay: WeightDecay);
        var schedule = new SequentialLR(optimizer,
            [new LinearLR(optimizer, startFactor: 0.1, endFactor: 1, totalIters: Warmup), new CosineAnnealingLR(optimizer, tMax: Math.Max(1, epochs - Warmup))],
            [Warmup]);
        var loader = new DataLoader(train, BatchSize, shuffle: true, generator: shuffle, pool: new BufferPool());

        Console.WriteLine($"# autograd: MaxDegree {Parallelism.MaxDegree}, {train.Count} training images, {epochs} epochs");
        double total = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.Train();
            var trainLoss = new RunningMean();
            var trainAccuracy = new Accuracy();
            foreach (var (batch, targets) in loader)
            {
                var inputs = Flip(batch, augment);
                var logits = model.Forward(inputs);
                var loss = Losses.CrossEntropy(logits, targets, labelSmoothing: LabelSmoothing);
                optimizer.ZeroGrad(setToNone: false);
                loss.Backward();
                optimizer.Step();
                trainLoss.Update(loss.Item(), inputs.Size(0));
                trainAccuracy.Update(logits, targets);
            }
            schedule.Step();
            double seconds = clock.Elapsed.TotalSeconds;
            total += seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# epoch {epoch}/{epochs}: loss {trainLoss.Compute():F4}, train acc {100 * trainAccuracy.Compute():F2}%, {seconds:F1} s"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fmnist_epoch_s {total / epochs:F2} s"));
        return 0;
    }

    /// <summary>A pre-norm residual block: x + Dropout(GELU(Linear(LayerNorm(x)))), as in the example.</summary>
    private sealed class ResidualBlock(int width, double dropout, Generator init, Generator masks) : Module
    {
        private readonly LayerNorm _norm = new(width);
        private readonly Linear _fc = new(width, width, generator: init);
        private readonly GELU _gelu = new();
        private readonly Nn.Dropout _dropout = new(dropout, masks);

        public override Tensor Forward(Tensor input) => input + _dropout.Call(_gelu.Call(_fc.Call(_norm.Call(input))));
    }

    /// <summary>The example's augmentation with flips only: each image mirrored left-right with probability 1/2.</summary>
    private static Tensor Flip(Tensor batch, Generator generator)
    {
        float[] source = batch.ToArray<float>();
        var result = new float[source.Length];
        for (int image = 0; image < source.Length / (Side * Side); image++)
        {
            bool mirror = generator.NextInt(2) == 1;
            var from = source.AsSpan(image * Side * Side, Side * Side);
            var to = result.AsSpan(image * Side * Side, Side * Side);
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++) to[y * Side + x] = from[y * Side + (mirror ? Side - 1 - x : x)];
            }
        }
        return Tensor.From(result, batch.Size(0), batch.Size(1));
    }
}
