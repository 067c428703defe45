using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>Gradient clipping (PyTorch's torch.nn.utils.clip_grad_norm_ and clip_grad_value_).</summary>
public static class GradClip
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their total norm is at most
    /// <paramref name="maxNorm"/>, and returns the total norm before clipping, as PyTorch's <c>clip_grad_norm_</c>:
    /// each gradient's p-norm ‖gᵢ‖ is computed in its dtype, the total is the p-norm of those norms (in float64 if any
    /// gradient is float64, else float32), and every gradient is multiplied by
    /// <c>min(maxNorm / (total + 1e-6), 1)</c>. Parameters whose <see cref="Tensor.Grad"/> is null are skipped; with
    /// no gradients at all the result is 0. A tensor listed more than once counts, and is scaled, once.
    /// </summary>
    /// <param name="parameters">The tensors whose gradients to clip (e.g. <c>module.Parameters()</c>).</param>
    /// <param name="maxNorm">The largest allowed total norm (finite or +∞, ≥ 0).</param>
    /// <param name="normType">The order p of the norm: a positive number, or <see cref="double.PositiveInfinity"/> for the largest absolute value.</param>
    /// <param name="errorIfNonfinite">Throw (before changing anything) if the total norm is NaN or infinite, instead of scaling by it.</param>
    /// <returns>The total norm of the gradients before clipping.</returns>
    /// <exception cref="ArgumentException"><paramref name="maxNorm"/> or <paramref name="normType"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="errorIfNonfinite"/> is set and the total norm is not finite.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (double.IsNaN(maxNorm) || maxNorm < 0)
            throw new ArgumentException($"ClipGradNorm: invalid max norm {Format(maxNorm)}: must be >= 0.", nameof(maxNorm));
        if (!(normType > 0))
            throw new ArgumentException($"ClipGradNorm: invalid norm type {Format(normType)}: must be a positive number or +Infinity.", nameof(normType));
        var grads = parameters.Distinct<Tensor>(ReferenceEqualityComparer.Instance).Select(p => p?.StoredGrad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;

        using (Autodiff.NoGrad())
        {
            var norms = Tensor.Stack(grads.Select(g => VectorNorm(g, normType)).ToArray());
            var total = VectorNorm(norms, normType);
            double totalValue = total.Item();
            if (errorIfNonfinite && !double.IsFinite(totalValue))
                throw new InvalidOperationException(
                    $"ClipGradNorm: the total norm of order {Format(normType)} of the gradients is {Format(totalValue)}, so they cannot be clipped. " +
                    "Pass errorIfNonfinite: false to scale them by the non-finite norm anyway.");
            var coefficient = (maxNorm / (total + 1e-6)).Clamp(max: 1.0);
            foreach (var g in grads) g.MulInPlace(coefficient);
            return totalValue;
        }
    }

    /// <summary>
    /// Clamps every gradient element of <paramref name="parameters"/> to [−<paramref name="clipValue"/>,
    /// <paramref name="clipValue"/>] in place (PyTorch's <c>clip_grad_value_</c>). Null gradients are skipped.
    /// </summary>
    /// <param name="parameters">The tensors whose gradients to clamp (e.g. <c>module.Parameters()</c>).</param>
    /// <param name="clipValue">The largest allowed absolute value of a gradient element (≥ 0).</param>
    /// <exception cref="ArgumentException"><paramref name="clipValue"/> is negative or NaN.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (double.IsNaN(clipValue) || clipValue < 0)
            throw new ArgumentException($"ClipGradValue: invalid clip value {Format(clipValue)}: must be >= 0.", nameof(clipValue));
        using (Autodiff.NoGrad())
            foreach (var g in parameters.Select(p => p?.StoredGrad).OfType<Tensor>())
                g.ClampInPlace(-clipValue, clipValue);
    }

    /// <summary>The p-norm of all elements of <paramref name="x"/> as a 0-d tensor of its dtype (torch.linalg.vector_norm).</summary>
    private static Tensor VectorNorm(Tensor x, double p)
    {
        if (x.NumElements == 0) return Tensor.Scalar(0, x.DType);
        var a = x.Abs();
        if (double.IsPositiveInfinity(p)) return a.Max();
        if (p == 1) return a.Sum();
        if (p == 2) return (x * x).Sum().Sqrt();
        return a.Pow(p).Sum().Pow(1 / p);
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
