using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Nn.Optim;
using ScottPlot;

// The lecture slides (docs/tutorial.md): from f(x) = ax + b to a sum of simple nonlinear functions, f(x; a, b, c) = Σ_{i=1..5} aᵢ sin(bᵢx + cᵢ),
// fitted by gradient descent to the slides' target 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x); then an MLP, where the
// "base functions" are learned as well, on the same data.

const string Description = """
    SumOfSines: fits f(x) = sum_{i=1..5} a_i sin(b_i x + c_i) to 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x)
    on a grid in [-10, 10] by gradient descent on a, b, c (lecture slides), then an MLP on the same data,
    prints the final mean squared error of both and plots them against the target.
    Run it with: dotnet run -c Release --project examples/SumOfSines -- [options]
    The same options print the same numbers on every run.
    """;

// Scientific notation with a two-digit exponent, e.g. 3.8583e-05.
const string Sci = "0.0000e+00";

Option[] options =
[
    Cli.Int("--steps", "gradient steps for the sum of sines", 3000, 0, 1_000_000),
    Cli.Int("--mlp-steps", "gradient steps for the MLP", 2000, 0, 1_000_000),
    Cli.Choice("--optimizer", "adam or sgd (with momentum 0.9), for both models", "adam", ["adam", "sgd"]),
    Cli.Double("--lr", "X", "learning rate of the sum of sines (adam 0.02, sgd 0.001); the MLP uses adam 0.01, sgd 0.05", null, 0, 10),
    Cli.Int("--points", "grid points in [-10, 10]", 201, 2, 100_000),
    Cli.Seed("seeds the initial a, b, c and the MLP's weights", 0),
    Cli.Output("SumOfSines"),
];

return Cli.Run("SumOfSines", args, Description, options, cli =>
{
    int steps = cli.GetValue<int?>("--steps")!.Value;
    int mlpSteps = cli.GetValue<int?>("--mlp-steps")!.Value;
    string optimizer = cli.GetValue<string?>("--optimizer")!;
    double lr = cli.GetValue<double?>("--lr") ?? (optimizer == "adam" ? 0.02 : 0.001);
    int points = cli.GetValue<int?>("--points")!.Value;
    ulong seed = cli.GetValue<ulong?>("--seed")!.Value;
    string output = Cli.OutputFolder(cli.GetValue<string?>("--output"), "SumOfSines");
    var ci = CultureInfo.InvariantCulture;

    // The data: the target on an even grid in [-10, 10], float64 throughout.
    var x = Tensor.Linspace(-10, 10, points, DType.Float64);
    var y = 3 * (0.5 * x).Sin() - 2 * (0.8 * x).Cos() + (0.75 * x).Sin();
    Console.WriteLine($"target: 3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x) on {points} points in [-10, 10] (variance {Variance(y).ToString("F4", ci)})");

    Optimizer MakeOptimizer(IEnumerable<Tensor> parameters, double rate) =>
        optimizer == "adam" ? new Adam(parameters, lr: rate) : new SGD(parameters, lr: rate, momentum: 0.9);

    // (1) f(x; a, b, c) = Σᵢ aᵢ sin(bᵢx + cᵢ): x [n] → [n, 1] broadcasts against b, c [5] to [n, 5], summed over i.
    var generator = new Generator(seed);
    var a = Tensor.Uniform([5], generator, -1, 1, DType.Float64).RequireGrad();
    var b = Tensor.Uniform([5], generator, 0, 1.2, DType.Float64).RequireGrad();
    var c = Tensor.Uniform([5], generator, -Math.PI, Math.PI, DType.Float64).RequireGrad();
    Tensor SumOfSines(Tensor input) => (a * (input.Unsqueeze(1) * b + c).Sin()).Sum(1);

    double[] initial;
    using (Autodiff.NoGrad()) initial = SumOfSines(x).ToArray<double>();
    Console.WriteLine($"sum of sines, 15 parameters: {optimizer} lr {lr.ToString(ci)}, {steps} steps");
    var sinesLoss = Train(MakeOptimizer([a, b, c], lr), () => Losses.MseLoss(SumOfSines(x), y), steps);
    Console.WriteLine($"  a = {Format(a)}");
    Console.WriteLine($"  b = {Format(b)}");
    Console.WriteLine($"  c = {Format(c)}");

    // (2) An MLP 1-32-32-1 with tanh: the base functions are learned too. The input is scaled to [-1, 1].
    var mlp = Mlp.Create(1, [32, 32], 1, () => new Tanh(), generator, DType.Float64);
    var xIn = (x / 10).Unsqueeze(1);
    double mlpLr = optimizer == "adam" ? 0.01 : 0.05;
    Console.WriteLine($"MLP 1-32-32-1 (tanh), {mlp.ParameterCount} parameters: {optimizer} lr {mlpLr.ToString(ci)}, {mlpSteps} steps");
    var mlpLoss = Train(MakeOptimizer(mlp.Parameters(), mlpLr), () => Losses.MseLoss(mlp.Forward(xIn).Squeeze(1), y), mlpSteps);

    double[] sinesFit, mlpFit;
    double sinesMse, mlpMse;
    using (Autodiff.NoGrad())
    {
        var fs = SumOfSines(x);
        var fm = mlp.Forward(xIn).Squeeze(1);
        sinesFit = fs.ToArray<double>();
        mlpFit = fm.ToArray<double>();
        sinesMse = Losses.MseLoss(fs, y).Item();
        mlpMse = Losses.MseLoss(fm, y).Item();
    }
    Console.WriteLine($"final MSE (sum of sines): {sinesMse.ToString(Sci, ci)}");
    Console.WriteLine($"final MSE (MLP): {mlpMse.ToString(Sci, ci)}");

    // The plots.
    var xs = x.ToArray<double>();
    var fit = new Plot();
    AddLine(fit, xs, initial, "sum of sines, initial a, b, c", Colors.Gray, 1.5f, LinePattern.Dashed);
    AddLine(fit, xs, y.ToArray<double>(), "target 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x)", Colors.Black, 5);
    AddLine(fit, xs, sinesFit, $"Σ₅ aᵢ sin(bᵢx + cᵢ), MSE {sinesMse.ToString("G3", ci)}", Colors.OrangeRed, 2);
    AddLine(fit, xs, mlpFit, $"MLP 1-32-32-1, MSE {mlpMse.ToString("G3", ci)}", Colors.RoyalBlue, 2, LinePattern.Dotted);
    fit.Title("Fitting the lecture slides' target by gradient descent");
    fit.XLabel("x");
    fit.YLabel("f(x)");
    fit.Axes.SetLimitsY(-7, 11);
    fit.ShowLegend(Alignment.UpperLeft);
    string fitPng = Path.Combine(output, "fit.png");
    fit.SavePng(fitPng, 900, 560);

    var loss = new Plot();
    AddLine(loss, Steps(sinesLoss.Length), Plotting.Log10(sinesLoss), "sum of sines", Colors.OrangeRed, 2);
    AddLine(loss, Steps(mlpLoss.Length), Plotting.Log10(mlpLoss), "MLP", Colors.RoyalBlue, 2);
    loss.Title("Training loss");
    loss.XLabel("step");
    loss.YLabel("MSE (log scale)");
    Plotting.UseLogScale(loss, loss.Axes.Left);
    loss.ShowLegend(Alignment.UpperRight);
    string lossPng = Path.Combine(output, "loss.png");
    loss.SavePng(lossPng, 900, 500);

    // The curves above coincide to the eye: the residuals show where each model still misses.
    var residual = new Plot();
    var target = y.ToArray<double>();
    AddLine(residual, xs, sinesFit.Select((v, i) => v - target[i]).ToArray(), "sum of sines − target", Colors.OrangeRed, 2);
    AddLine(residual, xs, mlpFit.Select((v, i) => v - target[i]).ToArray(), "MLP − target", Colors.RoyalBlue, 2);
    residual.Add.HorizontalLine(0, 1, Colors.Black);
    residual.Title("Residuals of the two fits");
    residual.XLabel("x");
    residual.YLabel("fit − target");
    residual.ShowLegend(Alignment.UpperRight);
    string residualPng = Path.Combine(output, "residuals.png");
    residual.SavePng(residualPng, 900, 500);

    Console.WriteLine($"plots written to {output}: fit.png, loss.png, residuals.png");
});

// Runs `steps` full-batch steps and returns the loss before each step (and the final loss last).
static double[] Train(Optimizer optimizer, Func<Tensor> lossFunction, int steps)
{
    var history = new double[steps + 1];
    int report = Math.Max(1, steps / 5);
    for (int s = 0; s <= steps; s++)
    {
        optimizer.ZeroGrad();
        var loss = lossFunction();
        history[s] = loss.Item();
        if (s % report == 0 || s == steps)
            Console.WriteLine($"  step {s,7}  MSE {history[s].ToString(Sci, CultureInfo.InvariantCulture)}");
        if (!double.IsFinite(history[s]))
            throw new UsageException($"training diverged at step {s} (MSE {history[s]}); try a smaller --lr");
        if (s == steps) break;
        loss.Backward();
        optimizer.Step();
    }
    return history;
}

static double Variance(Tensor t) => (t - t.Mean()).Square().Mean().Item();

static string Format(Tensor t) => "[" + string.Join(", ", t.ToArray<double>().Select(v => v.ToString("F4", CultureInfo.InvariantCulture))) + "]";

static double[] Steps(int count) => Enumerable.Range(0, count).Select(i => (double)i).ToArray();

static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, float width, LinePattern? pattern = null)
{
    var line = plot.Add.ScatterLine(xs, ys);
    line.LegendText = label;
    line.Color = color;
    line.LineWidth = width;
    line.MarkerSize = 0;
    if (pattern is { } p) line.LinePattern = p;
}

