using System.Globalization;

namespace Autograd.Nn.Data;

/// <summary>
/// A tensor-to-tensor transform applied to samples as they are read (torchvision's transforms): pass
/// <see cref="Apply"/> to <see cref="Dataset{T}.Map{TResult}"/>, chain several with <see cref="Compose"/>.
/// </summary>
public abstract class Transform
{
    /// <summary>Transforms one tensor.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The transformed tensor.</returns>
    public abstract Tensor Apply(Tensor input);
}

/// <summary>Several transforms applied in order (torchvision's <c>Compose</c>).</summary>
public sealed class Compose : Transform
{
    private readonly Transform[] _transforms;

    /// <summary>Chains <paramref name="transforms"/>, first to last.</summary>
    /// <param name="transforms">The transforms.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transforms"/> or one of them is null.</exception>
    public Compose(params Transform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        for (int i = 0; i < transforms.Length; i++) ArgumentNullException.ThrowIfNull(transforms[i], $"{nameof(transforms)}[{i}]");
        _transforms = (Transform[])transforms.Clone();
    }

    /// <summary>The transforms, in order.</summary>
    public IReadOnlyList<Transform> Transforms => _transforms;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Apply(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var t in _transforms) input = t.Apply(input);
        return input;
    }

    /// <summary>torchvision's repr: <c>Compose(</c>, one transform per line, <c>)</c>.</summary>
    /// <returns>The repr.</returns>
    public override string ToString() => "Compose(\n" + string.Concat(_transforms.Select(t => "    " + t + "\n")) + ")";
}

/// <summary>A transform given as a function (torchvision's <c>Lambda</c>).</summary>
/// <param name="function">The function.</param>
public sealed class Lambda(Func<Tensor, Tensor> function) : Transform
{
    private readonly Func<Tensor, Tensor> _function = function ?? throw new ArgumentNullException(nameof(function));

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Apply(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _function(input);
    }

    /// <summary>The repr, <c>Lambda()</c>.</summary>
    /// <returns>The repr.</returns>
    public override string ToString() => "Lambda()";
}

/// <summary>
/// <c>(input − mean) / std</c> per channel (torchvision's <c>Normalize</c>): with one mean and one std, over every
/// element; with C of each, along <see cref="ChannelDim"/> (−3, the C of (…, C, H, W), by default), which must have
/// size C. The result is a new tensor of the input's dtype (float32 or float64).
/// </summary>
public sealed class Normalize : Transform
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>Creates the transform.</summary>
    /// <param name="mean">The means, one or one per channel.</param>
    /// <param name="std">The standard deviations, as many as <paramref name="mean"/>, none zero.</param>
    /// <param name="channelDim">The channel dimension when there are several channels.</param>
    /// <exception cref="ArgumentNullException"><paramref name="mean"/> or <paramref name="std"/> is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ or are zero, or a std is zero or not finite.</exception>
    public Normalize(double[] mean, double[] std, int channelDim = -3)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: mean ({mean.Length} values) and std ({std.Length} values) must have the same non-zero length.", nameof(std));
        if (std.Any(s => s == 0 || !double.IsFinite(s)))
            throw new ArgumentException($"Normalize: std [{Join(std)}] must be finite and non-zero (it divides).", nameof(std));
        (_mean, _std, ChannelDim) = ((double[])mean.Clone(), (double[])std.Clone(), channelDim);
    }

    /// <summary>The means (a copy).</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>The standard deviations (a copy).</summary>
    public double[] Std => (double[])_std.Clone();

    /// <summary>The channel dimension, used when there are several channels.</summary>
    public int ChannelDim { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The input is int64, or it has no dimension <see cref="ChannelDim"/> of size C when there are C &gt; 1 channels.
    /// </exception>
    public override Tensor Apply(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.DType == DType.Int64)
            throw new ArgumentException("Normalize: needs a float32 or float64 tensor; got int64 (convert it with To).", nameof(input));
        if (_mean.Length == 1) return (input - _mean[0]) / _std[0];
        int d = ChannelDim < 0 ? ChannelDim + input.Rank : ChannelDim;
        if (d < 0 || d >= input.Rank || input.Size(d) != _mean.Length)
            throw new ArgumentException(
                $"Normalize: {_mean.Length} channels need dimension {ChannelDim} of size {_mean.Length}; got a tensor of shape {TensorDataset.Format(input.Shape)}.", nameof(input));
        var shape = Enumerable.Repeat(1, input.Rank - d).ToArray();
        shape[0] = _mean.Length;
        var mean = Tensor.From(_mean).To(input.DType).Reshape(shape);
        var std = Tensor.From(_std).To(input.DType).Reshape(shape);
        return (input - mean) / std;
    }

    /// <summary>torchvision's repr, e.g. <c>Normalize(mean=[0.5], std=[0.25])</c>.</summary>
    /// <returns>The repr.</returns>
    public override string ToString() => $"Normalize(mean=[{Join(_mean)}], std=[{Join(_std)}])";

    private static string Join(double[] v) => string.Join(", ", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
}

/// <summary>
/// One-hot encoding of int64 class indices (PyTorch's <c>nn.functional.one_hot</c>): a tensor of the input's shape
/// plus a last dimension of <see cref="NumClasses"/>, 1 at each index and 0 elsewhere, int64 as PyTorch (or the
/// dtype given).
/// </summary>
public sealed class OneHot : Transform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="numClasses">The number of classes; −1 takes the largest index + 1 of each input, as PyTorch.</param>
    /// <param name="dtype">The result's dtype.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below −1.</exception>
    public OneHot(int numClasses = -1, DType dtype = DType.Int64)
    {
        if (numClasses < -1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "one_hot: numClasses must be −1 (inferred) or non-negative.");
        (NumClasses, DType) = (numClasses, dtype);
    }

    /// <summary>The number of classes, or −1 to infer it from each input.</summary>
    public int NumClasses { get; }

    /// <summary>The result's dtype.</summary>
    public DType DType { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is not int64, or an index is negative or not below the class count.</exception>
    public override Tensor Apply(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.DType != DType.Int64)
            throw new ArgumentException($"one_hot: needs an int64 tensor of class indices; got {input.DType}.", nameof(input));
        var idx = input.ToArray<long>();
        long classes = NumClasses;
        if (classes < 0)
        {
            if (idx.Length == 0)
                throw new ArgumentException("one_hot: cannot infer the number of classes of an empty tensor; give numClasses.", nameof(input));
            classes = idx.Max() + 1;
        }
        foreach (long i in idx)
            if (i < 0 || i >= classes)
                throw new ArgumentException($"one_hot: class index {i} is out of range for {classes} classes.", nameof(input));
        var result = new long[idx.Length * classes];
        for (int k = 0; k < idx.Length; k++) result[k * classes + idx[k]] = 1;
        return Tensor.From(result).Reshape([.. input.Shape, (int)classes]).To(DType);
    }

    /// <summary>The repr, e.g. <c>OneHot(num_classes=10)</c>.</summary>
    /// <returns>The repr.</returns>
    public override string ToString() => $"OneHot(num_classes={NumClasses.ToString(CultureInfo.InvariantCulture)})";
}
