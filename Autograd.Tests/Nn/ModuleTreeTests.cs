using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

/// <summary>
/// Shared modules and parameters (weight tying) and cycles: every walk (parameters, buffers, modules, counts,
/// ZeroGrad, Train/Eval, gradient clipping) sees each module and tensor once under its first name, while the state
/// dictionary keeps every name (PyTorch 1.13's module.py: named_modules/named_parameters use a memo set,
/// state_dict recurses through every child); a module that would contain itself is refused.
/// </summary>
public class ModuleTreeTests
{
    private static (Sequential Model, Linear Shared) Tied(int seed = 1)
    {
        var lin = new Linear(4, 4, generator: new Generator((ulong)seed), dtype: DType.Float64);
        return (new Sequential(lin, new Tanh(), lin), lin);
    }

    // The same parameter registered under two names, and a buffer likewise.
    private sealed class TwoNames : Module
    {
        public TwoNames()
        {
            W = RegisterParameter("a", Tensor.Ones([2], DType.Float64));
            RegisterParameter("b", W);
            Count = RegisterBuffer("steps", Tensor.Zeros([1], DType.Float64));
            RegisterBuffer("steps_again", Count);
        }

        public Parameter W { get; }
        public Tensor Count { get; }

        public override Tensor Forward(Tensor input) => input * W;
    }

    [Test]
    public void ATiedModuleListsItsParametersOnceUnderTheFirstName()
    {
        var (model, lin) = Tied();
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "0.weight", "0.bias" }));
        Assert.That(model.Parameters().ToArray(), Is.EqualTo(new Tensor[] { lin.Weight, lin.Bias! }));
        Assert.That(model.ParameterCount, Is.EqualTo(4 * 4 + 4));
        Assert.That(model.NamedModules().Select(m => m.Name), Is.EqualTo(new[] { "", "0", "1" }));
        Assert.That(model.NamedChildren().Select(m => m.Name), Is.EqualTo(new[] { "0", "1" }));
        Assert.That(model.Count, Is.EqualTo(3), "the chain itself still applies the layer twice");
    }

    [Test]
    public void ATiedParameterOrBufferIsListedOnceButKeepsEveryNameInTheStateDict()
    {
        var m = new TwoNames();
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(m.NamedBuffers().Select(b => b.Name), Is.EqualTo(new[] { "steps" }));
        Assert.That(m.ParameterCount, Is.EqualTo(2));
        var state = m.StateDict();
        Assert.That(state.Keys, Is.EqualTo(new[] { "a", "b", "steps", "steps_again" }));
        Assert.That(state["b"], Is.SameAs(state["a"]));
    }

    [Test]
    public void OptimizersAcceptTiedParametersAndUpdateThemOnce()
    {
        var (model, lin) = Tied();
        var x = Tensor.Normal([3, 4], new Generator(5), dtype: DType.Float64);
        Assert.That(() => new Adam(model.Parameters(), lr: 0.01), Throws.Nothing);
        var sgd = new SGD(model.Parameters(), lr: 0.1);
        var before = lin.Weight.ToArray<double>();
        model.Forward(x).Square().Sum().Backward();
        var grad = lin.Weight.Grad!.ToArray<double>();
        sgd.Step();
        Assert.That(lin.Weight.ToArray<double>(), Is.EqualTo(before.Zip(grad, (w, g) => w - 0.1 * g).ToArray()).Within(1e-15));

        model.ZeroGrad(setToNone: false);
        Assert.That(lin.Weight.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void TheStateDictOfATiedModelKeepsEveryNameAsPyTorch()
    {
        var (model, lin) = Tied();
        var state = model.StateDict();
        Assert.That(state.Keys, Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }));
        Assert.That(state["0.weight"], Is.SameAs(lin.Weight));
        Assert.That(state["2.weight"], Is.SameAs(lin.Weight));

        // Loading needs every name (strict), and the later name wins, as load_state_dict copies in order.
        var untied = new Sequential(new Linear(4, 4, generator: new Generator(5), dtype: DType.Float64), new Tanh(),
            new Linear(4, 4, generator: new Generator(6), dtype: DType.Float64));
        model.LoadStateDict(untied.StateDict());
        Assert.That(lin.Weight.ToArray<double>(), Is.EqualTo(((Linear)untied[2]).Weight.ToArray<double>()));
        var partial = untied.StateDict();
        partial.Remove("2.bias");
        Assert.That(() => model.LoadStateDict(partial), Throws.ArgumentException.With.Message.Contains("missing '2.bias'"));

        // PyTorch's order: a module's parameters, then its buffers, then each child's entries.
        var nested = new Sequential(new TwoNames(), lin);
        Assert.That(nested.StateDict().Keys, Is.EqualTo(new[] { "0.a", "0.b", "0.steps", "0.steps_again", "1.weight", "1.bias" }));
    }

    [Test]
    public void ATiedModelRoundTripsThroughACheckpoint()
    {
        var (model, lin) = Tied(2);
        var path = Path.Combine(Path.GetTempPath(), $"tied-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(model, path);
            Assert.That(SafeTensors.Load(path).Tensors.Keys.Order(), Is.EqualTo(new[] { "0.bias", "0.weight", "2.bias", "2.weight" }));
            var (restored, restoredLin) = Tied(3);
            Checkpoint.Load(restored, path);
            Assert.That(restoredLin.Weight.ToArray<double>(), Is.EqualTo(lin.Weight.ToArray<double>()));
            Assert.That(restoredLin.Bias!.ToArray<double>(), Is.EqualTo(lin.Bias!.ToArray<double>()));
            Assert.That(restored.Parameters().Count(), Is.EqualTo(2));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void TrainAndEvalReachEveryPlaceOfASharedModule()
    {
        var dropout = new Dropout(0.5, new Generator(1));
        var model = new Sequential(new Sequential(dropout), new Sequential(new Tanh(), dropout));
        model.Eval();
        Assert.That(dropout.Training, Is.False);
        Assert.That(model.NamedModules().Select(m => m.Module.Training), Is.All.False);
        Assert.That(model.NamedModules().Select(m => m.Name), Is.EqualTo(new[] { "", "0", "0.0", "1", "1.0" }));
        model.Train();
        Assert.That(dropout.Training, Is.True);
    }

    [Test]
    public void ADiamondIsNotACycle()
    {
        var shared = new Linear(2, 2, generator: new Generator(1));
        var model = new Sequential(new Sequential(shared), new Sequential(shared));
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "0.0.weight", "0.0.bias" }));
        Assert.That(model.StateDict().Keys, Is.EqualTo(new[] { "0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias" }));
        Assert.That(model.ParameterCount, Is.EqualTo(6));
    }

    [Test]
    public void ClipGradNormCountsAParameterGivenTwiceOnce()
    {
        Tensor Leaf()
        {
            var w = Tensor.From(new double[] { 3, 4 }).RequireGrad();
            (w * w).Sum().Backward();   // grad 2w = [6, 8], norm 10
            return w;
        }
        var once = Leaf();
        var twice = Leaf();
        double normOnce = GradClip.ClipGradNorm([once], 5);
        double normTwice = GradClip.ClipGradNorm([twice, twice], 5);
        Assert.That(normTwice, Is.EqualTo(normOnce).Within(1e-12));
        Assert.That(normOnce, Is.EqualTo(10).Within(1e-12));
        Assert.That(twice.Grad!.ToArray<double>(), Is.EqualTo(once.Grad!.ToArray<double>()).Within(1e-12), "scaled once, not twice");
        Assert.That(once.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3, 4 }).Within(1e-5));

        var (model, lin) = Tied();
        model.Forward(Tensor.Ones([1, 4], DType.Float64)).Sum().Backward();
        var g = lin.Parameters().SelectMany(p => p.Grad!.ToArray<double>()).ToArray();
        double expected = Math.Sqrt(g.Sum(v => v * v));
        Assert.That(GradClip.ClipGradNorm(model.Parameters(), double.PositiveInfinity), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void AModuleThatWouldContainItselfIsRefused()
    {
        var s = new Sequential();
        var e = Assert.Throws<ArgumentException>(() => s.Append(s))!;
        Assert.That(e.Message, Does.StartWith("Sequential: cannot register '0'").And.Contain("is this module itself").And.Contain("cannot contain itself"));
        Assert.That(s.Count, Is.Zero);

        var a = new Sequential(new Tanh());
        var b = new Sequential(a);
        var c = new Sequential(new ReLU(), b);
        e = Assert.Throws<ArgumentException>(() => a.Append(c))!;
        Assert.That(e.Message, Does.StartWith("Sequential: cannot register '1'").And.Contain("the Sequential contains this module"));
        Assert.That(a.Count, Is.EqualTo(1), "nothing was registered");
        Assert.That(c.NamedModules().Select(m => m.Name), Is.EqualTo(new[] { "", "0", "1", "1.0", "1.0.0" }), "walks still terminate");
        Assert.That(e.ParamName, Is.EqualTo("module"));
    }
}
