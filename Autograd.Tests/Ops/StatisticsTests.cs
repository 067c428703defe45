using System.Text.Json;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Ops;

/// <summary>
/// The statistics, norms, products, scans, amax/amin, max/min/median with indices and any/all/count_nonzero
/// (Tensor.Statistics.cs, Ops/Statistics.cs) against PyTorch 1.13's values and gradients
/// (Fixtures/Reductions/reductions.json), and their float32 accuracy against float64 references.
/// </summary>
public class StatisticsTests
{
    private static readonly double Inf = double.PositiveInfinity;

    // Each fixture case by name: the op as called here, its outputs (values first, then indices where torch returns them).
    private static readonly Dictionary<string, Func<Tensor, Tensor[]>> Ops = new()
    {
        ["var_all"] = x => [x.Var()],
        ["var_axis1_c0_keep"] = x => [x.Var(1, correction: 0, keepDims: true)],
        ["var_axes_0_2"] = x => [x.Var([0, 2])],
        ["var_axis_neg1_c2"] = x => [x.Var(-1, correction: 2)],
        ["var_n2_c2"] = x => [x.Var(0, correction: 2)],
        ["var_n1"] = x => [x.Var(0)],
        ["var_n2_c3"] = x => [x.Var(0, correction: 3)],
        ["std_all"] = x => [x.Std()],
        ["std_axis0_c0"] = x => [x.Std(0, correction: 0)],
        ["var_mean_axis1"] = x => { var (v, m) = x.VarMean(1); return [v, m]; },
        ["std_mean_axes_0_1_keep"] = x => { var (s, m) = x.StdMean([0, 1], keepDims: true); return [s, m]; },
        ["norm_3_axes_0_2_keep"] = x => [x.Norm(3, [0, 2], keepDims: true)],
        ["norm_inf_ties"] = x => [x.Norm(Inf, 1)],
        ["norm_fro_all"] = x => [x.Norm("fro")],
        ["norm_fro_axis0"] = x => [x.Norm("fro", [0])],
        ["norm_2_zero"] = x => [x.Norm()],
        ["prod_all"] = x => [x.Prod()],
        ["prod_all_one_zero"] = x => [x.Prod()],
        ["prod_all_two_zeros"] = x => [x.Prod()],
        ["prod_axis1_zeros"] = x => [x.Prod(1)],
        ["prod_axis0_keep"] = x => [x.Prod(0, keepDims: true)],
        ["cumsum_axis1"] = x => [x.Cumsum(1)],
        ["cumsum_axis0"] = x => [x.Cumsum(0)],
        ["cumprod_axis1_zeros"] = x => [x.Cumprod(1)],
        ["cumprod_axis0_zeros"] = x => [x.Cumprod(0)],
        ["cumprod_axis_neg1"] = x => [x.Cumprod(-1)],
        ["logcumsumexp_axis1"] = x => [x.LogCumSumExp(1)],
        ["logcumsumexp_axis0"] = x => [x.LogCumSumExp(0)],
        ["amax_axis1"] = x => [x.Amax(1)],
        ["amin_axes_0_1"] = x => [x.Amin([0, 1])],
        ["amax_all"] = x => [x.Amax()],
        ["amin_axis0_keep"] = x => [x.Amin(0, keepDims: true)],
        ["max_dim1"] = x => { var (v, i) = x.MaxWithIndices(1); return [v, i]; },
        ["min_dim0_keep"] = x => { var (v, i) = x.MinWithIndices(0, keepDims: true); return [v, i]; },
        ["median_all_ties"] = x => [x.Median()],
        ["median_all_even"] = x => [x.Median()],
        ["median_all_nan"] = x => [x.Median()],
        ["median_dim1"] = x => { var (v, i) = x.Median(1); return [v, i]; },
        ["median_dim0_keep"] = x => { var (v, i) = x.Median(0, keepDims: true); return [v, i]; },
        ["median_dim1_tie"] = x => { var (v, i) = x.Median(1); return [v, i]; },
        ["any_all"] = x => [x.Any()],
        ["any_axis1"] = x => [x.Any(1)],
        ["all_axis1"] = x => [x.All(1)],
        ["all_axis0_keep"] = x => [x.All(0, keepDims: true)],
        ["count_nonzero_all"] = x => [x.CountNonzero()],
        ["count_nonzero_axis0"] = x => [x.CountNonzero(0)],
        ["count_nonzero_axes_0_1"] = x => [x.CountNonzero([0, 1])],
    };

    static StatisticsTests()
    {
        foreach (var (p, tag) in new[] { (2.0, "2"), (1, "1"), (Inf, "inf"), (-Inf, "neginf"), (0, "0"), (3, "3"), (0.5, "half"), (-1, "neg1"), (1.5, "1_5") })
        {
            Ops[$"norm_{tag}_all"] = x => [x.Norm(p)];
            Ops[$"norm_{tag}_axis1_zeros"] = x => [x.Norm(p, 1)];
        }
    }

    private static IEnumerable<TestCaseData> Cases() =>
        Fixture.Json("Reductions", "reductions.json").GetProperty("cases").EnumerateArray()
            .Select(c => new TestCaseData(c).SetName($"MatchesTorch({c.GetProperty("name").GetString()})"));

    private static int[] Shape(JsonElement e) => e.EnumerateArray().Select(d => d.GetInt32()).ToArray();

    private static void AssertAll(double[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            bool ok = a.Equals(e) || Math.Abs(a - e) <= 1e-12 + 1e-10 * Math.Abs(e);
            Assert.That(ok, Is.True, $"{what}: element {i} is {a:R}, torch gives {e:R}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTorch(JsonElement c)
    {
        string name = c.GetProperty("name").GetString()!;
        Assert.That(Ops.ContainsKey(name), Is.True, $"no op for fixture case {name}");
        var x = Tensor.From(Fixture.Doubles(c.GetProperty("x")), Shape(c.GetProperty("x_shape"))).RequireGrad();
        var outputs = Ops[name](x);
        Assert.That(outputs[0].Shape, Is.EqualTo(Shape(c.GetProperty("y_shape"))), "shape");
        AssertAll(outputs[0].ToArray<double>(), Fixture.Doubles(c.GetProperty("y")), "values");
        if (c.TryGetProperty("y2", out var y2))
        {
            Assert.That(outputs[1].Shape, Is.EqualTo(Shape(c.GetProperty("y2_shape"))), "second output's shape");
            if (name.StartsWith("max", StringComparison.Ordinal) || name.StartsWith("min", StringComparison.Ordinal) || name.StartsWith("median", StringComparison.Ordinal))
                Assert.That(outputs[1].DType, Is.EqualTo(DType.Int64), "indices are int64");
            AssertAll(outputs[1].ToArray<double>(), Fixture.Doubles(y2), "second output");
        }
        if (name.StartsWith("count_nonzero", StringComparison.Ordinal)) Assert.That(outputs[0].DType, Is.EqualTo(DType.Int64));
        if (!c.TryGetProperty("grad", out var grad)) return;
        var w = Tensor.From(Fixture.Doubles(c.GetProperty("w")), outputs[0].Shape);
        (outputs[0] * w).Sum().Backward();
        AssertAll(x.Grad!.ToArray<double>(), Fixture.Doubles(grad), "gradient");
    }

    [Test]
    public void Var_OfAMillionFloat32ValuesWithMean1e4AndStd1_MatchesTheFloat64Reference()
    {
        var values = Tensor.Normal([1_000_000], new Generator(7), dtype: DType.Float32) + 1e4;
        var v32 = values.ToArray<float>();
        double mean = v32.Select(v => (double)v).Average();
        double reference = v32.Sum(v => ((double)v - mean) * ((double)v - mean)) / (v32.Length - 1);
        Assert.That(Math.Abs(values.Var().Item() - reference), Is.LessThan(2e-7 * reference));
        Assert.That(Math.Abs(values.Std().Item() - Math.Sqrt(reference)), Is.LessThan(2e-7 * Math.Sqrt(reference)));
        var (v, m) = values.VarMean();
        Assert.That(Math.Abs(v.Item() - reference), Is.LessThan(2e-7 * reference));
        Assert.That(Math.Abs(m.Item() - mean), Is.LessThan(1e-3));
        // A spread 100 times smaller: the mean's float32 rounding (~5e-4) would show in a plain two-pass variance.
        var narrow = (Tensor.Normal([1_000_000], new Generator(8), dtype: DType.Float32) * 0.01) + 1e4;
        var n32 = narrow.ToArray<float>();
        double nm = n32.Select(x => (double)x).Average();
        double nref = n32.Sum(x => ((double)x - nm) * ((double)x - nm)) / (n32.Length - 1);
        Assert.That(Math.Abs(narrow.Var().Item() - nref), Is.LessThan(1e-5 * nref));
    }

    [Test]
    public void Var_OfAConstantFloat32Row_IsZeroNotNegative()
    {
        var x = Tensor.Full([3], 0.1, DType.Float32);
        Assert.That(x.Var().Item(), Is.EqualTo(0));
        Assert.That(x.Std().Item(), Is.EqualTo(0));
    }

    [Test]
    public void Norm_DoesNotOverflowForLargeValues_AndItsGradientIsTheDirection()
    {
        var big = Tensor.From([3e200, -4e200]).RequireGrad();
        var n = big.Norm();
        Assert.That(n.Item(), Is.EqualTo(5e200).Within(1e-15 * 5e200));
        n.Backward();
        Assert.That(big.Grad!.ToArray<double>(), Is.EqualTo(new[] { 0.6, -0.8 }).Within(1e-15));
        Assert.That(big.Norm(3).Item(), Is.EqualTo(Math.Cbrt(27 + 64) * 1e200).Within(1e-14 * 5e200));
        var f = Tensor.From([3e30f, -4e30f]);
        Assert.That(f.Norm().Item(), Is.EqualTo(5e30).Within(1e-6 * 5e30));
        Assert.That(Tensor.From([1e30f, 1e30f, 1e30f, 1e30f]).Norm(4).Item(), Is.EqualTo(Math.Sqrt(2) * 1e30).Within(1e-6 * 1.5e30));
        Assert.That(Tensor.From([1e-200, 1e-200]).Norm().Item(), Is.EqualTo(Math.Sqrt(2) * 1e-200).Within(1e-15 * 1e-200));
    }

    [Test]
    public void Norm_OfAnEmptyReductionForInfOrNegativeP_IsRefusedAsTorch()
    {
        var e = Tensor.Zeros([2, 0]);
        Assert.That(e.Norm(1, 1).ToArray<float>(), Is.EqualTo(new[] { 0f, 0f }));
        var ex = Assert.Throws<ArgumentException>(() => e.Norm(double.PositiveInfinity, 1))!;
        Assert.That(ex.Message, Does.StartWith("linalg.vector_norm: cannot compute the inf norm"));
        Assert.Throws<ArgumentException>(() => e.Norm(-1));
        Assert.That(Assert.Throws<ArgumentException>(() => e.Norm("nuc"))!.Message, Does.StartWith("norm: unsupported norm type \"nuc\""));
    }

    [Test]
    public void Cumsum_InFloat32_DoesNotDriftWithLength()
    {
        const int n = 1_000_000;
        var x = Tensor.Full([n], 0.1, DType.Float32);
        var y = x.Cumsum(0).ToArray<float>();
        double term = (float)0.1;
        Assert.That(y[^1], Is.EqualTo((float)(term * n)));
        Assert.That(y[n / 2 - 1], Is.EqualTo((float)(term * (n / 2))));
        var p = Tensor.Full([n], 1.000001, DType.Float32).Cumprod(0).ToArray<float>();
        Assert.That(p[^1], Is.EqualTo((float)Math.Pow((float)1.000001, n)).Within(2e-7 * p[^1]));
    }

    [Test]
    public void LogCumSumExp_IsStableForFarApartTerms()
    {
        var y = Tensor.From([-1000.0, 0, 1000, double.NegativeInfinity]).LogCumSumExp(0).ToArray<double>();
        Assert.That(y, Is.EqualTo(new[] { -1000.0, 0, 1000, 1000 }));
        var f = Tensor.From([-100f, -100f]).LogCumSumExp(0).ToArray<float>();
        Assert.That(f[1], Is.EqualTo((float)(-100 + Math.Log(2))));
    }

    [Test]
    public void Prod_AndCumprod_SecondDerivativesWithZerosMatchTheClosedForm()
    {
        // y = x0·x1·x2 with x1 = 0: ∂²y/∂x0∂x1 = x2, ∂²y/∂x1∂x2 = x0, ∂²y/∂x0∂x2 = x1 = 0.
        var x = Tensor.From([2.0, 0.0, 3.0]).RequireGrad();
        var g = Autodiff.Grad([x.Prod()], [x], createGraph: true)[0]!;
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 0.0, 6, 0 }));
        var h = Autodiff.Grad([g.Slice(0, 1, 2).Sum()], [x])[0]!;
        Assert.That(h.ToArray<double>(), Is.EqualTo(new[] { 3.0, 0, 2 }));
        Assert.That(GradCheck.CheckSecondOrder(xs => xs[0].Cumprod(0), [Tensor.From([2.0, 0.0, 3.0, 0.0, 1.5]).RequireGrad()]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(xs => xs[0].Prod(1), [Tensor.From([1.5, 0, -2, 0, 0.5, 3], 2, 3).RequireGrad()]), Gradients.Match);
    }

    [Test]
    public void AnyAllAndCountNonzero_FollowTheComparisonsDType()
    {
        var l = Tensor.From([0L, 3, 0, -1], 2, 2);
        Assert.That(l.Any(1).DType, Is.EqualTo(DType.Int64));
        Assert.That(l.Any(1).ToArray<long>(), Is.EqualTo(new[] { 1L, 1 }));
        Assert.That(l.All(0).ToArray<long>(), Is.EqualTo(new[] { 0L, 1 }));
        Assert.That(l.CountNonzero().ToArray<long>(), Is.EqualTo(new[] { 2L }));
        Assert.That(Tensor.Zeros([0]).All().Item(), Is.EqualTo(1));
        Assert.That(Tensor.Zeros([0]).Any().Item(), Is.EqualTo(0));
        Assert.That(Tensor.Ones([2, 3]).Any(0, keepDims: true).Shape, Is.EqualTo(new[] { 1, 3 }));
    }

    [Test]
    public void Median_OfAnEmptyTensorIsNaN_AndAnEmptyAxisIsRefused()
    {
        Assert.That(Tensor.Zeros([0]).Median().Item(), Is.NaN);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 0]).Median(1))!;
        Assert.That(ex.Message, Does.StartWith("median: cannot reduce over axis 1 of size 0"));
    }
}
