using System.Buffers;
using System.Runtime.InteropServices;

namespace Autograd.Distributed.Mpi;

/// <summary>An MPI_Iallreduce in flight: its buffer stays pinned until the request completes.</summary>
internal sealed unsafe class MpiWork : Work
{
    private readonly MpiProcessGroup group;
    private readonly object gate = new();
    private MemoryHandle pin;
    private bool done;

    /// <summary>Initializes a new instance of the <see cref="MpiWork"/> class.</summary>
    /// <param name="group">The group that started it.</param>
    /// <param name="pin">The pinned buffer, released on completion.</param>
    /// <param name="empty">Whether the buffer is empty (MPI then gets a scratch address).</param>
    public MpiWork(MpiProcessGroup group, MemoryHandle pin, bool empty)
    {
        this.group = group;
        this.pin = pin;
        if (empty) Dummy = NativeMemory.AllocZeroed(8);
    }

    /// <summary>Gets a valid address for an empty buffer.</summary>
    public void* Dummy { get; private set; }

    /// <summary>Gets or sets the MPI_Request.</summary>
    public IntPtr Request { get; set; }

    public override bool IsCompleted
    {
        get
        {
            lock (gate)
            {
                if (!done && Poll(block: false)) Finish();
                return done;
            }
        }
    }

    public override void Wait()
    {
        lock (gate)
        {
            if (done) return;
            Poll(block: true);
            Finish();
        }
    }

    /// <summary>Unpins the buffer of a request that could not start.</summary>
    public void Release()
    {
        pin.Dispose();
        if (Dummy != null) NativeMemory.Free(Dummy);
        Dummy = null;
        done = true;
    }

    private bool Poll(bool block)
    {
        IntPtr r = Request;
        try
        {
            return group.Progress(ref r, block);
        }
        finally
        {
            Request = r;
        }
    }

    private void Finish()
    {
        Release();
        group.Completed(this);
    }
}
