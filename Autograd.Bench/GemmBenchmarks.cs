using BenchmarkDotNet.Attributes;

namespace Autograd.Bench;

/// <summary>Square float32 GEMM: the kernel into a preallocated result, and the public MatMul (which allocates it).</summary>
[MemoryDiagnoser]
public class GemmSquareBenchmarks
{
    private Tensor _a = null!, _b = null!, _c = null!, _a2 = null!, _b2 = null!;

    /// <summary>The matrix size.</summary>
    [Params(64, 128, 256, 512, 1024, 2048)]
    public int N { get; set; }

    /// <summary>Builds the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_a, _b, _c) = Workloads.Gemm(N, N, N);
        _a2 = _a.Reshape(N, N);
        _b2 = _b.Reshape(N, N);
    }

    /// <summary>Gemm.MultiplyInto: packing, micro-kernel and threads, no allocation of C.</summary>
    [Benchmark(Baseline = true)]
    public void Kernel() => Workloads.GemmInto(_a, _b, _c);

    /// <summary>Tensor.MatMul on 2-D tensors (no gradient): the kernel plus a fresh result tensor.</summary>
    [Benchmark]
    public Tensor MatMul()
    {
        using (Autodiff.NoGrad()) return _a2.MatMul(_b2);
    }
}

/// <summary>The GEMMs of a 784-256-10 MLP step on a batch of 128, with the operand layouts the matmul op passes.</summary>
[MemoryDiagnoser]
public class GemmMlpBenchmarks
{
    private (Tensor A, Tensor B, Tensor C) _fwd1, _fwd2, _bwdW1, _bwdW2, _bwdH;

    /// <summary>Builds the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fwd1 = Workloads.Gemm(128, 784, 256, transposeB: true);   // X·W1ᵀ
        _fwd2 = Workloads.Gemm(128, 256, 10, transposeB: true);    // H·W2ᵀ
        _bwdW1 = Workloads.Gemm(784, 128, 256, transposeA: true);  // Xᵀ·G1 (∂L/∂W1ᵀ)
        _bwdW2 = Workloads.Gemm(256, 128, 10, transposeA: true);   // Hᵀ·G2 (∂L/∂W2ᵀ)
        _bwdH = Workloads.Gemm(128, 10, 256, transposeB: true);    // G2·W2 (∂L/∂H)
    }

    /// <summary>[128, 784]·[784, 256], B a transposed view.</summary>
    [Benchmark(Baseline = true)]
    public void Forward_128x784x256() => Workloads.GemmInto(_fwd1.A, _fwd1.B, _fwd1.C);

    /// <summary>[128, 256]·[256, 10], B a transposed view.</summary>
    [Benchmark]
    public void Forward_128x256x10() => Workloads.GemmInto(_fwd2.A, _fwd2.B, _fwd2.C);

    /// <summary>[784, 128]·[128, 256], A a transposed view.</summary>
    [Benchmark]
    public void BackwardW_784x128x256() => Workloads.GemmInto(_bwdW1.A, _bwdW1.B, _bwdW1.C);

    /// <summary>[256, 128]·[128, 10], A a transposed view.</summary>
    [Benchmark]
    public void BackwardW_256x128x10() => Workloads.GemmInto(_bwdW2.A, _bwdW2.B, _bwdW2.C);

    /// <summary>[128, 10]·[10, 256], B a transposed view.</summary>
    [Benchmark]
    public void BackwardH_128x10x256() => Workloads.GemmInto(_bwdH.A, _bwdH.B, _bwdH.C);
}

/// <summary>End-to-end figures through the public API: an MLP training step, a scalar op chain, tanh over 2^20 values.</summary>
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private MlpStep _mlp = null!;
    private Tensor _scalar = null!, _big = null!;

    /// <summary>Builds the model and inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _mlp = new MlpStep();
        _scalar = Tensor.Scalar(0.5).RequireGrad();
        _big = Tensor.Rand([1 << 20], new Generator(3));
    }

    /// <summary>One SGD step of the 784-256-10 MLP, batch 128.</summary>
    [Benchmark]
    public float MlpStep() => _mlp.Step();

    /// <summary>1000 scalar ops forward and backward.</summary>
    [Benchmark(OperationsPerInvoke = ScalarChain.Ops)]
    public double ScalarOp() => ScalarChain.Run(_scalar);

    /// <summary>tanh over 2^20 float32 values (no gradient).</summary>
    [Benchmark]
    public Tensor Tanh1M()
    {
        using (Autodiff.NoGrad()) return _big.Tanh();
    }
}
