using Autograd.Kernels;

namespace Autograd.Ops;

// scatter: y = x with y[index] = src; ∂y/∂x is 1 where nothing was written (x's gradient is g.scatter(index, 0)),
// ∂y/∂src gathers (src's gradient is g.gather(index)), as PyTorch's scatter_backward.
// A primitive: assignment has no composite of the other ops (ScatterAdd sums where indices repeat).
internal sealed class Scatter(int axis) : Function
{
    public const string Op = "scatter";

    public override string Name => Op;

    /// <summary><paramref name="src"/> has <paramref name="index"/>'s shape and <paramref name="x"/>'s dtype.</summary>
    public static Tensor Forward(Tensor x, int axis, Tensor index, Tensor src, string op = Op)
    {
        var y = Selection.Scatter(x, axis, index, src, op);
        return ShouldRecord(x, src) ? Attach(new Scatter(axis), y, x, index, src) : y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        var index = Input(1);
        return
        [
            Input(0).RequiresGrad ? Forward(g, axis, index, Tensor.Zeros(index.Shape, g.DType)) : null,
            null,
            Input(2).RequiresGrad ? Gather.Forward(g, axis, index) : null,
        ];
    }
}
