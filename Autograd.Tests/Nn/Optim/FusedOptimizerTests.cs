using System.Globalization;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn.Optim;

/// <summary>
/// The single-pass update of every optimizer but LBFGS (<see cref="Optimizer.UseFusedUpdate"/>, on by default): the
/// same bits as the tensor-op update for the parameters and every state entry, in float32 and float64, for each
/// option that changes the loop, over lengths around the vector widths (the 512/256/128-bit loops and the scalar
/// tail) and across thread counts; no temporaries; non-contiguous tensors take the tensor-op update; and
/// <c>Step(zeroGrad: true, setToNone: false)</c> is <c>Step()</c> then <c>ZeroGrad(setToNone: false)</c>.
/// </summary>
public class FusedOptimizerTests
{
    private const int Steps = 8;

    private static readonly int[] Lengths = [1, 7, 15, 16, 17, 31, 33, 1000];

    private static readonly (string Name, Func<Tensor[], Optimizer> Make)[] Makers =
    [
        ("SGD", p => new SGD(p, lr: 0.05)),
        ("SGD maximize", p => new SGD(p, lr: 0.05, maximize: true)),
        ("SGD wd", p => new SGD(p, lr: 0.05, weightDecay: 0.1)),
        ("SGD momentum", p => new SGD(p, lr: 0.05, momentum: 0.9)),
        ("SGD nesterov wd", p => new SGD(p, lr: 0.05, momentum: 0.9, weightDecay: 0.1, nesterov: true)),
        ("SGD dampening maximize", p => new SGD(p, lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true)),
        ("Adam", p => new Adam(p, lr: 0.05)),
        ("Adam amsgrad wd", p => new Adam(p, lr: 0.05, weightDecay: 0.1, amsgrad: true)),
        ("Adam maximize beta1 0.3", p => new Adam(p, lr: 0.05, beta1: 0.3, maximize: true)),
        ("AdamW", p => new AdamW(p, lr: 0.05, weightDecay: 0.1)),
        ("AdamW amsgrad maximize", p => new AdamW(p, lr: 0.05, amsgrad: true, maximize: true)),
        ("RMSprop", p => new RMSprop(p, lr: 0.01)),
        ("RMSprop centered momentum wd", p => new RMSprop(p, lr: 0.01, weightDecay: 0.1, momentum: 0.9, centered: true)),
        ("RMSprop centered alpha 0.3 maximize", p => new RMSprop(p, lr: 0.01, alpha: 0.3, centered: true, maximize: true)),
        ("RMSprop momentum", p => new RMSprop(p, lr: 0.01, momentum: 0.5)),
        ("Adagrad", p => new Adagrad(p, lr: 0.1)),
        ("Adagrad decay wd init maximize", p => new Adagrad(p, lr: 0.1, lrDecay: 0.01, weightDecay: 0.1, initialAccumulatorValue: 0.5, maximize: true)),
        ("Adadelta", p => new Adadelta(p)),
        ("Adadelta wd maximize", p => new Adadelta(p, lr: 0.5, rho: 0.8, weightDecay: 0.1, maximize: true)),
        ("Adamax", p => new Adamax(p)),
        ("Adamax wd maximize", p => new Adamax(p, lr: 0.01, weightDecay: 0.1, maximize: true)),
        ("Adamax eps 0 beta1 0", p => new Adamax(p, lr: 0.01, beta1: 0, eps: 0)),
        ("NAdam", p => new NAdam(p)),
        ("NAdam wd", p => new NAdam(p, lr: 0.01, weightDecay: 0.1, momentumDecay: 0.01)),
        ("RAdam", p => new RAdam(p)),
        ("RAdam wd beta2 0.9", p => new RAdam(p, lr: 0.01, beta2: 0.9, weightDecay: 0.1)),
        ("Rprop", p => new Rprop(p)),
        ("Rprop narrow maximize", p => new Rprop(p, lr: 0.1, etaMinus: 0.3, etaPlus: 1.5, stepSizeMin: 0.05, stepSizeMax: 0.2, maximize: true)),
        ("ASGD", p => new ASGD(p)),
        ("ASGD averaging wd maximize", p => new ASGD(p, lr: 0.05, lambd: 0.1, t0: 2, weightDecay: 0.1, maximize: true)),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (name, make) in Makers)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (int n in Lengths)
                    yield return new TestCaseData(make, dtype, n).SetArgDisplayNames(name, dtype.ToString(), n.ToString(CultureInfo.InvariantCulture));
    }

    private static IEnumerable<TestCaseData> Optimizers()
    {
        foreach (var (name, make) in Makers) yield return new TestCaseData(make).SetArgDisplayNames(name);
    }

    /// <summary>A run of <see cref="Steps"/> steps on one parameter of length n with fresh random gradients.</summary>
    private static (Tensor Parameter, Optimizer Optimizer) Run(Func<Tensor[], Optimizer> make, DType dtype, int n, bool fused, ulong seed = 3,
        Action<Optimizer>? step = null)
    {
        var g = new Generator(seed);
        var p = Tensor.Randn([n], g).To(dtype).RequireGrad();
        var opt = make([p]);
        opt.UseFusedUpdate = fused;
        for (int s = 0; s < Steps; s++)
        {
            // Some exact zeros, so sign-dependent updates (Rprop) and ±0 meet every branch.
            var grad = Tensor.Randn([n], g).To(dtype);
            if (s == 2) grad = grad * grad.Gt(0.5);
            p.Grad = grad;
            if (step is null) opt.Step();
            else step(opt);
        }
        return (p, opt);
    }

    private static long[] Bits(Tensor t) => t.DType == DType.Float32
        ? t.ToArray<float>().Select(x => (long)BitConverter.SingleToInt32Bits(x)).ToArray()
        : t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void AssertSameState(Optimizer a, Optimizer b)
    {
        var sa = a.StateDict();
        var sb = b.StateDict();
        Assert.That(sa.Keys, Is.EquivalentTo(sb.Keys));
        foreach (var key in sa.Keys)
        {
            Assert.That(sa[key].DType, Is.EqualTo(sb[key].DType), key);
            Assert.That(Bits(sa[key]), Is.EqualTo(Bits(sb[key])), key);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void GivesTheBitsOfTheTensorOpUpdate(Func<Tensor[], Optimizer> make, DType dtype, int n)
    {
        var (a, fused) = Run(make, dtype, n, fused: true);
        var (b, plain) = Run(make, dtype, n, fused: false);
        Assert.That(fused.UseFusedUpdate, Is.True);
        Assert.That(Bits(a), Is.EqualTo(Bits(b)), "parameter");
        Assert.That(Bits(a), Is.Not.EqualTo(Bits(Tensor.Randn([n], new Generator(3)).To(dtype))), "the parameter moved");
        AssertSameState(fused, plain);
    }

    [TestCaseSource(nameof(Optimizers))]
    [NonParallelizable]
    public void GivesTheBitsOfTheTensorOpUpdateUnderEveryInstructionSet(Func<Tensor[], Optimizer> make)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            foreach (int n in new[] { 33, 1000 })
            {
                var (expected, _) = Run(make, dtype, n, fused: false);
                foreach (var isa in Autograd.Tests.Kernels.IsaTests.Available())
                {
                    using var scope = Isa.Override(isa);
                    var (actual, _) = Run(make, dtype, n, fused: true);
                    Assert.That(Bits(actual), Is.EqualTo(Bits(expected)), $"{Isa.Name(isa)}, {dtype}, n = {n}");
                }
            }
    }

    [TestCaseSource(nameof(Optimizers))]
    public void GivesTheSameBitsAcrossChunksAndThreadCounts(Func<Tensor[], Optimizer> make)
    {
        const int n = (1 << 16) + (1 << 15) + 17;   // three chunks and a tail, past the threading threshold
        int before = Parallelism.MaxDegree;
        Tensor single;
        Optimizer singleOpt;
        try
        {
            Parallelism.MaxDegree = 1;
            (single, singleOpt) = Run(make, DType.Float32, n, fused: true);
        }
        finally
        {
            Parallelism.MaxDegree = before;
        }
        Parallelism.MaxDegree = Math.Max(2, before);
        try
        {
            var (many, manyOpt) = Run(make, DType.Float32, n, fused: true);
            var (plain, plainOpt) = Run(make, DType.Float32, n, fused: false);
            Assert.That(Bits(many), Is.EqualTo(Bits(single)), "threads");
            Assert.That(Bits(many), Is.EqualTo(Bits(plain)), "tensor-op update");
            AssertSameState(manyOpt, singleOpt);
            AssertSameState(manyOpt, plainOpt);
        }
        finally
        {
            Parallelism.MaxDegree = before;
        }
    }

    private static IEnumerable<TestCaseData> NamedOptimizers()
    {
        foreach (var (name, make) in Makers) yield return new TestCaseData(name, make).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(NamedOptimizers))]
    public void AllocatesNoTemporaries(string name, Func<Tensor[], Optimizer> make)
    {
        const int n = 4096;
        var g = new Generator(5);
        var p = Tensor.Randn([n], g).To(DType.Float64).RequireGrad();
        var opt = make([p]);
        p.Grad = Tensor.Randn([n], g).To(DType.Float64);
        opt.Step();   // creates the state
        opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        opt.Step();
        long fused = GC.GetAllocatedBytesForCurrentThread() - before;
        opt.UseFusedUpdate = false;
        before = GC.GetAllocatedBytesForCurrentThread();
        opt.Step();
        long plain = GC.GetAllocatedBytesForCurrentThread() - before;
        // One temporary of the parameter's length is 32 KB; the tensor-op update makes one or more, except where it is
        // in-place ops only (plain SGD, SGD with momentum, ASGD without weight decay, maximize or averaging).
        Assert.That(fused, Is.LessThan(n * sizeof(double) / 2), $"fused step allocated {fused} bytes (tensor-op step: {plain})");
        if (name is not ("SGD" or "SGD maximize" or "SGD momentum" or "ASGD"))
            Assert.That(plain, Is.GreaterThanOrEqualTo(n * sizeof(double)), "the tensor-op step makes temporaries");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void ZeroingInTheStepIsStepThenZeroGrad(Func<Tensor[], Optimizer> make)
    {
        foreach (bool fused in new[] { true, false })
        {
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                var grads = new List<Tensor>();
                var (a, oa) = Run(make, dtype, 33, fused, step: o =>
                {
                    var before = o.Parameters[0].Grad!;
                    int version = before.VersionNumber;
                    o.Step(zeroGrad: true, setToNone: false);
                    Assert.That(o.Parameters[0].Grad, Is.SameAs(before), "the gradient tensor is kept");
                    Assert.That(before.VersionNumber, Is.GreaterThan(version), "the zeroing bumps the gradient's version");
                    grads.Add(before);
                });
                var (b, ob) = Run(make, dtype, 33, fused, step: o =>
                {
                    o.Step();
                    o.ZeroGrad(setToNone: false);
                });
                Assert.That(Bits(a), Is.EqualTo(Bits(b)), $"parameter, fused {fused}, {dtype}");
                AssertSameState(oa, ob);
                foreach (var grad in grads) Assert.That(Bits(grad), Is.All.EqualTo(0L), "zeroed to +0");
            }
        }
    }

    [TestCaseSource(nameof(Optimizers))]
    public void ZeroingAGradientSharedByTwoParametersWaitsForBothUpdates(Func<Tensor[], Optimizer> make)
    {
        Tensor[] Make() => [Tensor.Linspace(-1, 1, 17).RequireGrad(), Tensor.Linspace(2, -1, 17).RequireGrad()];
        var pa = Make();
        var pb = Make();
        var oa = make(pa);
        var ob = make(pb);
        var g = new Generator(9);
        for (int s = 0; s < 3; s++)
        {
            var shared = Tensor.Randn([17], g);
            pa[0].Grad = shared.Clone();
            pa[1].Grad = pa[0].Grad;
            pb[0].Grad = shared.Clone();
            pb[1].Grad = pb[0].Grad;
            oa.Step(zeroGrad: true, setToNone: false);
            ob.Step();
            ob.ZeroGrad(setToNone: false);
            Assert.That(Bits(pa[0]), Is.EqualTo(Bits(pb[0])), $"step {s}");
            Assert.That(Bits(pa[1]), Is.EqualTo(Bits(pb[1])), $"step {s}: the second parameter read the gradient before it was zeroed");
            Assert.That(pa[1].Grad!.ToArray<float>(), Is.All.EqualTo(0f));
        }
        AssertSameState(oa, ob);
    }

    [Test]
    public void ZeroGradWithSetToNoneClearsTheGradients()
    {
        var p = Tensor.Ones([5]).RequireGrad();
        var opt = new Adam([p]);
        p.Grad = Tensor.Ones([5]);
        opt.Step(zeroGrad: true, setToNone: true);
        Assert.That(p.Grad, Is.Null);
    }

    [TestCaseSource(nameof(Optimizers))]
    public void NonContiguousGradientsAndParametersTakeTheTensorOpUpdate(Func<Tensor[], Optimizer> make)
    {
        foreach (bool viewParameter in new[] { false, true })
        {
            Tensor Start() => viewParameter
                ? Tensor.Linspace(-2, 2, 35).Reshape(5, 7).Transpose(0, 1).RequireGrad()
                : Tensor.Linspace(-2, 2, 35).Reshape(7, 5).RequireGrad();
            var a = Start();
            var b = Start();
            Assert.That(a.IsContiguous, Is.EqualTo(!viewParameter));
            var fused = make([a]);
            var plain = make([b]);
            plain.UseFusedUpdate = false;
            var g = new Generator(4);
            for (int s = 0; s < 4; s++)
            {
                var grad = Tensor.Randn([5, 7], g).Transpose(0, 1);
                Assert.That(grad.IsContiguous, Is.False);
                a.Grad = grad;
                b.Grad = grad.Clone();
                fused.Step(zeroGrad: true, setToNone: false);
                plain.Step();
                plain.ZeroGrad(setToNone: false);
                Assert.That(Bits(a), Is.EqualTo(Bits(b)), $"step {s}, view parameter {viewParameter}");
                Assert.That(a.Grad!.ToArray<float>(), Is.All.EqualTo(0f));
            }
            AssertSameState(fused, plain);
        }
    }

    [Test]
    public void LbfgsHasNoFusedUpdate()
    {
        var p = Tensor.Ones([3]).RequireGrad();
        var opt = new LBFGS([p]);
        Assert.Throws<InvalidOperationException>(() => opt.Step(zeroGrad: true, setToNone: false));
    }
}
