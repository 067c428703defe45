namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Accumulates d(this)/d(leaf) into every leaf's <see cref="Grad"/>. <paramref name="gradient"/> seeds the pass and
    /// must have this tensor's shape; it may be omitted only for a one-element tensor (seed 1).
    /// </summary>
    /// <param name="gradient">The seed dL/d(this).</param>
    /// <param name="retainGraph">Keep saved tensors so that another backward through the same graph works.</param>
    /// <param name="createGraph">Record the backward pass, so that the gradients can be differentiated again.</param>
    /// <exception cref="ArgumentException"><paramref name="gradient"/> has another shape than this tensor.</exception>
    /// <exception cref="InvalidOperationException">This tensor does not require grad, has more than one element and no <paramref name="gradient"/>, or its graph was released by an earlier backward without <paramref name="retainGraph"/>; under <see cref="Autodiff.DetectAnomaly"/>, a backward rule produced NaN or ±∞; a hook or a custom function's backward returned a gradient of the wrong number, shape or dtype.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        var seeds = Seeds("Backward", [this], [gradient]);
        Engine.Run([this], seeds, retainGraph || createGraph, createGraph, null, false);
    }

    internal static Tensor[] Seeds(string op, Tensor[] outputs, Tensor?[]? given)
    {
        if (given is not null && given.Length != outputs.Length)
            throw new ArgumentException($"{op}: got {given.Length} gradient seeds for {outputs.Length} outputs.");
        var seeds = new Tensor[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            var o = outputs[i];
            if (!o.RequiresGrad)
                throw new InvalidOperationException(
                    $"{op}: output {i} of shape {ShapeUtil.Format(o.Dims)} does not require grad and has no grad_fn: no input of the computation had RequiresGrad set, or it ran under NoGrad().");
            var g = given?[i];
            if (g is null)
            {
                if (o.NumElements != 1)
                    throw new InvalidOperationException(
                        $"{op}: a gradient seed can be created implicitly only for one-element outputs; output {i} has shape {ShapeUtil.Format(o.Dims)}. Pass a seed of that shape.");
                seeds[i] = OnesLike(o);
            }
            else
            {
                if (!ShapeUtil.SameShape(g.Dims, o.Dims))
                    throw new ArgumentException($"{op}: seed of shape {ShapeUtil.Format(g.Dims)} does not match output {i} of shape {ShapeUtil.Format(o.Dims)}.");
                seeds[i] = g.DType == o.DType ? g : g.To(o.DType);
            }
        }
        return seeds;
    }
}
