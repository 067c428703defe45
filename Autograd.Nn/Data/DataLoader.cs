using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Autograd.Nn.Data;

/// <summary>
/// Enumerates a dataset of (input, target) tensor pairs in mini-batches (PyTorch's DataLoader). Each enumeration is
/// one epoch. The batches' indices come from a <see cref="Data.Sampler"/> (sequential by default, a fresh permutation
/// from the <see cref="Generator"/> with <see cref="Shuffle"/>) grouped by a <see cref="Data.BatchSampler"/>, and the
/// samples of a batch are stacked along a new first dimension (a <see cref="TensorDataset"/>, or a
/// <see cref="Subset{T}"/> of one, gathers each batch in one <see cref="Tensor.IndexSelect(int, int[])"/>).
/// </summary>
/// <remarks>
/// <para>
/// The order of an epoch is drawn when its enumeration starts, on the calling thread, so the batches are the same
/// whether or not <see cref="Prefetch"/> loads them in the background, and whatever else draws from the same
/// generator during the epoch.
/// </para>
/// <para>
/// With <see cref="Prefetch"/>, one background thread reads and stacks the next batch while the loop body trains on
/// the current one (PyTorch's <c>num_workers=1</c>). Use it when reading a sample is slow (a custom dataset that
/// decodes files); a <see cref="TensorDataset"/> in memory gains nothing from it. An exception in the background
/// thread is rethrown by the enumeration at the batch it concerns; leaving the loop early stops the thread.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var loader = new DataLoader(new TensorDataset(x, y), batchSize: 64, shuffle: true, generator: new Generator(42));
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     foreach (var (inputs, targets) in loader) { /* train step */ }
/// </code>
/// </example>
public sealed class DataLoader : IEnumerable<(Tensor Inputs, Tensor Targets)>
{
    private readonly DataLoader<(Tensor Input, Tensor Target), (Tensor Inputs, Tensor Targets)> _loader;

    /// <summary>Creates a loader over <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The samples: a <see cref="TensorDataset"/> or any dataset of (input, target) pairs.</param>
    /// <param name="batchSize">The number of samples per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order (a <see cref="RandomSampler"/>).</param>
    /// <param name="dropLast">Whether to skip the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="generator">
    /// The seeded random source for shuffling, whose state advances with every shuffled epoch; when null, each epoch
    /// draws from <see cref="Generator.Default"/> as it is then (reseed it with <see cref="Generator.ManualSeed"/>).
    /// </param>
    /// <param name="pool">
    /// With a pool, each batch begins a <see cref="BufferScope"/> of it that lasts until the next batch (or the end of
    /// the epoch): the batch (unless prefetched) and everything the loop body computes from it borrow the pool's
    /// arrays, so a training loop allocates no large arrays at all. Tensors of one step are released when the next
    /// begins; read or <see cref="Tensor.Clone"/> what you keep.
    /// </param>
    /// <param name="sampler">The order of the sample indices; excludes <paramref name="shuffle"/>.</param>
    /// <param name="prefetch">Whether a background thread loads the next batch during the current one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentException">Both <paramref name="sampler"/> and <paramref name="shuffle"/> are given.</exception>
    public DataLoader(Dataset<(Tensor Input, Tensor Target)> dataset, int batchSize, bool shuffle = false, bool dropLast = false,
        Generator? generator = null, BufferPool? pool = null, Sampler? sampler = null, bool prefetch = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _loader = new(dataset, batchSize, Collate.Pairs, shuffle, dropLast, generator, pool, sampler, prefetch);
        _loader.BatchLoader = TensorBatches(dataset);
    }

    /// <summary>Creates a loader whose batches of indices come from <paramref name="batchSampler"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSampler">The batches of indices of each epoch.</param>
    /// <param name="pool">As for the other constructor.</param>
    /// <param name="prefetch">Whether a background thread loads the next batch during the current one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> or <paramref name="batchSampler"/> is null.</exception>
    public DataLoader(Dataset<(Tensor Input, Tensor Target)> dataset, BatchSampler batchSampler, BufferPool? pool = null, bool prefetch = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _loader = new(dataset, batchSampler, Collate.Pairs, pool, prefetch);
        _loader.BatchLoader = TensorBatches(dataset);
    }

    /// <summary>The pool whose scope each batch begins, or null.</summary>
    public BufferPool? Pool => _loader.Pool;

    /// <summary>The samples.</summary>
    public Dataset<(Tensor Input, Tensor Target)> Dataset => _loader.Dataset!;

    /// <summary>The number of samples per batch.</summary>
    public int BatchSize => _loader.BatchSize;

    /// <summary>Whether each epoch visits the samples in a new random order.</summary>
    public bool Shuffle => _loader.Shuffle;

    /// <summary>Whether the last batch is skipped when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast => _loader.DropLast;

    /// <summary>Whether a background thread loads the next batch during the current one.</summary>
    public bool Prefetch => _loader.Prefetch;

    /// <summary>The batches of indices of each epoch.</summary>
    public BatchSampler BatchSampler => _loader.BatchSampler!;

    /// <summary>The number of batches in one epoch.</summary>
    public int Count => _loader.Count;

    /// <summary>
    /// Starts an epoch. The order of the samples is fixed here (drawing a new permutation when shuffling), so
    /// every call gives the next epoch.
    /// </summary>
    /// <returns>An enumerator over the batches of one epoch, each an (inputs, targets) pair whose first dimension is the batch.</returns>
    public IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator() => _loader.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static Func<int[], (Tensor Inputs, Tensor Targets)>? TensorBatches(Dataset<(Tensor Input, Tensor Target)> dataset) => dataset switch
    {
        TensorDataset t => t.GetBatch,
        Subset<(Tensor Input, Tensor Target)> { Dataset: TensorDataset t } s => Through(s.Indices, t),
        _ => null,
    };

    private static Func<int[], (Tensor Inputs, Tensor Targets)> Through(int[] subset, TensorDataset t) =>
        indices => t.GetBatch(Array.ConvertAll(indices, i => subset[i]));
}

/// <summary>
/// Enumerates any dataset in batches built by a collate function (PyTorch's DataLoader with a <c>collate_fn</c>):
/// a map-style <see cref="Dataset{T}"/> read in the order of a sampler, or an iterable dataset (any
/// <see cref="IEnumerable{T}"/>) read in its own order. Each enumeration is one epoch; see <see cref="DataLoader"/>
/// for the order, prefetching and buffer pools.
/// </summary>
/// <typeparam name="TSample">The sample type.</typeparam>
/// <typeparam name="TBatch">The batch type the collate function builds.</typeparam>
public sealed class DataLoader<TSample, TBatch> : IEnumerable<TBatch>
{
    private readonly IEnumerable<TSample>? _iterable;
    private readonly Func<IReadOnlyList<TSample>, TBatch> _collate;

    /// <summary>Creates a loader over a map-style dataset.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">The number of samples per batch.</param>
    /// <param name="collate">Builds a batch from its samples, in order (PyTorch's <c>collate_fn</c>).</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order.</param>
    /// <param name="dropLast">Whether to skip the last, smaller batch.</param>
    /// <param name="generator">The random source for shuffling; null draws from <see cref="Generator.Default"/>.</param>
    /// <param name="pool">With a pool, each batch begins a <see cref="BufferScope"/> lasting until the next.</param>
    /// <param name="sampler">The order of the sample indices; excludes <paramref name="shuffle"/>.</param>
    /// <param name="prefetch">Whether a background thread loads the next batch during the current one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> or <paramref name="collate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">Both <paramref name="sampler"/> and <paramref name="shuffle"/> are given.</exception>
    public DataLoader(Dataset<TSample> dataset, int batchSize, Func<IReadOnlyList<TSample>, TBatch> collate, bool shuffle = false,
        bool dropLast = false, Generator? generator = null, BufferPool? pool = null, Sampler? sampler = null, bool prefetch = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collate);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: the batch size must be positive.");
        if (sampler is not null && shuffle)
            throw new ArgumentException("DataLoader: sampler and shuffle are mutually exclusive; shuffle with a RandomSampler.", nameof(sampler));
        sampler ??= shuffle ? new RandomSampler(dataset.Count, generator: generator) : new SequentialSampler(dataset.Count);
        Dataset = dataset;
        BatchSampler = new BatchSampler(sampler, batchSize, dropLast);
        (_collate, Shuffle, Pool, Prefetch) = (collate, shuffle, pool, prefetch);
    }

    /// <summary>Creates a loader over a map-style dataset whose batches of indices come from <paramref name="batchSampler"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSampler">The batches of indices of each epoch.</param>
    /// <param name="collate">Builds a batch from its samples.</param>
    /// <param name="pool">With a pool, each batch begins a <see cref="BufferScope"/> lasting until the next.</param>
    /// <param name="prefetch">Whether a background thread loads the next batch during the current one.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="pool"/> is null.</exception>
    public DataLoader(Dataset<TSample> dataset, BatchSampler batchSampler, Func<IReadOnlyList<TSample>, TBatch> collate,
        BufferPool? pool = null, bool prefetch = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(batchSampler);
        ArgumentNullException.ThrowIfNull(collate);
        (Dataset, BatchSampler, _collate, Pool, Prefetch) = (dataset, batchSampler, collate, pool, prefetch);
    }

    /// <summary>Creates a loader over an iterable dataset: consecutive samples are batched in the order it yields them.</summary>
    /// <param name="dataset">The samples, e.g. an <see cref="IterableDataset{T}"/>; each epoch enumerates it once.</param>
    /// <param name="batchSize">The number of samples per batch.</param>
    /// <param name="collate">Builds a batch from its samples.</param>
    /// <param name="dropLast">Whether to skip the last, smaller batch.</param>
    /// <param name="pool">With a pool, each batch begins a <see cref="BufferScope"/> lasting until the next.</param>
    /// <param name="prefetch">Whether a background thread reads the next batch during the current one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> or <paramref name="collate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public DataLoader(IEnumerable<TSample> dataset, int batchSize, Func<IReadOnlyList<TSample>, TBatch> collate, bool dropLast = false,
        BufferPool? pool = null, bool prefetch = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collate);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: the batch size must be positive.");
        (_iterable, _iterableBatchSize, _iterableDropLast, _collate, Pool, Prefetch) = (dataset, batchSize, dropLast, collate, pool, prefetch);
    }

    private readonly int _iterableBatchSize;
    private readonly bool _iterableDropLast;

    /// <summary>The map-style dataset, or null for an iterable one.</summary>
    public Dataset<TSample>? Dataset { get; }

    /// <summary>The batches of indices of each epoch, or null for an iterable dataset.</summary>
    public BatchSampler? BatchSampler { get; }

    /// <summary>The number of samples per batch.</summary>
    public int BatchSize => BatchSampler?.BatchSize ?? _iterableBatchSize;

    /// <summary>Whether the last, smaller batch is skipped.</summary>
    public bool DropLast => BatchSampler?.DropLast ?? _iterableDropLast;

    /// <summary>Whether the samples are shuffled each epoch.</summary>
    public bool Shuffle { get; }

    /// <summary>The pool whose scope each batch begins, or null.</summary>
    public BufferPool? Pool { get; }

    /// <summary>Whether a background thread loads the next batch during the current one.</summary>
    public bool Prefetch { get; }

    /// <summary>The number of batches in one epoch.</summary>
    /// <exception cref="InvalidOperationException">The dataset is iterable, whose length is unknown.</exception>
    public int Count => BatchSampler?.Count
        ?? throw new InvalidOperationException("DataLoader: an iterable dataset has no length; count the batches as you enumerate them.");

    /// <summary>A faster way to build the batch at given indices than reading and collating each sample.</summary>
    internal Func<int[], TBatch>? BatchLoader { get; set; }

    /// <summary>Starts an epoch: the order of its batches is drawn here, on the calling thread.</summary>
    /// <returns>The batches of one epoch.</returns>
    public IEnumerator<TBatch> GetEnumerator()
    {
        IEnumerable<TBatch> batches;
        if (_iterable is not null)
        {
            batches = IterableBatches(_iterable, _iterableBatchSize, _iterableDropLast, _collate);
        }
        else
        {
            var plan = BatchSampler!.ToArray();
            batches = MapBatches(plan, Dataset!, _collate, BatchLoader);
        }
        return Prefetch ? Prefetched(batches, Pool) : InScopes(batches, Pool);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static IEnumerable<TBatch> MapBatches(int[][] plan, Dataset<TSample> dataset, Func<IReadOnlyList<TSample>, TBatch> collate, Func<int[], TBatch>? direct)
    {
        foreach (var indices in plan)
            yield return direct is not null ? direct(indices) : collate(Array.ConvertAll(indices, i => dataset[i]));
    }

    private static IEnumerable<TBatch> IterableBatches(IEnumerable<TSample> source, int batchSize, bool dropLast, Func<IReadOnlyList<TSample>, TBatch> collate)
    {
        var batch = new List<TSample>(batchSize);
        foreach (var sample in source)
        {
            batch.Add(sample);
            if (batch.Count == batchSize)
            {
                yield return collate(batch.ToArray());
                batch.Clear();
            }
        }
        if (batch.Count > 0 && !dropLast) yield return collate(batch.ToArray());
    }

    private static IEnumerator<TBatch> InScopes(IEnumerable<TBatch> batches, BufferPool? pool)
    {
        BufferScope? step = null;
        using var source = batches.GetEnumerator();
        try
        {
            while (true)
            {
                // The scope begun here stays active in the caller's loop body (MoveNext runs synchronously in its flow),
                // and the batch loaded next borrows from it.
                step?.Dispose();
                step = pool?.Scope();
                if (!source.MoveNext()) yield break;
                yield return source.Current;
            }
        }
        finally
        {
            step?.Dispose();
        }
    }

    private static IEnumerator<TBatch> Prefetched(IEnumerable<TBatch> batches, BufferPool? pool)
    {
        // One batch ahead: the worker fills the slot while the caller trains on the batch it took.
        using var queue = new BlockingCollection<(TBatch Batch, ExceptionDispatchInfo? Error, bool End)>(boundedCapacity: 1);
        using var stop = new CancellationTokenSource();
        var worker = new Thread(() =>
        {
            try
            {
                foreach (var batch in batches)
                    queue.Add((batch, null, false), stop.Token);
                queue.Add((default!, null, true), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                try { queue.Add((default!, ExceptionDispatchInfo.Capture(e), true), stop.Token); }
                catch (OperationCanceledException) { }
            }
        })
        { IsBackground = true, Name = "Autograd DataLoader prefetch" };
        // UnsafeStart: the caller's execution context (its grad mode, buffer scope) must not flow into the worker.
        worker.UnsafeStart();
        BufferScope? step = null;
        try
        {
            while (true)
            {
                step?.Dispose();
                step = null;
                var (batch, error, end) = queue.Take();
                error?.Throw();
                if (end) yield break;
                step = pool?.Scope();
                yield return batch;
            }
        }
        finally
        {
            step?.Dispose();
            stop.Cancel();
            worker.Join();
        }
    }
}

/// <summary>Collate functions: how a batch is built from its samples (PyTorch's <c>default_collate</c>).</summary>
public static class Collate
{
    /// <summary>Stacks tensors of one shape along a new first dimension.</summary>
    /// <param name="samples">The tensors, at least one, all of one shape.</param>
    /// <returns>The stacked batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="samples"/> is null.</exception>
    /// <exception cref="ArgumentException">There are no samples, or their shapes differ.</exception>
    public static Tensor Tensors(IReadOnlyList<Tensor> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("Collate: a batch needs at least one sample.", nameof(samples));
        return Tensor.Stack(samples.ToArray(), 0);
    }

    /// <summary>Stacks the inputs and the targets of (input, target) samples separately.</summary>
    /// <param name="samples">The samples, at least one; inputs of one shape and targets of one shape.</param>
    /// <returns>The batch of inputs and the batch of targets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="samples"/> is null.</exception>
    /// <exception cref="ArgumentException">There are no samples, or their shapes differ.</exception>
    public static (Tensor Inputs, Tensor Targets) Pairs(IReadOnlyList<(Tensor Input, Tensor Target)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("Collate: a batch needs at least one sample.", nameof(samples));
        return (Tensor.Stack(samples.Select(s => s.Input).ToArray(), 0), Tensor.Stack(samples.Select(s => s.Target).ToArray(), 0));
    }
}
