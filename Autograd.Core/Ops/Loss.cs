namespace Autograd.Ops;

// ℓ = log Σ_c e^{z_c} − z_t per sample: dz = g·(softmax(z) − onehot(t))
internal sealed class CrossEntropy(int axis) : Function
{
    private const string Op = "cross_entropy";

    public override string Name => Op;

    public static Tensor Forward(Tensor z, Tensor target, int axis)
    {
        ArgumentNullException.ThrowIfNull(target);
        z.RequireFloat(Op);
        if (z.Rank == 0)
            throw new ArgumentException($"{Op}: logits must have a class axis, got a 0-d tensor.", nameof(z));
        int a = ShapeUtil.NormalizeAxis(Op, axis, z.Rank);
        var expected = z.Dims.Where((_, d) => d != a).ToArray();
        if (target.DType != DType.Int64 || !ShapeUtil.SameShape(target.Dims, expected))
            throw new ArgumentException(
                $"{Op}: target must hold int64 class indices of shape {ShapeUtil.Format(expected)} for logits of shape {ShapeUtil.Format(z.Dims)} " +
                $"and class axis {a}, got {target.DType.Name()} of shape {ShapeUtil.Format(target.Dims)}.", nameof(target));
        var (loss, lse) = Kernels.Softmax.CrossEntropy(z, target, a, Op);
        if (!ShouldRecord(z)) return loss;
        var fn = new CrossEntropy(a);
        Attach(fn, loss, z);
        fn.Save(z, target, lse);
        return loss;
    }

    // Without createGraph the fused kernel; with it softmax(z) − onehot(t) in recorded ops, so it can be differentiated again.
    protected override Tensor?[] Backward(Tensor g)
    {
        Tensor z = Saved(0), t = Saved(1);
        if (!GradMode.IsEnabled) return [Kernels.Softmax.CrossEntropyBackward(g, z, t, Saved(2), axis)];
        var oneHot = Kernels.Softmax.OneHot(t, z.Dims, axis, z.DType);
        return [g.Unsqueeze(axis) * (z.Softmax(axis) - oneHot)];
    }
}
