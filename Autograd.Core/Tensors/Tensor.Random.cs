using System.Globalization;

namespace Autograd;

// Creation functions beyond Tensor.Creation.cs: the *Like forms, uninitialised storage, and random integers, permutations
// and samples. Every random draw comes from the generator given, or Generator.Default, as one consecutive run.
public partial class Tensor
{
    /// <summary>A tensor of <paramref name="like"/>'s shape and dtype filled with <paramref name="value"/> (torch.full_like).</summary>
    /// <param name="like">The tensor whose shape and dtype to copy; its values and graph are not used.</param>
    /// <param name="value">The fill value, rounded to float32 or truncated toward zero for int64.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="like"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="like"/> is int64 and <paramref name="value"/> is NaN, infinite or outside the range of <see cref="long"/>.</exception>
    public static Tensor FullLike(Tensor like, double value)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Filled("FullLike", like.Dims, value, like.DType);
    }

    /// <summary>
    /// A tensor of the given shape whose contents are unspecified (torch.empty): write every element before reading one.
    /// This implementation happens to return zeros, which code must not rely on.
    /// </summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Empty(int[] shape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Empty((int[])shape.Clone(), dtype, "Empty");
    }

    /// <summary>A tensor of <paramref name="like"/>'s shape and dtype whose contents are unspecified (torch.empty_like); see <see cref="Empty(int[], DType)"/>.</summary>
    /// <param name="like">The tensor whose shape and dtype to copy; its values and graph are not used.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="like"/> is <see langword="null"/>.</exception>
    public static Tensor EmptyLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Empty(like.Shape, like.DType, "EmptyLike");
    }

    /// <summary>Uniform values in [0, 1) of <paramref name="like"/>'s shape and dtype (torch.rand_like).</summary>
    /// <param name="like">A float32 or float64 tensor whose shape and dtype to copy; its values and graph are not used.</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="like"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="like"/> is int64.</exception>
    public static Tensor RandLike(Tensor like, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Uniform("RandLike", like.Dims, generator ?? Generator.Default, 0, 1, like.DType);
    }

    /// <summary>Standard normal values of <paramref name="like"/>'s shape and dtype (torch.randn_like).</summary>
    /// <param name="like">A float32 or float64 tensor whose shape and dtype to copy; its values and graph are not used.</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="like"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="like"/> is int64.</exception>
    public static Tensor RandnLike(Tensor like, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Normal("RandnLike", like.Dims, generator ?? Generator.Default, 0, 1, like.DType);
    }

    /// <summary>Integers drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>) (torch.randint), without modulo bias.</summary>
    /// <param name="low">The lowest value, included.</param>
    /// <param name="high">The bound, excluded; above <paramref name="low"/>.</param>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <param name="dtype">The element type of the result, int64 by default (float dtypes hold the integers rounded to them).</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="low"/> is not below <paramref name="high"/>, or <paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.
    /// </exception>
    public static Tensor RandInt(long low, long high, int[] shape, Generator? generator = null, DType dtype = DType.Int64)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (low >= high)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"RandInt: expects low < high, got low = {low}, high = {high}."));
        var t = Empty((int[])shape.Clone(), dtype, "RandInt");
        ulong range = unchecked((ulong)high - (ulong)low);
        Draw(generator, g =>
        {
            for (int i = 0; i < t.NumElements; i++) t.WriteInteger(i, unchecked(low + (long)NextBelow(g, range)));
        });
        return t;
    }

    /// <summary>Integers drawn uniformly from [0, <paramref name="high"/>) (torch.randint(high, size)); see <see cref="RandInt(long, long, int[], Generator?, DType)"/>.</summary>
    /// <param name="high">The bound, excluded; above 0.</param>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <param name="dtype">The element type of the result, int64 by default.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="high"/> is not above 0, or <paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.
    /// </exception>
    public static Tensor RandInt(long high, int[] shape, Generator? generator = null, DType dtype = DType.Int64) => RandInt(0, high, shape, generator, dtype);

    /// <summary>A random permutation of 0 … n − 1 (torch.randperm), by Fisher–Yates shuffling.</summary>
    /// <param name="n">The number of elements, at least 0.</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <param name="dtype">The element type of the result, int64 by default.</param>
    /// <returns>A new contiguous 1-D leaf tensor of <paramref name="n"/> elements that does not require grad.</returns>
    /// <exception cref="ArgumentException"><paramref name="n"/> is negative.</exception>
    public static Tensor RandPerm(int n, Generator? generator = null, DType dtype = DType.Int64)
    {
        if (n < 0) throw new ArgumentException($"RandPerm: n must be non-negative, got {n}.", nameof(n));
        var perm = new long[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Draw(generator, g =>
        {
            for (int i = n - 1; i > 0; i--)
            {
                int j = (int)NextBelow(g, (ulong)i + 1);
                (perm[i], perm[j]) = (perm[j], perm[i]);
            }
        });
        var t = Empty([n], dtype, "RandPerm");
        for (int i = 0; i < n; i++) t.WriteInteger(i, perm[i]);
        return t;
    }

    /// <summary>
    /// Draws 1 with probability p and 0 otherwise, independently for each element p of this tensor of probabilities
    /// (torch.bernoulli(input)).
    /// </summary>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <returns>A new contiguous tensor of this shape and dtype holding 0 and 1, not recorded for autograd.</returns>
    /// <exception cref="ArgumentException">This tensor is int64, or an element is outside [0, 1] or NaN.</exception>
    public Tensor Bernoulli(Generator? generator = null)
    {
        RequireFloat("bernoulli");
        var p = OwnDetach().ToArray<double>();
        for (int i = 0; i < p.Length; i++)
            if (!(p[i] >= 0 && p[i] <= 1))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"bernoulli: expects probabilities in [0, 1], got {p[i]} at flat index {i} of the tensor of shape {ShapeUtil.Format(Dims)}."));
        var t = Empty(Shape, DType, "bernoulli");
        Draw(generator, g =>
        {
            for (int i = 0; i < p.Length; i++) t.Write(i, g.NextDoubleUnlocked() < p[i] ? 1 : 0);
        });
        return t;
    }

    /// <summary>
    /// Draws 1 with probability <paramref name="p"/> and 0 otherwise for each element of a tensor of this shape and dtype
    /// (torch.bernoulli(input, p)); this tensor's values are not used.
    /// </summary>
    /// <param name="p">The probability of 1, in [0, 1].</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <returns>A new contiguous tensor of this shape and dtype holding 0 and 1, not recorded for autograd.</returns>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public Tensor Bernoulli(double p, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"bernoulli: expects p in [0, 1], got p = {p}."), nameof(p));
        var t = Empty(Shape, DType, "bernoulli");
        Draw(generator, g =>
        {
            for (int i = 0; i < t.NumElements; i++) t.Write(i, g.NextDoubleUnlocked() < p ? 1 : 0);
        });
        return t;
    }

    /// <summary>
    /// Draws category indices from the distribution each row of this tensor weights (torch.multinomial): a 1-D tensor
    /// is one distribution over its elements, a 2-D tensor one per row. Weights are non-negative and need not sum to 1.
    /// </summary>
    /// <remarks>
    /// Without replacement a drawn category leaves the row; once every category of positive weight is drawn, the
    /// remaining ones (of weight 0) follow in index order, as PyTorch returns them.
    /// </remarks>
    /// <param name="numSamples">The number of indices per distribution, at least 1 (at most the number of categories without replacement).</param>
    /// <param name="replacement">Whether a category may be drawn more than once.</param>
    /// <param name="generator">The generator to draw from, <see cref="Generator.Default"/> when <see langword="null"/>; it advances by one consecutive run.</param>
    /// <returns>A new int64 tensor of shape [numSamples] (1-D input) or [rows, numSamples] (2-D input), not recorded for autograd.</returns>
    /// <exception cref="ArgumentException">
    /// This tensor is not 1-D or 2-D or not floating point; a weight is negative, infinite or NaN; a row sums to 0;
    /// <paramref name="numSamples"/> is below 1, or above the number of categories without replacement.
    /// </exception>
    public Tensor Multinomial(int numSamples, bool replacement = false, Generator? generator = null)
    {
        if (Rank is not (1 or 2))
            throw new ArgumentException($"multinomial: expected a 1-D or 2-D tensor of weights, got shape {ShapeUtil.Format(Dims)}.");
        RequireFloat("multinomial");
        int rows = Rank == 1 ? 1 : Dims[0], categories = Dims[^1];
        if (numSamples < 1)
            throw new ArgumentException($"multinomial: numSamples must be at least 1, got {numSamples}.", nameof(numSamples));
        if (!replacement && numSamples > categories)
            throw new ArgumentException(
                $"multinomial: cannot draw {numSamples} samples without replacement from {categories} categories (shape {ShapeUtil.Format(Dims)}).", nameof(numSamples));
        var w = OwnDetach().ToArray<double>();
        for (int r = 0; r < rows; r++)
        {
            double total = 0;
            for (int c = 0; c < categories; c++)
            {
                double v = w[r * categories + c];
                if (!(v >= 0) || double.IsInfinity(v))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"multinomial: weights must be finite and non-negative, got {v} at row {r}, category {c} of shape {ShapeUtil.Format(Dims)}."));
                total += v;
            }
            if (!(total > 0))
                throw new ArgumentException($"multinomial: row {r} of the weights (shape {ShapeUtil.Format(Dims)}) sums to 0; every row needs a positive weight.");
        }
        var result = new long[rows * numSamples];
        var cumulative = new double[categories];
        var taken = new bool[categories];
        Draw(generator, g =>
        {
            for (int r = 0; r < rows; r++)
            {
                var row = w.AsSpan(r * categories, categories);
                System.Array.Clear(taken);
                double sum = 0;
                int last = -1;
                for (int s = 0; s < numSamples; s++)
                {
                    if (s == 0 || !replacement)
                    {
                        sum = 0;
                        last = -1;
                        for (int c = 0; c < categories; c++)
                        {
                            double v = taken[c] ? 0 : row[c];
                            sum += v;
                            cumulative[c] = sum;
                            if (v > 0) last = c;
                        }
                    }
                    int pick;
                    if (last < 0)
                    {
                        // Without replacement, every positive weight is drawn: the rest follow in index order.
                        pick = System.Array.IndexOf(taken, false);
                    }
                    else
                    {
                        double u = g.NextDoubleUnlocked() * sum;
                        // The first category whose cumulative weight exceeds u (never one of weight 0); rounding can
                        // make u reach sum, which the last positive category takes.
                        pick = cumulative.AsSpan().BinarySearch(u);
                        pick = pick < 0 ? ~pick : pick + 1;
                        while (pick < categories && cumulative[pick] <= u) pick++;
                        if (pick >= categories || taken[pick] || row[pick] <= 0) pick = last;
                    }
                    result[r * numSamples + s] = pick;
                    if (!replacement) taken[pick] = true;
                }
            }
        });
        return From(result, Rank == 1 ? [numSamples] : [rows, numSamples]);
    }

    // A uniform integer in [0, range), range ≥ 1, without modulo bias: 2^64 mod range values are rejected.
    private static ulong NextBelow(Generator g, ulong range)
    {
        ulong reject = (0 - range) % range, r;
        do r = g.NextUInt64Unlocked(); while (r < reject);
        return r % range;
    }

    // Runs body on the generator (the default when null) holding a shared generator's lock once, so the draws are one
    // consecutive run of its stream.
    private static void Draw(Generator? generator, Action<Generator> body)
    {
        var g = generator ?? Generator.Default;
        var gate = g.SharedLock;
        gate?.Enter();
        try
        {
            body(g);
        }
        finally
        {
            gate?.Exit();
        }
    }

    private void WriteInteger(int i, long value)
    {
        if (DType == DType.Int64) System.Runtime.CompilerServices.Unsafe.As<long[]>(Data)[Offset + i] = value;
        else Write(i, value);
    }
}
