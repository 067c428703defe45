namespace Autograd;

/// <summary>
/// Whether ops record onto the graph in the current async flow: a scope follows its code across awaits and into
/// tasks started inside it, and never leaks into other threads or flows.
/// </summary>
internal static class GradMode
{
    // Every op reads the mode, and an async-local read costs a lookup in the execution context; the change callback
    // (run on every set and on every switch of context, as for CultureInfo.CurrentCulture) mirrors it in a thread static.
    private static readonly AsyncLocal<bool> s_disabled = new(static change => t_disabled = change.CurrentValue);

    [ThreadStatic] private static bool t_disabled;

    public static bool IsEnabled => !t_disabled;

    public static bool Set(bool enabled)
    {
        bool previous = !t_disabled;
        if (previous != enabled) s_disabled.Value = !enabled;
        return previous;
    }
}

/// <summary>A scope in which ops record nothing (PyTorch's torch.no_grad()); dispose to restore the previous mode.</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _previous;
    private readonly bool _entered;

    internal NoGradScope(bool enabled)
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
