// The C# snippets of the package READMEs (Autograd.Core/README.md, Autograd.Nn/README.md), verbatim, so that the
// build compiles them and the tests run them; DocsTests checks that each still appears in a DocSnippets*.cs file.
// (Autograd.Core's snippet is the repository README's, in DocSnippets.cs.) The asserts keep the quoted numbers true.
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

public class PackageReadmeDocSnippets
{
    [Test] // Autograd.Nn/README.md
    public void NnPackageReadme()
    {
        // Learn y = 2x − 1 from four points with one Linear layer.
        var x = Tensor.From(new float[,] { { 0 }, { 1 }, { 2 }, { 3 } });
        var y = 2 * x - 1;
        var model = new Linear(1, 1, generator: new Generator(0));
        var optimizer = new SGD(model.Parameters(), lr: 0.1);
        for (int step = 0; step < 200; step++)
        {
            var loss = Losses.MseLoss(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        Console.WriteLine(model.Weight);   // ≈ [[2]]
        Console.WriteLine(model.Bias);     // ≈ [-1]

        Assert.That(model.Weight[0, 0], Is.EqualTo(2).Within(1e-3));
        Assert.That(model.Bias![0], Is.EqualTo(-1).Within(1e-3));
    }
}
