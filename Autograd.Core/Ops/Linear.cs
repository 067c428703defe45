using System.Buffers;
using Autograd.Kernels;

namespace Autograd.Ops;

// y = x·Wᵀ + b on x [n, in], W [out, in], b [out]: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_rows G
// A primitive for speed (nn.Linear's forward and backward in a training step): the bias is added to each tile of the
// product as it leaves the micro-kernel instead of in a pass of its own, and a first-order backward takes ∂L/∂b from
// the blocks of G that the ∂L/∂W product packs. Both give the bits of x·Wᵀ + b and of its composite gradients (the
// column sums of a contiguous G are float64 sums in row order, as Tensor.Sum's), which a second-order backward uses.
internal sealed class Linear : Function
{
    public override string Name => "linear";

    /// <summary>x·Wᵀ + b for a matrix x [n, in], W [out, in] and b [out] of one floating dtype (the caller checks).</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor b)
    {
        int n = x.Dims[0], k = x.Dims[1], o = w.Dims[0];
        var y = Tensor.Result([n, o], x.DType, zero: false, op: "linear");
        Gemm.MultiplyInto(Matrix(x, n, k, x.StrideArray[0], x.StrideArray[1]), Matrix(w, k, o, w.StrideArray[1], w.StrideArray[0]),
            Matrix(y, n, o, o, 1), b, null);
        if (!ShouldRecord([x, w, b])) return y;
        var fn = new Linear();
        Attach(fn, y, x, w, b);
        fn.Save(x, w);
        return y;
    }

    // A [1, rows, cols] view for the kernel.
    private static Tensor Matrix(Tensor t, int rows, int cols, int rowStride, int colStride) =>
        Tensor.InternalView(t, [1, rows, cols], [0, rowStride, colStride], t.Offset);

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor x = Saved(0), w = Saved(1);
        bool wantW = Input(1).RequiresGrad, wantB = Input(2).RequiresGrad;
        var gx = Input(0).RequiresGrad ? g.MatMul(w) : null;
        int n = g.Dims[0], o = g.Dims[1], k = x.Dims[1];
        // The fused pass where its sums are Tensor.Sum's (a contiguous G with more than one column) and nothing is recorded.
        if (!wantW || !wantB || GradMode.IsEnabled || !g.IsContiguous || o < 2)
            return [gx, wantW ? g.T.MatMul(x) : null, wantB ? g.Sum(0) : null];
        var gw = Tensor.Result([o, k], g.DType, zero: false, op: "linear");
        double[] sums = ArrayPool<double>.Shared.Rent(o);
        try
        {
            Gemm.MultiplyInto(Matrix(g, o, n, 1, o), Matrix(x, n, k, x.StrideArray[0], x.StrideArray[1]), Matrix(gw, o, k, k, 1), null, sums);
            var gb = Tensor.Result([o], g.DType, zero: false, op: "linear");
            if (g.DType == DType.Float32) Accumulate.Store<float>(sums.AsSpan(0, o), gb.Array<float>().AsSpan(0, o));
            else Accumulate.Store<double>(sums.AsSpan(0, o), gb.Array<double>().AsSpan(0, o));
            return [gx, gw, gb];
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }
}
