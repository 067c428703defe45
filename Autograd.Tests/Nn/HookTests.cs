using System.Text.Json;
using Autograd.Nn;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Nn;

public class HookTests
{
    private static Linear Lin64(int i, int o) => new(i, o, generator: new Generator(3), dtype: DType.Float64);

    [Test]
    public void ForwardPreHookReplacesTheInputAndForwardHookTheOutput()
    {
        var relu = new ReLU();
        var seen = new List<string>();
        using var pre = relu.RegisterForwardPreHook((m, x) =>
        {
            seen.Add("pre " + m.GetType().Name);
            return x * -1.0;
        });
        using var post = relu.RegisterForwardHook((m, x, y) =>
        {
            seen.Add($"post {x.ToArray<double>()[0]} {y.ToArray<double>()[0]}");
            return y + 10.0;
        });
        var y = relu.Call(Tensor.From([-2.0]));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 12.0 }));
        Assert.That(seen, Is.EqualTo(new[] { "pre ReLU", "post 2 2" }));
        Assert.That(relu.Forward(Tensor.From([-2.0])).ToArray<double>(), Is.EqualTo(new[] { 0.0 }), "Forward skips hooks");
    }

    [Test]
    public void HooksRunInRegistrationOrderAndNullKeepsTheValue()
    {
        var id = new Identity();
        var order = new List<int>();
        id.RegisterForwardPreHook((_, _) => { order.Add(1); return null; });
        id.RegisterForwardPreHook((_, x) => { order.Add(2); return x + 1.0; });
        id.RegisterForwardHook((_, _, _) => { order.Add(3); return null; });
        Assert.That(id.Call(Tensor.From([1.0])).ToArray<double>(), Is.EqualTo(new[] { 2.0 }));
        Assert.That(order, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void RemovingAHandleStopsItsHookOnlyAndTwiceIsANoOp()
    {
        var relu = new ReLU();
        int a = 0, b = 0;
        Func<Module, Tensor, Tensor?> count = (_, _) => { a++; return null; };
        var h1 = relu.RegisterForwardPreHook(count);
        var h2 = relu.RegisterForwardPreHook(count);   // the same delegate twice: two registrations
        var h3 = relu.RegisterForwardHook((_, _, _) => { b++; return null; });
        relu.Call(Tensor.Ones([1]));
        Assert.That((a, b), Is.EqualTo((2, 1)));
        h1.Remove();
        Assert.That(h1.IsRemoved, Is.True);
        relu.Call(Tensor.Ones([1]));
        Assert.That((a, b), Is.EqualTo((3, 2)));
        h1.Remove();
        h1.Dispose();
        h2.Dispose();
        h3.Remove();
        relu.Call(Tensor.Ones([1]));
        Assert.That((a, b), Is.EqualTo((3, 2)));
        Assert.That(h2.IsRemoved && h3.IsRemoved, Is.True);
    }

    [Test]
    public void SequentialCallsChildrenThroughCallSoTheirHooksFire()
    {
        var lin = Lin64(3, 2);
        var model = new Sequential(lin, new ReLU());
        var shapes = new List<int[]>();
        using var h = lin.RegisterForwardHook((_, _, y) => { shapes.Add(y.Shape); return null; });
        model.Call(Tensor.Ones([4, 3], DType.Float64));
        model.Forward(Tensor.Ones([5, 3], DType.Float64));   // the chain's own Forward still calls its children's Call
        Assert.That(shapes, Is.EqualTo(new[] { new[] { 4, 2 }, new[] { 5, 2 } }));
    }

    [Test]
    public void FullBackwardHookSeesThisCallsGradientsAndCanReplaceTheInputs()
    {
        var lin = Lin64(3, 2);
        var x = Tensor.From([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3).RequireGrad();
        Tensor? gIn = null, gOut = null;
        using (lin.RegisterFullBackwardHook((m, gi, go) =>
        {
            Assert.That(m, Is.SameAs(lin));
            gIn = gi;
            gOut = go;
            return null;
        }))
        {
            // x is also used outside the module: the hook's gradInput is the module's share only.
            var loss = (lin.Call(x) * 2.0).Sum() + (x * 3.0).Sum();
            loss.Backward();
        }
        var w = lin.Weight.ToArray<double>();   // [2, 3]
        Assert.That(gOut!.ToArray<double>(), Is.All.EqualTo(2.0));
        var expected = new double[6];
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++) expected[r * 3 + c] = 2 * (w[c] + w[3 + c]);
        Assert.That(gIn!.ToArray<double>(), Is.EqualTo(expected).Within(1e-12));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(expected.Select(e => e + 3)).Within(1e-12));

        x.ZeroGrad();
        using (lin.RegisterFullBackwardHook((_, gi, _) => Tensor.ZerosLike(gi!)))
            lin.Call(x).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(0.0), "the hook's gradient replaces the input's");
        Assert.That(lin.Weight.Grad, Is.Not.Null, "parameters still get theirs");
    }

    [Test]
    public void FullBackwardHookOnAFirstLayerGetsNullGradInput()
    {
        var lin = Lin64(3, 2);
        var calls = 0;
        using var h = lin.RegisterFullBackwardHook((_, gi, go) =>
        {
            calls++;
            Assert.That(gi, Is.Null);
            Assert.That(go.Shape, Is.EqualTo(new[] { 1, 2 }));
            return null;
        });
        lin.Call(Tensor.Ones([1, 3], DType.Float64)).Sum().Backward();
        Assert.That(calls, Is.EqualTo(1));
        using (Autodiff.NoGrad()) lin.Call(Tensor.Ones([1, 3], DType.Float64));
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public void FullBackwardHookReturningAGradientForAnInputWithoutOneThrows()
    {
        var lin = Lin64(3, 2);
        using var h = lin.RegisterFullBackwardHook((_, _, go) => go);
        var y = lin.Call(Tensor.Ones([1, 3], DType.Float64)).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(e!.Message, Does.StartWith("Linear: a full backward hook returned a gradient for an input that does not require grad"));
    }

    [Test]
    public void FullBackwardHookReturningAMisshapenGradientThrows()
    {
        var lin = Lin64(3, 2);
        using var h = lin.RegisterFullBackwardHook((_, _, go) => go);
        var y = lin.Call(Tensor.Ones([1, 3], DType.Float64).RequireGrad()).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(e!.Message, Does.StartWith("Linear: a full backward hook returned a gradient of shape [1, 2]"));
    }

    [Test]
    public void RegisteringATensorHookOnAModuleThatDoesNotTakeOneTensorThrows()
    {
        Module list = new ModuleList();
        var e = Assert.Throws<InvalidOperationException>(() => list.RegisterForwardHook((_, _, y) => y));
        Assert.That(e!.Message, Does.StartWith("ModuleList.RegisterForwardHook: this module does not take a single tensor"));
        Assert.Throws<ArgumentNullException>(() => new ReLU().RegisterForwardPreHook(null!));
    }

    private static double[] Flat(JsonElement nested) => nested.EnumerateArray().SelectMany(Fixture.Doubles).ToArray();

    private static Linear FixtureLinear(JsonElement f)
    {
        var lin = new Linear(3, 2, dtype: DType.Float64);
        using (Autodiff.NoGrad())
        {
            lin.Weight.CopyFrom(Tensor.From(Flat(f.GetProperty("weight")), 2, 3));
            lin.Bias!.CopyFrom(Tensor.From(Fixture.Doubles(f.GetProperty("bias"))));
        }
        return lin;
    }

    [Test]
    public void FullBackwardHooksInASequentialMatchPyTorch()
    {
        // Fixtures/Modules/make_modules.py: Sequential(Linear(3, 2), Tanh()) with full backward hooks on both.
        var f = Fixture.Json("Modules", "full_backward_hooks.json");
        var lin = FixtureLinear(f);
        var tanh = new Tanh();
        var model = new Sequential(lin, tanh);
        var seen = new Dictionary<string, double[]?>();
        Func<Module, Tensor?, Tensor, Tensor?> Record(string name) => (_, gi, go) =>
        {
            seen[name + "_grad_input"] = gi?.ToArray<double>();
            seen[name + "_grad_output"] = go.ToArray<double>();
            return null;
        };
        using var h1 = lin.RegisterFullBackwardHook(Record("linear"));
        using var h2 = tanh.RegisterFullBackwardHook(Record("tanh"));
        var x = Tensor.From(Flat(f.GetProperty("x")), 2, 3).RequireGrad();
        var loss = (model.Call(x) * Tensor.From([1.5, -2.0])).Sum() + (x * 3.0).Sum();
        loss.Backward();
        foreach (var key in new[] { "linear_grad_input", "linear_grad_output", "tanh_grad_input", "tanh_grad_output" })
            Assert.That(seen[key], Is.EqualTo(Fixture.Doubles(f.GetProperty(key))).Within(1e-12), key);
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(Fixture.Doubles(f.GetProperty("x_grad"))).Within(1e-12));
        Assert.That(lin.Weight.Grad!.ToArray<double>(), Is.EqualTo(Fixture.Doubles(f.GetProperty("weight_grad"))).Within(1e-12));

        // A first layer whose input does not require grad: PyTorch passes grad_input = (None,).
        var first = FixtureLinear(f);
        using var h3 = first.RegisterFullBackwardHook(Record("first"));
        var y = first.Call(Tensor.From(Flat(f.GetProperty("x")), 2, 3));
        (y * y).Sum().Backward();
        Assert.That(f.GetProperty("first_grad_input").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(seen["first_grad_input"], Is.Null);
        Assert.That(seen["first_grad_output"], Is.EqualTo(Fixture.Doubles(f.GetProperty("first_grad_output"))).Within(1e-12));
    }
}
