namespace Autograd.Tests.Distributed;

/// <summary>
/// Real MPI jobs of 2 and 3 ranks (see <see cref="MpiRunner"/>): every collective, dtype and op, the training helpers
/// and AllReduceAsync, each rank checking its results exactly and printing "rank R ok".
/// </summary>
[TestFixture]
[NonParallelizable]
public class MpiCollectivesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static void AssertEveryRankOk(MpiRunner.Result r, int np)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        for (int rank = 0; rank < np; rank++)
            Assert.That(r.Output, Does.Contain($"rank {rank} ok:"), r.ToString());
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Collectives_EveryDTypeOpAndLength_AreExact(int np)
    {
        var r = MpiRunner.Run(np, "collectives", [], Timeout);
        AssertEveryRankOk(r, np);
        Assert.That(r.Output, Does.Contain($"collective checks at world size {np}"), r.ToString());
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Helpers_ScalarAndTensorAllReduce_Broadcast_RunOnMain(int np) =>
        AssertEveryRankOk(MpiRunner.Run(np, "helpers", [], Timeout), np);

    [TestCase(2)]
    [TestCase(3)]
    public void AllReduceAsync_ManyInFlight_WaitedOutOfOrder(int np) =>
        AssertEveryRankOk(MpiRunner.Run(np, "async", [], Timeout), np);

    [Test]
    public void Dispose_FinalisesMpi_ThenCollectivesAndASecondInitializeAreRefused()
    {
        var r = MpiRunner.Run(2, "lifecycle", [], Timeout);
        AssertEveryRankOk(r, 2);
        Assert.That(r.Output, Does.Contain("ok: 4 checks after Dispose"), r.ToString());
    }

    [Test]
    public void ReturningWithoutDispose_FinalisesAtExit_WithExitCodeZero()
    {
        var r = MpiRunner.Run(3, "no-dispose", [], Timeout);
        AssertEveryRankOk(r, 3);
        Assert.That(r.Output, Does.Not.Contain("without calling").And.Not.Contain("finalize"), r.ToString());
    }
}
