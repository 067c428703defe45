using System.Diagnostics;

namespace Autograd.Bench;

// Where a training step's time goes: `probe-step [steps] [wide] [none]` prints the mean of each phase of the 784-256-10 MLP
// step (MlpStep), or with `wide` of the 784-1024-1024-10 AdamW step (WideMlpStep); `none` drops the wide step's gradients
// each step (ZeroGrad(), PyTorch's default) instead of zeroing them in place.
internal static class ProbeStep
{
    public static void Run(string[] args)
    {
        bool wide = args.Contains("wide");
        WideMlpStep.SetToNone = args.Contains("none");
        var numbers = args.Where(a => a is not ("wide" or "none")).ToArray();
        int steps = numbers.Length > 0 ? int.Parse(numbers[0]) : wide ? 200 : 2000;
        var mlp = new MlpStep();
        var big = new WideMlpStep();
        Action step = wide ? () => big.Step() : () => mlp.Step();
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 3) step();
        GC.Collect();
        var phases = new long[wide ? 4 : 5];
        if (wide) big.Phases = phases;
        else mlp.Phases = phases;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        double total = sw.Elapsed.TotalSeconds / steps * 1e6;
        string[] names = wide
            ? ["forward (3 linear, 2 relu)", "loss (cross-entropy)", "backward", "update (AdamW, zero grad)"]
            : ["first layer (linear+relu)", "second layer (linear)", "loss (log_softmax, gather, mean)", "backward", "update (SGD, zero grad)"];
        for (int i = 0; i < phases.Length; i++)
            Console.WriteLine($"{names[i],-36} {phases[i] / (double)Stopwatch.Frequency / steps * 1e6,8:F1} us");
        Console.WriteLine($"{"step",-36} {total,8:F1} us");
    }
}
