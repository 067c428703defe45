using System.Text;

namespace Autograd.Distributed.Mpi;

/// <summary>
/// The process group of an MPI job (Open MPI's MPI_COMM_WORLD), made by <see cref="ProcessGroup.Initialize()"/> when an
/// MPI launcher started the process. MPI is initialised once per process and finalised when the group is disposed or
/// the process exits; a failed call throws <see cref="InvalidOperationException"/> naming the call and the rank.
/// </summary>
internal sealed unsafe class MpiProcessGroup : ProcessGroup
{
    private readonly MpiNative.Handles h;
    private readonly object gate = new();
    private readonly HashSet<MpiWork> pending = [];
    private readonly bool serialize;
    private int inFlight;
    private bool failed;
    private bool finalized;

    /// <summary>Initialises MPI (MPI_Init_thread, asking for MPI_THREAD_MULTIPLE) and reads the rank, size and local rank.</summary>
    /// <param name="launch">What the launcher's environment says.</param>
    public MpiProcessGroup(Launch launch)
    {
        _ = MpiLibrary.Handle;
        h = new MpiNative.Handles();
        int flag;
        Check(MpiNative.Initialized(&flag), "MPI_Initialized", -1);
        if (flag != 0) throw new InvalidOperationException("ProcessGroup.Initialize: MPI was already initialised in this process by other code; Autograd.Distributed must initialise it.");
        Check(MpiNative.Finalized(&flag), "MPI_Finalized", -1);
        if (flag != 0) throw new InvalidOperationException("ProcessGroup.Initialize: MPI was finalised in this process and cannot be initialised again.");
        int provided;
        Check(MpiNative.InitThread(null, null, MpiNative.ThreadMultiple, &provided), "MPI_Init_thread", launch.Rank ?? -1);
        ThreadLevel = provided;
        serialize = provided < MpiNative.ThreadMultiple;
        Check(MpiNative.CommSetErrhandler(h.CommWorld, h.ErrorsReturn), "MPI_Comm_set_errhandler", launch.Rank ?? -1);
        int rank, size;
        Check(MpiNative.CommRank(h.CommWorld, &rank), "MPI_Comm_rank", launch.Rank ?? -1);
        Check(MpiNative.CommSize(h.CommWorld, &size), "MPI_Comm_size", rank);
        Rank = rank;
        WorldSize = size;
        Launcher = launch.Launcher;
        LocalRank = launch.LocalRank ?? SharedMemoryRank();
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <inheritdoc/>
    public override int Rank { get; }

    /// <inheritdoc/>
    public override int WorldSize { get; }

    /// <inheritdoc/>
    public override int LocalRank { get; }

    /// <inheritdoc/>
    public override string Backend => "mpi";

    /// <summary>Gets the launcher that started the process ("mpirun", "srun", "pmi").</summary>
    public string Launcher { get; }

    /// <summary>Gets the thread support MPI_Init_thread provided (0 single … 3 multiple).</summary>
    public int ThreadLevel { get; }

    /// <summary>Gets a value indicating whether MPI has been finalised.</summary>
    public bool IsFinalized => finalized;

    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (float* p = buffer) AllReduce(p, buffer.Length, h.Float, op);
    }

    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (double* p = buffer) AllReduce(p, buffer.Length, h.Double, op);
    }

    public override void AllReduce(Span<long> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (long* p = buffer) AllReduce(p, buffer.Length, h.Int64, op);
    }

    public override Work AllReduceAsync(Memory<float> buffer, ReduceOp op = ReduceOp.Sum) => AllReduceAsync(buffer.Pin(), buffer.Length, h.Float, op);

    public override Work AllReduceAsync(Memory<double> buffer, ReduceOp op = ReduceOp.Sum) => AllReduceAsync(buffer.Pin(), buffer.Length, h.Double, op);

    public override void Broadcast(Span<float> buffer, int root = 0)
    {
        fixed (float* p = buffer) Broadcast(p, buffer.Length, h.Float, root);
    }

    public override void Broadcast(Span<double> buffer, int root = 0)
    {
        fixed (double* p = buffer) Broadcast(p, buffer.Length, h.Double, root);
    }

    public override void Broadcast(Span<long> buffer, int root = 0)
    {
        fixed (long* p = buffer) Broadcast(p, buffer.Length, h.Int64, root);
    }

    public override void AllGather(ReadOnlySpan<float> send, Span<float> receive)
    {
        CheckGather(send.Length, receive.Length, send.Overlaps(receive));
        fixed (float* s = send)
        fixed (float* r = receive) AllGather(s, r, send.Length, h.Float);
    }

    public override void AllGather(ReadOnlySpan<double> send, Span<double> receive)
    {
        CheckGather(send.Length, receive.Length, send.Overlaps(receive));
        fixed (double* s = send)
        fixed (double* r = receive) AllGather(s, r, send.Length, h.Double);
    }

    public override void AllGather(ReadOnlySpan<long> send, Span<long> receive)
    {
        CheckGather(send.Length, receive.Length, send.Overlaps(receive));
        fixed (long* s = send)
        fixed (long* r = receive) AllGather(s, r, send.Length, h.Int64);
    }

    public override void Barrier()
    {
        Enter("Barrier");
        try
        {
            Check(MpiNative.Barrier(h.CommWorld), "MPI_Barrier");
        }
        finally
        {
            Exit();
        }
    }

    public override void Abort(int errorCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        failed = true;
        MpiNative.Abort(h.CommWorld, errorCode);
        Environment.Exit(errorCode); // MPI_Abort does not return; in case it does
    }

    /// <summary>Reports <paramref name="e"/> as this rank's failure on stderr and aborts the job.</summary>
    /// <param name="e">The exception.</param>
    internal void Fail(Exception e)
    {
        Console.Error.WriteLine($"rank {Rank} failed: {e}");
        Abort(1);
    }

    /// <summary>Marks <paramref name="work"/> finished, unpinning its buffer.</summary>
    /// <param name="work">The finished collective.</param>
    internal void Completed(MpiWork work)
    {
        lock (pending) pending.Remove(work);
    }

    /// <summary>Waits for or tests <paramref name="request"/> as the thread level allows.</summary>
    /// <param name="request">The request; MPI_REQUEST_NULL afterwards once complete.</param>
    /// <param name="block">Whether to wait for completion.</param>
    /// <returns>Whether the request has completed.</returns>
    internal bool Progress(ref IntPtr request, bool block)
    {
        MpiNative.Status status;
        int flag = 0;
        fixed (IntPtr* r = &request)
        {
            if (block && !serialize)
            {
                Check(MpiNative.Wait(r, &status), "MPI_Wait");
                return true;
            }
            do
            {
                if (serialize) Monitor.Enter(gate);
                try
                {
                    Check(MpiNative.Test(r, &flag, &status), "MPI_Test");
                }
                finally
                {
                    if (serialize) Monitor.Exit(gate);
                }
                if (flag == 0 && block) Thread.Yield();
            }
            while (flag == 0 && block);
        }
        return flag != 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (finalized) return;
        MpiWork[] left;
        lock (pending) left = [.. pending];
        foreach (var w in left) w.Wait();
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        finalized = true;
        Check(MpiNative.Finalize(), "MPI_Finalize");
        base.Dispose(disposing);
    }

    private static void CheckRoot(int root, int size)
    {
        if ((uint)root >= (uint)size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast: the root must be a rank of the group, from 0 to {size - 1}.");
    }

    private void AllReduce(void* p, int count, IntPtr type, ReduceOp op)
    {
        IntPtr mpiOp = h.Op(op);
        Enter("AllReduce");
        try
        {
            long dummy = 0;
            Check(MpiNative.Allreduce((void*)MpiNative.InPlace, count == 0 ? &dummy : p, count, type, mpiOp, h.CommWorld), "MPI_Allreduce");
        }
        finally
        {
            Exit();
        }
    }

    private MpiWork AllReduceAsync(System.Buffers.MemoryHandle pin, int count, IntPtr type, ReduceOp op)
    {
        IntPtr mpiOp;
        try
        {
            mpiOp = h.Op(op);
            ThrowIfFinalized("AllReduceAsync");
        }
        catch
        {
            pin.Dispose();
            throw;
        }
        var work = new MpiWork(this, pin, count == 0);
        Enter("AllReduceAsync");
        try
        {
            IntPtr request;
            Check(MpiNative.Iallreduce((void*)MpiNative.InPlace, count == 0 ? work.Dummy : pin.Pointer, count, type, mpiOp, h.CommWorld, &request), "MPI_Iallreduce");
            work.Request = request;
        }
        catch
        {
            work.Release();
            throw;
        }
        finally
        {
            Exit();
        }
        lock (pending) pending.Add(work);
        return work;
    }

    private void Broadcast(void* p, int count, IntPtr type, int root)
    {
        CheckRoot(root, WorldSize);
        Enter("Broadcast");
        try
        {
            long dummy = 0;
            Check(MpiNative.Bcast(count == 0 ? &dummy : p, count, type, root, h.CommWorld), "MPI_Bcast");
        }
        finally
        {
            Exit();
        }
    }

    private void CheckGather(int send, int receive, bool overlap)
    {
        if ((long)send * WorldSize != receive)
            throw new ArgumentException($"AllGather: receive holds {receive} values but a world of {WorldSize} processes sends {WorldSize} × {send} = {(long)send * WorldSize}.", nameof(receive));
        if (overlap) throw new ArgumentException("AllGather: send and receive overlap; MPI needs separate buffers.", nameof(receive));
    }

    private void AllGather(void* send, void* receive, int count, IntPtr type)
    {
        Enter("AllGather");
        try
        {
            long dummy = 0;
            Check(MpiNative.Allgather(count == 0 ? &dummy : send, count, type, count == 0 ? &dummy : receive, count, type, h.CommWorld), "MPI_Allgather");
        }
        finally
        {
            Exit();
        }
    }

    private void ThrowIfFinalized(string op)
    {
        if (finalized) throw new ObjectDisposedException(nameof(ProcessGroup), $"{op}: the process group was disposed, which finalised MPI; keep it until the program's last collective.");
    }

    private void Enter(string op)
    {
        ThrowIfFinalized(op);
        Interlocked.Increment(ref inFlight);
        if (serialize) Monitor.Enter(gate);
    }

    private void Exit()
    {
        if (serialize) Monitor.Exit(gate);
        Interlocked.Decrement(ref inFlight);
    }

    /// <summary>Rank among the processes that share this machine's memory, when the launcher did not say.</summary>
    private int SharedMemoryRank()
    {
        IntPtr node;
        Check(MpiNative.CommSplitType(h.CommWorld, MpiNative.CommTypeShared, Rank, h.InfoNull, &node), "MPI_Comm_split_type");
        int local;
        Check(MpiNative.CommRank(node, &local), "MPI_Comm_rank");
        Check(MpiNative.CommFree(&node), "MPI_Comm_free");
        return local;
    }

    private void Check(int code, string call) => Check(code, call, Rank);

    private void Check(int code, string call, int rank)
    {
        if (code == MpiNative.Success) return;
        failed = true;
        string where = rank >= 0 ? $"rank {rank}" : "this process";
        throw new InvalidOperationException($"{call} failed on {where}: {ErrorText(code)} (MPI error {code}).");
    }

    private static string ErrorText(int code)
    {
        byte* text = stackalloc byte[MpiNative.MaxErrorString + 1];
        int length = 0;
        if (MpiNative.ErrorString(code, text, &length) != MpiNative.Success) return "unknown error";
        return Encoding.UTF8.GetString(text, Math.Clamp(length, 0, MpiNative.MaxErrorString));
    }

    private void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        if (finalized) return;
        Fail(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString()));
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // MPI_Finalize waits for every rank, so only a clean exit finalises: after a failure, or when the launcher is
        // ending this process (SIGTERM) while a collective is in flight, leaving without it lets the launcher see the
        // exit and end the job instead of hanging in the finaliser.
        if (finalized || failed || Volatile.Read(ref inFlight) != 0 || Environment.ExitCode != 0) return;
        lock (pending)
        {
            if (pending.Count != 0) return;
        }
        finalized = true;
        MpiNative.Finalize();
    }
}
