using System.Diagnostics;
using System.Text.RegularExpressions;
using Autograd.Tests.Examples;

namespace Autograd.Tests.Distributed;

/// <summary>
/// Launches the scenario host (Autograd.Tests.Mpi, built because Autograd.Tests references it) as a real MPI job,
/// <c>mpirun --allow-run-as-root --oversubscribe -np N dotnet Autograd.Tests.Mpi.dll SCENARIO ARGS</c>, with a timeout
/// after which the whole process tree is killed. Without mpirun the calling test is skipped, or fails when CI=true.
/// </summary>
public static class MpiRunner
{
    public const string HowToEnable = "install Open MPI to run them: sudo apt-get install openmpi-bin libopenmpi-dev (.ci/run does this)";

    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed, long EndedAtUnixMs)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- output\n{Output}";

        /// <summary>The Unix time in ms that a rank printed beside "failing (…) at" or "throwing at".</summary>
        public long FaultAtUnixMs()
        {
            var m = Regex.Match(Output, @"(?:failing \(\w+\)|throwing) at (\d+)");
            Assert.That(m.Success, Is.True, "no rank printed when it failed\n" + this);
            return long.Parse(m.Groups[1].Value);
        }
    }

    /// <summary>The mpirun on PATH, or null.</summary>
    public static string? FindMpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "mpirun");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Skips the test when mpirun is missing; fails it instead under CI (CI=true), where a skip would hide the tests.</summary>
    public static string RequireMpirun()
    {
        var mpirun = FindMpirun();
        if (mpirun is not null) return mpirun;
        string message = $"mpirun is not on PATH: the MPI tests launch real multi-process jobs; {HowToEnable}.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message + " CI=true, so this fails instead of skipping.");
        Assert.Ignore(message);
        return null!;
    }

    public static string HostDll()
    {
        var configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;
        var dll = Path.Combine(ExampleRunner.RepositoryRoot(), "Autograd.Tests.Mpi", "bin", configuration, "net10.0", "Autograd.Tests.Mpi.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"The MPI scenario host is not built at {dll}: Autograd.Tests.csproj references Autograd.Tests.Mpi so that building the tests builds it.");
        return dll;
    }

    /// <summary>Runs <paramref name="scenario"/> on <paramref name="np"/> ranks; kills the job after <paramref name="timeout"/> and fails with its output.</summary>
    public static Result Run(int np, string scenario, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(RequireMpirun())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Directory.CreateTempSubdirectory("autograd-mpi-").FullName,
        };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", np.ToString(), "dotnet", HostDll(), scenario }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return Start(psi, timeout, $"mpirun -np {np} {scenario} {string.Join(' ', args)}");
    }

    /// <summary>Runs the built example <paramref name="name"/> (see <see cref="ExampleRunner.DllPath"/>) on <paramref name="np"/> ranks.</summary>
    public static Result RunExample(int np, string name, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(RequireMpirun())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Directory.CreateTempSubdirectory("autograd-mpi-").FullName,
        };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", np.ToString(), "dotnet", ExampleRunner.DllPath(name) }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return Start(psi, timeout, $"mpirun -np {np} {name} {string.Join(' ', args)}");
    }

    /// <summary>Runs the host as a plain process (no mpirun) with extra environment variables.</summary>
    public static Result RunWithoutMpirun(string scenario, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Directory.CreateTempSubdirectory("autograd-mpi-").FullName,
        };
        psi.ArgumentList.Add(HostDll());
        psi.ArgumentList.Add(scenario);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        return Start(psi, timeout, scenario);
    }

    private static Result Start(ProcessStartInfo psi, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            string text;
            lock (output) text = output.ToString();
            Assert.Fail($"{what} did not finish within {timeout.TotalSeconds} s; killed it\n--- output\n{text}");
        }
        long ended = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        process.WaitForExit();
        lock (output) return new Result(process.ExitCode, Regex.Replace(output.ToString(), @"\x1b(\[\?1h|=|\[\?1l|>)", ""), sw.Elapsed, ended);
    }
}
