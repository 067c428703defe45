using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

/// <summary>
/// A failed load or step changes nothing: for every way <see cref="Module.LoadStateDict"/>, <see cref="Checkpoint.Load"/>,
/// <see cref="Optimizer.Step"/>, <see cref="Optimizer.LoadStateDict"/>, <see cref="LRScheduler.Step"/> and
/// <see cref="LRScheduler.LoadStateDict"/> can fail after the usual validation, the exception names the problem and
/// every tensor, the optimizer state, step counts and scheduler state are bitwise as before. The failing entry is
/// always the last one visited, so that a load or step that wrote as it went would have changed the others first.
/// </summary>
public class AtomicLoadTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // Parameters first, then a buffer that may be given in any layout: the buffer is visited last by LoadStateDict.
    private sealed class Net : Module
    {
        public Net(Tensor tail)
        {
            Body = RegisterModule("body", new Linear(3, 2, generator: new Generator(7), dtype: DType.Float64));
            Tail = RegisterBuffer("tail", tail);
        }

        public Linear Body { get; }
        public Tensor Tail { get; }

        public override Tensor Forward(Tensor input) => Body.Forward(input);
    }

    private static Dictionary<string, long[]> Bits(IEnumerable<(string Name, Tensor Tensor)> tensors) =>
        tensors.Where(t => !t.Tensor.IsReleased).ToDictionary(t => t.Name, t => t.Tensor.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray());

    private static Dictionary<string, long[]> Bits(Module m) => Bits(m.StateDict().Select(kv => (kv.Key, kv.Value)));

    private static Dictionary<string, long[]> Bits(Dictionary<string, Tensor> state) => Bits(state.Select(kv => (kv.Key, kv.Value)));

    /// <summary>A tensor whose storage went back to the pool: computed inside a scope that has ended.</summary>
    private static Tensor Released(int[] shape)
    {
        var pool = new BufferPool();
        Tensor t;
        using (pool.Scope()) t = (Tensor.Ones(shape, DType.Float64) * 3).Detach();
        Assert.That(t.IsReleased, Is.True);
        return t;
    }

    /// <summary>A state dictionary that fits <see cref="Net"/>, with values unlike its own.</summary>
    private static Dictionary<string, Tensor> Fitting(Net net) =>
        net.StateDict().ToDictionary(kv => kv.Key, kv => Tensor.Full(kv.Value.Shape, 0.25, DType.Float64));

    // ------------------------------------------------------------------ Module.LoadStateDict

    [Test]
    public void LoadStateDict_WithAReleasedSource_ThrowsNamingItAndChangesNothing()
    {
        var net = new Net(Tensor.Zeros([2], DType.Float64));
        var before = Bits(net);
        var state = Fitting(net);
        state["tail"] = Released([2]);
        var e = Assert.Throws<ArgumentException>(() => net.LoadStateDict(state))!;
        Assert.That(e.Message, Does.StartWith("Net.LoadStateDict: 'tail' cannot be read: its storage went back to the pool"));
        Assert.That(e.Message, Does.EndWith("The module was not changed."));
        Assert.That(Bits(net), Is.EqualTo(before));
    }

    [Test]
    public void LoadStateDict_IntoABroadcastViewBuffer_ThrowsNamingItAndChangesNothing()
    {
        var net = new Net(Tensor.From(new[] { 1.0, 2.0 }).BroadcastTo(3, 2));
        var before = Bits(net);
        var e = Assert.Throws<InvalidOperationException>(() => net.LoadStateDict(Fitting(net)))!;
        Assert.That(e.Message, Is.EqualTo(
            "Net.LoadStateDict: 'tail' cannot be written in place: it is a broadcast view of shape [3, 2] (stride 0 along dimension 0), " +
            "whose elements share memory. The module was not changed."));
        Assert.That(Bits(net), Is.EqualTo(before));
    }

    [Test]
    public void LoadStateDict_IntoAReleasedBuffer_ThrowsAndChangesNothing()
    {
        var net = new Net(Released([2]));
        var before = Bits(net);
        Assert.That(before.Keys, Is.EquivalentTo(new[] { "body.weight", "body.bias" }));
        var e = Assert.Throws<InvalidOperationException>(() => net.LoadStateDict(Fitting(net)))!;
        Assert.That(e.Message, Does.StartWith("Net.LoadStateDict: 'tail' cannot be written in place: its storage went back to the pool"));
        Assert.That(Bits(net), Is.EqualTo(before));
    }

    [Test]
    public void LoadStateDict_ListsEveryUnreadableSource()
    {
        var net = new Net(Tensor.Zeros([2], DType.Float64));
        var before = Bits(net);
        var state = Fitting(net);
        state["body.weight"] = Released([2, 3]);
        state["tail"] = Released([2]);
        var e = Assert.Throws<ArgumentException>(() => net.LoadStateDict(state))!;
        Assert.That(e.Message, Does.Contain("'body.weight' cannot be read"));
        Assert.That(e.Message, Does.Contain("'tail' cannot be read"));
        Assert.That(e.Message, Does.Not.Contain("'body.bias'"));
        Assert.That(Bits(net), Is.EqualTo(before));
    }

    [Test]
    public void LoadStateDict_NotStrict_SkipsAnUnwritableBufferItDoesNotLoad()
    {
        var net = new Net(Tensor.From(new[] { 1.0, 2.0 }).BroadcastTo(3, 2));
        var state = Fitting(net);
        state.Remove("tail");
        net.LoadStateDict(state, strict: false);
        Assert.That(net.Body.Weight.ToArray<double>(), Is.All.EqualTo(0.25));
        Assert.That(net.Tail.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2.0, 1.0, 2.0, 1.0, 2.0 }));
    }

    [Test]
    public void LoadStateDict_OfABroadcastViewSource_LoadsIt()
    {
        // Reading a broadcast view is fine; only writing into one is refused.
        var net = new Net(Tensor.Zeros([3, 2], DType.Float64));
        var state = Fitting(net);
        state["tail"] = Tensor.From(new[] { 5.0, 6.0 }).BroadcastTo(3, 2);
        net.LoadStateDict(state);
        Assert.That(net.Tail.ToArray<double>(), Is.EqualTo(new[] { 5.0, 6.0, 5.0, 6.0, 5.0, 6.0 }));
    }

    [Test]
    public void CheckpointLoad_IntoABroadcastViewBuffer_ThrowsNamingTheFileAndChangesNothing()
    {
        var path = Path.Combine(_dir, "net.safetensors");
        var source = new Net(Tensor.Full([3, 2], 9.0, DType.Float64));
        using (Autodiff.NoGrad()) source.Body.Weight.Fill(0.5);
        Checkpoint.Save(source, path);
        var net = new Net(Tensor.From(new[] { 1.0, 2.0 }).BroadcastTo(3, 2));
        var before = Bits(net);
        var e = Assert.Throws<InvalidOperationException>(() => Checkpoint.Load(net, path))!;
        Assert.That(e.Message, Does.StartWith($"Checkpoint.Load: cannot load '{path}' into Net: Net.LoadStateDict: 'tail' cannot be written in place"));
        Assert.That(Bits(net), Is.EqualTo(before));
    }

    // ------------------------------------------------------------------ Optimizer.Step

    private static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new SGD(p, lr: 0.1, momentum: 0.9))).SetArgDisplayNames("SGD");
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new Adam(p, lr: 0.1, amsgrad: true))).SetArgDisplayNames("Adam");
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new AdamW(p, lr: 0.1))).SetArgDisplayNames("AdamW");
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new RMSprop(p, lr: 0.1, momentum: 0.5, centered: true))).SetArgDisplayNames("RMSprop");
    }

    private static Tensor Leaf(double start, int n) =>
        Tensor.From(Enumerable.Range(0, n).Select(i => start + i).ToArray()).RequireGrad();

    private static void SetGrads(Tensor[] parameters)
    {
        foreach (var p in parameters) p.Grad = Tensor.Full(p.Shape, 0.5, p.DType);
    }

    /// <summary>Steps once so that every parameter has state, then snapshots parameters and state.</summary>
    private static (Dictionary<string, long[]> Parameters, Dictionary<string, long[]> State) SteppedOnce(Optimizer o, Tensor[] parameters)
    {
        SetGrads(parameters);
        o.Step();
        return (Bits(parameters.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p))), Bits(o.StateDict()));
    }

    [TestCaseSource(nameof(Optimizers))]
    public void Step_WithAReleasedGradient_ThrowsAndChangesNoParameterAndNoState(Func<Tensor[], Optimizer> make)
    {
        var parameters = new[] { Leaf(1, 3), Leaf(5, 2), Leaf(-1, 4) };
        var optimizer = make(parameters);
        var (before, state) = SteppedOnce(optimizer, parameters);
        SetGrads(parameters);
        parameters[2].Grad = Released([4]);
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step())!;
        Assert.That(e.Message, Does.StartWith($"{optimizer.GetType().Name}.Step: the gradient of parameter 2 (shape [4]) cannot be read: its storage went back to the pool"));
        Assert.That(e.Message, Does.EndWith("No parameter was changed."));
        Assert.That(Bits(parameters.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p))), Is.EqualTo(before));
        Assert.That(Bits(optimizer.StateDict()), Is.EqualTo(state), "state buffers and step counts");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void Step_OfABroadcastViewParameter_ThrowsAndCreatesNoState(Func<Tensor[], Optimizer> make)
    {
        var view = Tensor.From(new[] { 1.0, 2.0 }).BroadcastTo(3, 2).RequireGrad();
        var parameters = new[] { Leaf(1, 3), Leaf(5, 2), view };
        var optimizer = make(parameters);
        var before = Bits(parameters.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p)));
        var state = Bits(optimizer.StateDict());
        SetGrads(parameters);
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step())!;
        Assert.That(e.Message, Is.EqualTo(
            $"{optimizer.GetType().Name}.Step: parameter 2 of shape [3, 2] cannot be updated in place: it is a broadcast view of shape [3, 2] " +
            "(stride 0 along dimension 0), whose elements share memory. No parameter was changed."));
        Assert.That(Bits(parameters.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p))), Is.EqualTo(before));
        Assert.That(Bits(optimizer.StateDict()), Is.EqualTo(state));
        Assert.That(optimizer.StateDict().Keys, Has.None.StartsWith("state."), "no state was created");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void Step_OfAReleasedParameter_ThrowsListingEveryProblemAndChangesNothing(Func<Tensor[], Optimizer> make)
    {
        var released = Released([2]).RequireGrad();
        var parameters = new[] { Leaf(1, 3), released, Leaf(-1, 4) };
        var optimizer = make(parameters);
        SetGrads(parameters);
        parameters[2].Grad = Released([4]);
        var before = Bits(parameters.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p)));
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step())!;
        Assert.That(e.Message, Does.Contain("parameter 1 of shape [2] cannot be updated in place: its storage went back to the pool"));
        Assert.That(e.Message, Does.Contain("the gradient of parameter 2 (shape [4]) cannot be read"));
        Assert.That(Bits(parameters.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p))), Is.EqualTo(before));
        Assert.That(optimizer.StateDict().Keys, Has.None.StartsWith("state."), "no state was created");
    }

    [Test]
    public void Step_AfterAFailedStep_OnceFixed_GivesTheSameBitsAsAStepThatNeverFailed()
    {
        Tensor[] Params() => [Leaf(1, 3), Leaf(5, 2)];
        var a = Params();
        var b = Params();
        var oa = new Adam(a, lr: 0.1);
        var ob = new Adam(b, lr: 0.1);
        SetGrads(a);
        a[1].Grad = Released([2]);
        Assert.Throws<InvalidOperationException>(() => oa.Step());
        SetGrads(a);
        SetGrads(b);
        oa.Step();
        ob.Step();
        Assert.That(Bits(a.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p))),
            Is.EqualTo(Bits(b.Select((p, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), p)))));
        Assert.That(Bits(oa.StateDict()), Is.EqualTo(Bits(ob.StateDict())), "one step counted, not two");
    }

    // ------------------------------------------------------------------ Optimizer.LoadStateDict

    [Test]
    public void OptimizerLoadStateDict_WithAReleasedBuffer_ThrowsNamingItAndChangesNothing()
    {
        var parameters = new[] { Leaf(1, 3), Leaf(5, 2) };
        var optimizer = new Adam(parameters, lr: 0.1);
        var (_, before) = SteppedOnce(optimizer, parameters);
        var state = optimizer.StateDict();
        foreach (var key in state.Keys.ToList()) if (key.Contains("exp_avg")) state[key] = state[key] * 2;
        state["state.1.exp_avg_sq"] = Released([2]);
        state["param_groups.0.lr"] = Tensor.Scalar(0.5, DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadStateDict(state))!;
        Assert.That(e.Message, Does.StartWith("Adam.LoadStateDict: 'state.1.exp_avg_sq' cannot be read: its storage went back to the pool"));
        Assert.That(Bits(optimizer.StateDict()), Is.EqualTo(before));
        Assert.That(optimizer.LearningRate, Is.EqualTo(0.1));
    }

    [Test]
    public void OptimizerLoadStateDict_WithAReleasedStepCountOrRate_ThrowsNamingThem()
    {
        var parameters = new[] { Leaf(1, 3) };
        var optimizer = new Adam(parameters, lr: 0.1);
        var (_, before) = SteppedOnce(optimizer, parameters);
        var state = optimizer.StateDict();
        var pool = new BufferPool();
        using (pool.Scope())
        {
            state["state.0.step"] = (Tensor.Scalar(1.0, DType.Float64) * 5).Detach();
            state["param_groups.0.lr"] = (Tensor.Scalar(1.0, DType.Float64) * 0.5).Detach();
        }
        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadStateDict(state))!;
        Assert.That(e.Message, Does.Contain("'param_groups.0.lr' cannot be read"));
        Assert.That(e.Message, Does.Contain("'state.0.step' cannot be read"));
        Assert.That(Bits(optimizer.StateDict()), Is.EqualTo(before));
    }

    // ------------------------------------------------------------------ schedulers

    private static Dictionary<string, long[]> SchedulerBits(LRScheduler s) => Bits(s.StateDict());

    [Test]
    public void SchedulerStep_ToAnInfiniteRate_ThrowsAndChangesNeitherSchedulerNorOptimizer()
    {
        var optimizer = new SGD([Leaf(1, 2)], lr: 1e300);
        var scheduler = new ExponentialLR(optimizer, gamma: 1e5);
        scheduler.Step();
        double rate = optimizer.LearningRate;
        Assert.That(rate, Is.EqualTo(1e305).Within(1e290));
        var before = SchedulerBits(scheduler);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Step())!;
        Assert.That(e.Message, Is.EqualTo(
            "ExponentialLR.Step: the learning rate at epoch 2 would be Infinity (base rate 1E+300), which is not a finite number >= 0. " +
            "Neither the scheduler nor the optimizer was changed."));
        Assert.That(SchedulerBits(scheduler), Is.EqualTo(before));
        Assert.That(scheduler.LastEpoch, Is.EqualTo(1));
        Assert.That(optimizer.LearningRate, Is.EqualTo(rate));
    }

    [Test]
    public void SchedulerStateDict_RoundTrip_ContinuesTheSchedule()
    {
        var o1 = new SGD([Leaf(1, 2)], lr: 0.1);
        var s1 = new StepLR(o1, stepSize: 2, gamma: 0.5);
        for (int i = 0; i < 5; i++) s1.Step();
        var state = s1.StateDict();
        Assert.That(state.Keys, Is.EquivalentTo(new[] { "last_epoch", "base_lr", "last_lr" }));

        var o2 = new SGD([Leaf(1, 2)], lr: 7);
        var s2 = new StepLR(o2, stepSize: 2, gamma: 0.5);
        s2.LoadStateDict(state);
        Assert.That(s2.LastEpoch, Is.EqualTo(5));
        Assert.That(s2.BaseLearningRate, Is.EqualTo(0.1));
        Assert.That(s2.LastLearningRate, Is.EqualTo(s1.LastLearningRate));
        Assert.That(o2.LearningRate, Is.EqualTo(7), "the optimizer's rate belongs to the optimizer's state");
        // The chainable step scales the optimizer's current rate, so resuming takes the optimizer's state too (as PyTorch).
        o2.LoadStateDict(o1.StateDict());
        s1.Step();
        s2.Step();
        Assert.That(BitConverter.DoubleToInt64Bits(o2.LearningRate), Is.EqualTo(BitConverter.DoubleToInt64Bits(o1.LearningRate)));
        Assert.That(s2.LastEpoch, Is.EqualTo(6));
    }

    [Test]
    public void SchedulerLoadStateDict_OfABadState_ListsEveryProblemAndChangesNothing()
    {
        var optimizer = new SGD([Leaf(1, 2)], lr: 0.1);
        var scheduler = new CosineAnnealingLR(optimizer, tMax: 10);
        scheduler.Step();
        var before = SchedulerBits(scheduler);
        var state = new Dictionary<string, Tensor>
        {
            ["last_epoch"] = Tensor.Scalar(2.5, DType.Float64),
            ["base_lr"] = Tensor.Scalar(0.2, DType.Float32),
            ["extra"] = Tensor.Scalar(1.0, DType.Float64),
        };
        var e = Assert.Throws<ArgumentException>(() => scheduler.LoadStateDict(state))!;
        Assert.That(e.Message, Does.StartWith("CosineAnnealingLR.LoadStateDict: 'last_epoch' is 2.5, expected an integer epoch in [0, 2147483647]; " +
            "'base_lr' has dtype float32, expected float64; missing 'last_lr'; unexpected 'extra'. The scheduler was not changed."));
        Assert.That(SchedulerBits(scheduler), Is.EqualTo(before));

        state = scheduler.StateDict();
        state["last_epoch"] = Tensor.Scalar(-1.0, DType.Float64);
        state["last_lr"] = Released([]);
        state["base_lr"] = Tensor.Scalar(double.NaN, DType.Float64);
        e = Assert.Throws<ArgumentException>(() => scheduler.LoadStateDict(state))!;
        Assert.That(e.Message, Does.Contain("'last_epoch' is -1"));
        Assert.That(e.Message, Does.Contain("'base_lr' is NaN, expected a finite learning rate >= 0"));
        Assert.That(e.Message, Does.Contain("'last_lr' cannot be read"));
        Assert.That(SchedulerBits(scheduler), Is.EqualTo(before));
        Assert.That(scheduler.LastEpoch, Is.EqualTo(1));
    }
}
