namespace Autograd;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
/// <remarks>
/// Mixing <see cref="Float32"/> and <see cref="Float64"/> in one op promotes as PyTorch does: two dimensioned
/// tensors (or two 0-d tensors) give <see cref="Float64"/>; a 0-d tensor or a C# scalar combined with a
/// dimensioned tensor takes the dimensioned tensor's type. <see cref="Int64"/> holds indices (argmax, gather)
/// and is never differentiable.
/// </remarks>
public enum DType
{
    /// <summary>32-bit IEEE 754 floating point, the default.</summary>
    Float32,
    /// <summary>64-bit IEEE 754 floating point.</summary>
    Float64,
    /// <summary>64-bit signed integers, for indices.</summary>
    Int64,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>The PyTorch-style name: float32, float64, int64.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The lower-case name used in PyTorch and in this library's messages.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined <see cref="DType"/> value.</exception>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Whether values of this type can carry gradients.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns><see langword="true"/> for <see cref="DType.Float32"/> and <see cref="DType.Float64"/>; <see langword="false"/> otherwise.</returns>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    internal static DType Of<T>(string op = "tensor") =>
        typeof(T) == typeof(float) ? DType.Float32 :
        typeof(T) == typeof(double) ? DType.Float64 :
        typeof(T) == typeof(long) ? DType.Int64 :
        throw new ArgumentException($"{op}: element type {typeof(T).Name} is not supported: use float, double or long.");

    internal static Array NewArray(this DType dtype, int length, bool zero = true) => dtype switch
    {
        DType.Float32 => zero ? new float[length] : GC.AllocateUninitializedArray<float>(length),
        DType.Float64 => zero ? new double[length] : GC.AllocateUninitializedArray<double>(length),
        DType.Int64 => zero ? new long[length] : GC.AllocateUninitializedArray<long>(length),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
