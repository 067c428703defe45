using System.Diagnostics;
using System.Globalization;

namespace Autograd.Bench;

/// <summary>
/// `compare [blocks] [seconds] [images]`: the summary (with seconds per figure, default 1), the shared peers
/// (`../shared/peers/run.sh`: FMA peak, OpenBLAS, NumPy), the shared TorchSharp peer (`torchsharp/run.sh` there), our
/// own peers in Autograd.Bench/Peers (TorchSharp on the wide MLP step; PyTorch 1.13 on the Fashion-MNIST epoch) and
/// one epoch of `examples/FashionMnist --model modern` (in a fresh process, as the Python peer is) in alternating blocks (default
/// 5), then each of issue 17's ratios as the median over the blocks, with its range, beside its goal. Each ratio is
/// taken within one block, from figures measured minutes apart at most, since this kind of machine moves every absolute
/// figure by up to 2× between runs. The epochs train on the first <c>images</c> training images (default all 60000;
/// 0 leaves both epochs out), from the folder AUTOGRAD_FMNIST_DIR (default Debian's). The shared peers' directory is found above the working directory, or given by
/// AUTOGRAD_PEERS. A program that cannot run (TorchSharp not restored, no data set, no /usr/bin/python3 with torch)
/// prints <c># unavailable: REASON</c>, and the rows that need it show n/a with the reason.
/// </summary>
internal static class Compare
{
    private sealed record Goal(string Name, string Target, Func<Dictionary<string, double>, double?> Ratio, Func<double, bool>? Met, params string[] Programs);

    private static double? Get(Dictionary<string, double> f, string name) => f.TryGetValue(name, out var v) ? v : null;

    private static double? Div(double? a, double? b) => a is double x && b is double y && y != 0 ? x / y : null;

    private static readonly Goal[] Goals =
    [
        new("SGEMM 1024, 1 thread / FMA peak of 1 core", "≥ 0.90", f => Div(Get(f, "gemm_1024_1thread_gflops"), Get(f, "fma_peak_1thread")), r => r >= 0.90),
        new("SGEMM 256, 2 threads / FMA peak of 2 cores", "≥ 0.85", f => Div(Get(f, "gemm_256_gflops"), Get(f, "fma_peak_2thread")), r => r >= 0.85),
        new("SGEMM 512, 2 threads / FMA peak of 2 cores", "≥ 0.85", f => Div(Get(f, "gemm_512_gflops"), Get(f, "fma_peak_2thread")), r => r >= 0.85),
        new("SGEMM 1024, 2 threads / OpenBLAS (NumPy)", "≥ 1.5", f => Div(Get(f, "gemm_1024_gflops"), Get(f, "openblas_sgemm_1024")), r => r >= 1.5),
        new("DGEMM 1024, 2 threads / float64 FMA peak (half the float32 one)", "≥ 0.85", f => Div(Get(f, "gemm_1024_f64_gflops"), Div(Get(f, "fma_peak_2thread"), 2.0)), r => r >= 0.85),
        new("SGEMM 1024, 2 threads / TorchSharp", "— (for reference)", f => Div(Get(f, "gemm_1024_gflops"), Get(f, "torchsharp_sgemm_1024")), null, "torchsharp"),
        new("MLP 784-256-10 b128 SGD step: TorchSharp time / Autograd time", "≥ 3", f => Div(Get(f, "torchsharp_mlp_step_us"), Get(f, "mlp_step_us")), r => r >= 3, "torchsharp"),
        new("MLP 784-1024-1024-10 b256 AdamW step: TorchSharp time / Autograd time", "≥ 2", f => Div(Get(f, "torchsharp_mlp_wide_step_us"), Get(f, "mlp_wide_step_us")), r => r >= 2, "torchsharp-wide"),
        new("Fashion-MNIST epoch: PyTorch 1.13 time / Autograd time", "> 1", f => Div(Get(f, "pytorch_fmnist_epoch_s"), Get(f, "fmnist_epoch_s")), r => r > 1, "fmnist", "pytorch-fmnist"),
        new("tanh 2^20 float32: TorchSharp time / Autograd time", "> 1 (no number in the issue)", f => Div(Get(f, "torchsharp_tanh_1m"), Get(f, "tanh_1m_us")), r => r > 1, "torchsharp"),
        new("tanh 2^20 float32: NumPy time / Autograd time", "> 1 (no number in the issue)", f => Div(Get(f, "numpy_tanh_1m"), Get(f, "tanh_1m_us")), r => r > 1),
        new("scalar op fwd+bwd (Value), ns", "≤ 50", f => Get(f, "scalar_op_ns"), r => r <= 50),
        new("0-d tensor op / Value op", "≤ 2", f => Div(Get(f, "tensor0d_op_ns"), Get(f, "scalar_op_ns")), r => r <= 2),
    ];

    public static int Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        string seconds = args.Length > 1 ? args[1] : "1";
        int images = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60_000;
        string? peers = Environment.GetEnvironmentVariable("AUTOGRAD_PEERS") ?? FindPeers();
        if (peers is null)
        {
            Console.Error.WriteLine("compare: no shared/peers/run.sh above the working directory; set AUTOGRAD_PEERS to its directory.");
            return 1;
        }
        string? ours = FindOwnPeers();
        string threads = Parallelism.MaxDegree.ToString(CultureInfo.InvariantCulture);
        var total = Stopwatch.StartNew();
        var perBlock = new List<Dictionary<string, double>>();
        var unavailable = new Dictionary<string, string>();
        string header = "";
        for (int b = 0; b < blocks; b++)
        {
            var figures = new Dictionary<string, double>();
            // The order turns each block, so that no program always runs right after the same one.
            var steps = new List<(string Name, Func<string> Run)>
            {
                ("summary", () => RunSummary(seconds)),
                ("peers", () => Run("bash", Quote(Path.Combine(peers, "run.sh")), peers)),
                ("torchsharp", () => Run("bash", Quote(Path.Combine(peers, "torchsharp", "run.sh")), peers)),
                ("torchsharp-wide", () => ours is null
                    ? NotFound
                    : Run("bash", $"{Quote(Path.Combine(ours, "TorchSharp", "run.sh"))} {threads} {seconds}", peers)),
            };
            if (images > 0)
            {
                string limit = images.ToString(CultureInfo.InvariantCulture);
                string data = Environment.GetEnvironmentVariable("AUTOGRAD_FMNIST_DIR") ?? Nn.Data.FashionMnist.DefaultDirectory;
                steps.Add(("fmnist", () => RunExample(limit, threads, data)));
                steps.Add(("pytorch-fmnist", () => ours is null
                    ? NotFound
                    : File.Exists(Python)
                        ? Run(Python, $"{Quote(Path.Combine(ours, "fashion_mnist_epoch.py"))} --epochs 1 --limit {limit} --threads {threads} --data-dir {Quote(data)}", peers)
                        : $"# unavailable: {Python} not found (Debian's python3 with python3-torch 1.13)"));
            }
            for (int s = 0; s < steps.Count; s++)
            {
                var (name, run) = steps[(s + b) % steps.Count];
                var sw = Stopwatch.StartNew();
                string output = run();
                foreach (var line in output.Split('\n'))
                {
                    if (line.StartsWith("# machine:", StringComparison.Ordinal) && header.Length == 0) header = line;
                    if (line.StartsWith(Unavailable, StringComparison.Ordinal)) unavailable.TryAdd(name, line[Unavailable.Length..].Trim());
                    if (line.StartsWith('#')) continue;
                    var parts = line.Trim().Split(' ');
                    if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) figures[parts[0]] = v;
                }
                Console.WriteLine($"# block {b + 1}/{blocks}: {name} {sw.Elapsed.TotalSeconds:F0} s, load average {Load()}");
            }
            perBlock.Add(figures);
        }
        Console.WriteLine(header);
        Console.WriteLine($"# {blocks} blocks in {total.Elapsed.TotalMinutes:F1} min, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {Load()}");
        Console.WriteLine();
        Console.WriteLine("| ratio | median | range | goal | met |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var goal in Goals)
        {
            var values = perBlock.Select(goal.Ratio).OfType<double>().Order().ToList();
            if (values.Count == 0)
            {
                var reasons = goal.Programs.Where(unavailable.ContainsKey).Select(p => $"{p}: {unavailable[p].Replace('|', '/')}").ToList();
                Console.WriteLine(reasons.Count > 0
                    ? $"| {goal.Name} | n/a | — | {goal.Target} | n/a ({string.Join("; ", reasons)}) |"
                    : $"| {goal.Name} | — | — | {goal.Target} | not measured |");
                continue;
            }
            double median = values[values.Count / 2];
            string met = goal.Met is null ? "—" : goal.Met(median) ? "yes" : "no";
            Console.WriteLine($"| {goal.Name} | {Format(median)} | {Format(values[0])}–{Format(values[^1])} | {goal.Target} | {met} |");
        }
        Console.WriteLine();
        Console.WriteLine("| figure | median | range |");
        Console.WriteLine("|---|---|---|");
        foreach (var name in perBlock.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            var values = perBlock.Select(f => Get(f, name)).OfType<double>().Order().ToList();
            Console.WriteLine($"| {name} | {Format(values[values.Count / 2])} | {Format(values[0])}–{Format(values[^1])} |");
        }
        return 0;
    }

    private static string Format(double v) => v >= 100 ? v.ToString("F0", CultureInfo.InvariantCulture) : v.ToString("G3", CultureInfo.InvariantCulture);

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private const string Unavailable = "# unavailable:";

    private const string Python = "/usr/bin/python3";

    private const string NotFound = Unavailable + " Autograd.Bench/Peers not found above the working directory or the bench's folder";

    private static string Quote(string path) => $"\"{path}\"";

    // Autograd.Bench/Peers, above the working directory or the bench's own folder (bin/Release/net10.0).
    private static string? FindOwnPeers()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (string candidate in new[] { Path.Combine(dir.FullName, "Peers"), Path.Combine(dir.FullName, "Autograd.Bench", "Peers") })
                {
                    if (File.Exists(Path.Combine(candidate, "fashion_mnist_epoch.py"))) return candidate;
                }
            }
        }
        return null;
    }

    private static string? FindPeers()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "peers");
            if (File.Exists(Path.Combine(candidate, "run.sh"))) return candidate;
        }
        return null;
    }

    // The summary in this process, its lines captured (after the first block its code is already compiled).
    private static string RunSummary(string seconds)
    {
        var saved = Console.Out;
        using var capture = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(capture);
        try
        {
            Bench.Summary.Run([seconds]);
        }
        finally
        {
            Console.SetOut(saved);
        }
        return capture.ToString();
    }

    // One epoch of examples/FashionMnist --model modern itself, in a fresh process, as `fmnist_epoch_s` (its own
    // training-only time per epoch), so that the peer is held against the example and not a copy of it.
    private static string RunExample(string limit, string threads, string data)
    {
        string? project = null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null && project is null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "examples", "FashionMnist", "FashionMnist.csproj")))
                    project = Path.Combine(dir.FullName, "examples", "FashionMnist");
        if (project is null) return Unavailable + " examples/FashionMnist not found above the working directory or the bench's folder";
        string output = Run("dotnet", $"run -c Release --project {Quote(project)} -- --model modern --epochs 1 --limit {limit} --threads {threads} --data-dir {Quote(data)}", null);
        var time = System.Text.RegularExpressions.Regex.Match(output, @"mean time per epoch (\d+(\.\d+)?) s");
        if (output.Contains(Unavailable, StringComparison.Ordinal)) return output;
        return time.Success ? $"fmnist_epoch_s {time.Groups[1].Value} s\n" : Unavailable + " examples/FashionMnist printed no epoch time\n";
    }

    // A program's standard output; a failure is reported and turned into an `# unavailable:` line.
    private static string Run(string file, string arguments, string? peers)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (peers is not null) info.Environment["AUTOGRAD_PEERS"] = peers;
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode == 0) return output;
        string stderr = error.Result.Trim();
        Console.Error.WriteLine($"# {file} {arguments} failed ({process.ExitCode}): {stderr}");
        string last = stderr.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        return output + $"\n{Unavailable} {Path.GetFileName(file)} failed with exit code {process.ExitCode}{(last.Length > 0 ? ": " + last : "")}\n";
    }
}
