using System.Diagnostics;
using Autograd.Kernels;

namespace Autograd.Bench;

// Two settings compared in one process, in short alternating blocks: `probe-ab mode blocks spec…`, mode degree
// (MaxDegree 1 against 2), legacy (WorkerPool.YieldWhenBusy on against off), shared (Gemm.SharedPacking on against
// off), columns (column strips on against off), none (the wide step's gradients zeroed in place against dropped, as
// PyTorch's default zero_grad()), nopool (the wide step in its buffer pool's scope against without), kc=N, mc=N, nc=N
// (the blocking maxima against N), strips=N (strips per thread, 4 against N) or inplace=N (B read in place up to the
// kernel's limit, 2²⁰ bytes for AVX-512 and 0 for the others, against N; 0 packs every B); each spec as for `probe` (m[xkxn][:ta][:tb][:f64]), or mlp (MlpStep) or wide
// (WideMlpStep). Prints the median of the per-block time ratios B/A, so that a change of a few percent shows through
// this VM's 2× swings.
internal static class ProbeAb
{
    public static void Run(string[] args)
    {
        var (setA, setB) = Settings(args[0]);
        // A bad value fails here, not after the warm-up.
        setB();
        setA();
        args = args[1..];
        int blocks = int.Parse(args[0]);
        if (Environment.GetEnvironmentVariable("GEMM_DEG") is { } d) Parallelism.MaxDegree = int.Parse(d);
        var specs = args[1..];
        foreach (string spec in specs)
        {
            Action work;
            double flops = 0;
            if (spec == "mlp")
            {
                var mlp = new MlpStep();
                work = () => mlp.Step();
            }
            else if (spec == "wide")
            {
                var wide = new WideMlpStep();
                work = () => wide.Step();
            }
            else
            {
                var parts = spec.Split(':');
                var dims = parts[0].Split('x').Select(int.Parse).ToArray();
                int m = dims[0], k = dims.Length > 1 ? dims[1] : m, n = dims.Length > 2 ? dims[2] : m;
                var (a, b, c) = Workloads.Gemm(m, k, n, parts.Contains("ta"), parts.Contains("tb"), parts.Contains("f64") ? DType.Float64 : DType.Float32);
                flops = 2.0 * m * n * k;
                work = () => Gemm.MultiplyInto(a, b, c);
            }
            // Past tiered compilation (30 calls, then a background recompile) before anything is timed.
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < 3) work();
            GC.Collect();
            double once = Time(work, 3);
            int reps = (int)Math.Clamp(0.02 / once, 1, 100000);
            var ta = new List<double>();
            var tb = new List<double>();
            for (int blk = 0; blk < blocks; blk++)
            {
                setA();
                ta.Add(Time(work, reps));
                setB();
                tb.Add(Time(work, reps));
            }
            var ratio = tb.Zip(ta, (x, y) => x / y).OrderBy(x => x).ToList();
            double ma = Median(ta), mb = Median(tb);
            string rate = flops > 0 ? $"  A {flops / ma / 1e9:F1} B {flops / mb / 1e9:F1} GFLOP/s" : "";
            Console.WriteLine($"{spec,-22} deg {Parallelism.MaxDegree}: A {ma * 1e6:F1} us, B {mb * 1e6:F1} us, B/A {ratio[ratio.Count / 2]:F3} ({ratio[ratio.Count / 4]:F3}–{ratio[3 * ratio.Count / 4]:F3} quartiles){rate}");
            setA();
        }
    }

    // The two settings a mode compares: A first, then B.
    private static (Action A, Action B) Settings(string mode)
    {
        if (mode.Split('=') is [var knob, var value])
        {
            int n = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            return knob switch
            {
                "kc" => (() => GemmBlocking.KcLimit = GemmBlocking.KcMax, () => GemmBlocking.KcLimit = n),
                "mc" => (() => GemmBlocking.McLimit = GemmBlocking.McMax, () => GemmBlocking.McLimit = n),
                "nc" => (() => GemmBlocking.NcLimit = GemmBlocking.NcMax, () => GemmBlocking.NcLimit = n),
                "strips" => (() => Gemm.StripsPerThread = 4, () => Gemm.StripsPerThread = n),
                "inplace" => (() => Gemm.InPlaceBBytes = null, () => Gemm.InPlaceBBytes = n),
                _ => throw new ArgumentException($"probe-ab: unknown setting '{knob}' (kc, mc, nc or strips)"),
            };
        }
        return mode switch
        {
            "degree" => (() => Parallelism.MaxDegree = 1, () => Parallelism.MaxDegree = 2),
            "legacy" => (() => WorkerPool.YieldWhenBusy = true, () => WorkerPool.YieldWhenBusy = false),
            "shared" => (() => Gemm.SharedPacking = true, () => Gemm.SharedPacking = false),
            "columns" => (() => Gemm.UseColumnStrips = true, () => Gemm.UseColumnStrips = false),
            "none" => (() => WideMlpStep.SetToNone = false, () => WideMlpStep.SetToNone = true),
            "nopool" => (() => WideMlpStep.NoPool = false, () => WideMlpStep.NoPool = true),
            _ => throw new ArgumentException($"probe-ab: unknown mode '{mode}' (degree, legacy, shared, columns, none, nopool, kc=N, mc=N, nc=N, strips=N or inplace=N)"),
        };
    }

    private static double Time(Action f, int reps)
    {
        f();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) f();
        return sw.Elapsed.TotalSeconds / reps;
    }

    private static double Median(List<double> x) => x.OrderBy(v => v).ElementAt(x.Count / 2);
}
