namespace Autograd.Nn;

/// <summary>Which fan <see cref="Init.KaimingUniform(Tensor, Generator, double, FanMode, Nonlinearity)"/> and <see cref="Init.KaimingNormal(Tensor, Generator, double, FanMode, Nonlinearity)"/> scale by (PyTorch's <c>mode</c>).</summary>
public enum FanMode
{
    /// <summary>The number of inputs of a unit: preserves the variance of the activations in the forward pass.</summary>
    FanIn,
    /// <summary>The number of outputs of a unit: preserves the variance of the gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>The nonlinearity whose recommended gain <see cref="Init.CalculateGain"/> returns (PyTorch's <c>nonlinearity</c> strings).</summary>
public enum Nonlinearity
{
    /// <summary>No nonlinearity (<c>"linear"</c>, also the convolutions): gain 1.</summary>
    Linear,
    /// <summary><c>"sigmoid"</c>: gain 1.</summary>
    Sigmoid,
    /// <summary><c>"tanh"</c>: gain 5/3.</summary>
    Tanh,
    /// <summary><c>"relu"</c>: gain √2.</summary>
    Relu,
    /// <summary><c>"leaky_relu"</c> with negative slope s (0.01 when not given): gain √(2 / (1 + s²)).</summary>
    LeakyRelu,
    /// <summary><c>"selu"</c>: gain 3/4.</summary>
    Selu,
}

/// <summary>
/// Weight initializations with PyTorch's formulas (<c>torch.nn.init</c>). Each one writes in place into the given
/// tensor (under <see cref="Autodiff.NoGrad"/>, so parameters that require grad can be initialized; their version
/// counter is bumped) and returns it. Random ones draw from the <see cref="Generator"/> passed, or from
/// <see cref="Generator.Default"/> in the overloads without one, one draw per element in row-major order
/// (<see cref="Generator.NextSingle"/> for float32, <see cref="Generator.NextDouble"/> for float64,
/// <see cref="Generator.NextNormal"/> for normal values), so a seed always gives the same weights. They do not
/// reproduce PyTorch's random streams, only its distributions.
/// </summary>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear and sigmoid, 5/3 for tanh,
    /// √2 for ReLU, √(2 / (1 + s²)) for leaky ReLU with negative slope s = <paramref name="param"/> (0.01 when null),
    /// 3/4 for SELU. <paramref name="param"/> is ignored by the other nonlinearities.
    /// </summary>
    /// <param name="nonlinearity">The nonlinearity.</param>
    /// <param name="param">The negative slope for <see cref="Nonlinearity.LeakyRelu"/>, or null for 0.01.</param>
    /// <returns>The gain.</returns>
    /// <exception cref="ArgumentException">The leaky-ReLU slope is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nonlinearity"/> is not a defined <see cref="Nonlinearity"/>.</exception>
    public static double CalculateGain(Nonlinearity nonlinearity, double? param = null)
    {
        switch (nonlinearity)
        {
            case Nonlinearity.Linear:
            case Nonlinearity.Sigmoid:
                return 1;
            case Nonlinearity.Tanh:
                return 5.0 / 3;
            case Nonlinearity.Relu:
                return Math.Sqrt(2.0);
            case Nonlinearity.LeakyRelu:
                double slope = param ?? 0.01;
                if (!double.IsFinite(slope))
                    throw new ArgumentException($"CalculateGain: negative slope {slope} for leaky_relu is not a finite number.", nameof(param));
                return Math.Sqrt(2.0 / (1 + slope * slope));
            case Nonlinearity.Selu:
                return 3.0 / 4;
            default:
                throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "CalculateGain: unsupported nonlinearity.");
        }
    }

    /// <summary>
    /// The fans of a weight as PyTorch's _calculate_fan_in_and_fan_out: for shape [out, in, k₁, k₂, …],
    /// fanIn = in · k₁·k₂·… and fanOut = out · k₁·k₂·… (a Linear weight [out, in] gives (in, out)).
    /// Throws <see cref="ArgumentException"/> for tensors of fewer than 2 dimensions.
    /// </summary>
    /// <param name="tensor">The weight, of at least 2 dimensions.</param>
    /// <returns>The fan-in and fan-out.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tensor"/> has fewer than 2 dimensions.</exception>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor) => Fans("CalculateFanInAndFanOut", tensor);

    private static (int FanIn, int FanOut) Fans(string op, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Shape;
        if (shape.Length < 2)
            throw new ArgumentException(
                $"{op}: fan in and fan out cannot be computed for a tensor of shape {Format(shape)} (fewer than 2 dimensions).",
                nameof(tensor));
        long receptive = 1;
        for (int d = 2; d < shape.Length; d++) receptive *= shape[d];
        return (checked((int)(shape[1] * receptive)), checked((int)(shape[0] * receptive)));
    }

    /// <summary>Fills <paramref name="tensor"/> with values from U(<paramref name="low"/>, <paramref name="high"/>) (torch.nn.init.uniform_).</summary>
    /// <param name="tensor">The float tensor to fill in place.</param>
    /// <param name="generator">The random source.</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound (excluded).</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentException">The bounds are not finite with low ≤ high, or the tensor is int64.</exception>
    public static Tensor Uniform(Tensor tensor, Generator generator, double low = 0, double high = 1)
    {
        CheckRandom("Uniform", tensor, generator);
        if (!(low <= high) || !double.IsFinite(low) || !double.IsFinite(high))
            throw new ArgumentException($"Uniform: bounds must be finite with low ≤ high, got low = {low}, high = {high}.");
        return Write(tensor, Tensor.Uniform(tensor.Shape, generator, low, high, tensor.DType));
    }

    /// <summary>Fills <paramref name="tensor"/> with values from U(<paramref name="low"/>, <paramref name="high"/>) drawn from <see cref="Generator.Default"/>.</summary>
    /// <param name="tensor">The float tensor to fill in place.</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound (excluded).</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The bounds are not finite with low ≤ high, or the tensor is int64.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1) => Uniform(tensor, Generator.Default, low, high);

    /// <summary>Fills <paramref name="tensor"/> with values from 𝒩(<paramref name="mean"/>, <paramref name="std"/>²) (torch.nn.init.normal_).</summary>
    /// <param name="tensor">The float tensor to fill in place.</param>
    /// <param name="generator">The random source.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation (≥ 0).</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentException">The mean or std is not finite, std is negative, or the tensor is int64.</exception>
    public static Tensor Normal(Tensor tensor, Generator generator, double mean = 0, double std = 1)
    {
        CheckRandom("Normal", tensor, generator);
        if (!(std >= 0) || !double.IsFinite(std) || !double.IsFinite(mean))
            throw new ArgumentException($"Normal: mean must be finite and std finite and non-negative, got mean = {mean}, std = {std}.");
        return Write(tensor, Tensor.Normal(tensor.Shape, generator, mean, std, tensor.DType));
    }

    /// <summary>Fills <paramref name="tensor"/> with values from 𝒩(<paramref name="mean"/>, <paramref name="std"/>²) drawn from <see cref="Generator.Default"/>.</summary>
    /// <param name="tensor">The float tensor to fill in place.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation (≥ 0).</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The mean or std is not finite, std is negative, or the tensor is int64.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1) => Normal(tensor, Generator.Default, mean, std);

    /// <summary>Sets every element to <paramref name="value"/> (torch.nn.init.constant_).</summary>
    /// <param name="tensor">The tensor to fill in place.</param>
    /// <param name="value">The value.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using (Autodiff.NoGrad()) tensor.Fill(value);
        return tensor;
    }

    /// <summary>Sets every element to 0 (torch.nn.init.zeros_).</summary>
    /// <param name="tensor">The tensor to fill in place.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Sets every element to 1 (torch.nn.init.ones_).</summary>
    /// <param name="tensor">The tensor to fill in place.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>
    /// Glorot/Xavier uniform (torch.nn.init.xavier_uniform_): values from U(−a, a) with
    /// a = gain · √(6 / (fanIn + fanOut)), i.e. standard deviation gain · √(2 / (fanIn + fanOut)).
    /// </summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="generator">The random source.</param>
    /// <param name="gain">The scaling factor.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64.</exception>
    public static Tensor XavierUniform(Tensor tensor, Generator generator, double gain = 1)
    {
        CheckRandom("XavierUniform", tensor, generator);
        var (fanIn, fanOut) = Fans("XavierUniform", tensor);
        if (tensor.NumElements == 0) return tensor;
        double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        double a = Math.Sqrt(3.0) * std;
        return Uniform(tensor, generator, -a, a);
    }

    /// <summary>Glorot/Xavier uniform (see the overload with a generator), drawing from <see cref="Generator.Default"/>.</summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="gain">The scaling factor.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1) => XavierUniform(tensor, Generator.Default, gain);

    /// <summary>
    /// Glorot/Xavier normal (torch.nn.init.xavier_normal_): values from 𝒩(0, std²) with
    /// std = gain · √(2 / (fanIn + fanOut)).
    /// </summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="generator">The random source.</param>
    /// <param name="gain">The scaling factor.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64.</exception>
    public static Tensor XavierNormal(Tensor tensor, Generator generator, double gain = 1)
    {
        CheckRandom("XavierNormal", tensor, generator);
        var (fanIn, fanOut) = Fans("XavierNormal", tensor);
        if (tensor.NumElements == 0) return tensor;
        double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Normal(tensor, generator, 0, std);
    }

    /// <summary>Glorot/Xavier normal (see the overload with a generator), drawing from <see cref="Generator.Default"/>.</summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="gain">The scaling factor.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1) => XavierNormal(tensor, Generator.Default, gain);

    /// <summary>
    /// He/Kaiming uniform (torch.nn.init.kaiming_uniform_): values from U(−bound, bound) with
    /// bound = √3 · gain / √fan, gain = <see cref="CalculateGain"/>(<paramref name="nonlinearity"/>, <paramref name="a"/>)
    /// and fan the fan-in or fan-out of <see cref="CalculateFanInAndFanOut"/> per <paramref name="mode"/>.
    /// <paramref name="a"/> is the negative slope of the leaky ReLU that follows (0 = ReLU). A tensor with a zero-size
    /// dimension is returned unchanged, as PyTorch does.
    /// </summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="generator">The random source.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (0 = ReLU).</param>
    /// <param name="mode">Which fan to scale by.</param>
    /// <param name="nonlinearity">The nonlinearity whose gain to use.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64, or <paramref name="a"/> is not finite for a leaky ReLU.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> or <paramref name="nonlinearity"/> is not a defined value.</exception>
    public static Tensor KaimingUniform(Tensor tensor, Generator generator, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
    {
        CheckRandom("KaimingUniform", tensor, generator);
        if (tensor.NumElements == 0 && tensor.Rank >= 2) return tensor;
        double std = KaimingStd("KaimingUniform", tensor, a, mode, nonlinearity);
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, generator, -bound, bound);
    }

    /// <summary>He/Kaiming uniform (see the overload with a generator), drawing from <see cref="Generator.Default"/>.</summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (0 = ReLU).</param>
    /// <param name="mode">Which fan to scale by.</param>
    /// <param name="nonlinearity">The nonlinearity whose gain to use.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> or <paramref name="nonlinearity"/> is not a defined value.</exception>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        KaimingUniform(tensor, Generator.Default, a, mode, nonlinearity);

    /// <summary>
    /// He/Kaiming normal (torch.nn.init.kaiming_normal_): values from 𝒩(0, std²) with std = gain / √fan (see
    /// <see cref="KaimingUniform(Tensor, Generator, double, FanMode, Nonlinearity)"/> for gain and fan). A tensor with a zero-size dimension is returned unchanged.
    /// </summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="generator">The random source.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (0 = ReLU).</param>
    /// <param name="mode">Which fan to scale by.</param>
    /// <param name="nonlinearity">The nonlinearity whose gain to use.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64, or <paramref name="a"/> is not finite for a leaky ReLU.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> or <paramref name="nonlinearity"/> is not a defined value.</exception>
    public static Tensor KaimingNormal(Tensor tensor, Generator generator, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
    {
        CheckRandom("KaimingNormal", tensor, generator);
        if (tensor.NumElements == 0 && tensor.Rank >= 2) return tensor;
        double std = KaimingStd("KaimingNormal", tensor, a, mode, nonlinearity);
        return Normal(tensor, generator, 0, std);
    }

    /// <summary>He/Kaiming normal (see the overload with a generator), drawing from <see cref="Generator.Default"/>.</summary>
    /// <param name="tensor">The float tensor of at least 2 dimensions to fill in place.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (0 = ReLU).</param>
    /// <param name="mode">Which fan to scale by.</param>
    /// <param name="nonlinearity">The nonlinearity whose gain to use.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is int64.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> or <paramref name="nonlinearity"/> is not a defined value.</exception>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        KaimingNormal(tensor, Generator.Default, a, mode, nonlinearity);

    private static double KaimingStd(string op, Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity)
    {
        var (fanIn, fanOut) = Fans(op, tensor);
        int fan = mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, $"{op}: mode must be FanIn or FanOut."),
        };
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    private static void CheckRandom(string op, Tensor tensor, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(generator);
        if (!tensor.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: random initialization needs a float32 or float64 tensor, got {tensor.DType.Name()} of shape {Format(tensor.Shape)}.", nameof(tensor));
    }

    private static Tensor Write(Tensor tensor, Tensor values)
    {
        using (Autodiff.NoGrad()) tensor.CopyFrom(values);
        return tensor;
    }

    internal static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
