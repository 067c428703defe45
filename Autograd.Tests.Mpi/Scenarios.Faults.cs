using System.Diagnostics;
using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;

namespace Autograd.Tests.Mpi;

internal static partial class Scenarios
{
    /// <summary>Training steps (an all-reduce each) in which rank <c>args[0]</c> throws at step 3 inside <see cref="ProcessGroup.Run"/>.</summary>
    [Scenario("throw")]
    public static void Throw(ProcessGroup group, string[] args) => Steps(group, int.Parse(args[0]), "throw");

    /// <summary>As <c>throw</c>, outside <see cref="ProcessGroup.Run"/>: the exception is unhandled (on a worker thread when <c>args[1]</c> is "thread").</summary>
    [Scenario("throw-unhandled", Unwrapped = true)]
    public static void ThrowUnhandled(ProcessGroup group, string[] args) =>
        Steps(group, int.Parse(args[0]), args.Length > 1 && args[1] == "thread" ? "thread" : "throw");

    /// <summary>As <c>throw</c>, but rank <c>args[0]</c> kills itself with SIGKILL at step 3.</summary>
    [Scenario("kill")]
    public static void Kill(ProcessGroup group, string[] args) => Steps(group, int.Parse(args[0]), "kill");

    /// <summary>As <c>throw</c>, but rank <c>args[0]</c> calls Environment.Exit(3) at step 3 without disposing the group.</summary>
    [Scenario("exit")]
    public static void Exit(ProcessGroup group, string[] args) => Steps(group, int.Parse(args[0]), "exit");

    /// <summary>
    /// Rank 0 writes a checkpoint of 1s, then starts writing one of 2s (about 32 MB) through RunOnMain; rank <c>args[1]</c>
    /// throws as soon as that write has begun. The test then reads <c>args[0]</c>: it must be one checkpoint or the other, whole.
    /// </summary>
    [Scenario("checkpoint")]
    public static void CheckpointDuringFailure(ProcessGroup group, string[] args)
    {
        string path = args[0], started = path + ".started";
        int failing = int.Parse(args[1]);
        var model = new Linear(2048, 4096);
        using (Autodiff.NoGrad()) model.Weight.Fill(1);
        group.RunOnMain(() => Checkpoint.Save(model, path));
        Console.WriteLine($"rank {group.Rank}: old checkpoint written");
        using (Autodiff.NoGrad()) model.Weight.Fill(2);
        if (group.Rank == failing)
        {
            var sw = Stopwatch.StartNew();
            while (!File.Exists(started) && sw.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(1);
            Console.WriteLine($"rank {group.Rank} throwing at {Now()}");
            throw new InvalidOperationException($"rank {group.Rank}: failure while rank 0 writes the checkpoint");
        }
        group.RunOnMain(() =>
        {
            File.WriteAllText(started, "");
            Checkpoint.Save(model, path);
            Console.WriteLine($"rank 0: new checkpoint written at {Now()}");
        });
        group.Barrier();
        Ok(group, "checkpoint");
    }

    private static void Steps(ProcessGroup group, int failing, string how)
    {
        Console.WriteLine($"rank {group.Rank} of {group.WorldSize} started");
        var gradient = new float[1000];
        for (int step = 0; step < 1000; step++)
        {
            if (step == 3 && group.Rank == failing)
            {
                Console.WriteLine($"rank {group.Rank} failing ({how}) at {Now()}");
                Console.Out.Flush();
                switch (how)
                {
                    case "kill":
                        Process.GetCurrentProcess().Kill();
                        break;
                    case "exit":
                        Environment.Exit(3);
                        break;
                    case "thread":
                        var t = new Thread(() => throw new InvalidOperationException($"worker thread of rank {group.Rank} failed in training step {step}"));
                        t.Start();
                        t.Join();
                        break;
                    default:
                        throw new InvalidOperationException($"training step {step} failed on rank {group.Rank}");
                }
            }
            Array.Fill(gradient, step);
            group.AllReduce(gradient);
            if (gradient[0] != step * group.WorldSize) throw new InvalidOperationException($"step {step}: {gradient[0]}");
            if (step >= 3) Thread.Sleep(5);
        }
        Ok(group, "1000 steps");
    }
}
