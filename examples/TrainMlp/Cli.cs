using System.Globalization;

namespace TrainMlp;

/// <summary>A mistake in the command line or the environment that the user can fix: reported as one line, no stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The parsed command line. Null means "the dataset's default" (see <see cref="Problem"/>).</summary>
public sealed record Options
{
    public string Dataset { get; init; } = "digits";
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public int[]? Hidden { get; init; }
    public ulong Seed { get; init; } = 42;
    public int? Threads { get; init; }
    public string? Output { get; init; }
    public string? DataDir { get; init; }
    public bool Help { get; init; }

    public static readonly string[] Datasets = ["digits", "sines", "fashion-mnist"];

    public const string HelpText = """
        TrainMlp: trains a multilayer perceptron with Autograd and plots the result.

        usage: dotnet run -c Release --project examples/TrainMlp -- [options]

        options:
          --dataset NAME     digits (default): the UCI 8x8 handwritten digits, embedded in the program;
                             sines: fit f(x) = 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x) on [-10, 10];
                             fashion-mnist: needs `sudo apt-get install dataset-fashion-mnist`
          --epochs N         passes over the training set (digits 30, sines 300, fashion-mnist 10)
          --batch-size N     samples per optimizer step (digits 32, sines 64, fashion-mnist 128)
          --lr X             initial Adam learning rate, cosine-annealed to 0 (digits 0.005, sines 0.01, fashion-mnist 0.001)
          --hidden A,B,...   hidden layer widths (digits 64, sines 64,64, fashion-mnist 256,128)
          --seed N           seeds the data split and sampling, the initial weights and the batch order (default 42)
          --threads N        most threads a kernel may use (Autograd.Parallelism.MaxDegree; default: all cores);
                             the results do not depend on it
          --output DIR       folder for the plots (default ./output/TrainMlp/DATASET)
          --data-dir DIR     folder holding the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist/)
          --help             shows this text

        The same seed prints the same numbers on every run.
        """;

    /// <summary>Parses <c>--name value</c> and <c>--name=value</c>; throws <see cref="UsageException"/> on any mistake.</summary>
    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                o = o with { Help = true };
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}' (options start with --; see --help)");
            string name = arg, value;
            int eq = arg.IndexOf('=');
            if (eq >= 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                if (!Known(name)) throw new UsageException($"unknown option '{name}' (see --help)");
                if (i + 1 >= args.Length) throw new UsageException($"option {name} needs a value (see --help)");
                value = args[++i];
            }
            o = name switch
            {
                "--dataset" => o with { Dataset = ParseDataset(value) },
                "--epochs" => o with { Epochs = ParseInt(name, value, 1, 100_000) },
                "--batch-size" => o with { BatchSize = ParseInt(name, value, 1, 1_000_000) },
                "--lr" => o with { LearningRate = ParsePositive(name, value) },
                "--hidden" => o with { Hidden = ParseHidden(value) },
                "--seed" => o with { Seed = ParseSeed(value) },
                "--threads" => o with { Threads = ParseInt(name, value, 1, 1024) },
                "--output" => o with { Output = NonEmpty(name, value) },
                "--data-dir" => o with { DataDir = NonEmpty(name, value) },
                _ => throw new UsageException($"unknown option '{name}' (see --help)"),
            };
        }
        return o;
    }

    private static bool Known(string name) => name is "--dataset" or "--epochs" or "--batch-size" or "--lr" or "--hidden"
        or "--seed" or "--threads" or "--output" or "--data-dir";

    private static string ParseDataset(string value)
    {
        string v = value.Trim().ToLowerInvariant();
        if (v is "fashion" or "fashionmnist" or "fashion_mnist") v = "fashion-mnist";
        if (!Datasets.Contains(v))
            throw new UsageException($"unknown dataset '{value}': expected one of {string.Join(", ", Datasets)}");
        return v;
    }

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new UsageException($"invalid value '{value}' for {name}: expected an integer from {min} to {max}");
        return n;
    }

    private static double ParsePositive(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x) || x <= 0)
            throw new UsageException($"invalid value '{value}' for {name}: expected a positive number such as 0.001");
        return x;
    }

    private static ulong ParseSeed(string value)
    {
        if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
            throw new UsageException($"invalid value '{value}' for --seed: expected a non-negative integer");
        return s;
    }

    private static int[] ParseHidden(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1 || widths[i] > 65536)
                throw new UsageException($"invalid value '{value}' for --hidden: expected comma-separated layer widths from 1 to 65536, e.g. 128,64");
        return widths;
    }

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"option {name} needs a non-empty value") : value;
}
