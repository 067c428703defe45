using System.Diagnostics;

namespace Autograd.Bench;

/// <summary>
/// `dotnet run -c Release --project Autograd.Bench -- summary`: one `name value unit` line per key figure, each the
/// median of several timed runs after a warm-up, in about 70 s. Everything runs with the default
/// <see cref="Parallelism.MaxDegree"/> except the figures marked 1thread.
/// </summary>
internal static class Summary
{
    private const int Runs = 9;
    private const int Blocks = 7;

    public static void Run(string[] args)
    {
        // `summary [seconds] [group …]`: groups gemm, mlp, wide, scalar, tanh (default: all).
        double seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 2.5;   // seconds per figure, after its warm-up
        var groups = args.Where(a => !double.TryParse(a, out _)).ToHashSet();
        bool Wants(string group) => groups.Count == 0 || groups.Contains(group);
        var total = Stopwatch.StartNew();
        Console.WriteLine($"# machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
            $".NET {Environment.Version}, ISA {Isa.Description}, GEMM kernel {Autograd.Kernels.Gemm.Isa}, MaxDegree {Parallelism.MaxDegree}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{Load()}");

        // Each group starts on a collected heap, as each BenchmarkDotNet benchmark does.
        if (Wants("gemm")) { Collect(); GemmFigures(seconds); }
        if (Wants("mlp")) { Collect(); MlpFigures(seconds); }
        if (Wants("wide")) { Collect(); WideFigures(seconds); }
        if (Wants("scalar")) { Collect(); ScalarFigures(seconds); }
        if (Wants("tanh")) { Collect(); TanhFigures(seconds); }
        Console.WriteLine($"# {total.Elapsed.TotalSeconds:F0} s{Load()}");
    }

    private static void GemmFigures(double seconds)
    {
        foreach (int n in new[] { 64, 256, 512, 1024, 2048 })
            Gemm($"gemm_{n}_gflops", n, n, n, seconds);
        Gemm("gemm_1024_f64_gflops", 1024, 1024, 1024, seconds, dtype: DType.Float64);
        int saved = Parallelism.MaxDegree;
        Parallelism.MaxDegree = 1;
        Gemm("gemm_1024_1thread_gflops", 1024, 1024, 1024, seconds);
        Parallelism.MaxDegree = saved;
        Gemm("gemm_1024_nt_gflops", 1024, 1024, 1024, seconds, transposeB: true);
        Gemm("gemm_1024_tn_gflops", 1024, 1024, 1024, seconds, transposeA: true);
        {
            var (a, b, _) = Workloads.Gemm(1024, 1024, 1024);
            var (a2, b2) = (a.Reshape(1024, 1024), b.Reshape(1024, 1024));
            Report("gemm_1024_matmul_gflops", Workloads.Gflop(1024, 1024, 1024) / Time(() => { using (Autodiff.NoGrad()) a2.MatMul(b2); }, seconds), "GFLOP/s");
        }
        {
            // Managed bytes one 1024 call allocates on all threads (the result excluded: it is preallocated here).
            var (a, b, c) = Workloads.Gemm(1024, 1024, 1024);
            Workloads.GemmInto(a, b, c);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 10; i++) Workloads.GemmInto(a, b, c);
            Report("gemm_1024_alloc_bytes", (GC.GetTotalAllocatedBytes(precise: true) - before) / 10.0, "bytes");
        }
        Gemm("gemm_mlp_fwd_gflops", 128, 784, 256, seconds, transposeB: true);
        Gemm("gemm_mlp_bwd_gflops", 784, 128, 256, seconds, transposeA: true);
        Gemm("gemm_mlp_fwd2_gflops", 128, 256, 10, seconds, transposeB: true);

    }

    private static void MlpFigures(double seconds)
    {
        var mlp = new MlpStep();
        double step = Time(() => mlp.Step(), seconds, warmup: 20, warmupSeconds: 2.5);
        Report("mlp_step_us", step * 1e6, "us");
        var plainRelu = new MlpStep(activationEpilogue: false);
        Report("mlp_step_noepilogue_us", Time(() => plainRelu.Step(), seconds, warmup: 20, warmupSeconds: 2.5) * 1e6, "us");
        double gemm = 0;
        foreach (var (m, k, n, ta, tb) in new[] { (128, 784, 256, false, true), (784, 128, 256, true, false), (128, 256, 10, false, true), (256, 128, 10, true, false), (128, 10, 256, false, true) })
        {
            var (a, b, c) = Workloads.Gemm(m, k, n, ta, tb);
            gemm += Time(() => Workloads.GemmInto(a, b, c), seconds / 4);
        }
        Report("mlp_step_gemm_us", gemm * 1e6, "us");
        mlp.Step();
        var allocs = new List<long>();
        for (int r = 0; r < Runs; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            mlp.Step();
            allocs.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Report("mlp_step_alloc_bytes", Median(allocs.Select(x => (double)x).ToList()), "bytes");   // the calling thread only
        long all = GC.GetTotalAllocatedBytes(precise: true);
        for (int r = 0; r < Runs; r++) mlp.Step();
        Report("mlp_step_alloc_bytes_all_threads", (GC.GetTotalAllocatedBytes(precise: true) - all) / (double)Runs, "bytes");

        // The same step updated by an optimizer (Step(zeroGrad: true, setToNone: false)), its single-pass update against
        // the tensor-op update, timed in alternating blocks so that both see the same load.
        foreach (var (name, make) in new (string, Func<Tensor[], Autograd.Nn.Optim.Optimizer>)[]
        {
            ("sgd", p => new Autograd.Nn.Optim.SGD(p, lr: 0.01)),
            ("sgd_momentum", p => new Autograd.Nn.Optim.SGD(p, lr: 0.01, momentum: 0.9)),
            ("adamw", p => new Autograd.Nn.Optim.AdamW(p, lr: 1e-3)),
        })
        {
            var fused = new MlpStep(make, fused: true);
            var plain = new MlpStep(make, fused: false);
            Interleaved($"mlp_step_{name}_us", () => fused.Step(), $"mlp_step_{name}_unfused_us", () => plain.Step(), seconds);
            // The update alone (the step's gradients, zeroed in place by each update: the same work every call).
            Interleaved($"mlp_update_{name}_us", fused.Update, $"mlp_update_{name}_unfused_us", plain.Update, seconds / 2);
        }
    }

    /// <summary>
    /// Times two workloads in alternating blocks (A, B, A, B, …, <see cref="Blocks"/> of each, about
    /// <paramref name="seconds"/>/<see cref="Blocks"/> per block after a warm-up of both) and reports each one's median
    /// microseconds per call over its blocks, with the range as a comment.
    /// </summary>
    private static void Interleaved(string nameA, Action a, string nameB, Action b, double seconds)
    {
        var (ta, tb, reps) = Alternate(a, b, seconds, Blocks);
        foreach (var (name, times) in new[] { (nameA, ta), (nameB, tb) })
        {
            var us = times.Select(t => t * 1e6).ToList();
            Report(name, Median(us), "us");
            Console.WriteLine($"# {name}: {Blocks} blocks of {reps} calls, {us.Min():F0}-{us.Max():F0} us");
        }
    }

    /// <summary>
    /// Runs <paramref name="a"/> and <paramref name="b"/> in turn for <paramref name="warmupSeconds"/>, then times them in
    /// <paramref name="blocks"/> alternating blocks (A, B, A, B, …) of <c>reps</c> calls each, about
    /// <paramref name="seconds"/>/<paramref name="blocks"/> per block of A, so that both see the same load.
    /// </summary>
    /// <returns>Seconds per call in each block of A and of B, and the calls per block.</returns>
    internal static (List<double> A, List<double> B, int Reps) Alternate(Action a, Action b, double seconds, int blocks, double warmupSeconds = 2.5)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < warmupSeconds) { a(); b(); }
        sw.Restart();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.05) { a(); calls++; }
        int reps = (int)Math.Clamp(seconds / blocks / (sw.Elapsed.TotalSeconds / calls), 1, 1_000_000);
        var ta = new List<double>();
        var tb = new List<double>();
        for (int r = 0; r < blocks; r++)
        {
            sw.Restart();
            for (int i = 0; i < reps; i++) a();
            ta.Add(sw.Elapsed.TotalSeconds / reps);
            sw.Restart();
            for (int i = 0; i < reps; i++) b();
            tb.Add(sw.Elapsed.TotalSeconds / reps);
        }
        return (ta, tb, reps);
    }

    // Issue 17's wider step (WideMlpStep), timed as mlp_step_us is; Peers/TorchSharp times the same step.
    private static void WideFigures(double seconds)
    {
        var wide = new WideMlpStep();
        Report("mlp_wide_step_us", Time(() => wide.Step(), seconds, warmup: 20, warmupSeconds: 2.5) * 1e6, "us");
    }

    /// <summary>
    /// The Value and 0-d tensor chains in alternating blocks, so that issue 17's ratio of the two is measured under one
    /// load, as probe-scalar measures it.
    /// </summary>
    internal static void ScalarFigures(double seconds, int blocks = Blocks)
    {
        var v = new Value(0.5);
        var x = Tensor.Scalar(0.5).RequireGrad();
        var (value, tensor, _) = Alternate(() => ScalarChain.Run(v), () => ScalarChain.Run(x), seconds, blocks, warmupSeconds: 1.5);
        Report("scalar_op_ns", Median(value) / ScalarChain.Ops * 1e9, "ns");
        Report("tensor0d_op_ns", Median(tensor) / ScalarChain.Ops * 1e9, "ns");
        Report("tensor0d_op_alloc_bytes", ScalarChain.AllocatedBytesPerOp(x), "bytes");
    }

    private static void TanhFigures(double seconds)
    {
        var big = Tensor.Rand([1 << 20], new Generator(3));
        var pool = new BufferPool();
        // As in a training step: the result borrows from a BufferScope. The fresh figure allocates a new 4 MB array per call.
        Report("tanh_1m_us", Time(() => { using (pool.Scope()) using (Autodiff.NoGrad()) big.Tanh(); }, seconds, warmup: 20) * 1e6, "us");
        Report("tanh_1m_fresh_us", Time(() => { using (Autodiff.NoGrad()) big.Tanh(); }, seconds, warmup: 20) * 1e6, "us");
        int threads = Parallelism.MaxDegree;
        Parallelism.MaxDegree = 1;
        Report("tanh_1m_1thread_us", Time(() => { using (pool.Scope()) using (Autodiff.NoGrad()) big.Tanh(); }, seconds, warmup: 20) * 1e6, "us");
        Parallelism.MaxDegree = threads;
        var grad = big.Clone().RequireGrad();
        var ones = Tensor.OnesLike(big);
        Report("tanh_1m_fwd_bwd_us", Time(() =>
        {
            using (pool.Scope()) grad.Tanh().Backward(ones);
            grad.Grad!.ZeroInPlace();
        }, seconds, warmup: 20) * 1e6, "us");
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    // Other processes share the cores on the machines this runs on: the load average is printed with the figures.
    private static string Load() =>
        File.Exists("/proc/loadavg") ? ", load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    private static void Gemm(string name, int m, int k, int n, double seconds, bool transposeA = false, bool transposeB = false, DType dtype = DType.Float32)
    {
        var (a, b, c) = Workloads.Gemm(m, k, n, transposeA, transposeB, dtype);
        Report(name, Workloads.Gflop(m, k, n) / Time(() => Workloads.GemmInto(a, b, c), seconds), "GFLOP/s");
    }

    /// <summary>Median seconds per call over <see cref="Runs"/> runs of about <paramref name="seconds"/>/Runs each, after a warm-up.</summary>
    private static double Time(Action f, double seconds, int warmup = 3, double warmupSeconds = 0.5)
    {
        // Tiered compilation promotes a method only after its calls have gone on for 100 ms without new tier-0 code, and
        // a workload of many methods takes seconds to get there: with 20 warm-up calls the MLP step was timed at 1167 us,
        // with a 2.5 s warm-up at 698 us, in the same minutes.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (calls < warmup || sw.Elapsed.TotalSeconds < warmupSeconds) { f(); calls++; }
        sw.Restart();
        calls = 0;
        while (calls < warmup || sw.Elapsed.TotalSeconds < 0.05) { f(); calls++; }
        double once = sw.Elapsed.TotalSeconds / calls;
        int reps = (int)Math.Clamp(seconds / Runs / once, 1, 1_000_000);
        var times = new List<double>();
        for (int r = 0; r < Runs; r++)
        {
            sw.Restart();
            for (int i = 0; i < reps; i++) f();
            times.Add(sw.Elapsed.TotalSeconds / reps);
        }
        return Median(times);
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    internal static void Report(string name, double value, string unit) =>
        Console.WriteLine($"{name} {(value >= 100 ? value.ToString("F0") : value.ToString("F1"))} {unit}");
}
