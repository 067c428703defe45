using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Autograd.Kernels;

namespace Autograd.Nn.Optim;

/// <summary>
/// A group of lanes (one element, or a Vector128/256/512 of them) with the IEEE operations the fused updates use, so
/// that each update is written once and runs at every width with the same bits: every operation is correctly
/// rounded (no fused multiply-add, as the tensor ops round each product and sum), <see cref="Max"/> and
/// <see cref="Min"/> are IEEE 754-2019 maximum and minimum (NaN propagates, −0 &lt; +0) as <c>T.Max</c> and the
/// tensor ops' <c>TensorPrimitives.Max</c>.
/// </summary>
/// <typeparam name="TSelf">The lanes type.</typeparam>
/// <typeparam name="T">float or double.</typeparam>
internal interface ILanes<TSelf, T> :
    IAdditionOperators<TSelf, TSelf, TSelf>, ISubtractionOperators<TSelf, TSelf, TSelf>, IMultiplyOperators<TSelf, TSelf, TSelf>,
    IDivisionOperators<TSelf, TSelf, TSelf>, IUnaryNegationOperators<TSelf, TSelf>
    where TSelf : struct, ILanes<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract TSelf Splat(T value);

    static abstract TSelf Load(T[] array, int index);

    static abstract void Store(TSelf x, T[] array, int index);

    static abstract TSelf Sqrt(TSelf x);

    static abstract TSelf Max(TSelf x, TSelf y);

    static abstract TSelf Min(TSelf x, TSelf y);

    static abstract TSelf Abs(TSelf x);

    // A mask of the lanes where x > y (false for NaN), for Select.
    static abstract TSelf GreaterThan(TSelf x, TSelf y);

    // A mask of the lanes where x < y (false for NaN), for Select.
    static abstract TSelf LessThan(TSelf x, TSelf y);

    // a where the mask is set, else b.
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);
}

/// <summary>One element.</summary>
internal readonly struct Lane1<T>(T v) : ILanes<Lane1<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> operator +(Lane1<T> a, Lane1<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> operator -(Lane1<T> a, Lane1<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> operator *(Lane1<T> a, Lane1<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> operator /(Lane1<T> a, Lane1<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> operator -(Lane1<T> a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Splat(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Load(T[] array, int index) => new(array[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lane1<T> x, T[] array, int index) => array[index] = x._v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Sqrt(Lane1<T> x) => new(T.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Max(Lane1<T> x, Lane1<T> y) => new(T.Max(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Min(Lane1<T> x, Lane1<T> y) => new(T.Min(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Abs(Lane1<T> x) => new(T.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> GreaterThan(Lane1<T> x, Lane1<T> y) => new(x._v > y._v ? T.One : T.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> LessThan(Lane1<T> x, Lane1<T> y) => new(x._v < y._v ? T.One : T.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1<T> Select(Lane1<T> mask, Lane1<T> a, Lane1<T> b) => mask._v != T.Zero ? a : b;
}

/// <summary>A Vector128 of elements.</summary>
internal readonly struct Lane128<T>(Vector128<T> v) : ILanes<Lane128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> operator +(Lane128<T> a, Lane128<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> operator -(Lane128<T> a, Lane128<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> operator *(Lane128<T> a, Lane128<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> operator /(Lane128<T> a, Lane128<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> operator -(Lane128<T> a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Splat(T value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Load(T[] array, int index) => new(Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lane128<T> x, T[] array, int index) => x._v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Sqrt(Lane128<T> x) => new(Vector128.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Max(Lane128<T> x, Lane128<T> y) => new(Vector128.Max(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Min(Lane128<T> x, Lane128<T> y) => new(Vector128.Min(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Abs(Lane128<T> x) => new(Vector128.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> GreaterThan(Lane128<T> x, Lane128<T> y) => new(Vector128.GreaterThan(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> LessThan(Lane128<T> x, Lane128<T> y) => new(Vector128.LessThan(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane128<T> Select(Lane128<T> mask, Lane128<T> a, Lane128<T> b) => new(Vector128.ConditionalSelect(mask._v, a._v, b._v));
}

/// <summary>A Vector256 of elements.</summary>
internal readonly struct Lane256<T>(Vector256<T> v) : ILanes<Lane256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> operator +(Lane256<T> a, Lane256<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> operator -(Lane256<T> a, Lane256<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> operator *(Lane256<T> a, Lane256<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> operator /(Lane256<T> a, Lane256<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> operator -(Lane256<T> a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Splat(T value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Load(T[] array, int index) => new(Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lane256<T> x, T[] array, int index) => x._v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Sqrt(Lane256<T> x) => new(Vector256.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Max(Lane256<T> x, Lane256<T> y) => new(Vector256.Max(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Min(Lane256<T> x, Lane256<T> y) => new(Vector256.Min(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Abs(Lane256<T> x) => new(Vector256.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> GreaterThan(Lane256<T> x, Lane256<T> y) => new(Vector256.GreaterThan(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> LessThan(Lane256<T> x, Lane256<T> y) => new(Vector256.LessThan(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane256<T> Select(Lane256<T> mask, Lane256<T> a, Lane256<T> b) => new(Vector256.ConditionalSelect(mask._v, a._v, b._v));
}

/// <summary>A Vector512 of elements.</summary>
internal readonly struct Lane512<T>(Vector512<T> v) : ILanes<Lane512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> operator +(Lane512<T> a, Lane512<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> operator -(Lane512<T> a, Lane512<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> operator *(Lane512<T> a, Lane512<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> operator /(Lane512<T> a, Lane512<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> operator -(Lane512<T> a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Splat(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Load(T[] array, int index) => new(Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lane512<T> x, T[] array, int index) => x._v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Sqrt(Lane512<T> x) => new(Vector512.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Max(Lane512<T> x, Lane512<T> y) => new(Vector512.Max(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Min(Lane512<T> x, Lane512<T> y) => new(Vector512.Min(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Abs(Lane512<T> x) => new(Vector512.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> GreaterThan(Lane512<T> x, Lane512<T> y) => new(Vector512.GreaterThan(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> LessThan(Lane512<T> x, Lane512<T> y) => new(Vector512.LessThan(x._v, y._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane512<T> Select(Lane512<T> mask, Lane512<T> a, Lane512<T> b) => new(Vector512.ConditionalSelect(mask._v, a._v, b._v));
}

/// <summary>One optimizer's per-element update, applied to the lanes starting at element <c>i</c>.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal interface IFusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    void Apply<TV>(int i) where TV : struct, ILanes<TV, T>;
}

/// <summary>
/// Runs a kernel over a chunk: the widest vectors the machine accelerates (512, then 256, then 128 bits), then one
/// element at a time for the tail (an overlapping last vector would apply the update twice).
/// </summary>
/// <typeparam name="TK">The kernel.</typeparam>
/// <typeparam name="T">float or double.</typeparam>
internal struct FusedPass<TK, T>(TK kernel) : IChunkBody
    where TK : struct, IFusedKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private TK _kernel = kernel;

    public void Run(int start, int length)
    {
        // A local copy, whose fields the JIT can keep in registers across the loop.
        var kernel = _kernel;
        int i = start, end = start + length, level = Isa.Level;
        if (Vector512.IsHardwareAccelerated && level >= (int)InstructionSet.Avx512)
            for (int w = Vector512<T>.Count; i <= end - w; i += w) kernel.Apply<Lane512<T>>(i);
        if (Vector256.IsHardwareAccelerated && level >= (int)InstructionSet.Avx2)
            for (int w = Vector256<T>.Count; i <= end - w; i += w) kernel.Apply<Lane256<T>>(i);
        if (Vector128.IsHardwareAccelerated && level >= (int)InstructionSet.Vector128)
            for (int w = Vector128<T>.Count; i <= end - w; i += w) kernel.Apply<Lane128<T>>(i);
        for (; i < end; i++) kernel.Apply<Lane1<T>>(i);
    }

    /// <summary>Runs the kernel over n elements, split among threads by length alone (<see cref="Chunks"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void For(int n, TK kernel) => Chunks.For(n, new FusedPass<TK, T>(kernel));
}

/// <summary>A tensor's storage and offset, read and written as lanes.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct Buf<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _a;
    private readonly int _o;

    public Buf(Tensor? t)
    {
        _a = t is null ? [] : t.Array<T>();
        _o = t?.Offset ?? 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Load<TV>(int i) where TV : struct, ILanes<TV, T> => TV.Load(_a, _o + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store<TV>(int i, TV x) where TV : struct, ILanes<TV, T> => TV.Store(x, _a, _o + i);
}

/// <summary>
/// How an update reads the gradient: loaded once, zeroed in place if asked (the same pass), negated for maximize, then
/// the L2 term added (g + θλ), the order of every optimizer's tensor-op update.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct GradIn<T>(Tensor g, bool zero, bool maximize, double weightDecay) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Buf<T> _g = new(g);
    private readonly bool _zero = zero, _maximize = maximize, _l2 = weightDecay != 0;
    private readonly T _wd = T.CreateTruncating(weightDecay);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Read<TV>(int i, TV p) where TV : struct, ILanes<TV, T>
    {
        var g = _g.Load<TV>(i);
        if (_zero) _g.Store(i, TV.Splat(T.Zero));
        if (_maximize) g = -g;
        if (_l2) g += p * TV.Splat(_wd);
        return g;
    }
}
