using System.Diagnostics;

namespace Autograd.Bench;

// Where the 784-256-10 MLP step's time goes: `probe-step [steps]` prints the mean of each phase.
internal static class ProbeStep
{
    public static void Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0]) : 2000;
        var mlp = new MlpStep();
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 3) mlp.Step();
        GC.Collect();
        var phases = new long[5];
        mlp.Phases = phases;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) mlp.Step();
        double total = sw.Elapsed.TotalSeconds / steps * 1e6;
        string[] names = ["first layer (linear+relu)", "second layer (linear)", "loss (log_softmax, gather, mean)", "backward", "update (SGD, zero grad)"];
        for (int i = 0; i < phases.Length; i++)
            Console.WriteLine($"{names[i],-36} {phases[i] / (double)Stopwatch.Frequency / steps * 1e6,8:F1} us");
        Console.WriteLine($"{"step",-36} {total,8:F1} us");
    }
}
