using System.Text.Json;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Ops;

/// <summary>
/// The indexing and movement ops of Tensor.Indexing.cs against PyTorch 1.13 (Fixtures/Indexing/indexing.json, written
/// by make_indexing.py): values, int64 indices and the gradients of L = Σₖ Σ outₖ · wₖ; then the refusals and the
/// float32 accumulation of scatter_add and index_add.
/// </summary>
public class IndexingTests
{
    private static readonly Dictionary<string, Func<Tensor[], Tensor[]>> Ops = new()
    {
        ["split_2_dim1"] = x => x[0].Split(2, 1),
        ["split_sizes_dim0"] = x => x[0].Split([1, 0, 4], 0),
        ["split_neg_dim"] = x => x[0].Split(3, -1),
        ["chunk_3"] = x => x[0].Chunk(3),
        ["chunk_4_of_6"] = x => x[0].Chunk(4),
        ["unbind_1"] = x => x[0].Unbind(1),
        ["narrow_neg_start"] = x => [x[0].Narrow(1, -3, 2)],
        ["unflatten_infer"] = x => [x[0].Unflatten(1, 3, -1)],
        ["movedim_pairs"] = x => [x[0].Movedim([0, 1], [2, 0])],
        ["movedim_one"] = x => [x[0].Movedim(-1, 0)],
        ["repeat_lead"] = x => [x[0].Repeat(2, 1, 3)],
        ["repeat_0d"] = x => [x[0].Repeat(3, 2)],
        ["tile_short"] = x => [x[0].Tile(2)],
        ["repeat_interleave_dim1"] = x => [x[0].RepeatInterleave(2, 1)],
        ["repeat_interleave_flat"] = x => [x[0].RepeatInterleave(3)],
        ["repeat_interleave_tensor"] = x => [x[0].RepeatInterleave(x[1], 0)],
        ["flip_0_2"] = x => [x[0].Flip(0, 2)],
        ["flip_0d"] = x => [x[0].Flip(0)],
        ["roll_dims"] = x => [x[0].Roll([1, -5], [0, 1])],
        ["roll_flat"] = x => [x[0].Roll(5)],
        ["masked_fill_scalar"] = x => [x[0].MaskedFill(x[1], -1.5)],
        ["masked_fill_tensor"] = x => [x[0].MaskedFill(x[1], x[2])],
        ["masked_fill_0d"] = x => [x[0].MaskedFill(x[1], 2.0)],
        ["masked_select_broadcast"] = x => [x[0].MaskedSelect(x[1])],
        ["scatter_src_dim1"] = x => [x[0].Scatter(1, x[1], x[2])],
        ["scatter_value_dim0"] = x => [x[0].Scatter(0, x[1], 2.5)],
        ["scatter_add_dups"] = x => [x[0].ScatterAdd(1, x[1], x[2])],
        ["scatter_add_larger_src"] = x => [x[0].ScatterAdd(0, x[1], x[2])],
        ["scatter_larger_src"] = x => [x[0].Scatter(0, x[1], x[2])],
        ["index_add_alpha"] = x => [x[0].IndexAdd(0, x[1], x[2], alpha: 0.5)],
        ["index_copy_dim1"] = x => [x[0].IndexCopy(1, x[1], x[2])],
        ["sort_desc_dim1"] = x => Pair(x[0].Sort(1, descending: true)),
        ["sort_stable_ties"] = x => Pair(x[0].Sort(0, stable: true)),
        ["sort_stable_ties_desc"] = x => Pair(x[0].Sort(-1, descending: true, stable: true)),
        ["sort_nan"] = x => Pair(x[0].Sort()),
        ["sort_nan_desc"] = x => Pair(x[0].Sort(descending: true)),
        ["topk_nan"] = x => Pair(x[0].TopK(2)),
        ["sort_0d"] = x => Pair(x[0].Sort()),
        ["argsort_dim0"] = x => [x[0].ArgSort(0)],
        ["topk_3_dim1"] = x => Pair(x[0].TopK(3, 1)),
        ["topk_smallest_dim0"] = x => Pair(x[0].TopK(2, 0, largest: false)),
        ["topk_0d"] = x => Pair(x[0].TopK(1)),
        ["tril_neg1"] = x => [x[0].Tril(-1)],
        ["triu_1"] = x => [x[0].Triu(1)],
        ["tril_5"] = x => [x[0].Tril(5)],
        ["triu_neg2"] = x => [x[0].Triu(-2)],
        ["diag_vec_1"] = x => [x[0].Diag(1)],
        ["diag_vec_neg2"] = x => [x[0].Diag(-2)],
        ["diag_mat_1"] = x => [x[0].Diag(1)],
        ["diag_mat_neg1"] = x => [x[0].Diag(-1)],
        ["diagonal_1_0_2"] = x => [x[0].Diagonal(1, 0, 2)],
        ["diagonal_neg1_last_1"] = x => [x[0].Diagonal(-1, -1, 1)],
        ["diagonal_past_edge"] = x => [x[0].Diagonal(5)],
    };

    private static Tensor[] Pair((Tensor Values, Tensor Indices) r) => [r.Values, r.Indices];

    private static readonly JsonElement Cases = Fixture.Json("Indexing", "indexing.json").GetProperty("cases");

    public static IEnumerable<TestCaseData> CaseNames() =>
        Fixture.Json("Indexing", "indexing.json").GetProperty("cases").EnumerateArray()
            .Select(c => new TestCaseData(c.GetProperty("name").GetString()).SetName($"Fixture({c.GetProperty("name").GetString()})"));

    private static Tensor Read(JsonElement t)
    {
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var data = Fixture.Doubles(t.GetProperty("data"));
        return t.GetProperty("dtype").GetString() == "int64"
            ? Tensor.From(data.Select(v => (long)v).ToArray(), shape)
            : Tensor.From(data, shape);
    }

    private static void AssertValues(Tensor actual, double[] expected, string what)
    {
        var a = actual.ToArray<double>();
        Assert.That(a.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < a.Length; i++)
            if (!(a[i].Equals(expected[i]) || Math.Abs(a[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}: element {i} is {a[i]:R}, PyTorch {expected[i]:R}");
    }

    [Test]
    public void EveryFixtureCaseHasAnOp() =>
        Assert.That(Cases.EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Where(n => !Ops.ContainsKey(n)), Is.Empty);

    [TestCaseSource(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        var c = Cases.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var specs = c.GetProperty("inputs").EnumerateArray().ToArray();
        var inputs = specs.Select(s => s.GetProperty("grad").GetBoolean() ? Read(s).RequireGrad() : Read(s)).ToArray();
        var outputs = Ops[name](inputs);
        var expected = c.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.That(outputs, Has.Length.EqualTo(expected.Length), $"{name}: number of results");
        Tensor? loss = null;
        for (int k = 0; k < outputs.Length; k++)
        {
            var want = expected[k];
            Assert.That(outputs[k].Shape, Is.EqualTo(want.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray()), $"{name}: shape of result {k}");
            bool isIndex = want.GetProperty("dtype").GetString() == "int64";
            Assert.That(outputs[k].DType, Is.EqualTo(isIndex ? DType.Int64 : DType.Float64), $"{name}: dtype of result {k}");
            AssertValues(outputs[k], Fixture.Doubles(want.GetProperty("data")), $"{name}: result {k}");
            if (isIndex) continue;
            int n = outputs[k].NumElements;
            var w = Tensor.From(Enumerable.Range(0, n).Select(i => Math.Cos(0.37 * i + k)).ToArray(), outputs[k].Shape);
            var term = (outputs[k] * w).Sum();
            loss = loss is null ? term : loss + term;
        }
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        if (loss is null || !loss.RequiresGrad) return;
        loss.Backward();
        for (int j = 0; j < inputs.Length; j++)
        {
            if (grads[j].ValueKind == JsonValueKind.Null) continue;
            var g = inputs[j].Grad ?? Tensor.ZerosLike(inputs[j]);
            Assert.That(g.Shape, Is.EqualTo(inputs[j].Shape), $"{name}: gradient shape of input {j}");
            AssertValues(g, Fixture.Doubles(grads[j]), $"{name}: gradient of input {j}");
        }
    }

    [Test]
    public void SplitChunkUnbindAndNarrow_AreViewsOfTheStorage()
    {
        var x = Tensor.Arange(12, DType.Float64).Reshape(3, 4);
        var pieces = x.Split(3, 1);
        Assert.That(pieces.Select(p => p.Shape[1]), Is.EqualTo(new[] { 3, 1 }));
        x.Fill(7);
        Assert.That(pieces[1].ToArray<double>(), Is.EqualTo(new[] { 7.0, 7.0, 7.0 }));
        Assert.That(x.Chunk(2, 1)[0].ToArray<double>(), Has.All.EqualTo(7.0));
        Assert.That(Tensor.Zeros([0]).Chunk(3), Has.Length.EqualTo(3));
        Assert.That(Tensor.Zeros([0]).Split(0), Has.Length.EqualTo(1));
        Assert.That(x.Unbind(-1), Has.Length.EqualTo(4).And.All.Property("Shape").EqualTo(new[] { 3 }));
        Assert.That(x.Narrow(0, 3, 0).Shape, Is.EqualTo(new[] { 0, 4 }));
    }

    [Test]
    public void TopKAndSort_GiveTheGradientBackByIndex_InFloat32Too()
    {
        var x = Tensor.From([3f, -1f, 4f, 1f, 5f, 9f], 2, 3).RequireGrad();
        var (values, indices) = x.TopK(2, 1);
        Assert.That(values.ToArray<float>(), Is.EqualTo(new[] { 4f, 3f, 9f, 5f }));
        Assert.That(indices.ToArray<long>(), Is.EqualTo(new long[] { 2, 0, 2, 1 }));
        values.Backward(Tensor.From([10f, 20f, 30f, 40f], 2, 2));
        Assert.That(x.Grad!.ToArray<float>(), Is.EqualTo(new[] { 20f, 0f, 10f, 0f, 40f, 30f }));
        Assert.That(x.ArgSort(1, descending: true).ToArray<long>(), Is.EqualTo(new long[] { 2, 0, 1, 2, 1, 0 }));
        Assert.That(x.TopK(0, 1).Values.Shape, Is.EqualTo(new[] { 2, 0 }));
    }

    [Test]
    public void ScatterAddAndIndexAdd_InFloat32_AccumulateInFloat64AndRoundOnce()
    {
        // 10⁵ copies of 0.1f into one place: float32 running sums drift (to 9998.557), float64 ones round to 10000.0005.
        const int n = 100_000;
        var src = Tensor.Full([1, n], 0.1, DType.Float32);
        var index = Tensor.Zeros([1, n], DType.Int64);
        double exact = 0;
        for (int i = 0; i < n; i++) exact += 0.1f;
        var scattered = Tensor.Zeros([1, 2]).ScatterAdd(1, index, src);
        Assert.That(scattered.ToArray<float>(), Is.EqualTo(new[] { (float)exact, 0f }));
        var added = Tensor.Zeros([2]).IndexAdd(0, Tensor.Zeros([n], DType.Int64), src.Reshape(n));
        Assert.That(added.ToArray<float>(), Is.EqualTo(new[] { (float)exact, 0f }));
    }

    [Test]
    public void ScatterAdd_GivesTheSameBitsForAnyThreadCount()
    {
        var g = new Generator(7);
        var src = Tensor.Normal([64, 300], g);
        var index = Tensor.From(Enumerable.Range(0, 64 * 300).Select(_ => (long)g.NextInt(5)).ToArray(), 64, 300);
        var one = WithThreads(1, () => Tensor.Zeros([64, 5]).ScatterAdd(1, index, src).ToArray<float>());
        var many = WithThreads(Environment.ProcessorCount * 2, () => Tensor.Zeros([64, 5]).ScatterAdd(1, index, src).ToArray<float>());
        Assert.That(many, Is.EqualTo(one));
    }

    private static T WithThreads<T>(int threads, Func<T> body)
    {
        int before = Parallelism.MaxDegree;
        Parallelism.MaxDegree = threads;
        try { return body(); }
        finally { Parallelism.MaxDegree = before; }
    }

    [Test]
    public void Scatter_GradientIsZeroWhereOverwrittenAndGatheredForTheSource()
    {
        var x = Tensor.From([1.0, 2, 3, 4], 1, 4).RequireGrad();
        var src = Tensor.From([10.0, 20], 1, 2).RequireGrad();
        var y = x.Scatter(1, Tensor.From([3L, 0], 1, 2), src);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 20.0, 2, 3, 10 }));
        y.Backward(Tensor.From([1.0, 2, 3, 4], 1, 4));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 3, 0 }));
        Assert.That(src.Grad!.ToArray<double>(), Is.EqualTo(new[] { 4.0, 1 }));
    }

    [Test]
    public void UnflattenModule_UndoesFlatten_AndPrintsAsPyTorch()
    {
        var x = Tensor.Arange(24, DType.Float64).Reshape(2, 3, 4);
        var m = new Autograd.Nn.Unflatten(1, 3, 4);
        var y = m.Forward(new Autograd.Nn.Flatten().Forward(x));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(m.ToString(), Is.EqualTo("Unflatten(dim=1, unflattened_size=(3, 4))"));
        Assert.That(new Autograd.Nn.Unflatten(-1, 6).ToString(), Is.EqualTo("Unflatten(dim=-1, unflattened_size=(6,))"));
        Assert.That(m.UnflattenedSize, Is.EqualTo(new[] { 3, 4 }));
    }

    // Each refusal: the message starts with the PyTorch op and names the values at fault.
    public static IEnumerable<TestCaseData> Refusals()
    {
        var m = Tensor.Zeros([2, 3]);
        var v = Tensor.Zeros([3]);
        var s = Tensor.Scalar(1);
        TestCaseData C(string name, Type type, string message, TestDelegate call) => new TestCaseData(type, message, call).SetName($"Refuses_{name}");
        yield return C("split_0d", typeof(ArgumentException), "split: expected at least a 1-dimensional tensor", () => s.Split(1));
        yield return C("split_zero", typeof(ArgumentException), "split: split_size must be positive (0 only if the dimension size is 0), got 0 for dimension 0 of size 3", () => v.Split(0));
        yield return C("split_sizes_sum", typeof(ArgumentException), "split: split sizes [2, 2] must sum exactly to 3", () => v.Split([2, 2]));
        yield return C("chunk_zero", typeof(ArgumentException), "chunk: chunks must be greater than 0, got 0", () => v.Chunk(0));
        yield return C("unbind_0d", typeof(ArgumentException), "unbind: expected at least a 1-dimensional tensor", () => s.Unbind());
        yield return C("narrow_past_end", typeof(ArgumentException), "narrow: start (2) + length (2) exceeds dimension size (3)", () => v.Narrow(0, 2, 2));
        yield return C("narrow_start", typeof(ArgumentOutOfRangeException), "narrow: start -4 is out of range for dimension 0 of size 3", () => v.Narrow(0, -4, 1));
        yield return C("unflatten_sizes", typeof(ArgumentException), "unflatten: sizes [2, 4] don't multiply up to the size of dimension 1 (3)", () => m.Unflatten(1, 2, 4));
        yield return C("movedim_repeat", typeof(ArgumentException), "movedim: repeated dim in `destination` ([1, 1])", () => m.Movedim([0, 1], [1, 1]));
        yield return C("movedim_axis", typeof(ArgumentOutOfRangeException), "movedim: axis 2 is out of range", () => m.Movedim(0, 2));
        yield return C("repeat_short", typeof(ArgumentException), "repeat: number of repeat dims (1, [2]) can not be smaller than the number of dimensions", () => m.Repeat(2));
        yield return C("repeat_negative", typeof(ArgumentException), "repeat: repeats must be non-negative, got [1, -1]", () => m.Repeat(1, -1));
        yield return C("tile_negative", typeof(ArgumentException), "tile: reps must be non-negative", () => m.Tile(-1));
        yield return C("repeat_interleave_negative", typeof(ArgumentException), "repeat_interleave: repeats can not be negative, got -1", () => m.RepeatInterleave(-1));
        yield return C("repeat_interleave_length", typeof(ArgumentException), "repeat_interleave: repeats of length 2 must have the same size as the input along dimension 1 (3)",
            () => m.RepeatInterleave(Tensor.From([1L, 2]), 1));
        yield return C("repeat_interleave_dtype", typeof(ArgumentException), "repeat_interleave: repeats must be a 0-d or 1-D int64 tensor, got float32", () => m.RepeatInterleave(Tensor.Ones([3]), 1));
        yield return C("flip_repeat", typeof(ArgumentException), "flip: dim -1 appears multiple times", () => m.Flip(1, -1));
        yield return C("roll_align", typeof(ArgumentException), "roll: shifts and dimensions must align: 2 shifts [1, 2] for 1 dims [0]", () => m.Roll([1, 2], [0]));
        yield return C("roll_0d_dim", typeof(ArgumentOutOfRangeException), "roll: dimension 0 is out of range for a 0-d tensor", () => s.Roll(1, 0));
        yield return C("masked_fill_larger", typeof(ArgumentException), "masked_fill: mask of shape [2, 2, 3] does not broadcast to the tensor's shape [2, 3]", () => m.MaskedFill(Tensor.Ones([2, 2, 3]), 1.0));
        yield return C("masked_fill_shape", typeof(ArgumentException), "masked_fill: mask of shape [3, 3] does not broadcast to the tensor's shape [2, 3]", () => m.MaskedFill(Tensor.Ones([3, 3]), 1.0));
        yield return C("masked_fill_value", typeof(ArgumentException), "masked_fill: only supports a 0-dimensional value tensor, but got a tensor of shape [1]", () => m.MaskedFill(v, Tensor.Ones([1])));
        yield return C("masked_select_shape", typeof(ArgumentException), "masked_select: shapes [2] and [2, 3] cannot be broadcast", () => m.MaskedSelect(Tensor.Ones([2])));
        yield return C("scatter_index_range", typeof(ArgumentOutOfRangeException), "scatter: index 3 is out of range for axis 1 of size 3", () => m.Scatter(1, Tensor.From([3L], 1, 1), 1.0));
        yield return C("scatter_index_dtype", typeof(ArgumentException), "scatter: index must be an int64 tensor, got float32", () => m.Scatter(1, Tensor.Zeros([1, 1]), 1.0));
        yield return C("scatter_src_dtype", typeof(ArgumentException), "scatter: expected self.dtype to be equal to src.dtype, got float32 and float64",
            () => m.Scatter(1, Tensor.Zeros([1, 1], DType.Int64), Tensor.Zeros([1, 1], DType.Float64)));
        yield return C("scatter_add_sizes", typeof(ArgumentException), "scatter_add: expected index [1, 2] to be smaller than self [2, 3] apart from dimension 1 and to be smaller than src [1, 1]",
            () => m.ScatterAdd(1, Tensor.Zeros([1, 2], DType.Int64), Tensor.Zeros([1, 1])));
        yield return C("scatter_rank", typeof(ArgumentException), "scatter: index of shape [2] must have the same number of dimensions as self of shape [2, 3]", () => m.Scatter(0, Tensor.Zeros([2], DType.Int64), 1.0));
        yield return C("index_add_count", typeof(ArgumentException), "index_add: source of shape [2, 3] must match self of shape [2, 3] except at dimension 0, where it must have one entry per index (1)",
            () => m.IndexAdd(0, Tensor.From([1L]), m));
        yield return C("index_add_range", typeof(ArgumentOutOfRangeException), "index_add: index 2 is out of range for dimension 0 of size 2", () => m.IndexAdd(0, Tensor.From([2L]), Tensor.Zeros([1, 3])));
        yield return C("index_copy_shape", typeof(ArgumentException), "index_copy: source of shape [1, 4] must match self of shape [2, 3]", () => m.IndexCopy(0, Tensor.From([1L]), Tensor.Zeros([1, 4])));
        yield return C("index_copy_index", typeof(ArgumentException), "index_copy: index must be a 0-d or 1-D int64 tensor, got int64 of shape [1, 1]",
            () => m.IndexCopy(0, Tensor.Zeros([1, 1], DType.Int64), Tensor.Zeros([1, 3])));
        yield return C("topk_k", typeof(ArgumentOutOfRangeException), "topk: k (5) is larger than dimension 1 of size 3", () => m.TopK(5, 1));
        yield return C("topk_negative", typeof(ArgumentOutOfRangeException), "topk: k (-1) must be non-negative", () => m.TopK(-1));
        yield return C("sort_axis", typeof(ArgumentOutOfRangeException), "sort: axis 2 is out of range", () => m.Sort(2));
        yield return C("tril_rank", typeof(ArgumentException), "tril: input tensor must have at least 2 dimensions, got shape [3]", () => v.Tril());
        yield return C("triu_rank", typeof(ArgumentException), "triu: input tensor must have at least 2 dimensions, got shape []", () => s.Triu());
        yield return C("diag_rank", typeof(ArgumentException), "diag: expected a 1-D or 2-D tensor, got shape [2, 2, 2]", () => Tensor.Zeros([2, 2, 2]).Diag());
        yield return C("diagonal_same", typeof(ArgumentException), "diagonal: dimensions cannot be identical 0, -2", () => m.Diagonal(0, 0, -2));
        yield return C("diagonal_rank", typeof(ArgumentException), "diagonal: expected a tensor with at least 2 dimensions, got shape [3]", () => v.Diagonal());
    }

    [TestCaseSource(nameof(Refusals))]
    public void Refuses(Type type, string message, TestDelegate call)
    {
        var e = Assert.Throws(type, call);
        Assert.That(e!.Message, Does.StartWith(message));
    }
}
