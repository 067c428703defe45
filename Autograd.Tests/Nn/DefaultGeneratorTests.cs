using Autograd.Nn;
using Autograd.Nn.Data;

namespace Autograd.Tests.Nn;

/// <summary>
/// Generator.Default (PyTorch's torch.default_generator) and Generator.ManualSeed (torch.manual_seed): layers, Init,
/// dropout, Rand/Randn and shuffling draw from it when no generator is passed, an explicit generator wins, and it is
/// safe to draw from on several threads at once.
/// </summary>
[NonParallelizable]
public class DefaultGeneratorTests
{
    [Test]
    public void TwoLayersBuiltWithoutAGeneratorGetDifferentWeights()
    {
        var model = new Sequential(new Linear(8, 8), new ReLU(), new Linear(8, 8));
        var w0 = ((Linear)model[0]).Weight.ToArray<float>();
        var w2 = ((Linear)model[2]).Weight.ToArray<float>();
        Assert.That(w2, Is.Not.EqualTo(w0));
        Assert.That(((Linear)model[2]).Bias!.ToArray<float>(), Is.Not.EqualTo(((Linear)model[0]).Bias!.ToArray<float>()));
        // Still PyTorch's bound U(−1/√8, 1/√8).
        Assert.That(w0.Concat(w2).Select(Math.Abs), Is.All.LessThan(1 / Math.Sqrt(8)));
    }

    [Test]
    public void ManualSeedMakesDefaultInitializationReproducibleAndEqualToOneSharedGenerator()
    {
        Generator.ManualSeed(3);
        var first = Mlp.Create(4, [6], 2, () => new Tanh());
        Generator.ManualSeed(3);
        var second = new Sequential(new Linear(4, 6), new Tanh(), new Linear(6, 2));
        var shared = Mlp.Create(4, [6], 2, () => new Tanh(), new Generator(3));

        var a = first.Parameters().Select(p => p.ToArray<float>()).ToArray();
        Assert.That(second.Parameters().Select(p => p.ToArray<float>()).ToArray(), Is.EqualTo(a));
        // Drawing in build order (weight, bias, weight, bias) from one stream, as a generator passed to every layer.
        Assert.That(shared.Parameters().Select(p => p.ToArray<float>()).ToArray(), Is.EqualTo(a));
    }

    [Test]
    public void AnExplicitGeneratorWinsAndLeavesTheDefaultUntouched()
    {
        Generator.ManualSeed(9);
        var layer = new Linear(4, 3, generator: new Generator(1));
        var reference = new Linear(4, 3, generator: new Generator(1));
        Assert.That(layer.Weight.ToArray<float>(), Is.EqualTo(reference.Weight.ToArray<float>()));
        _ = new Dropout(0.5, new Generator(2)).Forward(Tensor.Ones([10]));
        Init.Uniform(Tensor.Zeros([5]), new Generator(3));
        _ = Tensor.Rand([5], new Generator(4));
        foreach (var batch in new DataLoader(new TensorDataset(Tensor.Zeros([6, 1]), Tensor.Zeros([6])), 2, shuffle: true, generator: new Generator(5))) { }

        Assert.That(Generator.Default.NextUInt64(), Is.EqualTo(new Generator(9).NextUInt64()), "nothing above drew from the default");
    }

    [Test]
    public void ManualSeedRestartsTheStreamIncludingTheSpareNormal()
    {
        var g = Generator.ManualSeed(4);
        Assert.That(g, Is.SameAs(Generator.Default));
        Assert.That(g.InitialSeed, Is.EqualTo(4UL));
        double n1 = g.NextNormal();   // the polar method leaves its second deviate as a spare
        Generator.ManualSeed(4);
        Assert.That(Generator.Default.NextNormal(), Is.EqualTo(n1), "the spare of the old stream is dropped");
        Assert.That(new Generator(17).InitialSeed, Is.EqualTo(17UL));
        Assert.That(Generator.DefaultSeed, Is.EqualTo(67280421310721UL), "PyTorch's default seed");
    }

    [Test]
    public void RandAndRandnWithoutAGeneratorDrawFromTheDefault()
    {
        Generator.ManualSeed(5);
        var u = Tensor.Rand([3, 4]);
        var n = Tensor.Randn([2, 3], DType.Float64);
        var g = new Generator(5);
        Assert.That(u.DType, Is.EqualTo(DType.Float32));
        Assert.That(u.Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(u.ToArray<float>(), Is.EqualTo(Tensor.Rand([3, 4], g).ToArray<float>()));
        Assert.That(n.ToArray<double>(), Is.EqualTo(Tensor.Randn([2, 3], g, DType.Float64).ToArray<double>()));
    }

    [Test]
    public void InitWithoutAGeneratorDrawsFromTheDefault()
    {
        Tensor[] Fill(Generator? g)
        {
            var t = Enumerable.Range(0, 6).Select(_ => Tensor.Zeros([3, 4], DType.Float64)).ToArray();
            if (g is null)
            {
                Init.Uniform(t[0], -2, 2);
                Init.Normal(t[1], 1, 3);
                Init.XavierUniform(t[2], 2);
                Init.XavierNormal(t[3]);
                Init.KaimingUniform(t[4], a: Math.Sqrt(5));
                Init.KaimingNormal(t[5], mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu);
            }
            else
            {
                Init.Uniform(t[0], g, -2, 2);
                Init.Normal(t[1], g, 1, 3);
                Init.XavierUniform(t[2], g, 2);
                Init.XavierNormal(t[3], g);
                Init.KaimingUniform(t[4], g, a: Math.Sqrt(5));
                Init.KaimingNormal(t[5], g, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu);
            }
            return t;
        }
        Generator.ManualSeed(6);
        var fromDefault = Fill(null).Select(t => t.ToArray<double>()).ToArray();
        var explicitly = Fill(new Generator(6)).Select(t => t.ToArray<double>()).ToArray();
        Assert.That(fromDefault, Is.EqualTo(explicitly));
        Assert.That(fromDefault.Select(v => v.Distinct().Count()), Is.All.EqualTo(12), "each is random, not a fill");
    }

    [Test]
    public void DropoutWithoutAGeneratorDrawsFromTheDefaultAtEachCall()
    {
        var dropout = new Dropout();
        Assert.That(dropout.P, Is.EqualTo(0.5), "PyTorch's default p");
        var x = Tensor.Ones([200], DType.Float64);
        Generator.ManualSeed(7);
        var y1 = dropout.Forward(x).ToArray<double>();
        var y2 = dropout.Forward(x).ToArray<double>();
        Generator.ManualSeed(7);
        Assert.That(dropout.Forward(x).ToArray<double>(), Is.EqualTo(y1), "reseeding after construction still takes effect");
        Assert.That(y2, Is.Not.EqualTo(y1), "a fresh mask per call");
        var g = new Generator(7);
        var withGenerator = new Dropout(0.5, g);
        Assert.That(withGenerator.Forward(x).ToArray<double>(), Is.EqualTo(y1));
        Assert.That(withGenerator.Forward(x).ToArray<double>(), Is.EqualTo(y2));
    }

    [Test]
    public void DataLoaderShufflesWithTheDefaultGeneratorWhenGivenNone()
    {
        var ds = new TensorDataset(Tensor.Arange(10).Reshape(10, 1), Tensor.Arange(10, DType.Int64));
        List<long> Order(DataLoader loader) => loader.SelectMany(b => b.Targets.ToArray<long>()).ToList();

        Generator.ManualSeed(8);
        var loader = new DataLoader(ds, 3, shuffle: true);
        var epoch1 = Order(loader);
        var epoch2 = Order(loader);
        var seeded = new DataLoader(ds, 3, shuffle: true, generator: new Generator(8));
        Assert.That(epoch1, Is.EqualTo(Order(seeded)));
        Assert.That(epoch2, Is.EqualTo(Order(seeded)), "each epoch draws afresh from the default");
        Assert.That(epoch1, Is.Not.EqualTo(epoch2));
        Assert.That(epoch1.Order(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)), "every sample once");
    }

    [Test]
    public void ConcurrentDrawsFromTheDefaultAreTheSequentialStreamSplitBetweenThreads()
    {
        const int threads = 4, perThread = 20000;
        Generator.ManualSeed(11);
        var bits = new ulong[threads][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            bits[t] = new ulong[perThread];
            for (int i = 0; i < perThread; i++) bits[t][i] = Generator.Default.NextUInt64();
        });
        var g = new Generator(11);
        var sequential = Enumerable.Range(0, threads * perThread).Select(_ => g.NextUInt64()).Order().ToArray();
        Assert.That(bits.SelectMany(b => b).Order().ToArray(), Is.EqualTo(sequential), "no draw lost or repeated");

        Generator.ManualSeed(12);
        var normals = new double[threads][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            normals[t] = new double[perThread / 4];
            for (int i = 0; i < normals[t].Length; i++) normals[t][i] = Generator.Default.NextNormal();
        });
        g = new Generator(12);
        var sequentialNormals = Enumerable.Range(0, threads * (perThread / 4)).Select(_ => g.NextNormal()).Order().ToArray();
        Assert.That(normals.SelectMany(n => n).Order().ToArray(), Is.EqualTo(sequentialNormals), "each spare deviate used exactly once");
    }

    [Test]
    public void ATensorDrawnFromTheDefaultOnSeveralThreadsIsOneConsecutiveRunOfItsStream()
    {
        const int threads = 4, tensors = 10, size = 1000;
        Generator.ManualSeed(13);
        var drawn = new List<double[]>[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            drawn[t] = [];
            for (int k = 0; k < tensors; k++) drawn[t].Add(Tensor.Rand([size], DType.Float64).ToArray<double>());
        });
        var g = new Generator(13);
        var stream = Enumerable.Range(0, threads * tensors * size).Select(_ => g.NextDouble()).ToArray();
        var position = new Dictionary<double, int>();
        for (int i = 0; i < stream.Length; i++) position.TryAdd(stream[i], i);
        var starts = new List<int>();
        foreach (var values in drawn.SelectMany(d => d))
        {
            int start = position[values[0]];
            Assert.That(start % size, Is.EqualTo(0), "a tensor starts where another ended");
            Assert.That(values, Is.EqualTo(stream.AsSpan(start, size).ToArray()), "and takes a consecutive run");
            starts.Add(start);
        }
        Assert.That(starts.Order(), Is.EqualTo(Enumerable.Range(0, threads * tensors).Select(i => i * size)));
    }
}
