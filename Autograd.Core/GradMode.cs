namespace Autograd;

/// <summary>Whether ops record onto the graph on the current thread.</summary>
internal static class GradMode
{
    [ThreadStatic] private static bool t_disabled;

    public static bool IsEnabled => !t_disabled;

    public static bool Set(bool enabled)
    {
        bool previous = !t_disabled;
        t_disabled = !enabled;
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
