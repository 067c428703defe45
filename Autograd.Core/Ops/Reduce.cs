using Autograd.Kernels;

namespace Autograd.Ops;

// ∂(Σᵢ xᵢ)/∂xᵢ = 1: the gradient is broadcast back over the reduced axes
internal sealed class Sum(int[] keptShape) : Function
{
    public override string Name => "sum";

    public static Tensor Forward(Tensor x, int[]? axes, bool keepDims)
    {
        var mask = ShapeUtil.AxisMask("sum", axes, x.Rank);
        var kept = x.DType == DType.Int64 ? Int64Kernels.Sum(x, mask) : Reduce.Sum(x, mask, "sum");
        var y = keepDims ? kept : kept.ViewAs(Squeezed(kept.Dims, mask));
        return ShouldRecord(x) ? Attach(new Sum(kept.Dims), y, x) : y;
    }

    internal static int[] Squeezed(int[] shape, bool[] mask)
    {
        var result = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++) if (!mask[d]) result.Add(shape[d]);
        return result.ToArray();
    }

    protected override Tensor?[] Backward(Tensor g) => [g.Reshape(keptShape).BroadcastTo(Input(0).Dims)];
}

// amax / amin over the axes in mask: ∂y/∂xᵢ = [xᵢ = y] / #{j : xⱼ = y} within each reduced group, so tied extremes share
// the gradient evenly (torch.amax's scale_grad_by_count; where y is NaN, the NaN elements are the ties, as torch.max()).
internal sealed class Extremum(bool[] mask, bool max) : Function
{
    public override string Name => max ? "amax" : "amin";

    /// <summary>Records <paramref name="kept"/>, the extremes of x with the reduced axes kept at size 1, computed off the graph.</summary>
    public static Tensor Forward(Tensor x, Tensor kept, bool[] mask, bool keepDims, bool max)
    {
        var y = keepDims ? kept : kept.ViewAs(Sum.Squeezed(kept.Dims, mask));
        if (!ShouldRecord(x)) return y;
        var fn = new Extremum(mask, max);
        Attach(fn, y, x);
        fn.Save(x, kept);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor x = Saved(0), y = Saved(1);
        var ties = x.Eq(y) + x.Ne(x) * y.Ne(y);
        var axes = Enumerable.Range(0, mask.Length).Where(d => mask[d]).ToArray();
        // PyTorch's order: the gradient divided by the count, then masked.
        return [g.Reshape(y.Dims) / ties.Sum(axes, keepDims: true) * ties];
    }
}

// y = x − log Σ_axis eˣ: dx = g − softmax(x)·Σ_axis g = g − eʸ·Σ_axis g
internal sealed class LogSoftmax(int axis) : Function
{
    public override string Name => "log_softmax";

    public static Tensor Forward(Tensor x, int axis)
    {
        x.RequireFloat("log_softmax");
        int a = ShapeUtil.NormalizeAxis("log_softmax", axis, x.Rank);
        var y = Kernels.Softmax.Forward(x, a, log: true);
        if (!ShouldRecord(x)) return y;
        var fn = new LogSoftmax(a);
        Attach(fn, y, x);
        fn.Save(y);
        return y;
    }

    // Without createGraph the fused kernel; with it the same rule in recorded ops, so it can be differentiated again.
    protected override Tensor?[] Backward(Tensor g) => GradMode.IsEnabled
        ? [g - Saved(0).Exp() * g.Sum(axis, keepDims: true)]
        : [Kernels.Softmax.LogSoftmaxBackward(g, Saved(0), axis)];
}

// y = eˣ / Σ_axis eˣ: dx = y·(g − Σ_axis g·y)
internal sealed class Softmax(int axis) : Function
{
    public override string Name => "softmax";

    public static Tensor Forward(Tensor x, int axis)
    {
        x.RequireFloat("softmax");
        int a = ShapeUtil.NormalizeAxis("softmax", axis, x.Rank);
        var y = Kernels.Softmax.Forward(x, a, log: false);
        if (!ShouldRecord(x)) return y;
        var fn = new Softmax(a);
        Attach(fn, y, x);
        fn.Save(y);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        var y = Saved(0);
        return GradMode.IsEnabled ? [y * (g - (g * y).Sum(axis, keepDims: true))] : [Kernels.Softmax.SoftmaxBackward(g, y, axis)];
    }
}
