using Autograd.Kernels;

namespace Autograd.Bench;

/// <summary>The workloads shared by the BenchmarkDotNet suites and the summary, built through the public API.</summary>
internal static class Workloads
{
    /// <summary>Float32 operands for C = A·B of [1, m, k]·[1, k, n]; with <paramref name="transposeA"/> / <paramref name="transposeB"/>
    /// the operand is a transposed view (A stored [k, m], B stored [n, k], as Xᵀ·G and X·Wᵀ read them), never copied.</summary>
    public static (Tensor A, Tensor B, Tensor C) Gemm(int m, int k, int n, bool transposeA = false, bool transposeB = false, DType dtype = DType.Float32)
    {
        var g = new Generator(42);
        var a = transposeA ? Tensor.Randn([1, k, m], g, dtype).Permute(0, 2, 1) : Tensor.Randn([1, m, k], g, dtype);
        var b = transposeB ? Tensor.Randn([1, n, k], g, dtype).Permute(0, 2, 1) : Tensor.Randn([1, k, n], g, dtype);
        return (a, b, Tensor.Zeros([1, m, n], dtype));
    }

    /// <summary>The GEMM kernel alone: A·B written into a preallocated C (what BatchedMatMul runs after allocating its result).</summary>
    public static void GemmInto(Tensor a, Tensor b, Tensor c) => Autograd.Kernels.Gemm.MultiplyInto(a, b, c);

    /// <summary>GFLOP count of an m×k×n product.</summary>
    public static double Gflop(int m, int k, int n) => 2.0 * m * k * n / 1e9;
}

/// <summary>
/// A 784-256-10 MLP on a batch of 128, trained by plain SGD: logits = relu(x·W1ᵀ + b1)·W2ᵀ + b2 (each x·Wᵀ + b the
/// op <c>nn.Linear</c> runs, or with <c>fusedLinear: false</c> a MatMul and an addition, as before it existed),
/// loss = −mean(log_softmax(logits)[label]), Backward, then θ −= lr·∇θ under NoGrad
/// (or, given an optimizer, its <c>Step(zeroGrad: true, setToNone: false)</c>).
/// Each step runs in a <see cref="BufferScope"/> and keeps the gradients allocated (zeroed in place), as a
/// training loop that wants no allocation does.
/// </summary>
internal sealed class MlpStep
{
    public const int Batch = 128, In = 784, Hidden = 256, Out = 10;
    private readonly Tensor _x, _labels, _w1, _b1, _w2, _b2;
    private readonly Tensor[] _parameters;
    private readonly BufferPool _pool = new();
    private readonly bool _fused, _epilogue;
    private readonly Autograd.Nn.Optim.Optimizer? _optimizer;
    private Tensor[]? _savedGrads;

    /// <summary>The step with an optimizer made over the four parameters, its fused update on or off.</summary>
    public MlpStep(Func<Tensor[], Autograd.Nn.Optim.Optimizer> optimizer, bool fused)
        : this()
    {
        _optimizer = optimizer(_parameters);
        _optimizer.UseFusedUpdate = fused;
    }

    public MlpStep(bool fusedLinear = true, bool activationEpilogue = true)
    {
        _fused = fusedLinear;
        _epilogue = fusedLinear && activationEpilogue;
        var g = new Generator(7);
        _x = Tensor.Rand([Batch, In], g);
        var labels = new long[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = i % Out;
        _labels = Tensor.From(labels, Batch, 1);
        _w1 = Tensor.Uniform([Hidden, In], g, -1 / Math.Sqrt(In), 1 / Math.Sqrt(In)).RequireGrad();
        _b1 = Tensor.Zeros([Hidden]).RequireGrad();
        _w2 = Tensor.Uniform([Out, Hidden], g, -1 / Math.Sqrt(Hidden), 1 / Math.Sqrt(Hidden)).RequireGrad();
        _b2 = Tensor.Zeros([Out]).RequireGrad();
        _parameters = [_w1, _b1, _w2, _b2];
    }

    /// <summary>
    /// The optimizer's update alone: fixed random gradients copied in (a copy per parameter, the same for the fused and
    /// the tensor-op update), then the step that zeroes them. The gradients have no zeros: elements whose gradient
    /// stays 0 (dead ReLU units, as in the full step) let momentum and moment buffers decay into subnormals, whose
    /// arithmetic is slow on x86 and the same in both updates.
    /// </summary>
    public void Update()
    {
        if (_savedGrads is null)
        {
            var g = new Generator(11);
            _savedGrads = _parameters.Select(p => Tensor.Randn(p.Shape, g) * 1e-2).ToArray();
            foreach (var p in _parameters) p.Grad ??= Tensor.ZerosLike(p);
        }
        using (Autodiff.NoGrad())
        {
            for (int i = 0; i < _parameters.Length; i++) _parameters[i].Grad!.CopyFrom(_savedGrads[i]);
        }
        _optimizer!.Step(zeroGrad: true, setToNone: false);
    }

    /// <summary>GFLOP in the three GEMMs of a step (forward 2, backward 3: the input needs no gradient).</summary>
    public static double GemmGflop =>
        Workloads.Gflop(Batch, In, Hidden) + Workloads.Gflop(In, Batch, Hidden)
        + Workloads.Gflop(Batch, Hidden, Out) + Workloads.Gflop(Hidden, Batch, Out) + Workloads.Gflop(Batch, Out, Hidden);

    /// <summary>For probe-step: when set, each step adds the ticks of its phases (first layer, second layer, loss, backward, update).</summary>
    public long[]? Phases { get; set; }

    /// <summary>One forward, backward and update; returns the loss.</summary>
    public float Step(double lr = 0.01)
    {
        long t0 = StepPhases.Stamp(Phases);
        using var scope = _pool.Scope();
        // The ReLU in the first product's epilogue (Ops.LinearRelu, what nn.Sequential runs), or as a pass of its own.
        var h = _epilogue ? Ops.LinearRelu.Forward(_x, _w1, _b1) : (_fused ? Ops.Linear.Forward(_x, _w1, _b1) : _x.MatMul(_w1.T) + _b1).Relu();
        long t1 = StepPhases.Stamp(Phases);
        var logits = _fused ? Ops.Linear.Forward(h, _w2, _b2) : h.MatMul(_w2.T) + _b2;
        long t2 = StepPhases.Stamp(Phases);
        var loss = -logits.LogSoftmax(1).Gather(1, _labels).Mean();
        long t3 = StepPhases.Stamp(Phases);
        loss.Backward();
        long t4 = StepPhases.Stamp(Phases);
        if (_optimizer is not null)
        {
            _optimizer.Step(zeroGrad: true, setToNone: false);
        }
        else
        {
            using (Autodiff.NoGrad())
            {
                foreach (var p in _parameters)
                {
                    p.AddInPlace(p.Grad!, -lr);
                    p.Grad!.ZeroInPlace();
                }
            }
        }
        StepPhases.Add(Phases, t0, t1, t2, t3, t4, StepPhases.Stamp(Phases));
        return loss.Item<float>();
    }
}

/// <summary>
/// Issue 17's wider step: a 784-1024-1024-10 ReLU MLP on a batch of 256 fixed random float32 images with fixed labels,
/// logits = relu(relu(x·W1ᵀ + b1)·W2ᵀ + b2)·W3ᵀ + b3, loss = <c>Losses.CrossEntropy</c>, Backward, then AdamW
/// (lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01) with its fused update, <c>Step(zeroGrad: true, setToNone: false)</c>.
/// Autograd.Bench/Peers/TorchSharp runs the same step for the TorchSharp figure.
/// </summary>
internal sealed class WideMlpStep
{
    public const int Batch = 256, In = 784, Hidden = 1024, Out = 10;
    private readonly Tensor _x, _labels;
    private readonly (Tensor W, Tensor B)[] _layers;
    private readonly Autograd.Nn.Optim.AdamW _optimizer;
    private readonly BufferPool _pool = new();

    public WideMlpStep()
    {
        var g = new Generator(7);
        _x = Tensor.Rand([Batch, In], g);
        var labels = new long[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = i % Out;
        _labels = Tensor.From(labels, Batch);
        _layers = new[] { (In, Hidden), (Hidden, Hidden), (Hidden, Out) }
            .Select(l => (Tensor.Uniform([l.Item2, l.Item1], g, -1 / Math.Sqrt(l.Item1), 1 / Math.Sqrt(l.Item1)).RequireGrad(), Tensor.Zeros([l.Item2]).RequireGrad()))
            .ToArray();
        _optimizer = new Autograd.Nn.Optim.AdamW(_layers.SelectMany(l => new[] { l.W, l.B }), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
        {
            UseFusedUpdate = true,
        };
    }

    /// <summary>When set, each step adds the ticks of its phases: forward, loss, backward, update (probe-step).</summary>
    public long[]? Phases { get; set; }

    /// <summary>For probe-ab none and probe-step none: the step drops its gradients (PyTorch's default <c>zero_grad()</c>) instead of zeroing them.</summary>
    public static bool SetToNone { get; set; }

    /// <summary>For probe-ab nopool: the step runs without its buffer pool, every result in new memory.</summary>
    public static bool NoPool { get; set; }

    /// <summary>One forward, backward and update; returns the loss.</summary>
    public float Step()
    {
        using var scope = NoPool ? null : _pool.Scope();
        long t0 = StepPhases.Stamp(Phases);
        var h = _x;
        for (int i = 0; i < _layers.Length; i++)
        {
            h = Ops.Linear.Forward(h, _layers[i].W, _layers[i].B);
            if (i < _layers.Length - 1) h = h.Relu();
        }
        long t1 = StepPhases.Stamp(Phases);
        var loss = Autograd.Nn.Losses.CrossEntropy(h, _labels);
        long t2 = StepPhases.Stamp(Phases);
        loss.Backward();
        long t3 = StepPhases.Stamp(Phases);
        _optimizer.Step(zeroGrad: true, setToNone: SetToNone);
        StepPhases.Add(Phases, t0, t1, t2, t3, StepPhases.Stamp(Phases));
        return loss.Item<float>();
    }
}

/// <summary>The phase timings of the steps above for probe-step: nothing is read from the clock while no array is set.</summary>
internal static class StepPhases
{
    public static long Stamp(long[]? phases) => phases is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Adds the ticks between consecutive <paramref name="stamps"/> to the phases, the i-th interval to phases[i].</summary>
    public static void Add(long[]? phases, params ReadOnlySpan<long> stamps)
    {
        if (phases is null) return;
        for (int i = 0; i + 1 < stamps.Length; i++) phases[i] += stamps[i + 1] - stamps[i];
    }
}

/// <summary>A chain of 1000 scalar ops (alternately ·0.999 and +0.001), forward and backward: the scalar API and 0-d tensors.</summary>
internal static class ScalarChain
{
    public const int Ops = 1000;

    public static double Run(Value x)
    {
        var y = x;
        for (int i = 0; i < Ops; i++) y = (i & 1) == 0 ? y * 0.999 : y + 0.001;
        x.Grad = 0;
        y.Backward();
        return x.Grad;
    }

    public static double Run(Tensor x)
    {
        var y = x;
        for (int i = 0; i < Ops; i++) y = (i & 1) == 0 ? y * 0.999 : y + 0.001;
        y.Backward();
        double grad = x.Grad!.Item();
        x.ZeroGrad();
        return grad;
    }

    /// <summary>Managed bytes one <see cref="Run(Tensor)"/> allocates on the calling thread, per op (after one run to warm up).</summary>
    public static double AllocatedBytesPerOp(Tensor x)
    {
        Run(x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(x);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Ops;
    }
}
