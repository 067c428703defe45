using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// LayerNorm (module and Tensor.LayerNorm), BatchNorm1d, GroupNorm and RMSNorm against closed forms written out
/// here, their refusals, printed forms and GradCheck in float64 (first and second order); PyTorch's values are in
/// <see cref="TorchWeightsTests"/>.
/// </summary>
public class NormalizationTests
{
    private const double Tol = 1e-12;

    private static Tensor Normal(int[] shape, ulong seed, double mean = 0, double std = 1) =>
        Tensor.Normal(shape, new Generator(seed), mean, std, DType.Float64);

    private static double[] NormalizeRows(double[] x, int row, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / row; r++)
        {
            var v = x.Skip(r * row).Take(row).ToArray();
            double mean = v.Average(), variance = v.Select(a => (a - mean) * (a - mean)).Average();
            for (int i = 0; i < row; i++) y[r * row + i] = (v[i] - mean) / Math.Sqrt(variance + eps);
        }
        return y;
    }

    // ---- LayerNorm ------------------------------------------------------------------------------------------------

    [Test]
    public void LayerNorm_RegistersWeightAndBiasOfTheNormalizedShapeAndPrintsAsPyTorch()
    {
        var m = new LayerNorm([2, 3]);
        Assert.That(m.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(m.Weight!.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(m.Weight.ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(m.Bias!.ToArray<float>(), Is.All.EqualTo(0f));
        Assert.That(m.ToString(), Is.EqualTo("LayerNorm((2, 3), eps=1e-05, elementwise_affine=True)"));
        var plain = new LayerNorm(4, eps: 1e-6, elementwiseAffine: false);
        Assert.That(plain.Parameters(), Is.Empty);
        Assert.That(plain.ToString(), Is.EqualTo("LayerNorm((4,), eps=1e-06, elementwise_affine=False)"));
    }

    [Test]
    public void LayerNorm_IsTheClosedFormOverTheTrailingAxes()
    {
        var x = Normal([3, 2, 5], 1, mean: 4, std: 3);
        var w = Normal([2, 5], 2);
        var b = Normal([2, 5], 3);
        var y = x.LayerNorm([2, 5], w, b, eps: 1e-3);
        var expected = NormalizeRows(x.ToArray<double>(), 10, 1e-3);
        double[] ws = w.ToArray<double>(), bs = b.ToArray<double>();
        for (int i = 0; i < expected.Length; i++) expected[i] = expected[i] * ws[i % 10] + bs[i % 10];
        Assert.That(y.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
        Assert.That(new LayerNorm(5, dtype: DType.Float64).Forward(x).ToArray<double>(), Is.EqualTo(NormalizeRows(x.ToArray<double>(), 5, 1e-5)).Within(Tol));
    }

    [Test]
    public void LayerNorm_Float32StaysAccurateForLongRowsWithALargeMean()
    {
        // 100 000 values around 1000: a naive float32 running sum drifts by far more than 1e-4 in the normalized output.
        const int n = 100_000;
        var x64 = Normal([2, n], 4, mean: 1000, std: 1);
        var y32 = x64.To(DType.Float32).LayerNorm([n]).ToArray<float>();
        var reference = NormalizeRows(x64.To(DType.Float32).To(DType.Float64).ToArray<double>(), n, 1e-5);
        double worst = 0;
        for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(y32[i] - reference[i]));
        Assert.That(worst, Is.LessThan(2e-4));
    }

    [Test]
    public void LayerNorm_PassesGradCheckOverInputWeightAndBias_FirstAndSecondOrder()
    {
        Tensor[] inputs = [Normal([3, 4], 5).RequireGrad(), Normal([4], 6).RequireGrad(), Normal([4], 7).RequireGrad()];
        Func<Tensor[], Tensor> f = a => a[0].LayerNorm([4], a[1], a[2]);
        Assert.That(GradCheck.Check(f, inputs), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(f, inputs), Gradients.Match);
        var m = new LayerNorm([2, 3], dtype: DType.Float64);
        Assert.That(GradCheck.CheckSecondOrder(a => m.Forward(a[0]), [Normal([2, 2, 3], 8).RequireGrad()]), Gradients.Match);
    }

    [Test]
    public void LayerNorm_RefusesMismatchedShapesAndDTypes()
    {
        var x = Normal([3, 4], 1);
        Assert.That(() => x.LayerNorm([3]), Throws.ArgumentException.With.Message.StartsWith("layer_norm: normalized_shape [3]"));
        Assert.That(() => x.LayerNorm([]), Throws.ArgumentException.With.Message.StartsWith("layer_norm:"));
        Assert.That(() => x.LayerNorm([4], weight: Normal([3], 2)), Throws.ArgumentException.With.Message.StartsWith("layer_norm: weight must have shape [4]"));
        Assert.That(() => new LayerNorm(3, dtype: DType.Float64).Forward(x), Throws.ArgumentException.With.Message.StartsWith("LayerNorm: expected an input whose last dimensions are [3]"));
        Assert.That(() => new LayerNorm(4).Forward(x), Throws.ArgumentException.With.Message.StartsWith("LayerNorm: input of dtype float64"));
        Assert.That(() => new LayerNorm([0]), Throws.ArgumentException.With.Message.StartsWith("LayerNorm: normalizedShape"));
        Assert.That(() => new LayerNorm(4, eps: -1), Throws.ArgumentException.With.Message.StartsWith("LayerNorm: eps"));
    }

    // ---- BatchNorm1d ---------------------------------------------------------------------------------------------

    [Test]
    public void BatchNorm1d_RegistersTorchsParametersAndBuffersAndPrintsAsPyTorch()
    {
        var m = new BatchNorm1d(4);
        Assert.That(m.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }));
        Assert.That(m.NumBatchesTracked!.DType, Is.EqualTo(DType.Int64));
        Assert.That(m.RunningVar!.ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(m.ToString(), Is.EqualTo("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"));
        var bare = new BatchNorm1d(4, momentum: null, affine: false, trackRunningStats: false);
        Assert.That(bare.StateDict(), Is.Empty);
        Assert.That(bare.ToString(), Is.EqualTo("BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, track_running_stats=False)"));
    }

    [Test]
    public void BatchNorm1d_TrainingNormalizesByBatchStatisticsAndUpdatesTheRunningOnes()
    {
        const int n = 5, c = 3, l = 4;
        var m = new BatchNorm1d(c, momentum: 0.25, dtype: DType.Float64);
        var x = Normal([n, c, l], 9, mean: 2, std: 3);
        var y = m.Forward(x).ToArray<double>();
        var xs = x.ToArray<double>();
        for (int ch = 0; ch < c; ch++)
        {
            var v = new List<double>();
            for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) v.Add(xs[(i * c + ch) * l + j]);
            double mean = v.Average(), biased = v.Select(a => (a - mean) * (a - mean)).Average();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < l; j++)
                    Assert.That(y[(i * c + ch) * l + j], Is.EqualTo((xs[(i * c + ch) * l + j] - mean) / Math.Sqrt(biased + 1e-5)).Within(Tol));
            Assert.That(m.RunningMean![ch], Is.EqualTo(0.25 * mean).Within(Tol));
            Assert.That(m.RunningVar![ch], Is.EqualTo(0.75 + 0.25 * biased * v.Count / (v.Count - 1)).Within(Tol));
        }
        Assert.That(m.NumBatchesTracked!.Item<long>(), Is.EqualTo(1));
    }

    [Test]
    public void BatchNorm1d_NullMomentumIsTheCumulativeAverage_AndEvalUsesTheRunningStatistics()
    {
        var m = new BatchNorm1d(2, momentum: null, dtype: DType.Float64);
        var batches = new[] { Normal([4, 2], 1, 1, 2), Normal([6, 2], 2, -1, 1), Normal([3, 2], 3, 0, 4) };
        foreach (var b in batches) m.Forward(b);
        for (int ch = 0; ch < 2; ch++)
        {
            double meanOfMeans = batches.Average(b => Column(b, ch).Average());
            Assert.That(m.RunningMean![ch], Is.EqualTo(meanOfMeans).Within(Tol));
        }
        Assert.That(m.NumBatchesTracked!.Item<long>(), Is.EqualTo(3));

        m.Eval();
        var x = Normal([3, 2], 4);
        var y = m.Forward(x);
        for (int i = 0; i < 3; i++)
            for (int ch = 0; ch < 2; ch++)
                Assert.That(y[i, ch], Is.EqualTo((x[i, ch] - m.RunningMean![ch]) / Math.Sqrt(m.RunningVar![ch] + 1e-5)).Within(Tol));
        Assert.That(m.NumBatchesTracked!.Item<long>(), Is.EqualTo(3));
        Assert.That(() => m.Forward(Normal([1, 2], 5)), Throws.Nothing, "one sample is fine in evaluation mode");
    }

    private static double[] Column(Tensor t, int ch) => Enumerable.Range(0, t.Size(0)).Select(i => t[i, ch]).ToArray();

    [Test]
    public void BatchNorm1d_WithoutRunningStatisticsUsesTheBatchInEvaluationToo()
    {
        var m = new BatchNorm1d(3, trackRunningStats: false, dtype: DType.Float64);
        var x = Normal([4, 3], 6);
        var train = m.Forward(x).ToArray<double>();
        m.Eval();
        Assert.That(m.Forward(x).ToArray<double>(), Is.EqualTo(train).Within(Tol));
    }

    [Test]
    public void BatchNorm1d_PassesGradCheckInTrainingAndEvaluation_FirstAndSecondOrder()
    {
        var m = new BatchNorm1d(3, dtype: DType.Float64);
        using (Autodiff.NoGrad()) { m.Weight!.CopyFrom(Normal([3], 1)); m.Bias!.CopyFrom(Normal([3], 2)); }
        var x = Normal([4, 3, 2], 3).RequireGrad();
        Assert.That(GradCheck.Check(a => m.Forward(a[0]), [x]), Gradients.Match);
        Assert.That(GradCheck.CheckSecondOrder(a => m.Forward(a[0]), [x]), Gradients.Match);
        m.Eval();
        Assert.That(GradCheck.CheckSecondOrder(a => m.Forward(a[0]), [x]), Gradients.Match);
    }

    [Test]
    public void BatchNorm1d_RefusesOneValuePerChannelInTrainingAndWrongShapes()
    {
        var m = new BatchNorm1d(3, dtype: DType.Float64);
        Assert.That(() => m.Forward(Normal([1, 3], 1)),
            Throws.ArgumentException.With.Message.EqualTo("BatchNorm1d: expected more than 1 value per channel when training, got input size [1, 3]. (Parameter 'input')"));
        Assert.That(() => m.Forward(Normal([1, 3, 1], 1)), Throws.ArgumentException.With.Message.StartsWith("BatchNorm1d: expected more than 1 value per channel"));
        Assert.That(m.NumBatchesTracked!.Item<long>(), Is.EqualTo(0), "a refused batch changes nothing");
        Assert.That(() => m.Forward(Normal([2, 3, 2, 2], 1)), Throws.ArgumentException.With.Message.StartsWith("BatchNorm1d: expected 2D or 3D input (got 4D input)"));
        Assert.That(() => m.Forward(Normal([2, 4], 1)), Throws.ArgumentException.With.Message.StartsWith("BatchNorm1d: expected an input of shape (N, 3)"));
        Assert.That(() => new BatchNorm1d(3, momentum: 1.5), Throws.ArgumentException.With.Message.StartsWith("BatchNorm1d: momentum"));
    }

    // ---- GroupNorm -----------------------------------------------------------------------------------------------

    [Test]
    public void GroupNorm_NormalizesEachSamplesGroupsAndPrintsAsPyTorch()
    {
        var m = new GroupNorm(2, 4, dtype: DType.Float64);
        Assert.That(m.ToString(), Is.EqualTo("GroupNorm(2, 4, eps=1e-05, affine=True)"));
        Assert.That(m.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias" }));
        var x = Normal([3, 4, 5], 1, 2, 3);
        // Each sample's group is 2 channels × 5 positions, contiguous in memory.
        Assert.That(m.Forward(x).ToArray<double>(), Is.EqualTo(NormalizeRows(x.ToArray<double>(), 10, 1e-5)).Within(Tol));
        Assert.That(GradCheck.CheckSecondOrder(a => m.Forward(a[0]), [Normal([2, 4, 3], 2).RequireGrad()]), Gradients.Match);
        Assert.That(GradCheck.Check(a => m.Forward(a[0]), [Normal([2, 4], 3).RequireGrad()]), Gradients.Match);
    }

    [Test]
    public void GroupNorm_RefusesChannelsNotDivisibleByGroups()
    {
        Assert.That(() => new GroupNorm(2, 5), Throws.ArgumentException.With.Message.StartsWith("GroupNorm: numChannels (5) must be divisible by numGroups (2)."));
        Assert.That(() => new GroupNorm(2, 4).Forward(Tensor.Zeros([2, 3, 1])), Throws.ArgumentException.With.Message.StartsWith("GroupNorm: expected an input of shape (N, 4, *)"));
    }

    // ---- RMSNorm -------------------------------------------------------------------------------------------------

    [Test]
    public void RMSNorm_IsTheClosedFormWithTheMachineEpsilonByDefault()
    {
        var m = new RMSNorm(4, dtype: DType.Float64);
        Assert.That(m.ToString(), Is.EqualTo("RMSNorm((4,), eps=None, elementwise_affine=True)"));
        Assert.That(new RMSNorm([2, 2], eps: 1e-6, elementwiseAffine: false).ToString(), Is.EqualTo("RMSNorm((2, 2), eps=1e-06, elementwise_affine=False)"));
        var x = Normal([3, 4], 1);
        var y = m.Forward(x).ToArray<double>();
        var xs = x.ToArray<double>();
        for (int r = 0; r < 3; r++)
        {
            double ms = Enumerable.Range(0, 4).Average(i => xs[r * 4 + i] * xs[r * 4 + i]);
            for (int i = 0; i < 4; i++) Assert.That(y[r * 4 + i], Is.EqualTo(xs[r * 4 + i] / Math.Sqrt(ms + Math.Pow(2, -52))).Within(Tol));
        }
        // float32's epsilon is 2⁻²³: visible on an all-zero-but-tiny row.
        var tiny = Tensor.Full([1, 4], 1e-4, DType.Float32);
        double expected = 1e-4 / Math.Sqrt(1e-8 + Math.Pow(2, -23));
        Assert.That(new RMSNorm(4).Forward(tiny).ToArray<float>(), Is.All.EqualTo(expected).Within(1e-5));
        Assert.That(GradCheck.CheckSecondOrder(a => m.Forward(a[0]), [Normal([2, 4], 2).RequireGrad()]), Gradients.Match);
    }
}
