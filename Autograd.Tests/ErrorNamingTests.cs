using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

/// <summary>
/// Errors that name the call the user made (docs/errors.md): null elements of argument arrays by position, size limits
/// by the op called rather than an inner allocation, and the edge cases that used to fail far from their cause
/// (a slice step near int.MaxValue, float32 bounds beyond float32, an input given twice to Autodiff.Grad, buffer
/// scopes disposed out of order).
/// </summary>
public class ErrorNamingTests
{
    private static TException Fails<TException>(TestDelegate code, params string[] fragments) where TException : Exception
    {
        var ex = Assert.Throws<TException>(code)!;
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f), $"message: {ex.Message}");
        return ex;
    }

    [Test]
    public void NullElementsOfArgumentArraysNameTheElement()
    {
        var x = Tensor.From(new double[] { 1, 2 });
        Func<Tensor[], Tensor> f = xs => (xs[0] * xs[1]).Sum();
        Assert.That(Fails<ArgumentNullException>(() => Functional.Jvp(f, [x, x], [x, null!]), "Jvp: tangent 1 is null.").ParamName, Is.EqualTo("v"));
        Assert.That(Fails<ArgumentNullException>(() => Functional.Jvp(f, [null!, x], [x, x]), "Jvp: input 0 is null.").ParamName, Is.EqualTo("inputs"));
        Assert.That(Fails<ArgumentNullException>(() => Functional.Hvp(f, [x, x], [null!, x]), "Hvp: vector 0 is null.").ParamName, Is.EqualTo("v"));
        Assert.That(Fails<ArgumentNullException>(() => new Sequential(new ReLU(), null!), "Sequential: layer 1 of 2 is null.").ParamName, Is.EqualTo("layers"));
        var p = new Parameter(x);
        Assert.That(Fails<ArgumentNullException>(() => new Adam([p, null!]), "Adam: parameter 1 is null.").ParamName, Is.EqualTo("parameters"));
    }
}
