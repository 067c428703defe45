using System.Text.RegularExpressions;

namespace Autograd.Tests.Distributed;

/// <summary>
/// DistributedDataParallel in real MPI jobs of 2 and 3 ranks (see <see cref="MpiRunner"/> and the <c>ddp-*</c> scenarios
/// of Autograd.Tests.Mpi): after 50 steps every rank's parameters are bitwise identical and equal a single process that
/// averages the same micro-batches' gradients in rank order (bitwise with 2 ranks; with 3, each step's average within
/// the rounding bound of a sum in another order, checked by the scenario); the same seed gives the same bits; a rank
/// whose model differs fails the construction on every rank with the difference named.
/// </summary>
[TestFixture]
[NonParallelizable]
public class MpiDdpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private static string Hash(MpiRunner.Result r, int np)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        var hashes = Enumerable.Range(0, np).Select(rank =>
        {
            var m = Regex.Match(r.Output, $@"rank {rank} ok: ddp-train hash ([0-9A-F]{{16}})");
            Assert.That(m.Success, Is.True, $"rank {rank} reported no hash\n{r}");
            return m.Groups[1].Value;
        }).ToArray();
        Assert.That(hashes, Is.All.EqualTo(hashes[0]), r.ToString());
        return hashes[0];
    }

    [TestCase(2, "25")]
    [TestCase(3, "25")]
    [TestCase(2, "0.01")]
    [TestCase(3, "0.01")]
    public void After50Steps_EveryRanksParametersAreIdentical_AndEqualTheSingleProcessRankOrderMean(int np, string bucketCapMB)
    {
        var r = MpiRunner.Run(np, "ddp-train", ["50", "7", bucketCapMB], Timeout);
        Hash(r, np);
        Assert.That(r.Output, Does.Contain($"buckets {(bucketCapMB == "25" ? 2 : 3)},"), r.ToString());
    }

    [TestCase(2)]
    [TestCase(3)]
    public void RepeatedRunsWithTheSameSeedGiveTheSameBits(int np)
    {
        string first = Hash(MpiRunner.Run(np, "ddp-train", ["20", "11", "0.01"], Timeout), np);
        string again = Hash(MpiRunner.Run(np, "ddp-train", ["20", "11", "0.01"], Timeout), np);
        string otherSeed = Hash(MpiRunner.Run(np, "ddp-train", ["20", "12", "0.01"], Timeout), np);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(otherSeed, Is.Not.EqualTo(first));
    }

    [TestCase(2, 1)]
    [TestCase(3, 2)]
    public void ARankWhoseModelDiffers_FailsTheConstructionOnEveryRank_NamingTheParameter(int np, int odd)
    {
        var r = MpiRunner.Run(np, "ddp-mismatch", [odd.ToString(), "caught"], Timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        for (int rank = 0; rank < np; rank++) Assert.That(r.Output, Does.Contain($"rank {rank} ok: ddp-mismatch named on every rank"), r.ToString());
    }

    [Test]
    public void ARankWhoseModelDiffers_EndsTheJobWithTheMismatchNamed()
    {
        var r = MpiRunner.Run(2, "ddp-mismatch", ["1"], Timeout);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Output, Does.Contain("failed: System.InvalidOperationException: DistributedDataParallel: rank 1's parameter '0.weight' has shape [256, 1025] where rank 0's has [256, 1024]."), r.ToString());
        Assert.That(r.Output, Does.Not.Contain("ok: ddp-mismatch"), r.ToString());
    }
}
