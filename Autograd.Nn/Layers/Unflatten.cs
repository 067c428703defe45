namespace Autograd.Nn;

/// <summary>
/// Splits axis <see cref="Axis"/> into <see cref="UnflattenedSize"/> (PyTorch's nn.Unflatten, the inverse of
/// <see cref="Flatten"/>: [N, C·H·W] back to [N, C, H, W]).
/// </summary>
public sealed class Unflatten : Module
{
    private readonly int[] _sizes;

    /// <summary>Creates the module splitting axis <paramref name="axis"/> into <paramref name="unflattenedSize"/>.</summary>
    /// <param name="axis">The axis to split (negative counts from the end).</param>
    /// <param name="unflattenedSize">The new sizes, whose product is the size of the axis; one may be −1 (inferred).</param>
    /// <exception cref="ArgumentNullException"><paramref name="unflattenedSize"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="unflattenedSize"/> is empty.</exception>
    public Unflatten(int axis, params int[] unflattenedSize)
    {
        ArgumentNullException.ThrowIfNull(unflattenedSize);
        if (unflattenedSize.Length == 0) throw new ArgumentException("Unflatten: unflattenedSize must be non-empty.", nameof(unflattenedSize));
        Axis = axis;
        _sizes = (int[])unflattenedSize.Clone();
    }

    /// <summary>The axis that is split.</summary>
    public int Axis { get; }

    /// <summary>A copy of the sizes the axis is split into.</summary>
    public int[] UnflattenedSize => (int[])_sizes.Clone();

    /// <summary>Computes y = x with axis <see cref="Axis"/> split into <see cref="UnflattenedSize"/> (a view when the strides allow it).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The unflattened tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Axis"/> is out of range for the input's rank.</exception>
    /// <exception cref="ArgumentException">The input is 0-d, or the sizes do not multiply up to the size of the axis.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Unflatten(Axis, _sizes);
    }

    /// <summary>PyTorch's description, e.g. <c>dim=1, unflattened_size=(2, 5)</c>.</summary>
    /// <returns>The axis and sizes as PyTorch's <c>nn.Unflatten.extra_repr</c> prints them.</returns>
    public override string ExtraRepr() =>
        $"dim={Repr.Int(Axis)}, unflattened_size=({string.Join(", ", _sizes.Select(s => Repr.Int(s)))}{(_sizes.Length == 1 ? "," : "")})";
}
