using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// L-BFGS (PyTorch's torch.optim.LBFGS), a quasi-Newton method over all parameters flattened into one vector, with
/// an optional strong-Wolfe line search. Each <see cref="Step(Func{Tensor})"/> runs up to <c>max_iter</c> iterations,
/// re-evaluating the closure as PyTorch does; it takes a single parameter group.
/// </summary>
/// <remarks>
/// The direction, the curvature history (<c>history_size</c> pairs) and the line search are computed in float64
/// whatever the parameters' dtype. <see cref="Optimizer.StateDict"/> adds to the group entries <c>lbfgs.func_evals</c>,
/// <c>lbfgs.n_iter</c> and, after the first step, <c>lbfgs.d</c>, <c>lbfgs.t</c>, <c>lbfgs.H_diag</c>,
/// <c>lbfgs.prev_flat_grad</c>, <c>lbfgs.prev_loss</c>, <c>lbfgs.old_dirs</c> and <c>lbfgs.old_stps</c>
/// (k × n) and <c>lbfgs.ro</c> (k), all float64. Options: <c>lr</c>, <c>max_iter</c>, <c>max_eval</c>,
/// <c>tolerance_grad</c>, <c>tolerance_change</c>, <c>history_size</c>, <c>line_search_fn</c> (1 for
/// <c>"strong_wolfe"</c>, 0 for none).
/// <para>
/// LBFGS has no single-pass update and ignores <see cref="Optimizer.UseFusedUpdate"/>: each iteration re-evaluates
/// the closure, flattens every gradient into one float64 vector and works on that (the two-loop recursion, the line
/// search), so there is no per-parameter loop that reads a gradient once to fuse.
/// </para>
/// </remarks>
public sealed class LBFGS : Optimizer
{
    /// <summary>The option name of the iteration limit per step.</summary>
    public const string MaxIterKey = "max_iter";

    /// <summary>The option name of the function-evaluation limit per step.</summary>
    public const string MaxEvalKey = "max_eval";

    /// <summary>The option name of the first-order optimality tolerance.</summary>
    public const string ToleranceGradKey = "tolerance_grad";

    /// <summary>The option name of the tolerance on changes of the loss and the parameters.</summary>
    public const string ToleranceChangeKey = "tolerance_change";

    /// <summary>The option name of the history size.</summary>
    public const string HistorySizeKey = "history_size";

    /// <summary>The option name of the line search (1: strong Wolfe, 0: none).</summary>
    public const string LineSearchFnKey = "line_search_fn";

    private const string Prefix = "lbfgs.";

    private int _funcEvals;
    private int _nIter;
    private double[]? _d;
    private double _t;
    private List<double[]> _oldDirs = [];
    private List<double[]> _oldStps = [];
    private List<double> _ro = [];
    private double _hDiag = 1;
    private double[]? _prevFlatGrad;
    private double _prevLoss;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The tensors to optimize (leaves, float32 or float64, each once).</param>
    /// <param name="lr">The learning rate (≥ 0).</param>
    /// <param name="maxIter">The most iterations per step (≥ 1).</param>
    /// <param name="maxEval">The most closure evaluations per step (≥ 1); null for <paramref name="maxIter"/>·5/4 (integer division), as PyTorch.</param>
    /// <param name="toleranceGrad">Stop when the largest gradient element is at most this (≥ 0).</param>
    /// <param name="toleranceChange">Stop when the loss or the parameters change by less than this (≥ 0).</param>
    /// <param name="historySize">The number of curvature pairs kept (≥ 1).</param>
    /// <param name="lineSearchFn"><c>"strong_wolfe"</c> or null (a fixed step of <paramref name="lr"/>).</param>
    /// <exception cref="ArgumentException">A hyperparameter is out of range, the line search is unknown, or the parameters are unfit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null or holds a null.</exception>
    public LBFGS(IEnumerable<Tensor> parameters, double lr = 1, int maxIter = 20, int? maxEval = null, double toleranceGrad = 1e-7,
        double toleranceChange = 1e-9, int historySize = 100, string? lineSearchFn = null)
        : base(Single(parameters),
        [
            new(LearningRateKey, lr, OptionKind.NonNegative, "learning rate", nameof(lr)),
            new(MaxIterKey, maxIter, OptionKind.PositiveInteger, "max_iter", nameof(maxIter)),
            new(MaxEvalKey, maxEval ?? maxIter * 5 / 4, OptionKind.PositiveInteger, "max_eval", nameof(maxEval)),
            new(ToleranceGradKey, toleranceGrad, OptionKind.NonNegative, "tolerance_grad", nameof(toleranceGrad)),
            new(ToleranceChangeKey, toleranceChange, OptionKind.NonNegative, "tolerance_change", nameof(toleranceChange)),
            new(HistorySizeKey, historySize, OptionKind.PositiveInteger, "history_size", nameof(historySize)),
            OptionSpec.Flag(LineSearchFnKey, CheckLineSearch(lineSearchFn), nameof(lineSearchFn)),
        ])
    {
    }

    private static bool CheckLineSearch(string? lineSearchFn) => lineSearchFn switch
    {
        null => false,
        "strong_wolfe" => true,
        _ => throw new ArgumentException($"LBFGS: unknown line search '{lineSearchFn}': only \"strong_wolfe\" or null is supported.", nameof(lineSearchFn)),
    };

    /// <summary>The line search of the group: <c>"strong_wolfe"</c> or null.</summary>
    public string? LineSearchFn => ParamGroups[0][LineSearchFnKey] != 0 ? "strong_wolfe" : null;

    /// <inheritdoc/>
    private protected override bool SupportsGroups => false;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [];
    }

    /// <inheritdoc/>
    protected override bool CountsSteps => false;

    /// <inheritdoc/>
    protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(grad);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(group);
        throw new InvalidOperationException("LBFGS.Step: LBFGS needs a closure that re-evaluates the loss; call Step(closure).");
    }

    /// <summary>LBFGS cannot step without a closure.</summary>
    /// <param name="zeroGrad">Unused.</param>
    /// <param name="setToNone">Unused.</param>
    /// <exception cref="InvalidOperationException">Always: call <see cref="Step(Func{Tensor})"/>.</exception>
    public override void Step(bool zeroGrad = false, bool setToNone = true) =>
        throw new InvalidOperationException("LBFGS.Step: LBFGS needs a closure that re-evaluates the loss; call Step(closure).");

    /// <summary>
    /// Runs up to <c>max_iter</c> L-BFGS iterations (PyTorch's <c>step(closure)</c>), calling
    /// <paramref name="closure"/> with grad mode on for the loss and gradients at each point it tries.
    /// </summary>
    /// <param name="closure">Clears the gradients, computes the loss, calls backward and returns the loss (a 0-d or one-element tensor).</param>
    /// <returns>The loss of the first evaluation (at the parameters before the step).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="closure"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A parameter cannot be updated in place or a gradient cannot be read.</exception>
    public override Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        var o = ParamGroups[0].Options;
        double lr = o[LearningRateKey], toleranceGrad = o[ToleranceGradKey], toleranceChange = o[ToleranceChangeKey];
        int maxIter = (int)o[MaxIterKey], maxEval = (int)o[MaxEvalKey], historySize = (int)o[HistorySizeKey];
        bool wolfe = o[LineSearchFnKey] != 0;

        var origLoss = Evaluate(closure, out double loss);
        int currentEvals = 1;
        _funcEvals++;
        var flatGrad = GatherFlatGrad();
        if (MaxAbs(flatGrad) <= toleranceGrad) return origLoss;

        var d = _d;
        double t = _t;
        var prevFlatGrad = _prevFlatGrad;
        double prevLoss = _prevLoss;
        int nIter = 0;
        while (nIter < maxIter)
        {
            nIter++;
            _nIter++;
            if (_nIter == 1)
            {
                d = Scale(flatGrad, -1);
                _oldDirs = [];
                _oldStps = [];
                _ro = [];
                _hDiag = 1;
            }
            else
            {
                var y = Sub(flatGrad, prevFlatGrad!);
                var s = Scale(d!, t);
                double ys = Dot(y, s);
                if (ys > 1e-10)
                {
                    if (_oldDirs.Count == historySize)
                    {
                        _oldDirs.RemoveAt(0);
                        _oldStps.RemoveAt(0);
                        _ro.RemoveAt(0);
                    }
                    _oldDirs.Add(y);
                    _oldStps.Add(s);
                    _ro.Add(1.0 / ys);
                    _hDiag = ys / Dot(y, y);
                }
                int numOld = _oldDirs.Count;
                var al = new double[numOld];
                var q = Scale(flatGrad, -1);
                for (int i = numOld - 1; i >= 0; i--)
                {
                    al[i] = Dot(_oldStps[i], q) * _ro[i];
                    Axpy(q, _oldDirs[i], -al[i]);
                }
                var r = Scale(q, _hDiag);
                for (int i = 0; i < numOld; i++)
                {
                    double be = Dot(_oldDirs[i], r) * _ro[i];
                    Axpy(r, _oldStps[i], al[i] - be);
                }
                d = r;
            }
            prevFlatGrad = (double[])flatGrad.Clone();
            prevLoss = loss;
            t = _nIter == 1 ? Math.Min(1.0, 1.0 / SumAbs(flatGrad)) * lr : lr;
            double gtd = Dot(flatGrad, d!);
            if (gtd > -toleranceChange) break;

            int lsFuncEvals = 0;
            bool optCond = false;
            if (wolfe)
            {
                var xInit = Parameters.Select(p => p.Detach().Clone()).ToArray();
                (loss, flatGrad, t, lsFuncEvals) = StrongWolfe(closure, xInit, t, d!, loss, flatGrad, gtd, toleranceChange);
                AddGrad(t, d!);
                optCond = MaxAbs(flatGrad) <= toleranceGrad;
            }
            else
            {
                AddGrad(t, d!);
                if (nIter != maxIter)
                {
                    Evaluate(closure, out loss);
                    flatGrad = GatherFlatGrad();
                    optCond = MaxAbs(flatGrad) <= toleranceGrad;
                    lsFuncEvals = 1;
                }
            }
            currentEvals += lsFuncEvals;
            _funcEvals += lsFuncEvals;
            if (nIter == maxIter) break;
            if (currentEvals >= maxEval) break;
            if (optCond) break;
            if (MaxAbs(d!) * Math.Abs(t) <= toleranceChange) break;
            if (Math.Abs(loss - prevLoss) < toleranceChange) break;
        }
        _d = d;
        _t = t;
        _prevFlatGrad = prevFlatGrad;
        _prevLoss = prevLoss;
        return origLoss;
    }

    private Tensor Evaluate(Func<Tensor> closure, out double loss)
    {
        Tensor result;
        using (Autodiff.EnableGrad()) result = closure() ?? throw new InvalidOperationException("LBFGS.Step: the closure returned null instead of the loss.");
        CheckGradients();
        loss = result.Item();
        return result;
    }

    private double[] GatherFlatGrad()
    {
        int n = Parameters.Sum(p => p.NumElements);
        var flat = new double[n];
        int offset = 0;
        foreach (var p in Parameters)
        {
            if (p.StoredGrad is { } g)
            {
                var values = g.ToArray<double>();
                values.CopyTo(flat, offset);
            }
            offset += p.NumElements;
        }
        return flat;
    }

    private void AddGrad(double stepSize, double[] update)
    {
        using (Autodiff.NoGrad())
        {
            int offset = 0;
            foreach (var p in Parameters)
            {
                int n = p.NumElements;
                var slice = Tensor.From(update.AsSpan(offset, n).ToArray(), p.Shape);
                if (slice.DType != p.DType) slice = slice.To(p.DType);
                p.AddInPlace(slice, stepSize);
                offset += n;
            }
        }
    }

    private (double Loss, double[] Grad) DirectionalEvaluate(Func<Tensor> closure, Tensor[] x, double t, double[] d)
    {
        AddGrad(t, d);
        Evaluate(closure, out double loss);
        var flatGrad = GatherFlatGrad();
        using (Autodiff.NoGrad())
            for (int i = 0; i < x.Length; i++) Parameters[i].CopyFrom(x[i]);
        return (loss, flatGrad);
    }

    private static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, (double Min, double Max)? bounds = null)
    {
        var (xminBound, xmaxBound) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1));
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.Min(Math.Max(minPos, xminBound), xmaxBound);
        }
        return (xminBound + xmaxBound) / 2.0;
    }

    private (double Loss, double[] Grad, double T, int Evals) StrongWolfe(Func<Tensor> closure, Tensor[] x, double t, double[] d, double f, double[] g,
        double gtd, double toleranceChange, double c1 = 1e-4, double c2 = 0.9, int maxLs = 25)
    {
        double dNorm = MaxAbs(d);
        g = (double[])g.Clone();
        var (fNew, gNew) = DirectionalEvaluate(closure, x, t, d);
        int lsFuncEvals = 1;
        double gtdNew = Dot(gNew, d);
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        var gPrev = g;
        bool done = false;
        int lsIter = 0;
        double[] bracket = [], bracketF = [], bracketGtd = [];
        double[][] bracketG = [];
        while (lsIter < maxLs)
        {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                bracket = [tPrev, t];
                bracketF = [fPrev, fNew];
                bracketG = [gPrev, (double[])gNew.Clone()];
                bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bracket = [t];
                bracketF = [fNew];
                bracketG = [gNew];
                done = true;
                break;
            }
            if (gtdNew >= 0)
            {
                bracket = [tPrev, t];
                bracketF = [fPrev, fNew];
                bracketG = [gPrev, (double[])gNew.Clone()];
                bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, (minStep, maxStep));
            tPrev = tmp;
            fPrev = fNew;
            gPrev = (double[])gNew.Clone();
            gtdPrev = gtdNew;
            (fNew, gNew) = DirectionalEvaluate(closure, x, t, d);
            lsFuncEvals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs)
        {
            bracket = [0, t];
            bracketF = [f, fNew];
            bracketG = [g, gNew];
        }

        bool insufProgress = false;
        int lowPos = 0, highPos = 0;
        if (bracketF.Length > 1) (lowPos, highPos) = bracketF[0] <= bracketF[^1] ? (0, 1) : (1, 0);
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
            t = CubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
            double hi = Math.Max(bracket[0], bracket[1]), lo = Math.Min(bracket[0], bracket[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.Min(hi - t, t - lo) < eps)
            {
                if (insufProgress || t >= hi || t <= lo)
                {
                    t = Math.Abs(t - hi) < Math.Abs(t - lo) ? hi - eps : lo + eps;
                    insufProgress = false;
                }
                else
                {
                    insufProgress = true;
                }
            }
            else
            {
                insufProgress = false;
            }
            (fNew, gNew) = DirectionalEvaluate(closure, x, t, d);
            lsFuncEvals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
            if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos])
            {
                bracket[highPos] = t;
                bracketF[highPos] = fNew;
                bracketG[highPos] = (double[])gNew.Clone();
                bracketGtd[highPos] = gtdNew;
                (lowPos, highPos) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd)
                {
                    done = true;
                }
                else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0)
                {
                    bracket[highPos] = bracket[lowPos];
                    bracketF[highPos] = bracketF[lowPos];
                    bracketG[highPos] = bracketG[lowPos];
                    bracketGtd[highPos] = bracketGtd[lowPos];
                }
                bracket[lowPos] = t;
                bracketF[lowPos] = fNew;
                bracketG[lowPos] = (double[])gNew.Clone();
                bracketGtd[lowPos] = gtdNew;
            }
        }
        return (bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals);
    }

    /// <inheritdoc/>
    public override Dictionary<string, Tensor> StateDict()
    {
        var result = base.StateDict();
        result[Prefix + "func_evals"] = Tensor.Scalar(_funcEvals, DType.Float64);
        result[Prefix + "n_iter"] = Tensor.Scalar(_nIter, DType.Float64);
        if (_d is not null)
        {
            int n = _d.Length, k = _oldDirs.Count;
            result[Prefix + "d"] = Tensor.From((double[])_d.Clone());
            result[Prefix + "t"] = Tensor.Scalar(_t, DType.Float64);
            result[Prefix + "H_diag"] = Tensor.Scalar(_hDiag, DType.Float64);
            result[Prefix + "prev_flat_grad"] = Tensor.From((double[])_prevFlatGrad!.Clone());
            result[Prefix + "prev_loss"] = Tensor.Scalar(_prevLoss, DType.Float64);
            result[Prefix + "old_dirs"] = Tensor.From(_oldDirs.SelectMany(v => v).ToArray(), k, n);
            result[Prefix + "old_stps"] = Tensor.From(_oldStps.SelectMany(v => v).ToArray(), k, n);
            result[Prefix + "ro"] = Tensor.From(_ro.ToArray(), k);
        }
        return result;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var apply = CheckStateDict(state, out var problems, key => key.StartsWith(Prefix, StringComparison.Ordinal));
        int n = Parameters.Sum(p => p.NumElements);
        double Scalar(string name, bool integer)
        {
            string key = Prefix + name;
            if (!state.TryGetValue(key, out var v) || v is null) { problems.Add($"missing '{key}'"); return 0; }
            if (TensorChecks.Unreadable(v) is { } why) { problems.Add($"'{key}' cannot be read: {why}"); return 0; }
            if (v.Rank != 0 || v.DType != DType.Float64) { problems.Add($"'{key}' must be a 0-d float64 tensor"); return 0; }
            double x = v.Item();
            if (!double.IsFinite(x) || (integer && (x < 0 || x > int.MaxValue || Math.Floor(x) != x)))
                problems.Add($"'{key}' is {x.ToString("R", CultureInfo.InvariantCulture)}, expected {(integer ? "a non-negative integer" : "a finite number")}");
            return x;
        }
        double[]? Vector(string name, int[] shape)
        {
            string key = Prefix + name;
            if (!state.TryGetValue(key, out var v) || v is null) { problems.Add($"missing '{key}'"); return null; }
            if (TensorChecks.Unreadable(v) is { } why) { problems.Add($"'{key}' cannot be read: {why}"); return null; }
            if (v.DType != DType.Float64 || !v.Shape.SequenceEqual(shape))
            {
                problems.Add($"'{key}' has shape [{string.Join(", ", v.Shape)}] and dtype {v.DType.Name()}, expected [{string.Join(", ", shape)}] float64");
                return null;
            }
            return v.ToArray<double>();
        }
        int funcEvals = (int)Scalar("func_evals", integer: true), nIter = (int)Scalar("n_iter", integer: true);
        bool history = state.ContainsKey(Prefix + "d");
        double[]? d = null, prev = null, dirs = null, stps = null, ro = null;
        double t = 0, hDiag = 1, prevLoss = 0;
        int k = 0;
        if (history)
        {
            k = state.TryGetValue(Prefix + "ro", out var r) && r is not null && r.Rank == 1 ? r.Size(0) : 0;
            d = Vector("d", [n]);
            prev = Vector("prev_flat_grad", [n]);
            t = Scalar("t", integer: false);
            hDiag = Scalar("H_diag", integer: false);
            prevLoss = Scalar("prev_loss", integer: false);
            ro = Vector("ro", [k]);
            dirs = Vector("old_dirs", [k, n]);
            stps = Vector("old_stps", [k, n]);
        }
        var known = new HashSet<string>(["func_evals", "n_iter", "d", "t", "H_diag", "prev_flat_grad", "prev_loss", "old_dirs", "old_stps", "ro"], StringComparer.Ordinal);
        foreach (var key in state.Keys.Order(StringComparer.Ordinal))
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && !known.Contains(key[Prefix.Length..])) problems.Add($"unexpected '{key}'");
        if (problems.Count > 0)
            throw new ArgumentException("LBFGS.LoadStateDict: " + string.Join("; ", problems) + ". The optimizer was not changed.", nameof(state));
        apply();
        _funcEvals = funcEvals;
        _nIter = nIter;
        _d = d;
        _prevFlatGrad = prev;
        _t = t;
        _hDiag = hDiag;
        _prevLoss = prevLoss;
        _ro = ro?.ToList() ?? [];
        _oldDirs = [.. Enumerable.Range(0, k).Select(i => dirs!.AsSpan(i * n, n).ToArray())];
        _oldStps = [.. Enumerable.Range(0, k).Select(i => stps!.AsSpan(i * n, n).ToArray())];
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double[] Scale(double[] a, double c)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] * c;
        return r;
    }

    private static double[] Sub(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] - b[i];
        return r;
    }

    private static void Axpy(double[] y, double[] x, double alpha)
    {
        for (int i = 0; i < y.Length; i++) y[i] += x[i] * alpha;
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (var v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    private static double SumAbs(double[] a)
    {
        double s = 0;
        foreach (var v in a) s += Math.Abs(v);
        return s;
    }
}
