using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

// The kernel shape: one static-abstract interface per arity, with a scalar form and Vector128/256/512 forms, and one
// driver per arity (Spans) that picks the width and handles the tail, so that a new op writes its formula once per width
// and nothing else. The element type is a type parameter of each method, not of the interface, so that one operator
// struct serves float32 and float64 (Elementwise.Map<TOp> picks the dtype at run time).

/// <summary>y = f(x) elementwise.</summary>
internal interface IUnaryKernel
{
    /// <summary>
    /// Gets a value indicating whether the vector forms are real vector code: false for kernels that only have a
    /// scalar formula (their vector forms apply it lane by lane), which the driver then runs as one scalar loop.
    /// </summary>
    static virtual bool Vectorizable => true;

    static abstract T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>z = f(x, y) elementwise; the driver also takes either operand as one broadcast number.</summary>
internal interface IBinaryKernel
{
    /// <inheritdoc cref="IUnaryKernel.Vectorizable"/>
    static virtual bool Vectorizable => true;

    static abstract T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>d = f(x, y, c) elementwise, with c one number for the whole span (x + y·α, a mask with a bound).</summary>
internal interface ITernaryKernel
{
    static abstract T Invoke<T>(T x, T y, T c) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y, Vector128<T> c) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y, Vector512<T> c) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The drivers: the widest vector the CPU and <see cref="Isa"/> allow whose width the span reaches, full vectors
/// from the start, then one last vector ending at the span's end (overlapping the previous one). Its inputs are loaded
/// and its result computed before the loop stores anything, so the destination may be an input itself (an in-place
/// update rewrites the overlapped elements with the values it already gave them). Spans shorter than the narrowest
/// vector, kernels that are not <see cref="IUnaryKernel.Vectorizable"/>, and the scalar ISA run the scalar form.
/// </summary>
/// <remarks>
/// Every element therefore gets the vector form's bits whenever the span is at least one Vector128 long, as
/// TensorPrimitives does, which keeps exp, log, sin and cos (whose .NET vector forms differ from the scalar Math
/// functions by an ulp here and there) bitwise equal to TensorPrimitives on every length (float64 sin and cos, in
/// TensorPrimitives too, can change by an ulp when the JIT recompiles a running loop). The destination must be an
/// input or not overlap one.
/// </remarks>
internal static class Spans
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Use512<T>(nuint n) => Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count && Isa.Level >= (int)InstructionSet.Avx512;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Use256<T>(nuint n) => Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count && Isa.Level >= (int)InstructionSet.Avx2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Use128<T>(nuint n) => Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<T>.Count && Isa.Level >= (int)InstructionSet.Vector128;

    private static void SameLength(int a, int b, string name)
    {
        if (a != b) throw new ArgumentException("The spans must have the same length.", name);
    }

    /// <summary>y[i] = TK(x[i]).</summary>
    public static void Unary<T, TK>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TK : IUnaryKernel
    {
        SameLength(x.Length, y.Length, nameof(y));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length;
        if (TK.Vectorizable)
        {
            if (Use512<T>(n))
            {
                nuint w = (nuint)Vector512<T>.Count, last = n - w;
                var end = TK.Invoke(Vector512.LoadUnsafe(ref rx, last));
                for (nuint i = 0; i < last; i += w) TK.Invoke(Vector512.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
                end.StoreUnsafe(ref ry, last);
                return;
            }
            if (Use256<T>(n))
            {
                nuint w = (nuint)Vector256<T>.Count, last = n - w;
                var end = TK.Invoke(Vector256.LoadUnsafe(ref rx, last));
                for (nuint i = 0; i < last; i += w) TK.Invoke(Vector256.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
                end.StoreUnsafe(ref ry, last);
                return;
            }
            if (Use128<T>(n))
            {
                nuint w = (nuint)Vector128<T>.Count, last = n - w;
                var end = TK.Invoke(Vector128.LoadUnsafe(ref rx, last));
                for (nuint i = 0; i < last; i += w) TK.Invoke(Vector128.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
                end.StoreUnsafe(ref ry, last);
                return;
            }
        }
        for (nuint i = 0; i < n; i++) Unsafe.Add(ref ry, i) = TK.Invoke(Unsafe.Add(ref rx, i));
    }

    /// <summary>z[i] = TK(x[i], y[i]).</summary>
    public static void Binary<T, TK>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel
    {
        SameLength(x.Length, z.Length, nameof(z));
        SameLength(y.Length, z.Length, nameof(z));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T rz = ref MemoryMarshal.GetReference(z);
        nuint n = (nuint)z.Length;
        if (TK.Vectorizable)
        {
            if (Use512<T>(n))
            {
                nuint w = (nuint)Vector512<T>.Count, last = n - w;
                var end = TK.Invoke(Vector512.LoadUnsafe(ref rx, last), Vector512.LoadUnsafe(ref ry, last));
                for (nuint i = 0; i < last; i += w) TK.Invoke(Vector512.LoadUnsafe(ref rx, i), Vector512.LoadUnsafe(ref ry, i)).StoreUnsafe(ref rz, i);
                end.StoreUnsafe(ref rz, last);
                return;
            }
            if (Use256<T>(n))
            {
                nuint w = (nuint)Vector256<T>.Count, last = n - w;
                var end = TK.Invoke(Vector256.LoadUnsafe(ref rx, last), Vector256.LoadUnsafe(ref ry, last));
                for (nuint i = 0; i < last; i += w) TK.Invoke(Vector256.LoadUnsafe(ref rx, i), Vector256.LoadUnsafe(ref ry, i)).StoreUnsafe(ref rz, i);
                end.StoreUnsafe(ref rz, last);
                return;
            }
            if (Use128<T>(n))
            {
                nuint w = (nuint)Vector128<T>.Count, last = n - w;
                var end = TK.Invoke(Vector128.LoadUnsafe(ref rx, last), Vector128.LoadUnsafe(ref ry, last));
                for (nuint i = 0; i < last; i += w) TK.Invoke(Vector128.LoadUnsafe(ref rx, i), Vector128.LoadUnsafe(ref ry, i)).StoreUnsafe(ref rz, i);
                end.StoreUnsafe(ref rz, last);
                return;
            }
        }
        for (nuint i = 0; i < n; i++) Unsafe.Add(ref rz, i) = TK.Invoke(Unsafe.Add(ref rx, i), Unsafe.Add(ref ry, i));
    }

    /// <summary>z[i] = TK(x[i], y) for one number y.</summary>
    public static void Binary<T, TK>(ReadOnlySpan<T> x, T y, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel =>
        BinaryWithScalar<T, TK, Forward>(x, y, z);

    /// <summary>z[i] = TK(x, y[i]) for one number x.</summary>
    public static void Binary<T, TK>(T x, ReadOnlySpan<T> y, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel =>
        BinaryWithScalar<T, TK, Swapped>(y, x, z);

    private interface IOrder
    {
        static abstract bool Swap { get; }
    }

    private readonly struct Forward : IOrder
    {
        public static bool Swap => false;
    }

    private readonly struct Swapped : IOrder
    {
        public static bool Swap => true;
    }

    // TO.Swap: the span is the kernel's second operand. The broadcast vectors are built once, outside the loops.
    private static void BinaryWithScalar<T, TK, TO>(ReadOnlySpan<T> x, T c, Span<T> z)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel where TO : IOrder
    {
        SameLength(x.Length, z.Length, nameof(z));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rz = ref MemoryMarshal.GetReference(z);
        nuint n = (nuint)z.Length;
        if (TK.Vectorizable)
        {
            if (Use512<T>(n))
            {
                var vc = Vector512.Create(c);
                nuint w = (nuint)Vector512<T>.Count, last = n - w;
                var xe = Vector512.LoadUnsafe(ref rx, last);
                var end = TO.Swap ? TK.Invoke(vc, xe) : TK.Invoke(xe, vc);
                for (nuint i = 0; i < last; i += w)
                {
                    var xv = Vector512.LoadUnsafe(ref rx, i);
                    (TO.Swap ? TK.Invoke(vc, xv) : TK.Invoke(xv, vc)).StoreUnsafe(ref rz, i);
                }
                end.StoreUnsafe(ref rz, last);
                return;
            }
            if (Use256<T>(n))
            {
                var vc = Vector256.Create(c);
                nuint w = (nuint)Vector256<T>.Count, last = n - w;
                var xe = Vector256.LoadUnsafe(ref rx, last);
                var end = TO.Swap ? TK.Invoke(vc, xe) : TK.Invoke(xe, vc);
                for (nuint i = 0; i < last; i += w)
                {
                    var xv = Vector256.LoadUnsafe(ref rx, i);
                    (TO.Swap ? TK.Invoke(vc, xv) : TK.Invoke(xv, vc)).StoreUnsafe(ref rz, i);
                }
                end.StoreUnsafe(ref rz, last);
                return;
            }
            if (Use128<T>(n))
            {
                var vc = Vector128.Create(c);
                nuint w = (nuint)Vector128<T>.Count, last = n - w;
                var xe = Vector128.LoadUnsafe(ref rx, last);
                var end = TO.Swap ? TK.Invoke(vc, xe) : TK.Invoke(xe, vc);
                for (nuint i = 0; i < last; i += w)
                {
                    var xv = Vector128.LoadUnsafe(ref rx, i);
                    (TO.Swap ? TK.Invoke(vc, xv) : TK.Invoke(xv, vc)).StoreUnsafe(ref rz, i);
                }
                end.StoreUnsafe(ref rz, last);
                return;
            }
        }
        for (nuint i = 0; i < n; i++)
        {
            T xv = Unsafe.Add(ref rx, i);
            Unsafe.Add(ref rz, i) = TO.Swap ? TK.Invoke(c, xv) : TK.Invoke(xv, c);
        }
    }

    /// <summary>d[i] = TK(x[i], y[i], c).</summary>
    public static void Ternary<T, TK>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, T c, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> where TK : ITernaryKernel
    {
        SameLength(x.Length, d.Length, nameof(d));
        SameLength(y.Length, d.Length, nameof(d));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T rd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)d.Length;
        if (Use512<T>(n))
        {
            var vc = Vector512.Create(c);
            nuint w = (nuint)Vector512<T>.Count, last = n - w;
            var end = TK.Invoke(Vector512.LoadUnsafe(ref rx, last), Vector512.LoadUnsafe(ref ry, last), vc);
            for (nuint i = 0; i < last; i += w) TK.Invoke(Vector512.LoadUnsafe(ref rx, i), Vector512.LoadUnsafe(ref ry, i), vc).StoreUnsafe(ref rd, i);
            end.StoreUnsafe(ref rd, last);
            return;
        }
        if (Use256<T>(n))
        {
            var vc = Vector256.Create(c);
            nuint w = (nuint)Vector256<T>.Count, last = n - w;
            var end = TK.Invoke(Vector256.LoadUnsafe(ref rx, last), Vector256.LoadUnsafe(ref ry, last), vc);
            for (nuint i = 0; i < last; i += w) TK.Invoke(Vector256.LoadUnsafe(ref rx, i), Vector256.LoadUnsafe(ref ry, i), vc).StoreUnsafe(ref rd, i);
            end.StoreUnsafe(ref rd, last);
            return;
        }
        if (Use128<T>(n))
        {
            var vc = Vector128.Create(c);
            nuint w = (nuint)Vector128<T>.Count, last = n - w;
            var end = TK.Invoke(Vector128.LoadUnsafe(ref rx, last), Vector128.LoadUnsafe(ref ry, last), vc);
            for (nuint i = 0; i < last; i += w) TK.Invoke(Vector128.LoadUnsafe(ref rx, i), Vector128.LoadUnsafe(ref ry, i), vc).StoreUnsafe(ref rd, i);
            end.StoreUnsafe(ref rd, last);
            return;
        }
        for (nuint i = 0; i < n; i++) Unsafe.Add(ref rd, i) = TK.Invoke(Unsafe.Add(ref rx, i), Unsafe.Add(ref ry, i), c);
    }

    /// <summary>The IEEE 754-2019 maximum of a non-empty span (NaN if any element is NaN; +0 above −0).</summary>
    /// <remarks>Exact, so the width and order change nothing but which NaN comes out.</remarks>
    public static T Max<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty) throw new ArgumentException("The span must not be empty.", nameof(x));
        ref T rx = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        T m;
        if (Use512<T>(n))
        {
            nuint w = (nuint)Vector512<T>.Count;
            var acc = Vector512.LoadUnsafe(ref rx, n - w);
            for (nuint i = 0; i + w < n; i += w) acc = Vector512.Max(acc, Vector512.LoadUnsafe(ref rx, i));
            m = acc[0];
            for (int j = 1; j < Vector512<T>.Count; j++) m = T.Max(m, acc[j]);
        }
        else if (Use256<T>(n))
        {
            nuint w = (nuint)Vector256<T>.Count;
            var acc = Vector256.LoadUnsafe(ref rx, n - w);
            for (nuint i = 0; i + w < n; i += w) acc = Vector256.Max(acc, Vector256.LoadUnsafe(ref rx, i));
            m = acc[0];
            for (int j = 1; j < Vector256<T>.Count; j++) m = T.Max(m, acc[j]);
        }
        else if (Use128<T>(n))
        {
            nuint w = (nuint)Vector128<T>.Count;
            var acc = Vector128.LoadUnsafe(ref rx, n - w);
            for (nuint i = 0; i + w < n; i += w) acc = Vector128.Max(acc, Vector128.LoadUnsafe(ref rx, i));
            m = acc[0];
            for (int j = 1; j < Vector128<T>.Count; j++) m = T.Max(m, acc[j]);
        }
        else
        {
            m = x[0];
            for (int i = 1; i < x.Length; i++) m = T.Max(m, x[i]);
        }
        return m;
    }
}

/// <summary>The vector forms of kernels that only have a scalar formula: the formula lane by lane.</summary>
internal static class Lanes
{
    public static Vector128<T> Unary<T, TK>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TK : IUnaryKernel
    {
        Span<T> s = stackalloc T[Vector128<T>.Count];
        x.CopyTo(s);
        for (int i = 0; i < s.Length; i++) s[i] = TK.Invoke(s[i]);
        return Vector128.Create<T>(s);
    }

    public static Vector256<T> Unary<T, TK>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TK : IUnaryKernel
    {
        Span<T> s = stackalloc T[Vector256<T>.Count];
        x.CopyTo(s);
        for (int i = 0; i < s.Length; i++) s[i] = TK.Invoke(s[i]);
        return Vector256.Create<T>(s);
    }

    public static Vector512<T> Unary<T, TK>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TK : IUnaryKernel
    {
        Span<T> s = stackalloc T[Vector512<T>.Count];
        x.CopyTo(s);
        for (int i = 0; i < s.Length; i++) s[i] = TK.Invoke(s[i]);
        return Vector512.Create<T>(s);
    }

    public static Vector128<T> Binary<T, TK>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel
    {
        Span<T> s = stackalloc T[2 * Vector128<T>.Count];
        x.CopyTo(s);
        y.CopyTo(s[Vector128<T>.Count..]);
        for (int i = 0; i < Vector128<T>.Count; i++) s[i] = TK.Invoke(s[i], s[Vector128<T>.Count + i]);
        return Vector128.Create<T>(s);
    }

    public static Vector256<T> Binary<T, TK>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel
    {
        Span<T> s = stackalloc T[2 * Vector256<T>.Count];
        x.CopyTo(s);
        y.CopyTo(s[Vector256<T>.Count..]);
        for (int i = 0; i < Vector256<T>.Count; i++) s[i] = TK.Invoke(s[i], s[Vector256<T>.Count + i]);
        return Vector256.Create<T>(s);
    }

    public static Vector512<T> Binary<T, TK>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TK : IBinaryKernel
    {
        Span<T> s = stackalloc T[2 * Vector512<T>.Count];
        x.CopyTo(s);
        y.CopyTo(s[Vector512<T>.Count..]);
        for (int i = 0; i < Vector512<T>.Count; i++) s[i] = TK.Invoke(s[i], s[Vector512<T>.Count + i]);
        return Vector512.Create<T>(s);
    }
}

/// <summary>
/// The span operations the softmax family calls, on the drivers above so that <see cref="Isa"/> caps them too; each
/// gives the bits of the TensorPrimitives method of the same name.
/// </summary>
internal static class Vec
{
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Unary<T, ExpOperator>(x, y);

    public static void Log<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Unary<T, LogOperator>(x, y);

    public static void Subtract<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, SubOperator>(x, y, d);

    public static void Subtract<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, SubOperator>(x, y, d);

    public static void Multiply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, MulOperator>(x, y, d);

    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, MulOperator>(x, y, d);

    public static void Divide<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, DivOperator>(x, y, d);

    public static void Divide<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, DivOperator>(x, y, d);

    public static void Max<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, MaxOperator>(x, y, d);

    public static T Max<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Max(x);

    /// <summary>d[i] = x[i]·y + addend[i], a product then a sum (no fused multiply-add), as TensorPrimitives.MultiplyAdd.</summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, T y, ReadOnlySpan<T> addend, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Spans.Ternary<T, MultiplyAddKernel>(x, addend, y, d);
}
