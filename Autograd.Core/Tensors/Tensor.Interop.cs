using SysTensor = System.Numerics.Tensors.Tensor;

namespace Autograd;

public partial class Tensor
{
    /// <summary>A tensor holding a copy of a <see cref="System.Numerics.Tensors.Tensor{T}"/>'s elements and shape.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/> or <see cref="long"/>.</typeparam>
    /// <param name="source">The tensor to copy; strided sources are read in row-major order.</param>
    /// <returns>A new contiguous tensor of <paramref name="source"/>'s shape and the matching dtype, not requiring grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not float, double or long, or the shape has more elements than an array can hold.</exception>
    /// <exception cref="OverflowException">A dimension of <paramref name="source"/> exceeds <see cref="int.MaxValue"/>.</exception>
    public static Tensor From<T>(System.Numerics.Tensors.Tensor<T> source) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        var dtype = typeof(T) == typeof(int) ? DType.Int64 : FromDType<T>();
        var lengths = source.Lengths;
        var shape = new int[lengths.Length];
        for (int i = 0; i < shape.Length; i++) shape[i] = checked((int)lengths[i]);
        var flat = new T[ShapeUtil.NumElements(shape, "From")];
        source.FlattenTo(flat);
        if (typeof(T) == typeof(int)) return FromInt32(System.Runtime.InteropServices.MemoryMarshal.Cast<T, int>(flat), shape);
        return new Tensor(flat, shape, dtype);
    }

    /// <summary>A new <see cref="System.Numerics.Tensors.Tensor{T}"/> with this tensor's shape and elements converted to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type of the result; values are converted as by <see cref="ToArray{T}"/>.</typeparam>
    /// <returns>A copy, not sharing storage with this tensor and outside the autograd graph.</returns>
    public System.Numerics.Tensors.Tensor<T> ToSystemTensor<T>() where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var lengths = Dims.Select(d => (nint)d).ToArray();
        return SysTensor.Create(ToArray<T>(), lengths);
    }
}
