using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

/// <summary>
/// Automatic registration of a custom module's fields (PyTorch registers attributes; TorchSharp's RegisterComponents):
/// fields and auto-properties of type Module or Parameter, named in snake_case, in declaration order, re-read at
/// every walk (so reassignment replaces), explicit registrations kept, [NotRegistered] honoured, cycles refused.
/// </summary>
public class CustomModuleTests
{
    // Nothing registered by hand: the fields alone.
    private sealed class TwoLayerNet : Module
    {
        private readonly Linear _fc1;
        private readonly Tanh _act = new();
        private readonly Linear _fc2;

        public TwoLayerNet(Generator g)
        {
            _fc1 = new Linear(3, 4, generator: g, dtype: DType.Float64);
            _fc2 = new Linear(4, 2, generator: g, dtype: DType.Float64);
        }

        public override Tensor Forward(Tensor input) => _fc2.Forward(_act.Forward(_fc1.Forward(input)));
    }

    // Auto-properties and PascalCase names; a parameter of its own (listed before the children's, as in PyTorch); an
    // explicit registration under another name.
    private sealed class Properties : Module
    {
        public Properties(Generator g)
        {
            Scale = new Parameter(Tensor.Ones([2], DType.Float64));
            Encoder = RegisterModule("enc", new Linear(2, 2, generator: g, dtype: DType.Float64));
            HiddenLayer = new Linear(2, 2, generator: g, dtype: DType.Float64);
            LMHead = new Linear(2, 1, generator: g, dtype: DType.Float64);
        }

        public Linear Encoder { get; }
        public Parameter Scale { get; }
        public Linear HiddenLayer { get; }
        public Linear LMHead { get; }
        public Linear? Extra { get; set; }

        public override Tensor Forward(Tensor input) => LMHead.Forward(HiddenLayer.Forward(Encoder.Forward(input) * Scale));
    }

    private class Backbone : Module
    {
        protected readonly Linear _layer2Norm = new(2, 2, generator: new Generator(1));

        public override Tensor Forward(Tensor input) => _layer2Norm.Forward(input);
    }

    private sealed class WithHead : Backbone
    {
        private readonly Linear conv_block = new(2, 2, generator: new Generator(2));
        private readonly Tensor _notAParameter = Tensor.Ones([2]);
        private readonly Module[] _notAChild = [new Linear(2, 2, generator: new Generator(3))];
        [NotRegistered] private readonly Linear _reference = new(2, 2, generator: new Generator(4));
        private static readonly Linear s_static = new(2, 2, generator: new Generator(5));

        public override Tensor Forward(Tensor input) =>
            conv_block.Forward(base.Forward(input)) + _notAParameter + _notAChild[0].Forward(input) + _reference.Forward(input) + s_static.Forward(input);
    }

    // A primary-constructor parameter captured by the class is a field too.
    private sealed class Wrapper(Linear inner) : Module
    {
        public override Tensor Forward(Tensor input) => inner.Forward(input);
    }

    private sealed class Child : Module
    {
        public Child(Module parent) => Parent = parent;

        public Module Parent { get; }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class MarkedChild : Module
    {
        public MarkedChild(Module parent) => Parent = parent;

        [NotRegistered] public Module Parent { get; }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class Parent : Module
    {
        public Parent(bool marked) => Kid = marked ? new MarkedChild(this) : new Child(this);

        public Module Kid { get; }

        public override Tensor Forward(Tensor input) => Kid.Forward(input);
    }

    private sealed class Collision : Module
    {
        private readonly Linear _fc = new(1, 1, generator: new Generator(1));

        public Linear Fc { get; } = new(1, 1, generator: new Generator(2));

        public override Tensor Forward(Tensor input) => _fc.Forward(Fc.Forward(input));
    }

    private sealed class SelfField : Module
    {
        public SelfField() => Me = this;

        public Module Me { get; }

        public override Tensor Forward(Tensor input) => input;
    }

    [Test]
    public void FieldsHoldingModulesAreRegisteredInDeclarationOrderAndTrained()
    {
        var net = new TwoLayerNet(new Generator(1));
        Assert.That(net.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }));
        Assert.That(net.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "fc1", "act", "fc2" }));
        Assert.That(net.ParameterCount, Is.EqualTo(3 * 4 + 4 + 4 * 2 + 2));

        var before = net.Parameters().Select(p => p.ToArray<double>()).ToArray();
        var optimizer = new SGD(net.Parameters(), lr: 0.1);
        net.Forward(Tensor.Normal([5, 3], new Generator(1), dtype: DType.Float64)).Square().Sum().Backward();
        optimizer.Step();
        var after = net.Parameters().Select(p => p.ToArray<double>()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.That(after[i], Is.Not.EqualTo(before[i]), $"parameter {i} was trained");
    }

    [Test]
    public void AutoPropertiesAreNamedInSnakeCaseAndExplicitNamesAreKept()
    {
        var m = new Properties(new Generator(2));
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[]
        {
            "scale", "enc.weight", "enc.bias", "hidden_layer.weight", "hidden_layer.bias", "lm_head.weight", "lm_head.bias",
        }));
        Assert.That(m.StateDict().Keys, Has.No.Member("encoder.weight"), "the explicit registration is not repeated under the property's name");
        Assert.That(m.NamedParameters().Single(p => p.Name == "scale").Parameter, Is.SameAs(m.Scale));
    }

    [Test]
    public void InheritedFieldsComeFirstAndOnlyModuleAndParameterFieldsAreRegistered()
    {
        var m = new WithHead();
        Assert.That(m.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "layer2_norm", "conv_block" }));
        Assert.That(m.StateDict().Keys, Is.EqualTo(new[] { "layer2_norm.weight", "layer2_norm.bias", "conv_block.weight", "conv_block.bias" }));
    }

    [Test]
    public void ACapturedPrimaryConstructorParameterIsRegisteredUnderItsName()
    {
        var inner = new Linear(2, 3, generator: new Generator(1));
        var w = new Wrapper(inner);
        Assert.That(w.NamedChildren().Single().Name, Is.EqualTo("inner"));
        Assert.That(w.Parameters().First(), Is.SameAs(inner.Weight));
    }

    [Test]
    public void ReassigningAFieldAfterAWalkReplacesTheRegistrationInPlace()
    {
        var m = new Properties(new Generator(3));
        Assert.That(m.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "enc", "hidden_layer", "lm_head" }));

        var extra = new Linear(2, 5, generator: new Generator(4), dtype: DType.Float64);
        m.Extra = extra;
        Assert.That(m.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "enc", "hidden_layer", "lm_head", "extra" }));
        Assert.That(m.StateDict()["extra.weight"], Is.SameAs(extra.Weight));

        var replacement = new Linear(2, 7, generator: new Generator(5), dtype: DType.Float64);
        m.Extra = replacement;
        Assert.That(m.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "enc", "hidden_layer", "lm_head", "extra" }));
        Assert.That(m.Parameters(), Does.Contain(replacement.Weight).And.Not.Contain(extra.Weight));
        Assert.That(m.StateDict()["extra.weight"].Shape, Is.EqualTo(new[] { 7, 2 }));

        m.Extra = null;
        Assert.That(m.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "enc", "hidden_layer", "lm_head" }));
        Assert.That(m.Parameters(), Does.Not.Contain(replacement.Weight));
    }

    [Test]
    public void EvalReachesAnAutoRegisteredDropout()
    {
        var net = new Sequential(new Wrapper(new Linear(2, 2, generator: new Generator(1))));
        var dropout = new Dropout(0.5, new Generator(2));
        var holder = new Sequential(new DropoutHolder(dropout));
        holder.Eval();
        Assert.That(dropout.Training, Is.False);
        var x = Tensor.Ones([50]);
        Assert.That(holder.Forward(x).ToArray<float>(), Is.All.EqualTo(1f));
        net.Eval();
        Assert.That(net.NamedModules().Select(m => m.Module.Training), Is.All.False);
    }

    private sealed class DropoutHolder(Dropout dropout) : Module
    {
        public override Tensor Forward(Tensor input) => dropout.Forward(input);
    }

    [Test]
    public void AFieldThatMakesACycleThrowsNamingTheField_UnlessMarkedNotRegistered()
    {
        var p = new Parent(marked: false);
        var e = Assert.Throws<InvalidOperationException>(() => p.Parameters().ToList())!;
        Assert.That(e.Message, Does.StartWith("Child: the field 'Parent' holds a Parent that contains this module").And.Contain("[NotRegistered]"));
        e = Assert.Throws<InvalidOperationException>(() => _ = new SelfField().ParameterCount)!;
        Assert.That(e.Message, Does.StartWith("SelfField: the field 'Me' holds this module itself"));

        // Walking the child first finds the same cycle from the other end, and keeps finding it.
        var child = (Child)new Parent(marked: false).Kid;
        e = Assert.Throws<InvalidOperationException>(() => child.StateDict())!;
        Assert.That(e.Message, Does.StartWith("Parent: the field 'Kid' holds a Child that contains this module"));
        Assert.That(() => child.ToString(), Throws.InvalidOperationException);
        Assert.That(() => child.Parameters().ToList(), Throws.InvalidOperationException);

        var ok = new Parent(marked: true);
        Assert.That(ok.NamedModules().Select(m => m.Name), Is.EqualTo(new[] { "", "kid" }));
        Assert.That(ok.ToString(), Is.EqualTo("Parent(\n  (kid): MarkedChild()\n)"));
    }

    [Test]
    public void TwoFieldsWithTheSameRegistrationNameThrow()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Collision().StateDict())!;
        Assert.That(e.Message, Does.StartWith("Collision: the field").And.Contain("would be registered as 'fc', but that name is already registered"));
    }
}
