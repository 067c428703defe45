using Autograd.Distributed.Mpi;

namespace Autograd.Distributed;

public abstract partial class ProcessGroup
{
    private static readonly object LaunchGate = new();
    private static MpiProcessGroup? mpi;

    /// <summary>Gets the name of the transport: <c>"mpi"</c>, or <c>"single"</c> for <see cref="Single"/> (PyTorch's <c>get_backend</c>).</summary>
    public virtual string Backend => GetType().Name;

    /// <summary>
    /// Joins the job this process was launched into (PyTorch's <c>init_process_group</c>): MPI's world when an MPI
    /// launcher started the process (Open MPI's <c>mpirun</c>, SLURM's <c>srun</c>, a PMI or PMIx launcher), otherwise
    /// <see cref="Single"/>, which needs no MPI installed. MPI is initialised once; later calls return the same group.
    /// A rank that dies of an unhandled exception then prints <c>rank N failed: …</c> and aborts the whole job.
    /// </summary>
    /// <returns>The process group; dispose it at the end of the program (MPI is also finalised when the process exits cleanly).</returns>
    /// <exception cref="InvalidOperationException">A launcher started the process but Open MPI's libmpi cannot be loaded (the message names the package to install), MPI fails to start, or the MPI group was disposed already (MPI cannot start twice in a process).</exception>
    public static ProcessGroup Initialize() => Initialize(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Runs a training program on every rank, turning an exception on any rank into the end of the whole job: the
    /// failing rank prints <c>rank N failed: …</c> to stderr and aborts every rank (MPI_Abort), so no rank hangs
    /// waiting for it. Initialises the group with <see cref="Initialize()"/> and disposes it when <paramref name="main"/> returns.
    /// </summary>
    /// <param name="main">The program, given the process group.</param>
    /// <returns>0 when <paramref name="main"/> returned; 1 when it threw in a world of one process (in an MPI job the process ends with exit code 1 instead of returning).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">As <see cref="Initialize()"/>.</exception>
    public static int Run(Action<ProcessGroup> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        var group = Initialize();
        try
        {
            main(group);
        }
        catch (Exception e)
        {
            if (group is MpiProcessGroup m) m.Fail(e);
            Console.Error.WriteLine($"rank {group.Rank} failed: {e}");
            return 1;
        }
        group.Dispose();
        return 0;
    }

    /// <summary>Initialize with the environment read through <paramref name="variable"/> (for tests).</summary>
    /// <param name="variable">Reads an environment variable.</param>
    /// <returns>The group.</returns>
    internal static ProcessGroup Initialize(Func<string, string?> variable)
    {
        var launch = Launch.Detect(variable);
        if (launch is null) return Single;
        lock (LaunchGate)
        {
            if (mpi is { IsFinalized: false }) return mpi;
            if (mpi is not null)
                throw new InvalidOperationException("ProcessGroup.Initialize: the MPI process group was disposed, which finalised MPI, and MPI cannot be initialised twice in one process; keep the group until the program ends.");
            return mpi = new MpiProcessGroup(launch);
        }
    }
}
