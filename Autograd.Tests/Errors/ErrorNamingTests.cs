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

    [Test]
    public void SliceWithAStepNearIntMaxValueKeepsTheFirstElement()
    {
        var x = Tensor.Arange(10, DType.Float64).RequireGrad();
        Assert.That(x.Slice(0, 0, 10, int.MaxValue).ToArray<double>(), Is.EqualTo(new double[] { 0 }));
        Assert.That(x.Slice(0, 3, 10, int.MaxValue - 1).ToArray<double>(), Is.EqualTo(new double[] { 3 }));
        Assert.That(x.Slice(0, -1, null, 1 << 30).ToArray<double>(), Is.EqualTo(new double[] { 9 }));
        Assert.That(x.Slice(0, 1, 10, 4).ToArray<double>(), Is.EqualTo(new double[] { 1, 5, 9 }));
        Assert.That(x.Slice(0, 4, 4, int.MaxValue).NumElements, Is.EqualTo(0));
        var m = Tensor.Arange(12, DType.Float64).Reshape(3, 4);
        Assert.That(m.Slice(1, 2, null, int.MaxValue).ToArray<double>(), Is.EqualTo(new double[] { 2, 6, 10 }));
        x.Slice(0, 3, null, int.MaxValue).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void UniformWithBoundsBeyondTheDTypeIsRefused()
    {
        Fails<ArgumentException>(() => Tensor.Uniform([3], new Generator(0), -1e39, 0), "Uniform:", "low = -1E+39", "float32", "3.4028234663852886E+38");
        Fails<ArgumentException>(() => Tensor.Uniform([3], new Generator(0), 0, 1e39), "Uniform:", "high = 1E+39", "float32");
        Fails<ArgumentException>(() => Tensor.Uniform([3], new Generator(0), -3e38, 3e38), "Uniform: high - low = 6E+38", "float32's largest finite value");
        Fails<ArgumentException>(() => Tensor.Uniform([3], new Generator(0), -1e308, 1e308, DType.Float64), "Uniform: high - low = Infinity", "float64");
        Fails<ArgumentException>(() => Init.Uniform(Tensor.Zeros([2]), new Generator(0), -1e39, 1e39), "Uniform:", "float32");
        // Within range every value is finite and in [low, high).
        var f = Tensor.Uniform([1000], new Generator(0), -1.7e38, 1.7e38).ToArray<float>();
        Assert.That(f, Has.All.Matches<float>(v => float.IsFinite(v) && v >= -1.7e38f && v < 1.7e38f));
        var d = Tensor.Uniform([1000], new Generator(0), -8e307, 8e307, DType.Float64).ToArray<double>();
        Assert.That(d, Has.All.Matches<double>(v => double.IsFinite(v) && v >= -8e307 && v < 8e307));
        Assert.That(Tensor.Uniform([3], new Generator(0), -1e39, 1e39, DType.Float64).ToArray<double>(), Has.All.Matches<double>(double.IsFinite));
    }

    [Test]
    public void AutodiffGradOfAnInputGivenTwiceGivesItsGradientAtEachPlace()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var y = (x * x).Sum();
        var g = Autodiff.Grad([y], [x, x], retainGraph: true);
        Assert.That(g[0]!.ToArray<double>(), Is.EqualTo(new double[] { 2, 4 }));
        Assert.That(g[1]!.ToArray<double>(), Is.EqualTo(new double[] { 2, 4 }));
        // A non-leaf input, and repeats among other inputs.
        var w = Tensor.From(new double[] { 3 }).RequireGrad();
        var h = x * 3.0;
        var z = (h * h).Sum() + (w * x).Sum();
        var gs = Autodiff.Grad([z], [h, x, w, h, x]);
        Assert.That(gs.Select(t => t!.ToArray<double>()), Is.EqualTo(new[]
        {
            new double[] { 6, 12 }, new double[] { 21, 39 }, new double[] { 3 }, new double[] { 6, 12 }, new double[] { 21, 39 },
        }));
        Assert.That(x.Grad, Is.Null, "no .Grad changes");
        // An unused input is still named by its own position.
        var unused = Tensor.From(new double[] { 5 }).RequireGrad();
        Fails<InvalidOperationException>(() => Autodiff.Grad([(x * x).Sum()], [x, x, unused]), "Grad: input 2 (shape [1]) was not used");
    }

    [Test]
    public void BufferScopeDisposedOutOfOrderFailsThereAndLeavesTheThreadUsable()
    {
        var pool = new BufferPool();
        var outer = pool.Scope();
        var a = Tensor.Ones([3]) * 2.0;
        var middle = pool.Scope();
        var inner = pool.Scope();
        var ex = Fails<InvalidOperationException>(() => outer.Dispose(),
            "BufferScope.Dispose:", $"{outer} was disposed while {inner}", "innermost", "reverse order of creation");
        Assert.That(outer.ToString(), Does.Match(@"^BufferScope #\d+$"));
        Assert.That(ex.Message, Does.Not.Contain("another flow"));
        Assert.Throws<InvalidOperationException>(() => a.ToArray<float>(), "the outer scope has ended: its tensors are released");

        // The inner scopes still work, and end in order.
        var b = Tensor.Ones([3]) * 3.0;
        Assert.That(b.ToArray<float>(), Is.EqualTo(new float[] { 3, 3, 3 }));
        Assert.DoesNotThrow(() => inner.Dispose());
        Assert.Throws<InvalidOperationException>(() => b.ToArray<float>(), "b was lent by the inner scope");
        var c = Tensor.Ones([3]) * 4.0;
        Assert.DoesNotThrow(() => middle.Dispose());
        Assert.Throws<InvalidOperationException>(() => c.ToArray<float>(), "c was lent by the middle scope");
        Assert.DoesNotThrow(() => outer.Dispose(), "disposing again does nothing");

        // No scope is left on this thread: results are not pooled, and new scopes work as usual.
        var d = Tensor.Ones([3]) * 5.0;
        using (pool.Scope())
        {
            var e = Tensor.Ones([3]) * 6.0;
            Assert.That(e.Sum().Item(), Is.EqualTo(18));
        }
        Assert.That(d.ToArray<float>(), Is.EqualTo(new float[] { 5, 5, 5 }));
        Assert.That(BufferScope.Current, Is.Null);
    }
}
