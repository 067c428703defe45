using System.Text.Json;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Nn;

/// <summary>
/// PyTorch 1.13 state dicts of seeded layers (Fixtures/Layers/layers.safetensors, written by make_layers.py) loaded
/// into our modules with <see cref="Module.LoadStateDict"/>: outputs, input and parameter gradients, running
/// statistics and printed forms equal to PyTorch's in float64.
/// </summary>
public class TorchWeightsTests
{
    private const double Tol = 1e-12;
    private static readonly Dictionary<string, Tensor> State = SafeTensors.Load(Fixture.Path("Layers", "layers.safetensors")).Tensors;
    private static readonly JsonElement Cases = Fixture.Json("Layers", "layers.json").GetProperty("cases");

    private static JsonElement Case(string name) => Cases.GetProperty(name);

    private static Tensor F64(JsonElement a) =>
        Tensor.From(Fixture.Doubles(a.GetProperty("data")), a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());

    private static Tensor I64(JsonElement a) =>
        Tensor.From(a.GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToArray(), a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());

    private static T Load<T>(string name, T module) where T : Module
    {
        string prefix = name + ".";
        module.LoadStateDict(State.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
        Assert.That(module.ToString(), Is.EqualTo(Case(name).GetProperty("repr").GetString()));
        return module;
    }

    private static void AssertClose(Tensor actual, JsonElement expected, string what)
    {
        var e = F64(expected);
        Assert.That(actual.Shape, Is.EqualTo(e.Shape), what);
        Assert.That(actual.ToArray<double>(), Is.EqualTo(e.ToArray<double>()).Within(Tol), what);
    }

    private static void AssertGrads(Module module, JsonElement c)
    {
        var grads = c.GetProperty("grads");
        var named = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.That(named.Keys, Is.EquivalentTo(grads.EnumerateObject().Select(p => p.Name)));
        foreach (var p in grads.EnumerateObject())
            AssertClose(named[p.Name].Grad!, p.Value, "grad of " + p.Name);
    }

    // Runs y = f(x), backward with the fixture's grad_output, and checks y, x.grad and the parameters' gradients.
    private static void CheckCase(string name, Module module, Func<Tensor, Tensor> forward)
    {
        var c = Case(name);
        var x = F64(c.GetProperty("input")).RequireGrad();
        var y = forward(x);
        AssertClose(y, c.GetProperty("output"), "output");
        y.Backward(F64(c.GetProperty("grad_output")));
        AssertClose(x.Grad!, c.GetProperty("grad_input"), "grad_input");
        AssertGrads(module, c);
    }

    [Test]
    public void Linear_MatchesPyTorch()
    {
        var m = Load("linear", new Linear(4, 3, dtype: DType.Float64));
        CheckCase("linear", m, m.Forward);
    }

    [Test]
    public void LayerNorm_MatchesPyTorch()
    {
        var m = Load("layer_norm", new LayerNorm([2, 3], dtype: DType.Float64));
        CheckCase("layer_norm", m, m.Forward);
    }

    [TestCase("batch_norm", 0.1)]
    [TestCase("batch_norm_3d", null)]
    public void BatchNorm1d_MatchesPyTorchInTrainingAndEvaluation(string name, double? momentum)
    {
        var m = Load(name, new BatchNorm1d(3, momentum: momentum, dtype: DType.Float64));
        Assert.That(m.NumBatchesTracked!.Item<long>(), Is.EqualTo(3));
        CheckCase(name, m, m.Forward);
        var c = Case(name);
        AssertClose(m.RunningMean!, c.GetProperty("running_mean_after"), "running_mean");
        AssertClose(m.RunningVar!, c.GetProperty("running_var_after"), "running_var");
        Assert.That(m.NumBatchesTracked!.Item<long>(), Is.EqualTo(c.GetProperty("num_batches_tracked_after").GetInt64()));

        m.Eval();
        var x = F64(c.GetProperty("input")).RequireGrad();
        var y = m.Forward(x);
        AssertClose(y, c.GetProperty("eval_output"), "eval output");
        y.Backward(F64(c.GetProperty("grad_output")));
        AssertClose(x.Grad!, c.GetProperty("eval_grad_input"), "eval grad_input");
        AssertClose(m.RunningMean!, c.GetProperty("running_mean_after"), "running_mean unchanged in eval");
    }

    [Test]
    public void GroupNorm_MatchesPyTorch()
    {
        var m = Load("group_norm", new GroupNorm(2, 4, dtype: DType.Float64));
        CheckCase("group_norm", m, m.Forward);
    }

    [Test]
    public void RMSNorm_MatchesTheHandComputedPyTorchFormula()
    {
        var m = new RMSNorm([2, 3], dtype: DType.Float64);
        m.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = State["rms_norm.weight"] });
        Assert.That(m.ToString(), Is.EqualTo(Case("rms_norm").GetProperty("repr").GetString()));
        var c = Case("rms_norm");
        var x = F64(c.GetProperty("input")).RequireGrad();
        var y = m.Forward(x);
        AssertClose(y, c.GetProperty("output"), "output");
        y.Backward(F64(c.GetProperty("grad_output")));
        AssertClose(x.Grad!, c.GetProperty("grad_input"), "grad_input");
    }

    [Test]
    public void Embedding_MatchesPyTorch_PaddingRowGetsNoGradient()
    {
        var m = Load("embedding", new Embedding(10, 3, paddingIdx: 1, dtype: DType.Float64));
        var c = Case("embedding");
        var y = m.Forward(I64(c.GetProperty("input")));
        AssertClose(y, c.GetProperty("output"), "output");
        y.Backward(F64(c.GetProperty("grad_output")));
        AssertGrads(m, c);
        Assert.That(m.Weight.Grad!.Slice(0, 1, 2).ToArray<double>(), Is.All.EqualTo(0));
    }

    [Test]
    public void Embedding_MaxNormRenormalizesTheLookedUpRowsInPlaceAsPyTorch()
    {
        var m = Load("embedding_max_norm", new Embedding(6, 4, maxNorm: 1.5, dtype: DType.Float64));
        var c = Case("embedding_max_norm");
        var y = m.Forward(I64(c.GetProperty("input")));
        AssertClose(y, c.GetProperty("output"), "output");
        AssertClose(m.Weight, c.GetProperty("weight_after"), "weight after the lookup");
    }

    [TestCase("embedding_bag_mean", 8, "mean", 0)]
    [TestCase("embedding_bag_sum", 8, "sum", null)]
    [TestCase("embedding_bag_max", 8, "max", null)]
    public void EmbeddingBag_MatchesPyTorch(string name, int num, string mode, int? paddingIdx)
    {
        var m = Load(name, new EmbeddingBag(num, 3, mode, paddingIdx, dtype: DType.Float64));
        var c = Case(name);
        var input = I64(c.GetProperty("input"));
        var offsets = c.GetProperty("offsets");
        var y = offsets.ValueKind == JsonValueKind.Null ? m.Forward(input) : m.Forward(input, I64(offsets));
        AssertClose(y, c.GetProperty("output"), "output");
        y.Backward(F64(c.GetProperty("grad_output")));
        AssertGrads(m, c);
    }

    [Test]
    public void Bilinear_MatchesPyTorch()
    {
        var m = Load("bilinear", new Bilinear(3, 2, 4, dtype: DType.Float64));
        var c = Case("bilinear");
        var x1 = F64(c.GetProperty("input")).RequireGrad();
        var x2 = F64(c.GetProperty("input2")).RequireGrad();
        var y = m.Forward(x1, x2);
        AssertClose(y, c.GetProperty("output"), "output");
        y.Backward(F64(c.GetProperty("grad_output")));
        AssertClose(x1.Grad!, c.GetProperty("grad_input"), "grad_input");
        AssertClose(x2.Grad!, c.GetProperty("grad_input2"), "grad_input2");
        AssertGrads(m, c);
    }

    [Test]
    public void Sequential_OfLinearLayerNormTanhLinear_MatchesPyTorch()
    {
        var m = new Sequential(new Linear(4, 5, dtype: DType.Float64), new LayerNorm(5, dtype: DType.Float64), new Tanh(), new Linear(5, 2, dtype: DType.Float64));
        string prefix = "sequential.";
        m.LoadStateDict(State.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
        Assert.That(m.ToString(), Is.EqualTo(Case("sequential").GetProperty("repr").GetString()));
        CheckCase("sequential", m, m.Forward);
    }

    [TestCase("layer_norm")]
    [TestCase("batch_norm")]
    [TestCase("group_norm")]
    [TestCase("bilinear")]
    public void Float32LayersLoadedFromTheFloat64WeightsAgreeWithPyTorchLoosely(string name)
    {
        Module m = name switch
        {
            "layer_norm" => new LayerNorm([2, 3]),
            "batch_norm" => new BatchNorm1d(3),
            "group_norm" => new GroupNorm(2, 4),
            _ => new Bilinear(3, 2, 4),
        };
        string prefix = name + ".";
        m.LoadStateDict(State.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value.DType == DType.Float64 ? kv.Value.To(DType.Float32) : kv.Value));
        var c = Case(name);
        var x = F64(c.GetProperty("input")).To(DType.Float32);
        var y = m is Bilinear b ? b.Forward(x, F64(c.GetProperty("input2")).To(DType.Float32)) : m.Forward(x);
        Assert.That(y.DType, Is.EqualTo(DType.Float32));
        Assert.That(y.ToArray<double>(), Is.EqualTo(F64(c.GetProperty("output")).ToArray<double>()).Within(2e-5));
    }

    [Test]
    public void EveryNewLayerRoundTripsThroughACheckpointFile()
    {
        // A ModuleList, not a Sequential: the layers are not chained (Bilinear takes two inputs).
        Module Build(ulong seed) => new ModuleList(
            new Embedding(6, 4, paddingIdx: 0, generator: new Generator(seed), dtype: DType.Float64),
            new LayerNorm(4, dtype: DType.Float64),
            new BatchNorm1d(3, dtype: DType.Float64),
            new GroupNorm(1, 3, dtype: DType.Float64),
            new RMSNorm(4, dtype: DType.Float64),
            new EmbeddingBag(5, 2, "sum", generator: new Generator(seed + 1), dtype: DType.Float64),
            new Bilinear(2, 3, 2, generator: new Generator(seed + 2), dtype: DType.Float64));
        var trained = Build(1);
        var bn = (BatchNorm1d)((ModuleList)trained)[2];
        bn.Forward(Tensor.Normal([5, 3], new Generator(3), dtype: DType.Float64));
        string path = Path.Combine(Path.GetTempPath(), "autograd-layers-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            Checkpoint.Save(trained, path);
            var fresh = Build(2);
            Checkpoint.Load(fresh, path);
            var expected = trained.StateDict();
            var actual = fresh.StateDict();
            Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
            Assert.That(actual.Keys, Does.Contain("2.num_batches_tracked"));
            foreach (var (k, v) in expected)
            {
                Assert.That(actual[k].DType, Is.EqualTo(v.DType), k);
                Assert.That(actual[k].ToArray<double>(), Is.EqualTo(v.ToArray<double>()), k);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void StateDictKeysAndDTypesAreTorchs()
    {
        var bn = new BatchNorm1d(3, dtype: DType.Float64);
        var keys = State.Keys.Where(k => k.StartsWith("batch_norm.", StringComparison.Ordinal)).Select(k => k["batch_norm.".Length..]);
        Assert.That(bn.StateDict().Keys, Is.EquivalentTo(keys));
        Assert.That(State["batch_norm.num_batches_tracked"].DType, Is.EqualTo(DType.Int64));
        Assert.That(State["batch_norm.num_batches_tracked"].Rank, Is.EqualTo(0));
        Assert.That(bn.NumBatchesTracked!.DType, Is.EqualTo(DType.Int64));
    }
}
