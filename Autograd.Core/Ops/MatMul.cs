using Autograd.Kernels;

namespace Autograd.Ops;

// C = A·B on [batch, m, k]·[batch, k, n]: ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G
internal sealed class BatchedMatMul : Function
{
    public override string Name => "matmul";

    public static Tensor Forward(Tensor a, Tensor b)
    {
        var y = Gemm.BatchedMatMul(a, b);
        if (!ShouldRecord(a, b)) return y;
        var fn = new BatchedMatMul();
        Attach(fn, y, a, b);
        fn.Save(a, b);
        return y;
    }

    // An input that is a transposed view (W in x·Wᵀ) gets its gradient as (Gᵀ·A)ᵀ instead of Aᵀ·G: the same sums in the
    // same order, but stored in the layout of W itself, so the gradient that reaches W (and W.Grad) is contiguous.
    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor a = Saved(0), b = Saved(1);
        return
        [
            !Input(0).RequiresGrad ? null
                : IsTransposed(a) ? Forward(b, g.Permute(0, 2, 1)).Permute(0, 2, 1) : Forward(g, b.Permute(0, 2, 1)),
            !Input(1).RequiresGrad ? null
                : IsTransposed(b) ? Forward(g.Permute(0, 2, 1), a).Permute(0, 2, 1) : Forward(a.Permute(0, 2, 1), g),
        ];
    }

    private static bool IsTransposed(Tensor t) => t.StrideArray[2] != 1 && t.StrideArray[1] == 1 && t.Dims[1] > 1 && t.Dims[2] > 1;
}
