// The interop snippet of docs/api.md, verbatim, in a namespace outside Autograd so that the two Tensor types
// collide as they do in a user's file (CS0104 without the alias); DocsTests checks the snippet still appears here.
using System.Numerics.Tensors;
using Autograd;
using Tensor = Autograd.Tensor;   // System.Numerics.Tensors has a Tensor too: without this alias, CS0104

namespace InteropDocSnippets;

public class InteropDocSnippets
{
    [Test] // docs/api.md: System.Numerics.Tensors interop
    public void BothNamespacesImported()
    {
        var system = System.Numerics.Tensors.Tensor.Create(new float[] { 1, 2, 3, 4 }, [2, 2]);
        Tensor t = Tensor.From(system);                              // copies the elements
        Tensor<float> doubled = (t * 2).ToSystemTensor<float>();     // copies them back
        var flat = new float[4];
        doubled.FlattenTo(flat);
        Console.WriteLine(string.Join(", ", flat));                  // 2, 4, 6, 8

        Assert.That(flat, Is.EqualTo(new float[] { 2, 4, 6, 8 }));
        Assert.That(t.Shape, Is.EqualTo(new[] { 2, 2 }));
        system[0, 0] = 100;
        Assert.That(t[0, 0], Is.EqualTo(1.0), "From copies: a later write to the source does not show");
    }
}
