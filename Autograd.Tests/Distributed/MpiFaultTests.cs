using Autograd.Nn;
using Autograd.Nn.Checkpoints;

namespace Autograd.Tests.Distributed;

/// <summary>
/// A rank that fails (throws, is killed, exits) ends the whole MPI job, non-zero, within 30 s of the failure, with the
/// failed rank named; a checkpoint rank 0 was writing meanwhile is the old file or the new one, whole.
/// </summary>
[TestFixture]
[NonParallelizable]
public class MpiFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static void AssertEndedSoonAfterTheFault(MpiRunner.Result r)
    {
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        long after = r.EndedAtUnixMs - r.FaultAtUnixMs();
        Assert.That(after, Is.LessThan(Bound.TotalMilliseconds), $"the job ended {after} ms after the fault\n{r}");
        Assert.That(r.Output, Does.Not.Contain("ok: 1000 steps"), r.ToString());
    }

    [TestCase(2, 1)]
    [TestCase(3, 1)]
    [TestCase(3, 0)]
    public void ThrowingRank_InsideRun_EndsEveryRank_NamingIt(int np, int failing)
    {
        var r = MpiRunner.Run(np, "throw", [failing.ToString()], Timeout);
        AssertEndedSoonAfterTheFault(r);
        Assert.That(r.Output, Does.Contain($"rank {failing} failed: System.InvalidOperationException: training step 3 failed on rank {failing}"), r.ToString());
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
    }

    [TestCase("main")]
    [TestCase("thread")]
    public void UnhandledException_EndsEveryRank_NamingIt(string where)
    {
        var r = MpiRunner.Run(3, "throw-unhandled", where == "thread" ? ["2", "thread"] : ["2"], Timeout);
        AssertEndedSoonAfterTheFault(r);
        Assert.That(r.Output, Does.Contain("rank 2 failed: System.InvalidOperationException: "), r.ToString());
    }

    [Test]
    public void KilledRank_Sigkill_EndsEveryRank()
    {
        var r = MpiRunner.Run(3, "kill", ["1"], Timeout);
        AssertEndedSoonAfterTheFault(r);
        Assert.That(r.Output, Does.Contain("process rank 1 with PID").And.Contain("signal 9"), r.ToString());
    }

    [Test]
    public void RankExitingNonZero_WithoutDisposing_EndsEveryRank()
    {
        var r = MpiRunner.Run(3, "exit", ["2"], Timeout);
        AssertEndedSoonAfterTheFault(r);
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.Output, Does.Contain("Exit code:    3"), r.ToString());
    }

    [Test]
    public void CheckpointWrittenByRank0_WhileRank1Fails_IsTheOldOrTheNewFileWhole()
    {
        var folder = Directory.CreateTempSubdirectory("autograd-mpi-checkpoint-").FullName;
        var path = Path.Combine(folder, "model.safetensors");
        var r = MpiRunner.Run(2, "checkpoint", [path, "1"], Timeout);
        AssertEndedSoonAfterTheFault(r);
        Assert.That(r.Output, Does.Contain("rank 0: old checkpoint written").And.Contain("rank 1 failed: "), r.ToString());
        var model = new Linear(2048, 4096);
        Checkpoint.Load(model, path); // throws on a torn or truncated file
        var weights = model.Weight.ToArray<float>();
        float first = weights[0];
        Assert.That(first is 1f or 2f, Is.True, $"weight {first}\n{r}");
        Assert.That(weights.All(w => w == first), Is.True, "a mix of the old and the new checkpoint\n" + r);
        TestContext.Out.WriteLine($"the checkpoint holds the {(first == 1f ? "old" : "new")} weights; files left: {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName))}");
    }
}
