using Autograd.Kernels;

namespace Autograd.Ops;

// ∂(Σᵢ xᵢ)/∂xᵢ = 1: the gradient is broadcast back over the reduced axes
internal sealed class Sum(int[] keptShape) : Function
{
    public override string Name => "sum";

    public static Tensor Forward(Tensor x, int[]? axes, bool keepDims)
    {
        var mask = ShapeUtil.AxisMask("sum", axes, x.Rank);
        var kept = Reduce.Sum(x, mask, "sum");
        var y = keepDims ? kept : kept.ViewAs(Squeezed(kept.Dims, mask));
        return ShouldRecord(x) ? Attach(new Sum(kept.Dims), y, x) : y;
    }

    internal static int[] Squeezed(int[] shape, bool[] mask)
    {
        var result = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++) if (!mask[d]) result.Add(shape[d]);
        return result.ToArray();
    }

    protected override Tensor?[] Backward(Tensor g) => [g.Reshape(keptShape).BroadcastTo(Inputs[0].Dims)];
}
