using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// Embedding and EmbeddingBag: lookups and gradients by index, padding rows, max_norm, bags with offsets, empty
/// bags, refusals, printed forms and GradCheck; PyTorch's values are in <see cref="TorchWeightsTests"/>.
/// </summary>
public class EmbeddingTests
{
    private const double Tol = 1e-12;

    private static Tensor Idx(params long[] v) => Tensor.From(v);

    [Test]
    public void Embedding_LooksUpRowsForAnyIndexShape()
    {
        var m = new Embedding(7, 3, generator: new Generator(1), dtype: DType.Float64);
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight" }));
        Assert.That(m.ToString(), Is.EqualTo("Embedding(7, 3)"));
        var idx = Tensor.From(new long[] { 6, 0, 2, 2, 5, 1 }, 2, 3);
        var y = m.Forward(idx);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3, 3 }));
        var w = m.Weight.ToArray<double>();
        var ys = y.ToArray<double>();
        var flat = idx.ToArray<long>();
        for (int i = 0; i < flat.Length; i++)
            for (int d = 0; d < 3; d++) Assert.That(ys[i * 3 + d], Is.EqualTo(w[flat[i] * 3 + d]));
        Assert.That(m.Forward(Tensor.From(Array.Empty<long>())).Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(m.Forward(Tensor.Scalar(4, DType.Int64)).Shape, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void Embedding_GradientIsAccumulatedByIndex_AndThePaddingRowIsZeroAndGetsNone()
    {
        var m = new Embedding(5, 2, paddingIdx: -1, generator: new Generator(2), dtype: DType.Float64);
        Assert.That(m.PaddingIdx, Is.EqualTo(4));
        Assert.That(m.ToString(), Is.EqualTo("Embedding(5, 2, padding_idx=4)"));
        Assert.That(m.Weight.Slice(0, 4, 5).ToArray<double>(), Is.All.EqualTo(0));
        var idx = Idx(1, 4, 1, 3, 4);
        var g = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5, 2);
        m.Forward(idx).Backward(g);
        Assert.That(m.Weight.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 1 + 5, 2 + 6, 0, 0, 7, 8, 0, 0 }));
        Assert.That(m.Weight.GradFnName, Is.Null);
    }

    [Test]
    public void Embedding_MaxNormScalesOnlyTheLookedUpRowsThatExceedIt()
    {
        var m = new Embedding(4, 3, maxNorm: 1.0, normType: 1, generator: new Generator(3), dtype: DType.Float64);
        Assert.That(m.ToString(), Is.EqualTo("Embedding(4, 3, max_norm=1.0, norm_type=1.0)"));
        using (Autodiff.NoGrad()) m.Weight.CopyFrom(Tensor.From(new double[] { 3, -1, 0, 0.2, 0.3, 0.1, 1, 1, 2, 5, 5, 5 }, 4, 3));
        var y = m.Forward(Idx(0, 1, 0, 2));
        double s0 = 1.0 / (4 + 1e-7), s2 = 1.0 / (4 + 1e-7);
        Assert.That(m.Weight.ToArray<double>(), Is.EqualTo(new[] { 3 * s0, -s0, 0, 0.2, 0.3, 0.1, s2, s2, 2 * s2, 5, 5, 5 }).Within(Tol));
        Assert.That(y.Slice(0, 0, 1).ToArray<double>(), Is.EqualTo(new[] { 3 * s0, -s0, 0 }).Within(Tol));
    }

    [Test]
    public void Embedding_PassesGradCheckThroughTheLookup()
    {
        var idx = Idx(2, 0, 2, 1);
        // The lookup is linear in the table: y = W[idx]; check it as a function of W (index_select's backward).
        Assert.That(GradCheck.CheckSecondOrder(a => a[0].IndexSelect(0, idx).Tanh(), [Tensor.Normal([3, 2], new Generator(4), dtype: DType.Float64).RequireGrad()]), Gradients.Match);
        var m = new Embedding(3, 2, paddingIdx: 0, generator: new Generator(5), dtype: DType.Float64);
        var x = Tensor.Normal([4, 2], new Generator(6), dtype: DType.Float64).RequireGrad();
        Assert.That(GradCheck.CheckSecondOrder(a => (m.Forward(idx) * a[0]).Tanh(), [x]), Gradients.Match);
    }

    [Test]
    public void Embedding_RefusesOutOfRangeIndicesNamingThem()
    {
        var m = new Embedding(3, 2);
        Assert.That(() => m.Forward(Idx(0, 5)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Embedding: index 5 (at flat position 1"));
        Assert.That(() => m.Forward(Idx(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Embedding: index -1"));
        Assert.That(() => m.Forward(Tensor.Zeros([2])), Throws.ArgumentException.With.Message.StartsWith("Embedding: expected an int64 tensor of indices, got float32"));
        Assert.That(() => new Embedding(3, 2, paddingIdx: 3), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Embedding: paddingIdx 3"));
    }

    // ---- EmbeddingBag --------------------------------------------------------------------------------------------

    [Test]
    public void EmbeddingBag_SumsMeansAndMaximaOverBagsGivenByOffsets_EmptyBagsGiveZeros()
    {
        var w = Tensor.From(new double[] { 1, 2, 3, 4, -5, 6, 7, -8 }, 4, 2);
        EmbeddingBag Make(string mode, int? pad = null)
        {
            var bag = new EmbeddingBag(4, 2, mode, pad, dtype: DType.Float64);
            using (Autodiff.NoGrad()) bag.Weight.CopyFrom(w);
            return bag;
        }
        var input = Idx(0, 2, 1, 3, 3);
        var offsets = Idx(0, 2, 2);   // bags [0, 2], [], [1, 3, 3]
        Assert.That(Make("sum").Forward(input, offsets).ToArray<double>(), Is.EqualTo(new double[] { 1 - 5, 2 + 6, 0, 0, 3 + 14, 4 - 16 }).Within(Tol));
        Assert.That(Make("mean").Forward(input, offsets).ToArray<double>(), Is.EqualTo(new double[] { -2, 4, 0, 0, 17 / 3.0, -4 }).Within(Tol));
        Assert.That(Make("max").Forward(input, offsets).ToArray<double>(), Is.EqualTo(new double[] { 1, 6, 0, 0, 7, 4 }).Within(Tol));
        // padding_idx 3 leaves the bag [1]: the mean counts one member.
        var padded = Make("mean", 3);
        Assert.That(padded.ToString(), Is.EqualTo("EmbeddingBag(4, 2, mode=mean, padding_idx=3)"));
        Assert.That(padded.Forward(input, offsets).ToArray<double>().Skip(4), Is.EqualTo(new double[] { 3, 4 }).Within(Tol));
        // 2-D input: each row is a bag.
        Assert.That(Make("sum").Forward(Tensor.From(new long[] { 0, 1, 2, 3 }, 2, 2)).ToArray<double>(), Is.EqualTo(new double[] { 4, 6, 2, -2 }).Within(Tol));
    }

    [Test]
    public void EmbeddingBag_GradientReachesTheTableByIndex()
    {
        var bag = new EmbeddingBag(4, 2, "mean", generator: new Generator(7), dtype: DType.Float64);
        bag.Forward(Idx(1, 1, 2), Idx(0, 2)).Backward(Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2));
        Assert.That(bag.Weight.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 1, 2, 3, 4, 0, 0 }).Within(Tol));
        var idx = Tensor.From(new long[] { 0, 3, 3, 1, 2, 0 }, 3, 2);
        foreach (var mode in new[] { "sum", "mean" })
        {
            var m = new EmbeddingBag(4, 2, mode, generator: new Generator(8), dtype: DType.Float64);
            var x = Tensor.Normal([3, 2], new Generator(9), dtype: DType.Float64).RequireGrad();
            Assert.That(GradCheck.CheckSecondOrder(a => (m.Forward(idx) * a[0]).Tanh(), [x]), Gradients.Match, mode);
        }
    }

    [Test]
    public void EmbeddingBag_RefusesBadModesInputsAndOffsets()
    {
        Assert.That(() => new EmbeddingBag(3, 2, "median"), Throws.ArgumentException.With.Message.StartsWith("EmbeddingBag: mode must be"));
        var bag = new EmbeddingBag(3, 2);
        Assert.That(() => bag.Forward(Idx(0, 1)), Throws.ArgumentException.With.Message.StartsWith("EmbeddingBag: expected a 2-D input"));
        Assert.That(() => bag.Forward(Idx(0, 1), Idx(1)), Throws.ArgumentException.With.Message.StartsWith("EmbeddingBag: offsets[0] has to be 0"));
        Assert.That(() => bag.Forward(Idx(0, 1), Idx(0, 3)), Throws.ArgumentException.With.Message.StartsWith("EmbeddingBag: offsets must be non-decreasing"));
        Assert.That(() => bag.Forward(Idx(0, 7), Idx(0)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.StartsWith("EmbeddingBag: index 7"));
    }
}
