using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

// ZeroGrad() (set to none) lends the storage of a gradient nothing outside saw to the next pass's gradient; one that the
// caller read or assigned keeps its values, as PyTorch's old p.grad does after zero_grad(set_to_none=True).
public class GradStorageTests
{
    private static Tensor Leaf(Generator g) => Tensor.Randn([300, 257], g).RequireGrad();

    [Test]
    public void ZeroGrad_ThenBackward_ReusesTheStorageOfAGradientNobodyRead()
    {
        var x = Leaf(new Generator(1));
        (x * x).Sum().Backward();
        var storage = x.StoredGrad!.RawData;
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void AGradientTheCallerRead_KeepsItsValuesAfterZeroGradAndTheNextBackward()
    {
        var x = Leaf(new Generator(2));
        (x * x).Sum().Backward();
        var read = x.Grad!;
        var expected = (x.Detach() * 2.0).ToArray<float>();
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(read.ToArray<float>(), Is.EqualTo(expected));
        Assert.That(x.Grad!.RawData, Is.Not.SameAs(read.RawData));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void AGradientTheCallerAssigned_IsNeverWrittenByALaterPass()
    {
        var x = Leaf(new Generator(3));
        var mine = Tensor.Full([300, 257], 5.0);
        x.Grad = mine;
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(mine.ToArray<float>(), Is.All.EqualTo(5f));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void ABroadcastGradient_IsCopiedWholeIntoTheLentStorage()
    {
        var x = Leaf(new Generator(4));
        (x * 2.0).Sum().Backward();
        var storage = x.StoredGrad!.RawData;
        x.ZeroGrad();
        x.Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(1f));
    }

    [Test]
    public void AfterModuleTo_TheOldDTypeStorageIsNotReused()
    {
        var layer = new Linear(30, 20, generator: new Generator(6));
        var input = Tensor.Randn([8, 30], new Generator(7));
        layer.Forward(input).Sum().Backward();
        layer.ZeroGrad();
        layer.To(DType.Float64);
        layer.Forward(input.To(DType.Float64)).Sum().Backward();
        var w = layer.Parameters().First();
        Assert.That(w.Grad!.DType, Is.EqualTo(DType.Float64));
        var column = input.To(DType.Float64).Sum(0).ToArray<double>();
        var expected = Enumerable.Range(0, 20).SelectMany(_ => column).ToArray();
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(expected).Within(1e-12));
    }

    // The optimizer's step reads the gradients without handing them out, so training that drops them every step
    // reuses their storage and ends with the bits of training that zeroes them in place; inside a buffer pool too.
    [TestCase(false)]
    [TestCase(true)]
    public void TrainingWithZeroGradToNone_ReusesStorage_AndGivesTheBitsOfZeroingInPlace(bool pooled)
    {
        float[][] Train(bool setToNone, out bool reused)
        {
            var model = new Sequential(new Linear(64, 300, generator: new Generator(8)), new ReLU(), new Linear(300, 10, generator: new Generator(9)));
            var optimizer = new SGD(model.Parameters(), lr: 0.05, momentum: 0.9);
            var x = Tensor.Randn([32, 64], new Generator(10));
            var y = Tensor.From(Enumerable.Range(0, 32).Select(i => (long)(i % 10)).ToArray(), 32);
            var pool = new BufferPool();
            var w = model.Parameters().First();
            Array? storage = null;
            reused = true;
            for (int step = 0; step < 6; step++)
            {
                using (pooled ? pool.Scope() : null)
                {
                    Losses.CrossEntropy(model.Forward(x), y).Backward();
                    if (step > 0 && setToNone) reused &= ReferenceEquals(w.StoredGrad!.RawData, storage);
                    storage = w.StoredGrad!.RawData;
                    optimizer.Step();
                    optimizer.ZeroGrad(setToNone);
                }
            }
            return model.Parameters().Select(p => p.ToArray<float>()).ToArray();
        }

        var dropped = Train(setToNone: true, out bool reused);
        var zeroed = Train(setToNone: false, out _);
        Assert.That(reused, Is.True, "the first layer's gradient storage was reused every step");
        Assert.That(dropped, Is.EqualTo(zeroed));
    }
}
