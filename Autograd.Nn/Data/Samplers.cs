using System.Collections;

namespace Autograd.Nn.Data;

/// <summary>
/// The order in which a <see cref="DataLoader{TSample, TBatch}"/> reads sample indices (PyTorch's
/// <c>torch.utils.data.Sampler</c>). Each enumeration is one epoch; random samplers draw afresh each time from their
/// <see cref="Generator"/>.
/// </summary>
public abstract class Sampler : IEnumerable<int>
{
    /// <summary>The number of indices one epoch yields.</summary>
    public abstract int Count { get; }

    /// <summary>Starts an epoch.</summary>
    /// <returns>The indices of one epoch.</returns>
    public abstract IEnumerator<int> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static void CheckCount(string op, int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"{op}: the count must be non-negative.");
    }
}

/// <summary>0, 1, …, count − 1 (PyTorch's <c>SequentialSampler</c>).</summary>
/// <param name="count">The number of samples.</param>
public sealed class SequentialSampler(int count) : Sampler
{
    private readonly int _count = Checked(count);

    /// <inheritdoc/>
    public override int Count => _count;

    /// <inheritdoc/>
    public override IEnumerator<int> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return i;
    }

    private static int Checked(int count)
    {
        CheckCount("SequentialSampler", count);
        return count;
    }
}

/// <summary>
/// A random order (PyTorch's <c>RandomSampler</c>): without replacement a permutation of 0..count − 1 (Fisher–Yates),
/// with replacement <see cref="Count"/> independent uniform draws.
/// </summary>
public sealed class RandomSampler : Sampler
{
    private readonly int _size;
    private readonly int _numSamples;
    private readonly Generator? _generator;

    /// <summary>Creates a random sampler over <paramref name="count"/> samples.</summary>
    /// <param name="count">The dataset size.</param>
    /// <param name="replacement">Whether indices are drawn with replacement.</param>
    /// <param name="numSamples">
    /// Indices per epoch; by default <paramref name="count"/>. Without replacement, more than
    /// <paramref name="count"/> concatenates fresh permutations, as PyTorch does.
    /// </param>
    /// <param name="generator">The random source; null draws from <see cref="Generator.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or samples are requested from an empty dataset.</exception>
    public RandomSampler(int count, bool replacement = false, int? numSamples = null, Generator? generator = null)
    {
        CheckCount("RandomSampler", count);
        int k = numSamples ?? count;
        if (k < 0 || (k > 0 && count == 0))
            throw new ArgumentOutOfRangeException(nameof(numSamples), k, $"RandomSampler: cannot draw {k} samples from {count}.");
        (_size, _numSamples, Replacement, _generator) = (count, k, replacement, generator);
    }

    /// <summary>Whether indices are drawn with replacement.</summary>
    public bool Replacement { get; }

    /// <inheritdoc/>
    public override int Count => _numSamples;

    /// <inheritdoc/>
    public override IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Draw()).GetEnumerator();

    private int[] Draw()
    {
        var g = _generator ?? Generator.Default;
        var result = new int[_numSamples];
        if (Replacement)
        {
            for (int i = 0; i < result.Length; i++) result[i] = g.NextInt(_size);
            return result;
        }
        for (int filled = 0; filled < result.Length;)
        {
            var p = Sampling.Permutation(_size, g);
            int take = Math.Min(p.Length, result.Length - filled);
            p.AsSpan(0, take).CopyTo(result.AsSpan(filled));
            filled += take;
        }
        return result;
    }
}

/// <summary>A random permutation of given indices each epoch (PyTorch's <c>SubsetRandomSampler</c>).</summary>
public sealed class SubsetRandomSampler : Sampler
{
    private readonly int[] _indices;
    private readonly Generator? _generator;

    /// <summary>Creates a sampler over <paramref name="indices"/>.</summary>
    /// <param name="indices">The indices (copied).</param>
    /// <param name="generator">The random source; null draws from <see cref="Generator.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    public SubsetRandomSampler(IEnumerable<int> indices, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        _indices = indices.ToArray();
        _generator = generator;
    }

    /// <inheritdoc/>
    public override int Count => _indices.Length;

    /// <inheritdoc/>
    public override IEnumerator<int> GetEnumerator()
    {
        var p = Sampling.Permutation(_indices.Length, _generator ?? Generator.Default);
        return ((IEnumerable<int>)p.Select(i => _indices[i]).ToArray()).GetEnumerator();
    }
}

/// <summary>
/// Indices drawn with probabilities proportional to <c>weights</c> (PyTorch's <c>WeightedRandomSampler</c>), with
/// replacement by default; without replacement each drawn index is removed from the later draws.
/// </summary>
public sealed class WeightedRandomSampler : Sampler
{
    private readonly double[] _weights;
    private readonly int _numSamples;
    private readonly Generator? _generator;

    /// <summary>Creates a weighted sampler.</summary>
    /// <param name="weights">One non-negative finite weight per sample, not all zero (copied; need not sum to 1).</param>
    /// <param name="numSamples">Indices per epoch.</param>
    /// <param name="replacement">Whether indices are drawn with replacement.</param>
    /// <param name="generator">The random source; null draws from <see cref="Generator.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A weight is negative or not finite, all are zero, <paramref name="numSamples"/> is negative, or more samples are
    /// requested without replacement than there are positive weights.
    /// </exception>
    public WeightedRandomSampler(double[] weights, int numSamples, bool replacement = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        const string op = "WeightedRandomSampler";
        for (int i = 0; i < weights.Length; i++)
            if (!(weights[i] >= 0) || double.IsInfinity(weights[i]))
                throw new ArgumentException($"{op}: weight {i} is {weights[i]}; weights must be finite and non-negative.", nameof(weights));
        int positive = weights.Count(w => w > 0);
        if (numSamples < 0)
            throw new ArgumentException($"{op}: numSamples must be non-negative; got {numSamples}.", nameof(numSamples));
        if (numSamples > 0 && positive == 0)
            throw new ArgumentException($"{op}: all {weights.Length} weights are zero.", nameof(weights));
        if (!replacement && numSamples > positive)
            throw new ArgumentException(
                $"{op}: cannot draw {numSamples} samples without replacement from {positive} samples of positive weight.", nameof(numSamples));
        (_weights, _numSamples, Replacement, _generator) = ((double[])weights.Clone(), numSamples, replacement, generator);
    }

    /// <summary>Whether indices are drawn with replacement.</summary>
    public bool Replacement { get; }

    /// <inheritdoc/>
    public override int Count => _numSamples;

    /// <inheritdoc/>
    public override IEnumerator<int> GetEnumerator()
    {
        var g = _generator ?? Generator.Default;
        var w = (double[])_weights.Clone();
        var result = new int[_numSamples];
        var cumulative = new double[w.Length];
        bool rebuild = true;
        for (int k = 0; k < result.Length; k++)
        {
            if (rebuild)
            {
                double s = 0;
                for (int i = 0; i < w.Length; i++) cumulative[i] = s += w[i];
                rebuild = !Replacement;
            }
            double u = g.NextDouble() * cumulative[^1];
            int j = Array.BinarySearch(cumulative, u);
            j = j < 0 ? ~j : j + 1;
            while (j < w.Length - 1 && w[j] == 0) j++; // u at a boundary lands on the next positive weight
            j = Math.Min(j, w.Length - 1);
            result[k] = j;
            if (!Replacement) w[j] = 0;
        }
        return ((IEnumerable<int>)result).GetEnumerator();
    }
}

/// <summary>
/// Groups another sampler's indices into batches (PyTorch's <c>BatchSampler</c>); the last batch is smaller unless
/// <see cref="DropLast"/>.
/// </summary>
public sealed class BatchSampler : IEnumerable<int[]>
{
    /// <summary>Creates a batch sampler.</summary>
    /// <param name="sampler">The index order.</param>
    /// <param name="batchSize">The indices per batch, at least 1.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sampler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public BatchSampler(Sampler sampler, int batchSize, bool dropLast)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "BatchSampler: the batch size must be positive.");
        (Sampler, BatchSize, DropLast) = (sampler, batchSize, dropLast);
    }

    /// <summary>The index order.</summary>
    public Sampler Sampler { get; }

    /// <summary>The indices per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether the last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The number of batches in one epoch.</summary>
    public int Count => DropLast ? Sampler.Count / BatchSize : (int)(((long)Sampler.Count + BatchSize - 1) / BatchSize);

    /// <summary>Starts an epoch.</summary>
    /// <returns>The batches of indices of one epoch.</returns>
    public IEnumerator<int[]> GetEnumerator()
    {
        var batch = new List<int>(BatchSize);
        foreach (int i in Sampler)
        {
            batch.Add(i);
            if (batch.Count == BatchSize)
            {
                yield return batch.ToArray();
                batch.Clear();
            }
        }
        if (batch.Count > 0 && !DropLast) yield return batch.ToArray();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

internal static class Sampling
{
    /// <summary>A Fisher–Yates permutation of 0..n − 1: position i takes a uniform choice among those not placed yet.</summary>
    public static int[] Permutation(int n, Generator generator)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = generator.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
