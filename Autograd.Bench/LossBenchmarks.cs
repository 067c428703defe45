using Autograd.Nn;
using BenchmarkDotNet.Attributes;

namespace Autograd.Bench;

/// <summary>Softmax, log-softmax and cross-entropy over [batch, classes] logits, forward and forward + backward.</summary>
[MemoryDiagnoser]
public class LossBenchmarks
{
    private Tensor _logits = null!, _labels = null!;
    private readonly BufferPool _pool = new();

    /// <summary>Batch × classes.</summary>
    [Params("128x10", "128x1000", "1024x10")]
    public string Shape { get; set; } = "128x10";

    /// <summary>Builds logits and labels.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var dims = Shape.Split('x').Select(int.Parse).ToArray();
        _logits = Tensor.Randn([dims[0], dims[1]], new Generator(2)).RequireGrad();
        _labels = Tensor.From(Enumerable.Range(0, dims[0]).Select(i => (long)(i % dims[1])).ToArray());
    }

    /// <summary>softmax along the classes, no recording.</summary>
    [Benchmark]
    public void Softmax()
    {
        using var scope = _pool.Scope();
        using (Autodiff.NoGrad()) _logits.Softmax(1);
    }

    /// <summary>log-softmax along the classes, no recording.</summary>
    [Benchmark]
    public void LogSoftmax()
    {
        using var scope = _pool.Scope();
        using (Autodiff.NoGrad()) _logits.LogSoftmax(1);
    }

    /// <summary>Mean cross-entropy with class indices, forward and backward.</summary>
    [Benchmark(Baseline = true)]
    public void CrossEntropyForwardBackward()
    {
        using var scope = _pool.Scope();
        Losses.CrossEntropy(_logits, _labels).Backward();
        _logits.Grad!.ZeroInPlace();
    }
}
