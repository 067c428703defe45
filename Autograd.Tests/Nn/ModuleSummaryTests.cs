using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// Printing a model: ToString is PyTorch's repr(model) (the tree, each layer's extra_repr, two spaces per level),
/// ExtraRepr per layer spells values as Python does, and Summary adds parameter counts and the total.
/// </summary>
public class ModuleSummaryTests
{
    private sealed class Scaled : Module
    {
        public Scaled()
        {
            Scale = RegisterParameter("scale", Tensor.Ones([3]));
            Frozen = RegisterParameter("frozen", new Parameter(Tensor.Ones([2]), requiresGrad: false));
            Body = RegisterModule("body", new Sequential(new Linear(3, 3, generator: new Generator(1)), new ReLU()));
        }

        public Parameter Scale { get; }
        public Parameter Frozen { get; }
        public Sequential Body { get; }

        public override string ExtraRepr() => "scale=learned\nnote=two lines";

        public override Tensor Forward(Tensor input) => Body.Forward(input * Scale);
    }

    [Test]
    public void ToStringPrintsTheTreeAsPyTorch()
    {
        var model = new Sequential(new Linear(8, 8, generator: new Generator(1)), new ReLU(), new Linear(8, 4, generator: new Generator(2)));
        Assert.That(model.ToString(), Is.EqualTo(
            "Sequential(\n" +
            "  (0): Linear(in_features=8, out_features=8, bias=True)\n" +
            "  (1): ReLU()\n" +
            "  (2): Linear(in_features=8, out_features=4, bias=True)\n" +
            ")"));
        Assert.That(new Sequential().ToString(), Is.EqualTo("Sequential()"));
    }

    [Test]
    public void NestedModulesAreIndentedAndExtraLinesComeBeforeTheChildren()
    {
        var model = new Sequential(
            new Linear(2, 3, bias: false, generator: new Generator(1)),
            new Sequential(new Tanh(), new Dropout(0.25)),
            new Scaled(),
            new Flatten());
        Assert.That(model.ToString(), Is.EqualTo(
            "Sequential(\n" +
            "  (0): Linear(in_features=2, out_features=3, bias=False)\n" +
            "  (1): Sequential(\n" +
            "    (0): Tanh()\n" +
            "    (1): Dropout(p=0.25, inplace=False)\n" +
            "  )\n" +
            "  (2): Scaled(\n" +
            "    scale=learned\n" +
            "    note=two lines\n" +
            "    (body): Sequential(\n" +
            "      (0): Linear(in_features=3, out_features=3, bias=True)\n" +
            "      (1): ReLU()\n" +
            "    )\n" +
            "  )\n" +
            "  (3): Flatten(start_dim=1, end_dim=-1)\n" +
            ")"));
    }

    [Test]
    public void EveryLayerDescribesItsConfigurationAsPyTorch()
    {
        Assert.That(new Identity().ToString(), Is.EqualTo("Identity()"));
        Assert.That(new ReLU().ToString(), Is.EqualTo("ReLU()"));
        Assert.That(new Sigmoid().ToString(), Is.EqualTo("Sigmoid()"));
        Assert.That(new Tanh().ToString(), Is.EqualTo("Tanh()"));
        Assert.That(new Sign().ToString(), Is.EqualTo("Sign()"));
        Assert.That(new Hardtanh().ToString(), Is.EqualTo("Hardtanh(min_val=-1.0, max_val=1.0)"));
        Assert.That(new Softmax().ToString(), Is.EqualTo("Softmax(dim=-1)"));
        Assert.That(new LogSoftmax(1).ToString(), Is.EqualTo("LogSoftmax(dim=1)"));
        Assert.That(new Flatten(0, 2).ToString(), Is.EqualTo("Flatten(start_dim=0, end_dim=2)"));
        Assert.That(new Dropout(0.1).ToString(), Is.EqualTo("Dropout(p=0.1, inplace=False)"));
        Assert.That(new Linear(5, 3, bias: false).ExtraRepr(), Is.EqualTo("in_features=5, out_features=3, bias=False"));
        Assert.That(new ReLU().ExtraRepr(), Is.Empty);
    }

    [Test]
    public void FloatsAreSpelledAsPythonsRepr()
    {
        Assert.That(new Hardtanh(-0.25, 1e-05).ExtraRepr(), Is.EqualTo("min_val=-0.25, max_val=1e-05"));
        Assert.That(new Hardtanh(-1e16, 123456.5).ExtraRepr(), Is.EqualTo("min_val=-1e+16, max_val=123456.5"));
        Assert.That(new Hardtanh(-3, 1e15).ExtraRepr(), Is.EqualTo("min_val=-3.0, max_val=1000000000000000.0"));
        Assert.That(new Hardtanh(-0.0001, 0).ExtraRepr(), Is.EqualTo("min_val=-0.0001, max_val=0.0"));
        Assert.That(new Hardtanh(-1.234e-05, 2.5e-7).ExtraRepr(), Is.EqualTo("min_val=-1.234e-05, max_val=2.5e-07"));
        Assert.That(new Hardtanh(0.1, 1.7976931348623157e308).ExtraRepr(), Is.EqualTo("min_val=0.1, max_val=1.7976931348623157e+308"));
        Assert.That(new Hardtanh(double.NegativeInfinity, double.PositiveInfinity).ExtraRepr(), Is.EqualTo("min_val=-inf, max_val=inf"));
        Assert.That(new Hardtanh(-0.0, 100).ExtraRepr(), Is.EqualTo("min_val=-0.0, max_val=100.0"));
    }

    [Test]
    public void SummaryListsEveryModuleWithItsParameterCountAndTheTotal()
    {
        var model = new Sequential(new Linear(8, 8, generator: new Generator(1)), new ReLU(), new Linear(8, 4, generator: new Generator(2)));
        Assert.That(model.Summary(), Is.EqualTo(
            "module                                                   parameters\n" +
            "Sequential                                                        0\n" +
            "  (0): Linear(in_features=8, out_features=8, bias=True)          72\n" +
            "  (1): ReLU()                                                     0\n" +
            "  (2): Linear(in_features=8, out_features=4, bias=True)          36\n" +
            "total                                                           108\n" +
            "trainable                                                       108"));
    }

    [Test]
    public void SummaryCountsASharedModuleOnceAndFrozenParametersAsNotTrainable()
    {
        var lin = new Linear(2, 2, generator: new Generator(1));
        var model = new Sequential(lin, new Scaled(), lin);
        var lines = model.Summary().Split('\n');
        Assert.That(lines.Select(l => l.TrimEnd()), Is.EqualTo(new[]
        {
            "module                                                       parameters",
            "Sequential                                                            0",
            "  (0): Linear(in_features=2, out_features=2, bias=True)               6",
            "  (1): Scaled(scale=learned, note=two lines)                          5",
            "    (body): Sequential                                                0",
            "      (0): Linear(in_features=3, out_features=3, bias=True)          12",
            "      (1): ReLU()                                                     0",
            "  (2): Linear (shared with '0')                                       0",
            "total                                                                23",
            "trainable                                                            21",
        }));
        Assert.That(model.ParameterCount, Is.EqualTo(23));
    }
}
