using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Autograd.Kernels;

namespace Autograd.Bench;

// Each GEMM kernel against an FMA loop of its own width, on one thread, in alternating blocks: `probe-isa [blocks]`.
// The summary's "SGEMM / FMA peak" takes the peak from another program run minutes apart, and this guest's speed for
// load-heavy code moves by up to 2× between minutes, and more than the FMA loop's; here each product is divided by the
// loop timed just before it, so the ratio is the kernel's and not the moment's. Runs every kernel the CPU supports.
internal static class ProbeIsa
{
    public static void Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 11;
        var isas = new List<GemmIsa>();
        if (Gemm.ForLevel((int)InstructionSet.Avx512) == GemmIsa.Avx512) isas.Add(GemmIsa.Avx512);
        if (Gemm.ForLevel((int)InstructionSet.Avx2) == GemmIsa.Avx2) isas.Add(GemmIsa.Avx2);
        if (Gemm.ForLevel((int)InstructionSet.Vector128) == GemmIsa.Vector128) isas.Add(GemmIsa.Vector128);
        var shapes = new (string Name, int N, DType DType)[] { ("SGEMM 256", 256, DType.Float32), ("SGEMM 1024", 1024, DType.Float32), ("DGEMM 1024", 1024, DType.Float64) };
        int degree = Parallelism.MaxDegree;
        Parallelism.MaxDegree = 1;
        try
        {
            Console.WriteLine($"{"kernel",-10} {"product",-12} {"GFLOP/s",8} {"FMA loop",9} {"/ loop (quartiles)",24}");
            foreach (var isa in isas)
            {
                Gemm.ForceIsa = isa;
                int width = isa switch { GemmIsa.Avx512 => 512, GemmIsa.Avx2 => 256, _ => 128 };
                foreach (var (name, n, dtype) in shapes)
                {
                    var (a, b, c) = Workloads.Gemm(n, n, n, dtype: dtype);
                    double flops = 2.0 * n * n * n;
                    // Past tiered compilation and the core's change of clock for wide vectors before anything is timed.
                    var warm = Stopwatch.StartNew();
                    while (warm.Elapsed.TotalSeconds < 1)
                    {
                        Peak(width);
                        Workloads.GemmInto(a, b, c);
                    }
                    var once = Stopwatch.StartNew();
                    Workloads.GemmInto(a, b, c);
                    int reps = (int)Math.Clamp(0.02 / once.Elapsed.TotalSeconds, 1, 1000);
                    var rates = new List<double>();
                    var peaks = new List<double>();
                    var ratios = new List<double>();
                    for (int blk = 0; blk < blocks; blk++)
                    {
                        // The loop's lanes are float32 or float64 as the product's, so both count the same multiply-adds per vector.
                        double peak = Peak(width) / (dtype == DType.Float64 ? 2 : 1);
                        var sw = Stopwatch.StartNew();
                        for (int r = 0; r < reps; r++) Workloads.GemmInto(a, b, c);
                        double rate = flops * reps / sw.Elapsed.TotalSeconds / 1e9;
                        rates.Add(rate);
                        peaks.Add(peak);
                        ratios.Add(rate / peak);
                    }
                    ratios.Sort();
                    Console.WriteLine($"{isa,-10} {name,-12} {Median(rates),8:F1} {Median(peaks),9:F1} {ratios[ratios.Count / 2],9:F3} ({ratios[ratios.Count / 4]:F3}–{ratios[3 * ratios.Count / 4]:F3})");
                }
            }
        }
        finally
        {
            Gemm.ForceIsa = null;
            Parallelism.MaxDegree = degree;
        }
    }

    private static double Median(List<double> x) => x.OrderBy(v => v).ElementAt(x.Count / 2);

    // GFLOP/s of 12 independent float32 FMA chains at the given vector width, about 4 ms at any width.
    internal static double Peak(int width)
    {
        // Each iteration is 12 FMAs at any width, so the same count takes the same time.
        const int N = 2_000_000;
        int lanes = width / 32;
        int n = N;
        var sw = Stopwatch.StartNew();
        float sum = width switch { 512 => Chains512(n), 256 => Chains256(n), _ => Chains128(n) };
        double t = sw.Elapsed.TotalSeconds;
        if (sum == 42) Console.Write("");
        return 12.0 * lanes * 2 * n / t / 1e9;
    }

    // No call inside the loops: vectors live across a call are spilled (no callee-saved vector registers on x64 Unix).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(int n)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.9999999f);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default;
        for (int i = 0; i < n; i++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, x, y); s1 = Vector512.FusedMultiplyAdd(s1, x, y);
            s2 = Vector512.FusedMultiplyAdd(s2, x, y); s3 = Vector512.FusedMultiplyAdd(s3, x, y);
            s4 = Vector512.FusedMultiplyAdd(s4, x, y); s5 = Vector512.FusedMultiplyAdd(s5, x, y);
            s6 = Vector512.FusedMultiplyAdd(s6, x, y); s7 = Vector512.FusedMultiplyAdd(s7, x, y);
            s8 = Vector512.FusedMultiplyAdd(s8, x, y); s9 = Vector512.FusedMultiplyAdd(s9, x, y);
            s10 = Vector512.FusedMultiplyAdd(s10, x, y); s11 = Vector512.FusedMultiplyAdd(s11, x, y);
        }
        return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(int n)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector256<float> s8 = default, s9 = default, s10 = default, s11 = default;
        for (int i = 0; i < n; i++)
        {
            s0 = Vector256.FusedMultiplyAdd(s0, x, y); s1 = Vector256.FusedMultiplyAdd(s1, x, y);
            s2 = Vector256.FusedMultiplyAdd(s2, x, y); s3 = Vector256.FusedMultiplyAdd(s3, x, y);
            s4 = Vector256.FusedMultiplyAdd(s4, x, y); s5 = Vector256.FusedMultiplyAdd(s5, x, y);
            s6 = Vector256.FusedMultiplyAdd(s6, x, y); s7 = Vector256.FusedMultiplyAdd(s7, x, y);
            s8 = Vector256.FusedMultiplyAdd(s8, x, y); s9 = Vector256.FusedMultiplyAdd(s9, x, y);
            s10 = Vector256.FusedMultiplyAdd(s10, x, y); s11 = Vector256.FusedMultiplyAdd(s11, x, y);
        }
        return Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains128(int n)
    {
        var x = Vector128.Create(1.0000001f);
        var y = Vector128.Create(0.9999999f);
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector128<float> s8 = default, s9 = default, s10 = default, s11 = default;
        for (int i = 0; i < n; i++)
        {
            s0 = Vector128.FusedMultiplyAdd(s0, x, y); s1 = Vector128.FusedMultiplyAdd(s1, x, y);
            s2 = Vector128.FusedMultiplyAdd(s2, x, y); s3 = Vector128.FusedMultiplyAdd(s3, x, y);
            s4 = Vector128.FusedMultiplyAdd(s4, x, y); s5 = Vector128.FusedMultiplyAdd(s5, x, y);
            s6 = Vector128.FusedMultiplyAdd(s6, x, y); s7 = Vector128.FusedMultiplyAdd(s7, x, y);
            s8 = Vector128.FusedMultiplyAdd(s8, x, y); s9 = Vector128.FusedMultiplyAdd(s9, x, y);
            s10 = Vector128.FusedMultiplyAdd(s10, x, y); s11 = Vector128.FusedMultiplyAdd(s11, x, y);
        }
        return Vector128.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
    }
}
