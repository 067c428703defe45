using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>The instruction sets the GEMM micro-kernels are written for.</summary>
internal enum GemmIsa
{
    /// <summary>Portable scalar loops.</summary>
    Scalar,
    /// <summary>Vector128 with fused multiply-add (FMA3 on x86-64, NEON on ARM64).</summary>
    Vector128,
    /// <summary>Vector256 with fused multiply-add (AVX2 + FMA3).</summary>
    Avx2,
    /// <summary>Vector512 (AVX-512F).</summary>
    Avx512,
}

/// <summary>The activation a product may apply to each finished element after the bias (see Gemm.MultiplyInto).</summary>
internal enum GemmActivation : byte
{
    /// <summary>None: C is the product (plus the bias).</summary>
    None,
    /// <summary>max(·, 0) as <see cref="ReluOperator"/> computes it.</summary>
    Relu,
}

/// <summary>How a packed A panel stores its MR rows.</summary>
internal interface IPanelLayout
{
    /// <summary>
    /// True: row i of the panel is contiguous, element (i, k) at i·<see cref="GemmBlocking.KcMax"/> + k (packed from a
    /// row-major A by row copies). False: k-major, element (i, k) at k·MR + i (packed from a transposed A by copies
    /// of MR contiguous values).
    /// </summary>
    static abstract bool RowMajor { get; }
}

internal readonly struct RowPanel : IPanelLayout
{
    public static bool RowMajor => true;
}

internal readonly struct KPanel : IPanelLayout
{
    public static bool RowMajor => false;
}

/// <summary>A register-blocked micro-kernel: one MR×NR tile of C from packed panels (see GemmKernels.cs).</summary>
/// <typeparam name="T">The element type, float or double.</typeparam>
internal unsafe interface IGemmKernel<T> where T : unmanaged
{
    static abstract int MR { get; }
    static abstract int NR { get; }

    /// <summary>The most bytes of a B with unit stride along n that row strips read in place rather than pack on each thread.</summary>
    static abstract long InPlaceBBytes { get; }

    /// <summary>acc = Σ_k a(i, k)·b[k·ldb + j] over <paramref name="kc"/> steps; C = acc when <paramref name="first"/>, else C + acc.</summary>
    /// <typeparam name="TA">The layout of the packed A panel.</typeparam>
    /// <param name="kc">The depth of the panels.</param>
    /// <param name="a">The packed MR×kc panel of A.</param>
    /// <param name="b">The kc×NR panel of B: packed, or NR whole columns of a B with unit stride along n.</param>
    /// <param name="ldb">The distance between the panel's k steps: NR when packed, else B's row stride.</param>
    /// <param name="c">The top-left element of the C tile.</param>
    /// <param name="ldc">The distance between rows of C, in elements.</param>
    /// <param name="first">Whether this is the first depth block, which overwrites C instead of adding to it.</param>
    static abstract void Run<TA>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool first) where TA : struct, IPanelLayout;

    /// <summary>Σ x[i]·y[i] over contiguous x and y, in an order fixed by n alone.</summary>
    /// <param name="n">The number of elements.</param>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector.</param>
    /// <returns>The dot product.</returns>
    static abstract T Dot(int n, T* x, T* y);

    /// <summary>y[i] = x[i]·alpha + y[i] (fused where the kernel fuses), each element on its own.</summary>
    /// <param name="n">The number of elements.</param>
    /// <param name="alpha">The factor applied to <paramref name="x"/>.</param>
    /// <param name="x">The vector to scale.</param>
    /// <param name="y">The vector added to, in place.</param>
    static abstract void Axpy(int n, T alpha, T* x, T* y);
}

/// <summary>Cache-blocking sizes, in elements; they depend on nothing but the shapes, never on the thread count.</summary>
internal static class GemmBlocking
{
    /// <summary>
    /// Depth of one packed block (K is cut into ⌈K/KcMax⌉ equal blocks), the same on every kernel so that they give the
    /// same bits. 512 rather than 256 halves the passes over C: in one process on Zen 5 (Autograd.Bench probe-ab, time
    /// at 256 / time at 512) the AVX-512 path took 1.04–1.07× as long at 256 for SGEMM 1024 and DGEMM 1024 on two threads,
    /// 1.05 for SGEMM 1024 on one, 1.02–1.03 for the MLP steps; the AVX2 path 0.97–1.02.
    /// </summary>
    public const int KcMax = 512;
    /// <summary>Rows of A packed at once (a multiple of every kernel's MR: 6, 6, 6, 4).</summary>
    public const int McMax = 144;
    /// <summary>Columns of B packed at once (a multiple of every kernel's NR).</summary>
    public const int NcMax = 2048;
    /// <summary>
    /// Below this many multiply-adds per call (4.2·10⁶, ~40 µs on one core), one thread does everything. The 784-256-10
    /// MLP step's two large products (2.6·10⁷ each) run on two threads: interleaved blocks of steps in one process
    /// measured 542 µs per step against 843 µs with them on one thread, once the worker pool kept each thread on its own
    /// share of the data (with its parts handed out first-come, the step had lost more to cache lines moving between
    /// cores than the products gained). Settable so that tests can run small products on several threads.
    /// </summary>
    public static long ParallelThreshold { get; set; } = 1L << 22;
    /// <summary>The least number of multiply-adds worth handing to another thread.</summary>
    public const long MinWorkPerThread = 1 << 17;

    /// <summary>For the probes (Autograd.Bench probe-ab): the depth actually blocked, 1 to <see cref="KcMax"/>.</summary>
    internal static int KcLimit
    {
        get => s_kcLimit;
        set => s_kcLimit = Checked(value, 1, KcMax, nameof(KcLimit));
    }

    /// <summary>
    /// For the probes: the rows of A actually blocked, a multiple of 12 up to <see cref="McMax"/> (whole panels of every
    /// kernel's MR, which the packed buffers are sized for).
    /// </summary>
    internal static int McLimit
    {
        get => s_mcLimit;
        set => s_mcLimit = Checked(value, 12, McMax, nameof(McLimit));
    }

    /// <summary>For the probes: the columns of B actually blocked, a multiple of 64 (every kernel's NR) up to <see cref="NcMax"/>.</summary>
    internal static int NcLimit
    {
        get => s_ncLimit;
        set => s_ncLimit = Checked(value, 64, NcMax, nameof(NcLimit));
    }

    private static int s_kcLimit = KcMax, s_mcLimit = McMax, s_ncLimit = NcMax;

    private static int Checked(int value, int unit, int max, string name) =>
        value >= unit && value <= max && value % unit == 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a multiple of {unit} from {unit} to {max}.");
}

/// <summary>
/// Batched matrix product C[b] = A[b]·B[b] of [B, M, K] and [B, K, N] views of any strides (transposed, sliced and
/// broadcast operands are read in place by the packing routines, never copied as a whole), float32 or float64.
/// </summary>
/// <remarks>
/// Goto/BLIS structure: for each block of NcMax columns and KcMax depth, B is packed into NR-wide k-major panels,
/// then for each block of McMax rows A is packed into MR-row panels, and the micro-kernel (an MR×NR tile of
/// accumulators in registers) sweeps the block, B panel outermost so that it stays in L1 while the A block stays
/// in L2. Threads get a fixed grid of output tiles (or batch items) decided by the shapes and
/// <see cref="Parallelism.MaxDegree"/>; as every element is computed by the same operations in the same order
/// whichever tile and thread it falls in, results are bitwise identical for any degree.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>For tests: forces a kernel (it must be supported by the machine); null follows <see cref="Autograd.Isa.Current"/>.</summary>
    internal static GemmIsa? ForceIsa { get; set; }

    /// <summary>For the load probe (Autograd.Bench probe-load): false restores the one-share-per-thread split of before.</summary>
    internal static bool SharedPacking { get; set; } = true;

    /// <summary>The kernel in use.</summary>
    internal static GemmIsa Isa => ForceIsa ?? ForLevel(Autograd.Isa.Level);

    /// <summary>The widest kernel the instruction-set cap allows and the CPU runs with hardware fused multiply-adds.</summary>
    internal static GemmIsa ForLevel(int level) =>
        level >= (int)InstructionSet.Avx512 && (Avx512F.IsSupported || Vector512.IsHardwareAccelerated) ? GemmIsa.Avx512 :
        level >= (int)InstructionSet.Avx2 && Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmIsa.Avx2 :
        level >= (int)InstructionSet.Vector128 && Vector128.IsHardwareAccelerated && Autograd.Isa.HasVector128Fma ? GemmIsa.Vector128 :
        GemmIsa.Scalar;

    public static Tensor BatchedMatMul(Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"matmul: operand dtypes differ ({a.DType.Name()} and {b.DType.Name()}).");
        int batch = a.Dims[0], m = a.Dims[1], k = a.Dims[2], n = b.Dims[2];
        int[] shape = [batch, m, n];
        // Every element is written below, so the storage need not be zeroed first.
        var c = Tensor.Result(shape, a.DType, zero: false, op: "matmul");
        MultiplyInto(a, b, c);
        return c;
    }

    /// <summary>Writes A·B into <paramref name="c"/>, a contiguous [batch, m, n] tensor of the operands' dtype.</summary>
    internal static void MultiplyInto(Tensor a, Tensor b, Tensor c) => MultiplyInto(a, b, c, null, null);

    /// <summary>
    /// Writes A·B (+ <paramref name="bias"/>) into <paramref name="c"/>, a contiguous [batch, m, n] tensor of the
    /// operands' dtype: C[p, i, j] = (Σ_k A[p, i, k]·B[p, k, j]) + bias[j], the bias added to each finished element as it
    /// leaves the micro-kernel (the same two roundings as a product followed by an addition, so the same bits). With
    /// <paramref name="rowSumsOfA"/> (batch 1 only, length m), also rowSumsOfA[i] = Σ_k A[0, i, k] in float64, k in order,
    /// computed from the blocks of A the product has just packed (the bias gradient of a layer beside its weight gradient).
    /// </summary>
    /// <remarks>
    /// With an <paramref name="activation"/>, each finished element then gets it, tile by tile while the tile is in L1,
    /// by the operator the standalone op maps with (the same operations on every width, so the bits of the product
    /// followed by the op's own pass).
    /// </remarks>
    internal static void MultiplyInto(Tensor a, Tensor b, Tensor c, Tensor? bias, double[]? rowSumsOfA, GemmActivation activation = GemmActivation.None)
    {
        if (a.DType == DType.Float32) Run<float>(a, b, c, bias, rowSumsOfA, activation);
        else Run<double>(a, b, c, bias, rowSumsOfA, activation);
    }

    private static void Run<T>(Tensor a, Tensor b, Tensor c, Tensor? bias, double[]? sums, GemmActivation act) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Isa)
        {
            case GemmIsa.Avx512: Run<T, Avx512Kernel<T>>(a, b, c, bias, sums, act); break;
            case GemmIsa.Avx2: Run<T, Avx2Kernel<T>>(a, b, c, bias, sums, act); break;
            case GemmIsa.Vector128: Run<T, Vector128Kernel<T>>(a, b, c, bias, sums, act); break;
            default: Run<T, ScalarKernel<T>>(a, b, c, bias, sums, act); break;
        }
    }

    /// <summary>
    /// Pointers and element strides of one call: C[p, i, j] at C + p·Scb + i·Scm + j·Scn; the bias of C[p, i, j] (when
    /// <see cref="Bias"/> is not null) at Bias + i·Sxm + j·Sxn; the float64 sums over k of A's rows into SumA (of B's
    /// columns into SumB, once the problem is transposed) when not null.
    /// </summary>
    private readonly struct Problem<T> where T : unmanaged
    {
        public readonly T* A, B, C, Bias;
        public readonly double* SumA, SumB;
        public readonly nint Sab, Sam, Sak, Sbb, Sbk, Sbn, Scb, Scm, Scn, Sxm, Sxn;
        public readonly int Batch, M, N, K;
        public readonly GemmActivation Act;

        public Problem(T* a, Tensor ta, T* b, Tensor tb, T* c, int batch, int m, int n, int k, T* bias, nint sbias, double* sums, GemmActivation act)
        {
            Act = act;
            A = a + ta.Offset;
            B = b + tb.Offset;
            C = c;
            (Sab, Sam, Sak) = (ta.StrideArray[0], ta.StrideArray[1], ta.StrideArray[2]);
            (Sbb, Sbk, Sbn) = (tb.StrideArray[0], tb.StrideArray[1], tb.StrideArray[2]);
            (Scb, Scm, Scn) = ((nint)m * n, n, 1);
            (Batch, M, N, K) = (batch, m, n, k);
            Bias = bias;
            (Sxm, Sxn) = (0, sbias);
            SumA = sums;
            SumB = null;
        }

        private Problem(in Problem<T> p)
        {
            Act = p.Act;
            A = p.B;
            B = p.A;
            C = p.C;
            (Sab, Sam, Sak) = (p.Sbb, p.Sbn, p.Sbk);
            (Sbb, Sbk, Sbn) = (p.Sab, p.Sak, p.Sam);
            (Scb, Scm, Scn) = (p.Scb, p.Scn, p.Scm);
            (Batch, M, N, K) = (p.Batch, p.N, p.M, p.K);
            Bias = p.Bias;
            (Sxm, Sxn) = (p.Sxn, p.Sxm);
            SumA = p.SumB;
            SumB = p.SumA;
        }

        /// <summary>The same product seen as Cᵀ = Bᵀ·Aᵀ (no data moves, only pointers and strides swap).</summary>
        public Problem<T> Transposed() => new(this);
    }

    /// <summary>One thread's share: batch items [P0, P1), rows [M0, M1), columns [N0, N1) of each.</summary>
    private readonly record struct Share(int P0, int P1, int M0, int M1, int N0, int N1);

    private static void Run<T, TK>(Tensor a, Tensor b, Tensor c, Tensor? bias, double[]? sums, GemmActivation act)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int batch = a.Dims[0], m = a.Dims[1], k = a.Dims[2], n = b.Dims[2];
        if (sums is not null)
        {
            if (batch != 1 || sums.Length < m) throw new ArgumentException("The row sums of A need batch 1 and room for m of them.", nameof(sums));
            Array.Clear(sums, 0, m);
        }
        T[] xc = c.Array<T>();
        if (xc.Length == 0 || c.NumElements == 0)
        {
            if (sums is not null) SumRows(a, sums);
            return;
        }
        if (k == 0)
        {
            xc.AsSpan(0, c.NumElements).Clear();
            if (bias is not null) AddBias(xc.AsSpan(0, c.NumElements), n, bias);
            Activate(act, xc.AsSpan(0, c.NumElements));
            if (sums is not null) SumRows(a, sums);
            return;
        }
        fixed (T* pa = a.Array<T>(), pb = b.Array<T>(), pc = xc, px = bias is null ? null : bias.Array<T>())
        fixed (double* ps = sums)
        {
            var problem = new Problem<T>(pa, a, pb, b, pc, batch, m, n, k, px is null ? null : px + bias!.Offset, bias?.StrideArray[0] ?? 0, ps, act);
            if (m == 1 || n == 1)
            {
                // Matrix·vector: y[i] = Σ_k M[i, k]·x[k] with y = C's only row or column.
                if (sums is not null) SumRows(a, sums);
                if (n != 1) problem = problem.Transposed();
                var rows = Split(batch, problem.M, 1, k, 64, 1);
                if (rows.Length == 1) MatVec<T, TK>(problem, rows[0]);
                else WorkerPool.Run(rows.Length, t => MatVec<T, TK>(problem, rows[t]));
                // The vector of results is short (one row or column of C): a pass of its own, as the op's.
                Activate(act, xc.AsSpan(0, c.NumElements));
                return;
            }
            // Edge tiles waste work: when N is small and M is not (G·W for a narrow layer, say), Cᵀ = Bᵀ·Aᵀ has fuller tiles.
            long padded = RoundUp(m, TK.MR) * RoundUp(n, TK.NR), swapped = RoundUp(n, TK.MR) * RoundUp(m, TK.NR);
            if (swapped * 10 < padded * 9) problem = problem.Transposed();
            int degree = Degree((long)batch * m * n * k);
            if (SharedPacking && degree > 1 && batch < degree && ColumnStripsFit<T, TK>(problem, degree))
            {
                for (int p = 0; p < batch; p++) ColumnStrips<T, TK>(problem, p, degree);
                return;
            }
            if (SharedPacking && degree > 1 && batch < degree && (problem.M + TK.MR - 1) / TK.MR >= 2 * degree)
            {
                for (int p = 0; p < batch; p++) Strips<T, TK>(problem, p, degree);
                return;
            }
            var shares = Split(batch, problem.M, problem.N, k, TK.MR, TK.NR, cRowsAreM: problem.Scn == 1);
            if (shares.Length == 1) Compute<T, TK>(problem, shares[0]);
            else WorkerPool.Run(shares.Length, t => Compute<T, TK>(problem, shares[t]));
        }
    }

    // The activation over a whole C (the paths without tiles), with the standalone op's driver.
    private static void Activate<T>(GemmActivation act, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (act == GemmActivation.Relu) Spans.Unary<T, ReluOperator>(c, c);
    }

    // The paths that never pack A (a matrix·vector product, an empty C): the same sums, each row's terms in k order.
    private static void SumRows(Tensor a, double[] sums)
    {
        int m = a.Dims[1], k = a.Dims[2];
        nint sm = a.StrideArray[1], sk = a.StrideArray[2];
        if (a.DType == DType.Float32)
        {
            float[] x = a.Array<float>();
            for (int i = 0; i < m; i++)
                for (int q = 0; q < k; q++) sums[i] += x[a.Offset + i * sm + q * sk];
        }
        else
        {
            double[] x = a.Array<double>();
            for (int i = 0; i < m; i++)
                for (int q = 0; q < k; q++) sums[i] += x[a.Offset + i * sm + q * sk];
        }
    }

    // C = 0 + bias for an empty depth, as the product followed by the addition gives (−0 becomes +0).
    private static void AddBias<T>(Span<T> c, int n, Tensor bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = bias.Array<T>();
        for (int i = 0; i < c.Length; i++) c[i] += x[bias.Offset + i % n * bias.StrideArray[0]];
    }

    /// <summary>
    /// The number of threads for a product of <paramref name="work"/> multiply-adds: one below
    /// <see cref="GemmBlocking.ParallelThreshold"/> (the hand-off costs more than it saves), else at most one per
    /// <see cref="GemmBlocking.MinWorkPerThread"/>, at most <see cref="Parallelism.MaxDegree"/>.
    /// </summary>
    private static int Degree(long work)
    {
        if (work < GemmBlocking.ParallelThreshold) return 1;
        return (int)Math.Min(Parallelism.MaxDegree, Math.Max(1, work / GemmBlocking.MinWorkPerThread));
    }

    /// <summary>
    /// Row strips read a B with unit stride along n in place, rather than each thread packing all of it, when B holds at
    /// most this many bytes; null (the default) takes the kernel's <see cref="IGemmKernel{T}.InPlaceBBytes"/>. Settable
    /// for the probes (Autograd.Bench probe-ab inplace=N) and the tests; 0 packs every B. Rows of B are read with its
    /// own stride, so the bits are those of the packed path.
    /// </summary>
    internal static long? InPlaceBBytes { get; set; }

    /// <summary>For the probes (Autograd.Bench probe-ab strips=N): the most strips per thread of the strip paths.</summary>
    internal static int StripsPerThread { get; set; } = 4;

    /// <summary>Work per part of the strip path: 2²⁰ multiply-adds, about 10 µs on one core here.</summary>
    private const long MinWorkPerPart = 1 << 20;

    /// <summary>
    /// Batch item <paramref name="p"/> with C cut into strips of whole MR-row panels that the threads claim one by one: up
    /// to four strips per thread, so that a thread descheduled while it holds a strip (another process took its core)
    /// delays the call by one strip's work, not by half of the product, and the caller runs every strip nobody has
    /// claimed. Each thread packs the whole of B for itself before its first strip, and each strip packs its own rows of
    /// A, as one thread would; every element is computed by the same operations as in <see cref="Compute{T, TK}"/>.
    /// </summary>
    /// <remarks>
    /// One B packed by all threads into a buffer they all read (as BLIS shares its B block) took a second fork-join
    /// and moved half of the packed B between the cores' caches: measured in one process against it (a toggle between
    /// the two in `probe-ab`, not kept; 15 alternating blocks, 2 threads, new/old time), packing B on each thread took
    /// 0.83 of the time for SGEMM 256, 0.93 for 512, 0.97 for 1024, 0.83 for the MLP's 128×784×256 forward product.
    /// The pack is repeated on every thread, about degree/M of the work (M the rows of C); a product with few rows
    /// against its columns goes to <see cref="ColumnStrips{T, TK}"/>, which repeats the pack of A instead.
    /// </remarks>
    private static void Strips<T, TK>(Problem<T> pr, int p, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int mr = TK.MR, nr = TK.NR, k = pr.K;
        int kBlocks = (k + GemmBlocking.KcLimit - 1) / GemmBlocking.KcLimit;
        int kc = (k + kBlocks - 1) / kBlocks;
        // Every thread keeps its packed B for good: one column block of it stays under 4 MB, so that with A, C and the
        // other threads' copies it stays in L3 (in float64, 8 MB per thread ran DGEMM 1024 at 2 threads 1.04–1.07× slower).
        int ncMax = (int)Math.Clamp((4L << 20) / sizeof(T) / ((long)kBlocks * kc) / nr * nr, nr, GemmBlocking.NcLimit);
        // A B broadcast along k (stride 0) is packed: Block takes a k stride of 0 to mean packed panels.
        bool inPlace = pr.Sbn == 1 && pr.Sbk > 0 && (long)k * pr.N * sizeof(T) <= (InPlaceBBytes ?? TK.InPlaceBBytes);
        if (inPlace) ncMax = GemmBlocking.NcLimit;
        int rowUnits = (pr.M + mr - 1) / mr;
        long work = (long)pr.M * pr.N * k;
        int strips = (int)Math.Clamp(Math.Min((long)StripsPerThread * degree, work / MinWorkPerPart), 2, rowUnits);
        // Strip t takes the row panels [⌊t·units/strips⌋, ⌊(t + 1)·units/strips⌋), so that strips differ by one panel at
        // most: each thread starts on a contiguous range of them, and equal ranges end together. (Strips of a fixed height
        // left the last one short: the MLP's 256×128×784 weight-gradient product ran 144 rows on one thread and 112 on
        // the other, and took 1.06–1.08× as long.)
        int unitsMax = GemmBlocking.McLimit / mr;
        strips = Math.Max(strips, (rowUnits + unitsMax - 1) / unitsMax);
        int stripRows = (rowUnits + strips - 1) / strips * mr;
        T* a = pr.A + p * pr.Sab, b = pr.B + p * pr.Sbb, c = pr.C + p * pr.Scb;
        for (int jc = 0; jc < pr.N; jc += ncMax)
        {
            int nc = Math.Min(ncMax, pr.N - jc), panels = (nc + nr - 1) / nr;
            nint blockSize = (nint)kc * panels * nr;
            var problem = pr;
            int column = jc;
            long call = Interlocked.Increment(ref s_calls);
            WorkerPool.Run(strips, t =>
            {
                // A buffer only this method writes, so that the mark stays true between two strips of one call even when
                // the thread runs other work in between (the Parallel.For fallback of a busy pool).
                // In place, only a last panel narrower than NR is packed (kc·NR values per depth block).
                int packed = inPlace ? nc % nr : nc, packedFrom = column + nc - packed;
                nint packedSize = inPlace ? (nint)kc * nr : blockSize;
                T* bp = Buffers<T>.Strips(Math.Max(1, kBlocks * (int)packedSize));
                if (t_packedCall != call)
                {
                    t_packedCall = 0;
                    if (packed > 0) PackB<T, TK>(problem, b, packedFrom, packed, k, kc, packedSize, bp);
                    t_packedCall = call;
                }
                // B's column sums (the bias gradient of a product run as Cᵀ = Bᵀ·Aᵀ) are made once, by strip 0.
                if (t == 0 && problem.SumB is not null) BlockSums(b + column * problem.Sbn, problem.Sbn, problem.Sbk, nc, k, kc, problem.SumB + column);
                int i0 = (int)((long)rowUnits * t / strips) * mr;
                int mc = Math.Min(problem.M, (int)((long)rowUnits * (t + 1) / strips) * mr) - i0;
                T* ap = Buffers<T>.A(stripRows * GemmBlocking.KcMax);
                T* tmp = stackalloc T[TK.MR * TK.NR];
                bool rowA = problem.Sak == 1 && (problem.Sam != 1 || problem.K >= problem.M);
                T* cBlock = c + i0 * problem.Scm + column * problem.Scn;
                for (int pc = 0, blk = 0; pc < k; pc += kc, blk++)
                {
                    int kb = Math.Min(kc, k - pc);
                    T* aBlock = a + i0 * problem.Sam + pc * problem.Sak;
                    if (column == 0 && problem.SumA is not null) AddRowSums(aBlock, problem.Sam, problem.Sak, kb, mc, problem.SumA + i0);
                    bool last = pc + kb == k;
                    T* bias = last && problem.Bias is not null ? problem.Bias + i0 * problem.Sxm + column * problem.Sxn : null;
                    var epilogue = new Epilogue<T>(bias, problem.Sxm, problem.Sxn, last ? problem.Act : GemmActivation.None);
                    T* bBlock = inPlace ? b + pc * problem.Sbk + column : bp + blk * blockSize, edge = bp + blk * packedSize;
                    nint ldb = inPlace ? problem.Sbk : 0;
                    if (rowA)
                    {
                        GemmPack.ARows<T, TK>(aBlock, problem.Sam, kb, mc, ap);
                        Block<T, TK, RowPanel>(kb, mc, nc, ap, bBlock, ldb, cBlock, problem.Scm, problem.Scn, pc == 0, tmp, edge, epilogue);
                    }
                    else
                    {
                        GemmPack.AColumns<T, TK>(aBlock, problem.Sam, problem.Sak, kb, mc, ap);
                        Block<T, TK, KPanel>(kb, mc, nc, ap, bBlock, ldb, cBlock, problem.Scm, problem.Scn, pc == 0, tmp, edge, epilogue);
                    }
                }
            }, degree);
        }
    }

    /// <summary>For the probes: false leaves every product with more columns than rows to <see cref="Strips{T, TK}"/>.</summary>
    internal static bool UseColumnStrips { get; set; } = true;

    /// <summary>
    /// Whether <see cref="ColumnStrips{T, TK}"/> takes the product: enough column panels for two strips per thread, the
    /// packed A under 2²⁰ elements, and fewer rows than columns when B is read along k (a layer's weight, packed by
    /// register transposes, which row strips repeat on every thread), a quarter as many otherwise.
    /// </summary>
    /// <remarks>
    /// Measured in one process against row strips (Autograd.Bench probe-ab columns, 2 threads, Zen 5; row-strip time /
    /// column-strip time): 1.13–1.20 for 256×784×1024, 256×1024×1024 and 600×1000×1000 with B read along k, 1.02–1.07
    /// for the MLP's 128×784×256 forward, 1.13 for 256×1024×1024 with B as stored; but 0.95–0.98 for 500×500×1200 and
    /// 1000×500×1200 with B as stored, where the row copies of B cost little and the whole A each strip reads does not
    /// stay in L2.
    /// </remarks>
    private static bool ColumnStripsFit<T, TK>(in Problem<T> pr, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        bool bAlongK = pr.Sbk == 1 && pr.Sbn != 1;
        if (!UseColumnStrips || (bAlongK ? pr.M >= pr.N : 4L * pr.M > pr.N) || (pr.N + TK.NR - 1) / TK.NR < 2 * degree) return false;
        int kBlocks = (pr.K + GemmBlocking.KcLimit - 1) / GemmBlocking.KcLimit;
        return RoundUp(pr.M, TK.MR) * GemmBlocking.KcMax * kBlocks <= 1 << 20;
    }

    /// <summary>
    /// <see cref="Strips{T, TK}"/> across C's columns, for products with fewer rows than columns (a layer's forward
    /// product on a small batch): each thread packs the whole of A for itself before its first strip, and each strip
    /// packs its own columns of B, so that each thread packs M·K + K·N/degree values rather than K·N + M·K/degree.
    /// Every element is computed by the same operations as in <see cref="Compute{T, TK}"/>.
    /// </summary>
    private static void ColumnStrips<T, TK>(Problem<T> pr, int p, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int mr = TK.MR, nr = TK.NR, k = pr.K;
        int kBlocks = (k + GemmBlocking.KcLimit - 1) / GemmBlocking.KcLimit;
        int kc = (k + kBlocks - 1) / kBlocks;
        int mcMax = GemmBlocking.McLimit;
        nint blockSize = (nint)RoundUp(pr.M, mr) * GemmBlocking.KcMax;
        int colUnits = (pr.N + nr - 1) / nr;
        long work = (long)pr.M * pr.N * k;
        int strips = (int)Math.Clamp(Math.Min((long)StripsPerThread * degree, work / MinWorkPerPart), 2, colUnits);
        int ncMax = Math.Min(GemmBlocking.NcLimit, (colUnits + strips - 1) / strips * nr);
        strips = Math.Max(strips, (colUnits * nr + ncMax - 1) / ncMax);
        T* a = pr.A + p * pr.Sab, b = pr.B + p * pr.Sbb, c = pr.C + p * pr.Scb;
        bool rowA = pr.Sak == 1 && (pr.Sam != 1 || pr.K >= pr.M);
        var problem = pr;
        long call = Interlocked.Increment(ref s_calls);
        WorkerPool.Run(strips, t =>
        {
            T* ap = Buffers<T>.Strips(kBlocks * (int)blockSize);
            if (t_packedCall != call)
            {
                t_packedCall = 0;
                PackA<T, TK>(problem, a, rowA, k, kc, mcMax, blockSize, ap);
                t_packedCall = call;
            }
            // A's row sums (the bias gradient of a layer beside its weight gradient) are made once, by strip 0.
            if (t == 0 && problem.SumA is not null) BlockSums(a, problem.Sam, problem.Sak, problem.M, k, kc, problem.SumA);
            int j0 = (int)((long)colUnits * t / strips) * nr;
            int nc = Math.Min(problem.N, (int)((long)colUnits * (t + 1) / strips) * nr) - j0;
            T* bp = Buffers<T>.B(ncMax * kc);
            T* tmp = stackalloc T[TK.MR * TK.NR];
            for (int pc = 0, blk = 0; pc < k; pc += kc, blk++)
            {
                int kb = Math.Min(kc, k - pc);
                T* bBlock = b + pc * problem.Sbk + j0 * problem.Sbn;
                GemmPack.B<T, TK>(bBlock, problem.Sbk, problem.Sbn, kb, nc, bp);
                if (problem.SumB is not null) AddColumnSums(bBlock, problem.Sbk, problem.Sbn, kb, nc, problem.SumB + j0);
                bool last = pc + kb == k;
                for (int ic = 0; ic < problem.M; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, problem.M - ic);
                    T* bias = last && problem.Bias is not null ? problem.Bias + ic * problem.Sxm + j0 * problem.Sxn : null;
                    var epilogue = new Epilogue<T>(bias, problem.Sxm, problem.Sxn, last ? problem.Act : GemmActivation.None);
                    T* apBlock = ap + blk * blockSize + (nint)ic * GemmBlocking.KcMax;
                    T* cBlock = c + ic * problem.Scm + j0 * problem.Scn;
                    if (rowA) Block<T, TK, RowPanel>(kb, mc, nc, apBlock, bp, 0, cBlock, problem.Scm, problem.Scn, pc == 0, tmp, null, epilogue);
                    else Block<T, TK, KPanel>(kb, mc, nc, apBlock, bp, 0, cBlock, problem.Scm, problem.Scn, pc == 0, tmp, null, epilogue);
                }
            }
        }, degree);
    }

    /// <summary>
    /// The calls of <see cref="Strips{T, TK}"/> and <see cref="ColumnStrips{T, TK}"/> so far: a thread's
    /// <see cref="Buffers{T}.Strips"/> holds call c's packed B (row strips) or A (column strips) when its <see cref="t_packedCall"/> is c.
    /// </summary>
    private static long s_calls;

    [ThreadStatic] private static long t_packedCall;

    /// <summary>Packs columns [<paramref name="column"/>, column + <paramref name="nc"/>) of B in depth blocks of <paramref name="kc"/>, block blk at <paramref name="bp"/> + blk·<paramref name="blockSize"/>.</summary>
    private static void PackB<T, TK>(in Problem<T> pr, T* b, int column, int nc, int k, int kc, nint blockSize, T* bp)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        for (int pc = 0, blk = 0; pc < k; pc += kc, blk++)
            GemmPack.B<T, TK>(b + pc * pr.Sbk + column * pr.Sbn, pr.Sbk, pr.Sbn, Math.Min(kc, k - pc), nc, bp + blk * blockSize);
    }

    /// <summary>Packs all of A in depth blocks of <paramref name="kc"/> and row blocks of <paramref name="mcMax"/>, row block ic of depth block blk at <paramref name="ap"/> + blk·<paramref name="blockSize"/> + ic·KcMax.</summary>
    private static void PackA<T, TK>(in Problem<T> pr, T* a, bool rowA, int k, int kc, int mcMax, nint blockSize, T* ap)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        for (int pc = 0, blk = 0; pc < k; pc += kc, blk++)
            for (int ic = 0; ic < pr.M; ic += mcMax)
            {
                T* aBlock = a + ic * pr.Sam + pc * pr.Sak, dst = ap + blk * blockSize + (nint)ic * GemmBlocking.KcMax;
                int kb = Math.Min(kc, k - pc), mc = Math.Min(mcMax, pr.M - ic);
                if (rowA) GemmPack.ARows<T, TK>(aBlock, pr.Sam, kb, mc, dst);
                else GemmPack.AColumns<T, TK>(aBlock, pr.Sam, pr.Sak, kb, mc, dst);
            }
    }

    /// <summary>
    /// sums[i] += Σ_k x[i·<paramref name="sLine"/> + k·<paramref name="sK"/>] for <paramref name="lines"/> rows of A (or
    /// columns of B), depth block by depth block in k order, as <see cref="Compute{T, TK}"/> adds them.
    /// </summary>
    private static void BlockSums<T>(T* x, nint sLine, nint sK, int lines, int k, int kc, double* sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int pc = 0; pc < k; pc += kc) AddRowSums(x + pc * sK, sLine, sK, Math.Min(kc, k - pc), lines, sums);
    }

    // sums[i] += Σ_k a[i·sam + k·sak] over a block of A (most often one just packed, so read from the cache), each row's terms in k order:
    // vectors run across rows, and rows contiguous along k are summed four at a time, so that each row still adds its
    // terms one by one (the bits of the plain loop) without waiting on one chain of additions.
    private static void AddRowSums<T>(T* a, nint sam, nint sak, int kb, int mc, double* sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (sam == 1)
        {
            for (int q = 0; q < kb; q++)
            {
                T* row = a + q * sak;
                int i = AddWidened(row, mc, sums);
                for (; i < mc; i++) sums[i] += double.CreateTruncating(row[i]);
            }
            return;
        }
        int r = 0;
        for (; r + 4 <= mc; r += 4)
        {
            T* r0 = a + r * sam, r1 = r0 + sam, r2 = r1 + sam, r3 = r2 + sam;
            double s0 = sums[r], s1 = sums[r + 1], s2 = sums[r + 2], s3 = sums[r + 3];
            for (int q = 0; q < kb; q++)
            {
                nint o = q * sak;
                s0 += double.CreateTruncating(r0[o]);
                s1 += double.CreateTruncating(r1[o]);
                s2 += double.CreateTruncating(r2[o]);
                s3 += double.CreateTruncating(r3[o]);
            }
            (sums[r], sums[r + 1], sums[r + 2], sums[r + 3]) = (s0, s1, s2, s3);
        }
        for (; r < mc; r++)
        {
            T* row = a + r * sam;
            double s = sums[r];
            for (int q = 0; q < kb; q++) s += double.CreateTruncating(row[q * sak]);
            sums[r] = s;
        }
    }

    // sums[i] += x[i] for the leading elements of x that fill whole vectors (float32 widened exactly); returns how many.
    private static int AddWidened<T>(T* x, int n, double* sums) where T : unmanaged
    {
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            float* f = (float*)x;
            if (Vector256.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Avx2)
                for (; i + 8 <= n; i += 8)
                {
                    var (lo, hi) = Vector256.Widen(Vector256.Load(f + i));
                    (Vector256.Load(sums + i) + lo).Store(sums + i);
                    (Vector256.Load(sums + i + 4) + hi).Store(sums + i + 4);
                }
            if (Vector128.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Vector128)
                for (; i + 4 <= n; i += 4)
                {
                    var (lo, hi) = Vector128.Widen(Vector128.Load(f + i));
                    (Vector128.Load(sums + i) + lo).Store(sums + i);
                    (Vector128.Load(sums + i + 2) + hi).Store(sums + i + 2);
                }
        }
        else if (typeof(T) == typeof(double))
        {
            double* d = (double*)x;
            if (Vector256.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Avx2)
                for (; i + 4 <= n; i += 4) (Vector256.Load(sums + i) + Vector256.Load(d + i)).Store(sums + i);
            if (Vector128.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Vector128)
                for (; i + 2 <= n; i += 2) (Vector128.Load(sums + i) + Vector128.Load(d + i)).Store(sums + i);
        }
        return i;
    }

    // sums[j] += Σ_k b[k·sbk + j·sbn] over a block of B, each column's terms in k order.
    private static void AddColumnSums<T>(T* b, nint sbk, nint sbn, int kb, int nc, double* sums) where T : unmanaged, IFloatingPointIeee754<T>
        => AddRowSums(b, sbn, sbk, kb, nc, sums);

    private static long RoundUp(int x, int unit) => (x + unit - 1L) / unit * unit;

    /// <summary>
    /// The split of the work into shares when <see cref="Strips{T, TK}"/> does not apply: whole batch items when there
    /// are at least as many as threads (up to four groups of them per thread), otherwise one tile per thread in a grid of tiles whose edges fall on multiples of <paramref name="mr"/> and
    /// <paramref name="nr"/>. A C long enough for the elementwise ops after the product to share it among threads
    /// (<see cref="Chunks.Threshold"/>) is cut across its rows, so that each thread's share of C is the contiguous range
    /// its share of those ops covers (<paramref name="cRowsAreM"/>: the problem's M runs along C's rows); a line of C
    /// moving between cores measured ~9 ns here, more than repacking B costs. Otherwise the grid repacks as little as
    /// possible (each share packs its own rows of A and columns of B).
    /// </summary>
    private static Share[] Split(int batch, int m, int n, int k, int mr, int nr, bool cRowsAreM = true)
    {
        int degree = Degree((long)batch * m * n * k);
        if (degree <= 1) return [new Share(0, batch, 0, m, 0, n)];
        if (batch >= degree)
        {
            // Up to four groups of items per thread (each packs its own operands, so nothing is packed twice), so that a
            // thread descheduled while it holds one delays the call by one group.
            long work = (long)batch * m * n * k;
            int groups = SharedPacking ? (int)Math.Max(degree, Math.Min(Math.Min(batch, 4L * degree), work / MinWorkPerPart)) : degree;
            var byItem = new Share[groups];
            for (int t = 0; t < groups; t++)
                byItem[t] = new Share(Cut(batch, 1, groups, t), Cut(batch, 1, groups, t + 1), 0, m, 0, n);
            return byItem;
        }
        int rowUnits = (m + mr - 1) / mr, colUnits = (n + nr - 1) / nr;
        int bestTm = 1, bestTn = 1;
        long bestCost = long.MaxValue;
        for (int tm = 1; tm <= degree; tm++)
        {
            int tn = degree / tm;
            if (tm > rowUnits || tn > colUnits) continue;
            // Use as many threads as possible, then contiguous shares of a long C, else least packing traffic (A is
            // packed once per column share, B once per row share).
            long cost = (long)m * n >= Chunks.Threshold ? (cRowsAreM ? tn : tm) : (long)tn * m + (long)tm * n;
            if (tm * tn > bestTm * bestTn || (tm * tn == bestTm * bestTn && cost < bestCost))
                (bestTm, bestTn, bestCost) = (tm, tn, cost);
        }
        var tiles = new Share[bestTm * bestTn];
        for (int i = 0; i < bestTm; i++)
            for (int j = 0; j < bestTn; j++)
                tiles[i * bestTn + j] = new Share(0, batch,
                    Math.Min(m, Cut(rowUnits, mr, bestTm, i)), Math.Min(m, Cut(rowUnits, mr, bestTm, i + 1)),
                    Math.Min(n, Cut(colUnits, nr, bestTn, j)), Math.Min(n, Cut(colUnits, nr, bestTn, j + 1)));
        return tiles;
    }

    // The start of part t of `units` units of `size` elements cut into `parts` near-equal parts.
    private static int Cut(int units, int size, int parts, int t) => (int)((long)units * t / parts) * size;

    /// <summary>Per-thread pack buffers (pinned, 64-byte aligned), grown on demand and kept for the thread's lifetime.</summary>
    private static class Buffers<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _a;
        [ThreadStatic] private static T[]? _b;
        [ThreadStatic] private static T[]? _strips;

        public static T* A(int length) => Get(ref _a, length);
        public static T* B(int length) => Get(ref _b, length);

        /// <summary>The B that <see cref="Strips{T, TK}"/>, or the A that <see cref="ColumnStrips{T, TK}"/>, packs for the thread's strips of one call (written by nothing else).</summary>
        public static T* Strips(int length) => Get(ref _strips, length);

        private static T* Get(ref T[]? array, int length)
        {
            int pad = 64 / sizeof(T);
            if (array is null || array.Length < length + pad)
                array = GC.AllocateUninitializedArray<T>(length + pad, pinned: true);
            nint p = (nint)Unsafe.AsPointer(ref array[0]);
            return (T*)((p + 63) & ~(nint)63);
        }
    }

    /// <summary>
    /// y[i] = Σ_k A[i, k]·B[k] for the rows of a share (N = 1; C's column is contiguous). Each y[i] is one Dot over a
    /// contiguous row, or, when A's columns are the contiguous direction, a sequence of Axpy steps in k order.
    /// </summary>
    private static void MatVec<T, TK>(in Problem<T> pr, Share s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        const int Block = 2048;
        int k = pr.K;
        bool rows = pr.Sak == 1 || pr.Sam != 1;
        // The vector (and a strided row) made contiguous: x at [0, k), the row at [k, 2k).
        T* x = Buffers<T>.B(2 * k), acc = Buffers<T>.A(Block);
        for (int p = s.P0; p < s.P1; p++)
        {
            T* a = pr.A + p * pr.Sab, b = pr.B + p * pr.Sbb, y = pr.C + p * pr.Scb;
            if (rows)
            {
                for (int q = 0; q < k; q++) x[q] = b[q * pr.Sbk];
                for (int i = s.M0; i < s.M1; i++)
                {
                    T* row = a + i * pr.Sam;
                    if (pr.Sak != 1)
                    {
                        for (int q = 0; q < k; q++) x[k + q] = row[q * pr.Sak];
                        row = x + k;
                    }
                    T dot = TK.Dot(k, row, x);
                    y[i * pr.Scm] = pr.Bias is null ? dot : dot + pr.Bias[i * pr.Sxm];
                }
                continue;
            }
            // A's columns are contiguous (a transposed matrix): y = Σ_k B[k]·A[:, k] on blocks of rows kept in L1.
            for (int i0 = s.M0; i0 < s.M1; i0 += Block)
            {
                int len = Math.Min(Block, s.M1 - i0);
                new Span<T>(acc, len).Clear();
                for (int q = 0; q < k; q++) TK.Axpy(len, b[q * pr.Sbk], a + i0 + q * pr.Sak, acc);
                for (int i = 0; i < len; i++) y[(i0 + i) * pr.Scm] = pr.Bias is null ? acc[i] : acc[i] + pr.Bias[(i0 + i) * pr.Sxm];
            }
        }
    }

    private static void Compute<T, TK>(in Problem<T> pr, Share s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int mr = TK.MR, nr = TK.NR, k = pr.K;
        if (s.M0 >= s.M1 || s.N0 >= s.N1) return;
        int kBlocks = (k + GemmBlocking.KcLimit - 1) / GemmBlocking.KcLimit;
        int kc = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.Min(GemmBlocking.NcLimit, (s.N1 - s.N0 + nr - 1) / nr * nr);
        int mcMax = Math.Min(GemmBlocking.McLimit, (s.M1 - s.M0 + mr - 1) / mr * mr);
        T* ap = Buffers<T>.A(mcMax * GemmBlocking.KcMax);
        T* bp = Buffers<T>.B(ncMax * kc);
        T* tmp = stackalloc T[TK.MR * TK.NR];
        // A with unit stride along k is packed by row copies; anything else k-major (copies of MR values when A is transposed).
        bool rowA = pr.Sak == 1 && (pr.Sam != 1 || pr.K >= pr.M);
        for (int p = s.P0; p < s.P1; p++)
        {
            T* a = pr.A + p * pr.Sab, b = pr.B + p * pr.Sbb, c = pr.C + p * pr.Scb;
            for (int jc = s.N0; jc < s.N1; jc += ncMax)
            {
                int nc = Math.Min(ncMax, s.N1 - jc);
                for (int pc = 0; pc < k; pc += kc)
                {
                    int kb = Math.Min(kc, k - pc);
                    T* bBlock = b + pc * pr.Sbk + jc * pr.Sbn;
                    GemmPack.B<T, TK>(bBlock, pr.Sbk, pr.Sbn, kb, nc, bp);
                    // Each sum is made by the one share that starts its other axis at 0, so in k order whatever the split.
                    if (pr.SumB is not null && s.M0 == 0) AddColumnSums(bBlock, pr.Sbk, pr.Sbn, kb, nc, pr.SumB + jc);
                    for (int ic = s.M0; ic < s.M1; ic += mcMax)
                    {
                        int mc = Math.Min(mcMax, s.M1 - ic);
                        T* aBlock = a + ic * pr.Sam + pc * pr.Sak;
                        T* cBlock = c + ic * pr.Scm + jc * pr.Scn;
                        if (pr.SumA is not null && jc == 0) AddRowSums(aBlock, pr.Sam, pr.Sak, kb, mc, pr.SumA + ic);
                        bool last = pc + kb == k;
                        var epilogue = new Epilogue<T>(last && pr.Bias is not null ? pr.Bias + ic * pr.Sxm + jc * pr.Sxn : null, pr.Sxm, pr.Sxn,
                            last ? pr.Act : GemmActivation.None);
                        if (rowA)
                        {
                            GemmPack.ARows<T, TK>(aBlock, pr.Sam, kb, mc, ap);
                            Block<T, TK, RowPanel>(kb, mc, nc, ap, bp, 0, cBlock, pr.Scm, pr.Scn, pc == 0, tmp, null, epilogue);
                        }
                        else
                        {
                            GemmPack.AColumns<T, TK>(aBlock, pr.Sam, pr.Sak, kb, mc, ap);
                            Block<T, TK, KPanel>(kb, mc, nc, ap, bp, 0, cBlock, pr.Scm, pr.Scn, pc == 0, tmp, null, epilogue);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// dst[j] = src[j] (first) or dst[j] + src[j], j &lt; n, for a row of the scratch tile. The tile was just stored by
    /// full-width vector stores, so it is read back with loads of the same width: element loads would each wait for the
    /// store to reach the cache (no store-to-load forwarding from a wider store), which measured ~20 µs per 128×784×128
    /// product, whose 8-row edge tiles are 1 in 11.
    /// </summary>
    private static void EdgeRow<T>(T* src, T* dst, int n, bool first) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Avx512)
            for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count)
            {
                var v = Vector512.Load(src + j);
                (first ? v : Vector512.Load(dst + j) + v).Store(dst + j);
            }
        if (Vector256.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Avx2)
            for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count)
            {
                var v = Vector256.Load(src + j);
                (first ? v : Vector256.Load(dst + j) + v).Store(dst + j);
            }
        if (Vector128.IsHardwareAccelerated && Autograd.Isa.Level >= (int)InstructionSet.Vector128)
            for (; j + Vector128<T>.Count <= n; j += Vector128<T>.Count)
            {
                var v = Vector128.Load(src + j);
                (first ? v : Vector128.Load(dst + j) + v).Store(dst + j);
            }
        for (; j < n; j++) dst[j] = first ? src[j] : dst[j] + src[j];
    }

    /// <summary>
    /// C[mc, nc] (+)= Ap·Bp over one packed block, B panels outermost (kept in L1), A panels innermost (from L2).
    /// C[i, j] is at c + i·scm + j·scn; tiles go straight to C when its rows are contiguous and the tile is whole.
    /// B is packed (<paramref name="ldb"/> 0) or read in place (element (k, j) at bp[k·ldb + j]); in place, a last
    /// panel narrower than NR is read packed from <paramref name="edge"/>, as the kernel reads NR columns.
    /// </summary>
    private static void Block<T, TK, TA>(int kb, int mc, int nc, T* ap, T* bp, nint ldb, T* c, nint scm, nint scn, bool first, T* tmp, T* edge, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
        where TA : struct, IPanelLayout
    {
        int mr = TK.MR, nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nv = Math.Min(nr, nc - jr);
            T* b = ldb == 0 ? bp + (nint)jr * kb : bp + jr;
            nint bs = ldb == 0 ? nr : ldb;
            if (ldb != 0 && nv < nr)
            {
                b = edge;
                bs = nr;
            }
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mv = Math.Min(mr, mc - ir);
                T* a = ap + (nint)ir * GemmBlocking.KcMax;
                T* cc = c + ir * scm + jr * scn;
                if (mv == mr && nv == nr && scn == 1)
                {
                    TK.Run<TA>(kb, a, b, bs, cc, scm, first);
                    epilogue.Apply(cc, scm, scn, ir, jr, mv, nv);
                    continue;
                }
                // Edge or transposed tile: the same kernel into a scratch tile, then the same C = acc or C + acc.
                TK.Run<TA>(kb, a, b, bs, tmp, nr, true);
                for (int i = 0; i < mv; i++)
                {
                    T* src = tmp + i * nr, dst = cc + i * scm;
                    if (scn == 1) EdgeRow(src, dst, nv, first);
                    else if (first)
                        for (int j = 0; j < nv; j++) dst[j * scn] = src[j];
                    else
                        for (int j = 0; j < nv; j++) dst[j * scn] += src[j];
                }
                epilogue.Apply(cc, scm, scn, ir, jr, mv, nv);
            }
        }
    }

    /// <summary>
    /// What a finished tile gets before the next one is computed, while it is still in L1: the bias (null: nothing)
    /// of element (i, j) of the block at Bias + i·Sm + j·Sn, then the activation.
    /// </summary>
    private readonly struct Epilogue<T>(T* bias, nint sm, nint sn, GemmActivation act) where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T* _bias = bias;
        private readonly nint _sm = sm, _sn = sn;
        private readonly GemmActivation _act = act;

        public void Apply(T* c, nint scm, nint scn, int i0, int j0, int mv, int nv)
        {
            if (_bias is not null) AddBias(c, scm, scn, i0, j0, mv, nv);
            if (_act != GemmActivation.None) Activate(c, scm, scn, mv, nv);
        }

        // Rows of the tile through the op's own driver (each element's bits do not depend on where it falls in a span);
        // a transposed tile (columns contiguous) element by element with the same scalar formula.
        private void Activate(T* c, nint scm, nint scn, int mv, int nv)
        {
            if (scn == 1)
            {
                for (int i = 0; i < mv; i++)
                {
                    var row = new Span<T>(c + i * scm, nv);
                    Spans.Unary<T, ReluOperator>(row, row);
                }
                return;
            }
            if (scm == 1)
            {
                for (int j = 0; j < nv; j++)
                {
                    var column = new Span<T>(c + j * scn, mv);
                    Spans.Unary<T, ReluOperator>(column, column);
                }
                return;
            }
            for (int i = 0; i < mv; i++)
                for (int j = 0; j < nv; j++) c[i * scm + j * scn] = ReluOperator.Invoke(c[i * scm + j * scn]);
        }

        private void AddBias(T* c, nint scm, nint scn, int i0, int j0, int mv, int nv)
        {
            for (int i = 0; i < mv; i++)
            {
                T* row = c + i * scm;
                T* x = _bias + (i0 + i) * _sm + j0 * _sn;
                if (scn == 1 && _sn == 1) AddRow(row, x, nv);
                else if (scn == 1 && _sn == 0) AddScalar(row, *x, nv);
                else
                    for (int j = 0; j < nv; j++) row[j * scn] += x[j * _sn];
            }
        }

        // The same IEEE additions at every width, so the bits do not depend on which width ran.
        private static void AddRow(T* c, T* x, int n)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count) (Vector512.Load(c + j) + Vector512.Load(x + j)).Store(c + j);
            if (Vector256.IsHardwareAccelerated)
                for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count) (Vector256.Load(c + j) + Vector256.Load(x + j)).Store(c + j);
            for (; j < n; j++) c[j] += x[j];
        }

        private static void AddScalar(T* c, T x, int n)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count) (Vector512.Load(c + j) + Vector512.Create(x)).Store(c + j);
            if (Vector256.IsHardwareAccelerated)
                for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count) (Vector256.Load(c + j) + Vector256.Create(x)).Store(c + j);
            for (; j < n; j++) c[j] += x;
        }
    }
}
