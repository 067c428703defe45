using System.Runtime.CompilerServices;

namespace Autograd;

/// <summary>
/// Storage for op results, reused from one training step to the next so that a steady-state step allocates no
/// large arrays (and so triggers no gen-2 collections). Results computed inside a <see cref="Scope"/> take their
/// arrays from the pool; when the scope ends they go back, and every tensor that used them is released: reading
/// it afterwards throws an <see cref="InvalidOperationException"/>, never returns another step's values.
/// </summary>
/// <remarks>
/// <para>
/// What stays valid after the scope: tensors made by creation functions (<see cref="Tensor.Zeros(int[], DType)"/>,
/// <c>Tensor.From</c>, …), <see cref="Tensor.Clone"/> and its callers, parameters updated in place,
/// optimizer state, and the <see cref="Tensor.Grad"/> of leaves (allocated outside the pool, accumulated in place; after
/// <see cref="Tensor.ZeroGrad"/> the next pass reuses the storage of a gradient nothing read).
/// Everything an op returned inside the scope is released. Read what you need (<see cref="Tensor.Item()"/>,
/// <see cref="Tensor.ToArray{T}"/>) or <see cref="Tensor.Clone"/> it before the scope ends.
/// </para>
/// <para>
/// Arrays are pooled by dtype and exact length: a training loop asks for the same shapes every step, so after the
/// first step every request is served from the pool. A pool may serve scopes on several threads; a scope belongs to
/// the thread or async flow that began it, as <see cref="Autodiff.NoGrad"/> does.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var pool = new BufferPool();
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using (pool.Scope())
///     {
///         var loss = Losses.CrossEntropy(model.Forward(x), y);
///         loss.Backward();
///         optimizer.Step();
///         optimizer.ZeroGrad(setToNone: false);
///         losses.Add(loss.Item());
///     }
/// }
/// </code>
/// </example>
public sealed class BufferPool
{
    private readonly Dictionary<(DType, int), Stack<Array>> _free = [];
    private readonly Lock _lock = new();
    private long _retainedBytes;

    /// <summary>Bytes held by the pool for reuse (arrays not lent to an active scope).</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_lock) return _retainedBytes;
        }
    }

    /// <summary>
    /// Begins a scope in which op results take their storage from this pool, until the scope is disposed:
    /// <c>using (pool.Scope()) { … }</c>.
    /// </summary>
    /// <returns>The new scope, active on this thread or async flow; dispose it to end it.</returns>
    public BufferScope Scope() => new(this);

    /// <summary>Drops every array held for reuse (arrays lent to active scopes come back later as usual).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _free.Clear();
            _retainedBytes = 0;
        }
    }

    internal Array Rent(DType dtype, int length, bool zero)
    {
        Array? array = null;
        lock (_lock)
        {
            if (_free.TryGetValue((dtype, length), out var stack) && stack.Count > 0)
            {
                array = stack.Pop();
                _retainedBytes -= Bytes(dtype, length);
            }
        }
        if (array is null) return dtype.NewArray(length, zero);
        if (zero) System.Array.Clear(array);
        return array;
    }

    internal void Return(DType dtype, Array array)
    {
        lock (_lock)
        {
            if (!_free.TryGetValue((dtype, array.Length), out var stack)) _free[(dtype, array.Length)] = stack = new Stack<Array>();
            stack.Push(array);
            _retainedBytes += Bytes(dtype, array.Length);
        }
    }

    private static long Bytes(DType dtype, int length) => (long)length * (dtype == DType.Float32 ? 4 : 8);
}

/// <summary>
/// A step of a <see cref="BufferPool"/>: op results computed while it is active borrow the pool's arrays, which
/// return to the pool when it is disposed (releasing the tensors that used them). Scopes nest; dispose them in the
/// reverse order of creation, on the flow that created them. Disposing one while a scope begun inside it is still
/// active ends it, leaves the inner ones active, and throws an <see cref="InvalidOperationException"/> naming both.
/// </summary>
public sealed class BufferScope : IDisposable
{
    // Every op result asks for the current scope, and an async-local read costs a lookup in the execution context: as
    // for the grad mode (GradMode.cs), the change callback mirrors the scope in a thread static and counts the threads
    // whose flow has one, so that while none has, an op reads no thread-local state (a process that once used a scope
    // paid ~8 ns per 0-d op for the async-local read from then on).
    private static readonly AsyncLocal<BufferScope?> s_current = new(OnChange);

    [ThreadStatic] private static BufferScope? t_current;

    private static int s_threadsWithScope;

    private static void OnChange(AsyncLocalValueChangedArgs<BufferScope?> change)
    {
        var before = t_current;
        t_current = change.CurrentValue;
        if ((before is null) != (change.CurrentValue is null))
            Interlocked.Add(ref s_threadsWithScope, change.CurrentValue is null ? -1 : 1);
    }

    private static int s_count;

    private readonly BufferPool _pool;
    private readonly int _number = Interlocked.Increment(ref s_count);
    // Not readonly: a scope disposed out of order is unlinked from the stack, so that the ones inside it end correctly.
    private BufferScope? _previous;
    private readonly List<(VersionCounter Storage, DType DType, Array Array)> _lent = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    internal BufferScope(BufferPool pool)
    {
        _pool = pool;
        _previous = s_current.Value;
        s_current.Value = this;
    }

    /// <summary>Until disposed, results on this flow get fresh storage (for what must outlive the scope, such as .Grad).</summary>
    internal static SuspendScope Suspend() => new(Current);

    internal readonly struct SuspendScope : IDisposable
    {
        private readonly BufferScope? _suspended;

        internal SuspendScope(BufferScope? suspended)
        {
            _suspended = suspended;
            if (suspended is not null) s_current.Value = null;
        }

        public void Dispose()
        {
            if (_suspended is not null) s_current.Value = _suspended;
        }
    }

    /// <summary>The scope active on this thread or async flow, or null.</summary>
    internal static BufferScope? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_threadsWithScope) == 0 ? null : t_current;
    }

    /// <summary>New storage for an op result: from the pool while a scope is active, else a fresh array.</summary>
    /// <remarks>Storage that is not lent has no counter yet: the tensor makes one when it first needs it.</remarks>
    internal static (Array Array, VersionCounter? Storage) Allocate(DType dtype, int length, bool zero)
    {
        var scope = Current;
        if (scope is null || length == 0) return (dtype.NewArray(length, zero), null);
        var storage = new VersionCounter();
        var array = scope._pool.Rent(dtype, length, zero);
        lock (scope._lock)
        {
            if (scope._disposed)
                throw new InvalidOperationException("BufferScope: the scope active on this flow was disposed by another flow; dispose a scope where it began.");
            scope._lent.Add((storage, dtype, array));
        }
        return (array, storage);
    }

    /// <summary>Releases every tensor whose storage was lent in this scope and returns the arrays to the pool.</summary>
    /// <exception cref="InvalidOperationException">
    /// A scope begun inside this one on this flow is still active. This scope has ended all the same and the inner
    /// scopes stay active, so that disposing them afterwards works and later scopes work as usual.
    /// </exception>
    public void Dispose()
    {
        // The scope begun directly inside this one on this flow, if this is not the innermost.
        var innermost = s_current.Value;
        BufferScope? inside = null;
        if (!ReferenceEquals(innermost, this))
            for (var s = innermost; s is not null && inside is null; s = s._previous)
                if (ReferenceEquals(s._previous, this)) inside = s;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            // Last lent, first returned: the pool pops arrays in the order this scope was lent them, so a loop of identical
            // steps gives each op the array it had the step before, still in the cache of the core that last wrote it.
            for (int i = _lent.Count - 1; i >= 0; i--)
            {
                var (storage, dtype, array) = _lent[i];
                storage.Released = true;
                _pool.Return(dtype, array);
            }
            _lent.Clear();
        }
        if (ReferenceEquals(s_current.Value, this)) s_current.Value = _previous;
        else if (inside is not null)
        {
            inside._previous = _previous;
            throw new InvalidOperationException(
                $"BufferScope.Dispose: {this} was disposed while {innermost}, begun inside it on this flow, is still active (the innermost scope); " +
                $"dispose scopes in the reverse order of creation. {this} has ended and its tensors are released; {innermost} stays active until disposed.");
        }
    }

    /// <summary>The scope's name in messages: <c>BufferScope #n</c>, numbered in order of creation in this process.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BufferScope #{_number}");
}
