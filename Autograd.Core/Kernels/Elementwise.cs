using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

/// <summary>An elementwise map y = f(x) over spans.</summary>
internal interface IUnaryOperator
{
    static abstract void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An elementwise z = f(x, y), with span-span, span-scalar and scalar-span forms for broadcast rows.</summary>
/// <typeparam name="TSelf">The implementing operator itself, whose scalar form the span forms call.</typeparam>
internal interface IBinaryOperator<TSelf> where TSelf : IBinaryOperator<TSelf>
{
    static abstract T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;

    static virtual void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Invoke(x[i], y[i]);
    }

    static virtual void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Invoke(x[i], y);
    }

    static virtual void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Invoke(x, y[i]);
    }
}

internal static class Elementwise
{
    public static Tensor Map<TOp>(Tensor x, string op) where TOp : IUnaryOperator
    {
        x.RequireFloat(op);
        var src = x.IsContiguous ? x : Strided.ToContiguous(x);
        var y = Tensor.Result(x.Shape, x.DType, zero: false);
        if (x.NumElements == 0) return y;
        if (x.DType == DType.Float32) MapSpans<float, TOp>(src.Array<float>(), src.Offset, y.Array<float>(), y.Offset, x.NumElements);
        else MapSpans<double, TOp>(src.Array<double>(), src.Offset, y.Array<double>(), y.Offset, x.NumElements);
        return y;
    }

    private static unsafe void MapSpans<T, TOp>(T[] x, int xOffset, T[] y, int yOffset, int n)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IUnaryOperator
    {
        fixed (T* px = &x[xOffset], py = &y[yOffset]) Chunks.For(n, new UnaryChunk<T, TOp>(px, py));
    }

    private readonly unsafe struct UnaryChunk<T, TOp>(T* x, T* y) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IUnaryOperator
    {
        public void Run(int start, int length) => TOp.Invoke(new ReadOnlySpan<T>(x + start, length), new Span<T>(y + start, length));
    }

    private readonly unsafe struct ZipChunk<T, TOp>(T* a, T* b, T* z) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryOperator<TOp>
    {
        public void Run(int start, int length) =>
            TOp.Invoke(new ReadOnlySpan<T>(a + start, length), new ReadOnlySpan<T>(b + start, length), new Span<T>(z + start, length));
    }

    private readonly unsafe struct KernelChunk<T, TK>(T* a, T* b, T* z, TK kernel) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IBinaryKernel
    {
        public void Run(int start, int length) =>
            BinaryKernels.Apply<T, TK>(new ReadOnlySpan<T>(a + start, length), new ReadOnlySpan<T>(b + start, length), new Span<T>(z + start, length), kernel);
    }

    /// <summary>z[i] = kernel(a[i], b[i]) for two tensors of one shape and floating dtype (the fused backward rules).</summary>
    public static unsafe Tensor Fused<TK>(Tensor a, Tensor b, TK kernel) where TK : struct, IBinaryKernel
    {
        System.Diagnostics.Debug.Assert(ShapeUtil.SameShape(a.Dims, b.Dims) && a.DType == b.DType && a.DType.IsFloatingPoint());
        var ca = a.IsContiguous ? a : Strided.ToContiguous(a);
        var cb = b.IsContiguous ? b : Strided.ToContiguous(b);
        var z = Tensor.Result(a.Shape, a.DType, zero: false);
        int n = z.NumElements;
        if (n == 0) return z;
        if (a.DType == DType.Float32)
        {
            fixed (float* pa = &ca.Array<float>()[ca.Offset], pb = &cb.Array<float>()[cb.Offset], pz = &z.Array<float>()[z.Offset])
                Chunks.For(n, new KernelChunk<float, TK>(pa, pb, pz, kernel));
        }
        else
        {
            fixed (double* pa = &ca.Array<double>()[ca.Offset], pb = &cb.Array<double>()[cb.Offset], pz = &z.Array<double>()[z.Offset])
                Chunks.For(n, new KernelChunk<double, TK>(pa, pb, pz, kernel));
        }
        return z;
    }

    /// <summary>Applies a binary operator with NumPy broadcasting; both inputs must share a floating dtype.</summary>
    public static Tensor Zip<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOperator<TOp>
    {
        a.RequireFloat(op);
        b.RequireFloat(op);
        var shape = ShapeUtil.Broadcast(op, a.Dims, b.Dims);
        var z = Tensor.Result(shape, a.DType, zero: false);
        if (a.DType == DType.Float32) ZipCore<float, TOp>(a, b, z);
        else ZipCore<double, TOp>(a, b, z);
        return z;
    }

    /// <summary>
    /// z[i] = a[i] ∘ c for a floating tensor and a number taken in a's dtype ((float)c for float32): the same values,
    /// bit for bit, as <see cref="Zip{TOp}"/> with c as a 0-d tensor of a's dtype, without building that tensor.
    /// </summary>
    public static Tensor ZipScalar<TOp>(Tensor a, double c, string op) where TOp : IBinaryOperator<TOp>
    {
        a.RequireFloat(op);
        if (!a.IsContiguous) return Zip<TOp>(a, Tensor.Scalar(c, a.DType), op);
        var z = Tensor.Result(a.Rank == 0 ? [] : a.Shape, a.DType, zero: false);
        if (a.DType == DType.Float32) ZipScalarCore<float, TOp>(a, (float)c, z);
        else ZipScalarCore<double, TOp>(a, c, z);
        return z;
    }

    private static void ZipScalarCore<T, TOp>(Tensor a, T c, Tensor z)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryOperator<TOp>
    {
        int n = z.NumElements;
        if (n == 1) z.Array<T>()[z.Offset] = TOp.Invoke(a.Array<T>()[a.Offset], c);
        else if (n > 1) TOp.Invoke(a.ContiguousSpan<T>(), c, z.ContiguousSpan<T>());
    }

    /// <summary>Writes a ∘ b (b broadcast) into the contiguous <paramref name="dst"/> of a's shape, which may be a itself.</summary>
    public static void ZipInto<TOp>(Tensor a, Tensor b, Tensor dst) where TOp : IBinaryOperator<TOp>
    {
        if (a.DType == DType.Float32) ZipCore<float, TOp>(a, b, dst);
        else ZipCore<double, TOp>(a, b, dst);
    }

    private static unsafe void ZipCore<T, TOp>(Tensor a, Tensor b, Tensor z)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryOperator<TOp>
    {
        int count = z.NumElements;
        if (count == 0) return;
        // Fast paths without building an iteration layout: equal contiguous shapes, or one single-element operand.
        bool ca = a.IsContiguous, cb = b.IsContiguous;
        if (ca && cb && a.NumElements == count && b.NumElements == count)
        {
            fixed (T* pa = &a.Array<T>()[a.Offset], pb = &b.Array<T>()[b.Offset], pz = &z.Array<T>()[z.Offset])
                Chunks.For(count, new ZipChunk<T, TOp>(pa, pb, pz));
            return;
        }
        if (ca && b.NumElements == 1 && a.NumElements == count)
        {
            TOp.Invoke(a.ContiguousSpan<T>(), b.Array<T>()[b.Offset], z.ContiguousSpan<T>());
            return;
        }
        if (cb && a.NumElements == 1 && b.NumElements == count)
        {
            TOp.Invoke(a.Array<T>()[a.Offset], b.ContiguousSpan<T>(), z.ContiguousSpan<T>());
            return;
        }
        var shape = z.Dims;
        var layout = Layout.Create(shape, Strided.BroadcastStrides(a, shape), Strided.BroadcastStrides(b, shape), z.StrideArray);
        if (layout.NumElements == 0) return;
        T[] xa = a.Array<T>(), xb = b.Array<T>(), xz = z.Array<T>();
        int n = layout.Inner, sa = layout.Strides[0][^1], sb = layout.Strides[1][^1];
        // A strided inner axis (a transposed view) is gathered into a row buffer so the vectorized forms still apply.
        T[]? rowA = sa is 0 or 1 ? null : new T[n], rowB = sb is 0 or 1 ? null : new T[n];
        var cur = new RowCursor(layout, a.Offset, b.Offset, z.Offset);
        do
        {
            int oa = cur.Offsets[0], ob = cur.Offsets[1];
            var dst = xz.AsSpan(cur.Offsets[2], n);
            if (sa == 0 && sb == 0)
            {
                dst.Fill(TOp.Invoke(xa[oa], xb[ob]));
                continue;
            }
            ReadOnlySpan<T> ra = rowA is null ? sa == 1 ? xa.AsSpan(oa, n) : default : Gather(xa, oa, sa, rowA);
            ReadOnlySpan<T> rb = rowB is null ? sb == 1 ? xb.AsSpan(ob, n) : default : Gather(xb, ob, sb, rowB);
            if (sa == 0) TOp.Invoke(xa[oa], rb, dst);
            else if (sb == 0) TOp.Invoke(ra, xb[ob], dst);
            else TOp.Invoke(ra, rb, dst);
        } while (cur.Next());
    }

    private static T[] Gather<T>(T[] src, int offset, int stride, T[] row)
    {
        for (int i = 0; i < row.Length; i++) row[i] = src[offset + i * stride];
        return row;
    }

    /// <summary>z[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast together.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b, string op)
    {
        a.RequireFloat(op);
        var shape = ShapeUtil.Broadcast(op, ShapeUtil.Broadcast(op, cond.Dims, a.Dims), b.Dims);
        var z = Tensor.Result(shape, a.DType, zero: false);
        if (a.DType == DType.Float32) WhereCore<float>(cond, a, b, z);
        else WhereCore<double>(cond, a, b, z);
        return z;
    }

    private static void WhereCore<T>(Tensor cond, Tensor a, Tensor b, Tensor z) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = z.Dims;
        var layout = Layout.Create(shape, Strided.BroadcastStrides(cond, shape), Strided.BroadcastStrides(a, shape),
            Strided.BroadcastStrides(b, shape), z.StrideArray);
        if (layout.NumElements == 0) return;
        T[] xa = a.Array<T>(), xb = b.Array<T>(), xz = z.Array<T>();
        int n = layout.Inner, sc = layout.Strides[0][^1], sa = layout.Strides[1][^1], sb = layout.Strides[2][^1];
        var cur = new RowCursor(layout, cond.Offset, a.Offset, b.Offset, z.Offset);
        do
        {
            int oc = cur.Offsets[0], oa = cur.Offsets[1], ob = cur.Offsets[2], oz = cur.Offsets[3];
            for (int i = 0; i < n; i++)
                xz[oz + i] = cond.ReadAt(oc + i * sc) != 0 ? xa[oa + i * sa] : xb[ob + i * sb];
        } while (cur.Next());
    }

    public static Tensor Cast(Tensor x, DType to)
    {
        var src = x.IsContiguous ? x : Strided.ToContiguous(x);
        var y = Tensor.Result(x.Shape, to, zero: false);
        int n = x.NumElements, o = src.Offset;
        switch (src.DType, to)
        {
            case (DType.Float32, DType.Float64): { var s = src.Array<float>(); var d = y.Array<double>(); for (int i = 0; i < n; i++) d[i] = s[o + i]; break; }
            case (DType.Float64, DType.Float32): { var s = src.Array<double>(); var d = y.Array<float>(); for (int i = 0; i < n; i++) d[i] = (float)s[o + i]; break; }
            case (DType.Int64, DType.Float32): { var s = src.Array<long>(); var d = y.Array<float>(); for (int i = 0; i < n; i++) d[i] = s[o + i]; break; }
            case (DType.Int64, DType.Float64): { var s = src.Array<long>(); var d = y.Array<double>(); for (int i = 0; i < n; i++) d[i] = s[o + i]; break; }
            case (DType.Float32, DType.Int64): { var s = src.Array<float>(); var d = y.Array<long>(); for (int i = 0; i < n; i++) d[i] = (long)s[o + i]; break; }
            case (DType.Float64, DType.Int64): { var s = src.Array<double>(); var d = y.Array<long>(); for (int i = 0; i < n; i++) d[i] = (long)s[o + i]; break; }
            default: System.Array.Copy(src.Data, o, y.Data, 0, n); break;
        }
        return y;
    }
}

// Operators. TensorPrimitives where it has the op (but see Activations for tanh and sigmoid); loops for the rest.
internal readonly struct NegOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => UnaryKernels.Apply(x, y, new NegKernel()); }

internal readonly struct NegKernel : IUnaryKernel
{
    public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}
internal readonly struct ExpOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, y); }
internal readonly struct LogOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, y); }
internal readonly struct SqrtOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, y); }
internal readonly struct AbsOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, y); }
internal readonly struct SinOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sin(x, y); }
internal readonly struct CosOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cos(x, y); }
internal readonly struct TanhOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Activations.Tanh(x, y); }
internal readonly struct SigmoidOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Activations.Sigmoid(x, y); }
// max(x, 0) with NaN kept and −0 giving +0, as IEEE maximum; TensorPrimitives.Max(x, 0) measured 15x slower on Gaussian data.
internal readonly struct ReluOperator : IUnaryOperator { public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => UnaryKernels.Apply(x, y, new ReluKernel()); }

internal readonly struct ReluKernel : IUnaryKernel
{
    public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero || T.IsNaN(x) ? x : T.Zero;
    public Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero) | ~Vector128.Equals(x, x), x, Vector128<T>.Zero);
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero) | ~Vector256.Equals(x, x), x, Vector256<T>.Zero);
    public Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero) | ~Vector512.Equals(x, x), x, Vector512<T>.Zero);
}

/// <summary>An elementwise y = f(x) written once per vector width, the same IEEE operations on every path.</summary>
internal interface IUnaryKernel
{
    T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
    Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
    Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
    Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal static class UnaryKernels
{
    /// <summary>y[i] = kernel(x[i]) over spans of one length; y may be x itself but not an offset view of it.</summary>
    public static void Apply<T, TK>(ReadOnlySpan<T> x, Span<T> y, TK kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IUnaryKernel
    {
        if (x.Length != y.Length) throw new ArgumentException("The spans must have the same length.", nameof(y));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            for (nuint w = (nuint)Vector512<T>.Count; i + w <= n; i += w) kernel.Invoke(Vector512.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            for (nuint w = (nuint)Vector256<T>.Count; i + w <= n; i += w) kernel.Invoke(Vector256.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        }
        else if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<T>.Count)
        {
            for (nuint w = (nuint)Vector128<T>.Count; i + w <= n; i += w) kernel.Invoke(Vector128.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) = kernel.Invoke(Unsafe.Add(ref rx, i));
    }
}

internal readonly struct SignOperator : IUnaryOperator
{
    // Keeps 0 and NaN as they are, as torch.sign does.
    public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : x[i];
    }
}

internal readonly struct SoftplusOperator : IUnaryOperator
{
    // log(1 + eˣ) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
    public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Max(x[i], T.Zero) + Log1p(T.Exp(-T.Abs(x[i])));
    }

    // Goldberg's log1p: accurate to a few ulps without a library log1p.
    private static T Log1p<T>(T u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T w = T.One + u;
        return w == T.One ? u : T.Log(w) * u / (w - T.One);
    }
}

internal readonly struct AddOperator : IBinaryOperator<AddOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => BinaryKernels.Apply(x, y, d, new AddKernel());
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubOperator : IBinaryOperator<SubOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => BinaryKernels.Apply(x, y, d, new SubKernel());
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MulOperator : IBinaryOperator<MulOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => BinaryKernels.Apply(x, y, d, new MulKernel());
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivOperator : IBinaryOperator<DivOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => BinaryKernels.Apply(x, y, d, new DivKernel());
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct PowOperator : IBinaryOperator<PowOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(x, y);
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(x, y, d);
}

// IEEE 754-2019 maximum/minimum: NaN propagates, as torch.maximum.
internal readonly struct MaxOperator : IBinaryOperator<MaxOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, y);
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinOperator : IBinaryOperator<MinOperator>
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(x, y);
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(y, x, d);
}

// Comparisons give 1 or 0 in the operands' dtype.
internal readonly struct GtOperator : IBinaryOperator<GtOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > y ? T.One : T.Zero; }
internal readonly struct GeOperator : IBinaryOperator<GeOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x >= y ? T.One : T.Zero; }
internal readonly struct LtOperator : IBinaryOperator<LtOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x < y ? T.One : T.Zero; }
internal readonly struct LeOperator : IBinaryOperator<LeOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x <= y ? T.One : T.Zero; }
internal readonly struct EqOperator : IBinaryOperator<EqOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x == y ? T.One : T.Zero; }
internal readonly struct NeOperator : IBinaryOperator<NeOperator> { public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x != y ? T.One : T.Zero; }

/// <summary>A body run over [start, start + length) of an elementwise loop, on whichever thread gets that chunk.</summary>
internal interface IChunkBody
{
    void Run(int start, int length);
}

/// <summary>
/// Splits long elementwise loops into chunks fixed by the length alone and shares them among up to
/// <see cref="Parallelism.MaxDegree"/> threads, so an element's bits never depend on the thread count.
/// </summary>
internal static class Chunks
{
    /// <summary>Elements per chunk, a multiple of every vector width; the last chunk also takes the remainder.</summary>
    public const int Size = 1 << 15;

    /// <summary>Loops shorter than this run in one piece on the calling thread.</summary>
    public const int Threshold = 1 << 16;

    public static void For<TBody>(int n, TBody body) where TBody : struct, IChunkBody
    {
        if (n < Threshold)
        {
            body.Run(0, n);
            return;
        }
        int count = n / Size;
        int degree = Math.Min(Parallelism.MaxDegree, count);
        if (degree <= 1)
        {
            for (int c = 0; c < count; c++) body.Run(c * Size, c == count - 1 ? n - c * Size : Size);
            return;
        }
        WorkerPool.Run(count, c => body.Run(c * Size, c == count - 1 ? n - c * Size : Size), degree);
    }
}

/// <summary>
/// A fused elementwise z = f(a, b) with a scalar form and Vector128/256/512 forms doing the same IEEE operations in
/// the same order, so the bits of an element do not depend on which form computed it.
/// </summary>
internal interface IBinaryKernel
{
    T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
    Vector128<T> Invoke<T>(Vector128<T> a, Vector128<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
    Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
    Vector512<T> Invoke<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal static class BinaryKernels
{
    /// <summary>z[i] = kernel(a[i], b[i]); the three spans have one length, and z is not an offset view of a or b.</summary>
    public static void Apply<T, TK>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> z, TK kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IBinaryKernel
    {
        if (a.Length != z.Length || b.Length != z.Length) throw new ArgumentException("The spans must have the same length.", nameof(z));
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rz = ref MemoryMarshal.GetReference(z);
        nuint n = (nuint)z.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            for (nuint w = (nuint)Vector512<T>.Count; i + w <= n; i += w)
                kernel.Invoke(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rz, i);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            for (nuint w = (nuint)Vector256<T>.Count; i + w <= n; i += w)
                kernel.Invoke(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rz, i);
        }
        else if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<T>.Count)
        {
            for (nuint w = (nuint)Vector128<T>.Count; i + w <= n; i += w)
                kernel.Invoke(Vector128.LoadUnsafe(ref ra, i), Vector128.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rz, i);
        }
        for (; i < n; i++) Unsafe.Add(ref rz, i) = kernel.Invoke(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
    }
}

/// <summary>
/// In-place updates with a scalar, vectorized without non-temporal stores (the updated tensor is read again soon).
/// The pointer forms share long spans among threads in <see cref="Chunks"/>, so that a parameter, its gradient and
/// the update between them stay split between the cores the same way from one step to the next.
/// </summary>
internal static unsafe class ScaledKernels
{
    /// <summary>x[i] = x[i] + alpha·y[i] over n elements, in chunks across threads.</summary>
    public static void AddScaled<T>(T* x, T* y, int n, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
        Chunks.For(n, new AddScaledChunk<T>(x, y, alpha));

    /// <summary>x[i] = x[i]·alpha over n elements, in chunks across threads.</summary>
    public static void Scale<T>(T* x, int n, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
        Chunks.For(n, new ScaleChunk<T>(x, alpha));

    /// <summary>x[i] = value over n elements, in chunks across threads.</summary>
    public static void Fill<T>(T* x, int n, T value) where T : unmanaged =>
        Chunks.For(n, new FillChunk<T>(x, value));

    private readonly struct AddScaledChunk<T>(T* x, T* y, T alpha) : IChunkBody where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int length) => AddScaled(new Span<T>(x + start, length), new ReadOnlySpan<T>(y + start, length), alpha);
    }

    private readonly struct ScaleChunk<T>(T* x, T alpha) : IChunkBody where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int length) => Scale(new Span<T>(x + start, length), alpha);
    }

    private readonly struct FillChunk<T>(T* x, T value) : IChunkBody where T : unmanaged
    {
        public void Run(int start, int length) => new Span<T>(x + start, length).Fill(value);
    }

    /// <summary>x[i] = x[i] + alpha·y[i]: a product, then a sum (no fused multiply-add), as the out-of-place ops round.</summary>
    public static void AddScaled<T>(Span<T> x, ReadOnlySpan<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException("The spans must have the same length.", nameof(y));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var va = Vector512.Create(alpha);
            for (nuint w = (nuint)Vector512<T>.Count; i + w <= n; i += w)
                (Vector512.LoadUnsafe(ref rx, i) + Vector512.LoadUnsafe(ref ry, i) * va).StoreUnsafe(ref rx, i);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var va = Vector256.Create(alpha);
            for (nuint w = (nuint)Vector256<T>.Count; i + w <= n; i += w)
                (Vector256.LoadUnsafe(ref rx, i) + Vector256.LoadUnsafe(ref ry, i) * va).StoreUnsafe(ref rx, i);
        }
        for (; i < n; i++) Unsafe.Add(ref rx, i) = Unsafe.Add(ref rx, i) + Unsafe.Add(ref ry, i) * alpha;
    }

    /// <summary>x[i] = x[i]·alpha.</summary>
    public static void Scale<T>(Span<T> x, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var va = Vector512.Create(alpha);
            for (nuint w = (nuint)Vector512<T>.Count; i + w <= n; i += w) (Vector512.LoadUnsafe(ref rx, i) * va).StoreUnsafe(ref rx, i);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var va = Vector256.Create(alpha);
            for (nuint w = (nuint)Vector256<T>.Count; i + w <= n; i += w) (Vector256.LoadUnsafe(ref rx, i) * va).StoreUnsafe(ref rx, i);
        }
        for (; i < n; i++) Unsafe.Add(ref rx, i) = Unsafe.Add(ref rx, i) * alpha;
    }
}

// Plain arithmetic on two spans. TensorPrimitives' span-span forms switch to non-temporal stores on long spans, which
// cost 2-3x here because the next op reads the result straight back from cache.
internal readonly struct AddKernel : IBinaryKernel
{
    public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public Vector128<T> Invoke<T>(Vector128<T> a, Vector128<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public Vector512<T> Invoke<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
}

internal readonly struct SubKernel : IBinaryKernel
{
    public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public Vector128<T> Invoke<T>(Vector128<T> a, Vector128<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public Vector512<T> Invoke<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
}

internal readonly struct MulKernel : IBinaryKernel
{
    public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public Vector128<T> Invoke<T>(Vector128<T> a, Vector128<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public Vector512<T> Invoke<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
}

internal readonly struct DivKernel : IBinaryKernel
{
    public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public Vector128<T> Invoke<T>(Vector128<T> a, Vector128<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public Vector512<T> Invoke<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
}

// The fused backward rules. Each does exactly the operations, in the same order, of the composite tensor-op rule it
// replaces (Ops/Unary.cs), so both paths give the same bits.

/// <summary>tanh′: g·(1 − y·y) from g and y = tanh x (no fused multiply-add, as the composite rule has none).</summary>
internal readonly struct TanhGradKernel : IBinaryKernel
{
    public T Invoke<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * (T.One - y * y);
    public Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector128<T>.One - y * y);
    public Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector256<T>.One - y * y);
    public Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector512<T>.One - y * y);
}

/// <summary>σ′: g·(y(1 − y)) from g and y = σ(x).</summary>
internal readonly struct SigmoidGradKernel : IBinaryKernel
{
    public T Invoke<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (T.One - y));
    public Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (Vector128<T>.One - y));
    public Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (Vector256<T>.One - y));
    public Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (Vector512<T>.One - y));
}

/// <summary>relu′: g·[x &gt; 0] from g and x (a product, not a select, so g = ±∞ or NaN still gives NaN where x ≤ 0).</summary>
internal readonly struct ReluGradKernel : IBinaryKernel
{
    public T Invoke<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T> => g * (x > T.Zero ? T.One : T.Zero);
    public Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector128.GreaterThan(x, Vector128<T>.Zero) & Vector128<T>.One);
    public Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector256.GreaterThan(x, Vector256<T>.Zero) & Vector256<T>.One);
    public Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512<T>.One);
}

/// <summary>clamp′: g·[lo ≤ x ≤ hi] from g and x, the bounds included (±∞ for a missing bound).</summary>
internal readonly struct ClampGradKernel(double lo, double hi) : IBinaryKernel
{
    private readonly float _loF = (float)lo, _hiF = (float)hi;

    private T Lo<T>() => typeof(T) == typeof(float) ? (T)(object)_loF : (T)(object)lo;
    private T Hi<T>() => typeof(T) == typeof(float) ? (T)(object)_hiF : (T)(object)hi;

    public T Invoke<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T> => g * (x >= Lo<T>() && x <= Hi<T>() ? T.One : T.Zero);

    public Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        g * (Vector128.GreaterThanOrEqual(x, Vector128.Create(Lo<T>())) & Vector128.LessThanOrEqual(x, Vector128.Create(Hi<T>())) & Vector128<T>.One);

    public Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        g * (Vector256.GreaterThanOrEqual(x, Vector256.Create(Lo<T>())) & Vector256.LessThanOrEqual(x, Vector256.Create(Hi<T>())) & Vector256<T>.One);

    public Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        g * (Vector512.GreaterThanOrEqual(x, Vector512.Create(Lo<T>())) & Vector512.LessThanOrEqual(x, Vector512.Create(Hi<T>())) & Vector512<T>.One);
}
