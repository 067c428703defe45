using Autograd.Kernels;

namespace Autograd;

public partial class Tensor
{
    // In-place ops (PyTorch's add_, mul_, …) write into this tensor's storage and bump its version, so a backward
    // that saved the old values throws instead of using the new ones. On a tensor that requires grad they are
    // allowed only under Autodiff.NoGrad() (optimizer updates); the graph never records them.

    /// <summary>Computes x[i] += alpha · other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (alpha == 1) return CanZipInto(other) ? ZipInPlace<AddOperator>(other) : WriteInPlace("add_", () => this + other);
        // The same roundings as the out-of-place ops (a product, then a sum, not fused), without a temporary.
        if (CanWriteDirectly(other))
        {
            if (DType == DType.Float32) AddScaled(this, other, (float)alpha);
            else AddScaled(this, other, alpha);
            Version.Value++;
            return this;
        }
        return WriteInPlace("add_", () => this + other * alpha);
    }

    /// <summary>Computes x[i] += value in place.</summary>
    public Tensor AddInPlace(double value) => WriteInPlace("add_", () => this + value);

    /// <summary>Computes x[i] += value in place; an int64 tensor adds exactly (labels.add_(1)).</summary>
    /// <param name="value">The integer to add.</param>
    /// <returns>This tensor.</returns>
    public Tensor AddInPlace(long value) => WriteInPlace("add_", () => this + value);

    /// <summary>Computes x[i] −= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor SubInPlace(Tensor other) => CanZipInto(other) ? ZipInPlace<SubOperator>(other) : WriteInPlace("sub_", () => this - other);

    /// <summary>Computes x[i] ·= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor MulInPlace(Tensor other) => CanZipInto(other) ? ZipInPlace<MulOperator>(other) : WriteInPlace("mul_", () => this * other);

    /// <summary>Computes x[i] ·= value in place.</summary>
    public Tensor MulInPlace(double value)
    {
        if (CanWriteDirectly(null))
        {
            if (DType == DType.Float32) Scale(this, (float)value);
            else Scale(this, value);
            Version.Value++;
            return this;
        }
        return WriteInPlace("mul_", () => this * value);
    }

    /// <summary>Computes x[i] /= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    public Tensor DivInPlace(Tensor other) => CanZipInto(other) ? ZipInPlace<DivOperator>(other) : WriteInPlace("div_", () => this / other);

    /// <summary>Computes x[i] /= value in place.</summary>
    public Tensor DivInPlace(double value) => WriteInPlace("div_", () => this / value);

    /// <summary>Computes x[i] = min(max(x[i], min), max) in place.</summary>
    public Tensor ClampInPlace(double? min = null, double? max = null) => WriteInPlace("clamp_", () => Clamp(min, max));

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape, converted to this dtype) into this tensor.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WriteInPlace("copy_", () => source.To(DType).BroadcastTo(Dims));
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public Tensor Fill(double value)
    {
        if (CanWriteDirectly(null))
        {
            if (DType == DType.Float32) Fill(this, (float)value);
            else Fill(this, value);
            Version.Value++;
            return this;
        }
        return WriteInPlace("fill_", () => Full(Dims, value, DType));
    }

    private static unsafe void AddScaled<T>(Tensor x, Tensor y, T alpha) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        fixed (T* px = x.ContiguousSpan<T>(), py = y.ContiguousSpan<T>()) ScaledKernels.AddScaled(px, py, x.NumElements, alpha);
    }

    private static unsafe void Scale<T>(Tensor x, T alpha) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        fixed (T* px = x.ContiguousSpan<T>()) ScaledKernels.Scale(px, x.NumElements, alpha);
    }

    private static unsafe void Fill<T>(Tensor x, T value) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        fixed (T* px = x.ContiguousSpan<T>()) ScaledKernels.Fill(px, x.NumElements, value);
    }

    /// <summary>Sets every element to 0.</summary>
    public Tensor ZeroInPlace() => Fill(0);

    // Float storage written in place without a temporary: this contiguous, other (if any) contiguous of the same shape
    // and dtype, in another storage or exactly this one. Every other case, and every error, goes through WriteInPlace.
    private bool CanWriteDirectly(Tensor? other)
    {
        if (!DType.IsFloatingPoint() || !IsContiguous || (GradMode.IsEnabled && RequiresGrad)) return false;
        if (other is not null)
        {
            if (other.DType != DType || !other.IsContiguous || !ShapeUtil.SameShape(other.Dims, Dims)) return false;
            if (ReferenceEquals(other.RawData, RawData) && other.Offset != Offset) return false;
            _ = other.Data;   // a released operand throws here, naming itself
        }
        _ = Data;
        return true;
    }

    // Any layout of other that broadcasts to this shape, read in place by the binary kernel as it writes this.
    private bool CanZipInto(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!DType.IsFloatingPoint() || !IsContiguous || (GradMode.IsEnabled && RequiresGrad) || other.DType != DType) return false;
        if (other.Rank > Rank) return false;
        for (int i = 1; i <= other.Rank; i++)
            if (other.Dims[^i] != Dims[^i] && other.Dims[^i] != 1) return false;
        if (ReferenceEquals(other.RawData, RawData) && !(other.Offset == Offset && other.IsContiguous && ShapeUtil.SameShape(other.Dims, Dims))) return false;
        _ = other.Data;
        _ = Data;
        return true;
    }

    private Tensor ZipInPlace<TOp>(Tensor other) where TOp : IBinaryOperator<TOp>
    {
        if (NumElements > 0) Elementwise.ZipInto<TOp>(this, other, this);
        Version.Value++;
        return this;
    }

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
        // Arithmetic that promotes an int64 tensor to a float result is refused instead of truncated, as PyTorch refuses
        // it (copy_ converts its source to this dtype itself, truncating toward zero as PyTorch, so it never gets here).
        if (!DType.IsFloatingPoint() && result.DType.IsFloatingPoint())
            throw new ArgumentException(
                $"{op}: the result is {result.DType.Name()}, which cannot be written into this {DType.Name()} tensor of shape {ShapeUtil.Format(Dims)} " +
                $"without truncating. Compute it out of place, or convert the tensor with To(DType.{result.DType}) first.");
        if (result.DType != DType) result = Elementwise.Cast(result, DType);
        Strided.CopyInto(result, this, Dims);
        Version.Value++;
        return this;
    }
}
