using System.Runtime.CompilerServices;

namespace Autograd;

/// <summary>
/// Whether ops record onto the graph in the current async flow: a scope follows its code across awaits and into
/// tasks started inside it, and never leaks into other threads or flows.
/// </summary>
internal static class GradMode
{
    // Every op reads the mode, and an async-local read costs a lookup in the execution context; the change callback
    // (run on every set and on every switch of context, as for CultureInfo.CurrentCulture) mirrors it in a thread static,
    // and counts the threads whose flow has it off, so that while none has (most of a forward pass), ops read no
    // thread-local state at all. A thread only ever counts itself, so it always sees its own entry in the count; a
    // thread that ends with the mode off stays counted, which only costs the thread-static read from then on.
    private static readonly AsyncLocal<bool> s_disabled = new(OnChange);

    [ThreadStatic] private static bool t_disabled;

    private static int s_disabledThreads;

    private static void OnChange(AsyncLocalValueChangedArgs<bool> change)
    {
        if (t_disabled == change.CurrentValue) return;
        t_disabled = change.CurrentValue;
        Interlocked.Add(ref s_disabledThreads, change.CurrentValue ? 1 : -1);
    }

    public static bool IsEnabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_disabledThreads) == 0 || !t_disabled;
    }

    public static bool Set(bool enabled)
    {
        bool previous = !t_disabled;
        if (previous != enabled) s_disabled.Value = !enabled;
        return previous;
    }
}

/// <summary>A scope that sets whether ops record (PyTorch's torch.no_grad(), enable_grad(), set_grad_enabled()); dispose to restore the previous mode.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;
    private readonly bool _entered;

    internal GradModeScope(bool enabled)
    {
        _previous = GradMode.Set(enabled);
        _entered = true;
    }

    /// <summary>Restores the mode that was in force when the scope began.</summary>
    public void Dispose()
    {
        if (_entered) GradMode.Set(_previous);
    }
}
