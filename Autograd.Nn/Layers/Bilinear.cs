namespace Autograd.Nn;

/// <summary>
/// A bilinear layer (PyTorch's nn.Bilinear): y[…, o] = Σᵢⱼ x₁[…, i]·W[o, i, j]·x₂[…, j] + b[o], with the weight
/// W ∈ ℝ^{out×in1×in2} registered as <c>"weight"</c> and the bias b ∈ ℝ^{out} as <c>"bias"</c>, PyTorch's names and
/// layout.
/// </summary>
/// <remarks>
/// Initialization is PyTorch's reset_parameters: W and then b from U(−1/√in1, 1/√in1), drawn from the generator
/// passed in or <see cref="Generator.Default"/>.
/// </remarks>
public sealed class Bilinear : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the layer and initializes its parameters as PyTorch does (see the remarks on the class).</summary>
    /// <param name="in1Features">Size of the last axis of the first input.</param>
    /// <param name="in2Features">Size of the last axis of the second input.</param>
    /// <param name="outFeatures">Size of the last axis of the output.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="generator">Source of the initial values; <see cref="Generator.Default"/> when null.</param>
    /// <param name="dtype">Element type of the parameters (float32 or float64).</param>
    /// <exception cref="ArgumentException">A feature count is not positive, the weight would have more than <see cref="Array.MaxLength"/> elements, or <paramref name="dtype"/> is int64.</exception>
    public Bilinear(int in1Features, int in2Features, int outFeatures, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (in1Features <= 0 || in2Features <= 0 || outFeatures <= 0)
            throw new ArgumentException(
                $"Bilinear: feature counts must be positive, got in1Features = {in1Features}, in2Features = {in2Features}, outFeatures = {outFeatures}.");
        if ((long)in1Features * in2Features * outFeatures > Array.MaxLength)
            throw new ArgumentException($"Bilinear: the weight of shape [{outFeatures}, {in1Features}, {in2Features}] would have more than {Array.MaxLength} elements.");
        NormChecks.CheckFloat(nameof(Bilinear), dtype);
        generator ??= Generator.Default;
        In1Features = in1Features;
        In2Features = in2Features;
        OutFeatures = outFeatures;
        double bound = 1 / Math.Sqrt(in1Features);
        Weight = RegisterParameter("weight", Tensor.Zeros([outFeatures, in1Features, in2Features], dtype));
        Init.Uniform(Weight, generator, -bound, bound);
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros([outFeatures], dtype));
            Init.Uniform(Bias, generator, -bound, bound);
        }
    }

    /// <summary>Size of the last axis of the first input.</summary>
    public int In1Features { get; }

    /// <summary>Size of the last axis of the second input.</summary>
    public int In2Features { get; }

    /// <summary>Size of the last axis of the output.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight W, of shape [out, in1, in2].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias b, of shape [out], or null when the layer was built with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>Computes y = x₁ᵀ W x₂ + b for x₁ of shape [*, in1] and x₂ of shape [*, in2] (the same leading axes), giving [*, out].</summary>
    /// <param name="input1">The first input, of shape [*, in1] and the parameters' dtype.</param>
    /// <param name="input2">The second input, of shape [*, in2] and the parameters' dtype.</param>
    /// <returns>The output, of shape [*, out].</returns>
    /// <exception cref="ArgumentNullException">An input is null.</exception>
    /// <exception cref="ArgumentException">An input is 0-d, has the wrong last axis or dtype, or the leading axes differ.</exception>
    public override Tensor Forward(Tensor input1, Tensor input2)
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        if (input1.Rank == 0 || input1.Size(-1) != In1Features || input2.Rank != input1.Rank || input2.Size(-1) != In2Features
            || !input1.Shape[..^1].SequenceEqual(input2.Shape[..^1]))
            throw new ArgumentException(
                $"Bilinear: expected inputs of shapes [*, {In1Features}] and [*, {In2Features}] with the same leading axes, got {TensorChecks.Format(input1.Shape)} and {TensorChecks.Format(input2.Shape)}.");
        if (input1.DType != Weight.DType || input2.DType != Weight.DType)
            throw new ArgumentException(
                $"Bilinear: inputs of dtypes {input1.DType.Name()} and {input2.DType.Name()} do not match the parameters' dtype {Weight.DType.Name()}; convert them with To().");
        int[] lead = input1.Shape[..^1];
        int n = lead.Aggregate(1, (a, b) => a * b);
        // x₁ · W viewed as [in1, out·in2], then contracted with x₂ over j.
        var w = Weight.Permute(1, 0, 2).Reshape(In1Features, OutFeatures * In2Features);
        var t = input1.Reshape(n, In1Features).MatMul(w).Reshape(n, OutFeatures, In2Features);
        var y = (t * input2.Reshape(n, 1, In2Features)).Sum(2);
        if (Bias is not null) y += Bias;
        return y.Reshape([.. lead, OutFeatures]);
    }

    /// <summary>PyTorch's description, e.g. <c>in1_features=2, in2_features=3, out_features=4, bias=True</c>.</summary>
    /// <returns>The configuration as PyTorch's <c>nn.Bilinear.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() =>
        $"in1_features={Repr.Int(In1Features)}, in2_features={Repr.Int(In2Features)}, out_features={Repr.Int(OutFeatures)}, bias={Repr.Bool(Bias is not null)}";
}
