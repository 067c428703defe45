using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Optim;
using ScottPlot;

// The lecture slides (docs/tutorial.md), Cybenko (1989): for every continuous f on a closed interval and every ε > 0 there is a one-hidden-layer
// network g(x) = Σⱼ aⱼ σ(bⱼx + cⱼ) with |f(x) − g(x)| < ε everywhere. Two such networks for the slides' target
// f(x) = 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x) on [−10, 10]:
//   (1) one found by gradient descent;
//   (2) the proof's construction: steep sigmoids are steps (step 1), two steps make a rectangle (step 2), and
//       rectangles scaled by f at their midpoints add up to f (step 3).

const string Description = """
    UniversalApproximation: the universal approximation theorem (Cybenko 1989, lecture slides) on their target
    f(x) = 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x) on [-10, 10], with two one-hidden-layer sigmoid networks:
      (1) one trained by gradient descent (Adam, mean squared error),
      (2) the proof's step-and-rectangle construction, built by hand: N rectangles
          sigma(k(x - x_i)) - sigma(k(x - x_{i+1})), each scaled by f at its midpoint.
    Prints the maximum error of each (and how the construction's error shrinks as N grows) and plots them.
    Run it with: dotnet run -c Release --project examples/UniversalApproximation -- [options]
    The same options print the same numbers on every run.
    """;

const double A = -10, B = 10;

Option[] options =
[
    Cli.Int("--hidden", "hidden sigmoid units of the trained network", 24, 1, 10_000),
    Cli.Int("--steps", "training steps", 4000, 0, 1_000_000),
    Cli.Double("--lr", "X", "Adam learning rate", 0.02, 0, 10),
    Cli.Int("--rectangles", "rectangles of the construction (it has 2N hidden units)", 40, 2, 100_000),
    Cli.Double("--sharpness", "S", "steepness of the steps, k = S / (rectangle width)", 20, 0, 1e6),
    Cli.Seed("seeds the trained network's initial weights", 0),
    Cli.Output("UniversalApproximation"),
];

return Cli.Run("UniversalApproximation", args, Description, options, cli =>
{
    int hidden = cli.GetValue<int?>("--hidden")!.Value;
    int steps = cli.GetValue<int?>("--steps")!.Value;
    double lr = cli.GetValue<double?>("--lr")!.Value;
    int rectangles = cli.GetValue<int?>("--rectangles")!.Value;
    double sharpness = cli.GetValue<double?>("--sharpness")!.Value;
    ulong seed = cli.GetValue<ulong?>("--seed")!.Value;
    string output = Cli.OutputFolder(cli.GetValue<string?>("--output"), "UniversalApproximation");
    var ci = CultureInfo.InvariantCulture;

    // Training data: 201 points; the maximum error is measured on a 10× finer grid, between the training points too.
    var xTrain = Tensor.Linspace(A, B, 201, DType.Float64);
    var yTrain = Target(xTrain);
    var xFine = Tensor.Linspace(A, B, 2001, DType.Float64);
    var yFine = Target(xFine);
    var target = yFine.ToArray<double>();
    // The Lipschitz constant L = max |f'| (on the fine grid, by autodiff) bounds the construction's error by L·h/2.
    var xl = xFine.Detach().RequireGrad();
    Target(xl).Sum().Backward();
    double lipschitz = xl.Grad!.Abs().Max().Item();
    Console.WriteLine($"target: f(x) = 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x) on [{A}, {B}], max |f'| = {lipschitz.ToString("F4", ci)}");

    // (1) g(x) = Σⱼ aⱼ σ(bⱼx + cⱼ) + d, trained: Linear(1, H) → Sigmoid → Linear(H, 1). The input is scaled to [−1, 1].
    var generator = new Generator(seed);
    var trained = new Sequential(new Linear(1, hidden, generator: generator, dtype: DType.Float64), new Sigmoid(),
        new Linear(hidden, 1, generator: generator, dtype: DType.Float64));
    Tensor Trained(Tensor x) => trained.Forward((x / B).Unsqueeze(1)).Squeeze(1);
    var adam = new Adam(trained.Parameters(), lr: lr);
    Console.WriteLine($"(1) trained network 1-{hidden}-1 (sigmoid): Adam lr {lr.ToString(ci)}, {steps} steps on 201 points");
    int report = Math.Max(1, steps / 4);
    for (int s = 0; s <= steps; s++)
    {
        adam.ZeroGrad();
        var loss = Losses.MseLoss(Trained(xTrain), yTrain);
        if (s % report == 0 || s == steps) Console.WriteLine($"  step {s,7}  MSE {loss.Item().ToString("0.0000e+00", ci)}");
        if (!double.IsFinite(loss.Item())) throw new UsageException($"training diverged at step {s}; try a smaller --lr");
        if (s == steps) break;
        loss.Backward();
        adam.Step();
    }
    double[] trainedFine;
    using (Autodiff.NoGrad()) trainedFine = Trained(xFine).ToArray<double>();
    double trainedError = MaxError(trainedFine, target);
    Console.WriteLine($"  max error {trainedError.ToString("F4", ci)}");

    // (2) The construction with N rectangles, loaded into the same kind of network.
    var (construction, k) = Construction(rectangles, sharpness);
    double[] constructionFine;
    using (Autodiff.NoGrad()) constructionFine = construction.Forward(xFine.Unsqueeze(1)).Squeeze(1).ToArray<double>();
    double constructionError = MaxError(constructionFine, target);
    double h = (B - A) / (rectangles - 1);
    Console.WriteLine($"(2) construction: {rectangles} rectangles of width {h.ToString("F4", ci)}, {2 * rectangles} sigmoids, k = {k.ToString("F2", ci)}");
    Console.WriteLine($"  max error {constructionError.ToString("F4", ci)} (bound L*h/2 = {(lipschitz * h / 2).ToString("F4", ci)})");

    // The error of the construction shrinks like 1/N: any ε is reached with enough rectangles.
    Console.WriteLine("  rectangles  sigmoids  max error  L*h/2");
    var table = new List<(int N, double Error, double Bound)>();
    foreach (int n in new[] { 5, 10, 20, 40, 80, 160, 320 })
    {
        var (net, _) = Construction(n, sharpness);
        double error;
        using (Autodiff.NoGrad()) error = MaxError(net.Forward(xFine.Unsqueeze(1)).Squeeze(1).ToArray<double>(), target);
        double bound = lipschitz * (B - A) / (n - 1) / 2;
        table.Add((n, error, bound));
        Console.WriteLine($"  {n,10}  {2 * n,8}  {error.ToString("F4", ci),9}  {bound.ToString("F4", ci)}");
    }
    Console.WriteLine($"max error: trained network ({hidden} sigmoids) {trainedError.ToString("F4", ci)}, construction ({2 * rectangles} sigmoids) {constructionError.ToString("F4", ci)}");

    // Plots.
    var xs = xFine.ToArray<double>();
    var plot = new Plot();
    Line(plot, xs, target, "target f(x)", Colors.Black, 5);
    Line(plot, xs, constructionFine, $"construction, {rectangles} rectangles: max error {constructionError.ToString("F3", ci)}", Colors.OrangeRed, 2);
    Line(plot, xs, trainedFine, $"trained 1-{hidden}-1 sigmoid network: max error {trainedError.ToString("F3", ci)}", Colors.RoyalBlue, 2, LinePattern.Dashed);
    plot.Title("One hidden layer of sigmoids approximates f (Cybenko 1989)");
    plot.XLabel("x");
    plot.YLabel("f(x)");
    plot.Axes.SetLimitsY(-7, 10);
    plot.ShowLegend(Alignment.UpperLeft);
    string approximation = Path.Combine(output, "approximation.png");
    plot.SavePng(approximation, 900, 560);

    // The construction with a few rectangles, each drawn on its own.
    const int few = 8;
    var (small, kSmall) = Construction(few, sharpness);
    var parts = new Plot();
    Line(parts, xs, target, "target f(x)", Colors.Black, 3);
    double hSmall = (B - A) / (few - 1);
    var palette = new ScottPlot.Palettes.Category10();
    for (int i = 0; i < few; i++)
    {
        double mid = A + i * hSmall, left = mid - hSmall / 2, right = mid + hSmall / 2, height = TargetAt(mid);
        var rect = xs.Select(x => height * (Sigmoid(kSmall * (x - left)) - Sigmoid(kSmall * (x - right)))).ToArray();
        Line(parts, xs, rect, i == 0 ? "f(mᵢ)·[σ(k(x − xᵢ)) − σ(k(x − xᵢ₊₁))]" : null, palette.GetColor(i).WithAlpha(0.8), 1.5f);
    }
    double[] smallFine;
    using (Autodiff.NoGrad()) smallFine = small.Forward(xFine.Unsqueeze(1)).Squeeze(1).ToArray<double>();
    Line(parts, xs, smallFine, $"their sum, {few} rectangles: max error {MaxError(smallFine, target).ToString("F3", ci)}", Colors.OrangeRed, 2.5f);
    parts.Title($"Step 3: a sum of {few} rectangles, each scaled by f at its midpoint");
    parts.XLabel("x");
    parts.YLabel("f(x)");
    parts.Axes.SetLimitsY(-7, 10);
    parts.ShowLegend(Alignment.UpperLeft);
    string rectanglesPng = Path.Combine(output, "rectangles.png");
    parts.SavePng(rectanglesPng, 900, 560);

    // Steps 1 and 2: σ(b(x − t)) becomes a step at t as b grows; two steps make a rectangle.
    var steepPlot = new Plot();
    var us = Enumerable.Range(0, 1201).Select(i => -1 + 6.0 * i / 1200).ToArray();
    foreach (var (bb, color) in new[] { (1.0, Colors.LightSkyBlue), (3.0, Colors.CornflowerBlue), (10.0, Colors.RoyalBlue), (99.0, Colors.Navy) })
        Line(steepPlot, us, us.Select(u => Sigmoid(bb * (u - 2))).ToArray(), $"σ({bb.ToString(ci)}(x − 2))", color, 2);
    Line(steepPlot, us, us.Select(u => Sigmoid(99 * (u - 1)) - Sigmoid(99 * (u - 3)) + 1.2).ToArray(),
        "σ(99(x − 1)) − σ(99(x − 3)), shifted up by 1.2", Colors.OrangeRed, 2);
    steepPlot.Title("Steps 1 and 2: steep sigmoids are steps, two steps make a rectangle");
    steepPlot.XLabel("x");
    steepPlot.YLabel("value");
    steepPlot.Axes.SetLimitsY(-0.1, 2.5);
    steepPlot.ShowLegend(Alignment.UpperLeft);
    string stepsPng = Path.Combine(output, "steps.png");
    steepPlot.SavePng(stepsPng, 900, 500);

    // The construction's error against N, on log scales.
    var errorPlot = new Plot();
    var logN = Plotting.Log10(table.Select(t => (double)t.N));
    var e1 = errorPlot.Add.Scatter(logN, Plotting.Log10(table.Select(t => t.Error)), Colors.OrangeRed);
    e1.LegendText = "construction: max error";
    e1.LineWidth = 2;
    e1.MarkerSize = 8;
    var e2 = errorPlot.Add.ScatterLine(logN, Plotting.Log10(table.Select(t => t.Bound)), Colors.Gray);
    e2.LegendText = "bound L·h/2 ∝ 1/N";
    e2.LinePattern = LinePattern.Dashed;
    e2.LineWidth = 2;
    var e3 = errorPlot.Add.HorizontalLine(Math.Log10(trainedError), 2, Colors.RoyalBlue, LinePattern.Dotted);
    e3.LegendText = $"trained network, {hidden} sigmoids";
    errorPlot.Title("The construction reaches any ε with enough rectangles");
    errorPlot.XLabel("N (rectangles, log scale)");
    errorPlot.YLabel("max |f − g| (log scale)");
    Plotting.UseLogScale(errorPlot, errorPlot.Axes.Bottom);
    Plotting.UseLogScale(errorPlot, errorPlot.Axes.Left);
    errorPlot.ShowLegend(Alignment.UpperRight);
    string errorPng = Path.Combine(output, "error.png");
    errorPlot.SavePng(errorPng, 800, 500);

    Console.WriteLine($"plots written to {output}: approximation.png, rectangles.png, steps.png, error.png");
});

// f(x) = 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x), the slides' target.
static Tensor Target(Tensor x) => 3 * (0.5 * x).Sin() - 2 * (0.8 * x).Cos() + (0.75 * x).Sin();

static double TargetAt(double x) => 3 * Math.Sin(0.5 * x) - 2 * Math.Cos(0.8 * x) + Math.Sin(0.75 * x);

static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

static double MaxError(double[] approximation, double[] target) => approximation.Select((v, i) => Math.Abs(v - target[i])).Max();

// The proof's network with n rectangles of width h = (B − A)/(n − 1) centred on mᵢ = A + i·h (so they cover
// [A − h/2, B + h/2] and the ends of the interval are not on an edge): rectangle i is
// f(mᵢ)·[σ(k(x − xᵢ)) − σ(k(x − xᵢ₊₁))] with edges xᵢ = mᵢ − h/2, xᵢ₊₁ = mᵢ + h/2 and k = sharpness / h.
// As a network: Linear(1, 2n) with weights k and biases −k·edge, Sigmoid, Linear(2n, 1) with weights ±f(mᵢ).
static (Sequential Network, double K) Construction(int n, double sharpness)
{
    double h = (B - A) / (n - 1), k = sharpness / h;
    var inner = new Linear(1, 2 * n, dtype: DType.Float64);
    var outer = new Linear(2 * n, 1, dtype: DType.Float64);
    var w1 = new double[2 * n];
    var b1 = new double[2 * n];
    var w2 = new double[2 * n];
    for (int i = 0; i < n; i++)
    {
        double mid = A + i * h, height = TargetAt(mid);
        (w1[2 * i], b1[2 * i], w2[2 * i]) = (k, -k * (mid - h / 2), height);              // +f(mᵢ)·σ(k(x − xᵢ))
        (w1[2 * i + 1], b1[2 * i + 1], w2[2 * i + 1]) = (k, -k * (mid + h / 2), -height); // −f(mᵢ)·σ(k(x − xᵢ₊₁))
    }
    using (Autodiff.NoGrad())
    {
        inner.Weight.CopyFrom(Tensor.From(w1, 2 * n, 1));
        inner.Bias!.CopyFrom(Tensor.From(b1));
        outer.Weight.CopyFrom(Tensor.From(w2, 1, 2 * n));
        outer.Bias!.Fill(0);
    }
    return (new Sequential(inner, new Sigmoid(), outer), k);
}

static void Line(Plot plot, double[] xs, double[] ys, string? label, Color color, float width, LinePattern? pattern = null)
{
    var line = plot.Add.ScatterLine(xs, ys);
    if (label is not null) line.LegendText = label;
    line.Color = color;
    line.LineWidth = width;
    line.MarkerSize = 0;
    if (pattern is { } p) line.LinePattern = p;
}
