using BenchmarkDotNet.Attributes;

namespace Autograd.Bench;

/// <summary>One SGD step of the 784-256-10 MLP on a batch of 128 (see <see cref="MlpStep"/>).</summary>
[MemoryDiagnoser]
public class MlpStepBenchmarks
{
    private MlpStep _mlp = null!;

    /// <summary>Builds the model and batch.</summary>
    [GlobalSetup]
    public void Setup() => _mlp = new MlpStep();

    /// <summary>Forward, backward and update, in a BufferScope.</summary>
    [Benchmark]
    public float Step() => _mlp.Step();
}

/// <summary>A 1000-op scalar chain, forward and backward: the scalar API (<see cref="Value"/>) and 0-d tensors.</summary>
[MemoryDiagnoser]
public class ScalarChainBenchmarks
{
    private readonly Value _value = new(0.5);
    private readonly Tensor _tensor = Tensor.Scalar(0.5).RequireGrad();

    /// <summary>Value: forward and backward of 1000 ops.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ScalarChain.Ops)]
    public double ValueChain() => ScalarChain.Run(_value);

    /// <summary>0-d tensors: forward and backward of 1000 ops.</summary>
    [Benchmark(OperationsPerInvoke = ScalarChain.Ops)]
    public double TensorChain() => ScalarChain.Run(_tensor);
}
