namespace Autograd.Distributed;

/// <summary>
/// The processes that train together and the collectives they run (PyTorch's <c>torch.distributed</c> process group).
/// Every rank must call the same collectives in the same order with buffers of the same length.
/// </summary>
public abstract partial class ProcessGroup : IDisposable
{
    /// <summary>Gets the world of this process alone: collectives return at once and leave their buffers as they are.</summary>
    public static ProcessGroup Single { get; } = new SingleProcessGroup();

    /// <summary>Gets this process's rank, from 0 to <see cref="WorldSize"/> − 1.</summary>
    public abstract int Rank { get; }

    /// <summary>Gets the number of processes.</summary>
    public abstract int WorldSize { get; }

    /// <summary>Gets this process's rank among the processes on its machine.</summary>
    public abstract int LocalRank { get; }

    /// <summary>Gets a value indicating whether this is rank 0, the rank that logs and writes checkpoints by default.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>Combines <paramref name="buffer"/> over the ranks in place: afterwards every rank holds the result.</summary>
    /// <param name="buffer">The values, the same length on every rank.</param>
    /// <param name="op">How the ranks' values combine.</param>
    public abstract void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum);

    /// <inheritdoc cref="AllReduce(Span{float}, ReduceOp)"/>
    public abstract void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum);

    /// <inheritdoc cref="AllReduce(Span{float}, ReduceOp)"/>
    public abstract void AllReduce(Span<long> buffer, ReduceOp op = ReduceOp.Sum);

    /// <summary>Starts combining <paramref name="buffer"/> over the ranks in place and returns without waiting.</summary>
    /// <param name="buffer">The values, the same length on every rank; untouched by the caller until <see cref="Work.Wait"/> returns.</param>
    /// <param name="op">How the ranks' values combine.</param>
    /// <returns>The collective in progress.</returns>
    public abstract Work AllReduceAsync(Memory<float> buffer, ReduceOp op = ReduceOp.Sum);

    /// <inheritdoc cref="AllReduceAsync(Memory{float}, ReduceOp)"/>
    public abstract Work AllReduceAsync(Memory<double> buffer, ReduceOp op = ReduceOp.Sum);

    /// <summary>Copies <paramref name="buffer"/> of rank <paramref name="root"/> into the same buffer of every other rank.</summary>
    /// <param name="buffer">The values on the root; where they arrive on the others.</param>
    /// <param name="root">The rank that sends.</param>
    public abstract void Broadcast(Span<float> buffer, int root = 0);

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    public abstract void Broadcast(Span<double> buffer, int root = 0);

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    public abstract void Broadcast(Span<long> buffer, int root = 0);

    /// <summary>Gathers every rank's <paramref name="send"/> into <paramref name="receive"/>, in rank order, on every rank.</summary>
    /// <param name="send">This rank's values, the same length on every rank.</param>
    /// <param name="receive">Room for <see cref="WorldSize"/> × <paramref name="send"/>.Length values.</param>
    public abstract void AllGather(ReadOnlySpan<float> send, Span<float> receive);

    /// <inheritdoc cref="AllGather(ReadOnlySpan{float}, Span{float})"/>
    public abstract void AllGather(ReadOnlySpan<double> send, Span<double> receive);

    /// <inheritdoc cref="AllGather(ReadOnlySpan{float}, Span{float})"/>
    public abstract void AllGather(ReadOnlySpan<long> send, Span<long> receive);

    /// <summary>Returns once every rank has called it.</summary>
    public abstract void Barrier();

    /// <summary>Ends every rank of the group with <paramref name="errorCode"/>; does not return.</summary>
    /// <param name="errorCode">The exit code the processes end with.</param>
    public abstract void Abort(int errorCode);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the group; with <paramref name="disposing"/>, also its managed state.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> called it.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
