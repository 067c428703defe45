// The register-blocked micro-kernels of Gemm.cs. Each computes one MR×NR tile of C from a packed A panel (MR rows,
// RowMajor or k-major, see IPanelLayout) and a packed B panel (k-major, NR contiguous values per k):
//     acc[i, j] = Σ_k a(i, k)·b[k·NR + j]   (one fused multiply-add per term, k in increasing order, from zero)
//     C[i, j]   = first ? acc[i, j] : C[i, j] + acc[i, j]
// so every element of C is computed by the same operations whatever the tile's position or the thread running it.
// Dot and Axpy serve the matrix·vector shapes (M = 1 or N = 1), with the same guarantee per output element.
// The vector kernels are written out (accumulators must be locals to live in registers). They are edited by hand: the
// Vector128 kernel is the Vector256 one with the vector type replaced (keep the two in step), and a change of MR means
// writing out one row of accumulators per row of the tile and keeping GemmBlocking.McMax a multiple of every MR.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// AVX-512: a 6×(4·16) float or 6×(4·8) double tile in 24 zmm accumulators, 4 for B, 1 broadcast. Four B vectors per
/// broadcast (10 loads per 24 multiply-adds, against 14 for a 12×(2·16) tile) ran the kernel 1.10–1.15× faster on
/// panels in cache (Autograd.Bench probe-kernel, Emerald Rapids), and SGEMM 3–10% faster at 1 and 2 threads.
/// </summary>
internal readonly unsafe struct Avx512Kernel<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;
    public static int NR => 4 * Vector512<T>.Count;

    // Measured in one process against packing (Autograd.Bench probe-ab inplace, 2 threads, Zen 5, in-place time / packed
    // time): 0.96 for SGEMM 256 and 384 and for the MLP's 256×128×784 weight gradient, 0.92 for DGEMM 256, 0.99 for the
    // MLP step; 0.98–1.00 for SGEMM 512 (1 MB), but 1.03 for DGEMM 512 (2 MB) and 1.02 for the wide step's 4 MB weights.
    public static long InPlaceBBytes => 1 << 20;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
    {
        nint rs = TA.RowMajor ? GemmBlocking.KcMax : 1;   // distance between the panel's rows
        nint ks = TA.RowMajor ? 1 : 6;                   // distance between k steps
        int v = Vector512<T>.Count;
        Vector512<T> c0a = Vector512<T>.Zero, c0b = Vector512<T>.Zero, c0c = Vector512<T>.Zero, c0d = Vector512<T>.Zero;
        Vector512<T> c1a = Vector512<T>.Zero, c1b = Vector512<T>.Zero, c1c = Vector512<T>.Zero, c1d = Vector512<T>.Zero;
        Vector512<T> c2a = Vector512<T>.Zero, c2b = Vector512<T>.Zero, c2c = Vector512<T>.Zero, c2d = Vector512<T>.Zero;
        Vector512<T> c3a = Vector512<T>.Zero, c3b = Vector512<T>.Zero, c3c = Vector512<T>.Zero, c3d = Vector512<T>.Zero;
        Vector512<T> c4a = Vector512<T>.Zero, c4b = Vector512<T>.Zero, c4c = Vector512<T>.Zero, c4d = Vector512<T>.Zero;
        Vector512<T> c5a = Vector512<T>.Zero, c5b = Vector512<T>.Zero, c5c = Vector512<T>.Zero, c5d = Vector512<T>.Zero;
        // C's lines are fetched while the loop runs (they are read or overwritten at the end).
        if (Sse.IsSupported)
            for (int i = 0; i < 6; i++)
            {
                byte* row = (byte*)(c + i * ldc);
                Sse.Prefetch0(row);
                Sse.Prefetch0(row + 64);
                Sse.Prefetch0(row + 128);
                Sse.Prefetch0(row + 192);
            }
        for (int k = 0; k < kc; k++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + v), b2 = Vector512.Load(b + 2 * v), b3 = Vector512.Load(b + 3 * v);
            Vector512<T> x;
            x = Vector512.Create(a[0]); c0a = Fma(x, b0, c0a); c0b = Fma(x, b1, c0b); c0c = Fma(x, b2, c0c); c0d = Fma(x, b3, c0d);
            x = Vector512.Create(a[1 * rs]); c1a = Fma(x, b0, c1a); c1b = Fma(x, b1, c1b); c1c = Fma(x, b2, c1c); c1d = Fma(x, b3, c1d);
            x = Vector512.Create(a[2 * rs]); c2a = Fma(x, b0, c2a); c2b = Fma(x, b1, c2b); c2c = Fma(x, b2, c2c); c2d = Fma(x, b3, c2d);
            x = Vector512.Create(a[3 * rs]); c3a = Fma(x, b0, c3a); c3b = Fma(x, b1, c3b); c3c = Fma(x, b2, c3c); c3d = Fma(x, b3, c3d);
            x = Vector512.Create(a[4 * rs]); c4a = Fma(x, b0, c4a); c4b = Fma(x, b1, c4b); c4c = Fma(x, b2, c4c); c4d = Fma(x, b3, c4d);
            x = Vector512.Create(a[5 * rs]); c5a = Fma(x, b0, c5a); c5b = Fma(x, b1, c5b); c5c = Fma(x, b2, c5c); c5d = Fma(x, b3, c5d);
            a += ks;
            b += ldb;
        }
        if (first)
        {
            c0a.Store(c + 0 * ldc + 0 * v); c0b.Store(c + 0 * ldc + 1 * v); c0c.Store(c + 0 * ldc + 2 * v); c0d.Store(c + 0 * ldc + 3 * v);
            c1a.Store(c + 1 * ldc + 0 * v); c1b.Store(c + 1 * ldc + 1 * v); c1c.Store(c + 1 * ldc + 2 * v); c1d.Store(c + 1 * ldc + 3 * v);
            c2a.Store(c + 2 * ldc + 0 * v); c2b.Store(c + 2 * ldc + 1 * v); c2c.Store(c + 2 * ldc + 2 * v); c2d.Store(c + 2 * ldc + 3 * v);
            c3a.Store(c + 3 * ldc + 0 * v); c3b.Store(c + 3 * ldc + 1 * v); c3c.Store(c + 3 * ldc + 2 * v); c3d.Store(c + 3 * ldc + 3 * v);
            c4a.Store(c + 4 * ldc + 0 * v); c4b.Store(c + 4 * ldc + 1 * v); c4c.Store(c + 4 * ldc + 2 * v); c4d.Store(c + 4 * ldc + 3 * v);
            c5a.Store(c + 5 * ldc + 0 * v); c5b.Store(c + 5 * ldc + 1 * v); c5c.Store(c + 5 * ldc + 2 * v); c5d.Store(c + 5 * ldc + 3 * v);
        }
        else
        {
            (Vector512.Load(c + 0 * ldc + 0 * v) + c0a).Store(c + 0 * ldc + 0 * v); (Vector512.Load(c + 0 * ldc + 1 * v) + c0b).Store(c + 0 * ldc + 1 * v); (Vector512.Load(c + 0 * ldc + 2 * v) + c0c).Store(c + 0 * ldc + 2 * v); (Vector512.Load(c + 0 * ldc + 3 * v) + c0d).Store(c + 0 * ldc + 3 * v);
            (Vector512.Load(c + 1 * ldc + 0 * v) + c1a).Store(c + 1 * ldc + 0 * v); (Vector512.Load(c + 1 * ldc + 1 * v) + c1b).Store(c + 1 * ldc + 1 * v); (Vector512.Load(c + 1 * ldc + 2 * v) + c1c).Store(c + 1 * ldc + 2 * v); (Vector512.Load(c + 1 * ldc + 3 * v) + c1d).Store(c + 1 * ldc + 3 * v);
            (Vector512.Load(c + 2 * ldc + 0 * v) + c2a).Store(c + 2 * ldc + 0 * v); (Vector512.Load(c + 2 * ldc + 1 * v) + c2b).Store(c + 2 * ldc + 1 * v); (Vector512.Load(c + 2 * ldc + 2 * v) + c2c).Store(c + 2 * ldc + 2 * v); (Vector512.Load(c + 2 * ldc + 3 * v) + c2d).Store(c + 2 * ldc + 3 * v);
            (Vector512.Load(c + 3 * ldc + 0 * v) + c3a).Store(c + 3 * ldc + 0 * v); (Vector512.Load(c + 3 * ldc + 1 * v) + c3b).Store(c + 3 * ldc + 1 * v); (Vector512.Load(c + 3 * ldc + 2 * v) + c3c).Store(c + 3 * ldc + 2 * v); (Vector512.Load(c + 3 * ldc + 3 * v) + c3d).Store(c + 3 * ldc + 3 * v);
            (Vector512.Load(c + 4 * ldc + 0 * v) + c4a).Store(c + 4 * ldc + 0 * v); (Vector512.Load(c + 4 * ldc + 1 * v) + c4b).Store(c + 4 * ldc + 1 * v); (Vector512.Load(c + 4 * ldc + 2 * v) + c4c).Store(c + 4 * ldc + 2 * v); (Vector512.Load(c + 4 * ldc + 3 * v) + c4d).Store(c + 4 * ldc + 3 * v);
            (Vector512.Load(c + 5 * ldc + 0 * v) + c5a).Store(c + 5 * ldc + 0 * v); (Vector512.Load(c + 5 * ldc + 1 * v) + c5b).Store(c + 5 * ldc + 1 * v); (Vector512.Load(c + 5 * ldc + 2 * v) + c5c).Store(c + 5 * ldc + 2 * v); (Vector512.Load(c + 5 * ldc + 3 * v) + c5d).Store(c + 5 * ldc + 3 * v);
        }
    }

    public static T Dot(int n, T* x, T* y)
    {
        int v = Vector512<T>.Count, i = 0;
        Vector512<T> s0 = Vector512<T>.Zero, s1 = Vector512<T>.Zero, s2 = Vector512<T>.Zero, s3 = Vector512<T>.Zero;
        for (; i <= n - 4 * v; i += 4 * v)
        {
            s0 = Fma(Vector512.Load(x + i), Vector512.Load(y + i), s0);
            s1 = Fma(Vector512.Load(x + i + v), Vector512.Load(y + i + v), s1);
            s2 = Fma(Vector512.Load(x + i + 2 * v), Vector512.Load(y + i + 2 * v), s2);
            s3 = Fma(Vector512.Load(x + i + 3 * v), Vector512.Load(y + i + 3 * v), s3);
        }
        for (; i <= n - v; i += v) s0 = Fma(Vector512.Load(x + i), Vector512.Load(y + i), s0);
        T sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum = T.FusedMultiplyAdd(x[i], y[i], sum);
        return sum;
    }

    public static void Axpy(int n, T alpha, T* x, T* y)
    {
        int v = Vector512<T>.Count, i = 0;
        Vector512<T> a = Vector512.Create(alpha);
        for (; i <= n - v; i += v) Fma(a, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
        for (; i < n; i++) y[i] = T.FusedMultiplyAdd(alpha, x[i], y[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> z) =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
}

/// <summary>AVX2/FMA (16 ymm registers): a 6×(2·8) float or 6×(2·4) double tile in 12 accumulators, 2 for B, 1 broadcast.</summary>
internal readonly unsafe struct Avx2Kernel<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;
    public static int NR => 2 * Vector256<T>.Count;

    // Packed, always: on Zen 3 (32 KB L1d, 512 KB L2), B read in place took 1.2–1.4× the time of B packed on each
    // thread (probe-ab inplace=0, 2 threads: SGEMM 256 0.82, 384 0.85, 512 0.73, DGEMM 256 0.75 of the in-place time).
    public static long InPlaceBBytes => 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
    {
        nint rs = TA.RowMajor ? GemmBlocking.KcMax : 1;   // distance between the panel's rows
        nint ks = TA.RowMajor ? 1 : 6;                  // distance between k steps
        int v = Vector256<T>.Count;
        Vector256<T> c0a = Vector256<T>.Zero, c0b = Vector256<T>.Zero;
        Vector256<T> c1a = Vector256<T>.Zero, c1b = Vector256<T>.Zero;
        Vector256<T> c2a = Vector256<T>.Zero, c2b = Vector256<T>.Zero;
        Vector256<T> c3a = Vector256<T>.Zero, c3b = Vector256<T>.Zero;
        Vector256<T> c4a = Vector256<T>.Zero, c4b = Vector256<T>.Zero;
        Vector256<T> c5a = Vector256<T>.Zero, c5b = Vector256<T>.Zero;
        // C's lines are fetched while the loop runs (they are read or overwritten at the end).
        if (Sse.IsSupported)
            for (int i = 0; i < 6; i++)
            {
                Sse.Prefetch0(c + i * ldc);
                Sse.Prefetch0((byte*)(c + i * ldc) + 64);
            }
        // Two k steps per iteration, each accumulator's terms still in k order: on Zen 3, SGEMM 256 at one thread ran at
        // 0.865 of an FMA loop against 0.820 (medians of 7 runs of probe-isa, alternating), 1024 and DGEMM 1024 unchanged.
        int k = 0;
        for (; k + 1 < kc; k += 2)
        {
            Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + v);
            Vector256<T> x;
            x = Vector256.Create(a[0]); c0a = Fma(x, b0, c0a); c0b = Fma(x, b1, c0b);
            x = Vector256.Create(a[1 * rs]); c1a = Fma(x, b0, c1a); c1b = Fma(x, b1, c1b);
            x = Vector256.Create(a[2 * rs]); c2a = Fma(x, b0, c2a); c2b = Fma(x, b1, c2b);
            x = Vector256.Create(a[3 * rs]); c3a = Fma(x, b0, c3a); c3b = Fma(x, b1, c3b);
            x = Vector256.Create(a[4 * rs]); c4a = Fma(x, b0, c4a); c4b = Fma(x, b1, c4b);
            x = Vector256.Create(a[5 * rs]); c5a = Fma(x, b0, c5a); c5b = Fma(x, b1, c5b);
            b0 = Vector256.Load(b + ldb); b1 = Vector256.Load(b + ldb + v);
            x = Vector256.Create(a[ks]); c0a = Fma(x, b0, c0a); c0b = Fma(x, b1, c0b);
            x = Vector256.Create(a[ks + 1 * rs]); c1a = Fma(x, b0, c1a); c1b = Fma(x, b1, c1b);
            x = Vector256.Create(a[ks + 2 * rs]); c2a = Fma(x, b0, c2a); c2b = Fma(x, b1, c2b);
            x = Vector256.Create(a[ks + 3 * rs]); c3a = Fma(x, b0, c3a); c3b = Fma(x, b1, c3b);
            x = Vector256.Create(a[ks + 4 * rs]); c4a = Fma(x, b0, c4a); c4b = Fma(x, b1, c4b);
            x = Vector256.Create(a[ks + 5 * rs]); c5a = Fma(x, b0, c5a); c5b = Fma(x, b1, c5b);
            a += 2 * ks;
            b += 2 * ldb;
        }
        for (; k < kc; k++)
        {
            Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + v);
            Vector256<T> x;
            x = Vector256.Create(a[0]); c0a = Fma(x, b0, c0a); c0b = Fma(x, b1, c0b);
            x = Vector256.Create(a[1 * rs]); c1a = Fma(x, b0, c1a); c1b = Fma(x, b1, c1b);
            x = Vector256.Create(a[2 * rs]); c2a = Fma(x, b0, c2a); c2b = Fma(x, b1, c2b);
            x = Vector256.Create(a[3 * rs]); c3a = Fma(x, b0, c3a); c3b = Fma(x, b1, c3b);
            x = Vector256.Create(a[4 * rs]); c4a = Fma(x, b0, c4a); c4b = Fma(x, b1, c4b);
            x = Vector256.Create(a[5 * rs]); c5a = Fma(x, b0, c5a); c5b = Fma(x, b1, c5b);
            a += ks;
            b += ldb;
        }
        if (first)
        {
            c0a.Store(c + 0 * ldc); c0b.Store(c + 0 * ldc + v);
            c1a.Store(c + 1 * ldc); c1b.Store(c + 1 * ldc + v);
            c2a.Store(c + 2 * ldc); c2b.Store(c + 2 * ldc + v);
            c3a.Store(c + 3 * ldc); c3b.Store(c + 3 * ldc + v);
            c4a.Store(c + 4 * ldc); c4b.Store(c + 4 * ldc + v);
            c5a.Store(c + 5 * ldc); c5b.Store(c + 5 * ldc + v);
        }
        else
        {
            (Vector256.Load(c + 0 * ldc) + c0a).Store(c + 0 * ldc); (Vector256.Load(c + 0 * ldc + v) + c0b).Store(c + 0 * ldc + v);
            (Vector256.Load(c + 1 * ldc) + c1a).Store(c + 1 * ldc); (Vector256.Load(c + 1 * ldc + v) + c1b).Store(c + 1 * ldc + v);
            (Vector256.Load(c + 2 * ldc) + c2a).Store(c + 2 * ldc); (Vector256.Load(c + 2 * ldc + v) + c2b).Store(c + 2 * ldc + v);
            (Vector256.Load(c + 3 * ldc) + c3a).Store(c + 3 * ldc); (Vector256.Load(c + 3 * ldc + v) + c3b).Store(c + 3 * ldc + v);
            (Vector256.Load(c + 4 * ldc) + c4a).Store(c + 4 * ldc); (Vector256.Load(c + 4 * ldc + v) + c4b).Store(c + 4 * ldc + v);
            (Vector256.Load(c + 5 * ldc) + c5a).Store(c + 5 * ldc); (Vector256.Load(c + 5 * ldc + v) + c5b).Store(c + 5 * ldc + v);
        }
    }

    public static T Dot(int n, T* x, T* y)
    {
        int v = Vector256<T>.Count, i = 0;
        Vector256<T> s0 = Vector256<T>.Zero, s1 = Vector256<T>.Zero, s2 = Vector256<T>.Zero, s3 = Vector256<T>.Zero;
        for (; i <= n - 4 * v; i += 4 * v)
        {
            s0 = Fma(Vector256.Load(x + i), Vector256.Load(y + i), s0);
            s1 = Fma(Vector256.Load(x + i + v), Vector256.Load(y + i + v), s1);
            s2 = Fma(Vector256.Load(x + i + 2 * v), Vector256.Load(y + i + 2 * v), s2);
            s3 = Fma(Vector256.Load(x + i + 3 * v), Vector256.Load(y + i + 3 * v), s3);
        }
        for (; i <= n - v; i += v) s0 = Fma(Vector256.Load(x + i), Vector256.Load(y + i), s0);
        T sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum = T.FusedMultiplyAdd(x[i], y[i], sum);
        return sum;
    }

    public static void Axpy(int n, T alpha, T* x, T* y)
    {
        int v = Vector256<T>.Count, i = 0;
        Vector256<T> a = Vector256.Create(alpha);
        for (; i <= n - v; i += v) Fma(a, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
        for (; i < n; i++) y[i] = T.FusedMultiplyAdd(alpha, x[i], y[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> z) =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
}

/// <summary>
/// Vector128 with fused multiply-add (FMA3 on x86-64, NEON on ARM64; 16 xmm registers on x86): a 6×(2·4) float or
/// 6×(2·2) double tile in 12 accumulators, 2 for B, 1 broadcast. The Vector256 kernel with the vector type replaced.
/// </summary>
internal readonly unsafe struct Vector128Kernel<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;
    public static int NR => 2 * Vector128<T>.Count;

    // Packed, always: as for the AVX2 kernel (on Zen 3: SGEMM 256 0.88, 512 0.72, DGEMM 256 0.75 of the in-place time).
    public static long InPlaceBBytes => 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
    {
        nint rs = TA.RowMajor ? GemmBlocking.KcMax : 1;   // distance between the panel's rows
        nint ks = TA.RowMajor ? 1 : 6;                  // distance between k steps
        int v = Vector128<T>.Count;
        Vector128<T> c0a = Vector128<T>.Zero, c0b = Vector128<T>.Zero;
        Vector128<T> c1a = Vector128<T>.Zero, c1b = Vector128<T>.Zero;
        Vector128<T> c2a = Vector128<T>.Zero, c2b = Vector128<T>.Zero;
        Vector128<T> c3a = Vector128<T>.Zero, c3b = Vector128<T>.Zero;
        Vector128<T> c4a = Vector128<T>.Zero, c4b = Vector128<T>.Zero;
        Vector128<T> c5a = Vector128<T>.Zero, c5b = Vector128<T>.Zero;
        // C's lines are fetched while the loop runs (they are read or overwritten at the end).
        if (Sse.IsSupported)
            for (int i = 0; i < 6; i++)
            {
                Sse.Prefetch0(c + i * ldc);
            }
        for (int k = 0; k < kc; k++)
        {
            Vector128<T> b0 = Vector128.Load(b), b1 = Vector128.Load(b + v);
            Vector128<T> x;
            x = Vector128.Create(a[0]); c0a = Fma(x, b0, c0a); c0b = Fma(x, b1, c0b);
            x = Vector128.Create(a[1 * rs]); c1a = Fma(x, b0, c1a); c1b = Fma(x, b1, c1b);
            x = Vector128.Create(a[2 * rs]); c2a = Fma(x, b0, c2a); c2b = Fma(x, b1, c2b);
            x = Vector128.Create(a[3 * rs]); c3a = Fma(x, b0, c3a); c3b = Fma(x, b1, c3b);
            x = Vector128.Create(a[4 * rs]); c4a = Fma(x, b0, c4a); c4b = Fma(x, b1, c4b);
            x = Vector128.Create(a[5 * rs]); c5a = Fma(x, b0, c5a); c5b = Fma(x, b1, c5b);
            a += ks;
            b += ldb;
        }
        if (first)
        {
            c0a.Store(c + 0 * ldc); c0b.Store(c + 0 * ldc + v);
            c1a.Store(c + 1 * ldc); c1b.Store(c + 1 * ldc + v);
            c2a.Store(c + 2 * ldc); c2b.Store(c + 2 * ldc + v);
            c3a.Store(c + 3 * ldc); c3b.Store(c + 3 * ldc + v);
            c4a.Store(c + 4 * ldc); c4b.Store(c + 4 * ldc + v);
            c5a.Store(c + 5 * ldc); c5b.Store(c + 5 * ldc + v);
        }
        else
        {
            (Vector128.Load(c + 0 * ldc) + c0a).Store(c + 0 * ldc); (Vector128.Load(c + 0 * ldc + v) + c0b).Store(c + 0 * ldc + v);
            (Vector128.Load(c + 1 * ldc) + c1a).Store(c + 1 * ldc); (Vector128.Load(c + 1 * ldc + v) + c1b).Store(c + 1 * ldc + v);
            (Vector128.Load(c + 2 * ldc) + c2a).Store(c + 2 * ldc); (Vector128.Load(c + 2 * ldc + v) + c2b).Store(c + 2 * ldc + v);
            (Vector128.Load(c + 3 * ldc) + c3a).Store(c + 3 * ldc); (Vector128.Load(c + 3 * ldc + v) + c3b).Store(c + 3 * ldc + v);
            (Vector128.Load(c + 4 * ldc) + c4a).Store(c + 4 * ldc); (Vector128.Load(c + 4 * ldc + v) + c4b).Store(c + 4 * ldc + v);
            (Vector128.Load(c + 5 * ldc) + c5a).Store(c + 5 * ldc); (Vector128.Load(c + 5 * ldc + v) + c5b).Store(c + 5 * ldc + v);
        }
    }

    public static T Dot(int n, T* x, T* y)
    {
        int v = Vector128<T>.Count, i = 0;
        Vector128<T> s0 = Vector128<T>.Zero, s1 = Vector128<T>.Zero, s2 = Vector128<T>.Zero, s3 = Vector128<T>.Zero;
        for (; i <= n - 4 * v; i += 4 * v)
        {
            s0 = Fma(Vector128.Load(x + i), Vector128.Load(y + i), s0);
            s1 = Fma(Vector128.Load(x + i + v), Vector128.Load(y + i + v), s1);
            s2 = Fma(Vector128.Load(x + i + 2 * v), Vector128.Load(y + i + 2 * v), s2);
            s3 = Fma(Vector128.Load(x + i + 3 * v), Vector128.Load(y + i + 3 * v), s3);
        }
        for (; i <= n - v; i += v) s0 = Fma(Vector128.Load(x + i), Vector128.Load(y + i), s0);
        T sum = Vector128.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum = T.FusedMultiplyAdd(x[i], y[i], sum);
        return sum;
    }

    public static void Axpy(int n, T alpha, T* x, T* y)
    {
        int v = Vector128<T>.Count, i = 0;
        Vector128<T> a = Vector128.Create(alpha);
        for (; i <= n - v; i += v) Fma(a, Vector128.Load(x + i), Vector128.Load(y + i)).Store(y + i);
        for (; i < n; i++) y[i] = T.FusedMultiplyAdd(alpha, x[i], y[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma(Vector128<T> x, Vector128<T> y, Vector128<T> z) =>
        typeof(T) == typeof(float)
            ? Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
}

/// <summary>Portable fallback without SIMD: a 4×4 tile of scalar accumulators.</summary>
internal readonly unsafe struct ScalarKernel<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 4;
    public static int NR => 4;

    public static long InPlaceBBytes => 0;

    public static void Run<TA>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
    {
        nint rs = TA.RowMajor ? GemmBlocking.KcMax : 1;
        nint ks = TA.RowMajor ? 1 : 4;
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (int k = 0; k < kc; k++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], x;
            x = a[0];      c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            x = a[rs];     c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
            x = a[2 * rs]; c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
            x = a[3 * rs]; c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
            a += ks;
            b += ldb;
        }
        Put(c, first, c00, c01, c02, c03);
        Put(c + ldc, first, c10, c11, c12, c13);
        Put(c + 2 * ldc, first, c20, c21, c22, c23);
        Put(c + 3 * ldc, first, c30, c31, c32, c33);
    }

    public static T Dot(int n, T* x, T* y)
    {
        T sum = T.Zero;
        for (int i = 0; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    public static void Axpy(int n, T alpha, T* x, T* y)
    {
        for (int i = 0; i < n; i++) y[i] += alpha * x[i];
    }

    private static void Put(T* c, bool first, T v0, T v1, T v2, T v3)
    {
        if (first) { c[0] = v0; c[1] = v1; c[2] = v2; c[3] = v3; }
        else { c[0] += v0; c[1] += v1; c[2] += v2; c[3] += v3; }
    }
}

