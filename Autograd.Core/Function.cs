namespace Autograd;

/// <summary>
/// A recorded op: a node on the tape. Holds its inputs and what its backward rule needs. Each primitive is
/// one small sealed subclass with its forward (a static method) and backward side by side.
/// </summary>
public abstract class Function
{
    private Tensor?[]? _saved;
    private int[]? _savedVersions;
    private bool _released;
    private bool _graphReleased;

    internal Tensor[] Inputs = [];
    internal Tensor? PendingGrad;
    internal int VisitStamp;

    /// <summary>Hooks registered on this node's output tensor.</summary>
    internal List<Func<Tensor, Tensor?>>? Hooks;

    /// <summary>The output tensor whose .Grad backward fills, after <see cref="Tensor.RetainGrad"/>.</summary>
    internal Tensor? Retained;

    /// <summary>Where user code created this node; recorded only in anomaly mode.</summary>
    internal string? CreationSite;

    /// <summary>The op's name, as shown in errors and graph dumps.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Given dL/d(output), returns dL/d(input) for every input (null where an input needs none), each of its
    /// input's shape and dtype. Written with differentiable tensor ops so that gradients of gradients work.
    /// </summary>
    protected abstract Tensor?[] Backward(Tensor grad);

    internal Tensor?[] RunBackward(Tensor grad) => Backward(grad);

    /// <summary>Keeps tensors for <see cref="Backward"/>; they are released after a backward pass unless the graph is retained.</summary>
    protected void Save(params Tensor?[] tensors)
    {
        _saved = tensors;
        _savedVersions = new int[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) _savedVersions[i] = tensors[i]?.Version.Value ?? 0;
    }

    /// <summary>The i-th tensor kept by <see cref="Save"/>.</summary>
    protected Tensor Saved(int i)
    {
        if (_released)
            throw new InvalidOperationException(
                $"{Name}: trying to backward through the graph a second time, but the tensors it saved were released after the first backward. " +
                "Pass retainGraph: true to the first Backward() or Autodiff.Grad() call to keep them.");
        var t = _saved![i] ?? throw new InvalidOperationException($"{Name}: saved tensor {i} was not kept; its Saves declaration is wrong.");
        if (t.Version.Value != _savedVersions![i])
            throw new InvalidOperationException(
                $"{Name}: a tensor of shape {ShapeUtil.Format(t.Dims)} that it saved for backward was modified in place after it was saved " +
                $"(version {_savedVersions[i]} when saved, {t.Version.Value} now). Use an out-of-place op, or clone the tensor before modifying it.");
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
            _savedVersions = null;
            _released = true;
        }
        // A shell costs about as much as a few elements of storage, so tiny intermediates (0-d chains) are kept as they are.
        for (int i = 0; i < Inputs.Length; i++)
            if (Inputs[i].GradFn is not null && Inputs[i].RawData.Length > ShellThreshold) Inputs[i] = Inputs[i].Shell();
    }

    /// <summary>Called when the graph is released after backward; frees what a subclass kept for backward.</summary>
    private protected virtual void OnRelease()
    {
    }

    /// <summary>Whether recording is on and some input needs a gradient.</summary>
    // The flags first: the grad mode is an async-local read, skipped for inputs that need no gradient (backward passes).
    internal static bool ShouldRecord(Tensor a) => a.RequiresGrad && GradMode.IsEnabled;

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
        fn.Inputs = inputs;
        output.GradFn = fn;
        output.MarkRequiresGrad();
        if (Anomaly.IsEnabled) Anomaly.OnForward(fn, output);
        return output;
    }
}
