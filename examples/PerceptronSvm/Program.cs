using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Optim;
using ScottPlot;

// Chapter 1 of the lecture notes (docs/tutorial.md), §1.2.1: the perceptron ŷ = sign{W·X + b} (eq. 1.2) on 2-D linearly separable data, trained three ways:
// (a) the classic update W ← W + α(y − ŷ)X of eq. 1.4, written by hand;
// (b) gradient descent on the perceptron criterion Lᵢ = max{−yᵢ(W·Xᵢ), 0} (eq. 1.8), gradients by autodiff;
// (c) gradient descent on the hinge loss Lᵢ = max{1 − yᵢ(W·Xᵢ), 0} (eq. 1.9) plus λ‖W‖², a linear SVM.

const string Description = """
    PerceptronSvm: trains a perceptron on 2-D linearly separable data (lecture notes, section 1.2.1) three ways:
      (a) the classic update W <- W + alpha (y - y_hat) X of eq. 1.4, written by hand,
      (b) the perceptron criterion max(-y (W.X + b), 0) of eq. 1.8, by autodiff (Losses.PerceptronCriterion),
      (c) the hinge loss max(1 - y (W.X + b), 0) of eq. 1.9 plus lambda |W|^2, a linear SVM (Losses.HingeLoss),
    prints the training accuracy and the margin of each and plots the data with the three decision boundaries.
    Run it with: dotnet run -c Release --project examples/PerceptronSvm -- [options]
    The same options print the same numbers on every run.
    """;

Option[] options =
[
    Cli.Int("--points", "number of training points", 100, 2, 100_000),
    Cli.Int("--epochs", "most passes over the data for each method", 1000, 1, 1_000_000),
    Cli.Double("--lambda", "X", "weight of the L2 term of the SVM", 0.001, 0, 100),
    Cli.Seed("seeds the data and the initial weights of (b) and (c)", 0),
    Cli.Output("PerceptronSvm"),
];

return Cli.Run("PerceptronSvm", args, Description, options, cli =>
{
    int n = cli.GetValue<int?>("--points")!.Value;
    int epochs = cli.GetValue<int?>("--epochs")!.Value;
    double lambda = cli.GetValue<double?>("--lambda")!.Value;
    ulong seed = cli.GetValue<ulong?>("--seed")!.Value;
    string output = Cli.OutputFolder(cli.GetValue<string?>("--output"), "PerceptronSvm");
    var ci = CultureInfo.InvariantCulture;

    // The data: points uniform in [-3, 3]², labelled by a random line through the box; points closer to that line
    // than 0.3 are redrawn, so the classes are separable with a margin (and the perceptron must converge).
    var generator = new Generator(seed);
    double angle = 2 * Math.PI * generator.NextDouble();
    double[] trueW = [Math.Cos(angle), Math.Sin(angle)];
    double trueB = generator.NextDouble() - 0.5;
    var xs = new double[n, 2];
    var ys = new double[n];
    for (int i = 0; i < n; i++)
    {
        double x1, x2, s;
        do
        {
            x1 = 6 * generator.NextDouble() - 3;
            x2 = 6 * generator.NextDouble() - 3;
            s = trueW[0] * x1 + trueW[1] * x2 + trueB;
        } while (Math.Abs(s) < 0.3);
        (xs[i, 0], xs[i, 1], ys[i]) = (x1, x2, Math.Sign(s));
    }
    int positives = ys.Count(v => v > 0);
    Console.WriteLine($"data: {n} points in [-3, 3]^2, {positives} with y = +1 and {n - positives} with y = -1, separable with margin >= 0.3");

    // (a) The classic perceptron, eq. 1.4 with the bias of eq. 1.2: for each point in turn, ŷ = sign(W·X + b),
    // W ← W + α(y − ŷ)X and b ← b + α(y − ŷ). A correct point changes nothing; stop after a pass without a mistake.
    const double alpha = 0.1;
    double[] wA = [0, 0];
    double bA = 0;
    int updates = 0, passesA = 0;
    for (bool mistake = true; mistake && passesA < epochs; passesA++)
    {
        mistake = false;
        for (int i = 0; i < n; i++)
        {
            double yHat = Math.Sign(wA[0] * xs[i, 0] + wA[1] * xs[i, 1] + bA);
            double error = ys[i] - yHat;            // E(X) = y − ŷ ∈ {−2, −1, 0, 1, 2}
            if (error == 0) continue;
            wA[0] += alpha * error * xs[i, 0];
            wA[1] += alpha * error * xs[i, 1];
            bA += alpha * error;
            updates++;
            mistake = true;
        }
    }
    Report("(a) perceptron, eq. 1.4 by hand", wA, bA, $"{passesA} passes, {updates} updates, alpha {alpha.ToString(ci)}");

    // (b) and (c) with tensors: scores ŷ = X·W + b for all points at once, gradients by Backward().
    var x = Tensor.From(xs);
    var y = Tensor.From(ys);

    // (b) The perceptron criterion (eq. 1.8), mean over the data, by full-batch gradient descent. Its gradient at a
    // misclassified point is −yX, the update of eq. 1.4; at W = 0 every point sits on the boundary where the gradient
    // is 0, so start from small random weights.
    var wB = Tensor.Normal([2], generator, 0, 0.1, DType.Float64).RequireGrad();
    var bB = Tensor.Zeros([1], DType.Float64).RequireGrad();
    var sgdB = new SGD([wB, bB], lr: 0.1);
    int epochsB = 0;
    double lossB = double.NaN;
    for (; epochsB <= epochs; epochsB++)
    {
        sgdB.ZeroGrad();
        var loss = Losses.PerceptronCriterion(x.MatMul(wB) + bB, y);
        lossB = loss.Item();
        if (lossB == 0 || epochsB == epochs) break;   // loss 0: no point on the wrong side of the boundary
        loss.Backward();
        sgdB.Step();
    }
    Report("(b) perceptron criterion, eq. 1.8", wB.ToArray<double>(), bB.Item(),
        lossB == 0 ? $"{epochsB} epochs of SGD lr 0.1 to reach loss 0" : $"{epochsB} epochs of SGD lr 0.1, loss still {lossB.ToString("F6", ci)}");

    // (c) The hinge loss (eq. 1.9) plus λ‖W‖², the linear SVM, by full-batch gradient descent. Points inside the
    // margin y·ŷ < 1 keep pushing even when they are correct, so the boundary moves away from both classes.
    var wC = Tensor.Normal([2], generator, 0, 0.1, DType.Float64).RequireGrad();
    var bC = Tensor.Zeros([1], DType.Float64).RequireGrad();
    var sgdC = new SGD([wC, bC], lr: 0.1, momentum: 0.9);
    var marginsC = new List<double>();
    for (int e = 0; e < epochs; e++)
    {
        sgdC.ZeroGrad();
        var loss = Losses.HingeLoss(x.MatMul(wC) + bC, y) + lambda * wC.Square().Sum();
        loss.Backward();
        sgdC.Step();
        marginsC.Add(Margin(wC.ToArray<double>(), bC.Item()));
    }
    double lossC;
    using (Autodiff.NoGrad()) lossC = (Losses.HingeLoss(x.MatMul(wC) + bC, y) + lambda * wC.Square().Sum()).Item();
    Report($"(c) hinge loss + {lambda.ToString(ci)} |W|^2 (SVM), eq. 1.9", wC.ToArray<double>(), bC.Item(),
        $"{epochs} epochs of SGD lr 0.1 momentum 0.9, final loss {lossC.ToString("F6", ci)}");

    // The plots: the data with the three boundaries W·X + b = 0, and the losses as functions of y·ŷ (seed fig. 1.6).
    var plot = new Plot();
    var pos = Enumerable.Range(0, n).Where(i => ys[i] > 0).ToArray();
    var neg = Enumerable.Range(0, n).Where(i => ys[i] < 0).ToArray();
    var mp = plot.Add.Markers(pos.Select(i => xs[i, 0]).ToArray(), pos.Select(i => xs[i, 1]).ToArray(), MarkerShape.FilledCircle, 8, Colors.RoyalBlue);
    mp.LegendText = "y = +1";
    var mn = plot.Add.Markers(neg.Select(i => xs[i, 0]).ToArray(), neg.Select(i => xs[i, 1]).ToArray(), MarkerShape.FilledSquare, 8, Colors.Crimson);
    mn.LegendText = "y = −1";
    AddBoundary(plot, wA, bA, 0, "(a) perceptron, eq. 1.4", Colors.DarkOrange, LinePattern.Solid);
    AddBoundary(plot, wB.ToArray<double>(), bB.Item(), 0, "(b) perceptron criterion, eq. 1.8", Colors.ForestGreen, LinePattern.Dashed);
    AddBoundary(plot, wC.ToArray<double>(), bC.Item(), 0, "(c) hinge + λ‖W‖² (SVM), eq. 1.9", Colors.Black, LinePattern.Solid);
    AddBoundary(plot, wC.ToArray<double>(), bC.Item(), 1, "SVM margin W·X + b = ±1", Colors.Gray, LinePattern.Dotted);
    AddBoundary(plot, wC.ToArray<double>(), bC.Item(), -1, null, Colors.Gray, LinePattern.Dotted);
    plot.Axes.SetLimits(-3.2, 3.2, -3.2, 3.2);
    plot.Axes.SquareUnits();
    plot.Title("Three decision boundaries W·X + b = 0");
    plot.XLabel("x₁");
    plot.YLabel("x₂");
    plot.ShowLegend(Edge.Bottom);
    string boundaries = Path.Combine(output, "boundaries.png");
    plot.SavePng(boundaries, 800, 900);

    // The per-point losses as functions of z = y·ŷ, evaluated by the library's losses with Reduction.None.
    var z = Tensor.Linspace(-3, 3, 601, DType.Float64);
    var ones = Tensor.OnesLike(z);
    var zs = z.ToArray<double>();
    var lossPlot = new Plot();
    void Curve(double[] values, string label, Color color, LinePattern pattern)
    {
        var line = lossPlot.Add.ScatterLine(zs, values);
        line.LegendText = label;
        line.Color = color;
        line.LineWidth = 2.5f;
        line.LinePattern = pattern;
    }
    Curve(zs.Select(v => v > 0 ? 0.0 : v == 0 ? 0.5 : 1.0).ToArray(), "0/1 loss, eq. 1.7", Colors.Gray, LinePattern.Dotted);
    Curve(Losses.PerceptronCriterion(z, ones, Reduction.None).ToArray<double>(), "perceptron criterion max(−z, 0), eq. 1.8", Colors.ForestGreen, LinePattern.Solid);
    Curve(Losses.HingeLoss(z, ones, Reduction.None).ToArray<double>(), "hinge max(1 − z, 0), eq. 1.9", Colors.Black, LinePattern.Dashed);
    Curve(Losses.LogisticLoss(z, ones, Reduction.None).ToArray<double>(), "logistic log(1 + e^(−z)), eq. 1.14", Colors.RoyalBlue, LinePattern.Solid);
    lossPlot.Title("Per-point losses as functions of z = y·ŷ (seed fig. 1.6)");
    lossPlot.XLabel("z = y·(W·X + b)");
    lossPlot.YLabel("loss");
    lossPlot.ShowLegend(Alignment.UpperRight);
    string losses = Path.Combine(output, "losses.png");
    lossPlot.SavePng(losses, 800, 500);

    // How the SVM's margin grows during training, against the final margins of the two perceptrons.
    var marginPlot = new Plot();
    var epochAxis = Enumerable.Range(1, marginsC.Count).Select(i => (double)i).ToArray();
    var mc = marginPlot.Add.ScatterLine(epochAxis, marginsC.ToArray());
    mc.LegendText = "(c) SVM during training";
    mc.Color = Colors.Black;
    mc.LineWidth = 2;
    var ha = marginPlot.Add.HorizontalLine(Margin(wA, bA), 2, Colors.DarkOrange, LinePattern.Solid);
    ha.LegendText = "(a) perceptron, final";
    var hb = marginPlot.Add.HorizontalLine(Margin(wB.ToArray<double>(), bB.Item()), 2, Colors.ForestGreen, LinePattern.Dashed);
    hb.LegendText = "(b) perceptron criterion, final";
    marginPlot.Axes.SetLimitsY(-0.5, 0.6);
    marginPlot.Title("Geometric margin min yᵢ(W·Xᵢ + b)/‖W‖");
    marginPlot.XLabel("epoch of (c)");
    marginPlot.YLabel("margin (< 0: a point is misclassified)");
    marginPlot.ShowLegend(Alignment.LowerRight);
    string marginPng = Path.Combine(output, "margin.png");
    marginPlot.SavePng(marginPng, 800, 500);

    Console.WriteLine($"plots written to {output}: boundaries.png, losses.png, margin.png");

    // The geometric margin min yᵢ(W·Xᵢ + b)/‖W‖: the distance from the boundary to the closest point, negative when a
    // point is on the wrong side.
    double Margin(double[] w, double b)
    {
        double margin = double.PositiveInfinity;
        double norm = Math.Sqrt(w[0] * w[0] + w[1] * w[1]);
        for (int i = 0; i < n; i++) margin = Math.Min(margin, ys[i] * (w[0] * xs[i, 0] + w[1] * xs[i, 1] + b) / norm);
        return margin;
    }

    // The training accuracy of sign(W·X + b) and the margin.
    void Report(string name, double[] w, double b, string how)
    {
        int correct = 0;
        for (int i = 0; i < n; i++)
            if (Math.Sign(w[0] * xs[i, 0] + w[1] * xs[i, 1] + b) == ys[i]) correct++;
        double margin = Margin(w, b);
        Console.WriteLine(name);
        Console.WriteLine($"  {how}");
        Console.WriteLine($"  W = [{w[0].ToString("F4", ci)}, {w[1].ToString("F4", ci)}], b = {b.ToString("F4", ci)}");
        Console.WriteLine($"  training accuracy {(100.0 * correct / n).ToString("F1", ci)}%, geometric margin {margin.ToString("F4", ci)}");
    }
});

// Draws the line w₁x₁ + w₂x₂ + b = level across the box [-3.2, 3.2]².
static void AddBoundary(Plot plot, double[] w, double b, double level, string? label, Color color, LinePattern pattern)
{
    const double lo = -3.2, hi = 3.2;
    double x1a, x2a, x1b, x2b;
    if (Math.Abs(w[1]) >= Math.Abs(w[0]))
    {
        (x1a, x1b) = (lo, hi);
        x2a = (level - b - w[0] * lo) / w[1];
        x2b = (level - b - w[0] * hi) / w[1];
    }
    else
    {
        (x2a, x2b) = (lo, hi);
        x1a = (level - b - w[1] * lo) / w[0];
        x1b = (level - b - w[1] * hi) / w[0];
    }
    var line = plot.Add.Line(x1a, x2a, x1b, x2b);
    line.Color = color;
    line.LineWidth = 2.5f;
    line.LinePattern = pattern;
    line.MarkerSize = 0;
    if (label is not null) line.LegendText = label;
}
