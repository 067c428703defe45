using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Autograd.Kernels;

namespace Autograd.Bench;

// float32 tanh kernel experiments, single-threaded, interleaved with a copy of the same traffic (to A/B a kernel change,
// add the old operator struct beside TanhSingle): `probe-tanh time [rounds]` (2^20 elements from memory and 2^12 from
// L1), `probe-tanh l1 [rounds]` (L1 only, many short rounds, with a clock estimate), `probe-tanh ulp` (all 2^32 inputs:
// the accuracy stated in Activations.cs), `probe-tanh range lo hi` (all floats in [lo, hi]).
internal static class ProbeTanh
{
    public static void Run(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "time";
        if (mode == "ulp") { Exhaustive<TanhSingle>("tanh"); return; }
        if (mode == "range")
        {
            // All floats in [lo, hi]: `probe-tanh range 0.5 1.5`.
            uint b0 = BitConverter.SingleToUInt32Bits(float.Parse(args[1])), b1 = BitConverter.SingleToUInt32Bits(float.Parse(args[2]));
            Exhaustive<TanhSingle>("tanh", b0, b1);
            return;
        }
        int rounds = args.Length > 1 ? int.Parse(args[1]) : 15;
        if (mode == "l1") { L1(rounds); return; }
        var rng = new Random(3);
        float[] big = Enumerable.Range(0, 1 << 20).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] outBig = new float[big.Length];
        float[] small = big[..4096];
        float[] outSmall = new float[small.Length];
        var names = new List<string>();
        var fns = new List<(Action big, Action small)>();
        void Add<TF>(string name) where TF : IVectorFunction<float>
        {
            names.Add(name);
            fns.Add((() => Activations.Apply<float, TF>(big, outBig), () => { for (int i = 0; i < 256; i++) Activations.Apply<float, TF>(small, outSmall); }));
        }
        Add<TanhSingle>("tanh");
        Add<CopyOnly>("copy (abs)");
        var tb = names.Select(_ => new List<double>()).ToArray();
        var ts = names.Select(_ => new List<double>()).ToArray();
        // Long enough a warm-up for every kernel to reach its final (tier-1) code.
        foreach (var f in fns) for (var sw = Stopwatch.StartNew(); sw.Elapsed.TotalSeconds < 0.5;) { f.big(); f.small(); }
        for (int r = 0; r < rounds; r++)
            for (int j = 0; j < fns.Count; j++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < 10; i++) fns[j].big();
                tb[j].Add(sw.Elapsed.TotalSeconds / 10 * 1e6);
                sw.Restart();
                fns[j].small();
                ts[j].Add(sw.Elapsed.TotalSeconds / (256.0 * 4096) * (1 << 20) * 1e6);
            }
        for (int j = 0; j < fns.Count; j++)
            Console.WriteLine($"{names[j],-28} 2^20 in RAM: median {Median(tb[j]),7:F1} us   2^12 in L1 (per 2^20): median {Median(ts[j]),7:F1} us");
    }

    // Only the L1-resident case, many short interleaved rounds, with a clock estimate from a dependent add chain.
    private static void L1(int rounds)
    {
        var rng = new Random(3);
        float[] x = Enumerable.Range(0, 4096).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] y = new float[x.Length];
        var fns = new (string name, Action f)[]
        {
            ("tanh", () => Activations.Apply<float, TanhSingle>(x, y)),
            ("copy", () => Activations.Apply<float, CopyOnly>(x, y)),
            ("clock (GHz, 4-cycle chain)", () => Chain(4096)),
        };
        var t = fns.Select(_ => new List<double>()).ToArray();
        foreach (var f in fns) for (var sw = Stopwatch.StartNew(); sw.Elapsed.TotalSeconds < 0.3;) f.f();
        for (int r = 0; r < rounds + 5; r++)
            for (int j = 0; j < fns.Length; j++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < 64; i++) fns[j].f();
                if (r >= 5) t[j].Add(sw.Elapsed.TotalSeconds / 64 * 1e6 * 256);   // us per 2^20 elements
            }
        for (int j = 0; j < fns.Length; j++)
        {
            double med = Median(t[j]), min = t[j].Min();
            if (j == fns.Length - 1) Console.WriteLine($"{fns[j].name,-28} median {4.0 * 4096 * 256 / med / 1e3,6:F2}  best {4.0 * 4096 * 256 / min / 1e3,6:F2}");
            else Console.WriteLine($"{fns[j].name,-28} us per 2^20 (L1-resident): median {med,7:F1}  best {min,7:F1}");
        }
    }

    private static long sink;
    private static void Chain(int n)
    {
        long a = 1;
        for (int i = 0; i < n; i++) { a += a >> 3; a += a >> 3; }   // shr + add: 4 cycles per iteration
        sink += a;
    }

    private static double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s[s.Count / 2]; }

    private static double Ulps32(float y, double exact)
    {
        if (double.IsNaN(exact)) return float.IsNaN(y) ? 0 : double.PositiveInfinity;
        double a = Math.Abs(exact);
        float f = (float)a;
        if (f > a) f = MathF.BitDecrement(f);
        double ulp = Math.Max((double)MathF.BitIncrement(f) - f, float.Epsilon);
        return Math.Abs(y - exact) / ulp;
    }

    // All 2^32 inputs: max ulp against Math.Tanh, correctly rounded share, and scalar/V128/V256/V512 bit agreement.
    private static void Exhaustive<TF>(string name, uint first = 0, uint last = uint.MaxValue) where TF : IVectorFunction<float>
    {
        var sw = Stopwatch.StartNew();
        const int Chunk = 1 << 16;
        long c0 = first / Chunk, c1 = last / Chunk + 1;
        long finite = 0;
        double worst = 0; float at = 0; long cr = 0, mismatches = 0;
        object gate = new();
        Parallel.For(c0, c1, new ParallelOptions { MaxDegreeOfParallelism = 2 }, () => (w: 0.0, at: 0f, cr: 0L, mm: 0L, n: 0L, x: new float[Chunk], y: new float[Chunk]), (c, _, st) =>
        {
            var x = st.x; var y = st.y;
            uint b0 = (uint)(c * Chunk);
            for (int i = 0; i < Chunk; i++) x[i] = BitConverter.UInt32BitsToSingle(b0 + (uint)i);
            Activations.Apply<float, TF>(x, y);
            for (int i = 0; i < Chunk; i += 16)
            {
                var v512 = TF.Invoke(Vector512.Create(x.AsSpan(i, 16)));
                var v256a = TF.Invoke(Vector256.Create(x.AsSpan(i, 8)));
                var v128a = TF.Invoke(Vector128.Create(x.AsSpan(i, 4)));
                if (v512 != Vector512.Create(y.AsSpan(i, 16)) && !AllSameBits(v512, y, i)) st.mm++;
                if (!SameBits(v256a.AsInt32().ToScalar(), y[i]) || !SameBits(v128a.AsInt32().ToScalar(), y[i])) st.mm++;
                if (!SameBits(BitConverter.SingleToInt32Bits(TF.Invoke(x[i + 5])), y[i + 5])) st.mm++;
            }
            for (int i = 0; i < Chunk; i++)
            {
                float xi = x[i];
                if (!float.IsFinite(xi)) continue;
                st.n++;
                double exact = Math.Tanh(xi);
                float yi = y[i];
                if (yi == (float)exact) { st.cr++; continue; }
                double e = Ulps32(yi, exact);
                if (e > st.w) { st.w = e; st.at = xi; }
            }
            return st;
        }, st => { lock (gate) { if (st.w > worst) { worst = st.w; at = st.at; } cr += st.cr; mismatches += st.mm; finite += st.n; } });
        Console.WriteLine($"{name}: max {worst:F4} ulp at {at:R}, {100.0 * cr / finite:F4}% of {finite} finite inputs correctly rounded, {mismatches} width mismatches, {sw.Elapsed.TotalSeconds:F0} s");
    }

    private static bool SameBits(int bits, float y) => bits == BitConverter.SingleToInt32Bits(y);
    private static bool AllSameBits(Vector512<float> v, float[] y, int i) => v.AsInt32() == Vector512.Create(y.AsSpan(i, 16)).AsInt32();
}

internal readonly struct CopyOnly : IVectorFunction<float>
{
    public static float Invoke(float x) => MathF.Abs(x);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Abs(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Abs(x);
}
