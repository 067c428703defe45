using System.Diagnostics;
using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Metrics;
using Spectre.Console;

namespace TrainMlp;

/// <summary>
/// Trains an MLP with Autograd on an embedded dataset (default: the UCI 8×8 digits), shows the progress, prints the
/// result and writes PNG plots. Every printed number except the elapsed time depends only on the arguments.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Cli.Run("TrainMlp", args, Options.Description, Options.All(), r =>
    {
        try
        {
            return Run(Options.From(r));
        }
        catch (Exception e) when (e is not UsageException)
        {
            Console.Error.WriteLine($"TrainMlp: error: {e.GetType().Name}: {OneLine(e.Message)}");
            return 1;
        }
    });

    private static string OneLine(string message) => string.Join(" ", message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static int Run(Options options)
    {
        if (options.Threads is int threads) Parallelism.MaxDegree = threads;
        var clock = Stopwatch.StartNew();
        var problem = Problem.Load(options.Dataset, options.Seed, options.DataDir);
        string outputDir = Path.GetFullPath(options.Output ?? Path.Combine("output", "TrainMlp", options.Dataset));
        try
        {
            Directory.CreateDirectory(outputDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"cannot create the output folder '{outputDir}': {e.Message}");
        }
        int epochs = options.Epochs ?? problem.Epochs;
        int batchSize = options.BatchSize ?? problem.BatchSize;
        double lr = options.LearningRate ?? problem.LearningRate;
        int[] hidden = options.Hidden ?? problem.Hidden;
        var model = Mlp.Create(problem.InFeatures, hidden, problem.OutFeatures, problem.Activation, new Generator(options.Seed + 1));

        var console = new Output();
        string layers = string.Join("-", new[] { problem.InFeatures }.Concat(hidden).Append(problem.OutFeatures));
        console.Line($"dataset: {problem.Name} ({problem.Description})");
        console.Line($"model: MLP {layers} ({problem.ActivationName}), {model.ParameterCount} parameters");
        console.Line($"training: Adam, lr {F(lr, "G6")} cosine-annealed to 0, batch size {batchSize}, {epochs} epochs, seed {options.Seed}");

        bool classify = problem.Kind == TaskKind.Classification;
        int epochWidth = epochs.ToString(CultureInfo.InvariantCulture).Length;
        string EpochLine(EpochResult r) =>
            $"epoch {r.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(epochWidth)}/{epochs}  " + (classify
                ? $"train loss {Loss(r.TrainLoss, classify)} acc {Pct(r.TrainAccuracy!.Value)}  test loss {Loss(r.TestLoss, classify)} acc {Pct(r.TestAccuracy!.Value)}"
                : $"train MSE {Loss(r.TrainLoss, classify)}  test MSE {Loss(r.TestLoss, classify)}");

        // Regression runs for hundreds of short epochs: print every 10th (and the first and last) in plain mode.
        bool PrintEpoch(int e) => classify || epochs <= 30 || e == 1 || e == epochs || e % 10 == 0;

        TrainingResult result = console.Live
            ? TrainLive(problem, model, epochs, batchSize, lr, options, console, EpochLine, PrintEpoch)
            : new Trainer(problem, model, epochs, batchSize, lr, options.Seed)
            {
                SavePath = options.Save,
                ResumePath = options.Resume,
                StopAfter = options.StopAfter,
                OnEpoch = r => { if (PrintEpoch(r.Epoch)) console.Line(EpochLine(r)); },
            }.Run();

        if (result.History.Count == 0)
            throw new UsageException($"nothing to train: the run resumed from {options.Resume} had already finished its {epochs} epochs");
        var last = result.History[^1];
        var files = new List<string>();
        string lossPath = Path.Combine(outputDir, "loss.png");
        Plots.LossCurve(lossPath, problem, result.History);
        files.Add(lossPath);
        if (classify)
        {
            var confusion = ConfusionMatrix.From(Tensor.From(result.PredictedClasses), problem.Test.Targets, problem.OutFeatures);
            string cmPath = Path.Combine(outputDir, "confusion-matrix.png");
            Plots.ConfusionMatrix(cmPath, problem, confusion, last.TestAccuracy!.Value);
            files.Add(cmPath);
            // A class's accuracy is its recall: of its test samples, the fraction predicted as it.
            var recall = confusion.RecallPerClass();
            var perClass = Enumerable.Range(0, problem.OutFeatures).Select(c => $"{problem.ClassNames[c]} {Pct(recall[c])}").ToArray();
            console.Line("per-class test accuracy:");
            foreach (var row in perClass.Chunk(5)) console.Line("  " + string.Join("  ", row));
            console.Result($"test accuracy {Pct(last.TestAccuracy!.Value)}");
        }
        else
        {
            string fitPath = Path.Combine(outputDir, "fit.png");
            Plots.FittedFunction(fitPath, problem, result.TestPredictions, last.TestLoss);
            files.Add(fitPath);
            double maxError = 0;
            var grid = problem.Test.Targets.ToArray<float>();
            for (int i = 0; i < grid.Length; i++) maxError = Math.Max(maxError, Math.Abs(grid[i] - result.TestPredictions[i]));
            console.Line($"largest |error| on the test grid: {F(maxError, "F6")}");
            console.Result($"test MSE {Loss(last.TestLoss, classify)}");
        }
        console.Line($"output folder: {outputDir}");
        foreach (var f in files) console.Line($"  wrote {Path.GetFileName(f)}");
        console.Line($"elapsed: {clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        return 0;
    }

    /// <summary>
    /// Trains under a Spectre.Console progress bar whose row fits the terminal. Its label shows the epoch being trained
    /// with that epoch's running loss (and accuracy); each finished epoch's line, with its test numbers, is printed above.
    /// </summary>
    private static TrainingResult TrainLive(Problem problem, Sequential model, int epochs, int batchSize, double lr, Options options,
        Output console, Func<EpochResult, string> epochLine, Func<int, bool> printEpoch)
    {
        TrainingResult? result = null;
        bool classify = problem.Kind == TaskKind.Classification;
        int epochWidth = epochs.ToString(CultureInfo.InvariantCulture).Length;
        string[] LabelParts(int epoch, double? loss, double? accuracy) =>
        [
            $"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(epochWidth)}/{epochs}",
            .. loss is double l ? new[] { $"{(classify ? "loss" : "MSE")} {Loss(l, classify)}" } : [],
            .. accuracy is double a ? new[] { $"acc {Pct(a)}" } : [],
        ];

        // A row wider than the terminal wraps, and Spectre.Console then redraws over the wrapped part (its issues #415
        // and #694): size the columns to the terminal, leaving one column spare, and drop the label's last parts if need be.
        int width = AnsiConsole.Profile.Width;
        bool showElapsed = width >= 40;
        int others = 1 + 4 + (showElapsed ? 1 + 8 : 0) + 1;   // spaces, "100%", "00:00:00", the spare column
        int fullLabel = string.Join("  ", LabelParts(epochs, 1, classify ? 1 : null)).Length;
        int barWidth = Math.Clamp(width - others - 1 - fullLabel, 5, 30);
        int labelBudget = width - others - 1 - barWidth;
        string Label(int epoch, double? loss, double? accuracy) => Markup.Escape(Fit(LabelParts(epoch, loss, accuracy), labelBudget));

        var columns = new List<ProgressColumn>
        {
            new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = barWidth }, new PercentageColumn(),
        };
        if (showElapsed) columns.Add(new ElapsedTimeColumn());
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(columns.ToArray())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Label(1, null, null), maxValue: epochs);
                var trainer = new Trainer(problem, model, epochs, batchSize, lr, options.Seed)
                {
                    SavePath = options.Save,
                    ResumePath = options.Resume,
                    StopAfter = options.StopAfter,
                    OnBatch = (epoch, batch, batches, loss, accuracy) =>
                    {
                        task.Value = epoch - 1 + (batch + 1.0) / batches;
                        task.Description = Label(epoch, loss, accuracy);
                    },
                    OnEpoch = r =>
                    {
                        task.Value = r.Epoch;
                        task.Description = Label(r.Epoch, r.TrainLoss, r.TrainAccuracy);
                        if (printEpoch(r.Epoch)) console.Line(epochLine(r));
                    },
                };
                result = trainer.Run();
                task.StopTask();
            });
        return result!;
    }

    /// <summary>The parts joined by two spaces, as many as fit in <paramref name="budget"/> characters (always the first).</summary>
    private static string Fit(string[] parts, int budget)
    {
        string text = parts[0];
        for (int i = 1; i < parts.Length && text.Length + 2 + parts[i].Length <= budget; i++) text += "  " + parts[i];
        return text;
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Cross-entropy with 4 decimals; the mean squared error, which falls by orders of magnitude, with 4 significant digits.</summary>
    private static string Loss(double x, bool classify) => classify ? F(x, "F4") : F(x, "0.000E+00");

    private static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>Plain lines when the output is redirected (or not a terminal), Spectre.Console markup otherwise.</summary>
    private sealed class Output
    {
        public bool Live { get; } = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

        public void Line(string text)
        {
            if (!Live) Console.WriteLine(text);
            else
                foreach (var line in Wrap(text, AnsiConsole.Profile.Width - 1)) AnsiConsole.WriteLine(line);
        }

        public void Result(string text)
        {
            if (!Live) Console.WriteLine(text);
            else
                foreach (var line in Wrap(text, AnsiConsole.Profile.Width - 1)) AnsiConsole.MarkupLine($"[bold green]{Markup.Escape(line)}[/]");
        }

        /// <summary>
        /// Breaks <paramref name="text"/> into lines of at most <paramref name="width"/> characters, at the two-space gaps
        /// between fields where possible, continuation lines indented by two spaces. Spectre.Console's live display
        /// redraws over a line that the terminal wraps, so it is given only lines that fit.
        /// </summary>
        private static IEnumerable<string> Wrap(string text, int width)
        {
            const string Indent = "  ";
            width = Math.Max(width, 20);
            string line = text;
            while (line.Length > width)
            {
                int cut = -1;
                for (int i = width; i > width / 2 && cut < 0; i--)
                    if (line[i] == ' ' && line[i - 1] == ' ') cut = i - 1;
                for (int i = width; i > Indent.Length && cut < 0; i--)
                    if (line[i] == ' ') cut = i;
                if (cut < 0) cut = width;
                yield return line[..cut].TrimEnd();
                line = Indent + line[cut..].TrimStart();
            }
            yield return line;
        }
    }
}
