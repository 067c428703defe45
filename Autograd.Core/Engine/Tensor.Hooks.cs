namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Registers <paramref name="hook"/> to run on the gradient with respect to this tensor each time one is computed
    /// (once per backward pass, on the total over all paths). Returning null observes; returning a tensor of the same
    /// shape and dtype replaces the gradient. Dispose the result to remove the hook.
    /// </summary>
    /// <param name="hook">Called with the gradient; returns null to keep it or a tensor of its shape and dtype to replace it.</param>
    /// <returns>A handle that removes the hook when disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    /// <exception cref="InvalidOperationException">This tensor does not require grad.</exception>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
            throw new InvalidOperationException($"RegisterHook: a tensor of shape {ShapeUtil.Format(Dims)} that does not require grad never receives a gradient.");
        var fn = Role.GradFn;
        var list = fn is null ? (Hooks ??= []) : (fn.Hooks ??= []);
        list.Add(hook);
        return new HookHandle(list, hook);
    }

    /// <summary>
    /// Makes <see cref="Backward(Tensor?, bool, bool)"/> fill <see cref="Grad"/> of this non-leaf tensor too (PyTorch's
    /// retain_grad): it accumulates over passes, like a leaf's. A no-op on a leaf, which keeps its gradient anyway.
    /// <see cref="Autodiff.Grad(Tensor[], Tensor[], Tensor?[], bool, bool?, bool)"/> fills no <see cref="Grad"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">This tensor does not require grad.</exception>
    public void RetainGrad()
    {
        if (!RequiresGrad)
            throw new InvalidOperationException($"RetainGrad: a tensor of shape {ShapeUtil.Format(Dims)} that does not require grad never receives a gradient.");
        if (Role.GradFn is { } fn) fn.Retained = this;
    }

    /// <summary>Whether <see cref="RetainGrad"/> was called on this non-leaf tensor (false for leaves, as PyTorch's retains_grad).</summary>
    public bool RetainsGrad => Role.GradFn is { } fn && ReferenceEquals(fn.Retained, this);

    private sealed class HookHandle(List<Func<Tensor, Tensor?>> list, Func<Tensor, Tensor?> hook) : IDisposable
    {
        public void Dispose() => list.Remove(hook);
    }
}
