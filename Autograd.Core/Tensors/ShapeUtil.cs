namespace Autograd;

/// <summary>Shape arithmetic shared by all ops: element counts, strides, broadcasting, axis normalisation.</summary>
internal static class ShapeUtil
{
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static int NumElements(ReadOnlySpan<int> shape, string op = "tensor")
    {
        if (shape.Length == 0) return 1;
        long n = 1;
        bool tooLarge = false;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"{op}: negative dimension {d} in shape {Format(shape)}.");
            n *= d;
            // Go on looking for a zero size, which makes any shape empty ([65536, 65536, 0] as in PyTorch).
            if (n > Array.MaxLength)
            {
                tooLarge = true;
                n = 1;
            }
        }
        if (tooLarge && n != 0) throw new ArgumentException($"{op}: shape {Format(shape)} has more than {Array.MaxLength} elements.");
        return (int)n;
    }

    /// <summary>
    /// Throws naming <paramref name="op"/> when reducing <paramref name="shape"/> over <paramref name="axes"/> gives more
    /// elements than an array holds, which only an empty input can do ([65536, 0, 65536] summed over axis 1).
    /// </summary>
    public static void CheckReducedSize(string op, int[] shape, int[]? axes)
    {
        var mask = AxisMask(op, axes, shape.Length);
        long n = 1;
        for (int d = 0; d < shape.Length; d++) if (!mask[d]) n = Math.Min(n * shape[d], (long)Array.MaxLength + 1);
        if (n > Array.MaxLength)
            throw new ArgumentException($"{op}: reducing shape {Format(shape)} over axes {Format(axes ?? [])} gives more than {Array.MaxLength} elements.");
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        // An empty array cannot be written to, so every 0-d tensor shares one.
        if (shape.Length == 0) return [];
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    public static int[] Broadcast(string op, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        if (rank == 0) return [];
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    public static int NormalizeAxis(string op, int axis, int rank)
    {
        int r = Math.Max(rank, 1);
        if (axis < -r || axis >= r)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"{op}: axis {axis} is out of range for a tensor of rank {rank} (expected {-r} to {r - 1}).");
        return axis < 0 ? axis + r : axis;
    }

    /// <summary>Axes to reduce as a mask; null or empty means all axes.</summary>
    public static bool[] AxisMask(string op, int[]? axes, int rank)
    {
        var mask = new bool[rank];
        if (axes is null || axes.Length == 0)
        {
            Array.Fill(mask, true);
            return mask;
        }
        foreach (var a in axes)
        {
            int n = NormalizeAxis(op, a, rank);
            if (rank == 0) continue;
            if (mask[n]) throw new ArgumentException($"{op}: axis {a} appears more than once in {Format(axes)}.");
            mask[n] = true;
        }
        return mask;
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
