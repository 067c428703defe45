using Autograd.Distributed;
using Autograd.Nn.Data;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Distributed;

/// <summary>DistributedSampler: PyTorch 1.13's shard arithmetic over Autograd's seeded permutation.</summary>
public class DistributedSamplerTests
{
    private static int[][] Shards(int n, int replicas, bool shuffle = true, ulong seed = 0, bool dropLast = false, int epoch = 0) =>
        Enumerable.Range(0, replicas).Select(r =>
        {
            var s = new DistributedSampler(n, replicas, r, shuffle, seed, dropLast);
            s.SetEpoch(epoch);
            return s.ToArray();
        }).ToArray();

    // Rank r's j-th index is position r + j·R of the (padded or cut) order.
    private static int[] Interleave(int[][] shards)
    {
        var all = new List<int>();
        for (int j = 0; j < shards[0].Length; j++)
            foreach (var s in shards) all.Add(s[j]);
        return all.ToArray();
    }

    [Test]
    public void ShardsWithoutShuffleMatchTorch113()
    {
        var cases = Fixture.Json("Distributed", "distributed.json").GetProperty("samplers");
        int count = 0;
        foreach (var c in cases.EnumerateArray())
        {
            int n = c.GetProperty("n").GetInt32(), replicas = c.GetProperty("numReplicas").GetInt32();
            bool dropLast = c.GetProperty("dropLast").GetBoolean();
            var expected = c.GetProperty("shards").EnumerateArray().Select(s => s.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToArray();
            var shards = Shards(n, replicas, shuffle: false, dropLast: dropLast);
            Assert.That(shards, Is.EqualTo(expected), $"n {n}, {replicas} replicas, dropLast {dropLast}");
            for (int r = 0; r < replicas; r++)
                Assert.That(new DistributedSampler(n, replicas, r, dropLast: dropLast).Count, Is.EqualTo(expected[r].Length));
            count++;
        }
        Assert.That(count, Is.EqualTo(90));
    }

    [TestCase(10, 3)]
    [TestCase(12, 4)]
    [TestCase(7, 2)]
    [TestCase(1000, 3)]
    public void TheShardsTogetherAreTheSingleProcessPermutationWithOnlyThePaddingRepeated(int n, int replicas)
    {
        var single = new RandomSampler(n, generator: new Generator(42 + 3)).ToArray();
        var shards = Shards(n, replicas, seed: 42, epoch: 3);
        var union = Interleave(shards);
        int total = (n + replicas - 1) / replicas * replicas;
        Assert.That(union, Has.Length.EqualTo(total));
        Assert.That(union.Take(n), Is.EqualTo(single), "rank r takes positions r, r + R, … of the permutation");
        Assert.That(union.Skip(n), Is.EqualTo(single.Take(total - n)), "the padding repeats the permutation's start");
        Assert.That(union.Distinct().Count(), Is.EqualTo(n));
    }

    [Test]
    public void TheUnionIsTheFirstEpochOfAShufflingDataLoaderWithTheSameGenerator()
    {
        var x = Tensor.Arange(10, DType.Float32).Reshape(10, 1);
        var dataset = new TensorDataset(x, x);
        var single = new DataLoader(dataset, batchSize: 10, shuffle: true, generator: new Generator(7)).First().Inputs.ToArray<float>().Select(v => (int)v).ToArray();
        // Each rank's loader reads its shard.
        var perRank = Enumerable.Range(0, 2).Select(r =>
            new DataLoader(dataset, batchSize: 5, sampler: new DistributedSampler(10, 2, r, seed: 7)).SelectMany(b => b.Inputs.ToArray<float>()).Select(v => (int)v).ToArray()).ToArray();
        Assert.That(Interleave(perRank), Is.EqualTo(single));
    }

    [Test]
    public void DropLastCutsTheTailSoNoIndexRepeats()
    {
        var single = new RandomSampler(11, generator: new Generator(5)).ToArray();
        var shards = Shards(11, 3, seed: 5, dropLast: true);
        Assert.That(shards.Select(s => s.Length), Is.All.EqualTo(3));
        Assert.That(Interleave(shards), Is.EqualTo(single.Take(9)));
        Assert.That(new DistributedSampler(2, 3, 0, dropLast: true).Count, Is.EqualTo(0));
        Assert.That(new DistributedSampler(11, 3, 0, dropLast: true).TotalSize, Is.EqualTo(9));
        Assert.That(new DistributedSampler(11, 3, 0).TotalSize, Is.EqualTo(12));
    }

    [Test]
    public void SetEpochChangesTheOrderTheSameWayOnEveryRankAndTheSameSeedGivesTheSameOrder()
    {
        var epoch0 = Shards(50, 2, seed: 1);
        var epoch1 = Shards(50, 2, seed: 1, epoch: 1);
        Assert.That(epoch1, Is.Not.EqualTo(epoch0));
        Assert.That(Shards(50, 2, seed: 1, epoch: 1), Is.EqualTo(epoch1), "deterministic");
        Assert.That(Shards(50, 2, seed: 0, epoch: 2), Is.EqualTo(Shards(50, 2, seed: 1, epoch: 1)), "seeded with seed + epoch, as PyTorch");
        Assert.That(Interleave(epoch1).Order(), Is.EqualTo(Enumerable.Range(0, 50)));

        var sampler = new DistributedSampler(50, 2, 1, seed: 1);
        var again = sampler.ToArray();
        Assert.That(sampler.ToArray(), Is.EqualTo(again), "an epoch enumerates the same order until SetEpoch");
        sampler.SetEpoch(1);
        Assert.That(sampler.Epoch, Is.EqualTo(1));
        Assert.That(sampler.ToArray(), Is.EqualTo(epoch1[1]));
        // Without shuffle the epoch changes nothing.
        Assert.That(Shards(10, 2, shuffle: false, epoch: 5), Is.EqualTo(Shards(10, 2, shuffle: false)));
    }

    [Test]
    public void TheProcessGroupOverloadTakesTheWorldSizeAndRank()
    {
        var s = new DistributedSampler(10, ProcessGroup.Single, shuffle: false);
        Assert.That((s.NumReplicas, s.Rank, s.Shuffle, s.Seed, s.DropLast, s.DatasetCount, s.NumSamples), Is.EqualTo((1, 0, false, 0UL, false, 10, 10)));
        Assert.That(s.ToArray(), Is.EqualTo(Enumerable.Range(0, 10)));
        var ranks = ThreadedWorld.Run(3, g => new DistributedSampler(10, g, seed: 3).ToArray());
        Assert.That(ranks, Is.EqualTo(Shards(10, 3, seed: 3)));
        Assert.Throws<ArgumentNullException>(() => _ = new DistributedSampler(10, null!));
    }

    [Test]
    public void BadArgumentsAreRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DistributedSampler(10, 2, 2));
        Assert.That(ex!.Message, Does.StartWith("DistributedSampler: rank 2 is outside [0, 1] for 2 replicas."));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DistributedSampler(10, 2, -1));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DistributedSampler(10, 0, 0));
        Assert.That(ex!.Message, Does.StartWith("DistributedSampler: numReplicas must be at least 1."));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DistributedSampler(-1, 1, 0));
        Assert.That(ex!.Message, Does.StartWith("DistributedSampler: the count must be non-negative."));
    }
}
