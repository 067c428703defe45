// The register-blocked micro-kernels of Gemm.cs. Each computes one MR×NR tile of C from a packed A panel (MR rows,
// RowMajor or k-major, see IPanelLayout) and a packed B panel (k-major, NR contiguous values per k):
//     acc[i, j] = Σ_k a(i, k)·b[k·NR + j]   (one fused multiply-add per term, k in increasing order, from zero)
//     C[i, j]   = first ? acc[i, j] : C[i, j] + acc[i, j]
// so every element of C is computed by the same operations whatever the tile's position or the thread running it.
// Dot and Axpy serve the matrix·vector shapes (M = 1 or N = 1), with the same guarantee per output element.
// The vector kernels are written out (accumulators must be locals to live in registers). They are edited by hand: the
// Vector128 kernel is the Vector256 one with the vector type replaced (keep the two in step), and a change of MR means
// writing out one accumulator pair per row and keeping GemmBlocking.McMax a multiple of every MR.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>AVX-512: a 12×(2·16) float or 12×(2·8) double tile in 24 zmm accumulators, 2 for B, 1 broadcast.</summary>
internal readonly unsafe struct Avx512Kernel<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 12;
    public static int NR => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(int kc, T* a, T* b, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
    {
        nint rs = TA.RowMajor ? GemmBlocking.KcMax : 1;   // distance between the panel's rows
        nint ks = TA.RowMajor ? 1 : 12;                  // distance between k steps
        int v = Vector512<T>.Count;
        Vector512<T> c0a = Vector512<T>.Zero, c0b = Vector512<T>.Zero;
        Vector512<T> c1a = Vector512<T>.Zero, c1b = Vector512<T>.Zero;
        Vector512<T> c2a = Vector512<T>.Zero, c2b = Vector512<T>.Zero;
        Vector512<T> c3a = Vector512<T>.Zero, c3b = Vector512<T>.Zero;
        Vector512<T> c4a = Vector512<T>.Zero, c4b = Vector512<T>.Zero;
        Vector512<T> c5a = Vector512<T>.Zero, c5b = Vector512<T>.Zero;
        Vector512<T> c6a = Vector512<T>.Zero, c6b = Vector512<T>.Zero;
        Vector512<T> c7a = Vector512<T>.Zero, c7b = Vector512<T>.Zero;
        Vector512<T> c8a = Vector512<T>.Zero, c8b = Vector512<T>.Zero;
        Vector512<T> c9a = Vector512<T>.Zero, c9b = Vector512<T>.Zero;
        Vector512<T> c10a = Vector512<T>.Zero, c10b = Vector512<T>.Zero;
        Vector512<T> c11a = Vector512<T>.Zero, c11b = Vector512<T>.Zero;
        // C's lines are fetched while the loop runs (they are read or overwritten at the end).
        if (Sse.IsSupported)
            for (int i = 0; i < 12; i++)
            {
                Sse.Prefetch0(c + i * ldc);
                Sse.Prefetch0((byte*)(c + i * ldc) + 64);
            }
        for (int k = 0; k < kc; k++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + v);
            Vector512<T> x;
            x = Vector512.Create(a[0]); c0a = Fma(x, b0, c0a); c0b = Fma(x, b1, c0b);
            x = Vector512.Create(a[1 * rs]); c1a = Fma(x, b0, c1a); c1b = Fma(x, b1, c1b);
            x = Vector512.Create(a[2 * rs]); c2a = Fma(x, b0, c2a); c2b = Fma(x, b1, c2b);
            x = Vector512.Create(a[3 * rs]); c3a = Fma(x, b0, c3a); c3b = Fma(x, b1, c3b);
            x = Vector512.Create(a[4 * rs]); c4a = Fma(x, b0, c4a); c4b = Fma(x, b1, c4b);
            x = Vector512.Create(a[5 * rs]); c5a = Fma(x, b0, c5a); c5b = Fma(x, b1, c5b);
            x = Vector512.Create(a[6 * rs]); c6a = Fma(x, b0, c6a); c6b = Fma(x, b1, c6b);
            x = Vector512.Create(a[7 * rs]); c7a = Fma(x, b0, c7a); c7b = Fma(x, b1, c7b);
            x = Vector512.Create(a[8 * rs]); c8a = Fma(x, b0, c8a); c8b = Fma(x, b1, c8b);
            x = Vector512.Create(a[9 * rs]); c9a = Fma(x, b0, c9a); c9b = Fma(x, b1, c9b);
            x = Vector512.Create(a[10 * rs]); c10a = Fma(x, b0, c10a); c10b = Fma(x, b1, c10b);
            x = Vector512.Create(a[11 * rs]); c11a = Fma(x, b0, c11a); c11b = Fma(x, b1, c11b);
            a += ks;
            b += 2 * v;
        }
        if (first)
        {
            c0a.Store(c + 0 * ldc); c0b.Store(c + 0 * ldc + v);
            c1a.Store(c + 1 * ldc); c1b.Store(c + 1 * ldc + v);
            c2a.Store(c + 2 * ldc); c2b.Store(c + 2 * ldc + v);
            c3a.Store(c + 3 * ldc); c3b.Store(c + 3 * ldc + v);
            c4a.Store(c + 4 * ldc); c4b.Store(c + 4 * ldc + v);
            c5a.Store(c + 5 * ldc); c5b.Store(c + 5 * ldc + v);
            c6a.Store(c + 6 * ldc); c6b.Store(c + 6 * ldc + v);
            c7a.Store(c + 7 * ldc); c7b.Store(c + 7 * ldc + v);
            c8a.Store(c + 8 * ldc); c8b.Store(c + 8 * ldc + v);
            c9a.Store(c + 9 * ldc); c9b.Store(c + 9 * ldc + v);
            c10a.Store(c + 10 * ldc); c10b.Store(c + 10 * ldc + v);
            c11a.Store(c + 11 * ldc); c11b.Store(c + 11 * ldc + v);
        }
        else
        {
            (Vector512.Load(c + 0 * ldc) + c0a).Store(c + 0 * ldc); (Vector512.Load(c + 0 * ldc + v) + c0b).Store(c + 0 * ldc + v);
            (Vector512.Load(c + 1 * ldc) + c1a).Store(c + 1 * ldc); (Vector512.Load(c + 1 * ldc + v) + c1b).Store(c + 1 * ldc + v);
            (Vector512.Load(c + 2 * ldc) + c2a).Store(c + 2 * ldc); (Vector512.Load(c + 2 * ldc + v) + c2b).Store(c + 2 * ldc + v);
            (Vector512.Load(c + 3 * ldc) + c3a).Store(c + 3 * ldc); (Vector512.Load(c + 3 * ldc + v) + c3b).Store(c + 3 * ldc + v);
            (Vector512.Load(c + 4 * ldc) + c4a).Store(c + 4 * ldc); (Vector512.Load(c + 4 * ldc + v) + c4b).Store(c + 4 * ldc + v);
            (Vector512.Load(c + 5 * ldc) + c5a).Store(c + 5 * ldc); (Vector512.Load(c + 5 * ldc + v) + c5b).Store(c + 5 * ldc + v);
            (Vector512.Load(c + 6 * ldc) + c6a).Store(c + 6 * ldc); (Vector512.Load(c + 6 * ldc + v) + c6b).Store(c + 6 * ldc + v);
            (Vector512.Load(c + 7 * ldc) + c7a).Store(c + 7 * ldc); (Vector512.Load(c + 7 * ldc + v) + c7b).Store(c + 7 * ldc + v);
            (Vector512.Load(c + 8 * ldc) + c8a).Store(c + 8 * ldc); (Vector512.Load(c + 8 * ldc + v) + c8b).Store(c + 8 * ldc + v);
            (Vector512.Load(c + 9 * ldc) + c9a).Store(c + 9 * ldc); (Vector512.Load(c + 9 * ldc + v) + c9b).Store(c + 9 * ldc + v);
            (Vector512.Load(c + 10 * ldc) + c10a).Store(c + 10 * ldc); (Vector512.Load(c + 10 * ldc + v) + c10b).Store(c + 10 * ldc + v);
            (Vector512.Load(c + 11 * ldc) + c11a).Store(c + 11 * ldc); (Vector512.Load(c + 11 * ldc + v) + c11b).Store(c + 11 * ldc + v);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(int kc, T* a, T* b, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
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
        for (int k = 0; k < kc; k++)
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
            b += 2 * v;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(int kc, T* a, T* b, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
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
            b += 2 * v;
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

    public static void Run<TA>(int kc, T* a, T* b, T* c, nint ldc, bool first) where TA : struct, IPanelLayout
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
            b += 4;
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

