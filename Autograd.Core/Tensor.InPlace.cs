using Autograd.Kernels;

namespace Autograd;

public partial class Tensor
{
    // In-place ops (PyTorch's add_, mul_, …) write into this tensor's storage and bump its version, so a backward
    // that saved the old values throws instead of using the new ones. On a tensor that requires grad they are
    // allowed only under Autodiff.NoGrad() (optimizer updates); the graph never records them.

    /// <summary>Computes x[i] += alpha · other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1) =>
        WriteInPlace("add_", () => alpha == 1 ? this + other : this + other * alpha);

    /// <summary>Computes x[i] += value in place.</summary>
    public Tensor AddInPlace(double value) => WriteInPlace("add_", () => this + value);

    /// <summary>Computes x[i] −= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor SubInPlace(Tensor other) => WriteInPlace("sub_", () => this - other);

    /// <summary>Computes x[i] ·= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor MulInPlace(Tensor other) => WriteInPlace("mul_", () => this * other);

    /// <summary>Computes x[i] ·= value in place.</summary>
    public Tensor MulInPlace(double value) => WriteInPlace("mul_", () => this * value);

    /// <summary>Computes x[i] /= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor DivInPlace(Tensor other) => WriteInPlace("div_", () => this / other);

    /// <summary>Computes x[i] /= value in place.</summary>
    public Tensor DivInPlace(double value) => WriteInPlace("div_", () => this / value);

    /// <summary>Computes x[i] = min(max(x[i], min), max) in place.</summary>
    public Tensor ClampInPlace(double? min = null, double? max = null) => WriteInPlace("clamp_", () => Clamp(min, max));

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape, converted to this dtype) into this tensor.</summary>
    public Tensor CopyFrom(Tensor source) => WriteInPlace("copy_", () => source.To(DType).BroadcastTo(Dims));

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public Tensor Fill(double value) => WriteInPlace("fill_", () => Full(Dims, value, DType));

    /// <summary>Sets every element to 0.</summary>
    public Tensor ZeroInPlace() => Fill(0);

    private Tensor WriteInPlace(string op, Func<Tensor> compute)
    {
        if (GradMode.IsEnabled && RequiresGrad)
            throw new InvalidOperationException(
                $"{op}: in-place ops on a tensor that requires grad ({(IsLeaf ? "a leaf" : $"produced by '{GradFn!.Name}'")} of shape {ShapeUtil.Format(Dims)}) " +
                "are allowed only inside Autodiff.NoGrad(); use the out-of-place op to stay on the graph.");
        for (int d = 0; d < Rank; d++)
            if (StrideArray[d] == 0 && Dims[d] > 1)
                throw new InvalidOperationException($"{op}: cannot write in place into a broadcast view of shape {ShapeUtil.Format(Dims)}: its elements share memory. Call Contiguous() first.");
        Tensor result;
        try
        {
            using (Autodiff.NoGrad()) result = compute();
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            // Name the in-place op the caller used, not only the out-of-place op it runs.
            throw new ArgumentException($"{op}: {e.Message}", e);
        }
        if (!ShapeUtil.SameShape(result.Dims, Dims))
            throw new ArgumentException($"{op}: the result of shape {ShapeUtil.Format(result.Dims)} cannot be written into a tensor of shape {ShapeUtil.Format(Dims)}.");
        if (result.DType != DType) result = Elementwise.Cast(result, DType);
        Strided.CopyInto(result, this, Dims);
        Version.Value++;
        return this;
    }
}
