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
    /// Registers <paramref name="hook"/> to run on this leaf each time a backward pass has accumulated its gradient into
    /// <see cref="Grad"/> (PyTorch's <c>register_post_accumulate_grad_hook</c>). It runs during the pass, as soon as
    /// every recorded op that takes this tensor as an input has run its backward, so work started from it (sending the
    /// gradient to other processes) overlaps the rest of the pass. <see cref="Autodiff.Grad(Tensor[], Tensor[], Tensor?[], bool, bool?, bool)"/>,
    /// which accumulates nothing, does not run it; nor does a pass that gives this tensor no gradient. Dispose the
    /// result to remove the hook.
    /// </summary>
    /// <param name="hook">Called with this tensor, whose <see cref="Grad"/> holds the accumulated gradient.</param>
    /// <returns>A handle that removes the hook when disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    /// <exception cref="InvalidOperationException">This tensor does not require grad, or is not a leaf.</exception>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
            throw new InvalidOperationException(
                $"RegisterPostAccumulateGradHook: a tensor of shape {ShapeUtil.Format(Dims)} that does not require grad never receives a gradient.");
        if (!IsLeaf)
            throw new InvalidOperationException(
                $"RegisterPostAccumulateGradHook: the tensor of shape {ShapeUtil.Format(Dims)} is the result of {GradFnName}, not a leaf; " +
                "only leaves accumulate a gradient (use RegisterHook on other tensors).");
        var list = PostAccumulateGradHooks ??= [];
        list.Add(hook);
        Engine.PostAccumulateHookAdded();
        return new PostAccumulateHookHandle(list, hook);
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

    private sealed class PostAccumulateHookHandle(List<Action<Tensor>> list, Action<Tensor> hook) : IDisposable
    {
        public void Dispose()
        {
            if (list.Remove(hook)) Engine.PostAccumulateHookRemoved();
        }
    }

    private sealed class HookHandle(List<Func<Tensor, Tensor?>> list, Func<Tensor, Tensor?> hook) : IDisposable
    {
        public void Dispose() => list.Remove(hook);
    }
}
