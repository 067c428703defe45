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
        var y = Product(x, w, b, GemmActivation.None, "linear");
        if (!ShouldRecord([x, w, b])) return y;
        var fn = new Linear();
        Attach(fn, y, x, w, b);
        fn.Save(x, w);
        return y;
    }

    // act(x·Wᵀ + b) into a new [n, out] tensor.
    internal static Tensor Product(Tensor x, Tensor w, Tensor b, GemmActivation act, string op)
    {
        int n = x.Dims[0], k = x.Dims[1], o = w.Dims[0];
        var y = Tensor.Result([n, o], x.DType, zero: false, op: op);
        Gemm.MultiplyInto(Matrix(x, n, k, x.StrideArray[0], x.StrideArray[1]), Matrix(w, k, o, w.StrideArray[1], w.StrideArray[0]),
            Matrix(y, n, o, o, 1), b, null, act);
        return y;
    }

    // A [1, rows, cols] view for the kernel.
    private static Tensor Matrix(Tensor t, int rows, int cols, int rowStride, int colStride) =>
        Tensor.InternalView(t, [1, rows, cols], [0, rowStride, colStride], t.Offset);

    protected override Tensor?[] Backward(Tensor g) =>
        Grads(g, Saved(0), Saved(1), Input(0).RequiresGrad, Input(1).RequiresGrad, Input(2).RequiresGrad);

    /// <summary>The rule above for ∂L/∂y = <paramref name="g"/>, shared with <see cref="LinearRelu"/>.</summary>
    internal static Tensor?[] Grads(Tensor g, Tensor x, Tensor w, bool wantX, bool wantW, bool wantB)
    {
        var gx = wantX ? g.MatMul(w) : null;
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

// y = relu(x·Wᵀ + b): ∂L/∂(x·Wᵀ + b) = G·[y > 0] (y > 0 exactly where x·Wᵀ + b > 0), then linear's rule on it
// A primitive for speed (nn.Linear followed by nn.ReLU in a Sequential): the product's epilogue applies max(·, 0) to each
// tile after the bias, and backward reads the mask from the output, so the pre-activation is neither written out nor
// kept. The same bits as linear followed by relu, forward and backward: the mask is relu's, applied by relu's rule
// (fused kernel or g·[y > 0] under the same condition), then linear's rule.
internal sealed class LinearRelu : Function
{
    public override string Name => "linear_relu";

    /// <summary>Whether nn.Sequential uses this op for a Linear followed by a ReLU (off: the two modules' ops, for Autograd.Bench).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>relu(x·Wᵀ + b) for a matrix x [n, in], W [out, in] and b [out] of one floating dtype (the caller checks).</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor b)
    {
        var y = Linear.Product(x, w, b, GemmActivation.Relu, "linear_relu");
        if (!ShouldRecord([x, w, b])) return y;
        var fn = new LinearRelu();
        Attach(fn, y, x, w, b);
        fn.Save(x, w, y);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor y = Saved(2);
        // Relu's rule (UnaryFunction.CanFuse's condition, on the output instead of the equivalent input).
        bool fuse = (!GradMode.IsEnabled || (!g.RequiresGrad && !y.RequiresGrad)) && g.DType == y.DType && ShapeUtil.SameShape(g.Dims, y.Dims);
        var gz = fuse ? Elementwise.Fused(g, y, new ReluGradKernel()) : g * y.Gt(0.0);
        return Linear.Grads(gz, Saved(0), Saved(1), Input(0).RequiresGrad, Input(1).RequiresGrad, Input(2).RequiresGrad);
    }
}
