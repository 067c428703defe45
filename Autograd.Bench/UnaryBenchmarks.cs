using BenchmarkDotNet.Attributes;

namespace Autograd.Bench;

/// <summary>Activations over float32 vectors of 2¹⁰ to 2²⁰ elements (and odd lengths): forward alone, and forward + backward.</summary>
[MemoryDiagnoser]
public class UnaryBenchmarks
{
    private Tensor _x = null!, _xGrad = null!;
    private readonly BufferPool _pool = new();

    /// <summary>The element count.</summary>
    [Params(1 << 10, (1 << 10) + 7, 1 << 14, 1 << 16, (1 << 16) + 13, 1 << 20, (1 << 20) + 3)]
    public int N { get; set; }

    /// <summary>The activation.</summary>
    [Params("tanh", "sigmoid", "relu", "hardtanh")]
    public string Op { get; set; } = "tanh";

    /// <summary>Builds the input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Uniform([N], new Generator(1), -3, 3);
        _xGrad = _x.Clone().RequireGrad();
    }

    private Tensor Apply(Tensor x) => Op switch
    {
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "relu" => x.Relu(),
        _ => x.Hardtanh(),
    };

    /// <summary>y = f(x) without recording, into a pooled result.</summary>
    [Benchmark(Baseline = true)]
    public void Forward()
    {
        using var scope = _pool.Scope();
        using (Autodiff.NoGrad()) Apply(_x);
    }

    /// <summary>y = f(x), then the backward of sum(y) (the fused derivative kernel), into pooled results.</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        using var scope = _pool.Scope();
        Apply(_xGrad).Backward(Tensor.OnesLike(_xGrad));
        _xGrad.Grad!.ZeroInPlace();
    }
}
