using Autograd.Nn;

namespace Autograd.Tests.Nn;

public class GenericModuleTests
{
    // A layer returning two tensors.
    private sealed class Split : Module<Tensor, (Tensor Low, Tensor High)>
    {
        public Parameter Shift { get; } = new(Tensor.From([0.5]));

        public override (Tensor Low, Tensor High) Forward(Tensor input) => (input - Shift, input + Shift);
    }

    // A residual block taking (x, mask): y = x + mask · lin(x).
    private sealed class MaskedResidual : Module<Tensor, Tensor, Tensor>
    {
        public Linear Lin { get; } = new(2, 2, generator: new Generator(5), dtype: DType.Float64);

        public override Tensor Forward(Tensor input1, Tensor input2) => input1 + input2 * Lin.Call(input1);
    }

    [Test]
    public void AOneInputModuleReturningTwoTensorsComputesAndRegisters()
    {
        var split = new Split();
        var (low, high) = split.Call(Tensor.From([1.0]));
        Assert.That((low.Item<double>(), high.Item<double>()), Is.EqualTo((0.5, 1.5)));
        Assert.That(split.StateDict().Keys, Is.EqualTo(new[] { "shift" }));
        Assert.That(split.ToString(), Is.EqualTo("Split()"));
        Module asModule = split;
        Assert.Throws<InvalidOperationException>(() => asModule.Forward(Tensor.From([1.0])));
    }

    [Test]
    public void HooksOnAOneInputModuleTakeItsTypes()
    {
        var split = new Split();
        using var pre = split.RegisterForwardPreHook((_, x) => x * 10.0);
        using var post = split.RegisterForwardHook((_, _, y) => (y.High, y.Low));
        var (low, high) = split.Call(Tensor.From([1.0]));
        Assert.That((low.Item<double>(), high.Item<double>()), Is.EqualTo((10.5, 9.5)));
        post.Remove();
        pre.Remove();
        Assert.That(split.Call(Tensor.From([1.0])).Low.Item<double>(), Is.EqualTo(0.5));
    }

    [Test]
    public void ATwoInputResidualBlockRunsItsHooksAndItsChildsHooks()
    {
        var block = new MaskedResidual();
        int inner = 0;
        using var h0 = block.Lin.RegisterForwardHook((_, _, _) => { inner++; return null; });
        using var h1 = block.RegisterForwardPreHook((_, x, mask) => (x, Tensor.ZerosLike(mask)));
        var x = Tensor.From([1.0, 2.0], 1, 2);
        var y = block.Call(x, Tensor.Ones([1, 2], DType.Float64));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2.0 }), "the pre-hook zeroed the mask");
        Assert.That(inner, Is.EqualTo(1));
        h1.Remove();
        using var h2 = block.RegisterForwardHook((_, _, _, output) => output * 0.0);
        Assert.That(block.Call(x, Tensor.Ones([1, 2], DType.Float64)).ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(block.StateDict().Keys, Is.EqualTo(new[] { "lin.weight", "lin.bias" }));
    }

    [Test]
    public void SequentialRefusesModulesThatDoNotTakeOneTensorNamingThePosition()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new ReLU(), new Split()));
        Assert.That(e!.Message, Does.StartWith("Sequential: the module at position 1, a Split, does not take a single tensor"));
        var s = new Sequential(new ReLU());
        var a = Assert.Throws<ArgumentException>(() => s.Append(new MaskedResidual()));
        Assert.That(a!.Message, Does.StartWith("Sequential.Append: the module at position 1, a MaskedResidual, does not take a single tensor"));
        Assert.Throws<ArgumentException>(() => s.Append(new ModuleList()));
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.DoesNotThrow(() => s.Append(new Sequential()));
    }

    [Test]
    public void HookRegistrationRefusesNull()
    {
        var split = new Split();
        var block = new MaskedResidual();
        Assert.That(Assert.Throws<ArgumentNullException>(() => split.RegisterForwardPreHook(null!))!.ParamName, Is.EqualTo("hook"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => split.RegisterForwardHook(null!))!.ParamName, Is.EqualTo("hook"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => block.RegisterForwardPreHook(null!))!.ParamName, Is.EqualTo("hook"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => block.RegisterForwardHook(null!))!.ParamName, Is.EqualTo("hook"));
    }
}
