using System.Runtime.ExceptionServices;

namespace Autograd.Distributed;

public abstract partial class ProcessGroup
{
    /// <summary>Combines one value over the ranks, e.g. a loss or a count for logging.</summary>
    /// <param name="value">This rank's value.</param>
    /// <param name="op">How the ranks' values combine.</param>
    /// <returns>The combined value, the same on every rank.</returns>
    public double AllReduce(double value, ReduceOp op = ReduceOp.Sum)
    {
        Span<double> buffer = [value];
        AllReduce(buffer, op);
        return buffer[0];
    }

    /// <inheritdoc cref="AllReduce(double, ReduceOp)"/>
    public long AllReduce(long value, ReduceOp op = ReduceOp.Sum)
    {
        Span<long> buffer = [value];
        AllReduce(buffer, op);
        return buffer[0];
    }

    /// <summary>Averages one value over the ranks (the sum in float64 divided by <see cref="WorldSize"/>), e.g. a loss for logging.</summary>
    /// <param name="value">This rank's value.</param>
    /// <returns>The mean, the same on every rank.</returns>
    public double AllReduceMean(double value) => AllReduce(value) / WorldSize;

    /// <summary>
    /// Combines <paramref name="tensor"/> over the ranks in place (PyTorch's <c>dist.all_reduce(tensor)</c>): afterwards
    /// every rank holds the result. The write is not recorded for autograd.
    /// </summary>
    /// <param name="tensor">A float32, float64 or int64 tensor of the same shape on every rank.</param>
    /// <param name="op">How the ranks' values combine.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="tensor"/> is a broadcast view, which cannot be written.</exception>
    public Tensor AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        switch (tensor.DType)
        {
            case DType.Float32:
                var f = tensor.ToArray<float>();
                AllReduce(f.AsSpan(), op);
                return Write(tensor, Tensor.From<float>(f, tensor.Shape));
            case DType.Float64:
                var d = tensor.ToArray<double>();
                AllReduce(d.AsSpan(), op);
                return Write(tensor, Tensor.From<double>(d, tensor.Shape));
            default:
                var l = tensor.ToArray<long>();
                AllReduce(l.AsSpan(), op);
                return Write(tensor, Tensor.From<long>(l, tensor.Shape));
        }
    }

    /// <summary>Copies <paramref name="tensor"/> of rank <paramref name="root"/> into the same tensor of every other rank, in place (PyTorch's <c>dist.broadcast</c>).</summary>
    /// <param name="tensor">A float32, float64 or int64 tensor of the same shape on every rank.</param>
    /// <param name="root">The rank that sends.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank of the group.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="tensor"/> is a broadcast view, which cannot be written.</exception>
    public Tensor Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        switch (tensor.DType)
        {
            case DType.Float32:
                var f = tensor.ToArray<float>();
                Broadcast(f.AsSpan(), root);
                return Write(tensor, Tensor.From<float>(f, tensor.Shape));
            case DType.Float64:
                var d = tensor.ToArray<double>();
                Broadcast(d.AsSpan(), root);
                return Write(tensor, Tensor.From<double>(d, tensor.Shape));
            default:
                var l = tensor.ToArray<long>();
                Broadcast(l.AsSpan(), root);
                return Write(tensor, Tensor.From<long>(l, tensor.Shape));
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on rank 0 only (writing a checkpoint, a log line) while the other ranks wait for it
    /// to finish, so that afterwards every rank can rely on its result (e.g. read the checkpoint). When it throws on
    /// rank 0, rank 0 rethrows its exception and every other rank throws <see cref="InvalidOperationException"/>.
    /// Checkpoint writers of Autograd.Nn write atomically (a temporary file renamed over the target), so a job that
    /// fails meanwhile leaves either the old file or the complete new one.
    /// </summary>
    /// <param name="action">What rank 0 does.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="InvalidOperationException">On ranks other than 0: <paramref name="action"/> threw on rank 0.</exception>
    public void RunOnMain(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Exception? error = null;
        Span<long> status = [0];
        if (IsMain)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e;
                status[0] = 1;
            }
        }
        Broadcast(status, 0);
        if (error is not null) ExceptionDispatchInfo.Throw(error);
        if (status[0] != 0) throw new InvalidOperationException($"RunOnMain: the action failed on rank 0 (rank {Rank} waited for it); rank 0 reports the error.");
    }

    private static Tensor Write(Tensor tensor, Tensor values)
    {
        using (Autodiff.NoGrad()) tensor.CopyFrom(values);
        return tensor;
    }
}
