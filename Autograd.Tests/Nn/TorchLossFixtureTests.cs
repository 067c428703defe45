using System.Text.Json;
using Autograd.Nn;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Nn;

/// <summary>
/// Every loss of <see cref="Losses"/> in the fixture Fixtures/Losses/losses.json (PyTorch 1.13, float64; written by
/// make_losses.py beside it): values and input gradients for every reduction and option combination, to 1e-12 in
/// float64 and loosely in float32.
/// </summary>
public class TorchLossFixtureTests
{
    private static readonly JsonElement[] Cases = Fixture.Json("Losses", "losses.json").GetProperty("cases").EnumerateArray().ToArray();

    public static IEnumerable<TestCaseData> All() =>
        Cases.Select((c, i) => new TestCaseData(i).SetName($"{c.GetProperty("loss").GetString()}#{i} {c.GetProperty("reduction").GetString()} {Describe(c)}"));

    private static string Describe(JsonElement c) =>
        string.Join(" ", c.GetProperty("inputs").EnumerateObject().Select(p => $"{p.Name}[{string.Join(",", p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()))}]")) +
        " " + c.GetProperty("options").GetRawText().Replace("\"", "'");

    [TestCaseSource(nameof(All))]
    public void Float64_MatchesPyTorchValueAndGradients(int index) => Check(Cases[index], DType.Float64, 1e-12);

    [TestCaseSource(nameof(All))]
    public void Float32_MatchesPyTorchLoosely(int index) => Check(Cases[index], DType.Float32, 2e-4);

    [Test]
    public void TheFixtureCoversEveryLossAndReduction()
    {
        var seen = Cases.Select(c => (c.GetProperty("loss").GetString(), c.GetProperty("reduction").GetString())).ToHashSet();
        string[] losses =
        [
            "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss",
            "multi_margin_loss", "triplet_margin_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div",
            "poisson_nll_loss", "hinge_embedding_loss", "gaussian_nll_loss", "soft_margin_loss", "margin_ranking_loss",
        ];
        foreach (var loss in losses)
            foreach (var r in new[] { "none", "mean", "sum" })
                Assert.That(seen, Does.Contain((loss, r)));
        Assert.That(Fixture.Json("Losses", "losses.json").GetProperty("torch").GetString(), Does.StartWith("1.13"));
    }

    private static void Check(JsonElement c, DType dtype, double tol)
    {
        var inputs = new Dictionary<string, Tensor>();
        var gradNames = c.TryGetProperty("grads", out var grads) ? grads.EnumerateObject().Select(p => p.Name).ToHashSet() : [];
        foreach (var p in c.GetProperty("inputs").EnumerateObject())
        {
            var t = Read(p.Value, dtype);
            inputs[p.Name] = gradNames.Contains(p.Name) ? t.RequireGrad() : t;
        }
        var reduction = c.GetProperty("reduction").GetString() switch
        {
            "none" => Reduction.None,
            "sum" => Reduction.Sum,
            _ => Reduction.Mean,
        };
        var output = Call(c.GetProperty("loss").GetString()!, inputs, c.GetProperty("options"), reduction, dtype);
        Compare("value", output, c.GetProperty("value"), tol);
        if (gradNames.Count == 0) return;
        var total = reduction == Reduction.None ? (output * Read(c.GetProperty("upstream"), dtype)).Sum() : output;
        total.Backward();
        foreach (var p in grads.EnumerateObject())
        {
            var g = inputs[p.Name].Grad ?? Tensor.ZerosLike(inputs[p.Name]);
            Compare($"gradient of {p.Name}", g, p.Value, tol);
        }
    }

    private static Tensor Call(string loss, Dictionary<string, Tensor> x, JsonElement o, Reduction r, DType dtype)
    {
        Tensor? T(string name)
        {
            if (!o.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) return null;
            if (v[0].ValueKind != JsonValueKind.Array) return Tensor.From(Fixture.Doubles(v), [v.GetArrayLength()]).To(dtype);
            var rows = v.EnumerateArray().Select(Fixture.Doubles).ToArray();
            return Tensor.From(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]).To(dtype);
        }
        double Num(string name, double fallback) => o.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        bool Flag(string name, bool fallback) => o.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;
        long Index() => o.TryGetProperty("ignore_index", out var v) ? v.GetInt64() : -100;
        return loss switch
        {
            "cross_entropy" => Losses.CrossEntropy(x["input"], x["target"], r, T("weight"), Index(), Num("label_smoothing", 0)),
            "nll_loss" => Losses.NllLoss(x["input"], x["target"], r, T("weight"), Index()),
            "binary_cross_entropy" => Losses.BinaryCrossEntropy(x["input"], x["target"], r, T("weight")),
            "binary_cross_entropy_with_logits" => Losses.BinaryCrossEntropyWithLogits(x["input"], x["target"], r, T("weight"), T("pos_weight")),
            "cosine_embedding_loss" => Losses.CosineEmbeddingLoss(x["input1"], x["input2"], x["target"], r, Num("margin", 0)),
            "multi_margin_loss" => Losses.MultiMarginLoss(x["input"], x["target"], r, (int)Num("p", 1), Num("margin", 1), T("weight")),
            "triplet_margin_loss" => Losses.TripletMarginLoss(
                x["anchor"], x["positive"], x["negative"], r, Num("margin", 1), Num("p", 2), Num("eps", 1e-6), Flag("swap", false)),
            "mse_loss" => Losses.MseLoss(x["input"], x["target"], r),
            "l1_loss" => Losses.L1Loss(x["input"], x["target"], r),
            "huber_loss" => Losses.HuberLoss(x["input"], x["target"], r, Num("delta", 1)),
            "smooth_l1_loss" => Losses.SmoothL1Loss(x["input"], x["target"], r, Num("beta", 1)),
            "kl_div" => Losses.KlDivLoss(x["input"], x["target"], r, Flag("log_target", false)),
            "poisson_nll_loss" => Losses.PoissonNllLoss(x["input"], x["target"], r, Flag("log_input", true), Flag("full", false)),
            "hinge_embedding_loss" => Losses.HingeEmbeddingLoss(x["input"], x["target"], r, Num("margin", 1)),
            "gaussian_nll_loss" => Losses.GaussianNllLoss(x["input"], x["target"], x["var"], r, Flag("full", false)),
            "soft_margin_loss" => Losses.SoftMarginLoss(x["input"], x["target"], r),
            "margin_ranking_loss" => Losses.MarginRankingLoss(x["input1"], x["input2"], x["target"], r, Num("margin", 0)),
            _ => throw new InvalidOperationException($"fixture: unknown loss {loss}"),
        };
    }

    private static Tensor Read(JsonElement t, DType dtype)
    {
        var shape = t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = Fixture.Doubles(t.GetProperty("data"));
        if (t.GetProperty("dtype").GetString() == "int64")
            return Tensor.From(data.Select(v => (long)v).ToArray(), shape);
        return Tensor.From(data, shape).To(dtype);
    }

    private static void Compare(string what, Tensor actual, JsonElement expected, double tol)
    {
        var shape = expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        Assert.That(actual.Shape, Is.EqualTo(shape), what + " shape");
        var want = Fixture.Doubles(expected.GetProperty("data"));
        var got = actual.ToArray<double>();
        for (int i = 0; i < want.Length; i++)
        {
            if (double.IsNaN(want[i]) || double.IsInfinity(want[i]))
                Assert.That(got[i], Is.EqualTo(want[i]), $"{what} at {i}");
            else
                Assert.That(got[i], Is.EqualTo(want[i]).Within(tol * Math.Max(1, Math.Abs(want[i]))), $"{what} at {i}");
        }
    }
}
