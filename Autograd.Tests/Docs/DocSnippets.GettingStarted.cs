// Every C# snippet of docs/getting-started.md, verbatim, so that the build compiles them and the tests run them.
// DocsTests checks that each snippet still appears here; edit both together. The asserts after a snippet keep the
// numbers quoted in its comments true.
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

public class GettingStartedDocSnippets
{
    [Test] // docs/getting-started.md: first tensor
    public void FirstTensor()
    {
        var a = Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } });   // float32, shape [2, 2]
        var b = Tensor.Arange(2);                                    // [0, 1], float32
        var c = a.MatMul(a.T) + b;                                   // b is broadcast over the rows
        Console.WriteLine(c);
        // tensor([[ 5., 12.],
        //         [11., 26.]], shape=[2, 2], dtype=float32)
        Console.WriteLine(c[1, 1]);                                  // 26: one element, as a double
        Console.WriteLine(c.Sum(axis: 0));                           // column sums: [16, 38]
        float[] flat = c.ToArray<float>();                           // row-major copy: 5, 12, 11, 26

        var gen = new Generator(42);                                 // seeded: the same numbers on every machine
        var noise = Tensor.Randn([2, 3], gen, DType.Float64);        // float64 standard normal, shape [2, 3]
        var grid = Tensor.Linspace(0, 1, 5).Reshape(5, 1);           // a column [[0], [0.25], [0.5], [0.75], [1]]
        var top = grid.Slice(0, 0, 2);                               // rows 0 and 1: [[0], [0.25]], a view

        Assert.That(c.ToArray<float>(), Is.EqualTo(new float[] { 5, 12, 11, 26 }));
        Assert.That(c[1, 1], Is.EqualTo(26));
        Assert.That(c.Sum(axis: 0).ToArray<float>(), Is.EqualTo(new float[] { 16, 38 }));
        Assert.That(flat, Is.EqualTo(new float[] { 5, 12, 11, 26 }));
        Assert.That(noise.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(top.ToArray<float>(), Is.EqualTo(new float[] { 0, 0.25f }));
    }

    [Test] // docs/getting-started.md: first gradient
    public void FirstGradient()
    {
        var w = Tensor.From(new double[] { 1.0, -2.0 }).RequireGrad();   // a leaf we want gradients for
        var x = Tensor.From(new double[] { 3.0, 0.5 });                   // a constant
        var y = (w * x).Sum().Sigmoid();                                  // y = σ(w·x) = σ(2)
        y.Backward();                                                     // fills w.Grad with ∂y/∂w
        Console.WriteLine(y.Item());                                      // 0.8807970779778823
        Console.WriteLine(w.Grad);                                        // σ′(2)·x = 0.105·[3, 0.5] = [0.3150, 0.0525]

        var z = (w * w).Sum();                                            // a new graph: z = Σ wᵢ²
        Console.WriteLine(Autodiff.Grad(z, w));                           // 2w = [2, -4], returned; w.Grad is left alone
        using (Autodiff.NoGrad())                                         // nothing is recorded in here
            w.SubInPlace(0.1 * w.Grad!);                                  // one gradient-descent step on y: w ← w − 0.1·∂y/∂w
        w.ZeroGrad();                                                     // .Grad accumulates over Backward calls until cleared

        Assert.That(y.Item(), Is.EqualTo(0.8807970779778823).Within(1e-15));
        Assert.That(w.ToArray<double>(), Is.EqualTo(new[] { 1 - 0.03150, -2 - 0.00525 }).Within(5e-6));
    }

    [Test] // docs/getting-started.md: first model, and a checkpoint
    public void FirstModel()
    {
        // 200 points in the square [−1.5, 1.5]², labelled 1 inside the unit circle and 0 outside
        var gen = new Generator(42);
        var points = Tensor.Uniform([200, 2], gen, -1.5, 1.5);
        var labels = points.Square().Sum(axis: 1).Lt(1.0).To(DType.Int64);

        var model = Mlp.Create(2, [16, 16], 2, () => new Tanh(), new Generator(0));   // 2 → 16 → 16 → 2 logits
        var optimizer = new Adam(model.Parameters(), lr: 0.02);
        var loader = new DataLoader(new TensorDataset(points, labels), batchSize: 50, shuffle: true, generator: new Generator(1));
        for (int epoch = 1; epoch <= 50; epoch++)
        {
            foreach (var (x, y) in loader)                          // 4 mini-batches per epoch
            {
                var loss = Losses.CrossEntropy(model.Forward(x), y);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
        }
        using (Autodiff.NoGrad())
        {
            var predicted = model.Forward(points).ArgMax(axis: 1);
            double accuracy = predicted.Eq(labels).To(DType.Float64).Mean().Item();
            Console.WriteLine($"training accuracy {100 * accuracy:F0}%");  // training accuracy 97%
        }

        string path = Path.Combine(Path.GetTempPath(), "circle-mlp.safetensors");
        Checkpoint.Save(model, path, new Dictionary<string, string> { ["epochs"] = "50" });   // weights + metadata

        var restored = Mlp.Create(2, [16, 16], 2, () => new Tanh(), new Generator(7));      // same shapes, other weights
        var metadata = Checkpoint.Load(restored, path);          // checks names, shapes and dtypes, then copies
        Console.WriteLine(metadata["epochs"]);                    // 50
        using (Autodiff.NoGrad())
            Console.WriteLine((restored.Forward(points) - model.Forward(points)).Abs().Max().Item());   // 0

        using (Autodiff.NoGrad())
        {
            Assert.That((restored.Forward(points) - model.Forward(points)).Abs().Max().Item(), Is.EqualTo(0));
            Assert.That(model.Forward(points).ArgMax(axis: 1).To(DType.Float64).Eq(labels.To(DType.Float64)).Mean().Item(), Is.GreaterThan(0.95));
        }
        File.Delete(path);
    }
    // A residual block: y = x + fc2(tanh(fc1(x))). Its layers are plain fields, registered automatically.
    public sealed class Residual : Module
    {
        private readonly Linear _fc1;
        private readonly Linear _fc2;

        public Residual(int width, Generator? generator = null)
        {
            _fc1 = new Linear(width, 4 * width, generator: generator);
            _fc2 = new Linear(4 * width, width, generator: generator);
        }

        public override Tensor Forward(Tensor input) => input + _fc2.Forward(_fc1.Forward(input).Tanh());

        public override string ExtraRepr() => $"width={_fc1.InFeatures}";    // shown by ToString, as PyTorch's extra_repr
    }

    [Test, NonParallelizable] // docs/getting-started.md: a custom module
    public void CustomModule()
    {
        Generator.ManualSeed(0);                                    // layers built without a generator draw from Generator.Default
        var net = new Sequential(new Residual(8), new ReLU(), new Linear(8, 2));
        Console.WriteLine(net);                                     // the tree, as PyTorch prints it:
        // Sequential(
        //   (0): Residual(
        //     width=8
        //     (fc1): Linear(in_features=8, out_features=32, bias=True)
        //     (fc2): Linear(in_features=32, out_features=8, bias=True)
        //   )
        //   (1): ReLU()
        //   (2): Linear(in_features=8, out_features=2, bias=True)
        // )
        Console.WriteLine(string.Join(", ", net.NamedParameters().Select(p => p.Name)));
        // 0.fc1.weight, 0.fc1.bias, 0.fc2.weight, 0.fc2.bias, 2.weight, 2.bias
        Console.WriteLine(net.ParameterCount);                      // 8·32 + 32 + 32·8 + 8 + 8·2 + 2 = 570
        Console.WriteLine(net.Summary());                           // one line per module with its parameter count, then the total

        Assert.That(net.ToString(), Is.EqualTo(
            "Sequential(\n  (0): Residual(\n    width=8\n    (fc1): Linear(in_features=8, out_features=32, bias=True)\n" +
            "    (fc2): Linear(in_features=32, out_features=8, bias=True)\n  )\n  (1): ReLU()\n" +
            "  (2): Linear(in_features=8, out_features=2, bias=True)\n)"));
        Assert.That(string.Join(", ", net.NamedParameters().Select(p => p.Name)),
            Is.EqualTo("0.fc1.weight, 0.fc1.bias, 0.fc2.weight, 0.fc2.bias, 2.weight, 2.bias"));
        Assert.That(net.ParameterCount, Is.EqualTo(570));
        Assert.That(net.Summary().Split('\n')[^2], Does.StartWith("total").And.EndWith(" 570"));
        // Registered, hence trained: one Adam step moves every parameter.
        var before = net.Parameters().Select(p => p.ToArray<float>()).ToArray();
        var adam = new Adam(net.Parameters(), lr: 0.01);
        net.Forward(Tensor.Rand([4, 8])).Square().Sum().Backward();
        adam.Step();
        Assert.That(net.Parameters().Select(p => p.ToArray<float>()).Zip(before, (a, b) => a.SequenceEqual(b)), Is.All.False);
    }
}
