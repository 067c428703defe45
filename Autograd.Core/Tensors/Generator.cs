namespace Autograd;

/// <summary>
/// A seeded random source (xoshiro256** seeded by SplitMix64). Integer and uniform streams are defined by
/// integer arithmetic alone, so a seed gives the same bits on every machine and runtime.
/// </summary>
/// <remarks>
/// A generator you create is for one thread at a time. The process-wide <see cref="Default"/> generator (PyTorch's
/// <c>torch.default_generator</c>), which layers, dropout, <see cref="Tensor.Rand(int[], DType)"/> and shuffling use when
/// no generator is passed, is locked: any thread may draw from it, and a tensor filled from it takes one
/// consecutive run of its stream.
/// </remarks>
public sealed class Generator
{
    /// <summary>The seed <see cref="Default"/> starts from in every process (PyTorch's default seed, 67280421310721).</summary>
    public const ulong DefaultSeed = 67280421310721;

    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;
    // Only the default generator is shared between threads; a generator of one's own pays nothing for locking.
    private readonly Lock? _lock;

    /// <summary>Creates a generator from a seed.</summary>
    /// <param name="seed">The seed; the same seed gives the same stream on every machine.</param>
    public Generator(ulong seed) => Reset(seed);

    private Generator(ulong seed, Lock sharedLock)
    {
        _lock = sharedLock;
        Reset(seed);
    }

    /// <summary>
    /// The process-wide generator that everything random draws from when no generator is given (PyTorch's
    /// <c>torch.default_generator</c>): the initialization of layers built without one (<c>Linear</c>), dropout masks,
    /// <see cref="Tensor.Rand(int[], DType)"/>, <see cref="Tensor.Randn(int[], DType)"/>, the <c>Init</c> functions without a
    /// generator and shuffling data loaders. It starts from <see cref="DefaultSeed"/>, so a program gives the same
    /// numbers on every run; <see cref="ManualSeed"/> reseeds it. It is thread-safe, but threads drawing from it at the
    /// same time get an interleaving that depends on timing: for reproducible parallel work give each thread its own.
    /// </summary>
    public static Generator Default { get; } = new(DefaultSeed, new Lock());

    /// <summary>Reseeds <see cref="Default"/> (PyTorch's <c>torch.manual_seed</c>) and returns it.</summary>
    /// <param name="seed">The new seed; the default generator then gives the same stream as <c>new Generator(seed)</c>.</param>
    /// <returns><see cref="Default"/>.</returns>
    public static Generator ManualSeed(ulong seed)
    {
        lock (Default._lock!) Default.Reset(seed);
        return Default;
    }

    /// <summary>The seed this generator was created (or, for <see cref="Default"/>, last reseeded) with (PyTorch's <c>initial_seed()</c>).</summary>
    public ulong InitialSeed { get; private set; }

    private void Reset(ulong seed)
    {
        InitialSeed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        _spareNormal = null;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The lock of a shared generator (null for one's own), for callers that draw many values under one acquisition.</summary>
    internal Lock? SharedLock => _lock;

    /// <summary>The next 64 random bits.</summary>
    /// <returns>A uniform random <see cref="ulong"/>.</returns>
    public ulong NextUInt64()
    {
        if (_lock is null) return NextUInt64Unlocked();
        lock (_lock) return NextUInt64Unlocked();
    }

    internal ulong NextUInt64Unlocked()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    /// <returns>The next double, in [0, 1).</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    internal double NextDoubleUnlocked() => (NextUInt64Unlocked() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    /// <returns>The next float, in [0, 1).</returns>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    internal float NextSingleUnlocked() => (NextUInt64Unlocked() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <param name="maxExclusive">The exclusive upper bound, at least 1.</param>
    /// <returns>The next integer, in [0, <paramref name="maxExclusive"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "NextInt: the bound must be positive.");
        if (_lock is null) return NextIntUnlocked(maxExclusive);
        lock (_lock) return NextIntUnlocked(maxExclusive);
    }

    private int NextIntUnlocked(int maxExclusive)
    {
        ulong bound = (ulong)maxExclusive, limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = NextUInt64Unlocked(); while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>A standard normal deviate (Marsaglia's polar method, which needs only log and sqrt).</summary>
    /// <returns>The next deviate of the standard normal distribution (mean 0, standard deviation 1).</returns>
    public double NextNormal()
    {
        if (_lock is null) return NextNormalUnlocked();
        lock (_lock) return NextNormalUnlocked();
    }

    internal double NextNormalUnlocked()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDoubleUnlocked() - 1;
            v = 2 * NextDoubleUnlocked() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        return u * f;
    }

    /// <summary>
    /// The generator's full state as an int64 tensor of 7 elements (PyTorch's <c>get_state()</c>): the initial seed, the
    /// four xoshiro256** words and the spare normal deviate. <see cref="SetState"/> of it continues the stream exactly,
    /// in this process or another, which is what a training checkpoint needs to resume bit for bit.
    /// </summary>
    /// <returns>A new int64 tensor of shape [7].</returns>
    public Tensor GetState()
    {
        if (_lock is null) return GetStateUnlocked();
        lock (_lock) return GetStateUnlocked();
    }

    private Tensor GetStateUnlocked() => Tensor.From(new long[]
    {
        (long)InitialSeed, (long)_s0, (long)_s1, (long)_s2, (long)_s3,
        _spareNormal.HasValue ? 1 : 0, _spareNormal.HasValue ? BitConverter.DoubleToInt64Bits(_spareNormal.Value) : 0,
    });

    /// <summary>Restores a state from <see cref="GetState"/> (PyTorch's <c>set_state</c>).</summary>
    /// <param name="state">An int64 tensor of shape [7] from <see cref="GetState"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The tensor is not int64 of shape [7], or it holds no valid state (all four words zero, or a spare flag other than
    /// 0 or 1); the generator is unchanged then.
    /// </exception>
    public void SetState(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.DType != DType.Int64 || state.Rank != 1 || state.Size(0) != 7)
            throw new ArgumentException(
                $"Generator.SetState: expected an int64 tensor of shape [7] from GetState; got {state.DType} of shape {ShapeUtil.Format(state.Shape)}.", nameof(state));
        var v = state.ToArray<long>();
        if ((v[1] | v[2] | v[3] | v[4]) == 0 || v[5] is not (0 or 1))
            throw new ArgumentException("Generator.SetState: the tensor holds no valid generator state (it was not made by GetState).", nameof(state));
        if (_lock is null) Set(v);
        else lock (_lock) Set(v);
    }

    private void Set(long[] v)
    {
        InitialSeed = (ulong)v[0];
        (_s0, _s1, _s2, _s3) = ((ulong)v[1], (ulong)v[2], (ulong)v[3], (ulong)v[4]);
        _spareNormal = v[5] == 1 ? BitConverter.Int64BitsToDouble(v[6]) : null;
    }
}
