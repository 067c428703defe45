using System.Runtime.CompilerServices;

namespace Autograd;

/// <summary>
/// An n-dimensional array of <see cref="DType.Float32"/>, <see cref="DType.Float64"/> or <see cref="DType.Int64"/>
/// values on the computation graph. Storage is a managed array shared by views (reshape, transpose, permute,
/// slice, broadcast); shape and strides describe how a view reads it.
/// </summary>
public partial class Tensor
{
    // Not readonly for ConvertInPlace alone (Module.To(DType) keeping its Parameter objects); nothing else assigns them.
    private Array _data;
    internal readonly int[] Dims;
    internal int[] StrideArray;
    internal int Offset;
    private bool _requiresGrad;

    // Set by the first recorded in-place write: the tensor's graph role since then is GradState.Current (see Role).
    private bool _rebased;

    // What only the few tensors with a .Grad, hooks or a recorded in-place write need, made on first use (State()).
    private GradState? _state;

    private sealed class GradState
    {
        public Tensor? Grad;
        // Whether Grad was read or assigned through the public property since it was set: code outside may then hold it.
        public bool GradHandedOut;
        // The storage of a gradient dropped by ZeroGrad() that nothing outside ever saw: the next pass's first gradient is
        // copied into it rather than into new memory (a fresh large array costs page faults every step, see ZeroGrad).
        // Weak, so that dropping the gradient frees its memory as it would without this.
        public WeakReference<Array>? Spare;
        public List<Func<Tensor, Tensor?>>? Hooks;
        public List<Action<Tensor>>? PostAccumulateGradHooks;

        // After a recorded in-place write: this storage's current graph role (the write's output node). The tensor's
        // own GradFn and RequiresGrad stay what nodes recorded before the write saw, so their gradients keep going to
        // the history they consumed, as PyTorch's edges point to the grad_fn of their time.
        public Tensor? Current;
    }

    /// <summary>
    /// This tensor as the graph sees it now: itself, or after a recorded in-place write the node that write made, which
    /// every op recorded since takes as its input (<see cref="Function.Attach(Function, Tensor, Tensor)"/>).
    /// </summary>
    internal Tensor Role => _rebased ? _state!.Current! : this;

    /// <summary>Whether a recorded in-place write gave this tensor a new graph role.</summary>
    internal bool IsRebased => _rebased;

    /// <summary>Makes <paramref name="current"/> this tensor's graph role from now on (a recorded in-place write).</summary>
    internal void Rebase(Tensor current)
    {
        // A retained gradient follows the write to the new history, as PyTorch 1.13 moves retains_grad on an in-place op:
        // .Grad is then the gradient of the values the tensor holds now.
        if (Role.GradFn is { } old && ReferenceEquals(old.Retained, this) && current.GradFn is { } now)
        {
            old.Retained = null;
            now.Retained = this;
        }
        State().Current = current;
        _rebased = true;
        // Ops recorded from now on see a tensor that requires grad without resolving the role first (ShouldRecord).
        _requiresGrad = true;
    }

    // Put in by compare-and-swap, as the version counter: two threads giving a shared leaf its first .Grad at once (two
    // backward passes through graphs that share it) end up with the same GradState, so neither's write is lost.
    private GradState State() => _state ?? CreateState();

    private GradState CreateState()
    {
        var fresh = new GradState();
        return Interlocked.CompareExchange(ref _state, fresh, null) ?? fresh;
    }

    /// <summary>The node that produced this tensor, or null for a leaf.</summary>
    internal Function? GradFn { get; set; }

    private VersionCounter? _version;

    /// <summary>
    /// Counts in-place writes to the storage; shared by every view of it. Made on first use (a view, a save, an
    /// in-place write), so that results nobody views or saves, as in long scalar chains, never need one.
    /// </summary>
    internal VersionCounter Version => _version ?? CreateVersion();

    private VersionCounter CreateVersion()
    {
        var fresh = new VersionCounter();
        return Interlocked.CompareExchange(ref _version, fresh, null) ?? fresh;
    }

    internal Tensor(Array data, int[] shape, int[] strides, int offset, DType dtype, VersionCounter? version = null)
        : this(data, shape, strides, offset, dtype, version, ShapeUtil.NumElements(shape))
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Tensor(Array data, int[] shape, int[] strides, int offset, DType dtype, VersionCounter? version, int numElements)
    {
        _version = version;
        _data = data;
        Dims = shape;
        StrideArray = strides;
        Offset = offset;
        DType = dtype;
        NumElements = numElements;
    }

    internal Tensor(Array data, int[] shape, DType dtype)
        : this(data, shape, ShapeUtil.ContiguousStrides(shape), 0, dtype)
    {
    }

    /// <summary>The storage; throws once a <see cref="BufferScope"/> that lent it has ended.</summary>
    internal Array Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _version is { Released: true } ? throw ReleasedError() : _data;
    }

    /// <summary>The storage array even when released (for graph bookkeeping that never reads elements).</summary>
    internal Array RawData => _data;

    /// <summary>
    /// Whether the storage went back to the pool when the <see cref="BufferScope"/> that lent it ended: every read or
    /// write of such a tensor then throws. Lets code that must not fail halfway (loading a state dictionary, an
    /// optimizer step) check its tensors before it changes anything.
    /// </summary>
    public bool IsReleased => _version is { Released: true };

    private InvalidOperationException ReleasedError() => new(
        $"The {DType.Name()} tensor of shape {ShapeUtil.Format(Dims)}{(GradFn is null ? "" : $" produced by '{GradFn.Name}'")} was computed inside a BufferScope " +
        "that has ended, and its storage went back to the pool. Read it (Item, ToArray) or Clone() it before the scope ends.");

    /// <summary>A view of <paramref name="source"/>'s storage with another shape, strides and offset.</summary>
    /// <summary>
    /// A view of <paramref name="source"/>'s storage with another shape, strides and offset, handed to the caller: the
    /// storage is marked <see cref="VersionCounter.Shared"/>, so that a recorded in-place write into it is refused.
    /// </summary>
    internal static Tensor View(Tensor source, int[] shape, int[] strides, int offset)
    {
        var version = source.Version;
        version.Shared = true;
        return new(source.Data, shape, strides, offset, source.DType, version);
    }

    /// <summary>A view for an op's own use (a reshaped result, a slice a kernel writes), not marked shared.</summary>
    internal static Tensor InternalView(Tensor source, int[] shape, int[] strides, int offset) =>
        new(source.Data, shape, strides, offset, source.DType, source.Version);

    /// <summary>New zeroed storage that is never pooled (creation functions, Clone, leaf gradients).</summary>
    internal static Tensor Empty(int[] shape, DType dtype, string op = "tensor") =>
        new(dtype.NewArray(ShapeUtil.NumElements(shape, op)), shape, dtype);

    /// <summary>
    /// Storage for an op's result: lent by the active <see cref="BufferScope"/> if there is one. With
    /// <paramref name="zero"/> false the elements are garbage, for kernels that write every one of them.
    /// </summary>
    internal static Tensor Result(int[] shape, DType dtype, bool zero = true, string op = "tensor")
    {
        int n = ShapeUtil.NumElements(shape, op);
        var (array, storage) = BufferScope.Allocate(dtype, n, zero);
        return new Tensor(array, shape, ShapeUtil.ContiguousStrides(shape), 0, dtype, storage, n);
    }

    /// <summary><see cref="Result(int[], DType, bool, string)"/> of a 0-d tensor, with elements to be written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor ScalarResult(DType dtype)
    {
        if (BufferScope.Current is null)
            return new Tensor(dtype == DType.Float32 ? new float[1] : dtype == DType.Float64 ? new double[1] : new long[1], [], [], 0, dtype, null, 1);
        var (array, storage) = BufferScope.Allocate(dtype, 1, zero: false);
        return new Tensor(array, [], [], 0, dtype, storage, 1);
    }

    /// <summary>The element type.</summary>
    public DType DType { get; private set; }

    /// <summary>The number of dimensions; 0 for a scalar.</summary>
    public int Rank => Dims.Length;

    /// <summary>A copy of the shape.</summary>
    public int[] Shape => (int[])Dims.Clone();

    /// <summary>A copy of the strides, in elements.</summary>
    public int[] Strides => (int[])StrideArray.Clone();

    /// <summary>The total number of elements.</summary>
    public int NumElements { get; }

    /// <summary>The size of one axis (negative axes count from the end).</summary>
    /// <param name="axis">The axis, in [-Rank, Rank).</param>
    /// <returns>The number of elements along <paramref name="axis"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The tensor is 0-d, or <paramref name="axis"/> is outside [-Rank, Rank).</exception>
    public int Size(int axis) => Rank == 0
        ? throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Size: a 0-d tensor has no axes, so axis {axis} does not exist.")
        : Dims[ShapeUtil.NormalizeAxis("Size", axis, Rank)];

    /// <summary>Whether the elements lie in row-major order without gaps.</summary>
    public bool IsContiguous
    {
        get
        {
            int s = 1;
            for (int i = Dims.Length - 1; i >= 0; i--)
            {
                if (Dims[i] != 1 && StrideArray[i] != s) return false;
                s *= Dims[i];
            }
            return true;
        }
    }

    /// <summary>True when no recorded op produced this tensor.</summary>
    public bool IsLeaf => Role.GradFn is null;

    /// <summary>The name of the op that produced this tensor, or null for a leaf.</summary>
    public string? GradFnName => Role.GradFn?.Name;

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves only, as in PyTorch; results of ops on tensors
    /// that require gradients require them too.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Set on a tensor a recorded op produced, or set to <see langword="true"/> on an int64 tensor.
    /// </exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf)
                throw new InvalidOperationException(
                    $"RequiresGrad can only be changed on leaf tensors; this one was produced by '{(Role.GradFn ?? GradFn)?.Name}'. Use Detach() first.");
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException($"RequiresGrad: only floating-point tensors can require gradients, not {DType.Name()}.");
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent construction.</summary>
    /// <param name="requiresGrad">The new value of <see cref="RequiresGrad"/>.</param>
    /// <returns>This tensor (not a copy).</returns>
    /// <exception cref="InvalidOperationException">As for setting <see cref="RequiresGrad"/>: a non-leaf, or an int64 tensor asked to require grad.</exception>
    public Tensor RequireGrad(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward(Tensor?, bool, bool)"/>, or null.</summary>
    /// <exception cref="ArgumentException">Set to a tensor whose shape or dtype differs from this tensor's.</exception>
    public Tensor? Grad
    {
        get
        {
            if (_state is not { Grad: { } grad } state) return null;
            state.GradHandedOut = true;
            return grad;
        }
        set
        {
            if (value is not null && (!ShapeUtil.SameShape(value.Dims, Dims) || value.DType != DType))
                throw new ArgumentException(
                    $"Grad: assigned gradient of shape {ShapeUtil.Format(value.Dims)} and dtype {value.DType.Name()} does not match tensor of shape {ShapeUtil.Format(Dims)} and dtype {DType.Name()}.");
            if (value is not null || _state is not null)
            {
                var state = State();
                state.Grad = value;
                state.GradHandedOut = value is not null;
            }
        }
    }

    /// <summary>
    /// <see cref="Grad"/> as stored, for the engine and the optimizers: reading or setting it here does not count as
    /// handing the gradient out, so that <see cref="ZeroGrad"/> may reuse the storage of one nothing outside has seen.
    /// Code that lets the tensor escape to a caller must use <see cref="Grad"/>.
    /// </summary>
    internal Tensor? StoredGrad
    {
        get => _state?.Grad;
        set
        {
            if (value is null && _state is null) return;
            var state = State();
            state.Grad = value;
            state.GradHandedOut = false;
        }
    }

    /// <summary>Clears the accumulated gradient (sets <see cref="Grad"/> to null, as PyTorch's zero_grad(set_to_none=True)).</summary>
    /// <remarks>
    /// A gradient that was never read through <see cref="Grad"/> (an optimizer's step reads it internally) lends its
    /// memory to the next backward pass's gradient, as PyTorch's caching allocator would: allocating fresh arrays for
    /// the gradients of a 784-1024-1024-10 MLP made every step 1.3–1.4× as long (page faults on new memory). A gradient
    /// that was read, or assigned by the caller, is left alone: it keeps its values for whoever holds it.
    /// </remarks>
    public void ZeroGrad()
    {
        if (_state is not { } state) return;
        if (state.Grad is { } grad && !state.GradHandedOut && grad.CanLendStorage)
        {
            if (state.Spare is { } spare) lock (spare) spare.SetTarget(grad._data);
            else state.Spare = new WeakReference<Array>(grad._data);
        }
        state.Grad = null;
        state.GradHandedOut = false;
    }

    // A plain contiguous gradient that owns its whole array: no history, no view of its storage ever made, no offset.
    private bool CanLendStorage =>
        GradFn is null && !_requiresGrad && !_rebased && _version is not { Shared: true } && Offset == 0
        && _data.Length == NumElements && IsContiguous;

    /// <summary>
    /// A new gradient for this tensor holding <paramref name="values"/>: in the storage <see cref="ZeroGrad"/> kept, if
    /// it is still alive and fits, else in new memory. Not recorded (the caller runs without createGraph).
    /// </summary>
    internal Tensor NewGrad(Tensor values)
    {
        if (_state?.Spare is { } spare)
        {
            Array? array;
            lock (spare)
            {
                if (spare.TryGetTarget(out array)) spare.SetTarget(null!);
            }
            // The type check covers a tensor converted to another dtype since (Module.To).
            if (array is not null && array.Length == NumElements && array.GetType() == values.RawData.GetType())
            {
                var grad = new Tensor(array, (int[])Dims.Clone(), DType);
                grad.CopyFrom(values);
                return grad;
            }
        }
        return values.Clone();
    }

    /// <summary>Hooks of a leaf; a non-leaf's hooks live on the node that produced it.</summary>
    internal List<Func<Tensor, Tensor?>>? Hooks
    {
        get => _state?.Hooks;
        set => State().Hooks = value;
    }

    /// <summary>Hooks that run after a leaf's gradient is accumulated into <see cref="Grad"/>.</summary>
    internal List<Action<Tensor>>? PostAccumulateGradHooks
    {
        get => _state?.PostAccumulateGradHooks;
        set => State().PostAccumulateGradHooks = value;
    }

    internal void MarkRequiresGrad() => _requiresGrad = true;

    /// <summary>A tensor sharing this one's storage, cut off from the graph.</summary>
    /// <returns>A view with the same shape, strides and dtype that does not require grad; in-place writes to either are seen by both.</returns>
    public Tensor Detach() => View(this, Dims, StrideArray, Offset);

    internal T[] Array<T>() => (T[])Data;

    /// <summary>How many in-place writes the storage has had (PyTorch's _version).</summary>
    public int VersionNumber => Version.Value;

    /// <summary>The same node in the graph without storage, for released graphs.</summary>
    internal Tensor Shell() => new(DType.NewArray(0), Dims, StrideArray, 0, DType) { GradFn = GradFn, _requiresGrad = _requiresGrad };

    /// <summary>The elements as a span; only for contiguous tensors.</summary>
    internal Span<T> ContiguousSpan<T>()
    {
        System.Diagnostics.Debug.Assert(IsContiguous);
        return new Span<T>((T[])Data, Offset, NumElements);
    }

    internal void RequireFloat(string op)
    {
        if (!DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: expected a float32 or float64 tensor, got {DType.Name()} of shape {ShapeUtil.Format(Dims)}.");
    }

    internal int FlatOffset(ReadOnlySpan<int> index, string op)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"{op}: got {index.Length} indices for a tensor of shape {ShapeUtil.Format(Dims)}.");
        int off = Offset;
        for (int i = 0; i < index.Length; i++)
        {
            int ix = index[i] < 0 ? index[i] + Dims[i] : index[i];
            if ((uint)ix >= (uint)Dims[i])
                throw new ArgumentOutOfRangeException(nameof(index), index[i],
                    $"{op}: index {index[i]} is out of range for axis {i} of size {Dims[i]} (shape {ShapeUtil.Format(Dims)}).");
            off += ix * StrideArray[i];
        }
        return off;
    }

    internal double ReadAt(int flat) => DType switch
    {
        DType.Float32 => Unsafe.As<float[]>(Data)[flat],
        DType.Float64 => Unsafe.As<double[]>(Data)[flat],
        _ => Unsafe.As<long[]>(Data)[flat],
    };

    /// <summary>Reads one element, as a double; negative indices count from the end.</summary>
    /// <param name="index">One index per dimension (none for a 0-d tensor).</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The number of indices differs from <see cref="Rank"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [-size, size) for its axis.</exception>
    [IndexerName("Element")]
    public double this[params int[] index]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(index);
            return ReadAt(FlatOffset(index, "indexer"));
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <returns>The element as a double (int64 values beyond 2^53 are rounded; use <see cref="Item{T}"/> for them).</returns>
    /// <exception cref="InvalidOperationException">The tensor does not have exactly one element.</exception>
    public double Item()
    {
        if (NumElements != 1)
            throw new InvalidOperationException($"Item: only one-element tensors can be converted to a scalar, got shape {ShapeUtil.Format(Dims)}.");
        return ReadAt(Offset + 0);
    }

    /// <summary>
    /// The value of a one-element tensor, converted to <typeparamref name="T"/>. An int64 element is read as a long, so
    /// <c>Item&lt;long&gt;()</c> is exact over the whole int64 range (<see cref="Item()"/> rounds it to a double).
    /// </summary>
    /// <typeparam name="T">The numeric type to convert to.</typeparam>
    /// <returns>The element, converted with <c>T.CreateChecked</c>.</returns>
    /// <exception cref="InvalidOperationException">The tensor does not have exactly one element.</exception>
    /// <exception cref="OverflowException">The element is outside the range of <typeparamref name="T"/>.</exception>
    public T Item<T>() where T : struct, System.Numerics.INumberBase<T>
    {
        if (DType == DType.Int64 && NumElements == 1)
        {
            long exact = Unsafe.As<long[]>(Data)[Offset];
            try
            {
                return T.CreateChecked(exact);
            }
            catch (OverflowException e)
            {
                throw ItemOverflow(exact.ToString(System.Globalization.CultureInfo.InvariantCulture), typeof(T), e);
            }
        }
        double value = Item();
        try
        {
            return T.CreateChecked(value);
        }
        catch (OverflowException e)
        {
            throw ItemOverflow(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), typeof(T), e);
        }
    }

    private OverflowException ItemOverflow(string value, Type target, OverflowException inner) =>
        new($"Item: the value {value} of the {DType.Name()} tensor does not fit in {target.Name}.", inner);

    /// <summary>Copies the elements in row-major order into a new array, converting to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type of the array; values are converted with <c>T.CreateTruncating</c>.</typeparam>
    /// <returns>A new array of <see cref="NumElements"/> elements, not shared with the tensor.</returns>
    public T[] ToArray<T>() where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var c = Contiguous();
        var result = new T[NumElements];
        if (c.Data is T[] same)
        {
            System.Array.Copy(same, c.Offset, result, 0, NumElements);
            return result;
        }
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = c.DType switch
            {
                DType.Float32 => T.CreateTruncating(c.Array<float>()[c.Offset + i]),
                DType.Float64 => T.CreateTruncating(c.Array<double>()[c.Offset + i]),
                _ => T.CreateTruncating(c.Array<long>()[c.Offset + i]),
            };
        }
        return result;
    }

    /// <summary>Copies the elements in row-major order into <paramref name="destination"/>.</summary>
    /// <typeparam name="T">The element type of the span; values are converted as by <see cref="ToArray{T}"/>.</typeparam>
    /// <param name="destination">The span to fill; at least <see cref="NumElements"/> long, elements past them are left alone.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="NumElements"/>.</exception>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        if (destination.Length < NumElements)
            throw new ArgumentException($"CopyTo: destination has {destination.Length} elements, tensor of shape {ShapeUtil.Format(Dims)} has {NumElements}.");
        ToArray<T>().CopyTo(destination);
    }
}

/// <summary>The state of one storage shared by all its views: the version, bumped by every in-place write, and whether it was released.</summary>
internal sealed class VersionCounter
{
    public int Value;

    /// <summary>
    /// Set once a view of the storage was handed out (reshape, slice, transpose, broadcast, Detach): other tensors may
    /// then read it, and a recorded in-place write, which gives only the written tensor a new graph role, is refused.
    /// </summary>
    public bool Shared;

    /// <summary>Set when a <see cref="BufferScope"/> took the storage back; every view then refuses to read it.</summary>
    public bool Released;
}
