using System.Diagnostics;
using Autograd.Kernels;

namespace Autograd.Bench;

// Kernel experiments: `probe 1024 128x784x256 128x784x256:tb ...` (":ta"/":tb" read A/B through a transposed view).
internal static class Probe
{
    public static void Run(string[] args)
    {
        if (Environment.GetEnvironmentVariable("GEMM_ISA") is { } isa) Gemm.ForceIsa = Enum.Parse<GemmIsa>(isa);
        if (Environment.GetEnvironmentVariable("GEMM_THRESHOLD") is { } th) GemmBlocking.ParallelThreshold = long.Parse(th);
        string[] specs = args.Length > 0 ? args : ["64", "128", "256", "512", "1024", "2048"];
        int[] degrees = Environment.GetEnvironmentVariable("GEMM_DEG") is { } d ? [int.Parse(d)] : [1, 2];
        foreach (int deg in degrees)
        {
            Parallelism.MaxDegree = deg;
            foreach (string spec in specs)
            {
                var parts = spec.Split(':');
                var dims = parts[0].Split('x').Select(int.Parse).ToArray();
                int m = dims[0], k = dims.Length > 1 ? dims[1] : m, n = dims.Length > 2 ? dims[2] : m;
                bool ta = parts.Contains("ta"), tb = parts.Contains("tb");
                var dt = parts.Contains("f64") ? DType.Float64 : DType.Float32;
                var a = ta ? Tensor.Randn([1, k, m], new Generator(1), dt).Permute(0, 2, 1) : Tensor.Randn([1, m, k], new Generator(1), dt);
                var b = tb ? Tensor.Randn([1, n, k], new Generator(2), dt).Permute(0, 2, 1) : Tensor.Randn([1, k, n], new Generator(2), dt);
                var c = Tensor.Zeros([1, m, n], dt);
                double flops = 2.0 * m * n * k;
                int reps = (int)Math.Max(3, 1e9 / flops);
                for (int i = 0; i < reps; i++) Gemm.MultiplyInto(a, b, c);
                var ts = new List<double>();
                var cpu = new List<double>();
                var proc = Process.GetCurrentProcess();
                for (int r = 0; r < 9; r++)
                {
                    proc.Refresh();
                    var c0 = proc.TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < reps; i++) Gemm.MultiplyInto(a, b, c);
                    ts.Add(sw.Elapsed.TotalSeconds / reps);
                    proc.Refresh();
                    cpu.Add((proc.TotalProcessorTime - c0).TotalSeconds / reps);
                }
                ts.Sort();
                cpu.Sort();
                Console.WriteLine($"deg {deg} {spec,-22}: {flops / ts[4] / 1e9,6:F1} GFLOP/s (best {flops / ts[0] / 1e9,6:F1}) {ts[4] * 1e6,9:F1} us; per CPU-second {flops / cpu[4] / 1e9,6:F1}");
            }
        }
    }
}
