namespace TrainMlp;

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
    public string? Save { get; init; }
    public string? Resume { get; init; }
    public int? StopAfter { get; init; }

    public static readonly string[] Datasets = ["digits", "sines", "fashion-mnist"];

    public const string Description = """
        TrainMlp: trains a multilayer perceptron with Autograd and plots the result.
        Run it with: dotnet run -c Release --project examples/TrainMlp -- [options]
        The same seed prints the same numbers on every run.
        """;

    /// <summary>The options, for <see cref="Cli.Run(string, string[], string, System.CommandLine.Option[], Func{ParseResult, int})"/>.</summary>
    public static Option[] All() =>
    [
        Cli.Choice("--dataset", "digits: the UCI 8x8 handwritten digits, embedded in the program; sines: fit f(x) = 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x) on [-10, 10]; fashion-mnist: needs `sudo apt-get install dataset-fashion-mnist`",
            "digits", Datasets, NormalizeDataset),
        Cli.Int("--epochs", "passes over the training set (digits 30, sines 300, fashion-mnist 10)", null, 1, 100_000),
        Cli.Int("--batch-size", "samples per optimizer step (digits 32, sines 64, fashion-mnist 128)", null, 1, 1_000_000),
        Cli.Double("--lr", "X", "initial Adam learning rate, cosine-annealed to 0 (digits 0.005, sines 0.01, fashion-mnist 0.001)", null, 0, double.MaxValue),
        Cli.Widths("--hidden", "hidden layer widths (digits 64, sines 64,64, fashion-mnist 256,128)", null),
        Cli.Seed("seeds the data split and sampling, the initial weights and the batch order", 42),
        Cli.Int("--threads", "most threads a kernel may use (Autograd.Parallelism.MaxDegree; default: all cores); the results do not depend on it", null, 1, 1024),
        Cli.Path("--output", "folder for the plots (default ./output/TrainMlp/DATASET)"),
        Cli.Path("--data-dir", "folder holding the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist/)"),
        Cli.Path("--save", "write a training checkpoint (model, optimizer, schedule, generators, epoch) to this file after every epoch"),
        Cli.Path("--resume", "continue the run saved in this checkpoint (give the same options as the saved run)"),
        Cli.Int("--stop-after", "stop after this epoch (the schedule still spans --epochs); continue later with --resume", null, 1, 100_000),
    ];

    /// <summary>The options given on the command line.</summary>
    public static Options From(ParseResult r) => new()
    {
        Dataset = r.GetValue<string?>("--dataset")!,
        Epochs = r.GetValue<int?>("--epochs"),
        BatchSize = r.GetValue<int?>("--batch-size"),
        LearningRate = r.GetValue<double?>("--lr"),
        Hidden = r.GetValue<int[]?>("--hidden"),
        Seed = r.GetValue<ulong?>("--seed")!.Value,
        Threads = r.GetValue<int?>("--threads"),
        Output = r.GetValue<string?>("--output"),
        DataDir = r.GetValue<string?>("--data-dir"),
        Save = r.GetValue<string?>("--save"),
        Resume = r.GetValue<string?>("--resume"),
        StopAfter = r.GetValue<int?>("--stop-after"),
    };

    private static string NormalizeDataset(string value)
    {
        string v = value.Trim().ToLowerInvariant();
        return v is "fashion" or "fashionmnist" or "fashion_mnist" ? "fashion-mnist" : v;
    }
}
