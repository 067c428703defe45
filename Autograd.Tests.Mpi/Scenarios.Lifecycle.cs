using Autograd.Distributed;

namespace Autograd.Tests.Mpi;

internal static partial class Scenarios
{
    /// <summary>Disposing finalises MPI: later collectives and a second Initialize are refused, naming the call.</summary>
    [Scenario("lifecycle", Unwrapped = true)]
    public static void Lifecycle(ProcessGroup group, string[] args)
    {
        Check(group, group.AllReduce(1L) == group.WorldSize, "AllReduce before Dispose");
        int rank = group.Rank;
        group.Dispose();
        group.Dispose(); // a second Dispose does nothing
        int checks = 0;
        checks += Throws<ObjectDisposedException>(group, () => group.AllReduce(new float[1]), "AllReduce: the process group was disposed, which finalised MPI");
        checks += Throws<ObjectDisposedException>(group, () => group.AllReduceAsync(new double[1]), "AllReduceAsync: the process group was disposed");
        checks += Throws<ObjectDisposedException>(group, () => group.Barrier(), "Barrier: the process group was disposed");
        checks += Throws<InvalidOperationException>(group, () => ProcessGroup.Initialize(), "ProcessGroup.Initialize: the MPI process group was disposed, which finalised MPI, and MPI cannot be initialised twice");
        Console.WriteLine($"rank {rank} ok: {checks} checks after Dispose");
    }

    /// <summary>A program that returns without disposing the group: MPI is finalised at the process exit, exit code 0.</summary>
    [Scenario("no-dispose", Unwrapped = true)]
    public static void NoDispose(ProcessGroup group, string[] args)
    {
        var pending = group.AllReduceAsync(new float[] { 1 });
        pending.Wait();
        Check(group, group.AllReduce(1.0) == group.WorldSize, "AllReduce");
        Ok(group, "returning without Dispose");
    }
}
