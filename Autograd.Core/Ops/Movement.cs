using Autograd.Kernels;

namespace Autograd.Ops;

// reshape: the gradient is reshaped back
internal sealed class Reshape : Function
{
    public override string Name => "reshape";

    // shared: false for a composite's own views (matmul's batch reshapes), which no caller holds.
    public static Tensor Forward(Tensor x, int[] shape, bool shared = true)
    {
        // A view whenever the old strides can express the new shape (PyTorch's computeStride); a copy otherwise.
        var strides = ViewStrides(x.Dims, x.StrideArray, shape);
        var y = strides is null ? Strided.ToContiguous(x).ViewAs(shape)
            : shared ? Tensor.View(x, shape, strides, x.Offset) : Tensor.InternalView(x, shape, strides, x.Offset);
        return ShouldRecord(x) ? Attach(new Reshape(), y, x) : y;
    }

    /// <summary>Strides that read <paramref name="shape"/> from a tensor of <paramref name="oldShape"/> and <paramref name="oldStrides"/> without copying, or null.</summary>
    internal static int[]? ViewStrides(int[] oldShape, int[] oldStrides, int[] shape)
    {
        int numel = ShapeUtil.NumElements(oldShape);
        if (numel == 0 || oldShape.Length == 0) return ShapeUtil.ContiguousStrides(shape);
        var strides = new int[shape.Length];
        int viewD = shape.Length - 1;
        long chunkBaseStride = oldStrides[^1], tensorNumel = 1, viewNumel = 1;
        for (int d = oldShape.Length - 1; d >= 0; d--)
        {
            tensorNumel *= oldShape[d];
            // A chunk ends where the next outer axis is not laid out right after this one.
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBaseStride))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] == 1))
                {
                    strides[viewD] = (int)(viewNumel * chunkBaseStride);
                    viewNumel *= shape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0)
                {
                    chunkBaseStride = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? strides : null;
    }

    protected override Tensor?[] Backward(Tensor g) => [g.Reshape(Input(0).Dims)];
}

// permute: the gradient is permuted back by the inverse permutation
internal sealed class Permute(int[] perm) : Function
{
    public override string Name => "permute";

    // shared: false for a composite's own views (the reductions' row layouts), which no caller holds.
    public static Tensor Forward(Tensor x, int[] perm, bool shared = true)
    {
        var shape = new int[perm.Length];
        var strides = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            shape[i] = x.Dims[perm[i]];
            strides[i] = x.StrideArray[perm[i]];
        }
        var y = shared ? Tensor.View(x, shape, strides, x.Offset) : Tensor.InternalView(x, shape, strides, x.Offset);
        return ShouldRecord(x) ? Attach(new Permute(perm), y, x) : y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return [g.Permute(inverse)];
    }
}

// broadcast_to: the gradient is summed over the broadcast axes
internal sealed class Expand : Function
{
    public override string Name => "broadcast_to";

    // shared: false for an op's own broadcast (copy_'s source), which no caller holds.
    public static Tensor Forward(Tensor x, int[] shape, bool shared = true)
    {
        var target = ShapeUtil.Broadcast("broadcast_to", x.Dims, shape);
        if (!ShapeUtil.SameShape(target, shape))
            throw new ArgumentException($"broadcast_to: cannot broadcast shape {ShapeUtil.Format(x.Dims)} to {ShapeUtil.Format(shape)}.");
        var dims = (int[])shape.Clone();
        var strides = Strided.BroadcastStrides(x, shape);
        var y = shared ? Tensor.View(x, dims, strides, x.Offset) : Tensor.InternalView(x, dims, strides, x.Offset);
        return ShouldRecord(x) ? Attach(new Expand(), y, x) : y;
    }

    protected override Tensor?[] Backward(Tensor g) => [g.SumTo(Input(0).Dims)];
}

// slice: the gradient is added into zeros at the sliced positions
internal sealed class Slice(int axis, long[] indices) : Function
{
    public override string Name => "slice";

    public static Tensor Forward(Tensor x, int axis, int start, int count, int step)
    {
        var shape = x.Shape;
        var strides = x.Strides;
        shape[axis] = count;
        strides[axis] *= step;
        var y = Tensor.View(x, shape, strides, x.Offset + (count > 0 ? start * x.StrideArray[axis] : 0));
        if (!ShouldRecord(x)) return y;
        var indices = new long[count];
        for (int i = 0; i < count; i++) indices[i] = start + (long)i * step;
        return Attach(new Slice(axis, indices), y, x);
    }

    protected override Tensor?[] Backward(Tensor g) => [IndexAdd.Forward(Input(0).Shape, axis, indices, g)];
}

// index_select: the gradient is index-added into zeros
internal sealed class IndexSelect(int axis, long[] indices) : Function
{
    public override string Name => "index_select";

    public static Tensor Forward(Tensor x, int axis, long[] indices)
    {
        var y = Indexing.IndexSelect(x, axis, indices, "index_select");
        return ShouldRecord(x) ? Attach(new IndexSelect(axis, indices), y, x) : y;
    }

    protected override Tensor?[] Backward(Tensor g) => [IndexAdd.Forward(Input(0).Shape, axis, indices, g)];
}

// index_add into zeros: the gradient is index-selected
internal sealed class IndexAdd(int axis, long[] indices) : Function
{
    public override string Name => "index_add";

    public static Tensor Forward(int[] shape, int axis, long[] indices, Tensor src)
    {
        var y = Indexing.IndexAdd(shape, axis, indices, src, "index_add");
        return ShouldRecord(src) ? Attach(new IndexAdd(axis, indices), y, src) : y;
    }

    protected override Tensor?[] Backward(Tensor g) => [IndexSelect.Forward(g, axis, indices)];
}

// gather: the gradient is scatter-added into zeros
internal sealed class Gather(int axis) : Function
{
    public override string Name => "gather";

    public static Tensor Forward(Tensor x, int axis, Tensor index)
    {
        var y = Indexing.Gather(x, axis, index, "gather");
        return ShouldRecord(x) ? Attach(new Gather(axis), y, x, index) : y;
    }

    protected override Tensor?[] Backward(Tensor g) => [ScatterAdd.Forward(Input(0).Shape, axis, Input(1), g), null];
}

// scatter-add into zeros: the gradient is gathered
internal sealed class ScatterAdd(int axis) : Function
{
    public override string Name => "scatter_add";

    public static Tensor Forward(int[] shape, int axis, Tensor index, Tensor src)
    {
        if (!ShapeUtil.SameShape(index.Dims, src.Dims))
            throw new ArgumentException($"scatter_add: index of shape {ShapeUtil.Format(index.Dims)} and source of shape {ShapeUtil.Format(src.Dims)} must match.");
        var y = Indexing.ScatterAdd(shape, axis, index, src, "scatter_add");
        return ShouldRecord(src) ? Attach(new ScatterAdd(axis), y, src, index) : y;
    }

    protected override Tensor?[] Backward(Tensor g) => [Gather.Forward(g, axis, Input(1)), null];
}

// concat: each input's gradient is its slice of the output gradient
internal sealed class Concat(int axis) : Function
{
    public override string Name => "concat";

    public static Tensor Forward(Tensor[] xs, int axis)
    {
        var shape = xs[0].Shape;
        shape[axis] = xs.Sum(t => t.Dims[axis]);
        var y = Tensor.Result(shape, xs[0].DType, zero: false);
        int at = 0;
        foreach (var t in xs)
        {
            int n = t.Dims[axis];
            if (n > 0) Strided.CopyInto(t, y.SliceView(axis, at, n), t.Dims);
            at += n;
        }
        return ShouldRecord(xs) ? Attach(new Concat(axis), y, xs) : y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        var grads = new Tensor?[InputCount];
        int at = 0;
        for (int i = 0; i < InputCount; i++)
        {
            int n = Input(i).Dims[axis];
            grads[i] = Input(i).RequiresGrad ? g.Slice(axis, at, at + n) : null;
            at += n;
        }
        return grads;
    }
}
