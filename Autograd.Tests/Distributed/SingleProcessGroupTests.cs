using Autograd.Distributed;

namespace Autograd.Tests.Distributed;

/// <summary>The world of one process: what a training program gets without a launcher, with no MPI needed.</summary>
[TestFixture]
public class SingleProcessGroupTests
{
    private static readonly Dictionary<string, string> NoLauncher = [];

    [Test]
    public void Initialize_WithoutALauncher_IsTheWorldOfOne()
    {
        var group = ProcessGroup.Initialize(name => NoLauncher.GetValueOrDefault(name));
        Assert.That(group, Is.SameAs(ProcessGroup.Single));
        Assert.That((group.Rank, group.WorldSize, group.LocalRank, group.IsMain, group.Backend), Is.EqualTo((0, 1, 0, true, "single")));
    }

    [Test]
    public void Initialize_InThisTestProcess_IsTheWorldOfOne()
    {
        Assume.That(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"), Is.Null, "the tests themselves run under mpirun");
        Assume.That(Environment.GetEnvironmentVariable("SLURM_STEP_ID"), Is.Null, "the tests themselves run under srun");
        Assert.That(ProcessGroup.Initialize(), Is.SameAs(ProcessGroup.Single));
    }

    [Test]
    public void Collectives_LeaveTheBuffersAsTheyAre()
    {
        var g = ProcessGroup.Single;
        float[] f = [1.5f, -2];
        double[] d = [3];
        long[] l = [long.MaxValue, 7];
        g.AllReduce(f);
        g.AllReduce(d, ReduceOp.Product);
        g.AllReduce(l, ReduceOp.Max);
        g.Broadcast(f);
        g.Broadcast(l, root: 0);
        Assert.That((f, d, l), Is.EqualTo((new[] { 1.5f, -2 }, new[] { 3.0 }, new[] { long.MaxValue, 7 })));
        var receive = new long[2];
        g.AllGather(l, receive);
        Assert.That(receive, Is.EqualTo(l));
        var w = g.AllReduceAsync(d.AsMemory());
        Assert.That(w.IsCompleted, Is.True);
        w.Wait();
        g.Barrier();
        Assert.That(g.AllReduce(2.5), Is.EqualTo(2.5));
        Assert.That(g.AllReduce(9L, ReduceOp.Min), Is.EqualTo(9));
        Assert.That(g.AllReduceMean(2.5), Is.EqualTo(2.5));
    }

    [Test]
    public void TensorHelpers_LeaveTheTensorAsItIs_AndReturnIt()
    {
        var g = ProcessGroup.Single;
        var t = Tensor.From(new double[,] { { 1, 2 }, { 3, 4 } });
        Assert.That(g.AllReduce(t), Is.SameAs(t));
        Assert.That(g.Broadcast(t), Is.SameAs(t));
        Assert.That(t.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3, 4 }));
        var leaf = Tensor.Ones([3]).RequireGrad();
        g.AllReduce(leaf, ReduceOp.Max);
        Assert.That(leaf.ToArray<float>(), Is.EqualTo(new[] { 1f, 1, 1 }));
        var i = Tensor.From(new long[] { 5, -6 });
        g.AllReduce(i, ReduceOp.Product);
        Assert.That(i.ToArray<long>(), Is.EqualTo(new long[] { 5, -6 }));
    }

    [Test]
    public void RunOnMain_RunsTheActionAndRethrowsItsException()
    {
        int ran = 0;
        ProcessGroup.Single.RunOnMain(() => ran++);
        Assert.That(ran, Is.EqualTo(1));
        Assert.That(() => ProcessGroup.Single.RunOnMain(() => throw new IOException("disk full")), Throws.TypeOf<IOException>().With.Message.EqualTo("disk full"));
    }

    [Test]
    [NonParallelizable]
    public void Run_ReturnsZero_OrOneNamingTheRankWhenTheProgramThrows()
    {
        ProcessGroup? seen = null;
        Assert.That(ProcessGroup.Run(g => seen = g), Is.EqualTo(0));
        Assert.That(seen, Is.SameAs(ProcessGroup.Single));
        var stderr = new StringWriter();
        var old = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.That(ProcessGroup.Run(_ => throw new InvalidOperationException("step 3 went wrong")), Is.EqualTo(1));
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.That(stderr.ToString(), Does.StartWith("rank 0 failed: System.InvalidOperationException: step 3 went wrong"));
    }

    [Test]
    public void BadArguments_AreRefusedNamingTheCall()
    {
        var g = ProcessGroup.Single;
        Assert.That(() => g.Broadcast(new float[2], root: 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Broadcast: the root must be a rank of the group"));
        Assert.That(() => g.AllGather(new double[2], new double[3]), Throws.TypeOf<ArgumentException>().With.Message.StartsWith("AllGather: receive holds 3 values"));
        Assert.That(() => g.AllReduce(new long[1], (ReduceOp)9), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("AllReduce: unknown ReduceOp"));
        Assert.That(() => g.AllReduce((Tensor)null!), Throws.TypeOf<ArgumentNullException>());
        Assert.That(() => g.RunOnMain(null!), Throws.TypeOf<ArgumentNullException>());
        Assert.That(() => ProcessGroup.Run(null!), Throws.TypeOf<ArgumentNullException>());
    }
}
