using Autograd.Kernels;

namespace Autograd;

public partial class Tensor
{
    // In-place ops (PyTorch's add_, mul_, …) write into this tensor's storage and bump its version, so a backward
    // that saved the old values throws instead of using the new ones. With grad mode on and this tensor or the operand
    // requiring grad the write is recorded, as PyTorch records add_: the out-of-place op runs on the graph and its node
    // becomes this tensor's graph role (Rebase), while ops recorded earlier keep the history they consumed. A leaf that
    // requires grad, and storage shared with a view, refuse recorded writes. Under NoGrad (optimizer updates) nothing is
    // recorded, and floats are written by the kernels directly, without a temporary.

    /// <summary>Computes x[i] += alpha · other[i] in place, broadcasting <paramref name="other"/>.</summary>
    /// <param name="other">The operand, broadcast to this shape.</param>
    /// <param name="alpha">The factor applied to <paramref name="other"/>.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="other"/> does not broadcast to this shape, or this tensor is int64 and the result is float.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (alpha == 1) return CanZipInto(other) ? ZipInPlace<AddOperator>(other) : WriteInPlace("add_", self => self + other, other);
        // The same roundings as the out-of-place ops (a product, then a sum, not fused), without a temporary.
        if (CanWriteDirectly(other))
        {
            if (DType == DType.Float32) AddScaled(this, other, (float)alpha);
            else AddScaled(this, other, alpha);
            Version.Value++;
            return this;
        }
        return WriteInPlace("add_", self => self + other * alpha, other);
    }

    /// <summary>Computes x[i] += value in place.</summary>
    /// <param name="value">The number to add.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 (the result would be float).</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor AddInPlace(double value) => WriteInPlace("add_", self => self + value);

    /// <summary>Computes x[i] += value in place; an int64 tensor adds exactly (labels.add_(1)).</summary>
    /// <param name="value">The integer to add.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor AddInPlace(long value) => WriteInPlace("add_", self => self + value);

    /// <summary>Computes x[i] −= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    /// <param name="other">The operand, broadcast to this shape.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="other"/> does not broadcast to this shape, or this tensor is int64 and the result is float.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor SubInPlace(Tensor other) => CanZipInto(other) ? ZipInPlace<SubOperator>(other) : WriteInPlace("sub_", self => self - other, other);

    /// <summary>Computes x[i] ·= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    /// <param name="other">The operand, broadcast to this shape.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="other"/> does not broadcast to this shape, or this tensor is int64 and the result is float.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor MulInPlace(Tensor other) => CanZipInto(other) ? ZipInPlace<MulOperator>(other) : WriteInPlace("mul_", self => self * other, other, readsSelf: true);

    /// <summary>Computes x[i] ·= value in place.</summary>
    /// <param name="value">The factor.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 (the result would be float).</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor MulInPlace(double value)
    {
        if (CanWriteDirectly(null))
        {
            if (DType == DType.Float32) Scale(this, (float)value);
            else Scale(this, value);
            Version.Value++;
            return this;
        }
        return WriteInPlace("mul_", self => self * value);
    }

    /// <summary>Computes x[i] ·= value in place; an int64 tensor multiplies exactly (labels.mul_(2)), wrapping on overflow as PyTorch.</summary>
    /// <param name="value">The integer factor.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor requires grad.</returns>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor MulInPlace(long value) => DType == DType.Int64 ? WriteInPlace("mul_", self => self * value) : MulInPlace((double)value);

    /// <summary>Computes x[i] /= other[i] in place, broadcasting <paramref name="other"/>.</summary>
    /// <param name="other">The operand, broadcast to this shape.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="other"/> does not broadcast to this shape, or this tensor is int64 and the result is float.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor DivInPlace(Tensor other) => CanZipInto(other) ? ZipInPlace<DivOperator>(other) : WriteInPlace("div_", self => self / other, other, readsSelf: true);

    /// <summary>Computes x[i] /= value in place.</summary>
    /// <param name="value">The divisor.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 (the result would be float).</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor DivInPlace(double value) => WriteInPlace("div_", self => self / value);

    /// <summary>Computes x[i] = min(max(x[i], min), max) in place.</summary>
    /// <param name="min">The lower bound; null for none.</param>
    /// <param name="max">The upper bound; null for none.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentException"><paramref name="min"/> is greater than <paramref name="max"/>, or this tensor is int64 and a bound is fractional.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor ClampInPlace(double? min = null, double? max = null) => WriteInPlace("clamp_", self => self.Clamp(min, max), readsSelf: true);

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape, converted to this dtype) into this tensor.</summary>
    /// <param name="source">The values to copy, of any dtype, broadcast to this shape.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> does not broadcast to this shape.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WriteInPlace("copy_", _ =>
        {
            // Broadcast without handing out a view, which would keep the source from recorded in-place writes later.
            var s = source.To(DType);
            return ShapeUtil.SameShape(s.Dims, Dims) ? s : Ops.Expand.Forward(s, Dims, shared: false);
        }, source);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    /// <param name="value">The value every element takes.</param>
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="ArgumentException">This tensor is int64 and <paramref name="value"/> is NaN, ±∞ or outside the range of <see cref="long"/>.</exception>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor Fill(double value)
    {
        if (CanWriteDirectly(null))
        {
            if (DType == DType.Float32) Fill(this, (float)value);
            else Fill(this, value);
            Version.Value++;
            return this;
        }
        return WriteInPlace("fill_", _ => Full(Dims, value, DType));
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
    /// <returns>This tensor, written in place (its version bumped); the write is recorded for autograd when grad mode is on and this tensor or the operand requires grad.</returns>
    /// <exception cref="InvalidOperationException">This tensor is a broadcast view, or the write is recorded and this tensor is a leaf that requires grad or shares its storage with a view.</exception>
    public Tensor ZeroInPlace() => Fill(0);

    // Float storage written in place without a temporary: this contiguous, other (if any) contiguous of the same shape
    // and dtype, in another storage or exactly this one. Every other case, and every error, goes through WriteInPlace.
    private bool CanWriteDirectly(Tensor? other)
    {
        if (!DType.IsFloatingPoint() || !IsContiguous || Records(other)) return false;
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
        if (!DType.IsFloatingPoint() || !IsContiguous || Records(other) || other.DType != DType) return false;
        if (other.Rank > Rank) return false;
        for (int i = 1; i <= other.Rank; i++)
            if (other.Dims[^i] != Dims[^i] && other.Dims[^i] != 1) return false;
        if (ReferenceEquals(other.RawData, RawData) && !(other.Offset == Offset && other.IsContiguous && ShapeUtil.SameShape(other.Dims, Dims))) return false;
        _ = other.Data;
        _ = Data;
        return true;
    }

    private Tensor ZipInPlace<TOp>(Tensor other) where TOp : IBinaryKernel
    {
        if (NumElements > 0) Elementwise.ZipInto<TOp>(this, other, this);
        Version.Value++;
        return this;
    }

    // Whether a write must be recorded: grad mode on and this tensor or the operand requires grad (the flags first, as
    // Function.ShouldRecord, so an optimizer's update under NoGrad reads the grad mode once).
    private bool Records(Tensor? operand) => (RequiresGrad || (operand is not null && operand.RequiresGrad)) && GradMode.IsEnabled;

    // compute gets this tensor, or when recorded and readsSelf (the op's backward reads its input) a recorded copy of it,
    // which the write leaves as it was.
    private Tensor WriteInPlace(string op, Func<Tensor, Tensor> compute, Tensor? operand = null, bool readsSelf = false)
    {
        bool record = Records(operand);
        if (record)
        {
            if (RequiresGrad && IsLeaf)
                throw new InvalidOperationException(
                    $"{op}: a leaf of shape {ShapeUtil.Format(Dims)} that requires grad cannot be modified in place outside Autodiff.NoGrad() " +
                    "(PyTorch: a leaf Variable that requires grad is being used in an in-place operation). Use the out-of-place op, or write into a Clone().");
            if (Version.Shared)
                throw new InvalidOperationException(
                    $"{op}: cannot record an in-place write into this tensor of shape {ShapeUtil.Format(Dims)}: its storage is shared with a view " +
                    "(reshape, slice, permute, broadcast_to, Detach), whose graph would not see the write and would give wrong gradients. " +
                    "Write into a Clone(), or use the out-of-place op.");
        }
        for (int d = 0; d < Rank; d++)
            if (StrideArray[d] == 0 && Dims[d] > 1)
                throw new InvalidOperationException($"{op}: cannot write in place into a broadcast view of shape {ShapeUtil.Format(Dims)}: its elements share memory. Call Contiguous() first.");
        Tensor result;
        try
        {
            if (record) result = compute(readsSelf ? Clone() : this);
            else using (Autodiff.NoGrad()) result = compute(this);
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
        var node = record ? WriteNode(result, operand) : null;
        if (result.DType != DType) result = Elementwise.Cast(result, DType);
        Strided.CopyInto(result, this, Dims);
        Version.Value++;
        if (node is not null) Rebase(new Tensor(Data, Dims, StrideArray, Offset, DType, Version) { GradFn = node.GradFn, _requiresGrad = true });
        return this;
    }

    // The recorded node a write's result gives this tensor as its new graph role: a fresh node of this dtype; null when
    // nothing needs a gradient (an int64 tensor). A result that needs none overwrites a tensor that did, as fill_ does:
    // PyTorch's FillBackward sends zeros to the old values, here a where() that selects the result everywhere, so the
    // old values get exact zeros even from an infinite or NaN gradient (x·0 would give NaN), and no product of old
    // infinities trips anomaly mode.
    private Tensor? WriteNode(Tensor result, Tensor? operand)
    {
        if (!result.RequiresGrad) return RequiresGrad ? Where(Ones(Dims, DType), result, this) : null;
        // copy_ of an operand of this dtype and shape returns the operand itself: the write still needs a node of its own.
        if (ReferenceEquals(result, operand) || result.GradFn is null) result = result.Clone();
        return result.DType == DType ? result : result.To(DType);
    }
}
