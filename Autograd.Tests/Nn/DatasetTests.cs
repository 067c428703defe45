using Autograd.Nn.Data;

namespace Autograd.Tests.Nn;

/// <summary>
/// Datasets users implement (map-style and iterable), Subset, ConcatDataset, RandomSplit, the samplers, DataLoader
/// over any dataset with a collate function, background prefetching (the same batches in the same order), and the
/// tensor transforms.
/// </summary>
public class DatasetTests
{
    /// <summary>Sample i is (i, i²) as 0-d float64 tensors; records the threads that read it.</summary>
    private sealed class Squares(int count) : Dataset<(Tensor Input, Tensor Target)>
    {
        public readonly System.Collections.Concurrent.ConcurrentBag<Thread> Readers = [];
        public int FailAt { get; init; } = -1;

        public override int Count => count;

        public override (Tensor Input, Tensor Target) this[int index]
        {
            get
            {
                CheckIndex(index);
                Readers.Add(Thread.CurrentThread);
                if (index == FailAt) throw new InvalidDataException($"sample {index} is corrupt");
                return (Tensor.Scalar((double)index), Tensor.Scalar((double)index * index));
            }
        }

        private void CheckIndex(int index)
        {
            if ((uint)index >= (uint)count) throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    private sealed class Counting(int count) : IterableDataset<int>
    {
        public override IEnumerator<int> GetEnumerator()
        {
            for (int i = 0; i < count; i++) yield return i;
        }
    }

    private static double[][] Inputs(IEnumerable<(Tensor Inputs, Tensor Targets)> loader) =>
        loader.Select(b => b.Inputs.ToArray<double>()).ToArray();

    [Test]
    public void ACustomDatasetIsBatchedByTheDefaultCollate()
    {
        var loader = new DataLoader(new Squares(7), batchSize: 3);
        var batches = loader.ToList();
        Assert.That(loader.Count, Is.EqualTo(3));
        Assert.That(batches.Select(b => b.Inputs.ToArray<double>()), Is.EqualTo(new[] { new[] { 0.0, 1, 2 }, [3.0, 4, 5], [6.0] }));
        Assert.That(batches[1].Targets.ToArray<double>(), Is.EqualTo(new[] { 9.0, 16, 25 }));
        Assert.That(batches[0].Inputs.Shape, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void AGenericLoaderUsesItsCollateFunction()
    {
        var words = new WordList(["a", "bb", "ccc", "dddd", "eeeee"]);
        var loader = new DataLoader<string, string>(words, batchSize: 2, collate: s => string.Join("+", s), dropLast: true);
        Assert.That(loader.ToList(), Is.EqualTo(new[] { "a+bb", "ccc+dddd" }));
        Assert.That(loader.Count, Is.EqualTo(2));
    }

    private sealed class WordList(string[] words) : Dataset<string>
    {
        public override int Count => words.Length;

        public override string this[int index] => words[index];
    }

    [Test]
    public void AnIterableDatasetIsBatchedInItsOwnOrderAndHasNoLength()
    {
        var loader = new DataLoader<int, int[]>(new Counting(7), batchSize: 3, collate: s => s.ToArray());
        Assert.That(loader.ToList(), Is.EqualTo(new[] { new[] { 0, 1, 2 }, [3, 4, 5], [6] }));
        var e = Assert.Throws<InvalidOperationException>(() => _ = loader.Count);
        Assert.That(e!.Message, Does.StartWith("DataLoader: an iterable dataset has no length"));
        Assert.That(new DataLoader<int, int[]>(new Counting(7), 3, s => s.ToArray(), dropLast: true, prefetch: true).ToList(),
            Is.EqualTo(new[] { new[] { 0, 1, 2 }, [3, 4, 5] }));
    }

    [Test]
    public void SubsetAndConcatDatasetIndexThrough()
    {
        var squares = new Squares(5);
        var subset = new Subset<(Tensor Input, Tensor Target)>(squares, [4, 0, 4]);
        Assert.That(subset.Select(s => s.Input.Item()), Is.EqualTo(new[] { 4.0, 0, 4 }));
        var concat = new ConcatDataset<(Tensor Input, Tensor Target)>(squares, subset, new Squares(0), new Squares(2));
        Assert.That(concat.Count, Is.EqualTo(10));
        Assert.That(concat.Select(s => s.Input.Item()), Is.EqualTo(new[] { 0.0, 1, 2, 3, 4, 4, 0, 4, 0, 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = concat[10]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Subset<(Tensor Input, Tensor Target)>(squares, [5]));
        Assert.That(e!.Message, Does.StartWith("Subset: index 5 is out of range for a dataset of 5 samples"));
        Assert.Throws<ArgumentException>(() => _ = new ConcatDataset<int>());
    }

    [Test]
    public void ALoaderOverASubsetOfATensorDatasetGivesTheSubsetsSamples()
    {
        var x = Tensor.Arange(0, 10, dtype: DType.Float64).Reshape(10, 1);
        var data = new TensorDataset(x, x * 2);
        var subset = new Subset<(Tensor Input, Tensor Target)>(data, [7, 2, 5, 9]);
        var batches = new DataLoader(subset, batchSize: 3).ToList();
        Assert.That(batches.Select(b => b.Inputs.ToArray<double>()), Is.EqualTo(new[] { new[] { 7.0, 2, 5 }, [9.0] }));
        Assert.That(batches[0].Targets.ToArray<double>(), Is.EqualTo(new[] { 14.0, 4, 10 }));
        Assert.That(batches[0].Inputs.Shape, Is.EqualTo(new[] { 3, 1 }));
    }

    [Test]
    public void RandomSplitIsSeededDisjointAndCovering()
    {
        var data = new Squares(10);
        var a = Datasets.RandomSplit(data, [6, 3, 1], new Generator(5));
        var b = Datasets.RandomSplit(data, [6, 3, 1], new Generator(5));
        Assert.That(a.Select(s => s.Indices), Is.EqualTo(b.Select(s => s.Indices)));
        Assert.That(a.Select(s => s.Count), Is.EqualTo(new[] { 6, 3, 1 }));
        Assert.That(a.SelectMany(s => s.Indices).Order(), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(Datasets.RandomSplit(data, [6, 3, 1], new Generator(6))[0].Indices, Is.Not.EqualTo(a[0].Indices));
        // Fractions: floor(10·0.55) = 5, floor(10·0.45) = 4, and the one left goes to the first.
        Assert.That(Datasets.RandomSplit(data, [0.55, 0.45], new Generator(5)).Select(s => s.Count), Is.EqualTo(new[] { 6, 4 }));
        var e = Assert.Throws<ArgumentException>(() => Datasets.RandomSplit(data, [6, 3], new Generator(5)));
        Assert.That(e!.Message, Does.StartWith("RandomSplit: lengths [6, 3] must be non-negative and sum to the dataset's 10 samples"));
        Assert.Throws<ArgumentException>(() => Datasets.RandomSplit(data, [0.5, 0.6]));
    }

    [Test]
    public void RandomSamplerDrawsAFreshSeededPermutationEachEpoch()
    {
        var sampler = new RandomSampler(20, generator: new Generator(3));
        var first = sampler.ToArray();
        var second = sampler.ToArray();
        Assert.That(first.Order(), Is.EqualTo(Enumerable.Range(0, 20)));
        Assert.That(second.Order(), Is.EqualTo(Enumerable.Range(0, 20)));
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(new RandomSampler(20, generator: new Generator(3)).ToArray(), Is.EqualTo(first));
        // More samples than the dataset without replacement: whole permutations, then part of one.
        var longer = new RandomSampler(4, numSamples: 10, generator: new Generator(1)).ToArray();
        Assert.That(longer[..4].Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(longer[4..8].Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(longer.Length, Is.EqualTo(10));
        var withReplacement = new RandomSampler(3, replacement: true, numSamples: 3000, generator: new Generator(2)).ToArray();
        // Each index ~ Binomial(3000, 1/3): mean 1000, sd 25.8; 5 sd bounds.
        foreach (int i in new[] { 0, 1, 2 })
            Assert.That(withReplacement.Count(v => v == i), Is.InRange(871, 1129));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RandomSampler(0, numSamples: 1));
    }

    [Test]
    public void TheShuffledLoaderDrawsTheSamePermutationAsBefore()
    {
        // Shuffling is a RandomSampler: the same Fisher–Yates draws as the loader always made, so a seed keeps its epochs.
        var x = Tensor.Arange(0, 9, dtype: DType.Float64);
        var loader = new DataLoader(new TensorDataset(x, x), batchSize: 9, shuffle: true, generator: new Generator(11));
        var viaSampler = new RandomSampler(9, generator: new Generator(11)).Select(i => (double)i).ToArray();
        Assert.That(loader.Single().Inputs.ToArray<double>(), Is.EqualTo(viaSampler));
    }

    [Test]
    public void SubsetRandomAndWeightedSamplers()
    {
        var subset = new SubsetRandomSampler([10, 20, 30, 40], new Generator(4)).ToArray();
        Assert.That(subset.Order(), Is.EqualTo(new[] { 10, 20, 30, 40 }));
        var weighted = new WeightedRandomSampler([1, 0, 3], numSamples: 4000, generator: new Generator(8)).ToArray();
        Assert.That(weighted.Count(v => v == 1), Is.EqualTo(0));
        // Index 2 ~ Binomial(4000, 3/4): mean 3000, sd 27.4; 5 sd bounds.
        Assert.That(weighted.Count(v => v == 2), Is.InRange(2863, 3137));
        var distinct = new WeightedRandomSampler([5, 1, 1, 0.5], numSamples: 4, replacement: false, generator: new Generator(8)).ToArray();
        Assert.That(distinct.Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        var e = Assert.Throws<ArgumentException>(() => _ = new WeightedRandomSampler([1, 0], 2, replacement: false));
        Assert.That(e!.Message, Does.StartWith("WeightedRandomSampler: cannot draw 2 samples without replacement from 1 samples of positive weight"));
        e = Assert.Throws<ArgumentException>(() => _ = new WeightedRandomSampler([1, -1], 2));
        Assert.That(e!.Message, Does.StartWith("WeightedRandomSampler: weight 1 is -1"));
        Assert.Throws<ArgumentException>(() => _ = new WeightedRandomSampler([0, 0], 2));
    }

    [Test]
    public void BatchSamplerAndTheLoaderOverIt()
    {
        var batches = new BatchSampler(new SequentialSampler(7), 3, dropLast: false);
        Assert.That(batches.ToList(), Is.EqualTo(new[] { new[] { 0, 1, 2 }, [3, 4, 5], [6] }));
        Assert.That((batches.Count, new BatchSampler(new SequentialSampler(7), 3, dropLast: true).Count), Is.EqualTo((3, 2)));
        var loader = new DataLoader(new Squares(7), new BatchSampler(new SequentialSampler(7), 3, dropLast: true));
        Assert.That(Inputs(loader), Is.EqualTo(new[] { new[] { 0.0, 1, 2 }, [3.0, 4, 5] }));
        var sampled = new DataLoader(new Squares(5), batchSize: 2, sampler: new SubsetRandomSampler([4, 3], new Generator(1)));
        Assert.That(Inputs(sampled).Single().Order(), Is.EqualTo(new[] { 3.0, 4.0 }));
        var e = Assert.Throws<ArgumentException>(() => _ = new DataLoader(new Squares(5), 2, shuffle: true, sampler: new SequentialSampler(5)));
        Assert.That(e!.Message, Does.StartWith("DataLoader: sampler and shuffle are mutually exclusive"));
    }

    [Test]
    public void PrefetchingGivesTheSameBatchesInTheSameOrderFromAnotherThread()
    {
        // Two shuffled epochs each, while the loop body draws from the same default generator (as dropout does): the
        // order of an epoch is drawn when it starts, so the loop's draws cannot reorder the batches.
        List<double[]> Run(bool prefetch, Squares data)
        {
            Generator.ManualSeed(21);
            var loader = new DataLoader(data, batchSize: 4, shuffle: true, prefetch: prefetch);
            var seen = new List<double[]>();
            for (int epoch = 0; epoch < 2; epoch++)
                foreach (var (inputs, targets) in loader)
                {
                    Generator.Default.NextDouble();
                    seen.Add([.. inputs.ToArray<double>(), .. targets.ToArray<double>()]);
                }
            return seen;
        }
        var plain = new Squares(30);
        var background = new Squares(30);
        var expected = Run(false, plain);
        var actual = Run(true, background);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(expected.Count, Is.EqualTo(16));
        Assert.That(plain.Readers.Distinct().Single(), Is.SameAs(Thread.CurrentThread));
        Assert.That(background.Readers, Does.Not.Contain(Thread.CurrentThread));
    }

    [Test]
    public void AnErrorInTheBackgroundIsRethrownAtItsBatchAndLeavingEarlyStopsTheThread()
    {
        var failing = new Squares(10) { FailAt = 6 };
        var loader = new DataLoader(failing, batchSize: 2, prefetch: true);
        var got = new List<double>();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var (inputs, _) in loader) got.AddRange(inputs.ToArray<double>());
        });
        Assert.That(e!.Message, Is.EqualTo("sample 6 is corrupt"));
        Assert.That(got, Is.EqualTo(new[] { 0.0, 1, 2, 3, 4, 5 }));

        var data = new Squares(1000);
        foreach (var _ in new DataLoader(data, batchSize: 1, prefetch: true)) break;
        var worker = data.Readers.Distinct().Single();
        Assert.That(worker.IsAlive, Is.False, "the prefetch thread ends when the enumeration is disposed");
        Assert.That(data.Readers.Count, Is.LessThan(10));
    }

    [Test]
    public void NormalizeOneHotComposeAndMap()
    {
        var x = Tensor.From([1.0, 3.0, 5.0, 7.0]);
        Assert.That(new Normalize([1], [2]).Apply(x).ToArray<double>(), Is.EqualTo(new[] { 0.0, 1, 2, 3 }));
        // (C=2, H=1, W=2): channel 0 by (0, 1), channel 1 by (4, 0.5).
        var image = Tensor.From([1.0, 2.0, 5.0, 6.0]).Reshape(2, 1, 2);
        Assert.That(new Normalize([0, 4], [1, 0.5]).Apply(image).ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 2, 4 }));
        var batch = Tensor.Stack([image, image], 0);
        Assert.That(new Normalize([0, 4], [1, 0.5]).Apply(batch).Shape, Is.EqualTo(new[] { 2, 2, 1, 2 }));
        var e = Assert.Throws<ArgumentException>(() => new Normalize([0, 4, 1], [1, 1, 1]).Apply(image));
        Assert.That(e!.Message, Does.StartWith("Normalize: 3 channels need dimension -3 of size 3; got a tensor of shape [2, 1, 2]"));
        e = Assert.Throws<ArgumentException>(() => _ = new Normalize([0], [0]));
        Assert.That(e!.Message, Does.StartWith("Normalize: std [0] must be finite and non-zero"));

        var onehot = new OneHot(3).Apply(Tensor.From([2L, 0L]));
        Assert.That((onehot.DType, onehot.Shape), Is.EqualTo((DType.Int64, new[] { 2, 3 })));
        Assert.That(onehot.ToArray<long>(), Is.EqualTo(new long[] { 0, 0, 1, 1, 0, 0 }));
        Assert.That(new OneHot().Apply(Tensor.From([1L])).Shape, Is.EqualTo(new[] { 1, 2 }));
        e = Assert.Throws<ArgumentException>(() => new OneHot(3).Apply(Tensor.From([3L])));
        Assert.That(e!.Message, Does.StartWith("one_hot: class index 3 is out of range for 3 classes"));

        var pipeline = new Compose(new Normalize([1], [2]), new Lambda(t => t * 10));
        Assert.That(pipeline.Apply(x).ToArray<double>(), Is.EqualTo(new[] { 0.0, 10, 20, 30 }));
        Assert.That(pipeline.ToString(), Is.EqualTo("Compose(\n    Normalize(mean=[1], std=[2])\n    Lambda()\n)"));

        var mapped = new Squares(3).Map(s => (pipeline.Apply(s.Input), new OneHot(9, DType.Float32).Apply(s.Target.To(DType.Int64))));
        var loaded = new DataLoader(mapped, batchSize: 3).Single();
        Assert.That(loaded.Inputs.ToArray<double>(), Is.EqualTo(new[] { -5.0, 0, 5 }));
        Assert.That((loaded.Targets.DType, loaded.Targets.Shape), Is.EqualTo((DType.Float32, new[] { 3, 9 })));
    }
}
