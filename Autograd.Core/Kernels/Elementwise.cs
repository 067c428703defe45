using System.Numerics;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

internal static class Elementwise
{
    public static Tensor Map<TOp>(Tensor x, string op) where TOp : IUnaryKernel
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
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IUnaryKernel
    {
        fixed (T* px = &x[xOffset], py = &y[yOffset]) Chunks.For(n, new UnaryChunk<T, TOp>(px, py));
    }

    private readonly unsafe struct UnaryChunk<T, TOp>(T* x, T* y) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IUnaryKernel
    {
        public void Run(int start, int length) => Spans.Unary<T, TOp>(new ReadOnlySpan<T>(x + start, length), new Span<T>(y + start, length));
    }

    private readonly unsafe struct ZipChunk<T, TOp>(T* a, T* b, T* z) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryKernel
    {
        public void Run(int start, int length) =>
            Spans.Binary<T, TOp>(new ReadOnlySpan<T>(a + start, length), new ReadOnlySpan<T>(b + start, length), new Span<T>(z + start, length));
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
                Chunks.For(n, new ZipChunk<float, TK>(pa, pb, pz));
        }
        else
        {
            fixed (double* pa = &ca.Array<double>()[ca.Offset], pb = &cb.Array<double>()[cb.Offset], pz = &z.Array<double>()[z.Offset])
                Chunks.For(n, new ZipChunk<double, TK>(pa, pb, pz));
        }
        return z;
    }

    /// <summary>clamp′ = g·[lo ≤ x ≤ hi] as two masked passes, (g·[x ≥ lo])·[x ≤ hi]: the bits of g·[lo ≤ x ≤ hi], as both masks are 0 or 1.</summary>
    public static Tensor Fused(Tensor g, Tensor x, ClampGradKernel bounds)
    {
        System.Diagnostics.Debug.Assert(ShapeUtil.SameShape(g.Dims, x.Dims) && g.DType == x.DType && g.DType.IsFloatingPoint());
        var cg = g.IsContiguous ? g : Strided.ToContiguous(g);
        var cx = x.IsContiguous ? x : Strided.ToContiguous(x);
        var z = Tensor.Result(g.Shape, g.DType, zero: false);
        if (z.NumElements == 0) return z;
        if (g.DType == DType.Float32) ClampGrad(cg.ContiguousSpan<float>(), cx.ContiguousSpan<float>(), (float)bounds.Lo, (float)bounds.Hi, z.ContiguousSpan<float>());
        else ClampGrad(cg.ContiguousSpan<double>(), cx.ContiguousSpan<double>(), bounds.Lo, bounds.Hi, z.ContiguousSpan<double>());
        return z;
    }

    private static void ClampGrad<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T lo, T hi, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Spans.Ternary<T, AtLeastMaskKernel>(g, x, lo, z);
        Spans.Ternary<T, AtMostMaskKernel>(z, x, hi, z);
    }

    /// <summary>Applies a binary operator with NumPy broadcasting; both inputs must share a floating dtype.</summary>
    public static Tensor Zip<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryKernel
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
    public static Tensor ZipScalar<TOp>(Tensor a, double c, string op) where TOp : IBinaryKernel
    {
        a.RequireFloat(op);
        if (!a.IsContiguous) return Zip<TOp>(a, Tensor.Scalar(c, a.DType), op);
        var z = Tensor.Result(a.Rank == 0 ? [] : a.Shape, a.DType, zero: false);
        if (a.DType == DType.Float32) ZipScalarCore<float, TOp>(a, (float)c, z);
        else ZipScalarCore<double, TOp>(a, c, z);
        return z;
    }

    private static void ZipScalarCore<T, TOp>(Tensor a, T c, Tensor z)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryKernel
    {
        int n = z.NumElements;
        if (n == 1) z.Array<T>()[z.Offset] = TOp.Invoke(a.Array<T>()[a.Offset], c);
        else if (n > 1) Spans.Binary<T, TOp>(a.ContiguousSpan<T>(), c, z.ContiguousSpan<T>());
    }

    /// <summary>Writes a ∘ b (b broadcast) into the contiguous <paramref name="dst"/> of a's shape, which may be a itself.</summary>
    public static void ZipInto<TOp>(Tensor a, Tensor b, Tensor dst) where TOp : IBinaryKernel
    {
        if (a.DType == DType.Float32) ZipCore<float, TOp>(a, b, dst);
        else ZipCore<double, TOp>(a, b, dst);
    }

    private static unsafe void ZipCore<T, TOp>(Tensor a, Tensor b, Tensor z)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryKernel
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
            Spans.Binary<T, TOp>(a.ContiguousSpan<T>(), b.Array<T>()[b.Offset], z.ContiguousSpan<T>());
            return;
        }
        if (cb && a.NumElements == 1 && b.NumElements == count)
        {
            Spans.Binary<T, TOp>(a.Array<T>()[a.Offset], b.ContiguousSpan<T>(), z.ContiguousSpan<T>());
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
            if (sa == 0) Spans.Binary<T, TOp>(xa[oa], rb, dst);
            else if (sb == 0) Spans.Binary<T, TOp>(ra, xb[ob], dst);
            else Spans.Binary<T, TOp>(ra, rb, dst);
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

// Operators, on the drivers of Spans.cs. exp, log, sin and cos call .NET's vector functions, the ones TensorPrimitives
// calls, so each element's bits are TensorPrimitives'; the scalar forms (spans shorter than one Vector128, and the
// scalar ISA) are the Math functions, which differ from the vector ones by an ulp at times.
internal readonly struct NegOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}

internal readonly struct ExpOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Exp(x.AsSingle()).As<float, T>() : Vector128.Exp(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Exp(x.AsSingle()).As<float, T>() : Vector256.Exp(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Exp(x.AsSingle()).As<float, T>() : Vector512.Exp(x.AsDouble()).As<double, T>();
}

internal readonly struct LogOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Log(x.AsSingle()).As<float, T>() : Vector128.Log(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Log(x.AsSingle()).As<float, T>() : Vector256.Log(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Log(x.AsSingle()).As<float, T>() : Vector512.Log(x.AsDouble()).As<double, T>();
}

internal readonly struct SinOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Sin(x.AsSingle()).As<float, T>() : Vector128.Sin(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Sin(x.AsSingle()).As<float, T>() : Vector256.Sin(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Sin(x.AsSingle()).As<float, T>() : Vector512.Sin(x.AsDouble()).As<double, T>();
}

internal readonly struct CosOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Cos(x.AsSingle()).As<float, T>() : Vector128.Cos(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Cos(x.AsSingle()).As<float, T>() : Vector256.Cos(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Cos(x.AsSingle()).As<float, T>() : Vector512.Cos(x.AsDouble()).As<double, T>();
}

internal readonly struct SqrtOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.Sqrt(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Sqrt(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Sqrt(x);
}

internal readonly struct AbsOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.Abs(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Abs(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Abs(x);
}

internal readonly struct TanhOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? (T)(object)TanhSingle.Invoke((float)(object)x) : (T)(object)TanhDouble.Invoke((double)(object)x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? TanhSingle.Invoke(x.AsSingle()).As<float, T>() : TanhDouble.Invoke(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? TanhSingle.Invoke(x.AsSingle()).As<float, T>() : TanhDouble.Invoke(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? TanhSingle.Invoke(x.AsSingle()).As<float, T>() : TanhDouble.Invoke(x.AsDouble()).As<double, T>();
}

internal readonly struct SigmoidOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? (T)(object)SigmoidSingle.Invoke((float)(object)x) : (T)(object)SigmoidDouble.Invoke((double)(object)x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? SigmoidSingle.Invoke(x.AsSingle()).As<float, T>() : SigmoidDouble.Invoke(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? SigmoidSingle.Invoke(x.AsSingle()).As<float, T>() : SigmoidDouble.Invoke(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? SigmoidSingle.Invoke(x.AsSingle()).As<float, T>() : SigmoidDouble.Invoke(x.AsDouble()).As<double, T>();
}

// max(x, 0) with NaN kept and −0 giving +0, as IEEE maximum; TensorPrimitives.Max(x, 0) measured 15x slower on Gaussian data.
internal readonly struct ReluOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero || T.IsNaN(x) ? x : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero) | ~Vector128.Equals(x, x), x, Vector128<T>.Zero);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero) | ~Vector256.Equals(x, x), x, Vector256<T>.Zero);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero) | ~Vector512.Equals(x, x), x, Vector512<T>.Zero);
}

// Keeps 0 and NaN as they are, as torch.sign does.
internal readonly struct SignOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), Vector128<T>.One,
            Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<T>.Zero), -Vector128<T>.One, x));
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), -Vector256<T>.One, x));
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One,
            Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<T>.Zero), -Vector512<T>.One, x));
}

// log(1 + eˣ) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|. Scalar only (not on a hot path).
internal readonly struct SoftplusOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, T.Zero) + Log1p(T.Exp(-T.Abs(x)));
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, SoftplusOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, SoftplusOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, SoftplusOperator>(x);

    // Goldberg's log1p: accurate to a few ulps without a library log1p.
    private static T Log1p<T>(T u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T w = T.One + u;
        return w == T.One ? u : T.Log(w) * u / (w - T.One);
    }
}

// Plain arithmetic. TensorPrimitives' span-span forms switch to non-temporal stores on long spans, which cost 2-3x
// here because the next op reads the result straight back from cache.
internal readonly struct AddOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
}

internal readonly struct SubOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
}

internal readonly struct MulOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
}

internal readonly struct DivOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
}

// T.Pow per element, as TensorPrimitives.Pow does (it has no vector form either).
internal readonly struct PowOperator : IBinaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(x, y);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, PowOperator>(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, PowOperator>(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, PowOperator>(x, y);
}

// IEEE 754-2019 maximum/minimum: NaN propagates, as torch.maximum (the scalar and vector forms alike since .NET 9).
internal readonly struct MaxOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, y);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.Max(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Max(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Max(x, y);
}

internal readonly struct MinOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(x, y);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.Min(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Min(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Min(x, y);
}

// Comparisons give 1 or 0 in the operands' dtype (a mask and'ed with 1: the same bits as the scalar select).
internal readonly struct GtOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > y ? T.One : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.GreaterThan(x, y) & Vector128<T>.One;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThan(x, y) & Vector256<T>.One;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThan(x, y) & Vector512<T>.One;
}

internal readonly struct GeOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x >= y ? T.One : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.GreaterThanOrEqual(x, y) & Vector128<T>.One;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThanOrEqual(x, y) & Vector256<T>.One;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThanOrEqual(x, y) & Vector512<T>.One;
}

internal readonly struct LtOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x < y ? T.One : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.LessThan(x, y) & Vector128<T>.One;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.LessThan(x, y) & Vector256<T>.One;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.LessThan(x, y) & Vector512<T>.One;
}

internal readonly struct LeOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x <= y ? T.One : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.LessThanOrEqual(x, y) & Vector128<T>.One;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.LessThanOrEqual(x, y) & Vector256<T>.One;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.LessThanOrEqual(x, y) & Vector512<T>.One;
}

internal readonly struct EqOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x == y ? T.One : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.Equals(x, y) & Vector128<T>.One;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Equals(x, y) & Vector256<T>.One;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Equals(x, y) & Vector512<T>.One;
}

internal readonly struct NeOperator : IBinaryKernel
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x != y ? T.One : T.Zero;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => ~Vector128.Equals(x, y) & Vector128<T>.One;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => ~Vector256.Equals(x, y) & Vector256<T>.One;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => ~Vector512.Equals(x, y) & Vector512<T>.One;
}

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
    public static void AddScaled<T>(Span<T> x, ReadOnlySpan<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
        Spans.Ternary<T, AddScaledKernel>(x, y, alpha, x);

    /// <summary>x[i] = x[i]·alpha.</summary>
    public static void Scale<T>(Span<T> x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Binary<T, MulOperator>(x, alpha, x);
}

/// <summary>x + y·c: a product, then a sum.</summary>
internal readonly struct AddScaledKernel : ITernaryKernel
{
    public static T Invoke<T>(T x, T y, T c) where T : unmanaged, IFloatingPointIeee754<T> => x + y * c;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y, Vector128<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x + y * c;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x + y * c;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y, Vector512<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x + y * c;
}

/// <summary>x·c + y: a product, then a sum (TensorPrimitives.MultiplyAdd's rounding).</summary>
internal readonly struct MultiplyAddKernel : ITernaryKernel
{
    public static T Invoke<T>(T x, T y, T c) where T : unmanaged, IFloatingPointIeee754<T> => x * c + y;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y, Vector128<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * c + y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * c + y;
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y, Vector512<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * c + y;
}

// The fused backward rules. Each does exactly the operations, in the same order, of the composite tensor-op rule it
// replaces (Ops/Unary.cs), so both paths give the same bits.

/// <summary>tanh′: g·(1 − y·y) from g and y = tanh x (no fused multiply-add, as the composite rule has none).</summary>
internal readonly struct TanhGradKernel : IBinaryKernel
{
    public static T Invoke<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * (T.One - y * y);
    public static Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector128<T>.One - y * y);
    public static Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector256<T>.One - y * y);
    public static Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector512<T>.One - y * y);
}

/// <summary>σ′: g·(y(1 − y)) from g and y = σ(x).</summary>
internal readonly struct SigmoidGradKernel : IBinaryKernel
{
    public static T Invoke<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (T.One - y));
    public static Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (Vector128<T>.One - y));
    public static Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (Vector256<T>.One - y));
    public static Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * (y * (Vector512<T>.One - y));
}

/// <summary>relu′: g·[x &gt; 0] from g and x (a product, not a select, so g = ±∞ or NaN still gives NaN where x ≤ 0).</summary>
internal readonly struct ReluGradKernel : IBinaryKernel
{
    public static T Invoke<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T> => g * (x > T.Zero ? T.One : T.Zero);
    public static Vector128<T> Invoke<T>(Vector128<T> g, Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector128.GreaterThan(x, Vector128<T>.Zero) & Vector128<T>.One);
    public static Vector256<T> Invoke<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector256.GreaterThan(x, Vector256<T>.Zero) & Vector256<T>.One);
    public static Vector512<T> Invoke<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512<T>.One);
}

/// <summary>clamp′: g·[lo ≤ x ≤ hi] from g and x, the bounds included (±∞ for a missing bound); see <see cref="Elementwise.Fused(Tensor, Tensor, ClampGradKernel)"/>.</summary>
/// <param name="Lo">The lower bound.</param>
/// <param name="Hi">The upper bound.</param>
internal readonly record struct ClampGradKernel(double Lo, double Hi);

/// <summary>x·[y ≥ c]: one bound of <see cref="ClampGradKernel"/>.</summary>
internal readonly struct AtLeastMaskKernel : ITernaryKernel
{
    public static T Invoke<T>(T x, T y, T c) where T : unmanaged, IFloatingPointIeee754<T> => x * (y >= c ? T.One : T.Zero);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y, Vector128<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * (Vector128.GreaterThanOrEqual(y, c) & Vector128<T>.One);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * (Vector256.GreaterThanOrEqual(y, c) & Vector256<T>.One);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y, Vector512<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * (Vector512.GreaterThanOrEqual(y, c) & Vector512<T>.One);
}

/// <summary>x·[y ≤ c]: the other bound of <see cref="ClampGradKernel"/>.</summary>
internal readonly struct AtMostMaskKernel : ITernaryKernel
{
    public static T Invoke<T>(T x, T y, T c) where T : unmanaged, IFloatingPointIeee754<T> => x * (y <= c ? T.One : T.Zero);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y, Vector128<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * (Vector128.LessThanOrEqual(y, c) & Vector128<T>.One);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * (Vector256.LessThanOrEqual(y, c) & Vector256<T>.One);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y, Vector512<T> c) where T : unmanaged, IFloatingPointIeee754<T> => x * (Vector512.LessThanOrEqual(y, c) & Vector512<T>.One);
}
