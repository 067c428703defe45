using System.Diagnostics;

namespace Autograd.Tests.Examples;

/// <summary>
/// Runs a built example (examples/NAME/bin/CONFIG/net10.0/NAME.dll, built because Autograd.Tests references it) as a
/// child process, so smoke tests see exactly what a user sees: the output and the exit code.
/// </summary>
public static class ExampleRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Autograd.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Autograd.sln not found above the test directory.");
    }

    /// <summary>The example's dll, built in the same configuration as the tests (Debug or Release).</summary>
    public static string DllPath(string name)
    {
        var configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "examples", name, "bin", configuration, "net10.0", name + ".dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"Example '{name}' is not built at {dll}: Autograd.Tests references every example so that building the tests builds it; is the example missing from Autograd.Tests.csproj?");
        return dll;
    }

    /// <summary>Runs <c>dotnet NAME.dll args</c> in <paramref name="workingDirectory"/> (a fresh temp folder by default), killing it after <paramref name="timeout"/>.</summary>
    public static Result Run(string name, string[] args, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("autograd-example-").FullName,
        };
        psi.ArgumentList.Add(DllPath(name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"example {name} did not finish within {(timeout ?? TimeSpan.FromMinutes(3)).TotalSeconds} s");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }
}
