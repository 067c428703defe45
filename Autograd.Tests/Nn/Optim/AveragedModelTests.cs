using System.Text.Json;
using Autograd.Nn;
using Autograd.Nn.Optim;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Nn.Optim;

/// <summary>
/// AveragedModel against PyTorch 1.13's torch.optim.swa_utils.AveragedModel (Fixtures/Swa/make_swa.py): a
/// Linear → BatchNorm1d trained by SGD with an update after every step, averaged equally, exponentially, and with
/// buffers; then its checks, which leave the average unchanged when they refuse.
/// </summary>
public class AveragedModelTests
{
    private static readonly JsonElement Root = Fixture.Json("Swa", "swa.json");

    private static Sequential Build()
    {
        var model = new Sequential(new Linear(3, 2, dtype: DType.Float64), new BatchNorm1d(2, dtype: DType.Float64));
        var linear = (Linear)model[0];
        using var _ = Autodiff.NoGrad();
        linear.Weight.CopyFrom(Tensor.From(Rows(Root.GetProperty("w0")), 2, 3));
        linear.Bias!.CopyFrom(Tensor.From(Fixture.Doubles(Root.GetProperty("b0"))));
        return model;
    }

    private static double[] Rows(JsonElement matrix) => matrix.EnumerateArray().SelectMany(Fixture.Doubles).ToArray();

    private static IEnumerable<TestCaseData> Cases() =>
        Root.GetProperty("cases").EnumerateArray().Select(c => new TestCaseData(c.GetProperty("name").GetString()).SetArgDisplayNames(c.GetProperty("name").GetString()!));

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorchAfterEveryUpdate(string name)
    {
        var c = Root.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var decay = c.GetProperty("decay");
        var model = Build();
        var averaged = new AveragedModel(model, Build(),
            decay.ValueKind == JsonValueKind.Null ? null : AveragedModel.EmaAverage(decay.GetDouble()),
            useBuffers: c.GetProperty("use_buffers").GetBoolean());
        var sgd = new SGD(model.Parameters(), lr: 0.1);
        var batches = Root.GetProperty("x").EnumerateArray().Select(b => Tensor.From(Rows(b), 4, 3)).ToList();
        var target = Tensor.From(Rows(Root.GetProperty("y")), 4, 2);
        var steps = c.GetProperty("steps").EnumerateArray().ToList();
        for (int step = 0; step < batches.Count; step++)
        {
            sgd.ZeroGrad();
            var d = model.Forward(batches[step]) - target;
            (d * d).Sum().Backward();
            sgd.Step();
            averaged.UpdateParameters(model);

            var state = averaged.StateDict();
            var expected = steps[step];
            Assert.That(state.Keys, Is.EquivalentTo(expected.EnumerateObject().Select(p => p.Name)), $"step {step + 1}: the state's names");
            foreach (var entry in expected.EnumerateObject())
            {
                var actual = state[entry.Name];
                var want = Fixture.Doubles(entry.Value);
                if (actual.DType == DType.Int64)
                    Assert.That(actual.ToArray<long>().Select(v => (double)v), Is.EqualTo(want), $"step {step + 1}: {entry.Name}");
                else
                    Assert.That(actual.ToArray<double>(), Is.EqualTo(want).Within(1e-12), $"step {step + 1}: {entry.Name}");
            }
        }
        averaged.Eval();
        model.Eval();
        Assert.That(averaged.Forward(batches[0]).ToArray<double>(), Is.EqualTo(averaged.Module.Forward(batches[0]).ToArray<double>()),
            "the averaged model runs its copy");
    }

    [Test]
    public void TheFirstUpdateCopiesTheModelAndTheCopyIsIndependentOfIt()
    {
        var model = Build();
        var averaged = new AveragedModel(model, new Sequential(new Linear(3, 2, dtype: DType.Float64), new BatchNorm1d(2, dtype: DType.Float64)));
        Assert.That(averaged.NAveraged.Item<long>(), Is.Zero);
        Assert.That(((Linear)((Sequential)averaged.Module)[0]).Weight.ToArray<double>(), Is.EqualTo(((Linear)model[0]).Weight.ToArray<double>()),
            "the constructor loads the model's state into the copy");

        using (Autodiff.NoGrad()) ((Linear)model[0]).Weight.MulInPlace(2.0);
        Assert.That(((Linear)((Sequential)averaged.Module)[0]).Weight.ToArray<double>(), Is.Not.EqualTo(((Linear)model[0]).Weight.ToArray<double>()),
            "training the model does not move the copy");
        averaged.UpdateParameters(model);
        Assert.That(((Linear)((Sequential)averaged.Module)[0]).Weight.ToArray<double>(), Is.EqualTo(((Linear)model[0]).Weight.ToArray<double>()),
            "the first update is a copy, whatever the averaging function");
        Assert.That(averaged.NAveraged.Item<long>(), Is.EqualTo(1));
        Assert.That(averaged.ToString(), Does.Contain("n_averaged=1"));
    }

    [Test]
    public void RefusesACopyThatIsTheModelOrSharesItsTensorsOrDiffersFromIt()
    {
        var model = Build();
        Assert.Throws<ArgumentNullException>(() => new AveragedModel(null!, Build()));
        Assert.Throws<ArgumentNullException>(() => new AveragedModel(model, null!));
        var same = Assert.Throws<ArgumentException>(() => new AveragedModel(model, model))!;
        Assert.That(same.Message, Does.Contain("AveragedModel").And.Contain("separate instance"));
        var shared = Assert.Throws<ArgumentException>(() => new AveragedModel(model, new Sequential(model[0], new BatchNorm1d(2, dtype: DType.Float64))))!;
        Assert.That(shared.Message, Does.Contain("sharing no parameter"));
        var other = Assert.Throws<ArgumentException>(() => new AveragedModel(model, new Sequential(new Linear(3, 4, dtype: DType.Float64))))!;
        Assert.That(other.Message, Does.Contain("AveragedModel").And.Contain("0.weight"));
    }

    [Test]
    public void AMismatchedModelOrAveragingFunctionChangesNothing()
    {
        var model = Build();
        var averaged = new AveragedModel(model, Build(), (a, c, n) => n < 2 ? a + c : a.Sum());
        averaged.UpdateParameters(model);
        averaged.UpdateParameters(model);
        var before = averaged.StateDict().ToDictionary(e => e.Key, e => e.Value.To(DType.Float64).ToArray<double>());

        var wrong = new Sequential(new Linear(3, 5, dtype: DType.Float64), new BatchNorm1d(5, dtype: DType.Float64));
        var e1 = Assert.Throws<ArgumentException>(() => averaged.UpdateParameters(wrong))!;
        Assert.That(e1.Message, Does.Contain("AveragedModel.UpdateParameters").And.Contain("'0.weight' has shape [5, 3]").And.Contain("Nothing was changed"));
        var e2 = Assert.Throws<ArgumentException>(() => averaged.UpdateParameters(new Linear(3, 2, dtype: DType.Float64)))!;
        Assert.That(e2.Message, Does.Contain("the model has 2 parameters, the averaged model 4"));
        var e4 = Assert.Throws<ArgumentException>(() => averaged.UpdateParameters(Build().Float()))!;
        Assert.That(e4.Message, Does.Contain("'0.weight' has dtype float32 in the model, float64 in the averaged model"));
        var e3 = Assert.Throws<InvalidOperationException>(() => averaged.UpdateParameters(model))!;
        Assert.That(e3.Message, Does.Contain("returned shape []").And.Contain("'0.weight' of shape [2, 3]"));
        Assert.Throws<ArgumentNullException>(() => averaged.UpdateParameters(null!));

        var after = averaged.StateDict().ToDictionary(e => e.Key, e => e.Value.To(DType.Float64).ToArray<double>());
        Assert.That(after, Is.EqualTo(before), "a refused update leaves the average and n_averaged as they were");
    }

    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void EmaAverageRefusesADecayOutsideZeroToOne(double decay) =>
        Assert.That(() => AveragedModel.EmaAverage(decay),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("AveragedModel.EmaAverage"));

    [Test]
    public void ItsStateRoundTripsThroughAStateDictionary()
    {
        var model = Build();
        var averaged = new AveragedModel(model, Build());
        averaged.UpdateParameters(model);
        using (Autodiff.NoGrad()) ((Linear)model[0]).Weight.AddInPlace(0.25);
        averaged.UpdateParameters(model);
        var restored = new AveragedModel(Build(), Build());
        restored.LoadStateDict(averaged.StateDict());
        Assert.That(restored.NAveraged.Item<long>(), Is.EqualTo(2));
        Assert.That(((Linear)((Sequential)restored.Module)[0]).Weight.ToArray<double>(), Is.EqualTo(((Linear)((Sequential)averaged.Module)[0]).Weight.ToArray<double>()));
    }
}
