using System.Collections;

namespace Autograd.Nn;

/// <summary>
/// A chain of modules (PyTorch's nn.Sequential): computes y = fₙ(… f₁(f₀(x))), with the children registered as
/// <c>"0"</c>, <c>"1"</c>, … so that parameter names read <c>"0.weight"</c>, <c>"2.bias"</c>, as in PyTorch. Each
/// module is run through <see cref="Module.Call(Tensor)"/>, so its hooks fire; a <see cref="Linear"/> directly followed
/// by a <see cref="ReLU"/> (neither with hooks, not last in the chain) runs as one fused op with the same results. Only modules that take one tensor
/// (that override <see cref="Module.Forward(Tensor)"/>) can be chained.
/// </summary>
public sealed class Sequential : Module, IReadOnlyList<Module>
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates the chain; <paramref name="layers"/>[i] is registered under the name <c>i</c>.</summary>
    /// <param name="layers">The modules, applied in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="layers"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">A layer does not take one tensor (a container, or a <see cref="Module{TInput, TResult}"/>), or is this chain.</exception>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i] is null) throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} of {layers.Length} is null.");
            CheckChainable(layers[i], i, "Sequential", nameof(layers));
        }
        foreach (var layer in layers) Append(layer);
    }

    private static void CheckChainable(Module layer, int position, string op, string paramName)
    {
        if (!TakesOneTensor(layer.GetType()))
            throw new ArgumentException(
                $"{op}: the module at position {position}, a {layer.GetType().Name}, does not take a single tensor (it does not override " +
                "Forward(Tensor)), so it cannot be chained; call it from a custom module's Forward instead.", paramName);
    }

    /// <summary>Adds <paramref name="layer"/> at the end, under the next index as its name, and returns this chain.</summary>
    /// <param name="layer">The module to add.</param>
    /// <returns>This chain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="layer"/> does not take one tensor (a container, or a <see cref="Module{TInput, TResult}"/>), or is this chain or contains it.</exception>
    public Sequential Append(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        CheckChainable(layer, _layers.Count, "Sequential.Append", nameof(layer));
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The number of modules in the chain.</summary>
    public int Count => _layers.Count;

    /// <summary>The module at position <paramref name="index"/> (negative indices count from the end, as in Python).</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>).</exception>
    public Module this[int index]
    {
        get
        {
            int i = index < 0 ? index + _layers.Count : index;
            if ((uint)i >= (uint)_layers.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Sequential: index {index} is out of range for {_layers.Count} modules.");
            return _layers[i];
        }
    }

    /// <summary>Computes y = fₙ(… f₁(f₀(x))); the empty chain returns its input.</summary>
    /// <param name="input">The input of the first module.</param>
    /// <returns>The output of the last module, or <paramref name="input"/> for the empty chain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            // A Linear followed by a ReLU, neither hooked, runs as one op with the same bits (see Ops.LinearRelu); not at
            // the end of the chain, where the caller could modify the output in place, which the fused op saves.
            if (layer.GetType() == typeof(Linear) && i + 2 < _layers.Count && _layers[i + 1].GetType() == typeof(ReLU)
                && layer.Hooks is null && _layers[i + 1].Hooks is null && Ops.LinearRelu.Enabled
                && ((Linear)layer).ForwardRelu(x) is { } y)
            {
                x = y;
                i++;
                continue;
            }
            x = layer.Call(x);
        }
        return x;
    }

    /// <summary>Enumerates the modules in order.</summary>
    /// <returns>An enumerator over the modules.</returns>
    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
