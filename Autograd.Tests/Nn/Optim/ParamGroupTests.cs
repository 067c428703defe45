using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn.Optim;

/// <summary>
/// Parameter groups (PyTorch's param_groups): defaults filled in, options checked on construction and on set,
/// <see cref="Optimizer.AddParamGroup"/>, the decay / no-decay split, the group options in the state dictionary, and
/// loading a state into an optimizer of another kind or shape refused with nothing changed.
/// </summary>
public class ParamGroupTests
{
    private static Tensor Leaf(params double[] values) => Tensor.From(values).RequireGrad();

    [Test]
    public void GroupsTakeTheDefaultsTheyDoNotOverride()
    {
        var a = Leaf(1, 2);
        var b = Leaf(3);
        var sgd = new SGD([new ParamGroup([a]), new ParamGroup([b], new Dictionary<string, double> { ["lr"] = 0.5, ["momentum"] = 0.9 })], lr: 0.1, weightDecay: 0.01);
        Assert.That(sgd.ParamGroups, Has.Count.EqualTo(2));
        Assert.That(sgd.ParamGroups[0].LearningRate, Is.EqualTo(0.1));
        Assert.That(sgd.ParamGroups[0]["momentum"], Is.EqualTo(0));
        Assert.That(sgd.ParamGroups[1].LearningRate, Is.EqualTo(0.5));
        Assert.That(sgd.ParamGroups[1]["momentum"], Is.EqualTo(0.9));
        Assert.That(sgd.ParamGroups[1]["weight_decay"], Is.EqualTo(0.01));
        Assert.That(sgd.Parameters, Is.EqualTo(new[] { a, b }));
        Assert.That(sgd.Defaults["lr"], Is.EqualTo(0.1));

        a.Grad = Tensor.From(new[] { 1.0, 1.0 });
        b.Grad = Tensor.From(new[] { 2.0 });
        sgd.Step();
        // a: 1 − 0.1·(1 + 0.01·1); b: 3 − 0.5·(2 + 0.01·3) (first momentum step: the buffer is the gradient).
        Assert.That(a.ToArray<double>(), Is.EqualTo(new[] { 1 - 0.1 * 1.01, 2 - 0.1 * 1.02 }).Within(1e-15));
        Assert.That(b.ToArray<double>(), Is.EqualTo(new[] { 3 - 0.5 * 2.03 }).Within(1e-15));
        Assert.That(sgd.StateDict().Keys, Does.Contain("state.1.momentum_buffer").And.Not.Contain("state.0.momentum_buffer"));
    }

    [Test]
    public void OptionsAreCheckedOnConstructionAndOnSet()
    {
        var a = Leaf(1);
        var e = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([a], new Dictionary<string, double> { ["momentum"] = 0.9 })]))!;
        Assert.That(e.Message, Does.StartWith("Adam: parameter group 0 has an unknown option 'momentum' (Adam's options are 'lr', 'beta1'"));
        e = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([a], new Dictionary<string, double> { ["beta1"] = 1.5 })]))!;
        Assert.That(e.Message, Is.EqualTo("Adam: invalid beta1 1.5: must be in [0, 1) in parameter group 0. (Parameter 'parameters')"));
        e = Assert.Throws<ArgumentException>(() => new SGD([new ParamGroup([a], new Dictionary<string, double> { ["nesterov"] = 1 })], lr: 0.1))!;
        Assert.That(e.Message, Does.StartWith("SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum 0 and dampening 0 in parameter group 0"));

        var adam = new Adam([a]);
        Assert.That(Assert.Throws<ArgumentException>(() => adam.ParamGroups[0]["eps"] = -1)!.Message, Does.StartWith("Adam: invalid epsilon -1"));
        Assert.That(Assert.Throws<ArgumentException>(() => adam.ParamGroups[0]["rho"] = 0.5)!.Message, Does.StartWith("Adam: no option 'rho'"));
        Assert.That(Assert.Throws<ArgumentException>(() => adam.ParamGroups[0]["amsgrad"] = 0.5)!.Message, Does.Contain("must be 0 or 1"));
        Assert.Throws<KeyNotFoundException>(() => _ = adam.ParamGroups[0]["rho"]);
        adam.ParamGroups[0]["beta1"] = 0.5;
        Assert.That(adam.ParamGroups[0]["beta1"], Is.EqualTo(0.5));
        Assert.That(adam.Beta1, Is.EqualTo(0.9), "the defaults do not change");
    }

    [Test]
    public void AddParamGroupAddsParametersWithDefaultsAndRefusesRepeats()
    {
        var a = Leaf(1);
        var b = Leaf(2);
        var adam = new Adam([a], lr: 0.1);
        adam.AddParamGroup(new ParamGroup([b], new Dictionary<string, double> { ["lr"] = 0.01 }));
        Assert.That(adam.Parameters, Is.EqualTo(new[] { a, b }));
        Assert.That(adam.ParamGroups[1].LearningRate, Is.EqualTo(0.01));
        Assert.That(adam.ParamGroups[1]["beta2"], Is.EqualTo(0.999));
        var e = Assert.Throws<ArgumentException>(() => adam.AddParamGroup(new ParamGroup([Leaf(5), a])))!;
        Assert.That(e.Message, Is.EqualTo("Adam: parameter 3 is the same tensor as parameter 0; each parameter may appear only once. (Parameter 'parameters')"));
        Assert.That(adam.ParamGroups, Has.Count.EqualTo(2), "nothing was added");
        Assert.That(adam.Parameters, Has.Count.EqualTo(2));
        Assert.That(Assert.Throws<ArgumentException>(() => adam.AddParamGroup(new ParamGroup([])))!.Message, Does.Contain("has no parameters"));
        var lbfgs = new LBFGS([Leaf(1)]);
        Assert.That(Assert.Throws<ArgumentException>(() => lbfgs.AddParamGroup(new ParamGroup([Leaf(2)])))!.Message,
            Does.StartWith("LBFGS.AddParamGroup: LBFGS takes a single parameter group"));
    }

    [Test]
    public void SettingTheOptimizersLearningRateSetsEveryGroup()
    {
        var sgd = new SGD([new ParamGroup([Leaf(1)]), new ParamGroup([Leaf(2)], new Dictionary<string, double> { ["lr"] = 0.5 })], lr: 0.1);
        sgd.LearningRate = 0.2;
        Assert.That(sgd.ParamGroups.Select(g => g.LearningRate), Is.EqualTo(new[] { 0.2, 0.2 }));
    }

    private sealed class Net : Module
    {
        public Net()
        {
            Hidden = RegisterModule("hidden", new Linear(3, 4, dtype: DType.Float64));
            Scale = RegisterParameter("scale", new Parameter(Tensor.Ones([4], DType.Float64)));
            Out = RegisterModule("out", new Linear(4, 1, dtype: DType.Float64));
        }

        public Linear Hidden { get; }

        public Parameter Scale { get; }

        public Linear Out { get; }

        public override Tensor Forward(Tensor input) => Out.Forward(Hidden.Forward(input) * Scale);
    }

    [Test]
    public void WithoutDecayOnBiasesAndNormsSplitsMatricesFromVectors()
    {
        var net = new Net();
        var groups = ParamGroups.WithoutDecayOnBiasesAndNorms(net, 0.05);
        Assert.That(groups, Has.Length.EqualTo(2));
        Assert.That(groups[0].Parameters, Is.EqualTo(new Tensor[] { net.Hidden.Weight, net.Out.Weight }));
        Assert.That(groups[1].Parameters, Is.EquivalentTo(new Tensor[] { net.Hidden.Bias!, net.Scale, net.Out.Bias! }));
        var adamw = new AdamW(groups, lr: 0.1);
        Assert.That(adamw.ParamGroups.Select(g => g["weight_decay"]), Is.EqualTo(new[] { 0.05, 0.0 }));
        Assert.That(Assert.Throws<ArgumentException>(() => ParamGroups.WithoutDecayOnBiasesAndNorms(net, -1))!.Message,
            Does.StartWith("ParamGroups.WithoutDecayOnBiasesAndNorms: invalid weight decay -1"));
    }

    [Test]
    public void StepWithZeroGradClearsEachGradientAndGivesTheSameUpdate()
    {
        var a = Leaf(1, 2);
        var b = Leaf(1, 2);
        var oa = new Adam([a], lr: 0.1);
        var ob = new Adam([b], lr: 0.1);
        for (int s = 0; s < 3; s++)
        {
            a.Grad = Tensor.From(new[] { 0.5, -1.0 * s });
            b.Grad = Tensor.From(new[] { 0.5, -1.0 * s });
            oa.Step(zeroGrad: true);
            ob.Step();
            ob.ZeroGrad();
            Assert.That(a.Grad, Is.Null);
            Assert.That(a.ToArray<double>(), Is.EqualTo(b.ToArray<double>()));
        }
    }

    [Test]
    public void MaximizeStepsUpTheGradient()
    {
        var a = Leaf(1, 2);
        var sgd = new SGD([a], lr: 0.1, maximize: true);
        a.Grad = Tensor.From(new[] { 1.0, -2.0 });
        sgd.Step();
        Assert.That(a.ToArray<double>(), Is.EqualTo(new[] { 1.1, 1.8 }).Within(1e-15));
    }

    [Test]
    public void LbfgsNeedsAClosure()
    {
        var lbfgs = new LBFGS([Leaf(1)]);
        Assert.That(Assert.Throws<InvalidOperationException>(() => lbfgs.Step())!.Message, Does.StartWith("LBFGS.Step: LBFGS needs a closure"));
        Assert.That(Assert.Throws<ArgumentException>(() => new LBFGS([Leaf(1)], lineSearchFn: "backtracking"))!.Message,
            Does.StartWith("LBFGS: unknown line search 'backtracking'"));
        Assert.That(Assert.Throws<ArgumentException>(() => new LBFGS([Leaf(1)], maxIter: 0))!.Message,
            Does.StartWith("LBFGS: invalid max_iter 0"));
    }

    // ---------------------------------------------------------------- loading into another optimizer

    private static Dictionary<string, long[]> Bits(Optimizer o) =>
        o.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray());

    private static Optimizer Stepped(Optimizer o)
    {
        foreach (var p in o.Parameters) p.Grad = Tensor.OnesLike(p);
        o.Step();
        return o;
    }

    private static void AssertRefused(Optimizer target, Dictionary<string, Tensor> state, params string[] fragments)
    {
        var before = Bits(target);
        var e = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state))!;
        Assert.That(e.Message, Does.StartWith($"{target.GetType().Name}.LoadStateDict: ").And.EndWith("The optimizer was not changed. (Parameter 'state')"));
        foreach (var f in fragments) Assert.That(e.Message, Does.Contain(f));
        Assert.That(Bits(target), Is.EqualTo(before));
    }

    [Test]
    public void AStateOfAnotherKindIsRefused()
    {
        var sgd = Stepped(new SGD([Leaf(1, 2)], lr: 0.1, momentum: 0.9));
        var adam = Stepped(new Adam([Leaf(1, 2)], lr: 0.1));
        AssertRefused(sgd, adam.StateDict(), "unexpected 'param_groups.0.beta1' (SGD's options are 'lr', 'momentum'", "missing 'param_groups.0.momentum'",
            "unexpected 'state.0.exp_avg' (SGD keeps 'momentum_buffer' per parameter)");
        AssertRefused(adam, sgd.StateDict(), "unexpected 'param_groups.0.momentum'", "missing 'param_groups.0.beta1'");
        var nadam = Stepped(new NAdam([Leaf(1, 2)]));
        AssertRefused(adam, nadam.StateDict(), "unexpected 'param_groups.0.momentum_decay'", "unexpected 'state.0.mu_product'");
    }

    [Test]
    public void AStateOfAnotherShapeIsRefused()
    {
        var two = Stepped(new Adam([new ParamGroup([Leaf(1, 2)]), new ParamGroup([Leaf(3)])], lr: 0.1));
        var one = Stepped(new Adam([Leaf(1, 2), Leaf(3)], lr: 0.1));
        AssertRefused(one, two.StateDict(), "'num_param_groups' is 2 but the optimizer has 1 parameter group", "'param_groups.1.lr' refers to parameter group 1",
            "'param_groups.0.num_params' is 1 but parameter group 0 has 2 parameters");
        AssertRefused(two, one.StateDict(), "'num_param_groups' is 1 but the optimizer has 2 parameter groups", "missing 'param_groups.1.lr'");
        var shaped = Stepped(new Adam([Leaf(1, 2, 3), Leaf(3)], lr: 0.1));
        AssertRefused(one, shaped.StateDict(), "'state.0.exp_avg' has shape [3], expected [2] (the shape of parameter 0)");
        var fewer = Stepped(new Adam([Leaf(1, 2)], lr: 0.1));
        AssertRefused(one, fewer.StateDict(), "'num_params' is 1 but the optimizer has 2 parameters");
    }

    [Test]
    public void GroupOptionsAndInitialRatesAreSavedAndRestored()
    {
        var a = Leaf(1, 2);
        var rms = new RMSprop([new ParamGroup([a], new Dictionary<string, double> { ["centered"] = 1, ["momentum"] = 0.5 })], lr: 0.1);
        _ = new StepLR(rms, 2);
        Stepped(rms);
        var state = rms.StateDict();
        Assert.That(state["param_groups.0.centered"].Item(), Is.EqualTo(1));
        Assert.That(state["param_groups.0.initial_lr"].Item(), Is.EqualTo(0.1));
        Assert.That(state.Keys, Does.Contain("state.0.grad_avg").And.Contain("state.0.momentum_buffer"));

        var fresh = new RMSprop([Leaf(1, 2)], lr: 0.3);
        fresh.LoadStateDict(state);
        Assert.That(fresh.ParamGroups[0].Options, Is.EquivalentTo(rms.ParamGroups[0].Options));
        Assert.That(fresh.ParamGroups[0].InitialLearningRate, Is.EqualTo(0.1));
        Assert.That(Bits(fresh), Is.EqualTo(Bits(rms)));
    }
}
