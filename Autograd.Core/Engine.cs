namespace Autograd;

/// <summary>
/// Reverse-mode sweep. Sorts the graph above the outputs topologically with an explicit stack (no recursion,
/// so million-op chains are fine), then visits nodes outputs-first: each node's pending gradient is the sum of
/// what every consumer sent it — Δ(h, o) = Σ_{h→h'} Φ'(a_h')·w·Δ(h', o), seed 000 eq. 1.25–1.27 — and its
/// backward rule sends its inputs their shares.
/// </summary>
internal static class Engine
{
    private static int s_stamp;

    /// <summary>
    /// Runs backward from <paramref name="outputs"/> seeded with <paramref name="seeds"/>. With
    /// <paramref name="inputs"/> null, gradients accumulate into the leaves' <see cref="Tensor.Grad"/>; otherwise
    /// the gradients of <paramref name="inputs"/> are returned and no <see cref="Tensor.Grad"/> changes.
    /// </summary>
    public static Tensor?[]? Run(Tensor[] outputs, Tensor[] seeds, bool retainGraph, bool createGraph, Tensor[]? inputs, bool allowUnused)
    {
        using var mode = new NoGradScope(createGraph);
        int stamp = Interlocked.Increment(ref s_stamp);
        var order = TopologicalOrder(outputs, stamp);
        try
        {
            return Sweep(order, outputs, seeds, retainGraph, createGraph, inputs, allowUnused);
        }
        finally
        {
            // The list is kept for the next pass on this thread (a nested pass takes a list of its own).
            order.Clear();
            if (order.Capacity <= MaxPooledNodes) t_order = order;
        }
    }

    private static Tensor?[]? Sweep(List<Function> order, Tensor[] outputs, Tensor[] seeds, bool retainGraph, bool createGraph, Tensor[]? inputs, bool allowUnused)
    {
        var wanted = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var wantedFns = new Dictionary<Function, int>(ReferenceEqualityComparer.Instance);
        Tensor?[]? results = null;
        if (inputs is not null)
        {
            results = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                if (!inputs[i].RequiresGrad)
                    throw new ArgumentException($"Grad: input {i} (shape {ShapeUtil.Format(inputs[i].Dims)}) does not require grad.");
                if (inputs[i].GradFn is { } f) wantedFns.TryAdd(f, i);
                else wanted.TryAdd(inputs[i], i);
            }
        }

        // Each leaf's gradient is summed over the whole pass first, so that its hooks see the total, as in PyTorch.
        var leafGrads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var leafOrder = new List<Tensor>();

        void Deliver(Tensor target, Tensor g)
        {
            if (target.GradFn is { } fn)
            {
                fn.PendingGrad = fn.PendingGrad is null ? g : fn.PendingGrad + g;
            }
            else if (results is null || wanted.ContainsKey(target))
            {
                if (leafGrads.TryGetValue(target, out var sum)) leafGrads[target] = sum + g;
                else
                {
                    leafGrads[target] = g;
                    leafOrder.Add(target);
                }
            }
        }

        void Accept(Function fn, int k, Tensor? gk)
        {
            var input = fn.Inputs[k];
            if (gk is null || !input.RequiresGrad) return;
            if (!ShapeUtil.SameShape(gk.Dims, input.Dims) || gk.DType != input.DType)
                throw new InvalidOperationException(
                    $"{fn.Name}: backward produced a gradient of shape {ShapeUtil.Format(gk.Dims)} ({gk.DType.Name()}) for input {k} of shape {ShapeUtil.Format(input.Dims)} ({input.DType.Name()}).");
            if (fn.CreationSite is not null) Anomaly.CheckBackward(fn, k, gk);
            Deliver(input, gk);
        }

        try
        {
            for (int i = 0; i < outputs.Length; i++)
                if (outputs[i].RequiresGrad) Deliver(outputs[i], seeds[i]);

            foreach (var fn in order)
            {
                var g = fn.PendingGrad;
                fn.PendingGrad = null;
                if (g is null) continue;
                if (fn.Hooks is not null) g = Hooks.Run(fn.Hooks, g, fn.Name);
                if (results is null && fn.Retained is { } retained)
                    using (BufferScope.Suspend()) Accumulate(retained, g, createGraph);
                if (results is not null && wantedFns.TryGetValue(fn, out int w)) results[w] = g;
                // A one-input primitive hands over its gradient without an array (most nodes of long scalar chains).
                if (fn is Ops.UnaryFunction unary && fn.Inputs.Length == 1) Accept(fn, 0, unary.RunInputGrad(g));
                else
                {
                    var grads = fn.RunBackward(g)
                        ?? throw new InvalidOperationException($"{fn.Name}: backward returned null instead of {fn.Inputs.Length} gradients (one per input, null where none).");
                    if (grads.Length != fn.Inputs.Length)
                        throw new InvalidOperationException($"{fn.Name}: backward returned {grads.Length} gradients for {fn.Inputs.Length} inputs.");
                    for (int k = 0; k < grads.Length; k++) Accept(fn, k, grads[k]);
                }
                if (!retainGraph) fn.Release();
            }

            // .Grad outlives any BufferScope: it is allocated outside the pool, and accumulated in place when nothing is
            // recorded (as PyTorch's AccumulateGrad), so a step that keeps its gradients zeroed allocates nothing here.
            using var persistent = BufferScope.Suspend();
            foreach (var leaf in leafOrder)
            {
                var g = leafGrads[leaf];
                if (leaf.Hooks is not null) g = Hooks.Run(leaf.Hooks, g, "leaf");
                if (results is not null) results[wanted[leaf]] = g;
                else Accumulate(leaf, g, createGraph);
            }
        }
        finally
        {
            foreach (var fn in order)
            {
                fn.PendingGrad = null;
                // Nodes that no gradient reached (e.g. feeding only a condition) are released too.
                if (!retainGraph) fn.Release();
            }
        }

        if (results is not null && !allowUnused)
        {
            for (int i = 0; i < results.Length; i++)
                if (results[i] is null)
                    throw new InvalidOperationException(
                        $"Grad: input {i} (shape {ShapeUtil.Format(inputs![i].Dims)}) was not used to compute the outputs; pass allowUnused: true to get null for it.");
        }
        return results;
    }

    // .Grad of a leaf, or of a tensor that called RetainGrad. A fresh tensor first, so later in-place updates of .Grad
    // never write into a caller's seed or another node's gradient; without createGraph the pass runs under no-grad, so
    // neither the copy nor the sum is recorded.
    private static void Accumulate(Tensor t, Tensor g, bool createGraph)
    {
        if (t.Grad is null) t.Grad = g.Clone();
        else if (!createGraph && !t.Grad.RequiresGrad && !g.RequiresGrad && t.Grad.IsContiguous) t.Grad.AddInPlace(g);
        else t.Grad = t.Grad + g;
    }

    /// <summary>Nodes reachable from the outputs, each after every node that consumes its output.</summary>
    /// <summary>Lists kept between passes on a thread, so a pass over a long chain allocates no order or stack.</summary>
    [ThreadStatic] private static List<Function>? t_order;
    [ThreadStatic] private static List<(Function Fn, int Next)>? t_stack;
    private const int MaxPooledNodes = 1 << 16;

    private static List<Function> TopologicalOrder(Tensor[] outputs, int stamp)
    {
        var post = t_order ?? new List<Function>();
        t_order = null;
        var stack = t_stack ?? new List<(Function Fn, int Next)>();
        t_stack = null;
        foreach (var o in outputs)
        {
            if (o.GradFn is not { } root || root.VisitStamp == stamp) continue;
            root.VisitStamp = stamp;
            stack.Add((root, 0));
            while (stack.Count > 0)
            {
                var (fn, next) = stack[^1];
                if (next < fn.Inputs.Length)
                {
                    stack[^1] = (fn, next + 1);
                    if (fn.Inputs[next].GradFn is { } child && child.VisitStamp != stamp)
                    {
                        child.VisitStamp = stamp;
                        stack.Add((child, 0));
                    }
                }
                else
                {
                    stack.RemoveAt(stack.Count - 1);
                    post.Add(fn);
                }
            }
        }
        if (stack.Capacity <= MaxPooledNodes) t_stack = stack;
        post.Reverse();
        return post;
    }
}

/// <summary>Entry points of the autodiff engine that are not methods of a tensor.</summary>
public static class Autodiff
{
    /// <summary>Whether ops on the current thread record onto the graph.</summary>
    public static bool IsGradEnabled => GradMode.IsEnabled;

    /// <summary>Begins a scope in which ops record nothing: <c>using (Autodiff.NoGrad()) { … }</c>.</summary>
    public static NoGradScope NoGrad() => new(false);

    /// <summary>Begins a scope in which ops record again, inside a <see cref="NoGrad"/> scope.</summary>
    public static NoGradScope EnableGrad() => new(true);

    /// <summary>
    /// Begins anomaly detection on this thread: each recorded op notes the source line that created it (slow), and
    /// the first op whose forward or backward produces NaN or ±∞ throws an <see cref="InvalidOperationException"/>
    /// naming the op and that line.
    /// </summary>
    public static AnomalyScope DetectAnomaly() => new();

    /// <summary>Whether anomaly detection is on for this thread.</summary>
    public static bool IsAnomalyEnabled => Anomaly.IsEnabled;

    /// <summary>
    /// Computes the gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// (PyTorch's torch.autograd.grad), without touching any <see cref="Tensor.Grad"/>.
    /// </summary>
    /// <param name="outputs">Tensors to differentiate.</param>
    /// <param name="inputs">Tensors that require grad; leaves or intermediate results.</param>
    /// <param name="gradOutputs">Seeds of the outputs' shapes; may be null for one-element outputs.</param>
    /// <param name="createGraph">Record the backward pass, so the returned gradients can be differentiated again.</param>
    /// <param name="retainGraph">Keep saved tensors for another pass; defaults to <paramref name="createGraph"/>.</param>
    /// <param name="allowUnused">Return null for an input the outputs do not depend on, instead of throwing.</param>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? gradOutputs = null, bool createGraph = false,
        bool? retainGraph = null, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i] is null) throw new ArgumentNullException(nameof(outputs), $"Grad: output {i} is null.");
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"Grad: input {i} is null.");
        var seeds = Tensor.Seeds("Grad", outputs, gradOutputs);
        return Engine.Run(outputs, seeds, retainGraph ?? createGraph, createGraph, inputs, allowUnused)!;
    }

    /// <summary>The gradient of one output with respect to one input; see <see cref="Grad(Tensor[], Tensor[], Tensor?[], bool, bool?, bool)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false, bool? retainGraph = null) =>
        Grad([output], [input], [gradOutput], createGraph, retainGraph)[0]!;
}
