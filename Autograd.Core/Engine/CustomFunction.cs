namespace Autograd;

/// <summary>
/// Base of a user-defined differentiable op (PyTorch's autograd.Function). Override <see cref="Forward"/> (runs
/// with recording off) and <see cref="Function.Backward"/> (dL/d(output) → dL/d(each input)); keep what backward
/// needs in typed fields, tensors through <see cref="SaveForBackward"/>. A backward written with tensor ops
/// supports <c>createGraph</c>. Create one instance per call: <c>new MyOp().Apply(x)</c>.
/// </summary>
// RS0022: users are meant to derive from CustomFunction, and through it see Function's protected Backward and Name.
#pragma warning disable RS0022
public abstract class CustomFunction : Function
#pragma warning restore RS0022
{
    private readonly List<SavedTensorSlot> _saved = [];
    private bool _applied;
    private bool _nonDifferentiable;

    /// <inheritdoc/>
    public override string Name => GetType().Name;

    /// <summary>Computes the output from the inputs; ops inside are not recorded.</summary>
    /// <param name="inputs">The tensors passed to <see cref="Apply"/>.</param>
    /// <returns>The output; returning an input gives a detached alias of it.</returns>
    protected abstract Tensor Forward(Tensor[] inputs);

    /// <summary>Keeps a tensor for backward; read it back with <see cref="SavedTensor.Value"/>.</summary>
    /// <param name="tensor">The tensor to keep.</param>
    /// <returns>A handle whose <see cref="SavedTensor.Value"/> gives the tensor back in <see cref="Function.Backward"/>, checked for in-place changes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    protected SavedTensor SaveForBackward(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var saved = new SavedTensorSlot(tensor, Name, _saved.Count);
        _saved.Add(saved);
        return new SavedTensor(saved);
    }

    /// <summary>Called from <see cref="Forward"/>: the output gets no gradient (like an argmax or a mask).</summary>
    protected void MarkNonDifferentiable() => _nonDifferentiable = true;

    /// <summary>Runs the op on <paramref name="inputs"/> and records it when an input requires grad.</summary>
    /// <param name="inputs">The inputs to pass to <see cref="Forward"/>.</param>
    /// <returns>The output of <see cref="Forward"/>, recorded for autograd with this function as its node when an input requires grad and grad mode is on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="InvalidOperationException">This instance was already applied, <see cref="Forward"/> returned null, or it returned an int64 output that is recorded and not marked non-differentiable.</exception>
    public Tensor Apply(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{Name}: input {i} is null.");
        if (_applied)
            throw new InvalidOperationException($"{Name}: a CustomFunction instance records one call; create a new instance for each Apply.");
        _applied = true;
        Tensor output;
        using (Autodiff.NoGrad()) output = Forward(inputs) ?? throw new InvalidOperationException($"{Name}: Forward returned null; it must return a tensor.");
        // An input returned as the output must not become a node's output itself.
        if (inputs.Any(x => ReferenceEquals(x, output))) output = output.Detach();
        if (_nonDifferentiable || !ShouldRecord(inputs)) return output;
        if (!output.DType.IsFloatingPoint())
            throw new InvalidOperationException($"{Name}: a {output.DType.Name()} output cannot be differentiable; call MarkNonDifferentiable() in Forward.");
        // A float tensor Forward made (with recording off) has no graph back to the inputs: a backward that is itself
        // differentiated must not read it. Inputs, the output (attached below) and tensors with a graph of their own do.
        foreach (var s in _saved)
        {
            var t = s.Tensor;
            if (t is not null && t.DType.IsFloatingPoint() && !t.RequiresGrad && !ReferenceEquals(t, output) && !inputs.Any(x => ReferenceEquals(x, t)))
                s.HasNoGraph = true;
        }
        return Attach(this, output, (Tensor[])inputs.Clone());
    }

    private protected override void OnRelease()
    {
        foreach (var s in _saved) s.Release();
    }
}

// What SaveForBackward keeps: one per saved tensor, shared by the SavedTensor handles that are copied around.
internal sealed class SavedTensorSlot
{
    private Tensor? _tensor;
    private readonly int _version;
    private readonly string _owner;
    private readonly int _index;

    internal SavedTensorSlot(Tensor tensor, string owner, int index)
    {
        _tensor = tensor;
        _version = tensor.Version.Value;
        _owner = owner;
        _index = index;
    }

    internal Tensor? Tensor => _tensor;

    /// <summary>Set by <see cref="CustomFunction.Apply"/>: a float tensor computed in Forward, neither an input nor the output.</summary>
    internal bool HasNoGraph;

    /// <summary>
    /// The saved tensor; throws if the graph was released, the tensor was modified in place since, or a backward with
    /// <c>createGraph</c> reads a tensor that Forward computed, which has no graph back to the inputs.
    /// </summary>
    /// <exception cref="InvalidOperationException">In those three cases; the message names the function and the tensor.</exception>
    internal Tensor Value
    {
        get
        {
            var t = _tensor ?? throw new InvalidOperationException(
                $"{_owner}: trying to backward through the graph a second time, but the tensors it saved were released after the first backward. " +
                "Pass retainGraph: true to the first Backward() or Autodiff.Grad() call to keep them.");
            // Recording is on during a backward exactly when it runs with createGraph.
            if (HasNoGraph && GradMode.IsEnabled)
                throw new InvalidOperationException(
                    $"{_owner}: backward with createGraph reads saved tensor {_index} (shape {ShapeUtil.Format(t.Dims)}, {t.DType.Name()}), which Forward computed " +
                    "with recording off, so it has no graph back to the inputs and the second-order gradient would be wrong. Save the inputs and recompute " +
                    "it in Backward, or return it as an output; a tensor that does not depend on the inputs belongs in a field, not in SaveForBackward.");
            if (t.Version.Value != _version)
                throw new InvalidOperationException(
                    $"{_owner}: a tensor of shape {ShapeUtil.Format(t.Dims)} that it saved for backward was modified in place after it was saved (version {_version} when saved, {t.Version.Value} now).");
            return t;
        }
    }

    internal void Release() => _tensor = null;
}

/// <summary>
/// A handle to a tensor kept by <see cref="CustomFunction.SaveForBackward"/>, checked against in-place changes. A value
/// type, so a field holding one needs no initializer: <c>private SavedTensor _x;</c>, assigned in Forward.
/// </summary>
public readonly struct SavedTensor
{
    private readonly SavedTensorSlot? _slot;

    internal SavedTensor(SavedTensorSlot slot) => _slot = slot;

    /// <summary>Whether this handle came from <see cref="CustomFunction.SaveForBackward"/> (false for <c>default</c>).</summary>
    public bool IsSaved => _slot is not null;

    /// <summary>
    /// The saved tensor; throws if nothing was saved into this handle, the graph was released, the tensor was modified
    /// in place since, or a backward with <c>createGraph</c> reads a tensor that Forward computed, which has no graph back to the inputs.
    /// </summary>
    /// <exception cref="InvalidOperationException">In those four cases; the message names the function and the tensor.</exception>
    public Tensor Value => (_slot ?? throw new InvalidOperationException(
        "SavedTensor.Value: this handle holds no tensor; assign it from SaveForBackward(tensor) in Forward before Backward reads it.")).Value;
}
