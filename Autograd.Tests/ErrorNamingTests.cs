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

    private const string Limit = "more than 2147483591 elements";

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

    [Test]
    public void SizeLimitErrorsNameTheOpTheUserCalled()
    {
        Fails<ArgumentException>(() => Tensor.Eye(100000), "Eye: shape [100000, 100000] has " + Limit);
        Fails<ArgumentException>(() => new Linear(100000, 100000), "Linear: the weight of shape [100000, 100000] would have " + Limit);
        Fails<ArgumentException>(() => Tensor.Rand([100000, 100000], new Generator(0)), "Rand: shape [100000, 100000] has " + Limit);
        Fails<ArgumentException>(() => Tensor.Randn([100000, 100000], new Generator(0)), "Randn: shape [100000, 100000] has " + Limit);
        // A product of dimensions that wraps around (2^64 ≡ 0) is not an element count of 0.
        Fails<ArgumentException>(() => Tensor.Zeros([0]).Reshape(65536, 65536, 65536, 65536), "reshape:", "[65536, 65536, 65536, 65536] (" + Limit + ")");
        Fails<ArgumentException>(() => Tensor.Zeros([6]).Reshape(65536, 65536, 65536, 65536, -1), "reshape:", "[6]");
        // Only an empty input reduces to more elements than it has.
        var empty = Tensor.Zeros([65536, 0, 65536]);
        Fails<ArgumentException>(() => empty.Sum(1), "sum: reducing shape [65536, 0, 65536] over axes [1] gives " + Limit);
        Fails<ArgumentException>(() => empty.Mean(1, keepDims: true), "mean: reducing shape [65536, 0, 65536] over axes [1] gives " + Limit);
        Fails<ArgumentException>(() => empty.LogSumExp(1), "logsumexp: reducing shape [65536, 0, 65536] over axes [1] gives " + Limit);
    }

    [Test]
    public void NotAnError_EmptyTensorsWithLargeDimensions()
    {
        // As PyTorch: a 0 anywhere in the shape makes an empty tensor, whatever the order of the dimensions.
        Assert.That(Tensor.Zeros([100000, 100000, 0]).NumElements, Is.EqualTo(0));
        Assert.That(Tensor.Ones([65536, 65536, 0]).Shape, Is.EqualTo(new[] { 65536, 65536, 0 }));
        Assert.That(Tensor.Zeros([0]).Reshape(100000, 100000, 0).Shape, Is.EqualTo(new[] { 100000, 100000, 0 }));
        Assert.That(Tensor.Zeros([0]).Reshape(100000, 100000, -1).Shape, Is.EqualTo(new[] { 100000, 100000, 0 }));
        Assert.That(Tensor.Zeros([65536, 0, 65536]).Sum(0).Shape, Is.EqualTo(new[] { 0, 65536 }));
    }
}
