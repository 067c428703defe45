namespace Autograd.Nn.Data;

/// <summary>
/// A dataset held in two tensors whose first dimension is the sample count (PyTorch's TensorDataset):
/// sample <c>i</c> is <c>(Inputs[i], Targets[i])</c>.
/// </summary>
public sealed class TensorDataset : Dataset<(Tensor Input, Tensor Target)>
{
    /// <summary>
    /// Creates a dataset from <paramref name="inputs"/> and <paramref name="targets"/>, which must both have at least
    /// one dimension and the same size along the first one.
    /// </summary>
    /// <param name="inputs">The inputs, one sample per index of the first dimension.</param>
    /// <param name="targets">The targets, one sample per index of the first dimension.</param>
    /// <exception cref="ArgumentException">A tensor is 0-d, or the sample counts differ (the message names both shapes).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or <paramref name="targets"/> is null.</exception>
    public TensorDataset(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0)
            throw new ArgumentException(
                $"TensorDataset: inputs and targets need a first (sample) dimension; got inputs of shape {Format(inputs.Shape)} and targets of shape {Format(targets.Shape)}.");
        if (inputs.Size(0) != targets.Size(0))
            throw new ArgumentException(
                $"TensorDataset: inputs of shape {Format(inputs.Shape)} hold {inputs.Size(0)} samples but targets of shape {Format(targets.Shape)} hold {targets.Size(0)}; the first dimensions must match.");
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>The inputs, one sample per index of the first dimension.</summary>
    public Tensor Inputs { get; }

    /// <summary>The targets, one sample per index of the first dimension.</summary>
    public Tensor Targets { get; }

    /// <summary>The number of samples.</summary>
    public override int Count => Inputs.Size(0);

    /// <summary>Sample <paramref name="index"/>: the input and target without the sample dimension (copies).</summary>
    /// <param name="index">The sample index, in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public override (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            var (inputs, targets) = GetBatch([index]);
            return (inputs.Squeeze(0), targets.Squeeze(0));
        }
    }

    /// <summary>
    /// The samples at <paramref name="indices"/>, in that order, stacked along a new first dimension of length
    /// <c>indices.Length</c> (fresh tensors gathered with <see cref="Tensor.IndexSelect(int, int[])"/>).
    /// </summary>
    /// <param name="indices">The sample indices, each in [0, <see cref="Count"/>); repeats are allowed.</param>
    /// <returns>The inputs and targets of those samples, each with a first dimension of length <c>indices.Length</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is not in [0, <see cref="Count"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    public (Tensor Inputs, Tensor Targets) GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int count = Count;
        foreach (int i in indices)
            if ((uint)i >= (uint)count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"TensorDataset: sample index {i} is out of range for {count} samples.");
        return (Inputs.IndexSelect(0, indices), Targets.IndexSelect(0, indices));
    }

    internal static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
