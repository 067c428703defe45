namespace Autograd.Nn;

/// <summary>
/// Removes a hook registered on a <see cref="Module"/> (PyTorch's <c>RemovableHandle</c>): call <see cref="Remove"/>
/// or dispose it (<c>using var h = model.RegisterForwardHook(…)</c> keeps the hook for a scope). Removing twice does
/// nothing, as in PyTorch.
/// </summary>
public sealed class RemovableHandle : IDisposable
{
    private Action? _remove;

    internal RemovableHandle(Action remove) => _remove = remove;

    /// <summary>Whether the hook was removed through this handle.</summary>
    public bool IsRemoved => Volatile.Read(ref _remove) is null;

    /// <summary>Removes the hook; later calls do nothing.</summary>
    public void Remove() => Interlocked.Exchange(ref _remove, null)?.Invoke();

    /// <summary>Same as <see cref="Remove"/>.</summary>
    public void Dispose() => Remove();
}

internal enum HookKind
{
    Pre,
    Forward,
    Backward,
}

// One registration: its own object, so that a delegate registered twice is removed once per handle.
internal sealed class HookEntry(Delegate hook)
{
    public Delegate Hook { get; } = hook;
}

// Copied on write: Call reads a snapshot without a lock.
internal sealed class ModuleHooks
{
    public HookEntry[] Pre { get; private set; } = [];

    public HookEntry[] Forward { get; private set; } = [];

    public HookEntry[] Backward { get; private set; } = [];

    public bool IsEmpty => Pre.Length == 0 && Forward.Length == 0 && Backward.Length == 0;

    public ModuleHooks Clone() => new() { Pre = Pre, Forward = Forward, Backward = Backward };

    public HookEntry[] Get(HookKind kind) => kind switch
    {
        HookKind.Pre => Pre,
        HookKind.Forward => Forward,
        _ => Backward,
    };

    public void Set(HookKind kind, HookEntry[] entries)
    {
        if (kind == HookKind.Pre) Pre = entries;
        else if (kind == HookKind.Forward) Forward = entries;
        else Backward = entries;
    }
}

/// <summary>
/// The full backward hooks of one <see cref="Module.Call(Tensor)"/>, as PyTorch's <c>BackwardHook</c>: identity nodes
/// around the call's input and output, so that the gradients the hooks see are this call's own.
/// </summary>
internal sealed class BackwardHookCall(Module module, HookEntry[] hooks)
{
    private Tensor? _gradOutput;
    private bool _inputWrapped;

    public Tensor WrapInput(Tensor input)
    {
        _inputWrapped = true;
        return new HookIdentity(this, isOutput: false).Apply(input);
    }

    public Tensor WrapOutput(Tensor output) => new HookIdentity(this, isOutput: true).Apply(output);

    private Tensor OnGrad(Tensor grad, bool isOutput)
    {
        if (isOutput)
        {
            _gradOutput = grad;
            // No input gradient will come: the hooks run now, with none (PyTorch passes (None,)).
            if (!_inputWrapped) Run(null, grad);
            return grad;
        }
        // The input's gradient without the output's: the input reached the graph another way; nothing to report.
        return _gradOutput is null ? grad : Run(grad, _gradOutput)!;
    }

    private Tensor? Run(Tensor? gradInput, Tensor gradOutput)
    {
        foreach (var h in hooks)
        {
            var replaced = ((Func<Module, Tensor?, Tensor, Tensor?>)h.Hook)(module, gradInput, gradOutput);
            if (replaced is null) continue;
            if (gradInput is null)
                throw new InvalidOperationException(
                    $"{module.GetType().Name}: a full backward hook returned a gradient for an input that does not require grad; return null.");
            if (!replaced.Shape.SequenceEqual(gradInput.Shape) || replaced.DType != gradInput.DType)
                throw new InvalidOperationException(
                    $"{module.GetType().Name}: a full backward hook returned a gradient of shape [{string.Join(", ", replaced.Shape)}] and dtype {replaced.DType.Name()}, " +
                    $"expected [{string.Join(", ", gradInput.Shape)}] and {gradInput.DType.Name()} as the input's.");
            gradInput = replaced;
        }
        return gradInput;
    }

    private sealed class HookIdentity(BackwardHookCall call, bool isOutput) : CustomFunction
    {
        public override string Name => "BackwardHookFunction";

        protected override Tensor Forward(Tensor[] inputs) => inputs[0];

        protected override Tensor?[] Backward(Tensor grad) => [call.OnGrad(grad, isOutput)];
    }
}
