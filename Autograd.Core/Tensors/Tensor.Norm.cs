namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// Layer normalization over the trailing axes (torch.nn.functional.layer_norm): with μ and σ² the mean and biased
    /// variance over the last <c>normalizedShape.Length</c> axes, computes y = (x − μ) / √(σ² + eps) · weight + bias.
    /// The statistics are taken in two passes (the mean, then the mean of squared deviations) with the
    /// reductions' accurate accumulation, so float32 does not drift with the length; the result is a composite of
    /// recorded ops, differentiable to any order.
    /// </summary>
    /// <param name="normalizedShape">The trailing dimensions to normalize over, at least one; must equal the input's last dimensions.</param>
    /// <param name="weight">The per-element scale, of shape <paramref name="normalizedShape"/>, or null for none.</param>
    /// <param name="bias">The per-element shift, of shape <paramref name="normalizedShape"/>, or null for none.</param>
    /// <param name="eps">Added to the variance, for stability; must be non-negative.</param>
    /// <returns>A new tensor of this shape and dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="normalizedShape"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// This tensor is not float32 or float64, <paramref name="normalizedShape"/> is empty or not this tensor's
    /// trailing dimensions, <paramref name="weight"/> or <paramref name="bias"/> has another shape or dtype, or
    /// <paramref name="eps"/> is negative or NaN.
    /// </exception>
    public Tensor LayerNorm(int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "layer_norm";
        ArgumentNullException.ThrowIfNull(normalizedShape);
        RequireFloat(op);
        int k = normalizedShape.Length;
        bool fits = k > 0 && k <= Rank;
        for (int i = 1; fits && i <= k; i++) fits = Dims[^i] == normalizedShape[^i];
        if (!fits)
            throw new ArgumentException(
                $"{op}: normalized_shape {ShapeUtil.Format(normalizedShape)} must be non-empty and equal the last dimensions of the input of shape {ShapeUtil.Format(Dims)}.");
        CheckAffine(op, "weight", weight, normalizedShape);
        CheckAffine(op, "bias", bias, normalizedShape);
        if (!(eps >= 0))
            throw new ArgumentException($"{op}: eps must be non-negative, got {eps}.", nameof(eps));
        var axes = Enumerable.Range(Rank - k, k).ToArray();
        var y = NormalizeOver(axes, eps);
        if (weight is not null) y *= weight;
        if (bias is not null) y += bias;
        return y;
    }

    /// <summary>(x − μ) / √(σ² + eps) over <paramref name="axes"/>, with the biased variance of a second pass.</summary>
    private Tensor NormalizeOver(int[] axes, double eps)
    {
        var centred = this - Mean(axes, keepDims: true);
        var variance = (centred * centred).Mean(axes, keepDims: true);
        return centred / (variance + eps).Sqrt();
    }

    private void CheckAffine(string op, string name, Tensor? t, int[] shape)
    {
        if (t is null) return;
        if (!ShapeUtil.SameShape(t.Dims, shape) || t.DType != DType)
            throw new ArgumentException(
                $"{op}: {name} must have shape {ShapeUtil.Format(shape)} and dtype {DType.Name()}, got {ShapeUtil.Format(t.Dims)} of {t.DType.Name()}.", name);
    }
}
