using Autograd.Nn.Data;

namespace Autograd.Distributed;

/// <summary>
/// Each rank's share of an epoch (PyTorch 1.13's <c>torch.utils.data.distributed.DistributedSampler</c>): the epoch's
/// order (a seeded permutation with <see cref="Shuffle"/>, else 0, 1, …) is made a multiple of
/// <see cref="NumReplicas"/> long, by repeating its first indices (<see cref="DropLast"/> false) or cutting its tail
/// (<see cref="DropLast"/> true), and rank r takes positions r, r + <see cref="NumReplicas"/>, r + 2·<see cref="NumReplicas"/>, ….
/// Pass it to a <see cref="DataLoader"/> as <c>sampler:</c> and call <see cref="SetEpoch"/> before each epoch.
/// </summary>
/// <remarks>
/// The permutation of epoch e is the one <c>new RandomSampler(count, generator: new Generator(seed + e))</c> yields,
/// which is the first epoch of a single-process <c>DataLoader(…, shuffle: true, generator: new Generator(seed + e))</c>:
/// the ranks' shards together are exactly that order (PyTorch draws it with <c>torch.randperm</c>, a different
/// generator, so the indices differ from PyTorch's while the arithmetic is the same).
/// </remarks>
public sealed class DistributedSampler : Sampler
{
    /// <summary>Creates the sampler of rank <paramref name="rank"/> of <paramref name="numReplicas"/>.</summary>
    /// <param name="count">The dataset size.</param>
    /// <param name="numReplicas">The number of ranks that share the dataset.</param>
    /// <param name="rank">This rank, from 0 to <paramref name="numReplicas"/> − 1.</param>
    /// <param name="shuffle">Whether each epoch's order is a seeded permutation; otherwise 0, 1, ….</param>
    /// <param name="seed">The seed; epoch e draws its permutation from <c>new Generator(seed + e)</c>, the same on every rank.</param>
    /// <param name="dropLast">Whether to drop the tail that does not divide evenly among the ranks, instead of padding by repeating the first indices.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative, <paramref name="numReplicas"/> is not positive, or <paramref name="rank"/> is outside [0, <paramref name="numReplicas"/> − 1].</exception>
    public DistributedSampler(int count, int numReplicas, int rank, bool shuffle = true, ulong seed = 0, bool dropLast = false)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "DistributedSampler: the count must be non-negative.");
        if (numReplicas < 1)
            throw new ArgumentOutOfRangeException(nameof(numReplicas), numReplicas, "DistributedSampler: numReplicas must be at least 1.");
        if (rank < 0 || rank >= numReplicas)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DistributedSampler: rank {rank} is outside [0, {numReplicas - 1}] for {numReplicas} replicas.");
        (DatasetCount, NumReplicas, Rank, Shuffle, Seed, DropLast) = (count, numReplicas, rank, shuffle, seed, dropLast);
        // PyTorch's ceil((n − R) / R) when dropping an uneven tail is ⌊n / R⌋, as is ceil(n / R) when R divides n.
        NumSamples = dropLast ? count / numReplicas : (int)(((long)count + numReplicas - 1) / numReplicas);
    }

    /// <summary>Creates the sampler of this process's rank in <paramref name="processGroup"/>.</summary>
    /// <param name="count">The dataset size.</param>
    /// <param name="processGroup">The ranks that share the dataset: its <see cref="ProcessGroup.WorldSize"/> replicas, this process's <see cref="ProcessGroup.Rank"/>.</param>
    /// <param name="shuffle">Whether each epoch's order is a seeded permutation; otherwise 0, 1, ….</param>
    /// <param name="seed">The seed; epoch e draws its permutation from <c>new Generator(seed + e)</c>, the same on every rank.</param>
    /// <param name="dropLast">Whether to drop the tail that does not divide evenly among the ranks, instead of padding by repeating the first indices.</param>
    /// <exception cref="ArgumentNullException"><paramref name="processGroup"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public DistributedSampler(int count, ProcessGroup processGroup, bool shuffle = true, ulong seed = 0, bool dropLast = false)
        : this(count, (processGroup ?? throw new ArgumentNullException(nameof(processGroup))).WorldSize, processGroup.Rank, shuffle, seed, dropLast)
    {
    }

    /// <summary>Gets the dataset size.</summary>
    public int DatasetCount { get; }

    /// <summary>Gets the number of ranks that share the dataset.</summary>
    public int NumReplicas { get; }

    /// <summary>Gets this rank.</summary>
    public int Rank { get; }

    /// <summary>Gets a value indicating whether each epoch's order is a seeded permutation.</summary>
    public bool Shuffle { get; }

    /// <summary>Gets the seed that, plus the epoch, seeds each epoch's permutation.</summary>
    public ulong Seed { get; }

    /// <summary>Gets a value indicating whether the uneven tail is dropped rather than padded.</summary>
    public bool DropLast { get; }

    /// <summary>Gets the epoch set by <see cref="SetEpoch"/>; 0 at first.</summary>
    public int Epoch { get; private set; }

    /// <summary>Gets the number of indices each rank yields per epoch (PyTorch's <c>num_samples</c>).</summary>
    public int NumSamples { get; }

    /// <summary>Gets the number of indices all ranks yield per epoch together, <see cref="NumSamples"/> × <see cref="NumReplicas"/> (PyTorch's <c>total_size</c>).</summary>
    public long TotalSize => (long)NumSamples * NumReplicas;

    /// <inheritdoc/>
    public override int Count => NumSamples;

    /// <summary>
    /// Sets the epoch whose order the next enumeration yields (PyTorch's <c>set_epoch</c>): with <see cref="Shuffle"/>,
    /// each epoch gets its own permutation, the same on every rank. Call it before each epoch, on every rank.
    /// </summary>
    /// <param name="epoch">The epoch.</param>
    public void SetEpoch(int epoch) => Epoch = epoch;

    /// <summary>The order of the epoch set by <see cref="SetEpoch"/> before padding or cutting, the same on every rank.</summary>
    /// <returns>A permutation of 0..<see cref="DatasetCount"/> − 1 (0, 1, … without <see cref="Shuffle"/>).</returns>
    public int[] EpochOrder()
    {
        if (!Shuffle) return Enumerable.Range(0, DatasetCount).ToArray();
        var generator = new Generator(unchecked(Seed + (ulong)(long)Epoch));
        return new RandomSampler(DatasetCount, generator: generator).ToArray();
    }

    /// <inheritdoc/>
    public override IEnumerator<int> GetEnumerator()
    {
        var order = EpochOrder();
        var shard = new int[NumSamples];
        // Position k of the padded (or cut) order is order[k mod n]: padding repeats the order from its start.
        for (int j = 0; j < shard.Length; j++)
        {
            long k = Rank + (long)j * NumReplicas;
            shard[j] = order[(int)(k % order.Length)];
        }
        return ((IEnumerable<int>)shard).GetEnumerator();
    }
}
