namespace Autograd.Nn;

/// <summary>
/// Why a tensor could not be read, or written in place, without throwing: checked for every tensor before a load or
/// an optimizer step changes the first one, so that such a failure changes nothing.
/// </summary>
internal static class TensorChecks
{
    /// <summary>Why reading <paramref name="t"/> would throw, or null.</summary>
    public static string? Unreadable(Tensor t) =>
        t.IsReleased ? "its storage went back to the pool when the BufferScope that computed it ended" : null;

    /// <summary>Why an in-place write into <paramref name="t"/> (under no-grad) would throw, or null.</summary>
    public static string? Unwritable(Tensor t)
    {
        if (Unreadable(t) is { } why) return why;
        // A contiguous tensor has no stride-0 dimension of size > 1; only views need the (allocating) stride check.
        if (t.IsContiguous) return null;
        var shape = t.Shape;
        var strides = t.Strides;
        for (int d = 0; d < shape.Length; d++)
            if (strides[d] == 0 && shape[d] > 1)
                return $"it is a broadcast view of shape {Format(shape)} (stride 0 along dimension {d}), whose elements share memory";
        return null;
    }

    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
