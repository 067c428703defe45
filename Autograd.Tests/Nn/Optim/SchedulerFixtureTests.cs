using System.Text.Json;
using Autograd.Nn.Optim;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Nn.Optim;

/// <summary>
/// Every scheduler against PyTorch 1.13 (Fixtures/Optim/optim.json, written by make_optim.py): the learning rate of
/// each parameter group (and the momentum the cyclic schedulers set) after construction and after every step, to
/// 1e-10, including two schedulers on one optimizer, a rate set by hand mid-way, SequentialLR, ChainedScheduler and
/// ReduceLROnPlateau over a fixed sequence of metrics.
/// </summary>
public class SchedulerFixtureTests
{
    private const double Tol = 1e-10;

    private static readonly JsonElement Root = Fixture.Json("Optim", "optim.json");

    private static IEnumerable<TestCaseData> Cases() =>
        Root.GetProperty("schedulers").EnumerateArray().Select(c => new TestCaseData(c.GetProperty("name").GetString()).SetName("Rates_" + c.GetProperty("name").GetString()));

    /// <summary>Each fixture case's scheduler: an action per step (null for a plain Step) and what to do after step i.</summary>
    private static (Action<int> Step, Action<Optimizer, int>? Between) Make(string name, Optimizer o, double[]? metrics)
    {
        static Action<int> Plain(LRScheduler s) => _ => s.Step();
        static Action<Optimizer, int> SetLr(int at, double value) => (opt, i) =>
        {
            if (i == at) foreach (var g in opt.ParamGroups) g.LearningRate = value;
        };
        switch (name)
        {
            case "step": return (Plain(new StepLR(o, 3, 0.5)), null);
            case "multistep": return (Plain(new MultiStepLR(o, [3, 7, 7, 10], 0.5)), null);
            case "exponential": return (Plain(new ExponentialLR(o, 0.9)), null);
            case "cosine": return (Plain(new CosineAnnealingLR(o, 5, 0.01)), null);
            case "linear": return (Plain(new LinearLR(o, 0.25, 1.0, 6)), null);
            case "constant": return (Plain(new ConstantLR(o, 0.5, 4)), null);
            case "lambda": return (Plain(new LambdaLR(o, e => Math.Pow(0.95, e))), null);
            case "multiplicative": return (Plain(new MultiplicativeLR(o, e => e % 2 == 1 ? 0.9 : 1.0)), null);
            case "polynomial": return (Plain(new PolynomialLR(o, 8, 2.0)), null);
            case "onecycle": return (Plain(new OneCycleLR(o, 0.5, totalSteps: 20)), null);
            case "onecycle_three_phase_linear": return (Plain(new OneCycleLR(o, 0.5, totalSteps: 20, threePhase: true, annealStrategy: AnnealStrategy.Linear)), null);
            case "onecycle_adam": return (Plain(new OneCycleLR(o, 0.5, totalSteps: 15, pctStart: 0.4)), null);
            case "cyclic": return (Plain(new CyclicLR(o, 0.01, 0.1, stepSizeUp: 3)), null);
            case "cyclic_triangular2": return (Plain(new CyclicLR(o, 0.01, 0.1, stepSizeUp: 3, stepSizeDown: 2, mode: CyclicLRMode.Triangular2)), null);
            case "cyclic_exp_range": return (Plain(new CyclicLR(o, 0.01, 0.1, stepSizeUp: 2, mode: CyclicLRMode.ExpRange, gamma: 0.9, cycleMomentum: false)), null);
            case "warm_restarts": return (Plain(new CosineAnnealingWarmRestarts(o, 4, 2, 0.001)), null);
            case "warm_restarts_mult1": return (Plain(new CosineAnnealingWarmRestarts(o, 3)), null);
            case "plateau_min":
            {
                var p = new ReduceLROnPlateau(o, PlateauMode.Min, 0.5, patience: 2, threshold: 0.01, cooldown: 1, minLr: 0.01);
                return (i => p.Step(metrics![i]), null);
            }
            case "plateau_max_abs":
            {
                var p = new ReduceLROnPlateau(o, PlateauMode.Max, 0.5, patience: 1, threshold: 0.1, thresholdMode: ThresholdMode.Abs);
                return (i => p.Step(metrics![i]), null);
            }
            case "groups_plateau":
            {
                var p = new ReduceLROnPlateau(o, factor: 0.5, patience: 1, minLrs: [0.02, 0.001]);
                return (i => p.Step(metrics![i]), null);
            }
            case "sequential": return (Plain(new SequentialLR(o, [new ConstantLR(o, 0.1, 2), new ExponentialLR(o, 0.9)], [3])), null);
            case "sequential_warmup_cosine": return (Plain(new SequentialLR(o, [new LinearLR(o, 0.1, 1.0, 4), new CosineAnnealingLR(o, 6)], [4])), null);
            case "chained": return (Plain(new ChainedScheduler([new ConstantLR(o, 0.5, 3), new ExponentialLR(o, 0.9)])), null);
            case "two_chained":
            {
                var a = new StepLR(o, 2, 0.5);
                var b = new ExponentialLR(o, 0.9);
                return (_ =>
                {
                    a.Step();
                    b.Step();
                }, null);
            }
            case "manual_exponential": return (Plain(new ExponentialLR(o, 0.9)), SetLr(4, 0.3));
            case "manual_cosine": return (Plain(new CosineAnnealingLR(o, 8, 0.01)), SetLr(3, 0.05));
            case "groups_step": return (Plain(new StepLR(o, 2, 0.5)), null);
            case "groups_lambda": return (Plain(new LambdaLR(o, [e => 1.0 / (e + 1), e => Math.Pow(0.9, e)])), null);
            default: throw new ArgumentException($"no scheduler for fixture case {name}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void FollowsPyTorchsRates(string name)
    {
        var c = Root.GetProperty("schedulers").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var lrs = Fixture.Doubles(c.GetProperty("lrs"));
        bool adam = name == "onecycle_adam";
        var groups = lrs.Select(lr => new ParamGroup([Tensor.Zeros([1], DType.Float64).RequireGrad()], new Dictionary<string, double> { ["lr"] = lr })).ToArray();
        Optimizer o = adam ? new Adam(groups, lr: lrs[0]) : new SGD(groups, lr: lrs[0], momentum: 0.9);
        string momentumKey = adam ? Adam.Beta1Key : SGD.MomentumKey;
        double[]? metrics = c.GetProperty("metrics").ValueKind == JsonValueKind.Array ? Fixture.Doubles(c.GetProperty("metrics")) : null;
        var expectedLr = c.GetProperty("lr").EnumerateArray().Select(Fixture.Doubles).ToArray();
        var expectedMomentum = c.GetProperty("momentum").EnumerateArray().Select(Fixture.Doubles).ToArray();

        var (step, between) = Make(name, o, metrics);
        void Check(int s)
        {
            Assert.That(o.ParamGroups.Select(g => g.LearningRate).ToArray(), Is.EqualTo(expectedLr[s]).Within(Tol), $"{name}: the rates after step {s}");
            Assert.That(o.ParamGroups.Select(g => g[momentumKey]).ToArray(), Is.EqualTo(expectedMomentum[s]).Within(Tol), $"{name}: the momentum after step {s}");
        }
        Check(0);
        int steps = c.GetProperty("steps").GetInt32();
        for (int s = 1; s <= steps; s++)
        {
            o.Step();
            if (expectedLr[s].Any(lr => lr < 0))
            {
                // PyTorch's linear three-phase OneCycleLR overshoots below 0 at its last step; a negative rate is refused here.
                var before = o.ParamGroups.Select(g => g.LearningRate).ToArray();
                Assert.That(() => step(s - 1), Throws.InvalidOperationException.With.Message.Contains("not a finite number >= 0"));
                Assert.That(o.ParamGroups.Select(g => g.LearningRate).ToArray(), Is.EqualTo(before));
                return;
            }
            step(s - 1);
            between?.Invoke(o, s);
            Check(s);
        }
    }

    [Test]
    public void GetLastLrGivesEveryGroupsRate()
    {
        var groups = new[] { 0.1, 0.02 }.Select(lr => new ParamGroup([Tensor.Zeros([1], DType.Float64).RequireGrad()], new Dictionary<string, double> { ["lr"] = lr })).ToArray();
        var o = new SGD(groups, lr: 0.1);
        var s = new StepLR(o, 1, 0.5);
        s.Step();
        Assert.That(s.GetLastLr(), Is.EqualTo(new[] { 0.05, 0.01 }).Within(1e-15));
        Assert.That(s.BaseLearningRates, Is.EqualTo(new[] { 0.1, 0.02 }));
        Assert.That(o.ParamGroups.Select(g => g.InitialLearningRate), Is.EqualTo(new double?[] { 0.1, 0.02 }));
    }

    [Test]
    public void OneCycleLRRefusesAStepPastItsEnd()
    {
        var o = new SGD([Tensor.Zeros([1], DType.Float64).RequireGrad()], 0.1, momentum: 0.9);
        var s = new OneCycleLR(o, 0.5, totalSteps: 3);
        for (int i = 0; i < 3; i++) s.Step();
        double lr = o.LearningRate;
        var e = Assert.Throws<InvalidOperationException>(() => s.Step())!;
        Assert.That(e.Message, Does.StartWith("OneCycleLR.Step: tried to step 5 times; the schedule has 3 total steps"));
        Assert.That(s.LastEpoch, Is.EqualTo(3));
        Assert.That(o.LearningRate, Is.EqualTo(lr));
    }

    [Test]
    public void CyclicLRNeedsAMomentumOptionToCycle()
    {
        var o = new Adam([Tensor.Zeros([1], DType.Float64).RequireGrad()]);
        var e = Assert.Throws<ArgumentException>(() => new CyclicLR(o, 0.01, 0.1))!;
        Assert.That(e.Message, Does.StartWith("CyclicLR: Adam has no 'momentum' option to cycle"));
    }

    [Test]
    public void SequentialAndChainedSchedulersRoundTripTheirChildrensState()
    {
        Optimizer NewSgd() => new SGD([Tensor.Zeros([1], DType.Float64).RequireGrad()], 0.1);
        var o1 = NewSgd();
        var s1 = new SequentialLR(o1, [new ConstantLR(o1, 0.1, 2), new ExponentialLR(o1, 0.9)], [3]);
        for (int i = 0; i < 5; i++) s1.Step();
        var state = s1.StateDict();
        Assert.That(state.Keys, Does.Contain("schedulers.0.last_epoch").And.Contain("schedulers.1.base_lr"));

        var o2 = NewSgd();
        var s2 = new SequentialLR(o2, [new ConstantLR(o2, 0.1, 2), new ExponentialLR(o2, 0.9)], [3]);
        s2.LoadStateDict(state);
        o2.LoadStateDict(o1.StateDict());
        for (int i = 0; i < 4; i++)
        {
            s1.Step();
            s2.Step();
            Assert.That(o2.LearningRate, Is.EqualTo(o1.LearningRate), $"step {i}");
        }

        var bad = s1.StateDict();
        bad["schedulers.1.last_epoch"] = Tensor.Scalar(-3, DType.Float64);
        var before = s2.StateDict();
        var e = Assert.Throws<ArgumentException>(() => s2.LoadStateDict(bad))!;
        Assert.That(e.Message, Does.StartWith("SequentialLR.LoadStateDict: scheduler 1: ExponentialLR.LoadStateDict: 'last_epoch' is -3"));
        Assert.That(s2.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>()),
            Is.EquivalentTo(before.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>())), "nothing changed");
    }

    [Test]
    public void ReduceLROnPlateauStateRoundTrips()
    {
        var o = new SGD([Tensor.Zeros([1], DType.Float64).RequireGrad()], 0.1);
        var p = new ReduceLROnPlateau(o, patience: 1, cooldown: 2);
        foreach (var m in new[] { 1.0, 0.9, 0.95, 0.96 }) p.Step(m);
        var state = p.StateDict();
        var q = new ReduceLROnPlateau(o, patience: 1, cooldown: 2);
        q.LoadStateDict(state);
        Assert.That((q.Best, q.NumBadEpochs, q.CooldownCounter, q.LastEpoch), Is.EqualTo((p.Best, p.NumBadEpochs, p.CooldownCounter, p.LastEpoch)));
        state["best"] = Tensor.Scalar(double.NaN, DType.Float64);
        state["extra"] = Tensor.Scalar(1, DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => q.LoadStateDict(state))!;
        Assert.That(e.Message, Is.EqualTo("ReduceLROnPlateau.LoadStateDict: 'best' is NaN, expected a number; unexpected 'extra'. The scheduler was not changed. (Parameter 'state')"));
        Assert.That(Assert.Throws<ArgumentException>(() => p.Step(double.NaN))!.Message, Does.StartWith("ReduceLROnPlateau.Step: the metric is NaN"));
    }
}
