using Autograd.Nn;

namespace Autograd.Tests.Nn;

/// <summary>
/// The losses added for issue 14 (PyTorch's regression and margin losses), each against PyTorch 1.13's formula
/// written out here in float64, for every reduction, by GradCheck, at the points where its pieces meet, and on bad input.
/// </summary>
public class MoreLossTests
{
    private const double Tol = 1e-12;

    // x − t = [−0.5, −0.2, 2.5, −0.75, 0.5, −0.75]: inside and outside a threshold of 0.6, none at a kink.
    private static readonly double[] X = [0.5, -1.2, 2.0, 0.0, 3.5, -0.25];
    private static readonly double[] Y = [1.0, -1.0, -0.5, 0.75, 3.0, 0.5];

    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape);

    private static Tensor Grad(double[] values, params int[] shape) => Tensor.From(values, shape).RequireGrad();

    private static void AssertReduced(Tensor actual, double[] perElement, int[] noneShape, Reduction reduction)
    {
        switch (reduction)
        {
            case Reduction.None:
                Assert.That(actual.Shape, Is.EqualTo(noneShape));
                Assert.That(actual.ToArray<double>(), Is.EqualTo(perElement).Within(Tol));
                break;
            case Reduction.Sum:
                Assert.That(actual.Shape, Is.Empty);
                Assert.That(actual.Item(), Is.EqualTo(perElement.Sum()).Within(Tol));
                break;
            default:
                Assert.That(actual.Shape, Is.Empty);
                Assert.That(actual.Item(), Is.EqualTo(perElement.Average()).Within(Tol));
                break;
        }
    }

    // ---- Huber and smooth L1 ------------------------------------------------------------------------------------

    // PyTorch's huber_loss: z = |x − t|; z < δ ? 0.5·z·z : δ·(z − 0.5·δ).
    private static double Huber(double x, double t, double delta)
    {
        double z = Math.Abs(x - t);
        return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    }

    // PyTorch's smooth_l1_loss: z = |x − t|; z < β ? 0.5·z·z/β : z − 0.5·β.
    private static double SmoothL1(double x, double t, double beta)
    {
        double z = Math.Abs(x - t);
        return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
    }

    [Test]
    public void HuberLoss_IsQuadraticInsideDeltaAndLinearOutside([Values] Reduction reduction, [Values(1.0, 0.6)] double delta)
    {
        var expected = X.Select((x, i) => Huber(x, Y[i], delta)).ToArray();
        AssertReduced(Losses.HuberLoss(D(X, 2, 3), D(Y, 2, 3), reduction, delta), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.HuberLoss(a[0], a[1], reduction, delta), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void HuberLoss_ByHand_AndItsGradientIsTheDifferenceClippedToDelta()
    {
        // δ = 1: d = 2.5 gives 1·(2.5 − 0.5) = 2; d = −0.5 gives 0.125; d = 1 (the boundary) gives 0.5.
        var x = Grad([3.0, 0.5, 2.0], 3);
        var loss = Losses.HuberLoss(x, D([0.5, 1.0, 1.0], 3), Reduction.None);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 2.0, 0.125, 0.5 }).Within(Tol));
        loss.Sum().Backward();
        // PyTorch's huber_loss_backward: δ beyond δ, d inside, and d = δ at the boundary.
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, -0.5, 1.0 }).Within(Tol));

        var x2 = Grad([3.0, 0.5, 2.0, -4.0], 4);
        Losses.HuberLoss(x2, D([0.5, 1.0, 0.0, 0.0], 4), Reduction.Mean, delta: 2.0).Backward();
        Assert.That(x2.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0 / 4, -0.5 / 4, 2.0 / 4, -2.0 / 4 }).Within(Tol));
    }

    [Test]
    public void SmoothL1Loss_IsQuadraticOverBetaInsideBetaAndL1MinusHalfBetaOutside([Values] Reduction reduction, [Values(1.0, 0.6)] double beta)
    {
        var expected = X.Select((x, i) => SmoothL1(x, Y[i], beta)).ToArray();
        AssertReduced(Losses.SmoothL1Loss(D(X, 2, 3), D(Y, 2, 3), reduction, beta), expected, [2, 3], reduction);
        Assert.That(GradCheck.Check(a => Losses.SmoothL1Loss(a[0], a[1], reduction, beta), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void SmoothL1Loss_ByHand_AndHuberIsDeltaTimesSmoothL1()
    {
        // β = 0.5: d = 2.5 gives 2.5 − 0.25 = 2.25; d = −0.2 gives 0.5·0.04/0.5 = 0.04; d = 0.5 (the boundary) gives 0.25.
        var x = Grad([3.0, 0.8, 1.5], 3);
        var loss = Losses.SmoothL1Loss(x, D([0.5, 1.0, 1.0], 3), Reduction.None, beta: 0.5);
        Assert.That(loss.ToArray<double>(), Is.EqualTo(new[] { 2.25, 0.04, 0.25 }).Within(Tol));
        loss.Sum().Backward();
        // PyTorch's smooth_l1_loss_backward: sign(d) beyond β, d/β inside, 1 at the boundary.
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, -0.4, 1.0 }).Within(Tol));

        var huber = Losses.HuberLoss(D(X, 6), D(Y, 6), Reduction.None, delta: 0.6).ToArray<double>();
        var smooth = Losses.SmoothL1Loss(D(X, 6), D(Y, 6), Reduction.None, beta: 0.6).ToArray<double>();
        Assert.That(huber, Is.EqualTo(smooth.Select(v => 0.6 * v).ToArray()).Within(Tol));
    }

    [Test]
    public void SmoothL1Loss_WithBetaZero_IsL1Loss([Values] Reduction reduction)
    {
        var l1 = Losses.L1Loss(D(X, 2, 3), D(Y, 2, 3), reduction).ToArray<double>();
        Assert.That(Losses.SmoothL1Loss(D(X, 2, 3), D(Y, 2, 3), reduction, beta: 0.0).ToArray<double>(), Is.EqualTo(l1));
        Assert.That(GradCheck.Check(a => Losses.SmoothL1Loss(a[0], a[1], reduction, 0.0), [Grad(X, 2, 3), Grad(Y, 2, 3)]), Gradients.Match);
    }

    [Test]
    public void HuberAndSmoothL1_RejectBadThresholdsShapesAndDtypes()
    {
        foreach (double delta in new[] { 0.0, -1.0, double.NaN })
            Assert.That(() => Losses.HuberLoss(D(X, 6), D(Y, 6), delta: delta),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("HuberLoss: delta must be > 0").And.Message.Contains($"got {delta}"));
        foreach (double beta in new[] { -0.5, double.NaN })
            Assert.That(() => Losses.SmoothL1Loss(D(X, 6), D(Y, 6), beta: beta),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("SmoothL1Loss: beta must be >= 0").And.Message.Contains($"got {beta}"));
        Assert.That(() => Losses.HuberLoss(D(X, 6), D(Y, 2, 3)),
            Throws.ArgumentException.With.Message.StartsWith("HuberLoss: target of shape [2, 3] does not match input of shape [6]."));
        Assert.That(() => Losses.SmoothL1Loss(D(X, 6), Tensor.From(new long[] { 1, 2, 3, 4, 5, 6 }, 6)),
            Throws.ArgumentException.With.Message.StartsWith("SmoothL1Loss: target must be float32 or float64, got int64 of shape [6]."));
        Assert.That(() => Losses.HuberLoss(D(X, 6), D(Y, 6), (Reduction)7), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
