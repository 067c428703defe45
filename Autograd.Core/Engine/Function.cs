using System.Runtime.CompilerServices;

namespace Autograd;

/// <summary>
/// A recorded op: a node on the tape. Holds its inputs and what its backward rule needs. Each primitive is
/// one small sealed subclass with its forward (a static method) and backward side by side.
/// </summary>
public abstract class Function
{
    // A one-input node (most nodes of long scalar chains) keeps its input in _input0, without an array; any other node
    // its inputs in _inputs.
    private Tensor? _input0;
    private Tensor[]? _inputs;
    private SavedSlot[]? _saved;

    // Hooks, a retained output or a creation site: made on first use (GetRare), in few nodes.
    private Rare? _rare;

    // Only CustomFunction (and the primitives) derive from it: a user's op records through CustomFunction.Apply.
    private protected Function() { }
    internal Tensor? PendingGrad;
    internal int VisitStamp;
    private bool _released;
    private bool _graphReleased;

    private struct SavedSlot(Tensor? tensor, int version)
    {
        public Tensor? Tensor = tensor;
        public int Version = version;
    }

    private sealed class Rare
    {
        public List<Func<Tensor, Tensor?>>? Hooks;
        public Tensor? Retained;
        public string? CreationSite;
    }

    /// <summary>Hooks registered on this node's output tensor.</summary>
    internal List<Func<Tensor, Tensor?>>? Hooks
    {
        get => _rare?.Hooks;
        set => GetRare().Hooks = value;
    }

    /// <summary>The output tensor whose .Grad backward fills, after <see cref="Tensor.RetainGrad"/>.</summary>
    internal Tensor? Retained
    {
        get => _rare?.Retained;
        set => GetRare().Retained = value;
    }

    /// <summary>Where user code created this node; recorded only in anomaly mode.</summary>
    internal string? CreationSite
    {
        get => _rare?.CreationSite;
        set => GetRare().CreationSite = value;
    }

    /// <summary>Whether the node has (or had) hooks, a retained output or a creation site: one check for the engine.</summary>
    internal bool HasRare => _rare is not null;

    // Put in by compare-and-swap, so that two threads making it at once (a hook, a retained output) share one and neither
    // loses its write.
    private Rare GetRare() => _rare ?? CreateRare();

    private Rare CreateRare()
    {
        var fresh = new Rare();
        return Interlocked.CompareExchange(ref _rare, fresh, null) ?? fresh;
    }

    /// <summary>Whether the node has exactly one input, held without an array.</summary>
    internal bool IsSingleInput => _input0 is not null;

    /// <summary>The number of inputs.</summary>
    internal int InputCount => _input0 is not null ? 1 : _inputs?.Length ?? 0;

    /// <summary>The i-th input.</summary>
    internal Tensor Input(int i)
    {
        if (_input0 is { } input) return i == 0 ? input : throw new IndexOutOfRangeException();
        return (_inputs ?? [])[i];
    }

    /// <summary>The inputs as an array (a new one for a one-input node).</summary>
    internal Tensor[] Inputs => _input0 is { } input ? [input] : _inputs ?? [];

    /// <summary>The op's name, as shown in errors and graph dumps.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Given dL/d(output), returns dL/d(input) for every input (null where an input needs none), each of its
    /// input's shape and dtype. Written with differentiable tensor ops so that gradients of gradients work.
    /// </summary>
    /// <param name="grad">dL/d(output), of the output's shape and dtype.</param>
    /// <returns>One gradient per input, in input order; null for an input that needs none.</returns>
    protected abstract Tensor?[] Backward(Tensor grad);

    /// <summary><see cref="Backward"/>, checked to give one gradient per input.</summary>
    internal Tensor?[] RunBackward(Tensor grad)
    {
        var grads = Backward(grad)
            ?? throw new InvalidOperationException($"{Name}: backward returned null instead of {InputCount} gradients (one per input, null where none).");
        if (grads.Length != InputCount)
            throw new InvalidOperationException($"{Name}: backward returned {grads.Length} gradients for {InputCount} inputs.");
        return grads;
    }

    /// <summary>
    /// The gradient of the only input of a one-input node (the engine's path for them, without an array where the op
    /// allows). <paramref name="owned"/> says on entry that only the engine holds <paramref name="grad"/>, so the rule
    /// may overwrite it; on return, that only the engine holds the result.
    /// </summary>
    /// <remarks>
    /// The one place where a rule may write into its incoming gradient. A gradient is owned when a rule made it during
    /// the engine's walk down a one-output path of one-input nodes, nothing records it, and no hook, retained gradient or
    /// wanted result of autograd.grad has seen it: then nobody can tell an overwritten tensor from a new one. The 0-d
    /// tensor ∘ number ops (MulScalar, DivScalar) overwrite; AddScalar and SubScalar hand the gradient on as it is,
    /// keeping its ownership; every other op returns a new gradient and clears it.
    /// </remarks>
    internal virtual Tensor? RunInputGrad(Tensor grad, ref bool owned)
    {
        owned = false;
        return RunBackward(grad)[0];
    }

    /// <summary>Keeps tensors for <see cref="Backward"/>; they are released after a backward pass unless the graph is retained.</summary>
    /// <param name="tensors">The tensors to keep, in the order <see cref="Saved"/> reads them; null entries keep nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    private protected void Save(params Tensor?[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var saved = new SavedSlot[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) saved[i] = Slot(tensors[i]);
        _saved = saved;
    }

    // Without the params array: the primitives save two or three tensors.
    private protected void Save(Tensor? a, Tensor? b) => _saved = [Slot(a), Slot(b)];

    private protected void Save(Tensor? a, Tensor? b, Tensor? c) => _saved = [Slot(a), Slot(b), Slot(c)];

    private static SavedSlot Slot(Tensor? t) => new(t, t?.Version.Value ?? 0);

    /// <summary>The i-th tensor kept by <see cref="Save(Tensor?[])"/>.</summary>
    /// <param name="i">The position of the tensor in the <see cref="Save(Tensor?[])"/> call.</param>
    /// <returns>The saved tensor itself.</returns>
    /// <exception cref="InvalidOperationException">The graph was released by an earlier backward without <c>retainGraph</c>, the tensor was saved as null, or it was modified in place after it was saved.</exception>
    private protected Tensor Saved(int i)
    {
        if (_released)
            throw new InvalidOperationException(
                $"{Name}: trying to backward through the graph a second time, but the tensors it saved were released after the first backward. " +
                "Pass retainGraph: true to the first Backward() or Autodiff.Grad() call to keep them.");
        var slot = _saved![i];
        var t = slot.Tensor ?? throw new InvalidOperationException($"{Name}: saved tensor {i} was not kept; its Saves declaration is wrong.");
        if (t.Version.Value != slot.Version)
            throw new InvalidOperationException(
                $"{Name}: a tensor of shape {ShapeUtil.Format(t.Dims)} that it saved for backward was modified in place after it was saved " +
                $"(version {slot.Version} when saved, {t.Version.Value} now). Use an out-of-place op, or clone the tensor before modifying it.");
        return t;
    }

    /// <summary>Intermediate inputs with at most this many elements of storage are not replaced by shells on release.</summary>
    internal const int ShellThreshold = 16;

    /// <summary>
    /// Frees what this node holds for backward: its saved tensors, and the storage of intermediate inputs, which are
    /// replaced by data-less shells that keep only the graph structure (shape, dtype, producer).
    /// </summary>
    internal void Release()
    {
        // The engine releases each node right after its backward and again in its final sweep; the second is a no-op.
        if (_graphReleased) return;
        _graphReleased = true;
        OnRelease();
        if (_saved is not null)
        {
            _saved = null;
            _released = true;
        }
        // A shell costs about as much as a few elements of storage, so tiny intermediates (0-d chains) are kept as they are.
        if (_input0 is { } input0)
        {
            if (NeedsShell(input0)) _input0 = input0.Shell();
        }
        else if (_inputs is { } inputs)
        {
            for (int i = 0; i < inputs.Length; i++)
                if (NeedsShell(inputs[i])) inputs[i] = inputs[i].Shell();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NeedsShell(Tensor input) => input.GradFn is not null && input.RawData.Length > ShellThreshold;

    /// <summary>Called when the graph is released after backward; frees what a subclass kept for backward.</summary>
    private protected virtual void OnRelease()
    {
    }

    /// <summary>Whether recording is on and some input needs a gradient.</summary>
    // The flags first: the grad mode is an async-local read, skipped for inputs that need no gradient (backward passes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(Tensor a) => a.RequiresGrad && GradMode.IsEnabled;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && GradMode.IsEnabled;

    internal static bool ShouldRecord(Tensor[] inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Makes <paramref name="output"/> the result of <paramref name="fn"/> on <paramref name="inputs"/>.</summary>
    internal static Tensor Attach(Function fn, Tensor output, params Tensor[] inputs)
    {
        // An input written in place by a recorded op enters the graph as that write's output, not as its older history.
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].IsRebased) inputs[i] = inputs[i].Role;
        fn._inputs = inputs;
        output.GradFn = fn;
        output.MarkRequiresGrad();
        if (Anomaly.IsEnabled) Anomaly.OnForward(fn, output);
        return output;
    }

    /// <summary>Makes <paramref name="output"/> the result of <paramref name="fn"/> on the one tensor <paramref name="input"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Attach(Function fn, Tensor output, Tensor input)
    {
        fn._input0 = input.IsRebased ? input.Role : input;
        output.GradFn = fn;
        output.MarkRequiresGrad();
        if (Anomaly.IsEnabled) Anomaly.OnForward(fn, output);
        return output;
    }
}
