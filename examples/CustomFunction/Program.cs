using System.Globalization;
using Autograd;
using CustomFunctionExample;
using ScottPlot;

// A user-defined differentiable op (CustomFunction): the lecture slides' sum of sines f(x) = Σᵢ aᵢ sin(bᵢx + cᵢ) (docs/tutorial.md) as
// one fused op with a hand-written backward (SumOfSinesFunction.cs). Checked three ways:
//   1. against the same function composed of built-in ops (values and gradients);
//   2. against finite differences with GradCheck.Check and GradCheck.CheckSecondOrder, which also catches a backward
//      that detaches (SumOfSinesDetached) although its first derivatives are right;
//   3. a Hessian-vector product Functional.Hvp of a loss through the op, against Functional.Hessian·v.

const string Description = """
    CustomFunction: the lecture slides' sum of sines f(x) = sum_i a_i sin(b_i x + c_i) as one fused
    differentiable op with a hand-written backward (Autograd.CustomFunction). Prints:
      - the op against the same function built from library ops (values and gradients),
      - GradCheck.Check and GradCheck.CheckSecondOrder reports, for the op and for a deliberately broken copy
        whose backward detaches (first order passes, second order fails),
      - a Hessian-vector product Functional.Hvp of a mean squared error through the op, against
        Functional.Hessian times v and against finite differences of the gradient.
    Plots f, f' and f'' (second derivatives through the custom backward) and the Hessian.
    Run it with: dotnet run -c Release --project examples/CustomFunction -- [options]
    The same options print the same numbers on every run.
    """;

const string Sci = "0.000e+00";

Option[] options =
[
    Cli.Int("--points", "points x at which GradCheck compares", 6, 1, 200),
    Cli.Seed("seeds those points and the vector v of the Hessian-vector product", 0),
    Cli.Output("CustomFunction"),
];

return Cli.Run("CustomFunction", args, Description, options, cli =>
{
    int points = cli.GetValue<int?>("--points")!.Value;
    ulong seed = cli.GetValue<ulong?>("--seed")!.Value;
    string output = Cli.OutputFolder(cli.GetValue<string?>("--output"), "CustomFunction");
    var ci = CultureInfo.InvariantCulture;
    var generator = new Generator(seed);

    // The parameters of the slides' first example, float64 as GradCheck wants.
    double[] aValues = [0.83, 0.27, 0.84, 0.28, 0.14], bValues = [0.71, 0.47, 0.56, 0.39, 0.94], cValues = [0.08, 0.92, 0.16, 0.44, 0.21];
    var a = Tensor.From(aValues).RequireGrad();
    var b = Tensor.From(bValues).RequireGrad();
    var c = Tensor.From(cValues).RequireGrad();
    var x = Tensor.Uniform([points], generator, -10, 10, DType.Float64).RequireGrad();
    Console.WriteLine($"f(x) = sum_i a_i sin(b_i x + c_i), a = {Format(a)}, b = {Format(b)}, c = {Format(c)} (lecture slides)");
    Console.WriteLine($"x = {Format(x)}");

    // 1. The fused op against the composite of library ops: same values, same gradients.
    static Tensor Composite(Tensor x, Tensor a, Tensor b, Tensor c) => (a * (x.Unsqueeze(1) * b + c).Sin()).Sum(1);
    var fused = SumOfSines.Call(x, a, b, c);
    var composite = Composite(x, a, b, c);
    var gFused = Autodiff.Grad([fused.Sum()], [x, a, b, c]);
    var gComposite = Autodiff.Grad([composite.Sum()], [x, a, b, c]);
    double valueDiff = MaxAbs(fused - composite);
    double gradDiff = gFused.Zip(gComposite).Max(p => MaxAbs(p.First! - p.Second!));
    Console.WriteLine($"1. fused op '{fused.GradFnName}' (one node) vs composite of library ops: max |value difference| {valueDiff.ToString(Sci, ci)}, max |gradient difference| {gradDiff.ToString(Sci, ci)}");

    // 2. GradCheck: the backward against central finite differences, first and second order.
    Console.WriteLine("2. GradCheck of SumOfSines against central finite differences (inputs 0-3: x, a, b, c; input 4 of the second-order check: the random cotangent v)");
    var first = GradCheck.Check(t => SumOfSines.Call(t[0], t[1], t[2], t[3]), [x, a, b, c]);
    var second = GradCheck.CheckSecondOrder(t => SumOfSines.Call(t[0], t[1], t[2], t[3]), [x, a, b, c]);
    Print("GradCheck.Check", first);
    Print("GradCheck.CheckSecondOrder", second);
    Console.WriteLine("   the same checks of SumOfSinesDetached, whose backward detaches the saved inputs:");
    var brokenFirst = GradCheck.Check(t => SumOfSinesDetached.Call(t[0], t[1], t[2], t[3]), [x, a, b, c]);
    var brokenSecond = GradCheck.CheckSecondOrder(t => SumOfSinesDetached.Call(t[0], t[1], t[2], t[3]), [x, a, b, c]);
    Print("GradCheck.Check (detached)", brokenFirst);
    Print("GradCheck.CheckSecondOrder (detached)", brokenSecond);

    // 3. Hessian-vector product of a loss through the op. θ = [a; b; c] (15 numbers), L(θ) = mean (f(xⱼ; θ) − yⱼ)² on
    // 201 points of [−10, 10] against the slides' target y = 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x).
    var grid = Tensor.Linspace(-10, 10, 201, DType.Float64);
    var target = 3 * (0.5 * grid).Sin() - 2 * (0.8 * grid).Cos() + (0.75 * grid).Sin();
    Tensor Loss(Tensor theta) =>
        (SumOfSines.Call(grid, theta.Slice(0, 0, 5), theta.Slice(0, 5, 10), theta.Slice(0, 10, 15)) - target).Square().Mean();
    Tensor CompositeLoss(Tensor theta) =>
        (Composite(grid, theta.Slice(0, 0, 5), theta.Slice(0, 5, 10), theta.Slice(0, 10, 15)) - target).Square().Mean();
    var theta = Tensor.Concat([a.Detach(), b.Detach(), c.Detach()]);
    var v = Tensor.Normal([15], generator, dtype: DType.Float64);
    var (loss, hvp) = Functional.Hvp(t => Loss(t[0]), [theta], [v]);
    var hessian = Functional.Hessian(Loss, theta);
    var hessianTimesV = hessian.MatMul(v);
    double hvpDiff = MaxAbs(hvp[0] - hessianTimesV);
    double symmetry = MaxAbs(hessian - hessian.T);
    double compositeDiff = MaxAbs(hessian - Functional.Hessian(CompositeLoss, theta));
    // Finite differences of the gradient along v: (∇L(θ + εv) − ∇L(θ − εv)) / 2ε.
    const double eps = 1e-5;
    Tensor Gradient(Tensor t) => Functional.Vjp(u => Loss(u[0]), [t]).Vjp[0];
    var finite = (Gradient(theta + eps * v) - Gradient(theta - eps * v)) / (2 * eps);
    double finiteDiff = MaxAbs(hvp[0] - finite);
    Console.WriteLine($"3. L(theta) = MSE of f against the slides' target on 201 points, theta = [a; b; c], L = {loss.Item().ToString("F6", ci)}");
    Console.WriteLine($"   Functional.Hvp(L, theta, v)  = {Format(hvp[0], "F4")}");
    Console.WriteLine($"   Functional.Hessian(L) . v    = {Format(hessianTimesV, "F4")}");
    Console.WriteLine($"   max |Hvp - Hessian.v| = {hvpDiff.ToString(Sci, ci)}");
    Console.WriteLine($"   max |Hvp - finite differences of the gradient| = {finiteDiff.ToString(Sci, ci)}");
    Console.WriteLine($"   max |H - H^T| = {symmetry.ToString(Sci, ci)}, max |H(fused) - H(composite)| = {compositeDiff.ToString(Sci, ci)}");

    // Plots: f, f' and f'' through the custom op (f'' differentiates the hand-written backward), against closed forms.
    var xs = Tensor.Linspace(-10, 10, 401, DType.Float64).RequireGrad();
    var f = SumOfSines.Call(xs, a.Detach(), b.Detach(), c.Detach());
    var df = Autodiff.Grad(f.Sum(), xs, createGraph: true);
    var d2f = Autodiff.Grad(df.Sum(), xs);
    double[] grid401 = xs.ToArray<double>();
    double Closed(double t, int order) => Enumerable.Range(0, 5).Sum(i => order switch
    {
        0 => aValues[i] * Math.Sin(bValues[i] * t + cValues[i]),
        1 => aValues[i] * bValues[i] * Math.Cos(bValues[i] * t + cValues[i]),
        _ => -aValues[i] * bValues[i] * bValues[i] * Math.Sin(bValues[i] * t + cValues[i]),
    });
    double[] fv = f.ToArray<double>(), dfv = df.ToArray<double>(), d2fv = d2f.ToArray<double>();
    double derivativeError = grid401.Select((t, i) => Math.Max(Math.Abs(dfv[i] - Closed(t, 1)), Math.Abs(d2fv[i] - Closed(t, 2)))).Max();
    Console.WriteLine($"   f' and f'' through the op on 401 points vs closed forms: max |difference| {derivativeError.ToString(Sci, ci)}");

    var plot = new Plot();
    Curve(plot, grid401, fv, "f(x) = Σ aᵢ sin(bᵢx + cᵢ)", Colors.Black);
    Curve(plot, grid401, dfv, "f′(x), backward of the custom op", Colors.OrangeRed);
    Curve(plot, grid401, d2fv, "f″(x), backward of the backward (createGraph)", Colors.RoyalBlue);
    var every = Enumerable.Range(0, 21).Select(i => i * 20).ToArray();
    foreach (var (order, color) in new[] { (0, Colors.Black), (1, Colors.OrangeRed), (2, Colors.RoyalBlue) })
    {
        var m = plot.Add.Markers(every.Select(i => grid401[i]).ToArray(), every.Select(i => Closed(grid401[i], order)).ToArray(), MarkerShape.OpenCircle, 9, color);
        if (order == 0) m.LegendText = "closed forms";
    }
    plot.Title("The lecture slides' sum of sines as one CustomFunction, with its derivatives");
    plot.XLabel("x");
    plot.YLabel("value");
    plot.ShowLegend(Alignment.UpperLeft);
    plot.Axes.SetLimitsY(-2.5, 3.5);
    string derivatives = Path.Combine(output, "derivatives.png");
    plot.SavePng(derivatives, 900, 560);

    // The Hessian of L(θ) as a heat map, rows and columns labelled a₁ … c₅, on a signed log scale
    // sign(h)·log₁₀(1 + |h|): the b entries (scaled by x² ≤ 100) would otherwise hide everything else.
    var h = new double[15, 15];
    var hv = hessian.ToArray<double>();
    for (int i = 0; i < 15; i++)
        for (int j = 0; j < 15; j++)
            h[i, j] = Math.Sign(hv[i * 15 + j]) * Math.Log10(1 + Math.Abs(hv[i * 15 + j]));
    double range = h.Cast<double>().Max(Math.Abs);
    var heat = new Plot();
    var map = heat.Add.Heatmap(h);
    map.Colormap = new ScottPlot.Colormaps.Balance();
    map.ManualRange = new ScottPlot.Range(-range, range);
    var colorBar = heat.Add.ColorBar(map);
    colorBar.Label = "H (signed log scale)";
    // The colour bar is labelled with H itself: 0, ±1, ±3, ±10, ±30 … at sign(H)·log₁₀(1 + |H|).
    var hTicks = new ScottPlot.TickGenerators.NumericManual();
    hTicks.AddMajor(0, "0");
    for (int e = 0; Math.Log10(1 + Math.Pow(10, e)) <= range; e++)
        foreach (int m in new[] { 1, 3 })
        {
            double at = Math.Log10(1 + m * Math.Pow(10, e));
            if (at > range) break;
            hTicks.AddMajor(at, LogTicks.Label(m, e));
            hTicks.AddMajor(-at, LogTicks.Label(-m, e));
        }
    colorBar.Axis.TickGenerator = hTicks;
    string[] names = [.. new[] { "a", "b", "c" }.SelectMany(p => Enumerable.Range(1, 5).Select(i => p + Subscript(i)))];
    heat.Axes.Bottom.SetTicks([.. Enumerable.Range(0, 15).Select(i => (double)i)], names);
    heat.Axes.Left.SetTicks([.. Enumerable.Range(0, 15).Select(i => (double)(14 - i))], names);
    heat.Title("Hessian H = ∂²L/∂θᵢ∂θⱼ of the MSE through the custom op");
    string hessianPng = Path.Combine(output, "hessian.png");
    heat.SavePng(hessianPng, 800, 680);

    Console.WriteLine($"plots written to {output}: derivatives.png, hessian.png");
});

static void Print(string title, GradCheckResult result)
{
    var lines = result.ToString().Split('\n');
    Console.WriteLine($"   {title}: {lines[0]}");
    foreach (var line in lines.Skip(1)) Console.WriteLine("     " + line.Trim());
}

static double MaxAbs(Tensor t) => t.Abs().Max().Item();

static string Format(Tensor t, string format = "F3") =>
    "[" + string.Join(", ", t.ToArray<double>().Select(v => v.ToString(format, CultureInfo.InvariantCulture))) + "]";

static string Subscript(int i) => ((char)('₀' + i)).ToString();

static void Curve(Plot plot, double[] xs, double[] ys, string label, Color color)
{
    var line = plot.Add.ScatterLine(xs, ys);
    line.LegendText = label;
    line.Color = color;
    line.LineWidth = 2;
}
