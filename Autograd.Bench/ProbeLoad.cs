using System.Diagnostics;

namespace Autograd.Bench;

/// <summary>
/// `probe-load [blocks] [seconds] [degrees] [unfused] [legacy] [yield]`: the summary's MLP step at MaxDegree 1 and 2 (or the
/// comma-separated degrees) in alternating blocks after a shared warm-up, printing each block's mean step time and the
/// medians with their ranges; with `unfused`, the step with MatMul and addition instead of the fused linear op
/// alternates too, and with `legacy`, the worker pool and product split of before (a spinning caller, one share per
/// thread), and with `yield`, the pool with idle workers calling Thread.Yield between spins. Run it beside a busy loop on the
/// other core (`taskset -c 1 nice -n 19 sh -c 'while :; do :; done' &amp;`) to see what a loaded machine costs each degree.
/// </summary>
internal static class ProbeLoad
{
    public static void Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0]) : 7;
        double seconds = args.Length > 1 ? double.Parse(args[1]) : 1.0;
        int[] degrees = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [1, 2];
        bool both = args.Contains("unfused");
        bool[] legacy = args.Contains("legacy") ? [false, true] : [false];
        bool withYield = args.Contains("yield");
        int saved = Parallelism.MaxDegree;
        var variants = (both ? new[] { ("fused", new MlpStep()), ("unfused", new MlpStep(fusedLinear: false)) } : [("", new MlpStep())])
            .SelectMany(v => degrees.SelectMany(d => legacy.Select(l =>
                (Name: $"{(l ? "legacy_" : "")}{v.Item1}{(v.Item1.Length > 0 ? "_" : "")}degree{d}", Degree: d, Legacy: l, Mlp: v.Item2, Yield: false))))
            .SelectMany(v => withYield && !v.Legacy && v.Degree > 1 ? [v, v with { Name = "yield_" + v.Name, Yield = true }] : new[] { v }).ToArray();
        void Use(bool old)
        {
            Autograd.Kernels.WorkerPool.YieldWhenBusy = !old;
            Autograd.Kernels.Gemm.SharedPacking = !old;
        }
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 3) foreach (var v in variants) { Parallelism.MaxDegree = v.Degree; Use(v.Legacy); Autograd.Kernels.WorkerPool.WorkerYields = v.Yield; v.Mlp.Step(); }
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (int b = 0; b < blocks; b++)
        {
            foreach (var v in variants)
            {
                Parallelism.MaxDegree = v.Degree;
                Use(v.Legacy);
                Autograd.Kernels.WorkerPool.WorkerYields = v.Yield;
                for (int i = 0; i < 5; i++) v.Mlp.Step();
                int steps = 0;
                sw.Restart();
                while (sw.Elapsed.TotalSeconds < seconds) { v.Mlp.Step(); steps++; }
                double us = sw.Elapsed.TotalSeconds / steps * 1e6;
                times[v.Name].Add(us);
                Console.WriteLine($"block {b} {v.Name}: {us:F0} us ({steps} steps)");
            }
        }
        Parallelism.MaxDegree = saved;
        Use(false);
        Autograd.Kernels.WorkerPool.WorkerYields = false;
        foreach (var v in variants)
        {
            var t = times[v.Name].Order().ToList();
            Console.WriteLine($"mlp_step_{v.Name}_us median {t[t.Count / 2]:F0} range {t[0]:F0}-{t[^1]:F0}");
        }
    }
}
