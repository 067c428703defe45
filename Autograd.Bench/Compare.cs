using System.Diagnostics;
using System.Globalization;

namespace Autograd.Bench;

/// <summary>
/// `compare [blocks] [seconds]`: the summary (with <paramref name="seconds"/> per figure, default 1), the peers
/// (`../shared/peers/run.sh`: FMA peak, OpenBLAS, NumPy) and TorchSharp (`run.sh torchsharp`) in alternating blocks
/// (default 5), then each of issue 17's ratios as the median over the blocks, with its range, beside its goal. Each
/// ratio is taken within one block, from figures measured minutes apart at most, since this kind of machine moves every
/// absolute figure by up to 2× between runs. The peers' directory is found above the working directory, or given by
/// AUTOGRAD_PEERS.
/// </summary>
internal static class Compare
{
    private sealed record Goal(string Name, string Target, Func<Dictionary<string, double>, double?> Ratio, Func<double, bool>? Met);

    private static double? Get(Dictionary<string, double> f, string name) => f.TryGetValue(name, out var v) ? v : null;

    private static double? Div(double? a, double? b) => a is double x && b is double y && y != 0 ? x / y : null;

    private static readonly Goal[] Goals =
    [
        new("SGEMM 1024, 1 thread / FMA peak of 1 core", "≥ 0.90", f => Div(Get(f, "gemm_1024_1thread_gflops"), Get(f, "fma_peak_1thread")), r => r >= 0.90),
        new("SGEMM 256, 2 threads / FMA peak of 2 cores", "≥ 0.85", f => Div(Get(f, "gemm_256_gflops"), Get(f, "fma_peak_2thread")), r => r >= 0.85),
        new("SGEMM 512, 2 threads / FMA peak of 2 cores", "≥ 0.85", f => Div(Get(f, "gemm_512_gflops"), Get(f, "fma_peak_2thread")), r => r >= 0.85),
        new("SGEMM 1024, 2 threads / OpenBLAS (NumPy)", "≥ 1.5", f => Div(Get(f, "gemm_1024_gflops"), Get(f, "openblas_sgemm_1024")), r => r >= 1.5),
        new("DGEMM 1024, 2 threads / float64 FMA peak (half the float32 one)", "≥ 0.85", f => Div(Get(f, "gemm_1024_f64_gflops"), Div(Get(f, "fma_peak_2thread"), 2.0)), r => r >= 0.85),
        new("SGEMM 1024, 2 threads / TorchSharp", "— (for reference)", f => Div(Get(f, "gemm_1024_gflops"), Get(f, "torchsharp_sgemm_1024")), null),
        new("MLP 784-256-10 b128 SGD step: TorchSharp time / Autograd time", "≥ 3", f => Div(Get(f, "torchsharp_mlp_step_us"), Get(f, "mlp_step_us")), r => r >= 3),
        new("tanh 2^20 float32: TorchSharp time / Autograd time", "> 1 (no number in the issue)", f => Div(Get(f, "torchsharp_tanh_1m"), Get(f, "tanh_1m_us")), r => r > 1),
        new("tanh 2^20 float32: NumPy time / Autograd time", "> 1 (no number in the issue)", f => Div(Get(f, "numpy_tanh_1m"), Get(f, "tanh_1m_us")), r => r > 1),
        new("scalar op fwd+bwd (Value), ns", "≤ 50", f => Get(f, "scalar_op_ns"), r => r <= 50),
        new("0-d tensor op / Value op", "≤ 2", f => Div(Get(f, "tensor0d_op_ns"), Get(f, "scalar_op_ns")), r => r <= 2),
    ];

    public static int Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        string seconds = args.Length > 1 ? args[1] : "1";
        string? peers = Environment.GetEnvironmentVariable("AUTOGRAD_PEERS") ?? FindPeers();
        if (peers is null)
        {
            Console.Error.WriteLine("compare: no shared/peers/run.sh above the working directory; set AUTOGRAD_PEERS to its directory.");
            return 1;
        }
        var total = Stopwatch.StartNew();
        var perBlock = new List<Dictionary<string, double>>();
        string header = "";
        for (int b = 0; b < blocks; b++)
        {
            var figures = new Dictionary<string, double>();
            // The order turns each block, so that no program always runs right after the same one.
            var steps = new (string Name, Func<string> Run)[]
            {
                ("summary", () => RunSummary(seconds)),
                ("peers", () => Shell(Path.Combine(peers, "run.sh"), "")),
                ("torchsharp", () => Shell(Path.Combine(peers, "torchsharp", "run.sh"), "")),
            };
            for (int s = 0; s < steps.Length; s++)
            {
                var (name, run) = steps[(s + b) % steps.Length];
                var sw = Stopwatch.StartNew();
                string output = run();
                foreach (var line in output.Split('\n'))
                {
                    if (line.StartsWith("# machine:", StringComparison.Ordinal) && header.Length == 0) header = line;
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
                Console.WriteLine($"| {goal.Name} | — | — | {goal.Target} | not measured |");
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

    private static string Shell(string script, string arguments)
    {
        var info = new ProcessStartInfo("bash", $"\"{script}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) Console.Error.WriteLine($"# {script} failed ({process.ExitCode}): {error.Result.Trim()}");
        return output;
    }
}
