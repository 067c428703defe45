namespace Autograd.Distributed;

/// <summary>
/// A collective started without waiting for it (PyTorch's <c>Work</c>, returned by <c>async_op=True</c>): its buffer
/// must not be read or written until <see cref="Wait"/> returns.
/// </summary>
public abstract class Work
{
    /// <summary>Gets a value indicating whether the collective is known to have finished.</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>Blocks until the collective has finished on this rank, after which its buffer holds the result.</summary>
    /// <exception cref="InvalidOperationException">The collective failed.</exception>
    public abstract void Wait();

    /// <summary>A collective that finished when it was started (every collective of a world of one process).</summary>
    internal sealed class Completed : Work
    {
        public static readonly Completed Instance = new();

        public override bool IsCompleted => true;

        public override void Wait()
        {
        }
    }
}
