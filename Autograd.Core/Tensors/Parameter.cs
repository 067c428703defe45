namespace Autograd;

/// <summary>
/// A tensor that is a trainable parameter of a model (PyTorch's nn.Parameter): a leaf that requires grad and
/// that <c>Autograd.Nn.Module</c> discovers. Ops on it return plain tensors.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>A parameter sharing <paramref name="data"/>'s storage (cut off from any graph).</summary>
    /// <param name="data">The initial values: a float32 or float64 tensor of any shape; its storage is shared, not copied.</param>
    /// <param name="requiresGrad">Whether the parameter is a leaf that accumulates gradients in <see cref="Tensor.Grad"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> is not float32 or float64.</exception>
    public Parameter(Tensor data, bool requiresGrad = true)
        : base(Checked(data).Data, data.Dims, data.StrideArray, data.Offset, data.DType, data.Version)
    {
        RequiresGrad = requiresGrad;
    }

    private static Tensor Checked(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.DType.IsFloatingPoint())
            throw new ArgumentException($"Parameter: parameters must be float32 or float64, got {data.DType.Name()}.");
        return data;
    }
}
