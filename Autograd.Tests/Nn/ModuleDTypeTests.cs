using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

public class ModuleDTypeTests
{
    private sealed class WithBuffers : Module
    {
        public WithBuffers()
        {
            Lin = new Linear(2, 2, generator: new Generator(9));
            Running = RegisterBuffer("running_mean", Tensor.From([0.1f, 0.2f]));
            Cache = RegisterBuffer("cache", Tensor.Ones([2]), persistent: false);
            Count = RegisterBuffer("num_batches_tracked", Tensor.From([4L], []));
        }

        public Linear Lin { get; }

        public Tensor Running { get; }

        public Tensor Cache { get; }

        public Tensor Count { get; }

        public override Tensor Forward(Tensor input) => Lin.Call(input) + Running;
    }

    [Test]
    public void ToFloat64KeepsTheParameterObjectsAndConvertsTheirValues()
    {
        var lin = new Linear(3, 2, generator: new Generator(2));
        var weight = lin.Weight;
        var before = weight.ToArray<float>();
        Assert.That(lin.To(DType.Float64), Is.SameAs(lin));
        Assert.That(lin.Weight, Is.SameAs(weight));
        Assert.That(lin.Parameters().Select(p => p.DType), Is.All.EqualTo(DType.Float64));
        Assert.That(weight.ToArray<double>(), Is.EqualTo(before.Select(v => (double)v)));
        Assert.That(weight.RequiresGrad, Is.True);
        var y = lin.Call(Tensor.Ones([1, 3], DType.Float64));
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        lin.Float();
        Assert.That(weight.DType, Is.EqualTo(DType.Float32));
        Assert.That(weight.ToArray<float>(), Is.EqualTo(before));
    }

    [Test]
    public void AnOptimizerBuiltBeforeTheConversionUpdatesTheConvertedParameters()
    {
        var lin = new Linear(3, 2, generator: new Generator(2));
        var sgd = new SGD(lin.Parameters(), lr: 0.1);
        lin.Double();
        var w0 = lin.Weight.ToArray<double>();
        lin.Call(Tensor.Ones([1, 3], DType.Float64)).Sum().Backward();
        Assert.That(lin.Weight.Grad!.DType, Is.EqualTo(DType.Float64));
        sgd.Step();
        var w1 = lin.Weight.ToArray<double>();
        for (int i = 0; i < w0.Length; i++) Assert.That(w1[i], Is.EqualTo(w0[i] - 0.1).Within(1e-12));
    }

    [Test]
    public void GradientsAreConvertedAndInt64BuffersLeftAlone()
    {
        var m = new WithBuffers();
        m.Call(Tensor.Ones([1, 2])).Sum().Backward();
        var g = m.Lin.Weight.Grad!.ToArray<float>();
        var count = m.Count;
        m.To(DType.Float64);
        Assert.That(m.Lin.Weight.Grad!.DType, Is.EqualTo(DType.Float64));
        Assert.That(m.Lin.Weight.Grad!.ToArray<double>(), Is.EqualTo(g.Select(v => (double)v)));
        Assert.That(m.Running.DType, Is.EqualTo(DType.Float64));
        Assert.That(m.Running.ToArray<double>(), Is.EqualTo(new[] { (double)0.1f, (double)0.2f }));
        Assert.That(m.Cache.DType, Is.EqualTo(DType.Float64), "non-persistent buffers are converted too");
        Assert.That(m.Count, Is.SameAs(count));
        Assert.That(m.Count.DType, Is.EqualTo(DType.Int64));
        Assert.That(m.Count.ToArray<long>(), Is.EqualTo(new[] { 4L }));
        Assert.That(m.Call(Tensor.Ones([1, 2], DType.Float64)).DType, Is.EqualTo(DType.Float64));
        // The state dict round-trips in the new dtype.
        var fresh = new WithBuffers().Double();
        fresh.LoadStateDict(m.StateDict());
        Assert.That(((WithBuffers)fresh).Lin.Weight.ToArray<double>(), Is.EqualTo(m.Lin.Weight.ToArray<double>()));
    }

    [Test]
    public void AGraphRecordedBeforeTheConversionRefusesToBackward()
    {
        var lin = new Linear(3, 2, generator: new Generator(2));
        var y = lin.Call(Tensor.Ones([1, 3]).RequireGrad()).Sum();
        lin.To(DType.Float64);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
    }

    [Test]
    public void ToRefusesANonFloatingPointDType()
    {
        var lin = new Linear(3, 2);
        var e = Assert.Throws<ArgumentException>(() => lin.To(DType.Int64));
        Assert.That(e!.Message, Does.StartWith("Linear.To: modules convert to floating-point dtypes (float32, float64) only, not int64"));
        Assert.That(lin.Weight.DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void SharedParametersAreConvertedOnce()
    {
        var lin = new Linear(2, 2, generator: new Generator(4));
        var model = new Sequential(lin, new ReLU(), lin);
        var before = lin.Weight.ToArray<float>();
        model.Double();
        Assert.That(lin.Weight.ToArray<double>(), Is.EqualTo(before.Select(v => (double)v)));
    }

    private sealed class WithComputedBuffer : Module
    {
        public WithComputedBuffer()
        {
            Lin = new Linear(2, 2, generator: new Generator(4));
            RegisterBuffer("scaled", Tensor.Ones([2]).RequireGrad() * 2.0);
        }

        public Linear Lin { get; }

        public override Tensor Forward(Tensor input) => Lin.Call(input);
    }

    [Test]
    public void ToRefusesABufferProducedByARecordedOpAndChangesNothing()
    {
        var m = new WithComputedBuffer();
        var e = Assert.Throws<InvalidOperationException>(() => m.To(DType.Float64));
        Assert.That(e!.Message, Does.StartWith("WithComputedBuffer.To: 'scaled' was produced by"));
        Assert.That(e.Message, Does.EndWith("The module was not changed."));
        Assert.That(m.Lin.Weight.DType, Is.EqualTo(DType.Float32));
    }
}
