using BenchmarkDotNet.Running;

namespace Autograd.Bench;

/// <summary>
/// Entry point. `summary [seconds]` prints the key figures (see Summary.cs); `compare [blocks]` runs the summary beside
/// the peers, TorchSharp and PyTorch and prints the ratios against issue 17's goals (Compare.cs); `soak [steps]` runs the
/// long training soak (Soak.cs); `distributed [steps]`, under mpirun or alone, the all-reduce and DDP step times
/// (DistributedBench.cs); `probe-scalar [blocks]` the scalar chain figures alone, for A/B runs (Probes/ProbeScalar.cs);
/// `probe …`, `probe-load` and `pack` are kernel experiments; anything else goes to BenchmarkDotNet (e.g. `--filter *GemmSquare*`).
/// </summary>
public static class Program
{
    /// <summary>Runs the summary, an experiment, or the benchmarks selected on the command line.</summary>
    public static int Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : "")
        {
            case "summary": Summary.Run(args[1..]); break;
            case "soak": return Soak.Run(args[1..]);
            case "distributed": return DistributedBench.Run(args[1..]);
            case "probe": Probe.Run(args[1..]); break;
            case "pack": ProbePack.Run(); break;
            case "probe-core": ProbeCore.Run(); break;
            case "probe-tanh": ProbeTanh.Run(args[1..]); break;
            case "probe-load": ProbeLoad.Run(args[1..]); break;
            case "probe-scalar": ProbeScalar.Run(args[1..]); break;
            case "probe-kernel": ProbeKernel.Run(args[1..]); break;
            case "probe-isa": ProbeIsa.Run(args[1..]); break;
            case "probe-step": ProbeStep.Run(args[1..]); break;
            case "probe-ab": ProbeAb.Run(args[1..]); break;
            case "compare": return Compare.Run(args[1..]);
            default: BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args); break;
        }
        return 0;
    }
}
