using System.Globalization;
using System.Text;

namespace Autograd;

/// <summary>Settings of <see cref="GradCheck"/>; the defaults are PyTorch's gradcheck defaults.</summary>
public sealed record GradCheckOptions
{
    /// <summary>Step of the central difference (f(x + eps) − f(x − eps)) / 2eps.</summary>
    public double Eps { get; init; } = 1e-6;

    /// <summary>Absolute tolerance: an entry passes when |analytic − numeric| ≤ Atol + Rtol·|numeric|.</summary>
    public double Atol { get; init; } = 1e-5;

    /// <summary>Relative tolerance.</summary>
    public double Rtol { get; init; } = 1e-3;

    /// <summary>
    /// Compare random projections vᵀJu instead of the full Jacobian. Null chooses by size: projections when the
    /// Jacobian has more than <see cref="FullJacobianLimit"/> entries.
    /// </summary>
    public bool? FastMode { get; init; }

    /// <summary>Largest Jacobian (outputs × inputs entries) checked in full when <see cref="FastMode"/> is null.</summary>
    public long FullJacobianLimit { get; init; } = 1 << 20;

    /// <summary>Number of random projections per input in fast mode.</summary>
    public int Projections { get; init; } = 4;

    /// <summary>Seed of the random projections.</summary>
    public ulong Seed { get; init; } = 0;
}

/// <summary>The worst Jacobian entry (or projection) found for one input.</summary>
/// <param name="Input">Position of the input in the argument list.</param>
/// <param name="Passed">Whether every entry of this input was within tolerance.</param>
/// <param name="InputIndex">Index of the input element (empty for a projection or a 0-d input).</param>
/// <param name="OutputIndex">Index of the output element (empty for a projection or a 0-d output).</param>
/// <param name="Analytic">The engine's value of the entry.</param>
/// <param name="Numeric">The finite-difference value.</param>
/// <param name="AbsoluteError">|Analytic − Numeric|.</param>
/// <param name="RelativeError">|Analytic − Numeric| / |Numeric| (∞ when Numeric is 0 and they differ).</param>
/// <exception cref="ArgumentNullException"><paramref name="InputIndex"/> or <paramref name="OutputIndex"/> is null.</exception>
public sealed record GradCheckInputReport(int Input, bool Passed, int[] InputIndex, int[] OutputIndex,
    double Analytic, double Numeric, double AbsoluteError, double RelativeError)
{
    /// <summary>Index of the input element (empty for a projection or a 0-d input).</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public int[] InputIndex { get; init => field = value ?? throw new ArgumentNullException(nameof(value)); } =
        InputIndex ?? throw new ArgumentNullException(nameof(InputIndex));

    /// <summary>Index of the output element (empty for a projection or a 0-d output).</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public int[] OutputIndex { get; init => field = value ?? throw new ArgumentNullException(nameof(value)); } =
        OutputIndex ?? throw new ArgumentNullException(nameof(OutputIndex));

    /// <summary>How many Jacobian entries (or projections) were compared; 0 for an empty input or output.</summary>
    public long Entries { get; init; }
}

/// <summary>The outcome of a gradient check.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(bool fast, IReadOnlyList<GradCheckInputReport> inputs, IReadOnlyList<string> warnings)
    {
        FastMode = fast;
        Inputs = inputs;
        Warnings = warnings;
    }

    /// <summary>What makes the comparison unreliable even when it passes, such as float32 inputs (as PyTorch's gradcheck warns).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Whether every checked entry was within tolerance.</summary>
    public bool Passed => Inputs.All(r => r.Passed);

    /// <summary>Whether random projections were compared instead of the full Jacobian.</summary>
    public bool FastMode { get; }

    /// <summary>One report per input that requires grad.</summary>
    public IReadOnlyList<GradCheckInputReport> Inputs { get; }

    /// <summary>A readable report: per input, pass or fail and the worst entry.</summary>
    /// <returns>The report, one line per input plus the warnings, culture-invariant.</returns>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(Passed ? "GradCheck passed" : "GradCheck FAILED").Append(FastMode ? " (random projections)" : " (full Jacobian)");
        foreach (var r in Inputs)
        {
            sb.Append(ci, $"\n  input {r.Input}: {(r.Passed ? "ok" : "MISMATCH")}");
            if (r.Entries == 0) { sb.Append(" (nothing to compare)"); continue; }
            sb.Append(ci, $"; worst at input[{string.Join(", ", r.InputIndex)}] output[{string.Join(", ", r.OutputIndex)}]: ")
              .Append(ci, $"analytic {r.Analytic:R}, numeric {r.Numeric:R}, abs error {r.AbsoluteError:E3}, rel error {r.RelativeError:E3}");
        }
        foreach (var w in Warnings) sb.Append("\n  warning: ").Append(w);
        return sb.ToString();
    }
}

/// <summary>Thrown by <see cref="GradCheck.Assert"/> when analytic and numeric gradients disagree.</summary>
public sealed class GradCheckException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public GradCheckException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What disagreed.</param>
    public GradCheckException(string? message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What disagreed.</param>
    /// <param name="innerException">The exception that caused this one, or null.</param>
    public GradCheckException(string? message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// Compares the engine's gradients with central finite differences, in the inputs' dtype (use float64). Inputs
/// with <see cref="Tensor.RequiresGrad"/> are checked; others (conditions, indices) are passed as they are.
/// </summary>
public static class GradCheck
{
    /// <summary>Checks first derivatives of <paramref name="function"/> at <paramref name="inputs"/>.</summary>
    /// <param name="function">The function to check; it gets fresh leaf copies of the inputs that require grad, and the others as they are.</param>
    /// <param name="inputs">The point to check at; the inputs that require grad are checked, and none is modified.</param>
    /// <param name="options">Step, tolerances and mode; null for the defaults.</param>
    /// <returns>The result, with a report per checked input; a mismatch is reported, not thrown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">No input requires grad, <paramref name="options"/> holds a step that is not positive and finite, a negative or NaN tolerance, fewer than 1 projection or a negative FullJacobianLimit, or <paramref name="function"/> returns an int64 tensor.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null, or an output of another size after a perturbation.</exception>
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var (xs, checkedInputs) = Prepare(function, inputs, ref options);
        var y = Call(function, xs);
        long inSize = checkedInputs.Sum(i => (long)xs[i].NumElements);
        bool fast = options.FastMode ?? inSize * y.NumElements > options.FullJacobianLimit;
        var reports = fast ? Projected(function, xs, checkedInputs, y, options) : Full(function, xs, checkedInputs, y, options);
        var warnings = checkedInputs.Where(i => xs[i].DType == DType.Float32)
            .Select(i => $"input {i} is float32: finite differences in single precision are unreliable (a mismatch may be rounding, a pass may hide an error); check in float64 with .To(DType.Float64).")
            .ToList();
        return new GradCheckResult(fast, reports, warnings);
    }

    /// <summary>Like <see cref="Check"/>, but throws <see cref="GradCheckException"/> with the report when the check fails.</summary>
    /// <param name="function">The function to check; it gets fresh leaf copies of the inputs that require grad, and the others as they are.</param>
    /// <param name="inputs">The point to check at; the inputs that require grad are checked, and none is modified.</param>
    /// <param name="options">Step, tolerances and mode; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">No input requires grad, <paramref name="options"/> holds a step that is not positive and finite, a negative or NaN tolerance, fewer than 1 projection or a negative FullJacobianLimit, or <paramref name="function"/> returns an int64 tensor.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null, or an output of another size after a perturbation.</exception>
    /// <exception cref="GradCheckException">The analytic and numeric gradients disagree; the message is the report.</exception>
    public static void Assert(Func<Tensor[], Tensor> function, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var result = Check(function, inputs, options);
        if (!result.Passed) throw new GradCheckException(result.ToString());
    }

    /// <summary>
    /// Checks second derivatives: the first derivative v ↦ vᵀ∂f/∂x, computed with createGraph, is itself
    /// gradchecked with respect to the inputs and to a random v.
    /// </summary>
    /// <param name="function">The function to check; it gets fresh leaf copies of the inputs that require grad, and the others as they are.</param>
    /// <param name="inputs">The point to check at; the inputs that require grad are checked, and none is modified.</param>
    /// <param name="options">Step, tolerances and mode; null for the defaults.</param>
    /// <returns>The result of checking the first derivative, whose inputs are these inputs followed by v; a mismatch is reported, not thrown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">No input requires grad, <paramref name="options"/> holds a step that is not positive and finite, a negative or NaN tolerance, fewer than 1 projection or a negative FullJacobianLimit, or <paramref name="function"/> returns an int64 tensor.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null, or an output of another size after a perturbation.</exception>
    public static GradCheckResult CheckSecondOrder(Func<Tensor[], Tensor> function, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var (xs, checkedInputs) = Prepare(function, inputs, ref options);
        var y0 = Call(function, xs);
        var v = Tensor.Normal(y0.Shape, new Generator(options.Seed + 1), dtype: y0.DType).RequireGrad();
        Tensor FirstDerivative(Tensor[] args)
        {
            var x = args[..^1];
            var y = function(x);
            if (!y.RequiresGrad) return Tensor.Zeros([0], y.DType);
            var diff = checkedInputs.Select(i => x[i]).ToArray();
            var grads = Autodiff.Grad([y], diff, [args[^1]], createGraph: true, allowUnused: true);
            var parts = grads.Select((g, k) => (g ?? Tensor.ZerosLike(diff[k])).Reshape(-1)).ToArray();
            return Tensor.Concat(parts);
        }
        return Check(FirstDerivative, [.. xs, v], options);
    }

    /// <summary>Like <see cref="CheckSecondOrder"/>, but throws <see cref="GradCheckException"/> when the check fails.</summary>
    /// <param name="function">The function to check; it gets fresh leaf copies of the inputs that require grad, and the others as they are.</param>
    /// <param name="inputs">The point to check at; the inputs that require grad are checked, and none is modified.</param>
    /// <param name="options">Step, tolerances and mode; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="function"/>, <paramref name="inputs"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">No input requires grad, <paramref name="options"/> holds a step that is not positive and finite, a negative or NaN tolerance, fewer than 1 projection or a negative FullJacobianLimit, or <paramref name="function"/> returns an int64 tensor.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="function"/> returns null, or an output of another size after a perturbation.</exception>
    /// <exception cref="GradCheckException">The analytic and numeric gradients disagree; the message is the report.</exception>
    public static void AssertSecondOrder(Func<Tensor[], Tensor> function, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var result = CheckSecondOrder(function, inputs, options);
        if (!result.Passed) throw new GradCheckException(result.ToString());
    }

    // Fresh leaves for the inputs that require grad (so the caller's tensors are never touched), and their positions.
    private static (Tensor[] Inputs, int[] Checked) Prepare(Func<Tensor[], Tensor> function, Tensor[] inputs, [System.Diagnostics.CodeAnalysis.NotNull] ref GradCheckOptions? options)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new GradCheckOptions();
        Validate(inputs, options);
        var xs = inputs.Select(t => t.RequiresGrad ? t.Detach().Clone().RequireGrad() : t).ToArray();
        var checkedInputs = Enumerable.Range(0, xs.Length).Where(i => xs[i].RequiresGrad).ToArray();
        if (checkedInputs.Length == 0)
            throw new ArgumentException("GradCheck: no input requires grad; set RequiresGrad on the inputs to check.");
        return (xs, checkedInputs);
    }

    private static void Validate(Tensor[] inputs, GradCheckOptions options)
    {
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"GradCheck: input {i} is null.");
        var ci = CultureInfo.InvariantCulture;
        if (!(options.Eps > 0) || !double.IsFinite(options.Eps))
            throw new ArgumentException(string.Create(ci, $"GradCheck: Eps must be a positive finite step, got {options.Eps}."), nameof(options));
        if (!(options.Atol >= 0) || !(options.Rtol >= 0))
            throw new ArgumentException(string.Create(ci, $"GradCheck: tolerances must be >= 0, got Atol = {options.Atol}, Rtol = {options.Rtol}."), nameof(options));
        if (options.Projections < 1 || options.FullJacobianLimit < 0)
            throw new ArgumentException(string.Create(ci,
                $"GradCheck: Projections must be >= 1 and FullJacobianLimit >= 0, got Projections = {options.Projections}, FullJacobianLimit = {options.FullJacobianLimit}."), nameof(options));
    }

    // The function's output at xs, which must be a floating-point tensor.
    private static Tensor Call(Func<Tensor[], Tensor> function, Tensor[] xs)
    {
        var y = function(xs) ?? throw new InvalidOperationException("GradCheck: the function returned null; it must return a tensor.");
        if (!y.DType.IsFloatingPoint())
            throw new ArgumentException($"GradCheck: the function returned a {y.DType.Name()} tensor; it must be floating point.");
        return y;
    }

    private sealed class Worst(int input, GradCheckOptions options)
    {
        private double _excess = double.NegativeInfinity;
        private GradCheckInputReport? _report;
        private bool _passed = true;

        public void Offer(int[] inIndex, int[] outIndex, double analytic, double numeric)
        {
            double abs = analytic == numeric ? 0 : Math.Abs(analytic - numeric);
            double tolerance = options.Atol + options.Rtol * Math.Abs(numeric);
            bool ok = abs <= tolerance;
            Entries++;
            // Worst = largest error in units of its tolerance; NaN ranks worst of all.
            double excess = double.IsNaN(abs) ? double.PositiveInfinity : tolerance > 0 ? abs / tolerance : abs == 0 ? 0 : double.PositiveInfinity;
            _passed &= ok;
            if (excess <= _excess && _report is not null) return;
            _excess = excess;
            double rel = numeric == 0 ? (abs == 0 ? 0 : double.PositiveInfinity) : abs / Math.Abs(numeric);
            _report = new GradCheckInputReport(input, ok, inIndex, outIndex, analytic, numeric, abs, rel);
        }

        public long Entries { get; private set; }

        public GradCheckInputReport Report() =>
            (_report ?? new GradCheckInputReport(input, true, [], [], 0, 0, 0, 0)) with { Passed = _passed, Entries = Entries };
    }

    private static List<GradCheckInputReport> Full(Func<Tensor[], Tensor> f, Tensor[] xs, int[] checkedInputs, Tensor y, GradCheckOptions options)
    {
        int nOut = y.NumElements;
        var targets = checkedInputs.Select(i => xs[i]).ToArray();
        // analytic[k][o, i]: row o of input k's Jacobian, one backward pass per output element.
        var analytic = targets.Select(t => new double[nOut * t.NumElements]).ToArray();
        if (y.RequiresGrad)
        {
            for (int o = 0; o < nOut; o++)
            {
                var seed = Tensor.Zeros(y.Dims, y.DType);
                seed.Write(o, 1);
                var grads = Autodiff.Grad([y], targets, [seed], retainGraph: true, allowUnused: true);
                for (int k = 0; k < targets.Length; k++)
                    if (grads[k] is { } g) g.ToArray<double>().CopyTo(analytic[k], o * targets[k].NumElements);
            }
        }
        var reports = new List<GradCheckInputReport>();
        for (int k = 0; k < targets.Length; k++)
        {
            var x = targets[k];
            var worst = new Worst(checkedInputs[k], options);
            for (int i = 0; i < x.NumElements; i++)
            {
                var column = NumericDirection(f, xs, x, t => t.Write(i, t.ReadAt(t.Offset + i) + options.Eps), t => t.Write(i, t.ReadAt(t.Offset + i) - 2 * options.Eps), options.Eps, nOut);
                for (int o = 0; o < nOut; o++)
                    worst.Offer(Unravel(i, x.Dims), Unravel(o, y.Dims), analytic[k][o * x.NumElements + i], column[o]);
            }
            reports.Add(worst.Report());
        }
        return reports;
    }

    private static List<GradCheckInputReport> Projected(Func<Tensor[], Tensor> f, Tensor[] xs, int[] checkedInputs, Tensor y, GradCheckOptions options)
    {
        var gen = new Generator(options.Seed);
        var targets = checkedInputs.Select(i => xs[i]).ToArray();
        var reports = new List<GradCheckInputReport>();
        var workers = targets.Select((_, k) => new Worst(checkedInputs[k], options)).ToArray();
        for (int p = 0; p < options.Projections; p++)
        {
            var v = Tensor.Normal(y.Shape, gen, dtype: y.DType);
            var grads = y.RequiresGrad ? Autodiff.Grad([y], targets, [v], retainGraph: true, allowUnused: true) : new Tensor?[targets.Length];
            var vv = v.ToArray<double>();
            for (int k = 0; k < targets.Length; k++)
            {
                var x = targets[k];
                var u = Tensor.Normal(x.Shape, gen, dtype: DType.Float64).ToArray<double>();
                var g = grads[k]?.ToArray<double>() ?? new double[x.NumElements];
                double analytic = 0;
                for (int i = 0; i < u.Length; i++) analytic += g[i] * u[i];
                void Step(Tensor t, double scale) { for (int i = 0; i < u.Length; i++) t.Write(i, t.ReadAt(t.Offset + i) + scale * u[i]); }
                var dy = NumericDirection(f, xs, x, t => Step(t, options.Eps), t => Step(t, -2 * options.Eps), options.Eps, y.NumElements);
                double numeric = 0;
                for (int o = 0; o < dy.Length; o++) numeric += vv[o] * dy[o];
                workers[k].Offer([], [], analytic, numeric);
            }
        }
        reports.AddRange(workers.Select(w => w.Report()));
        return reports;
    }

    // (f(x + eps·d) − f(x − eps·d)) / 2eps for a direction d applied in place: plus, then minus2 steps back twice; x is restored after.
    private static double[] NumericDirection(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor x, Action<Tensor> plus, Action<Tensor> minus2, double eps, int nOut)
    {
        // x is a fresh contiguous leaf owned by the check, so writing into its storage is safe.
        var original = x.ToArray<double>();
        plus(x);
        var up = Evaluate(f, xs, nOut);
        minus2(x);
        var down = Evaluate(f, xs, nOut);
        for (int i = 0; i < original.Length; i++) x.Write(i, original[i]);
        var column = new double[nOut];
        for (int o = 0; o < nOut; o++) column[o] = (up[o] - down[o]) / (2 * eps);
        return column;
    }

    private static double[] Evaluate(Func<Tensor[], Tensor> f, Tensor[] xs, int nOut)
    {
        var y = f(xs) ?? throw new InvalidOperationException("GradCheck: the function returned null after a perturbation.");
        if (y.NumElements != nOut)
            throw new InvalidOperationException($"GradCheck: the function returned {y.NumElements} elements after a perturbation, {nOut} before.");
        return y.ToArray<double>();
    }

    private static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
