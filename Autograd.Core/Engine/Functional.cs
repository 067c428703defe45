namespace Autograd;

/// <summary>
/// Function transforms in the manner of torch.autograd.functional. Inputs are copied into fresh leaves, so the
/// caller's tensors are never modified and need not require grad. Everything is built on reverse mode:
/// <see cref="Jvp"/> uses the double-vjp trick (J·v = ∂/∂u ⟨Jᵀu, v⟩, since Jᵀu is linear in u), so it costs two
/// backward passes and needs ops whose backward is differentiable — every op in the registry is.
/// </summary>
public static class Functional
{
    private static Tensor[] Leaves(string op, Func<Tensor[], Tensor> function, Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{op}: input {i} is null.");
            if (!inputs[i].DType.IsFloatingPoint())
                throw new ArgumentException($"{op}: input {i} is {inputs[i].DType.Name()} of shape {ShapeUtil.Format(inputs[i].Dims)}; only float32 and float64 inputs can be differentiated.", nameof(inputs));
        }
        return inputs.Select(t => t.Detach().Clone().RequireGrad()).ToArray();
    }

    private static Tensor Call(string op, Func<Tensor[], Tensor> function, Tensor[] xs) =>
        function(xs) ?? throw new InvalidOperationException($"{op}: the function returned null; it must return a tensor.");

    private static Tensor[] OrZeros(Tensor?[] grads, Tensor[] like) =>
        grads.Select((g, i) => g ?? Tensor.ZerosLike(like[i])).ToArray();

    /// <summary>Computes f(x) and the vector-Jacobian product vᵀ·∂f/∂x for each input.</summary>
    /// <param name="function">The function to differentiate; it gets fresh leaf copies of the inputs.</param>
    /// <param name="inputs">The points to differentiate at, float32 or float64; they are not modified and need not require grad.</param>
    /// <param name="v">The vector, of the output's shape; null for a one-element output (then 1).</param>
    /// <param name="createGraph">Record the computation of the results, so they can be differentiated again; otherwise they are detached.</param>
    /// <returns>The output f(x) and one product per input, of its shape and dtype (zeros where f does not depend on it).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">An input is int64, or <paramref name="v"/> is null for an output of more than one element or has another shape than the output.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static (Tensor Output, Tensor[] Vjp) Vjp(Func<Tensor[], Tensor> function, Tensor[] inputs, Tensor? v = null, bool createGraph = false)
    {
        var xs = Leaves("Vjp", function, inputs);
        var y = Call("Vjp", function, xs);
        if (v is null && y.NumElements != 1)
            throw new ArgumentException($"Vjp: v can be omitted only when the function returns a single element, got shape {ShapeUtil.Format(y.Dims)}.", nameof(v));
        if (v is not null && !ShapeUtil.SameShape(v.Dims, y.Dims))
            throw new ArgumentException($"Vjp: v of shape {ShapeUtil.Format(v.Dims)} does not match the function's output of shape {ShapeUtil.Format(y.Dims)}.", nameof(v));
        if (!y.RequiresGrad) return (y.Detach(), xs.Select(Tensor.ZerosLike).ToArray());
        var grads = Autodiff.Grad([y], xs, [v], createGraph: createGraph, allowUnused: true);
        return (createGraph ? y : y.Detach(), OrZeros(grads, xs));
    }

    /// <summary>Computes f(x) and the Jacobian-vector product ∂f/∂x·v, with one tangent per input (double-vjp trick).</summary>
    /// <param name="function">The function to differentiate; it gets fresh leaf copies of the inputs.</param>
    /// <param name="inputs">The points to differentiate at, float32 or float64; they are not modified and need not require grad.</param>
    /// <param name="v">The tangents, one per input, each of its input's shape.</param>
    /// <param name="createGraph">Record the computation of the results, so they can be differentiated again; otherwise they are detached.</param>
    /// <returns>The output f(x) and the product, of the output's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/>, <paramref name="v"/> or one of their elements is null.</exception>
    /// <exception cref="ArgumentException">An input is int64, or the tangents differ from the inputs in number or shape.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static (Tensor Output, Tensor Jvp) Jvp(Func<Tensor[], Tensor> function, Tensor[] inputs, Tensor[] v, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(v);
        CheckNoNulls("Jvp", inputs, v);
        if (v.Length != inputs.Length)
            throw new ArgumentException($"Jvp: got {v.Length} tangents for {inputs.Length} inputs.");
        for (int i = 0; i < v.Length; i++)
            if (!v[i].Shape.SequenceEqual(inputs[i].Shape))
                throw new ArgumentException($"Jvp: tangent {i} of shape {ShapeUtil.Format(v[i].Dims)} does not match input {i} of shape {ShapeUtil.Format(inputs[i].Dims)}.");
        var xs = Leaves("Jvp", function, inputs);
        var y = Call("Jvp", function, xs);
        if (!y.RequiresGrad) return (y.Detach(), Tensor.ZerosLike(y));
        var u = Tensor.Zeros(y.Dims, y.DType).RequireGrad();
        var jtu = Autodiff.Grad([y], xs, [u], createGraph: true, allowUnused: true);
        Tensor? inner = null;
        for (int i = 0; i < xs.Length; i++)
            if (jtu[i] is { } g)
            {
                var term = (g * v[i].To(g.DType)).Sum();
                inner = inner is null ? term : inner + term;
            }
        if (inner is null || !inner.RequiresGrad) return (y.Detach(), Tensor.ZerosLike(y));
        var jv = Autodiff.Grad([inner], [u], createGraph: createGraph, allowUnused: true)[0] ?? Tensor.ZerosLike(y);
        return (createGraph ? y : y.Detach(), jv);
    }

    /// <summary>The Jacobian of f with respect to each input: a tensor of shape f(x).Shape ++ input.Shape per input.</summary>
    /// <param name="function">The function to differentiate; it gets fresh leaf copies of the inputs.</param>
    /// <param name="inputs">The points to differentiate at, float32 or float64; they are not modified and need not require grad.</param>
    /// <param name="createGraph">Record the computation of the results, so they can be differentiated again; otherwise they are detached.</param>
    /// <returns>One Jacobian per input, of shape f(x).Shape ++ input.Shape and the input's dtype.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">An input is int64.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static Tensor[] Jacobian(Func<Tensor[], Tensor> function, Tensor[] inputs, bool createGraph = false)
    {
        var xs = Leaves("Jacobian", function, inputs);
        var y = Call("Jacobian", function, xs);
        var rows = xs.Select(_ => new List<Tensor>()).ToArray();
        for (int o = 0; o < y.NumElements; o++)
        {
            var seed = Tensor.Zeros(y.Dims, y.DType);
            seed.Write(o, 1);
            var g = y.RequiresGrad
                ? OrZeros(Autodiff.Grad([y], xs, [seed], createGraph: createGraph, retainGraph: true, allowUnused: true), xs)
                : xs.Select(Tensor.ZerosLike).ToArray();
            for (int i = 0; i < xs.Length; i++) rows[i].Add(g[i]);
        }
        return xs.Select((x, i) => y.NumElements == 0
            ? Tensor.Zeros([.. y.Dims, .. x.Dims], x.DType)
            : Tensor.Stack(rows[i].ToArray()).Reshape([.. y.Dims, .. x.Dims])).ToArray();
    }

    /// <summary>The Jacobian of a function of one tensor.</summary>
    /// <param name="function">The function to differentiate; it gets a fresh leaf copy of the input.</param>
    /// <param name="input">The point to differentiate at, float32 or float64; it is not modified and need not require grad.</param>
    /// <param name="createGraph">Record the computation of the results, so they can be differentiated again; otherwise they are detached.</param>
    /// <returns>The Jacobian, of shape f(x).Shape ++ input.Shape and the input's dtype.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is int64.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static Tensor Jacobian(Func<Tensor, Tensor> function, Tensor input, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(input);
        return Jacobian(xs => function(xs[0]), [input], createGraph)[0];
    }

    /// <summary>The Hessian of a scalar function of one tensor: shape input.Shape ++ input.Shape.</summary>
    /// <param name="function">The function to differentiate; it gets a fresh leaf copy of the input.</param>
    /// <param name="input">The point to differentiate at, float32 or float64; it is not modified and need not require grad.</param>
    /// <returns>The Hessian, of shape input.Shape ++ input.Shape and the input's dtype, not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is int64, or <paramref name="function"/> returns more than one element.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static Tensor Hessian(Func<Tensor, Tensor> function, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(input);
        return Hessian(xs => function(xs[0]), [input])[0][0];
    }

    /// <summary>
    /// The Hessian of a scalar function of several tensors, in blocks: H[i][j] = ∂²f/∂xᵢ∂xⱼ, of shape
    /// inputs[i].Shape ++ inputs[j].Shape (PyTorch's torch.autograd.functional.hessian with a tuple of inputs). A block
    /// that f does not depend on is zero.
    /// </summary>
    /// <param name="function">The function to differentiate; it gets fresh leaf copies of the inputs.</param>
    /// <param name="inputs">The points to differentiate at, float32 or float64; they are not modified and need not require grad.</param>
    /// <returns>The blocks H[i][j], each of shape inputs[i].Shape ++ inputs[j].Shape, not recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">An input is int64, or <paramref name="function"/> returns more than one element.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static Tensor[][] Hessian(Func<Tensor[], Tensor> function, Tensor[] inputs)
    {
        var xs = Leaves("Hessian", function, inputs);
        var blocks = new Tensor[xs.Length][];
        // Row i is the Jacobian of ∂f/∂xᵢ with respect to every input.
        for (int i = 0; i < xs.Length; i++)
        {
            int row = i;
            blocks[i] = Jacobian(v => Gradient(function, v, row), xs);
        }
        return blocks;
    }

    private static Tensor Gradient(Func<Tensor[], Tensor> function, Tensor[] xs, int i)
    {
        var y = Call("Hessian", function, xs);
        RequireScalar(y, "Hessian");
        return y.RequiresGrad ? Autodiff.Grad([y], [xs[i]], createGraph: true, allowUnused: true)[0] ?? Tensor.ZerosLike(xs[i]) : Tensor.ZerosLike(xs[i]);
    }

    /// <summary>Computes f(x) and the Hessian-vector product (∂²f/∂x²)·v for a scalar f, by differentiating ⟨∇f, v⟩.</summary>
    /// <param name="function">The function to differentiate; it gets fresh leaf copies of the inputs.</param>
    /// <param name="inputs">The points to differentiate at, float32 or float64; they are not modified and need not require grad.</param>
    /// <param name="v">The vectors, one per input, each of its input's shape.</param>
    /// <param name="createGraph">Record the computation of the results, so they can be differentiated again; otherwise they are detached.</param>
    /// <returns>The output f(x) and one product per input, of its shape and dtype (zeros where f does not depend on it).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/>, <paramref name="v"/> or one of their elements is null.</exception>
    /// <exception cref="ArgumentException">An input is int64, the vectors differ from the inputs in number or shape, or <paramref name="function"/> returns more than one element.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null.</exception>
    public static (Tensor Output, Tensor[] Hvp) Hvp(Func<Tensor[], Tensor> function, Tensor[] inputs, Tensor[] v, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(v);
        CheckNoNulls("Hvp", inputs, v);
        if (v.Length != inputs.Length)
            throw new ArgumentException($"Hvp: got {v.Length} vectors for {inputs.Length} inputs.");
        var xs = Leaves("Hvp", function, inputs);
        var y = Call("Hvp", function, xs);
        RequireScalar(y, "Hvp");
        if (!y.RequiresGrad) return (y.Detach(), xs.Select(Tensor.ZerosLike).ToArray());
        var g = Autodiff.Grad([y], xs, createGraph: true, allowUnused: true);
        Tensor? inner = null;
        for (int i = 0; i < xs.Length; i++)
        {
            if (!v[i].Shape.SequenceEqual(xs[i].Shape))
                throw new ArgumentException($"Hvp: vector {i} of shape {ShapeUtil.Format(v[i].Dims)} does not match input {i} of shape {ShapeUtil.Format(xs[i].Dims)}.");
            if (g[i] is { } gi && gi.RequiresGrad)
            {
                var term = (gi * v[i].To(gi.DType)).Sum();
                inner = inner is null ? term : inner + term;
            }
        }
        if (inner is null) return (y.Detach(), xs.Select(Tensor.ZerosLike).ToArray());
        var hv = Autodiff.Grad([inner], xs, createGraph: createGraph, allowUnused: true);
        return (createGraph ? y : y.Detach(), OrZeros(hv, xs));
    }

    // Null inputs and tangents, named by position, before the tangents' shapes are compared with the inputs'.
    private static void CheckNoNulls(string op, Tensor[] inputs, Tensor[] v)
    {
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{op}: input {i} is null.");
        for (int i = 0; i < v.Length; i++)
            if (v[i] is null) throw new ArgumentNullException(nameof(v), $"{op}: {(op == "Jvp" ? "tangent" : "vector")} {i} is null.");
    }

    private static void RequireScalar(Tensor y, string op)
    {
        if (y.NumElements != 1)
            throw new ArgumentException($"{op}: the function must return a single element, got shape {ShapeUtil.Format(y.Dims)}.");
    }
}
