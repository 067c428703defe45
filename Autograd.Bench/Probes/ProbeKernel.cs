using System.Diagnostics;
using Autograd.Kernels;

namespace Autograd.Bench;

// The micro-kernel alone on packed panels already in cache, against an FMA loop in the same process, in alternating
// blocks: `probe-kernel [blocks]`. The production kernel runs on row-major and k-major A panels with depth blocks of 256
// and 128, then the other tile shapes of ProbeKernelShapes, then a whole 1024³ product on one thread. Shows how much of the GEMM's gap to the FMA peak is the kernel's and how much the
// packing and blocking around it.
internal static unsafe class ProbeKernel
{
    public static void Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0]) : 15;
        const int Mc = 144, Nc = 256;
        var cases = new (string Name, int Kc, bool Rows)[] { ("rows kc256", 256, true), ("kpanel kc256", 256, false), ("rows kc128", 128, true), ("kpanel kc128", 128, false) };
        float* a = Alloc(Mc * GemmBlocking.KcMax), b = Alloc(Nc * 256), c = Alloc(Mc * Nc);
        for (int i = 0; i < Mc * GemmBlocking.KcMax; i++) a[i] = (i % 7) * 0.01f;
        for (int i = 0; i < Nc * 256; i++) b[i] = (i % 5) * 0.01f;
        var shapes = new (string Name, int Mr, int Nr, Shape Kernel)[]
        {
            ("12x32 rows (before)", 12, 32, ProbeKernelShapes.K12x2Rows), ("12x32 kmajor", 12, 32, ProbeKernelShapes.K12x2),
            ("8x48 kmajor", 8, 48, ProbeKernelShapes.K8x3), ("5x80 kmajor", 5, 80, ProbeKernelShapes.K5x5),
            ("4x96 kmajor", 4, 96, ProbeKernelShapes.K4x6), ("6x64 kmajor unroll2", 6, 64, ProbeKernelShapes.K6x4Unroll2),
        };
        int total = cases.Length + shapes.Length + 1;
        // The whole product on one thread, packing and blocking included, for the share of the gap that lies outside the kernel.
        var (ga, gb, gc) = Workloads.Gemm(1024, 1024, 1024);
        int degree = Parallelism.MaxDegree;
        Parallelism.MaxDegree = 1;
        for (int i = 0; i < 3; i++) Workloads.GemmInto(ga, gb, gc);
        var results = new List<double>[total + 1];
        for (int i = 0; i < results.Length; i++) results[i] = [];
        float* ax = Alloc(170 * 256), bx = Alloc(384 * 256), cx = Alloc(170 * 384);
        for (int blk = 0; blk < blocks; blk++)
        {
            results[0].Add(ProbeIsa.Peak(512));
            for (int q = 0; q < cases.Length; q++)
            {
                var (_, kc, rows) = cases[q];
                double flops = 2.0 * Mc * Nc * kc;
                int reps = (int)(3e8 / flops);
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++) Sweep(kc, rows, Mc, Nc, a, b, c);
                results[q + 1].Add(flops * reps / sw.Elapsed.TotalSeconds / 1e9);
            }
            for (int q = 0; q < shapes.Length; q++)
            {
                var (name, mr, nr, kernel) = shapes[q];
                int mc = 144 / mr * mr + (144 % mr == 0 ? 0 : mr), nc = (256 + nr - 1) / nr * nr, kc = 256;
                double flops = 2.0 * mc * nc * kc;
                int reps = (int)(3e8 / flops);
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++)
                    for (int jr = 0; jr < nc; jr += nr)
                        for (int ir = 0; ir < mc; ir += mr) kernel(kc, ax + ir * (name.Contains("rows") ? 256 : kc), bx + jr * kc, cx + ir * nc + jr, nc);
                results[cases.Length + q + 1].Add(flops * reps / sw.Elapsed.TotalSeconds / 1e9);
            }
            var whole = Stopwatch.StartNew();
            Workloads.GemmInto(ga, gb, gc);
            results[total].Add(2.0 * 1024 * 1024 * 1024 / whole.Elapsed.TotalSeconds / 1e9);
        }
        Parallelism.MaxDegree = degree;
        Console.WriteLine($"{"FMA loop (12 zmm chains)",-28} {Median(results[0]),7:F1} GFLOP/s ({results[0].Min():F1}–{results[0].Max():F1})");
        var names = cases.Select(x => x.Name).Concat(shapes.Select(x => x.Name)).Append("SGEMM 1024, 1 thread").ToArray();
        for (int q = 0; q < total; q++)
        {
            var ratios = results[q + 1].Zip(results[0], (x, p) => x / p).ToList();
            var vsFirst = results[q + 1].Zip(results[1], (x, p) => x / p).ToList();
            Console.WriteLine($"{names[q],-28} {Median(results[q + 1]),7:F1} GFLOP/s, / peak {Median(ratios):F3} ({ratios.Min():F3}–{ratios.Max():F3}), / production {Median(vsFirst):F3} ({vsFirst.Min():F3}–{vsFirst.Max():F3})");
        }
    }

    private delegate void Shape(int kc, float* a, float* b, float* c, nint ldc);

    private static void Sweep(int kc, bool rows, int mc, int nc, float* a, float* b, float* c)
    {
        for (int jr = 0; jr < nc; jr += Avx512Kernel<float>.NR)
            for (int ir = 0; ir < mc; ir += Avx512Kernel<float>.MR)
            {
                if (rows) Avx512Kernel<float>.Run<RowPanel>(kc, a + ir * GemmBlocking.KcMax, b + jr * kc, Avx512Kernel<float>.NR, c + ir * nc + jr, nc, false);
                else Avx512Kernel<float>.Run<KPanel>(kc, a + ir * GemmBlocking.KcMax, b + jr * kc, Avx512Kernel<float>.NR, c + ir * nc + jr, nc, false);
            }
    }

    private static float* Alloc(int n)
    {
        var p = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * sizeof(float)), 64);
        new Span<float>(p, n).Clear();
        return p;
    }

    private static double Median(List<double> x)
    {
        var s = x.OrderBy(v => v).ToList();
        return s[s.Count / 2];
    }
}
