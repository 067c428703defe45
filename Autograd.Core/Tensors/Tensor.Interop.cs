using SysTensor = System.Numerics.Tensors.Tensor;

namespace Autograd;

public partial class Tensor
{
    /// <summary>A tensor holding a copy of a <see cref="System.Numerics.Tensors.Tensor{T}"/>'s elements and shape.</summary>
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
    public System.Numerics.Tensors.Tensor<T> ToSystemTensor<T>() where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var lengths = Dims.Select(d => (nint)d).ToArray();
        return SysTensor.Create(ToArray<T>(), lengths);
    }
}
