namespace Autograd.Tests.Tensors;

/// <summary>
/// FullLike, Empty, EmptyLike, RandLike, RandnLike, RandInt, RandPerm, Bernoulli and Multinomial (Tensor.Random.cs):
/// shapes and dtypes, determinism, distributions and refusals. Every statistical bound is 5 standard deviations of the
/// statistic under the intended distribution (a false failure has probability below 6e-7 per bound), and every draw is
/// seeded, so the tests give the same result on every run.
/// </summary>
public class RandomCreationTests
{
    private static void Fails(TestDelegate code, params string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(code)!;
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f), ex.Message);
    }

    // |count − n·p| within 5σ of a binomial(n, p) count.
    private static void AssertBinomial(long count, long n, double p, string what) =>
        Assert.That(Math.Abs(count - n * p), Is.LessThanOrEqualTo(5 * Math.Sqrt(n * p * (1 - p))), $"{what}: {count} of {n}, expected p = {p}");

    [Test]
    public void LikeFunctions_CopyShapeAndDtype_AndDoNotRequireGrad()
    {
        var like = Tensor.Ones([2, 3], DType.Float64).RequireGrad();
        foreach (var t in new[] { Tensor.FullLike(like, 2.5), Tensor.EmptyLike(like), Tensor.RandLike(like, new Generator(1)), Tensor.RandnLike(like, new Generator(1)) })
        {
            Assert.That(t.Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(t.DType, Is.EqualTo(DType.Float64));
            Assert.That(t.RequiresGrad, Is.False);
        }
        Assert.That(Tensor.FullLike(like, 2.5).ToArray<double>(), Is.All.EqualTo(2.5));
        Assert.That(Tensor.FullLike(Tensor.Zeros([3], DType.Int64), 7.9).ToArray<long>(), Is.All.EqualTo(7L), "truncated toward zero for int64");
        Assert.That(Tensor.Empty([4, 0, 2], DType.Int64).Shape, Is.EqualTo(new[] { 4, 0, 2 }));
        Assert.That(Tensor.Empty([]).Shape, Is.Empty);
    }

    [Test]
    public void RandLikeAndRandnLike_DrawAsRandAndRandn()
    {
        var like = Tensor.Zeros([5, 7]);
        Assert.That(Tensor.RandLike(like, new Generator(9)).ToArray<float>(), Is.EqualTo(Tensor.Rand([5, 7], new Generator(9)).ToArray<float>()));
        Assert.That(Tensor.RandnLike(like, new Generator(9)).ToArray<float>(), Is.EqualTo(Tensor.Randn([5, 7], new Generator(9)).ToArray<float>()));
    }

    [Test, NonParallelizable]
    public void WithoutAGenerator_TheDefaultGeneratorIsUsed()
    {
        Generator.ManualSeed(77);
        var a = Tensor.RandInt(0, 100, [50]);
        var p = Tensor.RandPerm(20);
        var b = Tensor.Full([50], 0.5).Bernoulli();
        var m = Tensor.Ones([6]).Multinomial(3);
        var g = new Generator(77);
        Assert.That(a.ToArray<long>(), Is.EqualTo(Tensor.RandInt(0, 100, [50], g).ToArray<long>()));
        Assert.That(p.ToArray<long>(), Is.EqualTo(Tensor.RandPerm(20, g).ToArray<long>()));
        Assert.That(b.ToArray<float>(), Is.EqualTo(Tensor.Full([50], 0.5).Bernoulli(g).ToArray<float>()));
        Assert.That(m.ToArray<long>(), Is.EqualTo(Tensor.Ones([6]).Multinomial(3, generator: g).ToArray<long>()));
    }

    [Test]
    public void SameSeed_SameValues_OtherSeed_OtherValues()
    {
        Tensor[] Draw(ulong seed)
        {
            var g = new Generator(seed);
            return
            [
                Tensor.RandInt(-5, 5, [200], g), Tensor.RandPerm(200, g), Tensor.Full([200], 0.3).Bernoulli(g), Tensor.Zeros([200]).Bernoulli(0.6, g),
                Tensor.Ones([3, 50]).Multinomial(20, replacement: true, generator: g), Tensor.Ones([3, 50]).Multinomial(20, generator: g),
                Tensor.RandLike(Tensor.Zeros([200]), g), Tensor.RandnLike(Tensor.Zeros([200]), g),
            ];
        }
        var (a, b, c) = (Draw(5), Draw(5), Draw(6));
        for (int i = 0; i < a.Length; i++)
        {
            Assert.That(a[i].ToArray<double>(), Is.EqualTo(b[i].ToArray<double>()), $"draw {i}");
            Assert.That(a[i].ToArray<double>(), Is.Not.EqualTo(c[i].ToArray<double>()), $"draw {i}");
        }
    }

    [Test]
    public void RandInt_IsUniformOverItsRange()
    {
        const int n = 100_000;
        var x = Tensor.RandInt(-3, 7, [n], new Generator(21)).ToArray<long>();
        Assert.That(x, Is.All.InRange(-3L, 6L));
        foreach (var v in Enumerable.Range(-3, 10)) AssertBinomial(x.Count(e => e == v), n, 0.1, $"value {v}");
        Assert.That(Tensor.RandInt(0, 5, [2, 3], new Generator(1)).DType, Is.EqualTo(DType.Int64));
        var f = Tensor.RandInt(0, 5, [1000], new Generator(1), DType.Float32).ToArray<float>();
        Assert.That(f, Is.All.InRange(0f, 4f));
        Assert.That(f.All(v => v == MathF.Floor(v)), Is.True, "integers stored as floats");
        // The whole range of long: the sign bit is a fair coin.
        var wide = Tensor.RandInt(long.MinValue, long.MaxValue, [n], new Generator(2)).ToArray<long>();
        AssertBinomial(wide.Count(v => v < 0), n, 0.5, "negative values over the whole range");
        Assert.That(Tensor.RandInt(4, 5, [10], new Generator(3)).ToArray<long>(), Is.All.EqualTo(4L));
        Assert.That(Tensor.RandInt(6, [20], new Generator(3)).ToArray<long>(), Is.EqualTo(Tensor.RandInt(0, 6, [20], new Generator(3)).ToArray<long>()), "RandInt(high) is RandInt(0, high)");
    }

    [Test]
    public void RandPerm_IsAPermutation_WithEveryFirstElementEquallyLikely()
    {
        var p = Tensor.RandPerm(1000, new Generator(4)).ToArray<long>();
        Assert.That(p.OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 1000).Select(i => (long)i)));
        Assert.That(Tensor.RandPerm(0).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.RandPerm(1).ToArray<long>(), Is.EqualTo(new long[] { 0 }));
        var g = new Generator(5);
        const int trials = 20_000;
        var first = new int[5];
        for (int t = 0; t < trials; t++) first[Tensor.RandPerm(5, g).ToArray<long>()[0]]++;
        for (int k = 0; k < 5; k++) AssertBinomial(first[k], trials, 0.2, $"first element {k}");
    }

    [Test]
    public void Bernoulli_DrawsOneWithTheGivenProbability()
    {
        const int n = 40_000;
        var p = Tensor.From(Enumerable.Range(0, 3 * n).Select(i => new[] { 0.0, 0.25, 1.0 }[i % 3]).ToArray(), n, 3);
        var x = p.Bernoulli(new Generator(6));
        Assert.That(x.DType, Is.EqualTo(DType.Float64));
        Assert.That(x.Shape, Is.EqualTo(new[] { n, 3 }));
        var col = Enumerable.Range(0, 3).Select(c => x.Slice(1, c, c + 1).ToArray<double>()).ToArray();
        Assert.That(col[0], Is.All.EqualTo(0.0));
        Assert.That(col[2], Is.All.EqualTo(1.0));
        AssertBinomial(col[1].Count(v => v == 1), n, 0.25, "p = 0.25");
        Assert.That(col[1].All(v => v is 0 or 1), Is.True);
        // Probabilities read through a strided view.
        Assert.That(p.T.Bernoulli(new Generator(6)).Shape, Is.EqualTo(new[] { 3, n }));

        var y = Tensor.Zeros([100_000], DType.Int64).Bernoulli(0.7, new Generator(7)).ToArray<long>();
        AssertBinomial(y.Count(v => v == 1), y.Length, 0.7, "p = 0.7");
        Assert.That(y.All(v => v is 0 or 1), Is.True);
    }

    [Test]
    public void Multinomial_WithReplacement_DrawsInProportionToTheWeights()
    {
        const int n = 100_000;
        var x = Tensor.From(new double[] { 1, 0, 2, 3, 4 }).Multinomial(n, replacement: true, generator: new Generator(8)).ToArray<long>();
        Assert.That(x.Count(v => v == 1), Is.Zero, "a weight of 0 is never drawn");
        double[] p = [0.1, 0, 0.2, 0.3, 0.4];
        for (int k = 0; k < 5; k++) if (p[k] > 0) AssertBinomial(x.Count(v => v == k), n, p[k], $"category {k}");
        var rows = Tensor.From(new float[] { 1, 0, 0, 1 }, 2, 2).Multinomial(4, replacement: true, generator: new Generator(9));
        Assert.That(rows.Shape, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(rows.DType, Is.EqualTo(DType.Int64));
        Assert.That(rows.ToArray<long>(), Is.EqualTo(new long[] { 0, 0, 0, 0, 1, 1, 1, 1 }));
    }

    [Test]
    public void Multinomial_WithoutReplacement_DrawsDistinctCategories_FirstInProportionToTheWeights()
    {
        const int n = 20_000;
        var w = Tensor.From(Enumerable.Range(0, 4 * n).Select(i => (double)(i % 4 + 1)).ToArray(), n, 4);
        var x = w.Multinomial(4, generator: new Generator(10)).ToArray<long>();
        for (int r = 0; r < n; r++)
            Assert.That(x.Skip(4 * r).Take(4).OrderBy(v => v), Is.EqualTo(new long[] { 0, 1, 2, 3 }), $"row {r}");
        for (int k = 0; k < 4; k++)
            AssertBinomial(Enumerable.Range(0, n).Count(r => x[4 * r] == k), n, (k + 1) / 10.0, $"first draw {k}");
        // Once the positive weights are drawn, the categories of weight 0 follow in index order, as torch returns [0, 1].
        Assert.That(Tensor.From(new double[] { 1, 0, 0 }).Multinomial(2, generator: new Generator(1)).ToArray<long>(), Is.EqualTo(new long[] { 0, 1 }));
        Assert.That(Tensor.From(new double[] { 0, 0, 5 }).Multinomial(3, generator: new Generator(1)).ToArray<long>(), Is.EqualTo(new long[] { 2, 0, 1 }));
    }

    [Test]
    public void RandIntWithLowNotBelowHigh_IsRefused()
    {
        Fails(() => Tensor.RandInt(3, 3, [2]), "RandInt: expects low < high, got low = 3, high = 3.");
        Fails(() => Tensor.RandInt(5, -1, [2]), "RandInt:", "low = 5, high = -1");
        Fails(() => Tensor.RandInt(0, [2]), "RandInt: expects low < high, got low = 0, high = 0.");
    }

    [Test]
    public void RandPermOfANegativeLength_IsRefused() =>
        Fails(() => Tensor.RandPerm(-1), "RandPerm: n must be non-negative, got -1.");

    [Test]
    public void RandLikeOfAnInt64Tensor_IsRefused()
    {
        Fails(() => Tensor.RandLike(Tensor.Zeros([2], DType.Int64)), "RandLike:", "int64");
        Fails(() => Tensor.RandnLike(Tensor.Zeros([2], DType.Int64)), "RandnLike:", "int64");
    }

    [Test]
    public void BernoulliWithAProbabilityOutsideTheUnitInterval_IsRefused()
    {
        Fails(() => Tensor.From(new double[] { 0.5, 1.5 }).Bernoulli(), "bernoulli: expects probabilities in [0, 1], got 1.5 at flat index 1");
        Fails(() => Tensor.From(new double[] { double.NaN }).Bernoulli(), "bernoulli:", "NaN");
        Fails(() => Tensor.Zeros([3]).Bernoulli(-0.1), "bernoulli: expects p in [0, 1], got p = -0.1.");
        Fails(() => Tensor.From(new long[] { 0, 1 }).Bernoulli(), "bernoulli:", "int64");
    }

    [Test]
    public void MultinomialWithBadWeightsOrSampleCounts_IsRefused()
    {
        Fails(() => Tensor.Ones([2, 2, 2]).Multinomial(1), "multinomial: expected a 1-D or 2-D tensor of weights, got shape [2, 2, 2].");
        Fails(() => Tensor.Ones([3]).Multinomial(4), "multinomial: cannot draw 4 samples without replacement from 3 categories");
        Fails(() => Tensor.Ones([3]).Multinomial(0), "multinomial: numSamples must be at least 1, got 0.");
        Fails(() => Tensor.From(new double[] { 1, -1 }).Multinomial(1), "multinomial: weights must be finite and non-negative, got -1 at row 0, category 1");
        Fails(() => Tensor.From(new double[] { 1, double.PositiveInfinity }).Multinomial(1), "multinomial:", "Infinity");
        Fails(() => Tensor.From(new double[] { 1, 1, 0, 0 }, 2, 2).Multinomial(1), "multinomial: row 1 of the weights (shape [2, 2]) sums to 0");
        Fails(() => Tensor.Zeros([2, 0]).Multinomial(1, replacement: true), "multinomial: row 0", "sums to 0");
    }
}
