using Autograd.Nn;

namespace Autograd.Tests.Nn;

public class MultiInputModuleTests
{
    private sealed class MaskedScale : Module<Tensor, Tensor, Tensor>
    {
        public Parameter Scale { get; } = new(Tensor.Full([], 2.0));

        public override Tensor Forward(Tensor input1, Tensor input2) => input1 * input2 * Scale;
    }

    [Test]
    public void ATwoInputModuleRegistersItsParametersAndComputes()
    {
        var m = new MaskedScale();
        var y = m.Call(Tensor.From([1.0, 2.0, 3.0]), Tensor.From([1.0, 0.0, 1.0]));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 2.0, 0.0, 6.0 }));
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "Scale" }).Or.EqualTo(new[] { "scale" }));
    }

    [Test]
    public void CallingTheOneTensorForwardOfATwoInputModuleThrowsNamingIt()
    {
        Module m = new MaskedScale();
        var e = Assert.Throws<InvalidOperationException>(() => m.Forward(Tensor.From([1.0])));
        Assert.That(e!.Message, Does.StartWith("MaskedScale.Forward"));
    }
}
