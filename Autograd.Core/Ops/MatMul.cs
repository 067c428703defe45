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

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor a = Saved(0), b = Saved(1);
        return
        [
            Inputs[0].RequiresGrad ? Forward(g, b.Permute(0, 2, 1)) : null,
            Inputs[1].RequiresGrad ? Forward(a.Permute(0, 2, 1), g) : null,
        ];
    }
}
