using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// The Module base through real layers: parameter discovery with dotted names in a nested model, parameter counts,
/// train/eval propagation, ZeroGrad, and state dictionaries (round trip; a bad dictionary throws and changes nothing).
/// </summary>
public class ModuleTests
{
    // A model with a parameter of its own, a buffer, a Linear child and a nested Sequential.
    private sealed class Net : Module
    {
        public Net(Generator g)
        {
            Scale = RegisterParameter("scale", Tensor.Full([3], 2.0, DType.Float64));
            Steps = RegisterBuffer("steps", Tensor.Zeros([1], DType.Float64));
            Encoder = RegisterModule("encoder", new Linear(4, 3, generator: g, dtype: DType.Float64));
            Head = RegisterModule("head", new Sequential(
                new Tanh(),
                new Sequential(new Linear(3, 5, generator: g, dtype: DType.Float64), new Dropout(0.5, g)),
                new Linear(5, 2, bias: false, generator: g, dtype: DType.Float64)));
        }

        public Parameter Scale { get; }
        public Tensor Steps { get; }
        public Linear Encoder { get; }
        public Sequential Head { get; }

        public override Tensor Forward(Tensor input) => Head.Forward(Encoder.Forward(input) * Scale);
    }

    [Test]
    public void NestedModel_ParametersAreFoundWithDottedNamesInRegistrationOrder()
    {
        var net = new Net(new Generator(1));

        var names = net.NamedParameters().Select(p => p.Name).ToArray();
        Assert.That(names, Is.EqualTo(new[]
        {
            "scale", "encoder.weight", "encoder.bias", "head.1.0.weight", "head.1.0.bias", "head.2.weight",
        }));
        var shapes = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Shape);
        Assert.That(shapes["encoder.weight"], Is.EqualTo(new[] { 3, 4 }));
        Assert.That(shapes["head.1.0.weight"], Is.EqualTo(new[] { 5, 3 }));
        Assert.That(shapes["head.2.weight"], Is.EqualTo(new[] { 2, 5 }));
        // The discovered objects are the layers' own parameters, not copies.
        Assert.That(net.NamedParameters().Single(p => p.Name == "head.2.weight").Parameter, Is.SameAs(((Linear)net.Head[2]).Weight));

        Assert.That(net.NamedModules().Select(m => m.Name).ToArray(), Is.EqualTo(new[]
        {
            "", "encoder", "head", "head.0", "head.1", "head.1.0", "head.1.1", "head.2",
        }));
        Assert.That(net.NamedBuffers().Select(b => b.Name).ToArray(), Is.EqualTo(new[] { "steps" }));
        Assert.That(net.StateDict().Keys, Is.EquivalentTo(names.Append("steps")));
        // 3 + (3·4 + 3) + (5·3 + 5) + 2·5
        Assert.That(net.ParameterCount, Is.EqualTo(3 + 15 + 20 + 10));
    }

    [Test]
    public void Mlp784_256_128_10_HasPyTorchNamesShapesAndParameterCount()
    {
        var mlp = Mlp.Create(784, [256, 128], 10, () => new ReLU(), new Generator(0));

        Assert.That(mlp.ParameterCount, Is.EqualTo(784L * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10));
        var shapes = mlp.NamedParameters().Select(p => (p.Name, p.Parameter.Shape)).ToArray();
        Assert.That(shapes.Select(s => s.Name), Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias" }));
        Assert.That(shapes.Select(s => s.Shape), Is.EqualTo(new[]
        {
            new[] { 256, 784 }, [256], [128, 256], [128], [10, 128], [10],
        }));
        Assert.That(mlp.Parameters().All(p => p.DType == DType.Float32 && p.RequiresGrad && p.IsLeaf), Is.True);
    }

    [Test]
    public void TrainAndEval_PropagateToEveryDescendant()
    {
        var net = new Net(new Generator(2));
        Assert.That(net.NamedModules().All(m => m.Module.Training), Is.True, "modules start in training mode");

        net.Eval();
        Assert.That(net.NamedModules().Select(m => m.Module.Training), Is.All.False);
        net.Train();
        Assert.That(net.NamedModules().Select(m => m.Module.Training), Is.All.True);
        net.Head.Train(false);
        Assert.That(net.Training && net.Encoder.Training, Is.True, "only the subtree changes");
        Assert.That(net.Head.NamedModules().Select(m => m.Module.Training), Is.All.False);
    }

    [Test]
    public void EvalModeMakesANestedDropoutTheIdentity()
    {
        var net = new Net(new Generator(3));
        var x = Tensor.Normal([64, 4], new Generator(9), dtype: DType.Float64);

        var train1 = net.Forward(x).ToArray<double>();
        var train2 = net.Forward(x).ToArray<double>();
        Assert.That(train2, Is.Not.EqualTo(train1), "fresh dropout masks in training mode");

        net.Eval();
        var eval1 = net.Forward(x).ToArray<double>();
        Assert.That(net.Forward(x).ToArray<double>(), Is.EqualTo(eval1));
        // Without dropout the head is tanh → linear → linear: compute it by hand from the parameters.
        var h = (net.Encoder.Forward(x) * net.Scale).Tanh();
        var l1 = (Linear)((Sequential)net.Head[1])[0];
        var expected = (h.MatMul(l1.Weight.T) + l1.Bias!).MatMul(((Linear)net.Head[2]).Weight.T);
        Assert.That(eval1, Is.EqualTo(expected.ToArray<double>()).Within(1e-12));
    }

    [Test]
    public void ZeroGrad_ClearsTheGradientOfEveryParameter()
    {
        var net = new Net(new Generator(4)).Eval();
        var x = Tensor.Normal([8, 4], new Generator(5), dtype: DType.Float64);
        net.Forward(x).Square().Sum().Backward();
        Assert.That(net.Parameters().All(p => p.Grad is not null), Is.True, "every parameter is on the path to the output");
        Assert.That(net.Parameters().Any(p => p.Grad!.ToArray<double>().Any(v => v != 0)), Is.True);

        net.ZeroGrad();
        Assert.That(net.Parameters().Select(p => p.Grad), Is.All.Null);

        // A second backward after ZeroGrad gives the first gradient again, not twice it.
        net.Forward(x).Square().Sum().Backward();
        var first = net.Parameters().Select(p => p.Grad!.ToArray<double>()).ToArray();
        net.ZeroGrad();
        net.Forward(x).Square().Sum().Backward();
        var second = net.Parameters().Select(p => p.Grad!.ToArray<double>()).ToArray();
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void StateDict_RoundTripMakesTwoDifferentlySeededModelsIdentical()
    {
        var a = new Net(new Generator(10));
        var b = new Net(new Generator(11));
        a.Eval();
        b.Eval();
        var x = Tensor.Normal([5, 4], new Generator(6), dtype: DType.Float64);
        Assume.That(b.Forward(x).ToArray<double>(), Is.Not.EqualTo(a.Forward(x).ToArray<double>()));
        using (Autodiff.NoGrad()) a.Steps.Fill(7);

        b.LoadStateDict(a.StateDict());

        foreach (var (name, p) in a.StateDict())
            Assert.That(b.StateDict()[name].ToArray<double>(), Is.EqualTo(p.ToArray<double>()), name);
        Assert.That(b.Forward(x).ToArray<double>(), Is.EqualTo(a.Forward(x).ToArray<double>()));
        Assert.That(b.Steps.Item(), Is.EqualTo(7));
        // Loading copies values: b's parameters are still its own objects and do not follow later changes to a.
        Assert.That(b.Encoder.Weight, Is.Not.SameAs(a.Encoder.Weight));
        Assert.That(b.Encoder.Weight.RequiresGrad && b.Encoder.Weight.IsLeaf, Is.True);
        using (Autodiff.NoGrad()) a.Encoder.Weight.Fill(0);
        Assert.That(b.Encoder.Weight.ToArray<double>(), Has.Some.Not.EqualTo(0.0));
    }

    [Test]
    public void LoadStateDict_WithAWrongShapeThrowsNamingItAndChangesNothing()
    {
        var a = new Net(new Generator(20));
        var b = new Net(new Generator(21));
        var before = Snapshot(b);
        var state = a.StateDict();
        state["head.1.0.weight"] = Tensor.Zeros([3, 5], DType.Float64); // transposed layout

        var e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(state));

        Assert.That(e!.Message, Does.Contain("head.1.0.weight").And.Contain("[3, 5]").And.Contain("[5, 3]"));
        // Every other entry was valid, yet none was copied.
        Assert.That(Snapshot(b), Is.EqualTo(before));
    }

    [Test]
    public void LoadStateDict_WithAMissingKeyThrowsAndChangesNothing_UnlessNotStrict()
    {
        var a = new Net(new Generator(30));
        var b = new Net(new Generator(31));
        var before = Snapshot(b);
        var state = a.StateDict();
        state.Remove("encoder.bias");

        var e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(state));
        Assert.That(e!.Message, Does.Contain("missing").And.Contain("encoder.bias"));
        Assert.That(Snapshot(b), Is.EqualTo(before));

        b.LoadStateDict(state, strict: false);
        Assert.That(b.Encoder.Weight.ToArray<double>(), Is.EqualTo(a.Encoder.Weight.ToArray<double>()));
        Assert.That(b.Encoder.Bias!.ToArray<double>(), Is.EqualTo(before["encoder.bias"]), "the missing entry keeps its value");
    }

    [Test]
    public void LoadStateDict_WithAnUnexpectedKeyOrDtypeThrows()
    {
        var b = new Net(new Generator(40));
        var before = Snapshot(b);
        var extra = b.StateDict();
        extra["encoder.running_mean"] = Tensor.Zeros([3], DType.Float64);
        Assert.That(() => b.LoadStateDict(extra), Throws.ArgumentException.With.Message.Contains("unexpected 'encoder.running_mean'"));

        var wrongType = new Net(new Generator(41)).StateDict();
        wrongType["scale"] = Tensor.Zeros([3], DType.Float32);
        Assert.That(() => b.LoadStateDict(wrongType), Throws.ArgumentException.With.Message.Contains("'scale'").And.Message.Contains("float32"));
        Assert.That(Snapshot(b), Is.EqualTo(before));
    }

    private static Dictionary<string, double[]> Snapshot(Module m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>());
}
