namespace Autograd.Distributed;

/// <summary>A world of one process: every collective is the identity, so a training program runs unchanged without MPI.</summary>
internal sealed class SingleProcessGroup : ProcessGroup
{
    public override int Rank => 0;

    public override int WorldSize => 1;

    public override int LocalRank => 0;

    public override string Backend => "single";

    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum) => CheckOp(op);

    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum) => CheckOp(op);

    public override void AllReduce(Span<long> buffer, ReduceOp op = ReduceOp.Sum) => CheckOp(op);

    public override Work AllReduceAsync(Memory<float> buffer, ReduceOp op = ReduceOp.Sum)
    {
        CheckOp(op);
        return Work.Completed.Instance;
    }

    public override Work AllReduceAsync(Memory<double> buffer, ReduceOp op = ReduceOp.Sum)
    {
        CheckOp(op);
        return Work.Completed.Instance;
    }

    public override void Broadcast(Span<float> buffer, int root = 0) => CheckRoot(root);

    public override void Broadcast(Span<double> buffer, int root = 0) => CheckRoot(root);

    public override void Broadcast(Span<long> buffer, int root = 0) => CheckRoot(root);

    public override void AllGather(ReadOnlySpan<float> send, Span<float> receive) => Gather(send, receive);

    public override void AllGather(ReadOnlySpan<double> send, Span<double> receive) => Gather(send, receive);

    public override void AllGather(ReadOnlySpan<long> send, Span<long> receive) => Gather(send, receive);

    public override void Barrier()
    {
    }

    public override void Abort(int errorCode) => Environment.Exit(errorCode);

    private static void CheckOp(ReduceOp op)
    {
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "AllReduce: unknown ReduceOp.");
    }

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "Broadcast: the root must be a rank of the group, from 0 to 0 in a world of one process.");
    }

    private static void Gather<T>(ReadOnlySpan<T> send, Span<T> receive)
    {
        if (receive.Length != send.Length)
            throw new ArgumentException($"AllGather: receive holds {receive.Length} values but a world of 1 process sends {send.Length}.", nameof(receive));
        send.CopyTo(receive);
    }
}
