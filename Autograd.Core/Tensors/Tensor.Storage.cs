namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Gives this leaf new contiguous storage of <paramref name="dtype"/> holding its values converted, keeping the
    /// object, so that code holding it (an optimizer, a layer's property) sees the converted tensor: PyTorch's
    /// <c>param.data = param.data.to(dtype)</c> in <c>Module.to</c>. Its gradient, if any, is converted too. Views made
    /// before keep the old storage; the version is bumped, so a graph that saved this tensor refuses to backward.
    /// </summary>
    internal void ConvertInPlace(DType dtype)
    {
        if (dtype == DType) return;
        var fresh = Converted(this, dtype);
        var grad = Grad;
        var freshGrad = grad is null ? null : Converted(grad, dtype);
        // A fresh counter (the old one may be a pool's, or shared with views of the old storage), one past the old value,
        // so that a graph that saved this tensor before refuses its new storage.
        int next = ++Version.Value;
        _data = fresh._data;
        StrideArray = fresh.StrideArray;
        Offset = 0;
        DType = dtype;
        _version = new VersionCounter { Value = next };
        if (freshGrad is not null) State().Grad = freshGrad;
    }

    private static Tensor Converted(Tensor source, DType dtype)
    {
        var fresh = Empty(source.Dims, dtype);
        using (Autodiff.NoGrad()) fresh.CopyFrom(source);
        return fresh;
    }
}
