using System.Globalization;
using System.IO.Compression;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Data;
using FashionMnistData = Autograd.Nn.Data.FashionMnist;

namespace TrainMlp;

public enum TaskKind { Classification, Regression }

/// <summary>A dataset split into training and test sets, with the defaults that train it well.</summary>
public sealed record Problem(
    string Name,
    string Description,
    TaskKind Kind,
    TensorDataset Train,
    TensorDataset Test,
    int InFeatures,
    int OutFeatures,
    IReadOnlyList<string> ClassNames,
    Func<Module> Activation,
    string ActivationName,
    int Epochs,
    int BatchSize,
    double LearningRate,
    int[] Hidden)
{
    /// <summary>Builds the named dataset; every random choice comes from <paramref name="seed"/>.</summary>
    public static Problem Load(string name, ulong seed, string? dataDir) => name switch
    {
        "digits" => Digits(seed),
        "sines" => Sines(seed),
        "fashion-mnist" => FashionMnist(dataDir),
        _ => throw new UsageException($"unknown dataset '{name}'"),
    };

    /// <summary>The lecture slides' target function (docs/tutorial.md): f(x) = 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x).</summary>
    public static double Target(double x) => 3 * Math.Sin(0.5 * x) - 2 * Math.Cos(0.8 * x) + Math.Sin(0.75 * x);

    /// <summary>The network sees x / <see cref="SinesInputScale"/>, so that its input lies in [−1, 1].</summary>
    public const double SinesInputScale = 10;

    public const double SinesLow = -10, SinesHigh = 10;

    /// <summary>
    /// The UCI optical-recognition digits (1,797 8×8 images, pixels 0…16, the copy scikit-learn ships), embedded in the
    /// program. Pixels are scaled to [0, 1]; a seeded shuffle puts 20% (360 images) in the test set.
    /// </summary>
    private static Problem Digits(ulong seed)
    {
        var (pixels, labels) = ReadDigits();
        int n = labels.Length;
        var order = Permutation(n, new Generator(seed));
        int testCount = n / 5, trainCount = n - testCount;
        (Tensor X, Tensor Y) Subset(int start, int count)
        {
            var x = new float[count * 64];
            var y = new long[count];
            for (int i = 0; i < count; i++)
            {
                int s = order[start + i];
                for (int j = 0; j < 64; j++) x[i * 64 + j] = pixels[s * 64 + j] / 16f;
                y[i] = labels[s];
            }
            return (Tensor.From(x, count, 64), Tensor.From(y, count));
        }
        var (trainX, trainY) = Subset(0, trainCount);
        var (testX, testY) = Subset(trainCount, testCount);
        return new Problem("digits", $"UCI handwritten digits 8x8: {trainCount} training / {testCount} test images",
            TaskKind.Classification, new TensorDataset(trainX, trainY), new TensorDataset(testX, testY), 64, 10,
            Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray(),
            () => new ReLU(), "ReLU", Epochs: 30, BatchSize: 32, LearningRate: 5e-3, Hidden: [64]);
    }

    private static (byte[] Pixels, int[] Labels) ReadDigits()
    {
        const string resource = "TrainMlp.Data.digits.csv.gz";
        using var stream = typeof(Problem).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the embedded resource {resource} is missing from the build");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        var pixels = new List<byte>(1797 * 64);
        var labels = new List<int>(1797);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != 65) throw new InvalidDataException($"digits.csv: line {labels.Count + 1} has {fields.Length} fields, expected 65");
            for (int j = 0; j < 64; j++) pixels.Add(byte.Parse(fields[j], CultureInfo.InvariantCulture));
            labels.Add(int.Parse(fields[64], CultureInfo.InvariantCulture));
        }
        return (pixels.ToArray(), labels.ToArray());
    }

    /// <summary>
    /// The lecture slides' function fitting: 1,000 training points x ~ U(−10, 10) with y = f(x) (no noise), and a test grid of
    /// 401 evenly spaced points on [−10, 10]. A tanh MLP 1-64-64-1 trained with the mean squared error.
    /// </summary>
    private static Problem Sines(ulong seed)
    {
        var g = new Generator(seed);
        const int trainCount = 1000, testCount = 401;
        var trainX = new float[trainCount];
        var trainY = new float[trainCount];
        for (int i = 0; i < trainCount; i++)
        {
            double x = SinesLow + (SinesHigh - SinesLow) * g.NextDouble();
            trainX[i] = (float)(x / SinesInputScale);
            trainY[i] = (float)Target(x);
        }
        var testX = new float[testCount];
        var testY = new float[testCount];
        for (int i = 0; i < testCount; i++)
        {
            double x = SinesLow + (SinesHigh - SinesLow) * i / (testCount - 1);
            testX[i] = (float)(x / SinesInputScale);
            testY[i] = (float)Target(x);
        }
        return new Problem("sines", "f(x) = 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x) on [-10, 10]: 1000 training points, 401-point test grid",
            TaskKind.Regression,
            new TensorDataset(Tensor.From(trainX, trainCount, 1), Tensor.From(trainY, trainCount, 1)),
            new TensorDataset(Tensor.From(testX, testCount, 1), Tensor.From(testY, testCount, 1)),
            1, 1, [], () => new Tanh(), "Tanh", Epochs: 300, BatchSize: 64, LearningRate: 1e-2, Hidden: [64, 64]);
    }

    /// <summary>
    /// Fashion-MNIST from a folder holding its four files (by default Debian's dataset-fashion-mnist: 60,000 training /
    /// 10,000 test images), pixels in [0, 1].
    /// </summary>
    private static Problem FashionMnist(string? dataDir)
    {
        string dir = dataDir ?? FashionMnistData.DefaultDirectory;
        FashionMnistData data;
        try
        {
            data = FashionMnistData.Load(dir);
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException(e.Message + " Give the folder with --data-dir DIR.");
        }
        return new Problem("fashion-mnist", $"28x28 clothing images: {data.Train.Count} training / {data.Test.Count} test images",
            TaskKind.Classification, data.Train, data.Test, 784, 10, FashionMnistData.ClassNames,
            () => new ReLU(), "ReLU", Epochs: 10, BatchSize: 128, LearningRate: 1e-3, Hidden: [256, 128]);
    }

    /// <summary>A uniformly random permutation of 0…n−1 (Fisher–Yates).</summary>
    private static int[] Permutation(int n, Generator g)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = g.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
