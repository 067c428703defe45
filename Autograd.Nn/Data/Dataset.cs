using System.Collections;

namespace Autograd.Nn.Data;

/// <summary>
/// A map-style dataset (PyTorch's <c>torch.utils.data.Dataset</c>): <see cref="Count"/> samples read by index.
/// Implement <see cref="Count"/> and the indexer; <see cref="DataLoader{TSample, TBatch}"/> batches any dataset.
/// </summary>
/// <typeparam name="T">The sample type, e.g. <c>(Tensor Input, Tensor Target)</c>.</typeparam>
public abstract class Dataset<T> : IReadOnlyList<T>
{
    /// <summary>The number of samples (PyTorch's <c>__len__</c>).</summary>
    public abstract int Count { get; }

    /// <summary>Sample <paramref name="index"/> (PyTorch's <c>__getitem__</c>).</summary>
    /// <param name="index">The sample index, in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range (implementations should throw it).</exception>
    public abstract T this[int index] { get; }

    /// <summary>The samples in index order.</summary>
    /// <returns>An enumerator over the samples.</returns>
    public IEnumerator<T> GetEnumerator()
    {
        int n = Count;
        for (int i = 0; i < n; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// A dataset whose sample <c>i</c> is <paramref name="transform"/> of this one's, computed when read (as the
    /// <c>transform</c> argument of torchvision's datasets).
    /// </summary>
    /// <typeparam name="TResult">The transformed sample type.</typeparam>
    /// <param name="transform">The function applied to each sample read.</param>
    /// <returns>A view of this dataset; nothing is computed until a sample is read.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transform"/> is null.</exception>
    public Dataset<TResult> Map<TResult>(Func<T, TResult> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new MappedDataset<T, TResult>(this, transform);
    }

    internal static void CheckIndex(string op, int index, int count)
    {
        if ((uint)index >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{op}: sample index {index} is out of range for {count} samples.");
    }
}

/// <summary>
/// An iterable-style dataset (PyTorch's <c>IterableDataset</c>): a stream of samples with no index, such as lines
/// read from a file. <see cref="DataLoader{TSample, TBatch}"/> batches consecutive samples; it cannot shuffle them.
/// </summary>
/// <typeparam name="T">The sample type.</typeparam>
public abstract class IterableDataset<T> : IEnumerable<T>
{
    /// <summary>Starts a pass over the samples (PyTorch's <c>__iter__</c>); each call is one epoch.</summary>
    /// <returns>An enumerator over the samples.</returns>
    public abstract IEnumerator<T> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

internal sealed class MappedDataset<T, TResult>(Dataset<T> source, Func<T, TResult> transform) : Dataset<TResult>
{
    public override int Count => source.Count;

    public override TResult this[int index] => transform(source[index]);
}

/// <summary>The samples of another dataset at given indices, in that order (PyTorch's <c>Subset</c>).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class Subset<T> : Dataset<T>
{
    private readonly int[] _indices;

    /// <summary>Creates the subset of <paramref name="dataset"/> at <paramref name="indices"/>.</summary>
    /// <param name="dataset">The full dataset.</param>
    /// <param name="indices">Indices into it, each in [0, dataset.Count); repeats are allowed. Copied.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range for <paramref name="dataset"/>.</exception>
    public Subset(Dataset<T> dataset, IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        _indices = indices.ToArray();
        int n = dataset.Count;
        foreach (int i in _indices)
            if ((uint)i >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"Subset: index {i} is out of range for a dataset of {n} samples.");
        Dataset = dataset;
    }

    /// <summary>The full dataset.</summary>
    public Dataset<T> Dataset { get; }

    /// <summary>The indices into <see cref="Dataset"/>, in order (a copy).</summary>
    public int[] Indices => (int[])_indices.Clone();

    /// <inheritdoc/>
    public override int Count => _indices.Length;

    /// <inheritdoc/>
    public override T this[int index]
    {
        get
        {
            CheckIndex("Subset", index, _indices.Length);
            return Dataset[_indices[index]];
        }
    }
}

/// <summary>Several datasets one after the other (PyTorch's <c>ConcatDataset</c>).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class ConcatDataset<T> : Dataset<T>
{
    private readonly Dataset<T>[] _datasets;
    private readonly int[] _ends;

    /// <summary>Concatenates <paramref name="datasets"/>.</summary>
    /// <param name="datasets">The datasets, at least one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="datasets"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">No datasets are given, or the total count exceeds <see cref="int.MaxValue"/>.</exception>
    public ConcatDataset(params Dataset<T>[] datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        if (datasets.Length == 0)
            throw new ArgumentException("ConcatDataset: needs at least one dataset.", nameof(datasets));
        _datasets = (Dataset<T>[])datasets.Clone();
        _ends = new int[_datasets.Length];
        long end = 0;
        for (int i = 0; i < _datasets.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_datasets[i], $"{nameof(datasets)}[{i}]");
            end += _datasets[i].Count;
            if (end > int.MaxValue)
                throw new ArgumentException($"ConcatDataset: the total count {end} exceeds {int.MaxValue} samples.", nameof(datasets));
            _ends[i] = (int)end;
        }
    }

    /// <summary>The datasets, in order.</summary>
    public IReadOnlyList<Dataset<T>> Datasets => _datasets;

    /// <inheritdoc/>
    public override int Count => _ends[^1];

    /// <inheritdoc/>
    public override T this[int index]
    {
        get
        {
            CheckIndex("ConcatDataset", index, Count);
            // The first dataset ending after index (empty datasets end where the previous one does).
            int lo = 0, hi = _ends.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_ends[mid] > index) hi = mid;
                else lo = mid + 1;
            }
            int d = lo;
            return _datasets[d][index - (d == 0 ? 0 : _ends[d - 1])];
        }
    }
}

/// <summary>Splitting datasets.</summary>
public static class Datasets
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into non-overlapping random subsets of the given lengths (PyTorch's
    /// <c>random_split</c>): a permutation drawn from <paramref name="generator"/> (or <see cref="Generator.Default"/>)
    /// is cut into consecutive pieces.
    /// </summary>
    /// <typeparam name="T">The sample type.</typeparam>
    /// <param name="dataset">The dataset.</param>
    /// <param name="lengths">The lengths, summing to <c>dataset.Count</c>.</param>
    /// <param name="generator">The random source; null for <see cref="Generator.Default"/>.</param>
    /// <returns>One subset per length.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> or <paramref name="lengths"/> is null.</exception>
    /// <exception cref="ArgumentException">A length is negative, or the lengths do not sum to the count.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, int[] lengths, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Any(l => l < 0) || lengths.Sum(l => (long)l) != dataset.Count)
            throw new ArgumentException(
                $"RandomSplit: lengths [{string.Join(", ", lengths)}] must be non-negative and sum to the dataset's {dataset.Count} samples.", nameof(lengths));
        var order = Sampling.Permutation(dataset.Count, generator ?? Generator.Default);
        var result = new Subset<T>[lengths.Length];
        int start = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            result[i] = new Subset<T>(dataset, order.AsSpan(start, lengths[i]).ToArray());
            start += lengths[i];
        }
        return result;
    }

    /// <summary>
    /// Splits <paramref name="dataset"/> by fractions summing to 1 (PyTorch's <c>random_split</c> with fractions):
    /// each length is floor(fraction · count), and the samples left over go one each to the pieces in turn.
    /// </summary>
    /// <typeparam name="T">The sample type.</typeparam>
    /// <param name="dataset">The dataset.</param>
    /// <param name="fractions">The fractions, each in [0, 1], summing to 1 (within 1e-9).</param>
    /// <param name="generator">The random source; null for <see cref="Generator.Default"/>.</param>
    /// <returns>One subset per fraction.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> or <paramref name="fractions"/> is null.</exception>
    /// <exception cref="ArgumentException">A fraction is outside [0, 1] or they do not sum to 1.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, double[] fractions, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(fractions);
        if (fractions.Length == 0 || fractions.Any(f => !(f >= 0 && f <= 1)) || Math.Abs(fractions.Sum() - 1) > 1e-9)
            throw new ArgumentException($"RandomSplit: fractions [{string.Join(", ", fractions)}] must be in [0, 1] and sum to 1.", nameof(fractions));
        int n = dataset.Count;
        var lengths = fractions.Select(f => (int)Math.Floor(n * f)).ToArray();
        int rest = n - lengths.Sum();
        for (int i = 0; i < rest; i++) lengths[i % lengths.Length]++;
        return RandomSplit(dataset, lengths, generator);
    }
}
