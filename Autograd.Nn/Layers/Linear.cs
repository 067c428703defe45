namespace Autograd.Nn;

/// <summary>
/// A fully connected layer (PyTorch's nn.Linear): computes y = x·Wᵀ + b over the last axis of x, with the weight
/// W ∈ ℝ^{out×in} registered as <c>"weight"</c> and the bias b ∈ ℝ^{out} as <c>"bias"</c> — PyTorch's names and layout,
/// so a PyTorch state dictionary loads unchanged.
/// </summary>
/// <remarks>
/// Initialization is PyTorch's reset_parameters: W by <see cref="Init.KaimingUniform(Tensor, Generator, double, FanMode, Nonlinearity)"/> with a = √5, which is
/// U(−1/√in, 1/√in), then b from U(−1/√in, 1/√in), both drawn (weight first) from the generator passed in, or
/// without one from <see cref="Generator.Default"/> (as PyTorch's default generator): successive layers get
/// different weights, and a program that builds its model the same way gets the same weights on every run
/// (<see cref="Generator.ManualSeed"/> picks another seed).
/// </remarks>
public sealed class Linear : Module
{
    /// <summary>Creates the layer and initializes its parameters as PyTorch does (see the remarks on the class).</summary>
    /// <param name="inFeatures">Size of the last axis of the input.</param>
    /// <param name="outFeatures">Size of the last axis of the output.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="generator">Source of the initial values; <see cref="Generator.Default"/> when null.</param>
    /// <param name="dtype">Element type of the parameters (float32 or float64).</param>
    /// <exception cref="ArgumentException">A feature count is negative, the weight would have more than <see cref="Array.MaxLength"/> elements, or <paramref name="dtype"/> is int64.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (inFeatures > 0 && outFeatures > 0 && (long)inFeatures * outFeatures > Array.MaxLength)
            throw new ArgumentException($"Linear: the weight of shape [{outFeatures}, {inFeatures}] would have more than {Array.MaxLength} elements.");
        if (inFeatures < 0 || outFeatures < 0)
            throw new ArgumentException($"Linear: feature counts must be non-negative, got inFeatures = {inFeatures}, outFeatures = {outFeatures}.");
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"Linear: parameters must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
        generator ??= Generator.Default;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Zeros([outFeatures, inFeatures], dtype));
        Init.KaimingUniform(Weight, generator, a: Math.Sqrt(5));
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros([outFeatures], dtype));
            double bound = inFeatures > 0 ? 1 / Math.Sqrt(inFeatures) : 0;
            Init.Uniform(Bias, generator, -bound, bound);
        }
    }

    /// <summary>Size of the last axis of the input.</summary>
    public int InFeatures { get; }

    /// <summary>Size of the last axis of the output.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight W, of shape [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias b, of shape [out], or null when the layer was built with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>
    /// relu(<see cref="Forward"/>(<paramref name="input"/>)) as one op (the product's epilogue applies the ReLU), with
    /// the same bits, when there is a bias and the input is a matrix of [n, in] and the parameters' dtype; else null.
    /// </summary>
    internal Tensor? ForwardRelu(Tensor input) =>
        Bias is not null && input.Rank == 2 && input.Dims[1] == InFeatures && input.DType == Weight.DType
            ? Ops.LinearRelu.Forward(input, Weight, Bias)
            : null;

    /// <summary>
    /// Computes y = x·Wᵀ + b for x of shape [*, in] (any leading axes, or none), giving [*, out]. The input must have
    /// the parameters' dtype, as in PyTorch.
    /// </summary>
    /// <param name="input">The input, of shape [*, in] and the parameters' dtype.</param>
    /// <returns>The output, of shape [*, out].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is 0-d, its last axis is not <see cref="InFeatures"/>, or its dtype is not the parameters'.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new ArgumentException(
                $"Linear: expected an input whose last axis has {InFeatures} features, got shape {Init.Format(input.Shape)}.", nameof(input));
        if (input.DType != Weight.DType)
            throw new ArgumentException(
                $"Linear: input of dtype {input.DType.Name()} does not match the parameters' dtype {Weight.DType.Name()}; convert it with To().", nameof(input));
        if (Bias is null) return input.MatMul(Weight.T);
        // One op for the product and the bias (the bias added in the product's output pass, its gradient taken in the
        // weight gradient's), on the input seen as a matrix of rows.
        if (input.Rank == 2) return Ops.Linear.Forward(input, Weight, Bias);
        int[] lead = input.Shape[..^1];
        int rows = 1;
        foreach (int d in lead) rows *= d;
        return Ops.Linear.Forward(input.Reshape(rows, InFeatures), Weight, Bias).Reshape([.. lead, OutFeatures]);
    }

    /// <summary>PyTorch's description of the configuration, e.g. <c>in_features=784, out_features=256, bias=True</c>.</summary>
    /// <returns>The text inside the parentheses of <c>Linear(…)</c> in <see cref="Module.ToString"/>.</returns>
    public override string ExtraRepr() =>
        $"in_features={Repr.Int(InFeatures)}, out_features={Repr.Int(OutFeatures)}, bias={Repr.Bool(Bias is not null)}";
}
