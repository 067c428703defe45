using Autograd.Kernels;
using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Kernels;

/// <summary>
/// Float32 reductions on long inputs (10^6 to 10^7 terms) against float64 references: contiguous, strided (an inner
/// and an outer axis, a transposed view), broadcast, the bias gradient of a batch, logsumexp, the softmax family's
/// denominators and backward row sums, a loss and a norm. Every result must lie within
/// eps·|S| + log2(n)·eps·Σ|x| of the exact sum S of n terms (eps = 2^-23, float32's machine epsilon): the first term
/// is the rounding of the result itself, the second a bound that grows with log2(n), as a pairwise sum's does, not with n.
/// A float32 accumulator breaks it by orders of magnitude on 10^7 copies of 0.1 (0.6% to 1.1% off, by the vector width; the bound allows 2.8e-6).
/// </summary>
[NonParallelizable]
public class ReductionAccuracyTests
{
    private const double Eps = 1.0 / (1 << 23);

    private static double Bound(double exact, double absSum, long n) => Eps * Math.Abs(exact) + Math.Log2(Math.Max(n, 2)) * Eps * absSum;

    private static void Within(double actual, double exact, double absSum, long n, string what)
    {
        double bound = Bound(exact, absSum, n);
        Assert.That(Math.Abs(actual - exact), Is.LessThanOrEqualTo(bound), $"{what}: {actual:R} against the float64 {exact:R} (bound {bound:G3})");
    }

    // Neumaier's compensated float64 sum of data[start + k·stride], k < count: exact to a few float64 ulps, far below
    // the float32 bounds checked. Also returns Σ|x|.
    private static (double Sum, double Abs) Exact(float[] data, int start, int count, int stride) =>
        Exact(k => data[start + k * stride], count);

    private static (double Sum, double Abs) Exact(Func<int, double> term, int count)
    {
        double s = 0, c = 0, abs = 0;
        for (int k = 0; k < count; k++)
        {
            double v = term(k), t = s + v;
            c += Math.Abs(s) >= Math.Abs(v) ? (s - t) + v : (v - t) + s;
            s = t;
            abs += Math.Abs(v);
        }
        return (s + c, abs);
    }

    private static (double Sum, double Abs) Exact(float[] data) => Exact(data, 0, data.Length, 1);

    // The sums of a [rows, cols] array (row-major) over axis 0 and axis 1 against their references; one assertion per
    // axis, on the output closest to (or furthest past) its bound.
    private static void AxisSumsWithin(Tensor sum0, Tensor sum1, float[] data, int rows, int cols, string what)
    {
        Worst(sum0.ToArray<float>(), j => Exact(data, j, rows, cols), rows, $"{what}.Sum(0)");
        Worst(sum1.ToArray<float>(), r => Exact(data, r * cols, cols, 1), cols, $"{what}.Sum(1)");
    }

    private static void Worst(float[] actual, Func<int, (double Sum, double Abs)> exact, long n, string what)
    {
        int worst = 0;
        double ratio = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            var (s, a) = exact(i);
            double r = Math.Abs(actual[i] - s) / Bound(s, a, n);
            if (r > ratio) (ratio, worst) = (r, i);
        }
        var (ws, wa) = exact(worst);
        Within(actual[worst], ws, wa, n, $"{what}[{worst}]");
    }

    [Test]
    public void ContiguousSumsAndMeansStayWithinTheLogBound()
    {
        const int n = 10_000_000;
        var tenth = Tensor.Full([n], 0.1f);
        Within(tenth.Sum().Item(), n * (double)0.1f, n * (double)0.1f, n, "Full([10^7], 0.1).Sum()");
        Within(tenth.Mean().Item(), 0.1f, 0.1f, n, "Full([10^7], 0.1).Mean()");

        // Pixel-like values k/255 as in an image dataset's mean, and uniform terms of both signs, at odd lengths.
        var pixels = new float[n + 13];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (i * 7919 % 256) / 255f;
        var p = Tensor.From(pixels);
        var (ps, pa) = Exact(pixels);
        Within(p.Sum().Item(), ps, pa, pixels.Length, "pixels.Sum()");
        Within(p.Mean().Item(), ps / pixels.Length, pa / pixels.Length, pixels.Length, "pixels.Mean()");

        var mixed = Tensor.Uniform([1_000_003], new Generator(7), -1, 1);
        var (ms, ma) = Exact(mixed.ToArray<float>());
        Within(mixed.Sum().Item(), ms, ma, 1_000_003, "uniform(-1, 1).Sum()");
    }

    [Test]
    public void InnerOuterAndMiddleAxisSumsStayWithinTheLogBound()
    {
        const int rows = 1_000_000;
        var tenths = Tensor.Full([rows, 2], 0.1f);
        AxisSumsWithin(tenths.Sum(0), tenths.Sum(1), tenths.ToArray<float>(), rows, 2, "Full([10^6, 2], 0.1)");
        var wide = Tensor.Full([2, rows], 0.1f);
        AxisSumsWithin(wide.Sum(0), wide.Sum(1), wide.ToArray<float>(), 2, rows, "Full([2, 10^6], 0.1)");

        // 300 columns cover the 64- and 16-column chunks of the outer-axis sum and its scalar tail; 4099 rows its row blocks.
        var block = Tensor.Uniform([4099, 300], new Generator(11), 0, 1);
        AxisSumsWithin(block.Sum(0), block.Sum(1), block.ToArray<float>(), 4099, 300, "uniform [4099, 300]");

        // The middle axis of [3, 200000, 5]: blocks of rows with outer offsets.
        var cube = Tensor.Full([3, 200_000, 5], 0.1f) + Tensor.Uniform([3, 1, 5], new Generator(12), 0, 1);
        var c = cube.ToArray<float>();
        Worst(cube.Sum(1).ToArray<float>(), i => Exact(c, i / 5 * 200_000 * 5 + i % 5, 200_000, 5), 200_000, "[3, 200000, 5].Sum(1)");
    }

    [Test]
    public void TransposedViewSumsStayWithinTheLogBound()
    {
        const int rows = 2_000_000;
        var stored = Tensor.Full([rows, 2], 0.1f) + Tensor.Uniform([rows, 2], new Generator(13), 0, 0.01);
        var view = stored.T;   // [2, rows], strides (1, 2): reducing axis 1 walks a stride-2 row
        var data = view.ToArray<float>();
        AxisSumsWithin(view.Sum(0), view.Sum(1), data, 2, rows, "Full([2·10^6, 2]).T");
        var (vs, va) = Exact(data);
        Within(view.Sum().Item(), vs, va, 2L * rows, "Full([2·10^6, 2]).T.Sum()");

        var square = Tensor.Uniform([1500, 1200], new Generator(14), 0, 1).T;
        AxisSumsWithin(square.Sum(0), square.Sum(1), square.ToArray<float>(), 1200, 1500, "uniform [1500, 1200].T");
    }

    [Test]
    public void BroadcastSumsStayWithinTheLogBound()
    {
        const int n = 10_000_000;
        var b = Tensor.Full([1], 0.1f).BroadcastTo(n);
        Within(b.Sum().Item(), n * (double)0.1f, n * (double)0.1f, n, "Full([1], 0.1).BroadcastTo(10^7).Sum()");

        var column = Tensor.Uniform([1000, 1], new Generator(15), 0, 1).BroadcastTo(1000, 2000);
        AxisSumsWithin(column.Sum(0), column.Sum(1), column.ToArray<float>(), 1000, 2000, "[1000, 1].BroadcastTo(1000, 2000)");
    }

    [Test]
    public void BiasGradientOfALongBatchStaysWithinTheLogBound()
    {
        // y = x + b over a batch of 10^6: b's gradient is SumTo over the batch axis of the upstream gradient w.
        const int batch = 1_000_000;
        var b = Tensor.Zeros([2]).RequireGrad();
        var x = Tensor.Uniform([batch, 2], new Generator(16), -1, 1);
        var w = Tensor.Full([batch, 2], 0.1f) + Tensor.Uniform([batch, 2], new Generator(17), 0, 0.01);
        ((x + b) * w).Sum().Backward();
        var wd = w.ToArray<float>();
        Worst(b.Grad!.ToArray<float>(), j => Exact(wd, j, batch, 2), batch, "b.Grad");
    }

    // Logits with one 0 and n − 1 entries of −2.3: the denominator is 1 + (n − 1)·e^−2.3, a sum of equal terms.
    private static float[] OneHigh(int n)
    {
        var z = new float[n];
        Array.Fill(z, -2.3f);
        z[0] = 0;
        return z;
    }

    [Test]
    public void LogSumExpAndSoftmaxDenominatorsStayWithinTheLogBound()
    {
        const int n = 2_000_000;
        var z = OneHigh(n);
        double small = Math.Exp(-2.3f), denominator = 1 + (n - 1) * small, lse = Math.Log(denominator);
        // Each exp is within a few float32 ulps: 4·eps of the denominator on top of the bound of its sum.
        double logBound = Bound(lse, 0, n) + (Math.Log2(n) + 4) * Eps;
        Assert.That(Math.Abs(Tensor.From(z).LogSumExp(0).Item() - lse), Is.LessThanOrEqualTo(logBound), "logsumexp of [n]");

        // Along the last axis (rows of n) and along axis 0 of [n, 2] (n slices summed elementwise).
        var rows = Tensor.From(z.Concat(z).ToArray(), 2, n);
        var cols = rows.T.Contiguous();
        foreach (var (probs, logProbs, what) in new[]
                 {
                     (rows.Softmax(1).ToArray<float>(), rows.LogSoftmax(1).ToArray<float>(), "axis 1 of [2, n]"),
                     (cols.Softmax(0).T.Contiguous().ToArray<float>(), cols.LogSoftmax(0).T.Contiguous().ToArray<float>(), "axis 0 of [n, 2]"),
                 })
            for (int r = 0; r < 2; r++)
                foreach (int k in new[] { 0, 1, n - 1 })
                {
                    double e = (k == 0 ? 1 : small) / denominator;
                    double relative = (Math.Log2(n) + 4) * Eps;
                    Assert.That(Math.Abs(probs[r * n + k] - e), Is.LessThanOrEqualTo(relative * e + Eps * e), $"softmax {what} [{r}, {k}]");
                    double l = (k == 0 ? 0 : -2.3f) - lse;
                    Assert.That(Math.Abs(logProbs[r * n + k] - l), Is.LessThanOrEqualTo(logBound + Eps * Math.Abs(l)), $"log_softmax {what} [{r}, {k}]");
                }

        var target = Tensor.From(new long[] { 0, 1 });
        var loss = cols.CrossEntropy(target, 0).ToArray<float>();
        Assert.That(Math.Abs(loss[0] - lse), Is.LessThanOrEqualTo(logBound), "cross_entropy along axis 0, class 0");
        Assert.That(Math.Abs(loss[1] - (lse + 2.3f)), Is.LessThanOrEqualTo(logBound + Eps * (lse + 2.3)), "cross_entropy along axis 0, class 1");
        var rowLoss = rows.CrossEntropy(target, 1).ToArray<float>();
        Assert.That(Math.Abs(rowLoss[0] - lse), Is.LessThanOrEqualTo(logBound), "cross_entropy along axis 1, class 0");
    }

    [Test]
    public void SoftmaxBackwardRowSumsStayWithinTheLogBound()
    {
        const int n = 2_000_000;
        foreach (bool lastAxis in new[] { true, false })
        {
            // log_softmax: dx = g − e^y·Σg, with g the upstream gradient (here about 0.1 everywhere).
            var x = (lastAxis ? Tensor.Uniform([1, n], new Generator(18), -3, 0) : Tensor.Uniform([n, 1], new Generator(18), -3, 0)).RequireGrad();
            int axis = lastAxis ? 1 : 0;
            var g = Tensor.Full(x.Shape, 0.1f) + Tensor.Uniform(x.Shape, new Generator(19), 0, 0.01);
            var y = x.LogSoftmax(axis);
            (y * g).Sum().Backward();
            var dx = x.Grad!.ToArray<float>();
            var yd = y.ToArray<float>();
            var gd = g.ToArray<float>();
            var (sg, ag) = Exact(gd);
            for (int i = 0; i < n; i += 99_991)
            {
                double p = Math.Exp(yd[i]), e = gd[i] - p * sg;
                double bound = Eps * (Math.Abs(gd[i]) + 4 * p * sg) + Math.Log2(n) * Eps * p * ag;
                Assert.That(Math.Abs(dx[i] - e), Is.LessThanOrEqualTo(bound), $"log_softmax backward along axis {axis} at {i}");
            }

            // softmax: dx = y·(g − Σ g·y).
            var xs = (lastAxis ? Tensor.Uniform([1, n], new Generator(20), -3, 0) : Tensor.Uniform([n, 1], new Generator(20), -3, 0)).RequireGrad();
            var ys = xs.Softmax(axis);
            (ys * g).Sum().Backward();
            var dxs = xs.Grad!.ToArray<float>();
            var yv = ys.ToArray<float>();
            var (sgy, agy) = Exact(i => (double)gd[i] * yv[i], n);
            for (int i = 0; i < n; i += 99_991)
            {
                double e = yv[i] * (gd[i] - sgy);
                double bound = 3 * Eps * Math.Abs(yv[i]) * (Math.Abs(gd[i]) + Math.Abs(sgy)) + Math.Log2(n) * Eps * yv[i] * agy;
                Assert.That(Math.Abs(dxs[i] - e), Is.LessThanOrEqualTo(bound), $"softmax backward along axis {axis} at {i}");
            }
        }
    }

    [Test]
    public void LossReductionsAndNormsStayWithinTheLogBound()
    {
        const int n = 4_000_000;
        var input = Tensor.Full([n], 0.1f);
        var target = Tensor.Zeros([n]);
        double square = (double)(0.1f * 0.1f);
        Within(Losses.MseLoss(input, target).Item(), square, square, n, "MseLoss mean");
        Within(Losses.MseLoss(input, target, Reduction.Sum).Item(), n * square, n * square, n, "MseLoss sum");
        Within(Losses.L1Loss(input, target).Item(), 0.1f, 0.1f, n, "L1Loss mean");

        var p = new Parameter(Tensor.Zeros([n])) { Grad = Tensor.Full([n], 0.1f) };
        double norm = GradClip.ClipGradNorm([p], double.PositiveInfinity);
        // The norm is √S: its relative error is half that of the sum of squares S.
        Within(norm * norm, n * square, n * square, n, "ClipGradNorm's total norm, squared");
        Within(GradClip.ClipGradNorm([p], double.PositiveInfinity, normType: 1), n * (double)0.1f, n * (double)0.1f, n, "ClipGradNorm's 1-norm");
    }

    [Test]
    public void ReductionBitsDoNotDependOnTheVectorWidthOrTheThreadCount()
    {
        var x = Tensor.Uniform([100_003], new Generator(21), -1, 1);
        var m = Tensor.Uniform([1003, 300], new Generator(22), -1, 1);
        var c = Tensor.Uniform([300, 33], new Generator(23), -3, 3);
        var g = Tensor.Uniform([300, 33], new Generator(24), -1, 1);
        float[][] Run()
        {
            var z1 = c.Detach().RequireGrad();
            (z1.Softmax(1) * g).Sum().Backward();
            var z0 = c.Detach().RequireGrad();
            (z0.LogSoftmax(0) * g).Sum().Backward();
            return
            [
                x.Sum().ToArray<float>(), m.Sum(0).ToArray<float>(), m.Sum(1).ToArray<float>(), m.T.Sum(1).ToArray<float>(),
                c.Softmax(0).ToArray<float>(), c.LogSoftmax(1).ToArray<float>(), z1.Grad!.ToArray<float>(), z0.Grad!.ToArray<float>(),
                m.To(DType.Float64).Sum(0).To(DType.Float32).ToArray<float>(),
            ];
        }
        var reference = Run();
        int? savedWidth = Accumulate.ForceWidth;
        int savedDegree = Parallelism.MaxDegree;
        try
        {
            foreach (int width in new[] { 0, 128, 256, 512 })
            {
                Accumulate.ForceWidth = width;
                Assert.That(Run(), Is.EqualTo(reference), $"vector width {width}");
            }
            Accumulate.ForceWidth = savedWidth;
            foreach (int degree in new[] { 1, 2, 3 })
            {
                Parallelism.MaxDegree = degree;
                Assert.That(Run(), Is.EqualTo(reference), $"{degree} threads");
            }
        }
        finally
        {
            Accumulate.ForceWidth = savedWidth;
            Parallelism.MaxDegree = savedDegree;
        }
    }
}
