using BenchmarkDotNet.Running;

namespace Autograd.Bench;

/// <summary>BenchmarkDotNet entry point; the suites come with the kernels issue.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
