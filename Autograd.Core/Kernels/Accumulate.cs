using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

/// <summary>
/// The sums under every reduction (<see cref="Reduce.Sum"/>, so Mean, LogSumExp, the losses, norms and SumTo) and the
/// softmax family: float32 and float64 terms alike are accumulated in float64, vectorized, in an order fixed by the
/// length alone.
/// </summary>
/// <remarks>
/// <para>Why float64 accumulators and not float32 pairwise or cascaded summation: a float32 accumulator errs by up to
/// n·eps·Σ|x| (TensorPrimitives.Sum, whose per-lane chains gave 1.1% on 10^7 copies of 0.1), a pairwise tree by
/// log2(n)·eps·Σ|x|, but a float64 one by (n/32 + 36)·2^-53·Σ|x|, below 2^-27·Σ|x| for any n under 2^31: the float32
/// result is the float64 sum rounded once. That holds unchanged for the strided and outer-axis reductions (a column of
/// a [10^6, 2] tensor, the bias gradient of a batch), where a pairwise tree would need a cascade of partial buffers per
/// output column; here each output keeps one float64 accumulator. Float→double conversion is exact and costs one
/// instruction per vector, which the memory-bound long sums do not feel, and short rows (C = 10 classes) keep one scalar
/// loop whose latency chain is as long in float64 as in float32. Float64 inputs get the same order: their error is the
/// (n/32 + 36)·2^-53·Σ|x| above, not log-bounded.</para>
/// <para>The order: with at least 32 terms, term i goes to lane i mod 32 (each lane sums its terms in order), the lanes
/// are combined by halves (lane j += lane j + w for w = 16, 8, 4, 2, 1), then the last n mod 32 terms are added in
/// order; with fewer than 32, the terms are added in order. The Vector512, Vector256, Vector128 and scalar forms all
/// keep exactly these lanes, so the bits do not depend on the vector width (<see cref="ForceWidth"/> checks it), and no
/// reduction is split across threads, so they do not depend on the thread count either. Column sums
/// (<see cref="AddColumns{T}"/>) add each column's terms in row order, which no width changes.</para>
/// </remarks>
internal static class Accumulate
{
    private const int Lanes = 32;

    /// <summary>For tests: the widest vectors used (512, 256, 128, or 0 for scalar code); null for <see cref="Isa.Current"/>'s.</summary>
    internal static int? ForceWidth { get; set; }

    private static bool Use512 => Vector512.IsHardwareAccelerated && (ForceWidth ?? IsaWidth) >= 512;
    private static bool Use256 => Vector256.IsHardwareAccelerated && (ForceWidth ?? IsaWidth) >= 256;
    private static bool Use128 => Vector128.IsHardwareAccelerated && (ForceWidth ?? IsaWidth) >= 128;

    private static int IsaWidth => Isa.Level == 0 ? 0 : 64 << Isa.Level;

    /// <summary>Σ x[i] in float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length < Lanes)
        {
            // The short rows of the softmax family (C = 10 classes): the same order as Run, without its call.
            double s = 0;
            foreach (var v in x) s += ToDouble(v);
            return s;
        }
        ref T r = ref MemoryMarshal.GetReference(x);
        return Run<T, Plain>(ref r, ref r, x.Length, 1);
    }

    /// <summary>Σ x[offset + i·stride] over i &lt; n in float64 (stride 0 for a broadcast row).</summary>
    public static double Sum<T>(T[] x, int offset, int n, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n < Lanes)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += ToDouble(x[offset + i * stride]);
            return s;
        }
        ref T r = ref x[offset];
        return Run<T, Plain>(ref r, ref r, n, stride);
    }

    /// <summary>Σ x[i]·y[i] in float64 (each product exact for float32 terms).</summary>
    public static double Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException("The spans must have the same length.", nameof(y));
        return Run<T, Product>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length, 1);
    }

    /// <summary>acc[i] += x[i] (<paramref name="y"/> null) or x[i]·y[i], in float64.</summary>
    public static void AddTo<T>(Span<double> acc, ReadOnlySpan<T> x, ReadOnlySpan<T> y = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != acc.Length || (!y.IsEmpty && y.Length != acc.Length))
            throw new ArgumentException("The spans must have the same length.", nameof(x));
        if (y.IsEmpty) AddTo<T, Plain>(acc, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(x));
        else AddTo<T, Product>(acc, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y));
    }

    /// <summary>acc[j] += Σ_r x[offset + r·rowStride + j] over r &lt; rows, each column in row order, in float64.</summary>
    public static void AddColumns<T>(Span<double> acc, T[] x, int offset, int rows, int rowStride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (acc.IsEmpty || rows == 0) return;
        // Blocks of rows keep a block's columns in the cache while every chunk of columns passes over them.
        const int RowBlock = 256;
        for (int r0 = 0; r0 < rows; r0 += RowBlock)
            AddColumnBlock(acc, ref x[offset + r0 * rowStride], Math.Min(RowBlock, rows - r0), rowStride);
    }

    /// <summary>dst[i] = acc[i] rounded to <typeparamref name="T"/>.</summary>
    public static void Store<T>(ReadOnlySpan<double> acc, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) { acc.CopyTo(MemoryMarshal.Cast<T, double>(dst)); return; }
        var d = MemoryMarshal.Cast<T, float>(dst);
        for (int i = 0; i < acc.Length; i++) d[i] = (float)acc[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble<T>(T v) where T : unmanaged => typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref v) : Unsafe.As<T, double>(ref v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FromDouble<T>(double v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) { float f = (float)v; return Unsafe.As<float, T>(ref f); }
        return Unsafe.As<double, T>(ref v);
    }

    private interface ITerm { static abstract bool IsProduct { get; } }
    private readonly struct Plain : ITerm { public static bool IsProduct => false; }
    private readonly struct Product : ITerm { public static bool IsProduct => true; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Term<T, TTerm>(ref T x, ref T y, nint i) where T : unmanaged where TTerm : ITerm =>
        TTerm.IsProduct ? ToDouble(Unsafe.Add(ref x, i)) * ToDouble(Unsafe.Add(ref y, i)) : ToDouble(Unsafe.Add(ref x, i));

    // Terms i .. i+2w−1 as two vectors of w doubles (w = 8, 4, 2): one load and widen for float32, two loads for float64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double>, Vector512<double>) Load512<T>(ref T x, nuint i) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.As<T, float>(ref x), i));
        ref double d = ref Unsafe.As<T, double>(ref x);
        return (Vector512.LoadUnsafe(ref d, i), Vector512.LoadUnsafe(ref d, i + 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double>, Vector256<double>) Load256<T>(ref T x, nuint i) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref x), i));
        ref double d = ref Unsafe.As<T, double>(ref x);
        return (Vector256.LoadUnsafe(ref d, i), Vector256.LoadUnsafe(ref d, i + 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<double>, Vector128<double>) Load128<T>(ref T x, nuint i) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref x), i));
        ref double d = ref Unsafe.As<T, double>(ref x);
        return (Vector128.LoadUnsafe(ref d, i), Vector128.LoadUnsafe(ref d, i + 2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double>, Vector512<double>) Terms512<T, TTerm>(ref T x, ref T y, nuint i) where T : unmanaged where TTerm : ITerm
    {
        var (a, b) = Load512(ref x, i);
        if (!TTerm.IsProduct) return (a, b);
        var (c, d) = Load512(ref y, i);
        return (a * c, b * d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double>, Vector256<double>) Terms256<T, TTerm>(ref T x, ref T y, nuint i) where T : unmanaged where TTerm : ITerm
    {
        var (a, b) = Load256(ref x, i);
        if (!TTerm.IsProduct) return (a, b);
        var (c, d) = Load256(ref y, i);
        return (a * c, b * d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<double>, Vector128<double>) Terms128<T, TTerm>(ref T x, ref T y, nuint i) where T : unmanaged where TTerm : ITerm
    {
        var (a, b) = Load128(ref x, i);
        if (!TTerm.IsProduct) return (a, b);
        var (c, d) = Load128(ref y, i);
        return (a * c, b * d);
    }

    private static double Run<T, TTerm>(ref T x, ref T y, int length, int stride) where T : unmanaged where TTerm : ITerm
    {
        int full = length - length % Lanes, i = 0;
        double s = 0;
        if (full > 0)
        {
            Span<double> lanes = stackalloc double[Lanes];
            ref double l = ref MemoryMarshal.GetReference(lanes);
            if (stride == 1 && Use512)
            {
                Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default;
                for (; i < full; i += Lanes)
                {
                    var (t0, t1) = Terms512<T, TTerm>(ref x, ref y, (nuint)i);
                    var (t2, t3) = Terms512<T, TTerm>(ref x, ref y, (nuint)i + 16);
                    a0 += t0; a1 += t1; a2 += t2; a3 += t3;
                }
                a0.StoreUnsafe(ref l, 0); a1.StoreUnsafe(ref l, 8); a2.StoreUnsafe(ref l, 16); a3.StoreUnsafe(ref l, 24);
            }
            else if (stride == 1 && Use256)
            {
                Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (; i < full; i += Lanes)
                {
                    var (t0, t1) = Terms256<T, TTerm>(ref x, ref y, (nuint)i);
                    var (t2, t3) = Terms256<T, TTerm>(ref x, ref y, (nuint)i + 8);
                    var (t4, t5) = Terms256<T, TTerm>(ref x, ref y, (nuint)i + 16);
                    var (t6, t7) = Terms256<T, TTerm>(ref x, ref y, (nuint)i + 24);
                    a0 += t0; a1 += t1; a2 += t2; a3 += t3; a4 += t4; a5 += t5; a6 += t6; a7 += t7;
                }
                a0.StoreUnsafe(ref l, 0); a1.StoreUnsafe(ref l, 4); a2.StoreUnsafe(ref l, 8); a3.StoreUnsafe(ref l, 12);
                a4.StoreUnsafe(ref l, 16); a5.StoreUnsafe(ref l, 20); a6.StoreUnsafe(ref l, 24); a7.StoreUnsafe(ref l, 28);
            }
            else if (stride == 1 && Use128)
            {
                // Sixteen two-lane accumulators, kept in the lanes buffer: the fallback for hardware without wider vectors.
                for (; i < full; i += Lanes)
                    for (int k = 0; k < Lanes; k += 4)
                    {
                        var (t0, t1) = Terms128<T, TTerm>(ref x, ref y, (nuint)(i + k));
                        (Vector128.LoadUnsafe(ref l, (nuint)k) + t0).StoreUnsafe(ref l, (nuint)k);
                        (Vector128.LoadUnsafe(ref l, (nuint)k + 2) + t1).StoreUnsafe(ref l, (nuint)k + 2);
                    }
            }
            else
            {
                for (; i < full; i += Lanes)
                    for (int k = 0; k < Lanes; k++) lanes[k] += Term<T, TTerm>(ref x, ref y, (nint)(i + k) * stride);
            }
            for (int w = Lanes / 2; w >= 1; w /= 2)
                for (int k = 0; k < w; k++) lanes[k] += lanes[k + w];
            s = lanes[0];
        }
        for (; i < length; i++) s += Term<T, TTerm>(ref x, ref y, (nint)i * stride);
        return s;
    }

    private static void AddTo<T, TTerm>(Span<double> acc, ref T x, ref T y) where T : unmanaged where TTerm : ITerm
    {
        ref double a = ref MemoryMarshal.GetReference(acc);
        nuint n = (nuint)acc.Length, i = 0;
        if (Use512)
            for (; i + 16 <= n; i += 16)
            {
                var (t0, t1) = Terms512<T, TTerm>(ref x, ref y, i);
                (Vector512.LoadUnsafe(ref a, i) + t0).StoreUnsafe(ref a, i);
                (Vector512.LoadUnsafe(ref a, i + 8) + t1).StoreUnsafe(ref a, i + 8);
            }
        else if (Use256)
            for (; i + 8 <= n; i += 8)
            {
                var (t0, t1) = Terms256<T, TTerm>(ref x, ref y, i);
                (Vector256.LoadUnsafe(ref a, i) + t0).StoreUnsafe(ref a, i);
                (Vector256.LoadUnsafe(ref a, i + 4) + t1).StoreUnsafe(ref a, i + 4);
            }
        else if (Use128)
            for (; i + 4 <= n; i += 4)
            {
                var (t0, t1) = Terms128<T, TTerm>(ref x, ref y, i);
                (Vector128.LoadUnsafe(ref a, i) + t0).StoreUnsafe(ref a, i);
                (Vector128.LoadUnsafe(ref a, i + 2) + t1).StoreUnsafe(ref a, i + 2);
            }
        for (; i < n; i++) Unsafe.Add(ref a, i) += Term<T, TTerm>(ref x, ref y, (nint)i);
    }

    // Eight vector accumulators per chunk of columns stay in registers over all the rows, so the accumulator is loaded and
    // stored once per chunk rather than once per row, as many instructions per row as the float32 row-by-row add it replaces.
    private static void AddColumnBlock<T>(Span<double> acc, ref T x, int rows, int rowStride) where T : unmanaged
    {
        ref double a = ref MemoryMarshal.GetReference(acc);
        nuint n = (nuint)acc.Length, j = 0;
        if (Use512)
        {
            for (; j + 64 <= n; j += 64)
            {
                Vector512<double> c0 = Vector512.LoadUnsafe(ref a, j), c1 = Vector512.LoadUnsafe(ref a, j + 8),
                    c2 = Vector512.LoadUnsafe(ref a, j + 16), c3 = Vector512.LoadUnsafe(ref a, j + 24),
                    c4 = Vector512.LoadUnsafe(ref a, j + 32), c5 = Vector512.LoadUnsafe(ref a, j + 40),
                    c6 = Vector512.LoadUnsafe(ref a, j + 48), c7 = Vector512.LoadUnsafe(ref a, j + 56);
                for (int r = 0; r < rows; r++)
                {
                    ref T row = ref Unsafe.Add(ref x, (nint)r * rowStride);
                    var (t0, t1) = Load512(ref row, j);
                    var (t2, t3) = Load512(ref row, j + 16);
                    var (t4, t5) = Load512(ref row, j + 32);
                    var (t6, t7) = Load512(ref row, j + 48);
                    c0 += t0; c1 += t1; c2 += t2; c3 += t3; c4 += t4; c5 += t5; c6 += t6; c7 += t7;
                }
                c0.StoreUnsafe(ref a, j); c1.StoreUnsafe(ref a, j + 8); c2.StoreUnsafe(ref a, j + 16); c3.StoreUnsafe(ref a, j + 24);
                c4.StoreUnsafe(ref a, j + 32); c5.StoreUnsafe(ref a, j + 40); c6.StoreUnsafe(ref a, j + 48); c7.StoreUnsafe(ref a, j + 56);
            }
            for (; j + 16 <= n; j += 16)
            {
                Vector512<double> c0 = Vector512.LoadUnsafe(ref a, j), c1 = Vector512.LoadUnsafe(ref a, j + 8);
                for (int r = 0; r < rows; r++)
                {
                    var (t0, t1) = Load512(ref Unsafe.Add(ref x, (nint)r * rowStride), j);
                    c0 += t0; c1 += t1;
                }
                c0.StoreUnsafe(ref a, j); c1.StoreUnsafe(ref a, j + 8);
            }
        }
        else if (Use256)
        {
            for (; j + 32 <= n; j += 32)
            {
                Vector256<double> c0 = Vector256.LoadUnsafe(ref a, j), c1 = Vector256.LoadUnsafe(ref a, j + 4),
                    c2 = Vector256.LoadUnsafe(ref a, j + 8), c3 = Vector256.LoadUnsafe(ref a, j + 12),
                    c4 = Vector256.LoadUnsafe(ref a, j + 16), c5 = Vector256.LoadUnsafe(ref a, j + 20),
                    c6 = Vector256.LoadUnsafe(ref a, j + 24), c7 = Vector256.LoadUnsafe(ref a, j + 28);
                for (int r = 0; r < rows; r++)
                {
                    ref T row = ref Unsafe.Add(ref x, (nint)r * rowStride);
                    var (t0, t1) = Load256(ref row, j);
                    var (t2, t3) = Load256(ref row, j + 8);
                    var (t4, t5) = Load256(ref row, j + 16);
                    var (t6, t7) = Load256(ref row, j + 24);
                    c0 += t0; c1 += t1; c2 += t2; c3 += t3; c4 += t4; c5 += t5; c6 += t6; c7 += t7;
                }
                c0.StoreUnsafe(ref a, j); c1.StoreUnsafe(ref a, j + 4); c2.StoreUnsafe(ref a, j + 8); c3.StoreUnsafe(ref a, j + 12);
                c4.StoreUnsafe(ref a, j + 16); c5.StoreUnsafe(ref a, j + 20); c6.StoreUnsafe(ref a, j + 24); c7.StoreUnsafe(ref a, j + 28);
            }
        }
        if (j < n)
        {
            // The columns left (all of them without Vector256): row by row, each column still in row order.
            var rest = acc[(int)j..];
            for (int r = 0; r < rows; r++)
                AddTo<T, Plain>(rest, ref Unsafe.Add(ref x, (nint)r * rowStride + (nint)j), ref Unsafe.Add(ref x, (nint)r * rowStride + (nint)j));
        }
    }
}
