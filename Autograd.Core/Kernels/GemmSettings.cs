namespace Autograd;

/// <summary>Process-wide limits on how many threads the kernels use.</summary>
/// <remarks>
/// The matrix product splits its output into tiles fixed by the shapes alone and computes each element by the same
/// sequence of operations on any thread, so results are bitwise identical for every <see cref="MaxDegree"/>.
/// </remarks>
public static class Parallelism
{
    private static int _maxDegree = Environment.ProcessorCount;

    /// <summary>
    /// The largest number of threads one kernel call may use (the calling thread included); 1 runs everything on
    /// the calling thread. Defaults to <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegree
    {
        get => Volatile.Read(ref _maxDegree);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDegree));
            Volatile.Write(ref _maxDegree, value);
        }
    }
}
