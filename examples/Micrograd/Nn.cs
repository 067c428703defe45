using Autograd;

namespace Micrograd;

// micrograd's nn.py with Autograd.Value: a neuron computes tanh(Σ wᵢxᵢ + b), a layer is a list of neurons, an MLP a
// list of layers. The weights are drawn uniformly from [−1, 1] by a seeded Generator.

/// <summary>One neuron: o = tanh(Σᵢ wᵢxᵢ + b) (or the plain sum, for a linear output).</summary>
public sealed class Neuron
{
    private readonly Value[] _w;
    private readonly Value _b;
    private readonly bool _nonlinear;

    /// <summary>Creates a neuron with <paramref name="inputs"/> weights and a bias, all uniform in [−1, 1].</summary>
    public Neuron(int inputs, Generator generator, bool nonlinear = true)
    {
        _w = Enumerable.Range(0, inputs).Select(_ => new Value(2 * generator.NextDouble() - 1)).ToArray();
        _b = new Value(2 * generator.NextDouble() - 1);
        _nonlinear = nonlinear;
    }

    /// <summary>The output for the inputs <paramref name="x"/>.</summary>
    public Value Forward(IReadOnlyList<Value> x)
    {
        var act = _b;
        for (int i = 0; i < _w.Length; i++) act += _w[i] * x[i];
        return _nonlinear ? act.Tanh() : act;
    }

    /// <summary>The weights, then the bias.</summary>
    public IEnumerable<Value> Parameters() => _w.Append(_b);
}

/// <summary>A layer of neurons sharing the same inputs.</summary>
public sealed class Layer(int inputs, int outputs, Generator generator, bool nonlinear = true)
{
    private readonly Neuron[] _neurons = Enumerable.Range(0, outputs).Select(_ => new Neuron(inputs, generator, nonlinear)).ToArray();

    /// <summary>One output per neuron.</summary>
    public Value[] Forward(IReadOnlyList<Value> x) => _neurons.Select(n => n.Forward(x)).ToArray();

    /// <summary>Every weight and bias of the layer.</summary>
    public IEnumerable<Value> Parameters() => _neurons.SelectMany(n => n.Parameters());
}

/// <summary>A multilayer perceptron, e.g. <c>new Mlp(3, [4, 4, 1], generator)</c> as in micrograd's README.</summary>
public sealed class Mlp
{
    private readonly Layer[] _layers;

    /// <summary>Creates layers inputs → sizes[0] → … → sizes[^1]; every layer is tanh (micrograd's lecture network).</summary>
    public Mlp(int inputs, int[] sizes, Generator generator)
    {
        var dims = new[] { inputs }.Concat(sizes).ToArray();
        _layers = Enumerable.Range(0, sizes.Length).Select(i => new Layer(dims[i], dims[i + 1], generator)).ToArray();
    }

    /// <summary>The network's outputs for the inputs <paramref name="x"/>.</summary>
    public Value[] Forward(IReadOnlyList<Value> x)
    {
        var h = x.ToArray();
        foreach (var layer in _layers) h = layer.Forward(h);
        return h;
    }

    /// <summary>Every weight and bias.</summary>
    public IEnumerable<Value> Parameters() => _layers.SelectMany(l => l.Parameters());
}
