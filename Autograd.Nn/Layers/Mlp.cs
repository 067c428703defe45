namespace Autograd.Nn;

/// <summary>Builds multilayer perceptrons (lecture notes §1.2.2: h₁ = Φ(W₁ᵀx), h_{p+1} = Φ(W_{p+1}ᵀh_p), o = W_{k+1}ᵀh_k).</summary>
public static class Mlp
{
    /// <summary>
    /// Creates <c>Sequential(Linear(in, h₀), act, Linear(h₀, h₁), act, …, Linear(h_last, out))</c>, shaped like PyTorch's
    /// nn.Sequential so that parameter names are <c>"0.weight"</c>, <c>"0.bias"</c>, <c>"2.weight"</c>, …; the output
    /// layer has no activation. E.g. <c>Mlp.Create(784, [256, 128], 10, () =&gt; new ReLU(), new Generator(0))</c>.
    /// </summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="hidden">Widths of the hidden layers (may be empty: a single Linear).</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="activation">Called once per hidden layer; should return a new module each time.</param>
    /// <param name="generator">Initializes every Linear in order, so one seed gives the whole model; <see cref="Generator.Default"/> when null.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    /// <returns>The model, with freshly initialized parameters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hidden"/> or <paramref name="activation"/> is null.</exception>
    /// <exception cref="ArgumentException">A layer size is not positive, a weight would have more than <see cref="Array.MaxLength"/> elements, <paramref name="activation"/> returns null, or <paramref name="dtype"/> is int64.</exception>
    public static Sequential Create(int inFeatures, int[] hidden, int outFeatures, Func<Module> activation, Generator? generator = null,
        DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(activation);
        generator ??= Generator.Default;
        if (inFeatures <= 0 || outFeatures <= 0 || hidden.Any(h => h <= 0))
            throw new ArgumentException(
                $"Mlp.Create: layer sizes must be positive, got {inFeatures} → [{string.Join(", ", hidden)}] → {outFeatures}.");
        var model = new Sequential();
        int width = inFeatures;
        foreach (int h in hidden)
        {
            model.Append(new Linear(width, h, bias: true, generator, dtype));
            model.Append(activation() ?? throw new ArgumentException("Mlp.Create: the activation factory returned null.", nameof(activation)));
            width = h;
        }
        model.Append(new Linear(width, outFeatures, bias: true, generator, dtype));
        return model;
    }
}
