using System.Diagnostics;
using System.Globalization;
using Autograd;
using Micrograd;
using ScottPlot;

// Karpathy's micrograd with the scalar API (Autograd.Value): the README's expression, the lecture's neuron
// o = tanh(x1w1 + x2w2 + b), and a small MLP trained by gradient descent; then the neuron as tensors, with its graph
// exported to Graphviz DOT (Graphviz.ToDot).

const string Description = """
    Micrograd: the micrograd classics with Autograd's scalar API (Autograd.Value):
      - the expression of micrograd's README (prints g = 24.7041, dg/da = 138.8338, dg/db = 645.5773),
      - the neuron o = tanh(x1 w1 + x2 w2 + b) of the micrograd lecture, with all its gradients,
      - a 3-4-4-1 tanh MLP trained on the lecture's four examples by gradient descent,
    then the same neuron as tensors, its gradients compared with Value's, and its graph written as Graphviz DOT
    (rendered to PNG too when the `dot` program is installed).
    Run it with: dotnet run -c Release --project examples/Micrograd -- [options]
    The same options print the same numbers on every run.
    """;

Option[] options =
[
    Cli.Int("--steps", "gradient-descent steps of the MLP", 100, 0, 1_000_000),
    Cli.Double("--lr", "X", "learning rate of the MLP", 0.05, 0, 10),
    Cli.Seed("seeds the MLP's initial weights", 0),
    Cli.Output("Micrograd", "the plots and the DOT file"),
];

return Cli.Run("Micrograd", args, Description, options, cli =>
{
    int steps = cli.GetValue<int?>("--steps")!.Value;
    double lr = cli.GetValue<double?>("--lr")!.Value;
    ulong seed = cli.GetValue<ulong?>("--seed")!.Value;
    string output = Cli.OutputFolder(cli.GetValue<string?>("--output"), "Micrograd");
    var ci = CultureInfo.InvariantCulture;
    string F4(double v) => v.ToString("F4", ci);

    // 1. micrograd's README, line by line (Python's `c += x` is `c = c + x`).
    {
        Value a = -4.0;
        Value b = 2.0;
        var c = a + b;
        var d = a * b + b.Pow(3);
        c += c + 1;
        c += 1 + c + (-a);
        d += d * 2 + (b + a).Relu();
        d += 3 * d + (b - a).Relu();
        var e = c - d;
        var f = e.Pow(2);
        var g = f / 2.0;
        g += 10.0 / f;
        g.Backward();
        Console.WriteLine("1. micrograd README expression (a = -4, b = 2):");
        Console.WriteLine($"   g = {F4(g.Data)}  (micrograd prints 24.7041)");
        Console.WriteLine($"   dg/da = {F4(a.Grad)}  (micrograd prints 138.8338)");
        Console.WriteLine($"   dg/db = {F4(b.Grad)}  (micrograd prints 645.5773)");
    }

    // 2. The lecture's neuron, with b chosen so that n = 0.8814 and o = tanh(n) = 1/√2.
    const double bias = 6.8813735870195432;
    Value x1 = 2.0, x2 = 0.0, w1 = -3.0, w2 = 1.0, bn = bias;
    var x1w1 = x1 * w1;
    var x2w2 = x2 * w2;
    var n = x1w1 + x2w2 + bn;
    var o = n.Tanh();
    o.Backward();
    Console.WriteLine("2. neuron o = tanh(x1 w1 + x2 w2 + b), x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8814:");
    Console.WriteLine($"   n = {F4(n.Data)}, o = {F4(o.Data)}, do/dn = 1 - o^2 = {F4(n.Grad)}");
    Console.WriteLine($"   grads: x1 {F4(x1.Grad)}, w1 {F4(w1.Grad)}, x2 {F4(x2.Grad)}, w2 {F4(w2.Grad)}, b {F4(bn.Grad)}");
    // The same neuron with tanh spelled out as (e^{2n} − 1)/(e^{2n} + 1) (lecture notes, eq. 1.19): same gradients.
    Value y1 = 2.0, y2 = 0.0, v1 = -3.0, v2 = 1.0, bb = bias;
    var e2n = (2 * (y1 * v1 + y2 * v2 + bb)).Exp();
    var o2 = (e2n - 1) / (e2n + 1);
    o2.Backward();
    Console.WriteLine($"   with tanh as (exp(2n) - 1)/(exp(2n) + 1): o = {F4(o2.Data)}, grads x1 {F4(y1.Grad)}, w1 {F4(v1.Grad)}, x2 {F4(y2.Grad)}, w2 {F4(v2.Grad)}, b {F4(bb.Grad)}");

    // 3. The lecture's tiny MLP: four examples of three inputs, targets ±1, squared-error loss, plain gradient descent.
    double[][] xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]];
    double[] ys = [1.0, -1.0, -1.0, 1.0];
    var mlp = new Mlp(3, [4, 4, 1], new Generator(seed));
    var parameters = mlp.Parameters().ToArray();
    Console.WriteLine($"3. MLP 3-4-4-1 (tanh), {parameters.Length} parameters, {steps} steps of gradient descent, lr {lr.ToString(ci)}:");
    var losses = new List<double>();
    Value[] predictions = [];
    for (int step = 0; step <= steps; step++)
    {
        predictions = xs.Select(x => mlp.Forward(x.Select(v => new Value(v)).ToArray())[0]).ToArray();
        Value loss = 0.0;
        for (int i = 0; i < ys.Length; i++) loss += (predictions[i] - ys[i]).Pow(2);
        losses.Add(loss.Data);
        if (step % Math.Max(1, steps / 5) == 0 || step == steps) Console.WriteLine($"   step {step,5}  loss {loss.Data.ToString("F6", ci)}");
        if (step == steps) break;
        foreach (var p in parameters) p.Grad = 0;   // leaves accumulate: zero them before each pass
        loss.Backward();
        foreach (var p in parameters) p.Data -= lr * p.Grad;
    }
    Console.WriteLine($"   predictions {string.Join(", ", predictions.Select(p => F4(p.Data)))} for targets {string.Join(", ", ys.Select(y => y.ToString("F0", ci)))}");

    // 4. The neuron as tensors: the same numbers from the tensor engine, and its graph as Graphviz DOT.
    var tx = Tensor.From(new double[] { 2, 0 }).RequireGrad();
    var tw = Tensor.From(new double[] { -3, 1 }).RequireGrad();
    var tb = Tensor.Scalar(bias, DType.Float64).RequireGrad();
    var to = ((tx * tw).Sum() + tb).Tanh();
    // retainGraph keeps the intermediate values on the graph for the DOT export (a plain Backward() frees them, and
    // the boxes of intermediate tensors would show only shape and dtype). Only leaves keep a gradient, as in PyTorch.
    to.Backward(retainGraph: true);
    double[] valueGrads = [x1.Grad, x2.Grad, w1.Grad, w2.Grad, bn.Grad];
    double[] tensorGrads = [.. tx.Grad!.ToArray<double>(), .. tw.Grad!.ToArray<double>(), tb.Grad!.Item()];
    double diff = valueGrads.Zip(tensorGrads).Max(p => Math.Abs(p.First - p.Second));
    Console.WriteLine("4. the neuron as tensors, o = tanh(sum(x * w) + b):");
    Console.WriteLine($"   o = {F4(to.Item())}, grad x = [{F4(tx.Grad!.ToArray<double>()[0])}, {F4(tx.Grad!.ToArray<double>()[1])}], grad w = [{F4(tw.Grad!.ToArray<double>()[0])}, {F4(tw.Grad!.ToArray<double>()[1])}], grad b = {F4(tb.Grad!.Item())}");
    Console.WriteLine($"   max |tensor gradient - Value gradient| = {diff.ToString("0.000e+00", ci)}");
    string dotPath = Path.Combine(output, "neuron.dot");
    File.WriteAllText(dotPath, Graphviz.ToDot(to));
    Console.WriteLine($"   graph written to {dotPath}");
    string rendered = RenderWithGraphviz(dotPath) is { } png ? $"rendered to {png}" : $"Graphviz's `dot` is not installed; render the graph with: dot -Tpng {dotPath} -o {Path.ChangeExtension(dotPath, null)}-graph.png";
    Console.WriteLine($"   {rendered}");

    // Plots: the MLP's loss and the neuron's operating point on tanh.
    var lossPlot = new Plot();
    var line = lossPlot.Add.ScatterLine(Enumerable.Range(0, losses.Count).Select(i => (double)i).ToArray(), Plotting.Log10(losses));
    line.LineWidth = 2;
    line.Color = Colors.RoyalBlue;
    line.LegendText = "Σ (prediction − target)² over the 4 examples";
    lossPlot.Title("micrograd MLP 3-4-4-1 trained with Autograd.Value");
    lossPlot.XLabel("step");
    lossPlot.YLabel("loss (log scale)");
    Plotting.UseLogScale(lossPlot, lossPlot.Axes.Left);
    lossPlot.ShowLegend(Alignment.UpperRight);
    string lossPng = Path.Combine(output, "mlp-loss.png");
    lossPlot.SavePng(lossPng, 800, 500);

    var neuronPlot = new Plot();
    var ns = Enumerable.Range(0, 601).Select(i => -3 + 6.0 * i / 600).ToArray();
    var tanh = neuronPlot.Add.ScatterLine(ns, ns.Select(Math.Tanh).ToArray());
    tanh.LineWidth = 2.5f;
    tanh.Color = Colors.Black;
    tanh.LegendText = "o = tanh(n)";
    var tangent = neuronPlot.Add.ScatterLine(ns, ns.Select(v => o.Data + n.Grad * (v - n.Data)).ToArray());
    tangent.LineWidth = 2;
    tangent.Color = Colors.OrangeRed;
    tangent.LinePattern = LinePattern.Dashed;
    tangent.LegendText = $"tangent at n = {F4(n.Data)}: slope do/dn = {F4(n.Grad)}";
    var point = neuronPlot.Add.Markers(new[] { n.Data }, new[] { o.Data }, MarkerShape.FilledCircle, 12, Colors.OrangeRed);
    point.LegendText = $"the neuron: o = {F4(o.Data)}";
    neuronPlot.Axes.SetLimitsY(-1.5, 1.5);
    neuronPlot.Title("The lecture's neuron on tanh (lecture notes, eq. 1.19–1.21: do/dn = 1 − o²)");
    neuronPlot.XLabel("n = x1·w1 + x2·w2 + b");
    neuronPlot.YLabel("o");
    neuronPlot.ShowLegend(Alignment.UpperLeft);
    string neuronPng = Path.Combine(output, "neuron.png");
    neuronPlot.SavePng(neuronPng, 800, 500);

    Console.WriteLine($"plots written to {output}: mlp-loss.png, neuron.png");
});

// Runs `dot -Tpng` on the file when Graphviz is on the PATH; returns the PNG's path, or null when it is not installed.
static string? RenderWithGraphviz(string dotPath)
{
    string exe = OperatingSystem.IsWindows() ? "dot.exe" : "dot";
    var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, exe)).FirstOrDefault(File.Exists);
    if (found is null) return null;
    string png = Path.ChangeExtension(dotPath, null) + "-graph.png";
    var psi = new ProcessStartInfo(found) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var arg in new[] { "-Tpng", dotPath, "-o", png }) psi.ArgumentList.Add(arg);
    using var process = Process.Start(psi);
    if (process is null) return null;
    process.StandardOutput.ReadToEnd();
    process.StandardError.ReadToEnd();
    process.WaitForExit();
    return process.ExitCode == 0 && File.Exists(png) ? png : null;
}
