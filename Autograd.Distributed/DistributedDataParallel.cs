using System.Globalization;
using System.Text;
using Autograd.Nn;

namespace Autograd.Distributed;

/// <summary>
/// Data-parallel training (PyTorch's <c>torch.nn.parallel.DistributedDataParallel</c>): every rank holds a replica of
/// <see cref="Module"/>, runs it on its own micro-batch, and during <c>Backward()</c> the gradients are averaged over
/// the ranks, so that after the pass every rank's <see cref="Tensor.Grad"/> holds the same mean and the same optimizer
/// step keeps the replicas equal.
/// </summary>
/// <remarks>
/// <para>
/// At construction every rank checks that all ranks have the same parameters and buffers (names, shapes, dtypes) and
/// the same <see cref="BucketCapMB"/> and <see cref="FindUnusedParameters"/>, then takes rank 0's parameter and
/// buffer values. The parameters that require grad are grouped into buckets of about <see cref="BucketCapMB"/>
/// megabytes (<see cref="Buckets"/>); each bucket's all-reduce starts from the gradient hooks
/// (<see cref="Tensor.RegisterPostAccumulateGradHook"/>) as soon as all its gradients are accumulated, while the rest
/// of the backward pass runs, and every all-reduce is waited for and the averages written back before
/// <c>Backward()</c> returns (<see cref="Autodiff.QueueCallback"/>).
/// </para>
/// <para>
/// The average is the sum computed by the process group's reduction divided by the world size, rounded once:
/// <c>fl(fl(Σ g_r) / N)</c> in the parameter's dtype. PyTorch instead scales each gradient by 1/N before summing.
/// With 2 ranks the sum is one correctly rounded addition, so the result is bitwise the mean a single process would
/// compute as <c>(g₀ + g₁) / 2</c>; with more ranks it depends on the reduction's order of additions (fixed for a
/// given MPI library, world size and message size).
/// </para>
/// <para>
/// Every rank must construct the wrapper, run <see cref="Forward"/> and <c>Backward()</c> the same number of times, in
/// the same order: the collectives pair up across ranks.
/// </para>
/// </remarks>
public sealed class DistributedDataParallel : Module, IDisposable
{
    private const string Op = "DistributedDataParallel";

    // PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES: the bucket of the first parameters (reduced last) is kept small, so
    // that little communication is left once the backward pass ends.
    private const long FirstBucketBytes = 1024 * 1024;

    private readonly ProcessGroup _group;
    private readonly string[] _names;
    private readonly Parameter[] _params;
    private readonly Bucket[] _buckets;
    // Per trainable parameter: its bucket and its offset in the bucket's buffer.
    private readonly int[] _bucketOf;
    private readonly int[] _offsetOf;
    private readonly IDisposable[] _hooks;
    private readonly bool _broadcastBuffers;

    // The state of one backward pass: whether its hooks reduce, which parameters' gradients are in their buckets, the
    // next bucket to start (buckets start in order on every rank, so their collectives pair up), whether the end-of-pass
    // callback is queued.
    private bool _expectHooks;
    private readonly bool[] _ready;
    private int _nextBucket;
    private bool _callbackQueued;
    private bool _noSync;
    private bool _syncBuffersBeforeForward = true;
    private bool _disposed;

    /// <summary>Wraps <paramref name="module"/>, checks that every rank's replica is alike, and copies rank 0's parameters and buffers to every rank.</summary>
    /// <param name="module">The replica of this rank; its parameters are overwritten with rank 0's.</param>
    /// <param name="processGroup">The ranks that train together; <see cref="ProcessGroup.Single"/> for one process.</param>
    /// <param name="bucketCapMB">The size of a bucket in megabytes (2²⁰ bytes), as PyTorch's <c>bucket_cap_mb</c>; the first bucket filled (that of the first parameters, reduced last) closes at 1 MB whatever this is, as PyTorch's.</param>
    /// <param name="findUnusedParameters">
    /// Whether a parameter that got no gradient in a backward pass counts as a zero gradient (PyTorch's
    /// <c>find_unused_parameters</c>); without it, such a pass throws.
    /// </param>
    /// <param name="broadcastBuffers">Whether rank 0's buffers (running statistics) are copied to every rank before each forward pass in grad mode, as PyTorch's <c>broadcast_buffers</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> or <paramref name="processGroup"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketCapMB"/> is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">
    /// The ranks' replicas differ (names, shapes or dtypes of parameters or buffers, which require grad) or were wrapped
    /// with different settings; the message names the first difference, on every rank.
    /// </exception>
    public DistributedDataParallel(Module module, ProcessGroup processGroup, double bucketCapMB = 25, bool findUnusedParameters = false,
        bool broadcastBuffers = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(processGroup);
        if (!(bucketCapMB > 0) || double.IsInfinity(bucketCapMB))
            throw new ArgumentOutOfRangeException(nameof(bucketCapMB), bucketCapMB, $"{Op}: bucketCapMB must be positive and finite.");
        Module = RegisterModule("module", module);
        _group = processGroup;
        BucketCapMB = bucketCapMB;
        FindUnusedParameters = findUnusedParameters;
        _broadcastBuffers = broadcastBuffers;

        var parameters = module.NamedParameters().ToList();
        var buffers = module.NamedBuffers().ToList();
        CheckReplicas(parameters, buffers);
        if (_group.WorldSize > 1)
        {
            foreach (var (_, p) in parameters) Broadcast(p);
            foreach (var (_, b) in buffers) Broadcast(b);
        }

        var trainable = parameters.Where(p => p.Parameter.RequiresGrad).ToList();
        _names = trainable.Select(p => p.Name).ToArray();
        _params = trainable.Select(p => p.Parameter).ToArray();
        _ready = new bool[_params.Length];
        _bucketOf = new int[_params.Length];
        _offsetOf = new int[_params.Length];
        _buckets = AssignBuckets();
        Buckets = _buckets.Select(b => (IReadOnlyList<string>)b.Params.Select(i => _names[i]).ToArray()).ToArray();
        _hooks = new IDisposable[_params.Length];
        for (int i = 0; i < _params.Length; i++)
        {
            int index = i;
            _hooks[i] = _params[i].RegisterPostAccumulateGradHook(_ => OnGradientReady(index));
        }
    }

    /// <summary>Gets the wrapped module (PyTorch's <c>.module</c>); its parameters appear here under <c>module.</c>-prefixed names.</summary>
    public Module Module { get; }

    /// <summary>Gets the ranks that train together.</summary>
    public ProcessGroup ProcessGroup => _group;

    /// <summary>Gets the size of a bucket in megabytes (2²⁰ bytes).</summary>
    public double BucketCapMB { get; }

    /// <summary>Gets a value indicating whether parameters that get no gradient in a backward pass count as zero gradients.</summary>
    public bool FindUnusedParameters { get; }

    /// <summary>
    /// Gets the buckets in the order their all-reduces start, each as the names (in the wrapped module) of its
    /// parameters in parameter order. As PyTorch's initial assignment: the parameters that require grad, in their order,
    /// are cut into buckets once a bucket reaches its cap (1 MB for the first of each dtype, PyTorch's
    /// <c>_DEFAULT_FIRST_BUCKET_BYTES</c>; <see cref="BucketCapMB"/> after), one dtype per bucket, and the buckets are
    /// taken last first, the order in which a backward pass usually completes them. Unlike PyTorch, the assignment is
    /// not rebuilt after the first iteration from the order the gradients arrived in.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Buckets { get; }

    /// <summary>
    /// Runs the wrapped module. In grad mode and outside <see cref="NoSync"/>, the next backward pass through the output
    /// averages the gradients over the ranks; before that, with <c>broadcastBuffers</c>, rank 0's buffers are copied to
    /// every rank.
    /// </summary>
    /// <param name="input">This rank's input.</param>
    /// <returns>The wrapped module's output.</returns>
    /// <exception cref="ObjectDisposedException">The wrapper was disposed.</exception>
    public override Tensor Forward(Tensor input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_broadcastBuffers && _syncBuffersBeforeForward && _group.WorldSize > 1)
            foreach (var (_, b) in Module.NamedBuffers()) Broadcast(b);
        bool sync = Autodiff.IsGradEnabled && !_noSync;
        _syncBuffersBeforeForward = sync;
        PrepareForBackward(sync);
        return Module.Call(input);
    }

    /// <summary>
    /// Begins a scope in which backward passes accumulate gradients locally without communication (PyTorch's
    /// <c>no_sync</c>): the forward passes run inside it do not average; the first forward and backward after it
    /// average the accumulated gradients. <c>using (ddp.NoSync()) { loss(ddp.Call(x1)).Backward(); }</c>
    /// </summary>
    /// <returns>A scope that restores synchronization as it was when disposed.</returns>
    public IDisposable NoSync()
    {
        bool previous = _noSync;
        _noSync = true;
        return new Scope(() => _noSync = previous);
    }

    /// <summary>Removes the gradient hooks; the module then trains locally.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        WaitInFlight();
        foreach (var h in _hooks) h.Dispose();
    }

    // ---- Construction -----------------------------------------------------------------------------------------

    private void CheckReplicas(List<(string Name, Parameter Parameter)> parameters, List<(string Name, Tensor Buffer)> buffers)
    {
        if (_group.WorldSize == 1) return;
        var summary = new StringBuilder();
        foreach (var (name, p) in parameters) summary.Append(Entry("parameter", name, p, p.RequiresGrad)).Append('\n');
        foreach (var (name, b) in buffers) summary.Append(Entry("buffer", name, b, false)).Append('\n');
        summary.Append(CultureInfo.InvariantCulture, $"setting\tbucketCapMB\t{BucketCapMB:R}\n");
        summary.Append(CultureInfo.InvariantCulture, $"setting\tfindUnusedParameters\t{FindUnusedParameters}\n");
        var bytes = Encoding.UTF8.GetBytes(summary.ToString());

        int n = _group.WorldSize;
        var heads = new long[2 * n];
        _group.AllGather([Fnv1a(bytes), bytes.Length], heads);
        bool same = true;
        for (int r = 1; r < n; r++) same &= heads[2 * r] == heads[0] && heads[2 * r + 1] == heads[1];
        if (same) return;

        // They differ: every rank gathers every summary, so that all name the same first difference.
        int longest = 0;
        for (int r = 0; r < n; r++) longest = Math.Max(longest, (int)heads[2 * r + 1]);
        int words = (longest + 7) / 8;
        var mine = new long[words];
        var packed = new byte[words * 8];
        bytes.CopyTo(packed, 0);
        for (int w = 0; w < words; w++) mine[w] = BitConverter.ToInt64(packed, 8 * w);
        var all = new long[words * n];
        _group.AllGather(mine, all);
        var summaries = new string[n];
        for (int r = 0; r < n; r++)
        {
            var raw = new byte[words * 8];
            for (int w = 0; w < words; w++) BitConverter.TryWriteBytes(raw.AsSpan(8 * w), all[r * words + w]);
            summaries[r] = Encoding.UTF8.GetString(raw, 0, (int)heads[2 * r + 1]);
        }
        for (int r = 1; r < n; r++)
            if (summaries[r] != summaries[0])
                throw new InvalidOperationException($"{Op}: {Difference(summaries[0], summaries[r], r)}");
        throw new InvalidOperationException($"{Op}: the ranks' replicas differ.");
    }

    private static string Entry(string kind, string name, Tensor t, bool requiresGrad) =>
        string.Join('\t', kind, name, Format(t.Shape), t.DType.Name(), requiresGrad ? "grad" : "no grad");

    private static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static long Fnv1a(byte[] bytes)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in bytes) h = (h ^ b) * 1099511628211UL;
        return unchecked((long)h);
    }

    // The first entry where rank r's summary differs from rank 0's, in words.
    private static string Difference(string first, string other, int r)
    {
        var a = Split(first);
        var b = Split(other);
        foreach (var kind in new[] { "parameter", "buffer", "setting" })
        {
            var ka = a.Where(e => e[0] == kind).ToList();
            var kb = b.Where(e => e[0] == kind).ToList();
            for (int i = 0; i < Math.Min(ka.Count, kb.Count); i++)
            {
                string[] x = ka[i], y = kb[i];
                if (kind == "setting")
                {
                    if (x[2] != y[2]) return $"rank {r}'s {x[1]} is {y[2]} where rank 0's is {x[2]}; every rank must wrap its replica with the same settings.";
                    continue;
                }
                if (x[1] != y[1]) return $"rank {r}'s {kind} {i} is '{y[1]}' where rank 0's is '{x[1]}'.";
                if (x[2] != y[2]) return $"rank {r}'s {kind} '{x[1]}' has shape {y[2]} where rank 0's has {x[2]}.";
                if (x[3] != y[3]) return $"rank {r}'s {kind} '{x[1]}' is {y[3]} where rank 0's is {x[3]}.";
                if (x[4] != y[4])
                    return $"rank {r}'s {kind} '{x[1]}' {(y[4] == "grad" ? "requires" : "does not require")} grad where rank 0's {(x[4] == "grad" ? "does" : "does not")}.";
            }
            if (ka.Count != kb.Count)
            {
                string extra = ka.Count > kb.Count ? $"rank 0's '{ka[kb.Count][1]}' has no counterpart" : $"rank {r}'s '{kb[ka.Count][1]}' has no counterpart";
                return $"rank {r} has {kb.Count} {kind}s where rank 0 has {ka.Count}; {extra}.";
            }
        }
        return "the ranks' replicas differ.";
    }

    private static List<string[]> Split(string summary) =>
        summary.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();

    // Rank 0's values into t on every rank; rank 0's own tensor is left as it is.
    private void Broadcast(Tensor t)
    {
        switch (t.DType)
        {
            case DType.Float32:
            {
                var data = t.ToArray<float>();
                _group.Broadcast(data);
                if (_group.Rank != 0) Write(t, Tensor.From(data, t.Shape));
                break;
            }
            case DType.Float64:
            {
                var data = t.ToArray<double>();
                _group.Broadcast(data);
                if (_group.Rank != 0) Write(t, Tensor.From(data, t.Shape));
                break;
            }
            default:
            {
                var data = t.ToArray<long>();
                _group.Broadcast(data);
                if (_group.Rank != 0) Write(t, Tensor.From(data, t.Shape));
                break;
            }
        }
    }

    private static void Write(Tensor target, Tensor values)
    {
        using (Autodiff.NoGrad()) target.CopyFrom(values);
    }

    // PyTorch's compute_bucket_assignment_by_size, then reversed: buckets filled in parameter order, one per dtype at a
    // time, closed once they reach their limit (the first one's 1 MB, then the cap), sorted by their first parameter.
    private Bucket[] AssignBuckets()
    {
        long cap = Math.Max(1, (long)(BucketCapMB * 1024 * 1024));
        long first = FirstBucketBytes;
        var open = new Dictionary<DType, (List<int> Members, long Bytes, long Limit)>();
        var done = new List<List<int>>();
        for (int i = 0; i < _params.Length; i++)
        {
            var dtype = _params[i].DType;
            if (!open.TryGetValue(dtype, out var o)) o = (new List<int>(), 0, first);
            var (members, bytes, limit) = o;
            members.Add(i);
            bytes += (long)_params[i].NumElements * (dtype == DType.Float32 ? 4 : 8);
            if (bytes >= limit)
            {
                done.Add(members);
                open[dtype] = ([], 0, cap);
            }
            else open[dtype] = (members, bytes, limit);
        }
        done.AddRange(open.Values.Where(o => o.Members.Count > 0).Select(o => o.Members));
        done.Sort((x, y) => x[0].CompareTo(y[0]));
        done.Reverse();
        var buckets = new Bucket[done.Count];
        for (int b = 0; b < buckets.Length; b++)
        {
            int offset = 0;
            foreach (int i in done[b])
            {
                _bucketOf[i] = b;
                _offsetOf[i] = offset;
                offset += _params[i].NumElements;
            }
            buckets[b] = new Bucket(done[b].ToArray(), _params[done[b][0]].DType, _group.WorldSize > 1 ? offset : 0);
        }
        return buckets;
    }

    // ---- Backward ---------------------------------------------------------------------------------------------

    private void PrepareForBackward(bool sync)
    {
        // A pass that threw left collectives in flight: their buffers are reused only once they end.
        WaitInFlight();
        Array.Clear(_ready);
        foreach (var b in _buckets) b.Pending = b.Params.Length;
        _nextBucket = 0;
        _callbackQueued = false;
        _expectHooks = sync;
    }

    private void WaitInFlight()
    {
        foreach (var b in _buckets)
        {
            var work = b.Work;
            b.Work = null;
            work?.Wait();
        }
    }

    private void OnGradientReady(int i)
    {
        if (!_expectHooks) return;
        if (_ready[i])
            throw new InvalidOperationException(
                $"{Op}: parameter '{_names[i]}' got its gradient twice in one backward pass; run Forward again before each Backward().");
        if (!_callbackQueued)
        {
            _callbackQueued = true;
            Autodiff.QueueCallback(FinishBackward);
        }
        MarkReady(i, _params[i].StoredGrad);
    }

    private void MarkReady(int i, Tensor? grad)
    {
        _ready[i] = true;
        var bucket = _buckets[_bucketOf[i]];
        if (_group.WorldSize > 1)
        {
            int n = _params[i].NumElements, offset = _offsetOf[i];
            if (bucket.Floats is { } f)
            {
                if (grad is null) f.AsSpan(offset, n).Clear();
                else grad.CopyTo<float>(f.AsSpan(offset, n));
            }
            else if (grad is null) bucket.Doubles!.AsSpan(offset, n).Clear();
            else grad.CopyTo<double>(bucket.Doubles!.AsSpan(offset, n));
        }
        bucket.Pending--;
        // Buckets start in their order whatever order their gradients complete in, so that the collectives pair up.
        while (_nextBucket < _buckets.Length && _buckets[_nextBucket].Pending == 0)
        {
            var b = _buckets[_nextBucket++];
            if (_group.WorldSize > 1) b.Work = b.Floats is { } fl ? _group.AllReduceAsync(fl, ReduceOp.Sum) : _group.AllReduceAsync(b.Doubles!, ReduceOp.Sum);
        }
    }

    // Queued by the first hook of a pass; runs once every gradient of the pass is accumulated.
    private void FinishBackward()
    {
        _expectHooks = false;
        List<int>? unused = null;
        for (int i = 0; i < _params.Length; i++)
        {
            if (_ready[i]) continue;
            (unused ??= []).Add(i);
            // Its bucket is still started, so that no rank waits for a collective that another never starts.
            MarkReady(i, _params[i].StoredGrad);
        }

        long[]? usedAnywhere = null;
        if (FindUnusedParameters && _group.WorldSize > 1)
        {
            // A parameter that no rank used keeps its gradient (null stays null), as PyTorch's reducer leaves it.
            usedAnywhere = new long[_params.Length];
            for (int i = 0; i < _params.Length; i++) usedAnywhere[i] = 1;
            if (unused is not null) foreach (int i in unused) usedAnywhere[i] = 0;
        }
        // The used-map's all-reduce is the last collective of the pass on every rank, after the buckets'.
        for (int b = 0; b < _buckets.Length; b++)
        {
            var work = _buckets[b].Work;
            _buckets[b].Work = null;
            work?.Wait();
        }
        if (usedAnywhere is not null) _group.AllReduce(usedAnywhere, ReduceOp.Max);

        if (_group.WorldSize > 1)
        {
            int n = _group.WorldSize;
            for (int i = 0; i < _params.Length; i++)
            {
                var p = _params[i];
                if (p.StoredGrad is null && (usedAnywhere is null || usedAnywhere[i] == 0)) continue;
                var bucket = _buckets[_bucketOf[i]];
                int count = p.NumElements, offset = _offsetOf[i];
                Tensor mean;
                if (bucket.Floats is { } f)
                {
                    var span = f.AsSpan(offset, count);
                    for (int j = 0; j < span.Length; j++) span[j] /= n;
                    mean = Tensor.From<float>(span, p.Shape);
                }
                else
                {
                    var span = bucket.Doubles!.AsSpan(offset, count);
                    for (int j = 0; j < span.Length; j++) span[j] /= n;
                    mean = Tensor.From<double>(span, p.Shape);
                }
                if (p.StoredGrad is { } g) Write(g, mean);
                else p.StoredGrad = mean;
            }
        }

        if (unused is not null && !FindUnusedParameters)
        {
            var names = string.Join(", ", unused.Select(i => $"'{_names[i]}'"));
            throw new InvalidOperationException(
                $"{Op}: rank {_group.Rank}'s parameter{(unused.Count > 1 ? "s" : "")} {names} got no gradient in this backward pass " +
                "(not used to compute the loss); pass findUnusedParameters: true to count a missing gradient as zero, as PyTorch's find_unused_parameters.");
        }
    }

    private sealed class Bucket(int[] members, DType dtype, int length)
    {
        public readonly int[] Params = members;
        public readonly float[]? Floats = dtype == DType.Float32 ? new float[length] : null;
        public readonly double[]? Doubles = dtype == DType.Float32 ? null : new double[length];
        public int Pending;
        public Work? Work;
    }

    private sealed class Scope(Action restore) : IDisposable
    {
        private Action? _restore = restore;

        public void Dispose()
        {
            _restore?.Invoke();
            _restore = null;
        }
    }
}
