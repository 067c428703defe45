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

    /// <summary>acc = Σ_k a(i, k)·b[k·NR + j] over <paramref name="kc"/> steps; C = acc when <paramref name="first"/>, else C + acc.</summary>
    /// <typeparam name="TA">The layout of the packed A panel.</typeparam>
    /// <param name="kc">The depth of the panels.</param>
    /// <param name="a">The packed MR×kc panel of A.</param>
    /// <param name="b">The packed kc×NR panel of B.</param>
    /// <param name="c">The top-left element of the C tile.</param>
    /// <param name="ldc">The distance between rows of C, in elements.</param>
    /// <param name="first">Whether this is the first depth block, which overwrites C instead of adding to it.</param>
    static abstract void Run<TA>(int kc, T* a, T* b, T* c, nint ldc, bool first) where TA : struct, IPanelLayout;

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
    /// <summary>Depth of one packed block (K is cut into ⌈K/KcMax⌉ equal blocks).</summary>
    public const int KcMax = 256;
    /// <summary>Rows of A packed at once (a multiple of every kernel's MR: 12, 6, 6, 4).</summary>
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
    internal static void MultiplyInto(Tensor a, Tensor b, Tensor c)
    {
        if (a.DType == DType.Float32) Run<float>(a, b, c);
        else Run<double>(a, b, c);
    }

    private static void Run<T>(Tensor a, Tensor b, Tensor c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Isa)
        {
            case GemmIsa.Avx512: Run<T, Avx512Kernel<T>>(a, b, c); break;
            case GemmIsa.Avx2: Run<T, Avx2Kernel<T>>(a, b, c); break;
            case GemmIsa.Vector128: Run<T, Vector128Kernel<T>>(a, b, c); break;
            default: Run<T, ScalarKernel<T>>(a, b, c); break;
        }
    }

    /// <summary>Pointers and element strides of one call: C[p, i, j] at C + p·Scb + i·Scm + j·Scn.</summary>
    private readonly struct Problem<T> where T : unmanaged
    {
        public readonly T* A, B, C;
        public readonly nint Sab, Sam, Sak, Sbb, Sbk, Sbn, Scb, Scm, Scn;
        public readonly int Batch, M, N, K;

        public Problem(T* a, Tensor ta, T* b, Tensor tb, T* c, int batch, int m, int n, int k)
        {
            A = a + ta.Offset;
            B = b + tb.Offset;
            C = c;
            (Sab, Sam, Sak) = (ta.StrideArray[0], ta.StrideArray[1], ta.StrideArray[2]);
            (Sbb, Sbk, Sbn) = (tb.StrideArray[0], tb.StrideArray[1], tb.StrideArray[2]);
            (Scb, Scm, Scn) = ((nint)m * n, n, 1);
            (Batch, M, N, K) = (batch, m, n, k);
        }

        private Problem(in Problem<T> p)
        {
            A = p.B;
            B = p.A;
            C = p.C;
            (Sab, Sam, Sak) = (p.Sbb, p.Sbn, p.Sbk);
            (Sbb, Sbk, Sbn) = (p.Sab, p.Sak, p.Sam);
            (Scb, Scm, Scn) = (p.Scb, p.Scn, p.Scm);
            (Batch, M, N, K) = (p.Batch, p.N, p.M, p.K);
        }

        /// <summary>The same product seen as Cᵀ = Bᵀ·Aᵀ (no data moves, only pointers and strides swap).</summary>
        public Problem<T> Transposed() => new(this);
    }

    /// <summary>One thread's share: batch items [P0, P1), rows [M0, M1), columns [N0, N1) of each.</summary>
    private readonly record struct Share(int P0, int P1, int M0, int M1, int N0, int N1);

    private static void Run<T, TK>(Tensor a, Tensor b, Tensor c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int batch = a.Dims[0], m = a.Dims[1], k = a.Dims[2], n = b.Dims[2];
        T[] xc = c.Array<T>();
        if (xc.Length == 0) return;
        if (k == 0)
        {
            xc.AsSpan().Clear();
            return;
        }
        fixed (T* pa = a.Array<T>(), pb = b.Array<T>(), pc = xc)
        {
            var problem = new Problem<T>(pa, a, pb, b, pc, batch, m, n, k);
            if (m == 1 || n == 1)
            {
                // Matrix·vector: y[i] = Σ_k M[i, k]·x[k] with y = C's only row or column.
                if (n != 1) problem = problem.Transposed();
                var rows = Split(batch, problem.M, 1, k, 64, 1);
                if (rows.Length == 1) MatVec<T, TK>(problem, rows[0]);
                else WorkerPool.Run(rows.Length, t => MatVec<T, TK>(problem, rows[t]));
                return;
            }
            // Edge tiles waste work: when N is small and M is not (G·W for a narrow layer, say), Cᵀ = Bᵀ·Aᵀ has fuller tiles.
            long padded = RoundUp(m, TK.MR) * RoundUp(n, TK.NR), swapped = RoundUp(n, TK.MR) * RoundUp(m, TK.NR);
            if (swapped * 10 < padded * 9) problem = problem.Transposed();
            var shares = Split(batch, problem.M, problem.N, k, TK.MR, TK.NR, cRowsAreM: problem.Scn == 1);
            if (shares.Length == 1) Compute<T, TK>(problem, shares[0]);
            else WorkerPool.Run(shares.Length, t => Compute<T, TK>(problem, shares[t]));
        }
    }

    private static long RoundUp(int x, int unit) => (x + unit - 1L) / unit * unit;

    /// <summary>
    /// The fixed split of the work into at most <see cref="Parallelism.MaxDegree"/> shares: whole batch items when there
    /// are enough of them, otherwise a grid of tiles whose edges fall on multiples of <paramref name="mr"/> and
    /// <paramref name="nr"/>. A C long enough for the elementwise ops after the product to share it among threads
    /// (<see cref="Chunks.Threshold"/>) is cut across its rows, so that each thread's share of C is the contiguous range
    /// its share of those ops covers (<paramref name="cRowsAreM"/>: the problem's M runs along C's rows); a line of C
    /// moving between cores measured ~9 ns here, more than repacking B costs. Otherwise the grid repacks as little as
    /// possible (each share packs its own rows of A and columns of B).
    /// </summary>
    private static Share[] Split(int batch, int m, int n, int k, int mr, int nr, bool cRowsAreM = true)
    {
        long work = (long)batch * m * n * k;
        int degree = Parallelism.MaxDegree;
        if (work < GemmBlocking.ParallelThreshold) degree = 1;
        degree = (int)Math.Min(degree, Math.Max(1, work / GemmBlocking.MinWorkPerThread));
        if (degree <= 1) return [new Share(0, batch, 0, m, 0, n)];
        if (batch >= degree)
        {
            var byItem = new Share[degree];
            for (int t = 0; t < degree; t++)
                byItem[t] = new Share(Cut(batch, 1, degree, t), Cut(batch, 1, degree, t + 1), 0, m, 0, n);
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

        public static T* A(int length) => Get(ref _a, length);
        public static T* B(int length) => Get(ref _b, length);

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
                    y[i * pr.Scm] = TK.Dot(k, row, x);
                }
                continue;
            }
            // A's columns are contiguous (a transposed matrix): y = Σ_k B[k]·A[:, k] on blocks of rows kept in L1.
            for (int i0 = s.M0; i0 < s.M1; i0 += Block)
            {
                int len = Math.Min(Block, s.M1 - i0);
                new Span<T>(acc, len).Clear();
                for (int q = 0; q < k; q++) TK.Axpy(len, b[q * pr.Sbk], a + i0 + q * pr.Sak, acc);
                for (int i = 0; i < len; i++) y[(i0 + i) * pr.Scm] = acc[i];
            }
        }
    }

    private static void Compute<T, TK>(in Problem<T> pr, Share s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int mr = TK.MR, nr = TK.NR, k = pr.K;
        if (s.M0 >= s.M1 || s.N0 >= s.N1) return;
        int kBlocks = (k + GemmBlocking.KcMax - 1) / GemmBlocking.KcMax;
        int kc = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.Min(GemmBlocking.NcMax, (s.N1 - s.N0 + nr - 1) / nr * nr);
        int mcMax = Math.Min(GemmBlocking.McMax, (s.M1 - s.M0 + mr - 1) / mr * mr);
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
                    GemmPack.B<T, TK>(b + pc * pr.Sbk + jc * pr.Sbn, pr.Sbk, pr.Sbn, kb, nc, bp);
                    for (int ic = s.M0; ic < s.M1; ic += mcMax)
                    {
                        int mc = Math.Min(mcMax, s.M1 - ic);
                        T* aBlock = a + ic * pr.Sam + pc * pr.Sak;
                        T* cBlock = c + ic * pr.Scm + jc * pr.Scn;
                        if (rowA)
                        {
                            GemmPack.ARows<T, TK>(aBlock, pr.Sam, kb, mc, ap);
                            Block<T, TK, RowPanel>(kb, mc, nc, ap, bp, cBlock, pr.Scm, pr.Scn, pc == 0, tmp);
                        }
                        else
                        {
                            GemmPack.AColumns<T, TK>(aBlock, pr.Sam, pr.Sak, kb, mc, ap);
                            Block<T, TK, KPanel>(kb, mc, nc, ap, bp, cBlock, pr.Scm, pr.Scn, pc == 0, tmp);
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
    /// </summary>
    private static void Block<T, TK, TA>(int kb, int mc, int nc, T* ap, T* bp, T* c, nint scm, nint scn, bool first, T* tmp)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
        where TA : struct, IPanelLayout
    {
        int mr = TK.MR, nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nv = Math.Min(nr, nc - jr);
            T* b = bp + (nint)jr * kb;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mv = Math.Min(mr, mc - ir);
                T* a = ap + (nint)ir * GemmBlocking.KcMax;
                T* cc = c + ir * scm + jr * scn;
                if (mv == mr && nv == nr && scn == 1)
                {
                    TK.Run<TA>(kb, a, b, cc, scm, first);
                    continue;
                }
                // Edge or transposed tile: the same kernel into a scratch tile, then the same C = acc or C + acc.
                TK.Run<TA>(kb, a, b, tmp, nr, true);
                for (int i = 0; i < mv; i++)
                {
                    T* src = tmp + i * nr, dst = cc + i * scm;
                    if (scn == 1) EdgeRow(src, dst, nv, first);
                    else if (first)
                        for (int j = 0; j < nv; j++) dst[j * scn] = src[j];
                    else
                        for (int j = 0; j < nv; j++) dst[j * scn] += src[j];
                }
            }
        }
    }
}
