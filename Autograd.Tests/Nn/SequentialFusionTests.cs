using Autograd.Kernels;
using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// nn.Sequential runs a Linear directly followed by a ReLU as the fused <c>linear_relu</c> op (the ReLU in the product's
/// epilogue) when neither has a hook and the ReLU is not last: outputs and every gradient keep the bits of the two
/// modules called one after the other, on every instruction set and thread count, and a hook on either module turns the
/// fusion off so that it sees what it saw before.
/// </summary>
[NonParallelizable]
public class SequentialFusionTests
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    private static long[] Bits(Tensor t) => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static Sequential Model(DType dtype, int inF = 13, int hidden = 33, int outF = 5) =>
        Mlp.Create(inF, [hidden, hidden - 2], outF, () => new ReLU(), new Generator(4), dtype);

    // The chain's modules called one by one, each through Call: what Sequential did before the fusion.
    private static Tensor OneByOne(Sequential model, Tensor x)
    {
        foreach (var m in model) x = m.Call(x);
        return x;
    }

    private static Tensor[] OutputAndGrads(Sequential model, Func<Tensor, Tensor> forward, Tensor x, Tensor r)
    {
        foreach (var p in model.Parameters()) p.Grad = null;
        var xg = x.Detach().RequireGrad();
        var y = forward(xg);
        (y * r).Sum().Backward();
        return [y.Detach(), xg.Grad!, .. model.Parameters().Select(p => p.Grad!)];
    }

    private static bool HasNode(Tensor y, string name)
    {
        var stack = new Stack<Function>();
        if (y.GradFn is { } f) stack.Push(f);
        var seen = new HashSet<Function>();
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            if (node.Name == name) return true;
            foreach (var input in node.Inputs)
                if (input.GradFn is { } g) stack.Push(g);
        }
        return false;
    }

    [Test]
    public void AnMlp_RunsTheFusedOp()
    {
        var model = Model(DType.Float32);
        var y = model.Call(Tensor.Uniform([6, 13], new Generator(1), -1, 1).RequireGrad());
        Assert.That(HasNode(y, "linear_relu"), Is.True);
        Assert.That(HasNode(y, "relu"), Is.False);
    }

    [Test]
    public void OutputsAndGradients_KeepTheBitsOfTheModulesOneByOne_OnEveryIsaAndDegree()
    {
        int saved = Parallelism.MaxDegree;
        long threshold = GemmBlocking.ParallelThreshold;
        try
        {
            GemmBlocking.ParallelThreshold = 1 << 10;
            foreach (var isa in Autograd.Tests.Kernels.IsaTests.Available())
                foreach (var dtype in DTypes)
                    foreach (int n in new[] { 0, 1, 4, 5, 6, 7, 11, 12, 13, 25, 64 })
                        foreach (int degree in new[] { 1, 2, 3 })
                        {
                            using var scope = Isa.Override(isa);
                            Parallelism.MaxDegree = degree;
                            var model = Model(dtype);
                            var g = new Generator((ulong)(n + 1));
                            var x = Tensor.Uniform([n, 13], g, -1, 1, dtype);
                            var r = Tensor.Uniform([n, 5], g, -1, 1, dtype);
                            var expected = OutputAndGrads(model, v => OneByOne(model, v), x, r);
                            var got = OutputAndGrads(model, model.Call, x, r);
                            for (int i = 0; i < expected.Length; i++)
                                Assert.That(Bits(got[i]), Is.EqualTo(Bits(expected[i])), $"{Isa.Name(isa)} {dtype.Name()} batch {n} degree {degree}, tensor {i}");
                        }
        }
        finally
        {
            Parallelism.MaxDegree = saved;
            GemmBlocking.ParallelThreshold = threshold;
        }
    }

    [Test]
    public void AForwardHookOnTheLinear_StillSeesThePreActivation()
    {
        var model = Model(DType.Float64);
        var x = Tensor.Uniform([7, 13], new Generator(2), -1, 1, DType.Float64);
        var lin = (Linear)model[0];
        var expected = x.MatMul(lin.Weight.T) + lin.Bias!;
        Tensor? seen = null;
        using (lin.RegisterForwardHook((_, _, y) => { seen = y; return null; }))
        {
            var y = model.Call(x.RequireGrad());
            Assert.That(seen, Is.Not.Null);
            Assert.That(Bits(seen!), Is.EqualTo(Bits(expected)));
            Assert.That(seen!.ToArray<double>().Any(v => v < 0), Is.True, "the pre-activation, not the ReLU's output");
            Assert.That(HasNode(y, "relu"), Is.True, "the hooked pair is not fused");
            Assert.That(HasNode(y, "linear_relu"), Is.True, "the pair without hooks is");
        }
        seen = null;
        var fused = model.Call(x.RequireGrad());
        Assert.That(seen, Is.Null, "the removed hook no longer runs");
        Assert.That(HasNode(fused, "relu"), Is.False, "the fusion comes back once the hook is removed");
    }

    [Test]
    public void HooksOnTheReLU_SeeItsInputAndGradients()
    {
        var model = Model(DType.Float64);
        var x = Tensor.Uniform([7, 13], new Generator(3), -1, 1, DType.Float64);
        var lin = (Linear)model[0];
        var pre = x.MatMul(lin.Weight.T) + lin.Bias!;
        var relu = model[1];
        Tensor? input = null, gradIn = null;
        int preCalls = 0;
        using var h1 = relu.RegisterForwardPreHook((_, v) => { preCalls++; return null; });
        using var h2 = relu.RegisterForwardHook((_, v, _) => { input = v; return null; });
        using var h3 = relu.RegisterFullBackwardHook((_, gi, _) => { gradIn = gi; return null; });
        var y = model.Call(x.RequireGrad());
        y.Sum().Backward();
        Assert.That(preCalls, Is.EqualTo(1));
        Assert.That(Bits(input!), Is.EqualTo(Bits(pre)));
        Assert.That(gradIn, Is.Not.Null);
        Assert.That(gradIn!.Shape, Is.EqualTo(new[] { 7, 33 }));
        Assert.That(HasNode(y, "relu"), Is.True, "the hooked pair is not fused");
        Assert.That(HasNode(y, "linear_relu"), Is.True, "the second pair has no hooks and is");
    }

    [Test]
    public void ABackwardHookOnTheLinear_SeesTheGradientOfThePreActivation()
    {
        var model = Model(DType.Float64);
        var x = Tensor.Uniform([7, 13], new Generator(5), -1, 1, DType.Float64);
        var reference = Model(DType.Float64);
        var xr = x.RequireGrad();
        var h = ((Linear)reference[0]).Forward(xr);
        h.RetainGrad();
        reference.Skip(1).Aggregate(h, (v, m) => m.Forward(v)).Sum().Backward();
        Tensor? gradOut = null;
        using (model[0].RegisterFullBackwardHook((_, _, go) => { gradOut = go; return null; }))
            model.Call(x.RequireGrad()).Sum().Backward();
        Assert.That(Bits(gradOut!), Is.EqualTo(Bits(h.Grad!)));
        Assert.That(gradOut!.ToArray<double>().Any(v => v == 0), Is.True, "the ReLU's mask applied");
    }

    [Test]
    public void AReLUAtTheEnd_AnInputThatIsNotAMatrix_AndOtherActivations_AreNotFused()
    {
        var last = new Sequential(new Linear(4, 3, generator: new Generator(1)), new ReLU());
        Assert.That(HasNode(last.Call(Tensor.Ones([2, 4]).RequireGrad()), "linear_relu"), Is.False);
        var model = Model(DType.Float32);
        var batched = model.Call(Tensor.Uniform([2, 3, 13], new Generator(2), -1, 1).RequireGrad());
        Assert.That(HasNode(batched, "linear_relu"), Is.False);
        Assert.That(batched.Shape, Is.EqualTo(new[] { 2, 3, 5 }));
        var gelu = Mlp.Create(4, [6], 2, () => new GELU(), new Generator(1));
        Assert.That(HasNode(gelu.Call(Tensor.Ones([2, 4]).RequireGrad()), "linear_relu"), Is.False);
        var noBias = new Sequential(new Linear(4, 3, bias: false, generator: new Generator(1)), new ReLU(), new Linear(3, 2, generator: new Generator(2)));
        Assert.That(HasNode(noBias.Call(Tensor.Ones([2, 4]).RequireGrad()), "linear_relu"), Is.False);
    }

    [Test]
    public void ABadInput_GetsTheLinearsOwnError()
    {
        var model = Model(DType.Float32);
        var e = Assert.Throws<ArgumentException>(() => model.Call(Tensor.Ones([2, 12])));
        Assert.That(e!.Message, Does.StartWith("Linear: expected an input whose last axis has 13 features"));
        e = Assert.Throws<ArgumentException>(() => model.Call(Tensor.Ones([2, 13], DType.Float64)));
        Assert.That(e!.Message, Does.StartWith("Linear: input of dtype float64"));
    }

    [Test]
    public void TheSwitch_TurnsTheFusionOff()
    {
        var model = Model(DType.Float32);
        var x = Tensor.Uniform([3, 13], new Generator(9), -1, 1).RequireGrad();
        Autograd.Ops.LinearRelu.Enabled = false;
        try
        {
            Assert.That(HasNode(model.Call(x), "linear_relu"), Is.False);
        }
        finally
        {
            Autograd.Ops.LinearRelu.Enabled = true;
        }
        Assert.That(HasNode(model.Call(x), "linear_relu"), Is.True);
    }
}
