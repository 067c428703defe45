using System.Collections;

namespace Autograd.Nn.Data;

/// <summary>
/// Enumerates a <see cref="TensorDataset"/> in mini-batches (PyTorch's DataLoader without workers). Each
/// enumeration is one epoch: every sample appears exactly once (the last, smaller batch is skipped when
/// <see cref="DropLast"/> is set). With <see cref="Shuffle"/>, each epoch draws a fresh permutation from the
/// <see cref="Generator"/> given, or <see cref="Generator.Default"/> without one (Fisher–Yates with
/// <see cref="Generator.NextInt(int)"/>), so the sequence of epochs is reproducible for a given seed and differs from
/// epoch to epoch.
/// </summary>
/// <example>
/// <code>
/// var loader = new DataLoader(new TensorDataset(x, y), batchSize: 64, shuffle: true, generator: new Generator(42));
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     foreach (var (inputs, targets) in loader) { /* train step */ }
/// </code>
/// </example>
public sealed class DataLoader : IEnumerable<(Tensor Inputs, Tensor Targets)>
{
    private readonly Generator? _generator;

    /// <summary>Creates a loader over <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">The number of samples per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order.</param>
    /// <param name="dropLast">Whether to skip the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="generator">
    /// The seeded random source for shuffling, whose state advances with every shuffled epoch; when null, each epoch
    /// draws from <see cref="Generator.Default"/> as it is then (reseed it with <see cref="Generator.ManualSeed"/>).
    /// </param>
    /// <param name="pool">
    /// With a pool, each batch begins a <see cref="BufferScope"/> of it that lasts until the next batch (or the end of
    /// the epoch): the batch and everything the loop body computes from it borrow the pool's arrays, so a training
    /// loop allocates no large arrays at all. Tensors of one step are released when the next begins; read or
    /// <see cref="Tensor.Clone"/> what you keep.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    public DataLoader(TensorDataset dataset, int batchSize, bool shuffle = false, bool dropLast = false, Generator? generator = null,
        BufferPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: the batch size must be positive.");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _generator = generator;
        Pool = pool;
    }

    /// <summary>The pool whose scope each batch begins, or null.</summary>
    public BufferPool? Pool { get; }

    /// <summary>The samples.</summary>
    public TensorDataset Dataset { get; }

    /// <summary>The number of samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the samples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last batch is skipped when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; }

    /// <summary>The number of batches in one epoch.</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (int)(((long)Dataset.Count + BatchSize - 1) / BatchSize);

    /// <summary>
    /// Starts an epoch. The order of the samples is fixed here (drawing a new permutation when shuffling), so
    /// every call gives the next epoch.
    /// </summary>
    /// <returns>An enumerator over the batches of one epoch, each an (inputs, targets) pair whose first dimension is the batch.</returns>
    public IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator() => Batches(NextOrder());

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int[] NextOrder()
    {
        int n = Dataset.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (Shuffle)
        {
            var generator = _generator ?? Generator.Default;
            // Fisher–Yates: position i takes a uniform choice among the elements not placed yet.
            for (int i = n - 1; i > 0; i--)
            {
                int j = generator.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    private IEnumerator<(Tensor Inputs, Tensor Targets)> Batches(int[] order)
    {
        int batches = Count;
        BufferScope? step = null;
        try
        {
            for (int b = 0; b < batches; b++)
            {
                int start = b * BatchSize;
                int length = Math.Min(BatchSize, order.Length - start);
                // The scope begun here stays active in the caller's loop body (MoveNext runs synchronously in its flow).
                step?.Dispose();
                step = Pool?.Scope();
                yield return Dataset.GetBatch(order.AsSpan(start, length).ToArray());
            }
        }
        finally
        {
            step?.Dispose();
        }
    }
}
