using System.Runtime.CompilerServices;

namespace Autograd;

/// <summary>
/// Reverse-mode sweep. Sorts the graph above the outputs topologically with an explicit stack (no recursion,
/// so million-op chains are fine), then visits nodes outputs-first: each node's pending gradient is the sum of
/// what every consumer sent it — Δ(h, o) = Σ_{h→h'} Φ'(a_h')·w·Δ(h', o), lecture notes eq. 1.25–1.27 — and its
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
        using var mode = new GradModeScope(createGraph);
        // A pass nested in a hook of another (a backward inside a hook) keeps its own callbacks; the outer ones wait for the outer pass.
        var outerCallbacks = t_callbacks;
        t_callbacks = null;
        t_passDepth++;
        try
        {
            var results = Sweep(Roles(outputs), seeds, retainGraph, createGraph, inputs is null ? null : Roles(inputs), allowUnused);
            // Callbacks queued by callbacks run too, in the order queued.
            for (int i = 0; t_callbacks is { } queued && i < queued.Count; i++) queued[i]();
            return results;
        }
        finally
        {
            t_passDepth--;
            t_callbacks = outerCallbacks;
        }
    }

    // The backward passes running on this thread (nested ones count), and the callbacks queued for the innermost.
    [ThreadStatic] private static int t_passDepth;
    [ThreadStatic] private static List<Action>? t_callbacks;

    /// <summary>Queues <paramref name="callback"/> to run when the innermost backward pass on this thread has accumulated every gradient.</summary>
    public static void QueueCallback(Action callback)
    {
        if (t_passDepth == 0)
            throw new InvalidOperationException(
                "QueueCallback: no backward pass is running on this thread; call it from a gradient hook, during Backward() or Autodiff.Grad().");
        (t_callbacks ??= []).Add(callback);
    }

    // Registered post-accumulate-grad hooks over all tensors: while none is, a pass does not count the leaves' consumers.
    private static int s_postAccumulateHooks;

    internal static void PostAccumulateHookAdded() => Interlocked.Increment(ref s_postAccumulateHooks);

    internal static void PostAccumulateHookRemoved() => Interlocked.Decrement(ref s_postAccumulateHooks);

    // For each leaf with post-accumulate-grad hooks, how many nodes of the order take it as an input (once per input slot).
    private static Dictionary<Tensor, int>? LeafConsumers(NodeList order)
    {
        Dictionary<Tensor, int>? waits = null;
        for (int n = 0; n < order.Count; n++)
        {
            var fn = order[n];
            for (int k = 0, count = fn.InputCount; k < count; k++)
            {
                var input = fn.Input(k);
                if (input.GradFn is not null || input.PostAccumulateGradHooks is null) continue;
                waits ??= new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
                waits[input] = waits.TryGetValue(input, out int c) ? c + 1 : 1;
            }
        }
        return waits;
    }

    // A tensor written in place by a recorded op is differentiated as that write's output (its graph role now).
    private static Tensor[] Roles(Tensor[] tensors)
    {
        foreach (var t in tensors)
            if (t.IsRebased) return Array.ConvertAll(tensors, x => x.Role);
        return tensors;
    }

    private static Tensor?[]? Sweep(Tensor[] outputs, Tensor[] seeds, bool retainGraph, bool createGraph, Tensor[]? inputs, bool allowUnused)
    {
        Dictionary<Tensor, int>? wanted = null;
        Dictionary<Function, int>? wantedFns = null;
        Tensor?[]? results = null;
        if (inputs is not null)
        {
            wanted = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
            wantedFns = new Dictionary<Function, int>(ReferenceEqualityComparer.Instance);
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
            // A constant that a recorded in-place write rebased: the ops recorded before the write saw no gradient there.
            else if (target.IsRebased) return;
            else if (results is null || wanted!.ContainsKey(target))
            {
                if (leafGrads.TryGetValue(target, out var sum)) leafGrads[target] = sum + g;
                else
                {
                    leafGrads[target] = g;
                    leafOrder.Add(target);
                }
            }
        }

        // A leaf's gradient is accumulated into .Grad and its post-accumulate hooks run; at the end of the pass, or, for a leaf
        // with such hooks, as soon as every node that takes it as an input has run (so that they can start work, such as
        // communication, while the rest of the pass runs).
        void FinishLeaf(Tensor leaf)
        {
            if (!leafGrads.Remove(leaf, out var g)) return;
            if (leaf.Hooks is not null) g = Hooks.Run(leaf.Hooks, g, "leaf");
            if (results is not null) results[wanted![leaf]] = g;
            else
            {
                Accumulate(leaf, g, createGraph);
                if (leaf.PostAccumulateGradHooks is { } post)
                    foreach (var hook in post.ToArray()) hook(leaf);
            }
        }

        Dictionary<Tensor, int>? leafWaits = null;

        void Ran(Function fn)
        {
            for (int k = 0, count = fn.InputCount; k < count; k++)
            {
                var input = fn.Input(k);
                if (!leafWaits!.TryGetValue(input, out int c)) continue;
                if (c > 1) leafWaits[input] = c - 1;
                else
                {
                    leafWaits.Remove(input);
                    using (BufferScope.Suspend()) FinishLeaf(input);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Accept(Function fn, int k, Tensor input, Tensor? gk)
        {
            if (gk is null || !input.RequiresGrad) return;
            // 0-d tensors share one empty shape array, so long scalar chains skip the comparison.
            if ((!ReferenceEquals(gk.Dims, input.Dims) && !ShapeUtil.SameShape(gk.Dims, input.Dims)) || gk.DType != input.DType)
                throw WrongGradient(fn, k, input, gk);
            if (fn.HasRare && fn.CreationSite is not null) Anomaly.CheckBackward(fn, k, gk);
            if (input.GradFn is { } next && next.PendingGrad is null) next.PendingGrad = gk;
            else Deliver(input, gk);
        }

        // owned: the gradient the previous node of the path handed on, when only the engine holds it (Function.RunInputGrad
        // states the rule); a hook, a retained gradient or a wanted result makes it visible, so this node may not overwrite
        // it. Set to what this node hands on when that is so.
        void Visit(Function fn, Tensor g, ref Tensor? owned)
        {
            bool isOwned = owned is not null && ReferenceEquals(owned, g);
            owned = null;
            fn.PendingGrad = null;
            if (fn.HasRare)
            {
                isOwned = false;
                if (fn.Hooks is not null) g = Hooks.Run(fn.Hooks, g, fn.Name);
                if (results is null && fn.Retained is { } retained)
                    using (BufferScope.Suspend()) Accumulate(retained, g, createGraph);
            }
            if (results is not null && wantedFns!.TryGetValue(fn, out int w))
            {
                isOwned = false;
                results[w] = g;
            }
            // A one-input node hands over its gradient without an array where its op allows (most nodes of long scalar chains).
            if (fn.IsSingleInput)
            {
                var gk = fn.RunInputGrad(g, ref isOwned);
                if (isOwned) owned = gk;
                Accept(fn, 0, fn.Input(0), gk);
            }
            else
            {
                var grads = fn.RunBackward(g);
                for (int k = 0; k < grads.Length; k++) Accept(fn, k, fn.Input(k), grads[k]);
            }
            if (!retainGraph) fn.Release();
        }

        // With one output, the nodes from its producer down through one-input nodes form a path that nothing else in the
        // graph consumes (a consumer would have to lie below the path, which would make a cycle): each one's gradient is
        // complete when its turn comes, so they are swept in that order without sorting, each handing the next a gradient
        // it may overwrite (see Function.RunInputGrad). The rest of the graph, from the first node with several inputs (or
        // no gradient), is sorted and swept as usual. Both are for long 0-d chains, and both are measured: without the
        // overwritten gradient a 0-d op took 1.16× as long (probe-scalar's tensor0d_op_ns, builds run in turn; 182 → 237
        // B per op), with one sorted sweep and no overwriting 1.4×, against a ~10% spread between runs.
        Function? rest = null;
        void SweepPath()
        {
            rest = outputs[0].GradFn;
            Tensor? owned = null;
            while (rest is not null && rest.IsSingleInput && rest.PendingGrad is { } g)
            {
                // Advanced only after the visit, so that the final sweep after a throwing rule starts from that node.
                Visit(rest, g, ref owned);
                rest = rest.Input(0).GradFn;
            }
        }

        NodeList? order = null;
        // Set once every node was visited with a gradient: then none is left to clear or release in the final sweep.
        bool allSwept = false;
        try
        {
            for (int i = 0; i < outputs.Length; i++)
                if (outputs[i].RequiresGrad) Deliver(outputs[i], seeds[i]);

            if (outputs.Length == 1)
            {
                SweepPath();
                if (rest is not null) order = TopologicalOrder(rest, null);
            }
            else order = TopologicalOrder(null, outputs);
            if (results is null && order is not null && Volatile.Read(ref s_postAccumulateHooks) > 0) leafWaits = LeafConsumers(order);

            bool skipped = false;
            // The order is post-order: outputs come last, so it is walked from the end.
            for (int n = (order?.Count ?? 0) - 1; n >= 0; n--)
            {
                var fn = order![n];
                Tensor? none = null;
                if (fn.PendingGrad is { } g) Visit(fn, g, ref none);
                else skipped = true;
                if (leafWaits is not null) Ran(fn);
            }
            allSwept = !skipped;

            // .Grad outlives any BufferScope: it is allocated outside the pool, and accumulated in place when nothing is
            // recorded (as PyTorch's AccumulateGrad), so a step that keeps its gradients zeroed allocates nothing here.
            using var persistent = BufferScope.Suspend();
            foreach (var leaf in leafOrder) FinishLeaf(leaf);
        }
        finally
        {
            if (!allSwept)
            {
                // A rule threw (on the path or after it), or some node got no gradient: clear and release the rest.
                if (order is null && rest is not null) order = TopologicalOrder(rest, null);
                for (int n = (order?.Count ?? 0) - 1; n >= 0; n--)
                {
                    var fn = order![n];
                    fn.PendingGrad = null;
                    // Nodes that no gradient reached (e.g. feeding only a condition) are released too.
                    if (!retainGraph) fn.Release();
                }
            }
            if (order is not null)
            {
                // The list is kept for the next pass on this thread (a nested pass takes a list of its own).
                order.Clear();
                if (order.Capacity <= MaxPooledNodes) t_order = order;
            }
        }

        // An input given more than once was swept once, under its first position: the others get the same gradient, as PyTorch.
        if (results is not null)
            for (int i = 0; i < results.Length; i++)
            {
                int first = inputs![i].GradFn is { } f ? wantedFns![f] : wanted![inputs[i]];
                if (first != i) results[i] = results[first];
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
        if (t.StoredGrad is not { } grad) t.StoredGrad = createGraph ? g.Clone() : t.NewGrad(g);
        else if (!createGraph && !grad.RequiresGrad && !g.RequiresGrad && grad.IsContiguous) grad.AddInPlace(g);
        else t.StoredGrad = grad + g;
    }

    private static InvalidOperationException WrongGradient(Function fn, int k, Tensor input, Tensor gk) => new(
        $"{fn.Name}: backward produced a gradient of shape {ShapeUtil.Format(gk.Dims)} ({gk.DType.Name()}) for input {k} of shape {ShapeUtil.Format(input.Dims)} ({input.DType.Name()}).");

    /// <summary>A list of nodes without the covariance check that storing into a <c>Function[]</c> costs.</summary>
    private sealed class NodeList
    {
        private Slot[] _items = new Slot[16];

        public int Count;

        public int Capacity => _items.Length;

        private struct Slot
        {
            public Function Fn;
            public int Next;
        }

        public Function this[int i] => _items[i].Fn;

        public ref int NextOf(int i) => ref _items[i].Next;

        public void Add(Function fn)
        {
            if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
            _items[Count].Fn = fn;
            _items[Count].Next = 0;
            Count++;
        }

        public void Pop() => _items[--Count].Fn = null!;

        public void Clear()
        {
            Array.Clear(_items, 0, Count);
            Count = 0;
        }
    }

    /// <summary>Lists kept between passes on a thread, so a pass over a long chain allocates no order or stack.</summary>
    [ThreadStatic] private static NodeList? t_order;
    [ThreadStatic] private static NodeList? t_stack;
    private const int MaxPooledNodes = 1 << 16;

    /// <summary>
    /// Nodes reachable from <paramref name="root"/>, or from the producers of <paramref name="outputs"/>, in post-order:
    /// each before every node that consumes its output.
    /// </summary>
    private static NodeList TopologicalOrder(Function? root, Tensor[]? outputs)
    {
        int stamp = Interlocked.Increment(ref s_stamp);
        var post = t_order ?? new NodeList();
        t_order = null;
        var stack = t_stack ?? new NodeList();
        t_stack = null;
        for (int r = 0; r < (outputs?.Length ?? 1); r++)
        {
            if (outputs is not null) root = outputs[r].GradFn;
            if (root is null || root.VisitStamp == stamp) continue;
            root.VisitStamp = stamp;
            stack.Add(root);
            while (stack.Count > 0)
            {
                int top = stack.Count - 1;
                var fn = stack[top];
                ref int next = ref stack.NextOf(top);
                if (fn.IsSingleInput)
                {
                    // Its one input is looked at once: on the first visit, and the node is done on the second.
                    if (next == 0)
                    {
                        next = 1;
                        if (fn.Input(0).GradFn is { } child && child.VisitStamp != stamp)
                        {
                            child.VisitStamp = stamp;
                            stack.Add(child);
                        }
                        continue;
                    }
                }
                else if (next < fn.InputCount)
                {
                    int k = next++;
                    if (fn.Input(k).GradFn is { } child && child.VisitStamp != stamp)
                    {
                        child.VisitStamp = stamp;
                        stack.Add(child);
                    }
                    continue;
                }
                stack.Pop();
                post.Add(fn);
            }
        }
        if (stack.Capacity <= MaxPooledNodes) t_stack = stack;
        return post;
    }
}

/// <summary>Entry points of the autodiff engine that are not methods of a tensor.</summary>
public static class Autodiff
{
    /// <summary>Whether ops on the current thread record onto the graph.</summary>
    public static bool IsGradEnabled => GradMode.IsEnabled;

    /// <summary>
    /// Queues <paramref name="callback"/> to run once the backward pass running on this thread has accumulated every
    /// gradient, before <see cref="Tensor.Backward(Tensor?, bool, bool)"/> or <see cref="Grad(Tensor[], Tensor[], Tensor?[], bool, bool?, bool)"/>
    /// returns (PyTorch's <c>Variable._execution_engine.queue_callback</c>). Call it from a gradient hook; callbacks run
    /// in the order queued, including those queued by a callback, and not at all when the pass throws.
    /// </summary>
    /// <param name="callback">The action to run at the end of the pass.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No backward pass is running on this thread.</exception>
    public static void QueueCallback(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        Engine.QueueCallback(callback);
    }

    /// <summary>Begins a scope in which ops record nothing: <c>using (Autodiff.NoGrad()) { … }</c>.</summary>
    /// <returns>A scope that restores the previous grad mode when disposed.</returns>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Begins a scope in which ops record again, inside a <see cref="NoGrad"/> scope.</summary>
    /// <returns>A scope that restores the previous grad mode when disposed.</returns>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>Begins a scope in which ops record when <paramref name="enabled"/> is true and record nothing when it is false (PyTorch's <c>torch.set_grad_enabled</c>).</summary>
    /// <param name="enabled">Whether ops inside the scope record onto the graph.</param>
    /// <returns>The scope; dispose it (<c>using</c>) to restore the previous mode.</returns>
    public static GradModeScope SetGradEnabled(bool enabled) => new(enabled);

    /// <summary>
    /// Begins anomaly detection on this thread: each recorded op notes the source line that created it (slow), and
    /// the first op whose forward or backward produces NaN or ±∞ throws an <see cref="InvalidOperationException"/>
    /// naming the op and that line.
    /// </summary>
    /// <returns>A scope that restores the previous anomaly mode when disposed.</returns>
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
    /// <returns>One gradient per input, of its shape and dtype, in the order of <paramref name="inputs"/>; null for an unused input when <paramref name="allowUnused"/> is set. Recorded for autograd when <paramref name="createGraph"/> is set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outputs"/>, <paramref name="inputs"/> or one of their elements is null.</exception>
    /// <exception cref="ArgumentException">An input does not require grad, the number of seeds differs from the number of outputs, or a seed's shape differs from its output's.</exception>
    /// <exception cref="InvalidOperationException">An output does not require grad, an output of more than one element has no seed, an input is unused and <paramref name="allowUnused"/> is not set, or the graph was already released by a backward without <paramref name="retainGraph"/>.</exception>
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
    /// <param name="output">The tensor to differentiate.</param>
    /// <param name="input">A tensor that requires grad; a leaf or an intermediate result.</param>
    /// <param name="gradOutput">The seed, of <paramref name="output"/>'s shape; may be null for a one-element output.</param>
    /// <param name="createGraph">Record the backward pass, so the returned gradient can be differentiated again.</param>
    /// <param name="retainGraph">Keep saved tensors for another pass; defaults to <paramref name="createGraph"/>.</param>
    /// <returns>The gradient, of <paramref name="input"/>'s shape and dtype; recorded for autograd when <paramref name="createGraph"/> is set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not require grad, or <paramref name="gradOutput"/> has another shape than <paramref name="output"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="output"/> does not require grad, has more than one element and no seed, does not depend on <paramref name="input"/>, or its graph was already released.</exception>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false, bool? retainGraph = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        return Grad([output], [input], [gradOutput], createGraph, retainGraph)[0]!;
    }
}
