using System.Diagnostics;
using Autograd.Kernels;

namespace Autograd.Bench;

// Where the MLP step's time goes outside the GEMM kernel: `probe-core`.
internal static class ProbeCore
{
    public static void Run()
    {
        var g = new Generator(5);
        var x = Tensor.Rand([128, 784], g);
        var w1 = Tensor.Rand([256, 784], g);
        var (a, b, c) = Workloads.Gemm(128, 784, 256, transposeB: true);
        Time("kernel X·W1ᵀ (view, into preallocated C)", () => Workloads.GemmInto(a, b, c));
        Time("Tensor.MatMul X·W1ᵀ (no grad)", () => { using (Autodiff.NoGrad()) x.MatMul(w1.T); });
        Time("W1ᵀ.Contiguous() [784, 256] copy", () => { using (Autodiff.NoGrad()) w1.T.Contiguous(); });
        Time("Tensor.Zeros([784, 256]) (LOH allocation)", () => Tensor.Zeros([784, 256]));
        Time("Tensor.Zeros([128, 64]) (small allocation)", () => Tensor.Zeros([128, 64]));
        var mlp = new MlpStep();
        Time("MLP step", () => mlp.Step());
        long f0 = MinorFaults();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 50; i++) mlp.Step();
        Console.WriteLine($"MLP step: {sw.Elapsed.TotalMilliseconds / 50:F2} ms, {(MinorFaults() - f0) / 50.0:F0} minor page faults per step");
        int g2 = GC.CollectionCount(2);
        for (int i = 0; i < 50; i++) mlp.Step();
        Console.WriteLine($"gen2 collections per step {(GC.CollectionCount(2) - g2) / 50.0:F2}");
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        mlp.Step();
        Console.WriteLine($"allocated by one step: {GC.GetAllocatedBytesForCurrentThread() - a0} bytes");
        Console.WriteLine($"gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}");
    }

    // Field 10 of /proc/self/stat: minor faults (page first touched) of the process.
    private static long MinorFaults() =>
        File.Exists("/proc/self/stat") ? long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7]) : 0;

    private static void Time(string name, Action f)
    {
        for (int i = 0; i < 20; i++) f();
        var ts = new List<double>();
        for (int r = 0; r < 15; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 10; i++) f();
            ts.Add(sw.Elapsed.TotalSeconds / 10);
        }
        ts.Sort();
        Console.WriteLine($"{name,-45} median {ts[7] * 1e6,9:F1} us  best {ts[0] * 1e6,9:F1} us");
    }
}
