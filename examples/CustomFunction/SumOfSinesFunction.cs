using Autograd;

namespace CustomFunctionExample;

/// <summary>
/// The lecture slides' model f(x) = Σᵢ aᵢ sin(bᵢx + cᵢ) (docs/tutorial.md) as one fused differentiable op: for x of shape [n] and
/// a, b, c of shape [m], computes y[n] = Σᵢ aᵢ sin(bᵢxₙ + cᵢ). The composite version records n·m-sized products, a sine,
/// a product and a sum on the tape; this op records one node, and its backward computes the four gradients directly:
/// <code>
/// ∂y/∂xₙ = Σᵢ aᵢbᵢ cos(bᵢxₙ + cᵢ)     ∂y/∂aᵢ = sin(bᵢxₙ + cᵢ)
/// ∂y/∂bᵢ = aᵢxₙ cos(bᵢxₙ + cᵢ)        ∂y/∂cᵢ = aᵢ cos(bᵢxₙ + cᵢ)
/// </code>
/// The backward is written with tensor ops on the saved inputs, so with <c>createGraph</c> it is itself recorded and
/// the op has second derivatives (Hessians, Hessian-vector products) for free.
/// </summary>
public sealed class SumOfSines : CustomFunction
{
    private SavedTensor _x, _a, _b, _c;

    /// <summary>y = Σᵢ aᵢ sin(bᵢx + cᵢ) for x [n] and a, b, c [m]; one new instance per call, as CustomFunction requires.</summary>
    public static Tensor Call(Tensor x, Tensor a, Tensor b, Tensor c) => new SumOfSines().Apply(x, a, b, c);

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor[] inputs)
    {
        var (x, a, b, c) = (inputs[0], inputs[1], inputs[2], inputs[3]);
        if (x.Rank != 1 || a.Rank != 1 || !a.Shape.SequenceEqual(b.Shape) || !a.Shape.SequenceEqual(c.Shape))
            throw new ArgumentException($"SumOfSines: expected x of shape [n] and a, b, c of one shape [m], got x [{string.Join(", ", x.Shape)}], " +
                $"a [{string.Join(", ", a.Shape)}], b [{string.Join(", ", b.Shape)}], c [{string.Join(", ", c.Shape)}].");
        _x = SaveForBackward(x);
        _a = SaveForBackward(a);
        _b = SaveForBackward(b);
        _c = SaveForBackward(c);
        return (a * (x.Unsqueeze(1) * b + c).Sin()).Sum(1);   // [n, 1] * [m] → [n, m], summed over i
    }

    /// <inheritdoc/>
    protected override Tensor?[] Backward(Tensor grad)
    {
        Tensor x = _x.Value.Unsqueeze(1), a = _a.Value, b = _b.Value, c = _c.Value;
        var phase = x * b + c;                  // [n, m]
        var cos = phase.Cos();
        var g = grad.Unsqueeze(1);              // dL/dy as [n, 1]
        return
        [
            (g * a * b * cos).Sum(1),          // dL/dx [n]
            (g * phase.Sin()).Sum(0),          // dL/da [m]
            (g * a * x * cos).Sum(0),          // dL/db [m]
            (g * a * cos).Sum(0),              // dL/dc [m]
        ];
    }
}

/// <summary>
/// A deliberately broken copy of <see cref="SumOfSines"/>: its backward computes the right numbers but from
/// <see cref="Tensor.Detach"/>ed inputs, so the gradients it returns are cut off from the graph. First derivatives
/// are correct; second derivatives silently lose every term through x, a, b and c. Only a second-order check sees it.
/// </summary>
public sealed class SumOfSinesDetached : CustomFunction
{
    private SavedTensor _x, _a, _b, _c;

    /// <summary>y = Σᵢ aᵢ sin(bᵢx + cᵢ), with the broken backward.</summary>
    public static Tensor Call(Tensor x, Tensor a, Tensor b, Tensor c) => new SumOfSinesDetached().Apply(x, a, b, c);

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor[] inputs)
    {
        _x = SaveForBackward(inputs[0]);
        _a = SaveForBackward(inputs[1]);
        _b = SaveForBackward(inputs[2]);
        _c = SaveForBackward(inputs[3]);
        return (inputs[1] * (inputs[0].Unsqueeze(1) * inputs[2] + inputs[3]).Sin()).Sum(1);
    }

    /// <inheritdoc/>
    protected override Tensor?[] Backward(Tensor grad)
    {
        // The bug: Detach() leaves the graph, so createGraph cannot differentiate these through the inputs.
        Tensor x = _x.Value.Detach().Unsqueeze(1), a = _a.Value.Detach(), b = _b.Value.Detach(), c = _c.Value.Detach();
        var phase = x * b + c;
        var cos = phase.Cos();
        var g = grad.Unsqueeze(1);
        return [(g * a * b * cos).Sum(1), (g * phase.Sin()).Sum(0), (g * a * x * cos).Sum(0), (g * a * cos).Sum(0)];
    }
}
