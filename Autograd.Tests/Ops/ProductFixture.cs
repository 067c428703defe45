using System.Text.Json;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Ops;

/// <summary>Cases of Fixtures/Products/products.json (make_products.py): inputs, torch's output and the gradients of (output · cotangent).sum().</summary>
internal static class ProductFixture
{
    public static JsonElement Root { get; } = Fixture.Json("Products", "products.json");

    public static IEnumerable<JsonElement> Cases(string group) => Root.GetProperty(group).EnumerateArray();

    public static Tensor[] Inputs(JsonElement c) =>
        c.GetProperty("inputs").EnumerateArray()
            .Select(i => Tensor.From(Fixture.Doubles(i.GetProperty("data")), Shape(i)).RequireGrad()).ToArray();

    public static int[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();

    /// <summary>Checks the output, then backpropagates the cotangent and checks every input's gradient.</summary>
    public static void Check(JsonElement c, Tensor[] inputs, Tensor output, double tol = 1e-12)
    {
        string name = c.GetProperty("name").GetString()!;
        var expected = c.GetProperty("output");
        Assert.That(output.Shape, Is.EqualTo(Shape(expected)), $"{name}: shape");
        Assert.That(output.ToArray<double>(), Is.EqualTo(Fixture.Doubles(expected.GetProperty("data"))).Within(tol), $"{name}: values");
        var w = Tensor.From(Fixture.Doubles(c.GetProperty("cotangent")), output.Shape);
        var grads = Autodiff.Grad([(output * w).Sum()], inputs, allowUnused: true);
        var want = c.GetProperty("grads").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            var g = grads[i]?.ToArray<double>() ?? new double[inputs[i].NumElements];
            Assert.That(g, Is.EqualTo(Fixture.Doubles(want[i])).Within(tol), $"{name}: gradient of input {i}");
        }
    }
}
