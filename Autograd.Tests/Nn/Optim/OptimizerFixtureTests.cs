using System.Text.Json;
using Autograd.Nn.Optim;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Nn.Optim;

/// <summary>
/// Every optimizer against PyTorch 1.13 (Fixtures/Optim/optim.json, written by make_optim.py): the same float64
/// problem of two parameter tensors (w of shape [2, 3], b of shape [3]), the same options (one group or two with
/// their own options), and the parameters after each step to 1e-10.
/// </summary>
public class OptimizerFixtureTests
{
    private const double Tol = 1e-10;

    private static readonly JsonElement Root = Fixture.Json("Optim", "optim.json");

    private static Tensor Get(string name, params int[] shape) => Tensor.From(Fixture.Doubles(Flatten(Root.GetProperty(name))), shape);

    private static JsonElement Flatten(JsonElement e)
    {
        if (e[0].ValueKind != JsonValueKind.Array) return e;
        var flat = e.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(x => x.GetDouble()).ToArray();
        return JsonSerializer.SerializeToElement(flat);
    }

    /// <summary>The fixture's loss, written with the same operations in the same order as make_optim.py.</summary>
    internal static Tensor Loss(Tensor w, Tensor b)
    {
        var d1 = w - Get("t1", 2, 3);
        var l1 = (Get("s1", 2, 3) * d1 * d1).Sum();
        var w2 = w * w;
        var l2 = (w2 * w2).Sum() * 0.1;
        var d2 = b - Get("t2", 3);
        var l3 = (Get("s2", 3) * d2 * d2).Sum();
        var l4 = (Get("m", 2, 3) * w * b).Sum() * 0.3;
        var wb = w * b;
        var l5 = (wb * wb).Sum() * 0.05;
        return l1 + l2 + l3 + l4 + l5;
    }

    private static Dictionary<string, double> Options(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : [];

    /// <summary>The optimizer a fixture case describes, with the constructor's named arguments from its defaults.</summary>
    internal static Optimizer Make(string kind, Dictionary<string, double> d, IEnumerable<ParamGroup> groups, Tensor[] parameters)
    {
        double G(string k, double def) => d.TryGetValue(k, out var v) ? v : def;
        bool F(string k) => G(k, 0) != 0;
        return kind switch
        {
            "SGD" => new SGD(groups, G("lr", 0), G("momentum", 0), G("dampening", 0), G("weight_decay", 0), F("nesterov"), F("maximize")),
            "Adam" => new Adam(groups, G("lr", 1e-3), G("beta1", 0.9), G("beta2", 0.999), G("eps", 1e-8), G("weight_decay", 0), F("amsgrad"), F("maximize")),
            "AdamW" => new AdamW(groups, G("lr", 1e-3), G("beta1", 0.9), G("beta2", 0.999), G("eps", 1e-8), G("weight_decay", 1e-2), F("amsgrad"), F("maximize")),
            "RMSprop" => new RMSprop(groups, G("lr", 1e-2), G("alpha", 0.99), G("eps", 1e-8), G("weight_decay", 0), G("momentum", 0), F("centered"), F("maximize")),
            "Adagrad" => new Adagrad(groups, G("lr", 1e-2), G("lr_decay", 0), G("weight_decay", 0), G("initial_accumulator_value", 0), G("eps", 1e-10), F("maximize")),
            "Adadelta" => new Adadelta(groups, G("lr", 1), G("rho", 0.9), G("eps", 1e-6), G("weight_decay", 0), F("maximize")),
            "Adamax" => new Adamax(groups, G("lr", 2e-3), G("beta1", 0.9), G("beta2", 0.999), G("eps", 1e-8), G("weight_decay", 0), F("maximize")),
            "NAdam" => new NAdam(groups, G("lr", 2e-3), G("beta1", 0.9), G("beta2", 0.999), G("eps", 1e-8), G("weight_decay", 0), G("momentum_decay", 4e-3)),
            "RAdam" => new RAdam(groups, G("lr", 1e-3), G("beta1", 0.9), G("beta2", 0.999), G("eps", 1e-8), G("weight_decay", 0)),
            "Rprop" => new Rprop(groups, G("lr", 1e-2), G("eta_minus", 0.5), G("eta_plus", 1.2), G("step_size_min", 1e-6), G("step_size_max", 50), F("maximize")),
            "ASGD" => new ASGD(groups, G("lr", 1e-2), G("lambd", 1e-4), G("alpha", 0.75), G("t0", 1e6), G("weight_decay", 0), F("maximize")),
            "LBFGS" => new LBFGS(parameters, G("lr", 1), (int)G("max_iter", 20), null, G("tolerance_grad", 1e-7), G("tolerance_change", 1e-9),
                (int)G("history_size", 100), F("line_search_fn") ? "strong_wolfe" : null),
            _ => throw new ArgumentException($"unknown optimizer {kind}"),
        };
    }

    private static IEnumerable<TestCaseData> Cases() =>
        Root.GetProperty("optimizers").EnumerateArray().Select(c => new TestCaseData(c.GetProperty("name").GetString()).SetName("Trajectory_" + c.GetProperty("name").GetString()));

    internal static (Optimizer Optimizer, Tensor W, Tensor B, Func<Tensor> Closure, JsonElement Case) Build(string name)
    {
        var c = Root.GetProperty("optimizers").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var w = Get("w0", 2, 3).RequireGrad();
        var b = Get("b0", 3).RequireGrad();
        var defaults = Options(c.GetProperty("defaults"));
        IEnumerable<ParamGroup> groups = c.GetProperty("groups").ValueKind == JsonValueKind.Array
            ? [new ParamGroup([w], Options(c.GetProperty("groups")[0])), new ParamGroup([b], Options(c.GetProperty("groups")[1]))]
            : [new ParamGroup([w, b])];
        var optimizer = Make(c.GetProperty("optimizer").GetString()!, defaults, groups, [w, b]);
        double sign = defaults.GetValueOrDefault("maximize") != 0 ? -1 : 1;
        Tensor Closure()
        {
            optimizer.ZeroGrad();
            var loss = Loss(w, b) * sign;
            loss.Backward();
            return loss;
        }
        return (optimizer, w, b, Closure, c);
    }

    [TestCaseSource(nameof(Cases))]
    public void FollowsPyTorchsTrajectory(string name)
    {
        var (optimizer, w, b, closure, c) = Build(name);
        bool lbfgs = optimizer is LBFGS;
        var trajectory = c.GetProperty("trajectory").EnumerateArray().Select(Fixture.Doubles).ToArray();
        var losses = Fixture.Doubles(c.GetProperty("losses"));
        Assert.That(trajectory, Has.Length.EqualTo(c.GetProperty("steps").GetInt32()));
        for (int s = 0; s < trajectory.Length; s++)
        {
            double loss;
            if (lbfgs)
            {
                loss = optimizer.Step(closure).Item();
            }
            else
            {
                loss = closure().Item();
                optimizer.Step();
            }
            Assert.That(loss, Is.EqualTo(losses[s]).Within(Tol), $"{name}: the loss before step {s + 1}");
            double[] got = [.. w.ToArray<double>(), .. b.ToArray<double>()];
            Assert.That(got, Is.EqualTo(trajectory[s]).Within(Tol), $"{name}: the parameters after step {s + 1}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void StateDictRoundTripThroughACheckpointContinuesTheTrajectory(string name)
    {
        var (optimizer, w, b, closure, c) = Build(name);
        bool lbfgs = optimizer is LBFGS;
        var trajectory = c.GetProperty("trajectory").EnumerateArray().Select(Fixture.Doubles).ToArray();
        int half = trajectory.Length / 2;
        void StepOnce(Optimizer o, Func<Tensor> f)
        {
            if (lbfgs) o.Step(f);
            else
            {
                f();
                o.Step();
            }
        }
        for (int s = 0; s < half; s++) StepOnce(optimizer, closure);

        var path = Path.Combine(Path.GetTempPath(), $"optim-{Guid.NewGuid():N}.safetensors");
        try
        {
            Autograd.Nn.Checkpoints.SafeTensors.Save(path, optimizer.StateDict());
            var loaded = Autograd.Nn.Checkpoints.SafeTensors.Load(path).Tensors;

            // A fresh optimizer (new parameters at the saved values) continues exactly where the first left off.
            var (fresh, w2, b2, closure2, _) = Build(name);
            using (Autodiff.NoGrad())
            {
                w2.CopyFrom(w);
                b2.CopyFrom(b);
            }
            foreach (var g in fresh.ParamGroups) g.LearningRate = 123; // overwritten by the load
            fresh.LoadStateDict(loaded);
            Assert.That(fresh.ParamGroups.Select(g => g.Options.OrderBy(kv => kv.Key).ToArray()),
                Is.EqualTo(optimizer.ParamGroups.Select(g => g.Options.OrderBy(kv => kv.Key).ToArray())), "group options restored");
            for (int s = half; s < trajectory.Length; s++)
            {
                StepOnce(fresh, closure2);
                double[] got = [.. w2.ToArray<double>(), .. b2.ToArray<double>()];
                Assert.That(got, Is.EqualTo(trajectory[s]).Within(Tol), $"{name}: the parameters after step {s + 1}, resumed");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
