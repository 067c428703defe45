using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// Packing for <see cref="Gemm"/>: copies blocks of A and B of any strides into the panel layouts the micro-kernels
/// read. Transposed operands are handled here (by copies of contiguous runs, or by register transposes for B read along k),
/// so no operand is ever materialised as a whole. Packing moves values and pads with zeros; it does no arithmetic,
/// so results do not depend on which path packed them.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>
    /// Packs kb×nc of B (element (k, j) at b[k·sbk + j·sbn]) into NR-wide k-major panels, panel q at bp + q·NR·kb,
    /// zero-padded to NR columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B<T, TK>(T* b, nint sbk, nint sbn, int kb, int nc, T* bp)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int nr = TK.NR;
        bool transpose = sbk == 1 && CanTranspose<T>(nr);
        int full = sbn == 1 ? nc / nr * nr : 0;
        if (full > 0)
        {
            // Contiguous rows of B: read each row's run once, left to right, dealing NR values to each panel.
            for (int k0 = 0; k0 < kb; k0 += 8)
            {
                int k1 = Math.Min(kb, k0 + 8);
                for (int jr = 0; jr < full; jr += nr)
                {
                    T* s = b + jr, d = bp + (nint)jr * kb;
                    for (int k = k0; k < k1; k++) CopyBytes((byte*)(d + k * nr), (byte*)(s + k * sbk), TK.NR * sizeof(T));
                }
            }
        }
        for (int jr = full; jr < nc; jr += nr)
        {
            int nv = Math.Min(nr, nc - jr);
            T* dst = bp + (nint)jr * kb, src = b + jr * sbn;
            if (nv == nr && transpose)
            {
                TransposeColumns(src, sbn, kb, nr, dst);
            }
            else if (sbk == 1)
            {
                // Read along k (contiguous), write down the panel's columns.
                for (int j = 0; j < nv; j++)
                {
                    T* s = src + j * sbn, d = dst + j;
                    for (int k = 0; k < kb; k++) d[k * nr] = s[k];
                }
                if (nv < nr)
                    for (int k = 0; k < kb; k++)
                        new Span<T>(dst + k * nr + nv, nr - nv).Clear();
            }
            else
            {
                for (int k = 0; k < kb; k++)
                {
                    T* s = src + k * sbk, d = dst + k * nr;
                    int j = 0;
                    if (sbn == 1)
                        for (; j < nv; j++) d[j] = s[j];
                    else
                        for (; j < nv; j++) d[j] = s[j * sbn];
                    for (; j < nr; j++) d[j] = T.Zero;
                }
            }
        }
    }

    /// <summary>Packs mc×kb of an A with unit stride along k (element (i, k) at a[i·sam + k]) into row-major MR-row panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ARows<T, TK>(T* a, nint sam, int kb, int mc, T* ap)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int mr = TK.MR;
        int rows = (mc + mr - 1) / mr * mr;
        uint bytes = (uint)(kb * sizeof(T));
        for (int i = 0; i < rows; i++)
        {
            T* d = ap + (nint)i * GemmBlocking.KcMax;
            if (i < mc) Unsafe.CopyBlockUnaligned(d, a + i * sam, bytes);
            else Unsafe.InitBlockUnaligned(d, 0, bytes);
        }
    }

    /// <summary>Packs mc×kb of A (element (i, k) at a[i·sam + k·sak]) into k-major MR-row panels (MR values per k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AColumns<T, TK>(T* a, nint sam, nint sak, int kb, int mc, T* ap)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        int mr = TK.MR;
        int full = sam == 1 ? mc / mr * mr : 0;
        if (full > 0)
        {
            // A transposed (rows of Aᵀ contiguous): read each run once, dealing MR values to each panel.
            for (int k = 0; k < kb; k++)
            {
                T* s = a + k * sak, d = ap + k * mr;
                for (int ir = 0; ir < full; ir += mr) CopyBytes((byte*)(d + (nint)ir * GemmBlocking.KcMax), (byte*)(s + ir), TK.MR * sizeof(T));
            }
        }
        for (int ir = full; ir < mc; ir += mr)
        {
            int mv = Math.Min(mr, mc - ir);
            T* d = ap + (nint)ir * GemmBlocking.KcMax, s = a + ir * sam;
            for (int k = 0; k < kb; k++)
            {
                T* dk = d + k * mr, sk = s + k * sak;
                int i = 0;
                for (; i < mv; i++) dk[i] = sk[i * sam];
                for (; i < mr; i++) dk[i] = T.Zero;
            }
        }
    }

    /// <summary>Copies a small block whose size is a constant after inlining (at most 256 bytes, a multiple of 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyBytes(byte* d, byte* s, int bytes)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            if (bytes >= 64) Vector512.Store(Vector512.Load(s), d);
            if (bytes >= 128) Vector512.Store(Vector512.Load(s + 64), d + 64);
            if (bytes >= 192) Vector512.Store(Vector512.Load(s + 128), d + 128);
            if (bytes >= 256) Vector512.Store(Vector512.Load(s + 192), d + 192);
        }
        else
        {
            for (int o = 0; o < (bytes & ~63); o += 32) Vector256.Store(Vector256.Load(s + o), d + o);
        }
        int at = bytes & ~63;
        if ((bytes & 32) != 0) { Vector256.Store(Vector256.Load(s + at), d + at); at += 32; }
        if ((bytes & 16) != 0) { Vector128.Store(Vector128.Load(s + at), d + at); at += 16; }
        if ((bytes & 8) != 0) { *(ulong*)(d + at) = *(ulong*)(s + at); at += 8; }
        if ((bytes & 4) != 0) *(uint*)(d + at) = *(uint*)(s + at);
    }

    private static bool CanTranspose<T>(int nr) where T : unmanaged =>
        Avx.IsSupported ? nr % Vector256<T>.Count == 0 : AdvSimd.Arm64.IsSupported && nr % Vector128<T>.Count == 0;

    /// <summary>
    /// Transposing pack of one whole panel, dst[k·nr + j] = src[j·ld + k] for j &lt; nr: 8×8 (float) or 4×4 (double)
    /// blocks transposed in registers, the k remainder one value at a time. The blocks go across the panel first, so that
    /// each group of w k-steps writes whole rows of the panel (nr values, whole cache lines) while they are in L1: going
    /// down each w-wide column strip first wrote every line in parts, an L2 round trip apart (0.37–0.39 against
    /// 0.26–0.32 ns per element for a 196×256 block of a matrix with rows 784 values apart, Autograd.Bench pack).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeColumns<T>(T* src, nint ld, int kb, int nr, T* dst) where T : unmanaged
    {
        if (!Avx.IsSupported)
        {
            TransposeColumnsNeon(src, ld, kb, nr, dst);
            return;
        }
        int w = Vector256<T>.Count, k8 = kb / w * w;
        for (int k = 0; k < k8; k += w)
        {
            for (int j = 0; j < nr; j += w)
            {
                if (typeof(T) == typeof(float))
                {
                    float* p = (float*)src + j * ld + k;
                    Vector256<float> r0 = Avx.LoadVector256(p), r1 = Avx.LoadVector256(p + ld), r2 = Avx.LoadVector256(p + 2 * ld),
                        r3 = Avx.LoadVector256(p + 3 * ld), r4 = Avx.LoadVector256(p + 4 * ld), r5 = Avx.LoadVector256(p + 5 * ld),
                        r6 = Avx.LoadVector256(p + 6 * ld), r7 = Avx.LoadVector256(p + 7 * ld);
                    Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3),
                        t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                    Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE),
                        u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
                    float* q = (float*)dst + k * nr + j;
                    Avx.Store(q, Avx.Permute2x128(u0, u4, 0x20));
                    Avx.Store(q + nr, Avx.Permute2x128(u1, u5, 0x20));
                    Avx.Store(q + 2 * nr, Avx.Permute2x128(u2, u6, 0x20));
                    Avx.Store(q + 3 * nr, Avx.Permute2x128(u3, u7, 0x20));
                    Avx.Store(q + 4 * nr, Avx.Permute2x128(u0, u4, 0x31));
                    Avx.Store(q + 5 * nr, Avx.Permute2x128(u1, u5, 0x31));
                    Avx.Store(q + 6 * nr, Avx.Permute2x128(u2, u6, 0x31));
                    Avx.Store(q + 7 * nr, Avx.Permute2x128(u3, u7, 0x31));
                }
                else
                {
                    double* p = (double*)src + j * ld + k;
                    Vector256<double> r0 = Avx.LoadVector256(p), r1 = Avx.LoadVector256(p + ld), r2 = Avx.LoadVector256(p + 2 * ld), r3 = Avx.LoadVector256(p + 3 * ld);
                    Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                    double* q = (double*)dst + k * nr + j;
                    Avx.Store(q, Avx.Permute2x128(t0, t2, 0x20));
                    Avx.Store(q + nr, Avx.Permute2x128(t1, t3, 0x20));
                    Avx.Store(q + 2 * nr, Avx.Permute2x128(t0, t2, 0x31));
                    Avx.Store(q + 3 * nr, Avx.Permute2x128(t1, t3, 0x31));
                }
            }
        }
        for (int k = k8; k < kb; k++)
            for (int j = 0; j < nr; j++) dst[k * nr + j] = src[j * ld + k];
    }

    /// <summary>
    /// <see cref="TransposeColumns"/> on ARM64: 4×4 (float) or 2×2 (double) blocks transposed with trn1/trn2 and zip1/zip2,
    /// in the same order. Without it, this pack (every forward product of a layer, <c>x·Wᵀ</c>) ran one value at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeColumnsNeon<T>(T* src, nint ld, int kb, int nr, T* dst) where T : unmanaged
    {
        int w = Vector128<T>.Count, kw = kb / w * w;
        if (AdvSimd.Arm64.IsSupported)
        {
            for (int k = 0; k < kw; k += w)
            {
                for (int j = 0; j < nr; j += w)
                {
                    if (typeof(T) == typeof(float))
                    {
                        float* p = (float*)src + j * ld + k;
                        Vector128<float> r0 = AdvSimd.LoadVector128(p), r1 = AdvSimd.LoadVector128(p + ld),
                            r2 = AdvSimd.LoadVector128(p + 2 * ld), r3 = AdvSimd.LoadVector128(p + 3 * ld);
                        Vector128<double> t0 = AdvSimd.Arm64.TransposeEven(r0, r1).AsDouble(), t1 = AdvSimd.Arm64.TransposeOdd(r0, r1).AsDouble(),
                            t2 = AdvSimd.Arm64.TransposeEven(r2, r3).AsDouble(), t3 = AdvSimd.Arm64.TransposeOdd(r2, r3).AsDouble();
                        float* q = (float*)dst + k * nr + j;
                        AdvSimd.Store(q, AdvSimd.Arm64.ZipLow(t0, t2).AsSingle());
                        AdvSimd.Store(q + nr, AdvSimd.Arm64.ZipLow(t1, t3).AsSingle());
                        AdvSimd.Store(q + 2 * nr, AdvSimd.Arm64.ZipHigh(t0, t2).AsSingle());
                        AdvSimd.Store(q + 3 * nr, AdvSimd.Arm64.ZipHigh(t1, t3).AsSingle());
                    }
                    else
                    {
                        double* p = (double*)src + j * ld + k;
                        Vector128<double> r0 = AdvSimd.LoadVector128(p), r1 = AdvSimd.LoadVector128(p + ld);
                        double* q = (double*)dst + k * nr + j;
                        AdvSimd.Store(q, AdvSimd.Arm64.ZipLow(r0, r1));
                        AdvSimd.Store(q + nr, AdvSimd.Arm64.ZipHigh(r0, r1));
                    }
                }
            }
        }
        else
        {
            kw = 0;
        }
        for (int k = kw; k < kb; k++)
            for (int j = 0; j < nr; j++) dst[k * nr + j] = src[j * ld + k];
    }
}
