using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

/// <summary>Draws one input value.</summary>
public delegate double Domain(Generator g);

/// <summary>One input of a sample: its shape, how its values are drawn, and whether it is differentiated.</summary>
public sealed record InputSpec(int[] Shape, Domain Domain, bool Differentiable = true, int IndexBound = 0)
{
    public bool IsIndex => IndexBound > 0;
}

/// <summary>A named set of inputs for one op.</summary>
public sealed record OpSample(string Name, InputSpec[] Inputs)
{
    public Tensor[] Make(DType dtype, ulong seed)
    {
        var g = new Generator(seed);
        return Inputs.Select(spec =>
        {
            int n = RefArray.Count(spec.Shape);
            if (spec.IsIndex)
                return Tensor.From(Enumerable.Range(0, n).Select(_ => (long)g.NextInt(spec.IndexBound)).ToArray()).Reshape(spec.Shape);
            var t = Tensor.From(Enumerable.Range(0, n).Select(_ => spec.Domain(g)).ToArray()).Reshape(spec.Shape).To(dtype).Contiguous();
            return spec.Differentiable ? t.Detach().RequireGrad() : t.Detach();
        }).ToArray();
    }

    public override string ToString() => Name;
}

/// <summary>
/// One differentiable op, declared once: how to call it, the primitives it exercises, its samples (with
/// their input domains) and an independent float64 reference forward.
/// </summary>
public sealed record OpInfo
{
    public required string Name { get; init; }
    public required Type[] Primitives { get; init; }
    public required Func<Tensor[], Tensor> Apply { get; init; }
    public required Func<RefArray[], RefArray> Reference { get; init; }
    public required OpSample[] Samples { get; init; }

    /// <summary>
    /// The in-place variant (PyTorch's add_, clamp_, …): writes into its first argument, a copy of input 0, what
    /// <see cref="Apply"/> returns; checked to give the same values and gradients where the result has input 0's shape.
    /// </summary>
    public Action<Tensor, Tensor[]>? InPlace { get; init; }

    /// <summary>False where the second derivative does not exist on the samples.</summary>
    public bool SecondOrder { get; init; } = true;

    /// <summary>GradCheck settings when the defaults do not fit, with the reason in <see cref="Notes"/>.</summary>
    public GradCheckOptions? Options { get; init; }

    public string? Notes { get; init; }

    public override string ToString() => Name;
}

public static class Domains
{
    public static readonly Domain Real = g => g.NextNormal();
    public static readonly Domain Positive = g => 0.5 + 2 * g.NextDouble();
    public static readonly Domain NonZero = g => (g.NextDouble() < 0.5 ? -1 : 1) * (0.3 + 1.7 * g.NextDouble());
    public static readonly Domain SmallReal = g => -2 + 4 * g.NextDouble();
    public static readonly Domain Condition = g => g.NextDouble() < 0.5 ? 0 : 1;

    /// <summary>Uniform on [−2.5, 2.5], at least 0.01 away from each kink (far more than GradCheck's eps).</summary>
    public static Domain AwayFrom(params double[] kinks) => g =>
    {
        while (true)
        {
            double v = -2.5 + 5 * g.NextDouble();
            if (kinks.All(k => Math.Abs(v - k) > 0.01)) return v;
        }
    };
}

public static partial class OpRegistry
{
    // Lengths around the SIMD widths (4, 8, 16 floats; 2, 4, 8 doubles), 0-d, empty and multi-axis shapes.
    public static readonly int[][] ElementwiseShapes =
        [[], [0], [1], [15], [16], [17], [31], [32], [33], [1000], [3, 4], [2, 0, 3], [2, 3, 5]];

    public static readonly (int[], int[])[] BroadcastPairs =
    [
        ([3, 4], [3, 4]), ([3, 4], [4]), ([3, 1], [1, 4]), ([], [5]), ([5], []), ([], []), ([2, 3, 4], [3, 1]),
        ([0, 3], [3]), ([17], [17]), ([33], [1]), ([1000], [1000]), ([2, 1, 3], [4, 1]), ([31], [31]),
    ];

    private static string S(int[] shape) => "[" + string.Join(",", shape) + "]";

    private static OpSample[] Shapes(IEnumerable<int[]> shapes, Domain domain) =>
        shapes.Select(s => new OpSample(S(s), [new InputSpec(s, domain)])).ToArray();

    private static OpInfo Unary(string name, Func<Tensor, Tensor> apply, Func<double, double> reference, Domain domain, params Type[] primitives) => new()
    {
        Name = name,
        Primitives = primitives,
        Apply = x => apply(x[0]),
        Reference = r => r[0].Map(reference),
        Samples = Shapes(ElementwiseShapes, domain),
    };

    private static OpInfo Binary(string name, Func<Tensor, Tensor, Tensor> apply, Func<double, double, double> reference, Domain a, Domain b, params Type[] primitives) => new()
    {
        Name = name,
        Primitives = primitives,
        Apply = x => apply(x[0], x[1]),
        Reference = r => RefArray.Zip(r[0], r[1], reference),
        Samples = BroadcastPairs.Select(p => new OpSample($"{S(p.Item1)}∘{S(p.Item2)}", [new InputSpec(p.Item1, a), new InputSpec(p.Item2, b)])).ToArray(),
    };

    private static OpInfo Reduction(string name, Func<Tensor, Tensor> apply, Func<RefArray, RefArray> reference, int[][] shapes, Domain? domain = null, params Type[] primitives) => new()
    {
        Name = name,
        Primitives = primitives,
        Apply = x => apply(x[0]),
        Reference = r => reference(r[0]),
        Samples = Shapes(shapes, domain ?? Domains.Real),
    };

    private static double LogSumExp(IEnumerable<double> xs)
    {
        var v = xs.ToArray();
        if (v.Length == 0) return double.NegativeInfinity;
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    private static double[] Softmax(double[] v)
    {
        if (v.Length == 0) return v;
        double m = v.Max();
        var e = v.Select(x => Math.Exp(x - m)).ToArray();
        double s = e.Sum();
        return e.Select(x => x / s).ToArray();
    }

    private static double[] LogSoftmax(double[] v)
    {
        double lse = LogSumExp(v);
        return v.Select(x => x - lse).ToArray();
    }

    // ℓ[n] = log Σ_c exp z[n, c] − z[n, t[n]], the class axis removed.
    private static OpInfo CrossEntropyEntry(string name, int axis, (int[] Logits, int[] Target)[] shapes) => new()
    {
        Name = name,
        Primitives = [typeof(P.CrossEntropy)],
        Apply = x => x[0].CrossEntropy(x[1], axis),
        Reference = r =>
        {
            int a = axis < 0 ? axis + r[0].Rank : axis;
            return RefArray.Build(r[1].Shape, idx =>
            {
                var at = idx.Take(a).Append(0).Concat(idx.Skip(a)).ToArray();
                var row = Enumerable.Range(0, r[0].Shape[a]).Select(c => { at[a] = c; return r[0][at]; }).ToArray();
                return LogSumExp(row) - row[(int)r[1][idx]];
            });
        },
        Samples = shapes.Select(s => Sample($"{S(s.Logits)}<-{S(s.Target)}", R(s.Logits),
            new InputSpec(s.Target, Domains.Real, false, IndexBound: Math.Max(1, s.Logits[axis < 0 ? axis + s.Logits.Length : axis])))).ToArray(),
    };

    private static RefArray NaiveMatMul(RefArray a, RefArray b)
    {
        var a2 = a.Rank == 1 ? new RefArray(a.Data, [1, a.Shape[0]]) : a;
        var b2 = b.Rank == 1 ? new RefArray(b.Data, [b.Shape[0], 1]) : b;
        int m = a2.Shape[^2], k = a2.Shape[^1], n = b2.Shape[^1];
        var batch = RefArray.BroadcastShape(a2.Shape[..^2], b2.Shape[..^2]);
        var outShape = batch.Concat([m, n]).ToArray();
        var c = RefArray.Build(outShape, idx =>
        {
            double s = 0;
            for (int p = 0; p < k; p++)
            {
                var ai = idx[..^2].Concat([idx[^2], p]).ToArray();
                var bi = idx[..^2].Concat([p, idx[^1]]).ToArray();
                s += a2.AtBroadcast(ai) * b2.AtBroadcast(bi);
            }
            return s;
        });
        var shape = c.Shape.ToList();
        if (b.Rank == 1) shape.RemoveAt(shape.Count - 1);
        if (a.Rank == 1) shape.RemoveAt(shape.Count - (b.Rank == 1 ? 1 : 2));
        return new RefArray(c.Data, shape.ToArray());
    }

    private static RefArray Permuted(RefArray x, int[] perm) =>
        RefArray.Build(perm.Select(p => x.Shape[p]).ToArray(), idx =>
        {
            var src = new int[x.Rank];
            for (int i = 0; i < perm.Length; i++) src[perm[i]] = idx[i];
            return x[src];
        });

    private static RefArray Sliced(RefArray x, int axis, int start, int stop, int step)
    {
        axis = axis < 0 ? axis + x.Rank : axis;
        int n = x.Shape[axis];
        start = Math.Clamp(start < 0 ? start + n : start, 0, n);
        stop = Math.Clamp(stop < 0 ? stop + n : stop, 0, n);
        int count = stop > start ? (stop - start + step - 1) / step : 0;
        var shape = (int[])x.Shape.Clone();
        shape[axis] = count;
        return RefArray.Build(shape, idx => { var s = (int[])idx.Clone(); s[axis] = start + idx[axis] * step; return x[s]; });
    }

    private static RefArray Selected(RefArray x, int axis, int[] indices)
    {
        axis = axis < 0 ? axis + x.Rank : axis;
        var shape = (int[])x.Shape.Clone();
        shape[axis] = indices.Length;
        return RefArray.Build(shape, idx =>
        {
            var s = (int[])idx.Clone();
            int i = indices[idx[axis]];
            s[axis] = i < 0 ? i + x.Shape[axis] : i;
            return x[s];
        });
    }

    private static RefArray Concatenated(RefArray[] xs, int axis)
    {
        axis = axis < 0 ? axis + xs[0].Rank : axis;
        var shape = (int[])xs[0].Shape.Clone();
        shape[axis] = xs.Sum(x => x.Shape[axis]);
        return RefArray.Build(shape, idx =>
        {
            int k = idx[axis];
            foreach (var x in xs)
            {
                if (k < x.Shape[axis]) { var s = (int[])idx.Clone(); s[axis] = k; return x[s]; }
                k -= x.Shape[axis];
            }
            throw new InvalidOperationException();
        });
    }

    private static OpSample Sample(string name, params InputSpec[] inputs) => new(name, inputs);
    private static InputSpec R(params int[] shape) => new(shape, Domains.Real);

    private static readonly int[][] Rank1Plus = [[1], [15], [16], [17], [33], [1000], [3, 4], [2, 0, 3], [2, 3, 5], [4, 1, 6]];
    private static readonly int[][] Rank2Plus = [[3, 4], [1, 17], [16, 2], [2, 0, 3], [2, 3, 5], [4, 1, 6], [0, 5]];
    private static readonly int[][] Rank3 = [[2, 3, 5], [4, 1, 6], [2, 0, 3], [3, 17, 2]];
    private static readonly int[][] NonEmpty = [[], [1], [15], [16], [17], [33], [1000], [3, 4], [2, 3, 5]];

    /// <summary>Every entry: the core ops below and each area's entries from its own file (OpRegistry.Area.cs).</summary>
    // Built on first use, after every partial file's static fields are initialized (their order across files is unspecified).
    private static readonly Lazy<OpInfo[]> s_all = new(() =>
    [
        .. Core(),
        .. MathEntries(),
        .. ReductionEntries(),
        .. IndexingEntries(),
        .. ProductEntries(),
        .. NnEntries(),
    ]);

    public static OpInfo[] All => s_all.Value;

    private static OpInfo[] Core() =>
    [
        // Elementwise, one input. Domains keep samples off each function's kinks and poles.
        Unary("neg", x => -x, v => -v, Domains.Real, typeof(P.Neg)),
        Unary("exp", x => x.Exp(), Math.Exp, Domains.Real, typeof(P.Exp)),
        Unary("log", x => x.Log(), Math.Log, Domains.Positive, typeof(P.Log)),
        Unary("sqrt", x => x.Sqrt(), Math.Sqrt, Domains.Positive, typeof(P.Sqrt)),
        Unary("abs", x => x.Abs(), Math.Abs, Domains.AwayFrom(0), typeof(P.Abs)),
        Unary("sin", x => x.Sin(), Math.Sin, Domains.Real, typeof(P.Sin)),
        Unary("cos", x => x.Cos(), Math.Cos, Domains.Real, typeof(P.Cos)),
        Unary("tanh", x => x.Tanh(), Math.Tanh, Domains.Real, typeof(P.Tanh)),
        Unary("sigmoid", x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)), Domains.Real, typeof(P.Sigmoid)),
        Unary("relu", x => x.Relu(), v => Math.Max(v, 0), Domains.AwayFrom(0), typeof(P.Relu)),
        Unary("sign", x => x.Sign(), v => Math.Sign(v), Domains.AwayFrom(0), typeof(P.Sign)),
        Unary("softplus", x => x.Softplus(), v => Math.Log(1 + Math.Exp(v)), Domains.Real, typeof(P.Softplus)),
        Unary("hard_tanh", x => x.Hardtanh(), v => Math.Clamp(v, -1, 1), Domains.AwayFrom(-1, 1), typeof(P.Clamp)) with { InPlace = (t, _) => t.ClampInPlace(-1, 1) },
        Unary("nn_hardtanh", x => new Autograd.Nn.Hardtanh(-0.5, 1.5).Forward(x), v => Math.Clamp(v, -0.5, 1.5), Domains.AwayFrom(-0.5, 1.5), typeof(P.Where)),
        Unary("leaky_relu", x => x.LeakyRelu(), v => v > 0 ? v : 0.01 * v, Domains.AwayFrom(0), typeof(P.Where), typeof(P.MulScalar)),
        Unary("leaky_relu_slope", x => new Autograd.Nn.LeakyReLU(-0.3).Forward(x), v => v > 0 ? v : -0.3 * v, Domains.AwayFrom(0), typeof(P.Where), typeof(P.MulScalar)),
        Unary("relu6", x => (x * 3.0).Relu6(), v => Math.Clamp(3 * v, 0, 6), Domains.AwayFrom(0, 2), typeof(P.Where), typeof(P.Clamp)),
        Unary("silu", x => x.Silu(), v => v / (1 + Math.Exp(-v)), Domains.Real, typeof(P.Mul), typeof(P.Sigmoid)),
        Unary("softsign", x => x.Softsign(), v => v / (1 + Math.Abs(v)), Domains.AwayFrom(0), typeof(P.Div), typeof(P.Abs), typeof(P.AddScalar)),
        Unary("tanhshrink", x => x.Tanhshrink(), v => v - Math.Tanh(v), Domains.Real, typeof(P.Sub), typeof(P.Tanh)),
        Unary("hardsigmoid", x => (x * 2.0).Hardsigmoid(), v => Math.Clamp(2 * v + 3, 0, 6) / 6, Domains.AwayFrom(-1.5, 1.5), typeof(P.Where), typeof(P.Clamp), typeof(P.DivScalar)),
        Unary("hardswish", x => (x * 2.0).Hardswish(), v => 2 * v * Math.Clamp(2 * v + 3, 0, 6) / 6, Domains.AwayFrom(-1.5, 1.5), typeof(P.Mul), typeof(P.Clamp), typeof(P.DivScalar)),
        Unary("logsigmoid", x => x.LogSigmoid(), v => -Math.Log(1 + Math.Exp(-v)), Domains.Real, typeof(P.Neg), typeof(P.Softplus)),
        Unary("elu", x => x.Elu(), v => v > 0 ? v : Math.Exp(v) - 1, Domains.AwayFrom(0), typeof(P.Where), typeof(P.Clamp), typeof(P.Exp), typeof(P.SubScalar), typeof(P.MulScalar)),
        Unary("nn_elu", x => new Autograd.Nn.ELU(0.7).Forward(x), v => v > 0 ? v : 0.7 * (Math.Exp(v) - 1), Domains.AwayFrom(0), typeof(P.Where), typeof(P.Exp)),
        Unary("clamp", x => x.Clamp(-0.5, 0.8), v => Math.Clamp(v, -0.5, 0.8), Domains.AwayFrom(-0.5, 0.8), typeof(P.Clamp)) with { InPlace = (t, _) => t.ClampInPlace(-0.5, 0.8) },
        Unary("clamp_min", x => x.Clamp(min: 0.2), v => Math.Max(v, 0.2), Domains.AwayFrom(0.2), typeof(P.Clamp)) with { InPlace = (t, _) => t.ClampInPlace(min: 0.2) },
        Unary("clamp_max", x => x.Clamp(max: -0.3), v => Math.Min(v, -0.3), Domains.AwayFrom(-0.3), typeof(P.Clamp)) with { InPlace = (t, _) => t.ClampInPlace(max: -0.3) },
        Unary("pow_2", x => x.Pow(2), v => v * v, Domains.Real, typeof(P.PowScalar)),
        Unary("pow_3", x => x.Pow(3), v => v * v * v, Domains.Real, typeof(P.PowScalar)),
        Unary("pow_0", x => x.Pow(0), _ => 1, Domains.Real, typeof(P.PowScalar)),
        Unary("pow_half", x => x.Pow(0.5), Math.Sqrt, Domains.Positive, typeof(P.PowScalar)),
        Unary("pow_neg_1_5", x => x.Pow(-1.5), v => Math.Pow(v, -1.5), Domains.Positive, typeof(P.PowScalar)),
        Unary("square", x => x.Square(), v => v * v, Domains.Real, typeof(P.Mul)),
        Unary("clone", x => x.Clone(), v => v, Domains.Real, typeof(P.Copy)) with { InPlace = (t, x) => t.CopyFrom(x[0]) },
        Unary("scalar_sub_left", x => 2.0 - x, v => 2 - v, Domains.Real, typeof(P.Sub)),
        Unary("scalar_div_left", x => 1.5 / x, v => 1.5 / v, Domains.NonZero, typeof(P.Div)),
        Unary("scalar_pow_base", x => Tensor.Pow(2.0, x), v => Math.Pow(2, v), Domains.SmallReal, typeof(P.Pow)),
        Unary("scalar_mul_add", x => 3.0 * x + 0.5, v => 3 * v + 0.5, Domains.Real, typeof(P.MulScalar), typeof(P.AddScalar)),
        Unary("mul_scalar", x => x * 0.999, v => v * 0.999, Domains.Real, typeof(P.MulScalar)) with { InPlace = (t, _) => t.MulInPlace(0.999) },
        Unary("mul_scalar_neg_left", x => -2.5 * x, v => -2.5 * v, Domains.Real, typeof(P.MulScalar)),
        Unary("add_scalar", x => x + 0.001, v => v + 0.001, Domains.Real, typeof(P.AddScalar)) with { InPlace = (t, _) => t.AddInPlace(0.001) },
        Unary("add_scalar_neg_left", x => -1.25 + x, v => -1.25 + v, Domains.Real, typeof(P.AddScalar)),
        Unary("sub_scalar", x => x - 0.75, v => v - 0.75, Domains.Real, typeof(P.SubScalar)),
        Unary("div_scalar", x => x / -1.6, v => v / -1.6, Domains.Real, typeof(P.DivScalar)) with { InPlace = (t, _) => t.DivInPlace(-1.6) },
        Unary("cast_f32_f64", x => x.To(DType.Float32).To(DType.Float64), v => (float)v, Domains.Real, typeof(P.Cast)) with
        {
            // Identity up to float32 rounding: with eps = 1e-6 the rounding (≈1e-7) swamps the difference; the function
            // is linear, so a large eps adds no truncation error.
            Options = new GradCheckOptions { Eps = 1e-2 },
            Notes = "eps 1e-2: float32 rounding inside the function",
        },

        // Elementwise, two broadcast inputs.
        Binary("add", (a, b) => a + b, (a, b) => a + b, Domains.Real, Domains.Real, typeof(P.Add)) with { InPlace = (t, x) => t.AddInPlace(x[1]) },
        Binary("sub", (a, b) => a - b, (a, b) => a - b, Domains.Real, Domains.Real, typeof(P.Sub)) with { InPlace = (t, x) => t.SubInPlace(x[1]) },
        Binary("mul", (a, b) => a * b, (a, b) => a * b, Domains.Real, Domains.Real, typeof(P.Mul)) with { InPlace = (t, x) => t.MulInPlace(x[1]) },
        Binary("div", (a, b) => a / b, (a, b) => a / b, Domains.Real, Domains.NonZero, typeof(P.Div)) with { InPlace = (t, x) => t.DivInPlace(x[1]) },
        Binary("pow", Tensor.Pow, Math.Pow, Domains.Positive, Domains.SmallReal, typeof(P.Pow)),
        Binary("maximum", Tensor.Maximum, Math.Max, Domains.Real, Domains.Real, typeof(P.Maximum)),
        Binary("minimum", Tensor.Minimum, Math.Min, Domains.Real, Domains.Real, typeof(P.Minimum)),
        new OpInfo
        {
            Name = "where",
            Primitives = [typeof(P.Where)],
            Apply = x => Tensor.Where(x[0], x[1], x[2]),
            Reference = r => RefArray.Zip3(r[0], r[1], r[2], (c, a, b) => c != 0 ? a : b),
            Samples = new (int[] C, int[] A, int[] B)[]
            {
                ([3, 4], [3, 4], [3, 4]), ([3, 1], [4], [3, 4]), ([], [5], []), ([17], [17], [1]), ([0, 3], [3], [0, 3]), ([33], [], [33]),
            }.Select(s => Sample($"{S(s.C)}?{S(s.A)}:{S(s.B)}", new InputSpec(s.C, Domains.Condition, Differentiable: false), R(s.A), R(s.B))).ToArray(),
        },

        // Reductions.
        Reduction("sum", x => x.Sum(), r => r.Reduce(null, false, v => v.Sum()), [.. ElementwiseShapes], primitives: typeof(P.Sum)),
        Reduction("sum_axis0_keep", x => x.Sum(0, keepDims: true), r => r.Reduce([0], true, v => v.Sum()), Rank1Plus, primitives: typeof(P.Sum)),
        Reduction("sum_last", x => x.Sum(-1), r => r.Reduce([-1], false, v => v.Sum()), Rank1Plus, primitives: typeof(P.Sum)),
        Reduction("sum_axes_0_2", x => x.Sum([0, 2]), r => r.Reduce([0, 2], false, v => v.Sum()), Rank3, primitives: typeof(P.Sum)),
        Reduction("mean", x => x.Mean(), r => r.Reduce(null, false, v => v.Average()), NonEmpty, primitives: typeof(P.Sum)),
        Reduction("mean_last_keep", x => x.Mean(-1, keepDims: true), r => r.Reduce([-1], true, v => v.Average()), [[3, 4], [1, 17], [2, 3, 5], [33]], primitives: typeof(P.Sum)),
        Reduction("max", x => x.Max(), r => r.Reduce(null, false, v => v.Max()), NonEmpty, primitives: [typeof(P.Extremum)]),
        Reduction("max_axis1", x => x.Max(1), r => r.Reduce([1], false, v => v.Max()), [[3, 4], [1, 17], [2, 3, 5], [0, 3], [4, 16]], primitives: typeof(P.Gather)),
        Reduction("max_axes_0_2_keep", x => x.Max([0, 2], keepDims: true), r => r.Reduce([0, 2], true, v => v.Max()), [[2, 3, 5], [4, 1, 6], [3, 17, 2]], primitives: typeof(P.Extremum)),
        Reduction("max_axes_1", x => x.Max([1]), r => r.Reduce([1], false, v => v.Max()), [[3, 4], [1, 17], [2, 3, 5]], primitives: typeof(P.Extremum)),
        Reduction("min", x => x.Min(), r => r.Reduce(null, false, v => v.Min()), NonEmpty, primitives: typeof(P.Extremum)),
        Reduction("min_axes_0_1", x => x.Min([0, -2]), r => r.Reduce([0, 1], false, v => v.Min()), [[2, 3, 5], [4, 1, 6], [3, 17, 2]], primitives: typeof(P.Extremum)),
        Reduction("min_axis0", x => x.Min(0), r => r.Reduce([0], false, v => v.Min()), [[3, 4], [17], [2, 3, 5], [3, 0]], primitives: typeof(P.Gather)),
        Reduction("logsumexp", x => x.LogSumExp(), r => r.Reduce(null, false, v => LogSumExp(v)), NonEmpty, primitives: typeof(P.Exp)),
        Reduction("logsumexp_last", x => x.LogSumExp(-1), r => r.Reduce([-1], false, v => LogSumExp(v)), [[3, 4], [1, 17], [2, 3, 5], [33], [0, 3]], primitives: typeof(P.Log)),
        Reduction("logsumexp_axis0_keep", x => x.LogSumExp(0, keepDims: true), r => r.Reduce([0], true, v => LogSumExp(v)), [[3, 4], [16], [2, 3, 5]], primitives: typeof(P.Exp)),
        Reduction("softmax_last", x => x.Softmax(-1), r => r.AlongAxis(-1, Softmax), [[3, 4], [1, 17], [2, 3, 5], [33], [0, 3], [], [2, 16], [3, 1]], primitives: typeof(P.Softmax)),
        Reduction("softmax_axis0", x => x.Softmax(0), r => r.AlongAxis(0, Softmax), [[3, 4], [16], [2, 3, 5], [17, 2], [0, 3]], primitives: typeof(P.Softmax)),
        Reduction("softmax_axis1", x => x.Softmax(1), r => r.AlongAxis(1, Softmax), [[2, 3, 5], [4, 1, 6], [3, 17, 2], [2, 0, 3]], primitives: typeof(P.Softmax)),
        Reduction("log_softmax_last", x => x.LogSoftmax(-1), r => r.AlongAxis(-1, LogSoftmax), [[3, 4], [1, 17], [2, 3, 5], [33], [0, 3], [], [2, 16], [3, 1]], primitives: typeof(P.LogSoftmax)),
        Reduction("log_softmax_axis1", x => x.LogSoftmax(1), r => r.AlongAxis(1, LogSoftmax), [[3, 4], [2, 3, 5], [3, 17, 2], [2, 0, 3]], primitives: typeof(P.LogSoftmax)),
        Reduction("log_softmax_axis0", x => x.LogSoftmax(0), r => r.AlongAxis(0, LogSoftmax), [[3, 4], [16], [17, 2]], primitives: typeof(P.LogSoftmax)),

        // Losses: per-sample cross-entropy of logits and int64 class indices, along a class axis.
        CrossEntropyEntry("cross_entropy_last", -1, [([3, 4], [3]), ([2, 17], [2]), ([5, 33], [5]), ([4, 1], [4]), ([0, 4], [0]), ([16], []), ([2, 3, 5], [2, 3])]),
        CrossEntropyEntry("cross_entropy_axis1", 1, [([2, 3, 5], [2, 5]), ([3, 17, 2], [3, 2]), ([4, 3], [4]), ([2, 4, 0], [2, 0])]),
        CrossEntropyEntry("cross_entropy_axis0", 0, [([4, 3], [3]), ([17], [])]),

        // Movement.
        Reduction("reshape_flat", x => x.Reshape(-1), r => new RefArray(r.Data, [r.Data.Length]), [.. ElementwiseShapes, [4, 3]], primitives: typeof(P.Reshape)),
        Reduction("reshape_2_rows", x => x.Reshape(2, -1), r => new RefArray(r.Data, [2, r.Data.Length / 2]), [[2, 3, 5], [4, 3], [2, 0, 3], [16], [32]], primitives: typeof(P.Reshape)),
        Reduction("permute_2_0_1", x => x.Permute(2, 0, 1), r => Permuted(r, [2, 0, 1]), Rank3, primitives: typeof(P.Permute)),
        Reduction("transpose_0_1", x => x.Transpose(0, 1), r => Permuted(r, [1, 0]), [[3, 4], [1, 17], [16, 2], [0, 5]], primitives: typeof(P.Permute)),
        Reduction("T", x => x.T, r => Permuted(r, Enumerable.Range(0, r.Rank).Reverse().ToArray()), [[3, 4], [2, 3, 5], [17], []], primitives: typeof(P.Permute)),
        Reduction("slice_0_1_3", x => x.Slice(0, 1, 3), r => Sliced(r, 0, 1, 3, 1), [[5, 7], [4, 17], [1, 3], [3, 0], [33]], primitives: typeof(P.Slice)),
        Reduction("slice_last_step2", x => x.Slice(-1, null, null, 2), r => Sliced(r, -1, 0, int.MaxValue, 2), [[5, 7], [4, 17], [2, 3, 33], [16]], primitives: typeof(P.Slice)),
        Reduction("slice_1_neg3_step3", x => x.Slice(1, -3, null, 3), r => Sliced(r, 1, -3, int.MaxValue, 3), [[5, 7], [4, 17], [2, 2, 3]], primitives: typeof(P.Slice)),
        Reduction("index_select_0", x => x.IndexSelect(0, 2, 0, 2, -1), r => Selected(r, 0, [2, 0, 2, -1]), [[3, 4], [5, 2, 3], [3], [4, 0]], primitives: typeof(P.IndexSelect)),
        Reduction("index_select_last", x => x.IndexSelect(-1, 1, 1), r => Selected(r, -1, [1, 1]), [[3, 4], [2, 3, 5], [2]], primitives: typeof(P.IndexSelect)),
        Reduction("index_add_into_zeros", x => P.IndexAdd.Forward([5, x.Size(1)], 0, [0, 2, 0, 4], x),
            r => RefArray.Build([5, r.Shape[1]], idx => Enumerable.Range(0, 4).Where(j => new[] { 0, 2, 0, 4 }[j] == idx[0]).Sum(j => r[[j, idx[1]]])),
            [[4, 3], [4, 1], [4, 17]], primitives: typeof(P.IndexAdd)),
        Reduction("broadcast_to", x => x.BroadcastTo(2, 3, 4), r => RefArray.Build([2, 3, 4], r.AtBroadcast), [[3, 1], [4], [], [1, 1, 4], [2, 3, 4], [2, 1, 1]], primitives: typeof(P.Expand)),
        Reduction("broadcast_to_keep", x => x.BroadcastTo(2, -1, 4), r => RefArray.Build([2, r.Shape[0], 4], r.AtBroadcast), [[3, 1], [5, 4], [1, 1], [0, 4]], primitives: typeof(P.Expand)),
        Reduction("squeeze", x => x.Squeeze(), r => new RefArray(r.Data, r.Shape.Where(d => d != 1).ToArray()), [[3, 1, 4], [1], [1, 1], [2, 0, 1], [5]], primitives: typeof(P.Reshape)),
        Reduction("unsqueeze_1", x => x.Unsqueeze(1), r => new RefArray(r.Data, r.Shape.Take(1).Append(1).Concat(r.Shape.Skip(1)).ToArray()), [[3, 4], [5], [2, 0]], primitives: typeof(P.Reshape)),
        Reduction("flatten_1", x => x.Flatten(1), r => new RefArray(r.Data, [r.Shape[0], r.Data.Length / Math.Max(1, r.Shape[0])]), [[2, 3, 4], [3, 5], [4, 1, 6]], primitives: typeof(P.Reshape)),
        new OpInfo
        {
            Name = "gather_1",
            Primitives = [typeof(P.Gather)],
            Apply = x => x[0].Gather(1, x[1]),
            Reference = r => RefArray.Build(r[1].Shape, idx => { var s = (int[])idx.Clone(); s[1] = (int)r[1][idx]; return r[0][s]; }),
            Samples = [
                Sample("[3,4]<-[3,5]", R(3, 4), new InputSpec([3, 5], Domains.Real, false, IndexBound: 4)),
                Sample("[4,6]<-[2,6]", R(4, 6), new InputSpec([2, 6], Domains.Real, false, IndexBound: 6)),
                Sample("[2,17,3]<-[2,33,3]", R(2, 17, 3), new InputSpec([2, 33, 3], Domains.Real, false, IndexBound: 17)),
            ],
        },
        new OpInfo
        {
            Name = "gather_0",
            Primitives = [typeof(P.Gather)],
            Apply = x => x[0].Gather(0, x[1]),
            Reference = r => RefArray.Build(r[1].Shape, idx => { var s = (int[])idx.Clone(); s[0] = (int)r[1][idx]; return r[0][s]; }),
            Samples = [
                Sample("[5]<-[8]", R(5), new InputSpec([8], Domains.Real, false, IndexBound: 5)),
                Sample("[3,4]<-[6,2]", R(3, 4), new InputSpec([6, 2], Domains.Real, false, IndexBound: 3)),
            ],
        },
        new OpInfo
        {
            Name = "scatter_add_into_zeros",
            Primitives = [typeof(P.ScatterAdd)],
            Apply = x => P.ScatterAdd.Forward([x[0].Size(0), 4], 1, x[1], x[0]),
            Reference = r => RefArray.Build([r[0].Shape[0], 4], idx =>
            {
                double s = 0;
                for (int j = 0; j < r[0].Shape[1]; j++) if ((int)r[1][[idx[0], j]] == idx[1]) s += r[0][[idx[0], j]];
                return s;
            }),
            Samples = [
                Sample("[3,6]->[3,4]", R(3, 6), new InputSpec([3, 6], Domains.Real, false, IndexBound: 4)),
                Sample("[2,17]->[2,4]", R(2, 17), new InputSpec([2, 17], Domains.Real, false, IndexBound: 4)),
            ],
        },
        new OpInfo
        {
            Name = "concat_0",
            Primitives = [typeof(P.Concat)],
            Apply = x => Tensor.Concat(x, 0),
            Reference = r => Concatenated(r, 0),
            Samples = [Sample("[2,3]+[4,3]+[1,3]", R(2, 3), R(4, 3), R(1, 3)), Sample("[0,3]+[2,3]", R(0, 3), R(2, 3)), Sample("[1]+[16]", R(1), R(16)), Sample("[17]", R(17))],
        },
        new OpInfo
        {
            Name = "concat_last",
            Primitives = [typeof(P.Concat)],
            Apply = x => Tensor.Concat(x, -1),
            Reference = r => Concatenated(r, -1),
            Samples = [Sample("[2,3]+[2,5]", R(2, 3), R(2, 5)), Sample("[3,1,2]+[3,1,4]+[3,1,0]", R(3, 1, 2), R(3, 1, 4), R(3, 1, 0))],
        },
        new OpInfo
        {
            Name = "stack_0",
            Primitives = [typeof(P.Concat), typeof(P.Reshape)],
            Apply = x => Tensor.Stack(x, 0),
            Reference = r => new RefArray(r.SelectMany(a => a.Data).ToArray(), [r.Length, .. r[0].Shape]),
            Samples = [Sample("[3]x2", R(3), R(3)), Sample("[2,3]x3", R(2, 3), R(2, 3), R(2, 3)), Sample("[]x2", R(), R())],
        },

        // Matrix products.
        new OpInfo
        {
            Name = "matmul",
            Primitives = [typeof(P.BatchedMatMul)],
            Apply = x => Tensor.MatMul(x[0], x[1]),
            Reference = r => NaiveMatMul(r[0], r[1]),
            Samples = new (int[] A, int[] B)[]
            {
                ([3], [3]), ([3], [3, 4]), ([2, 3], [3]), ([2, 3], [3, 4]), ([2, 1, 3, 4], [5, 4, 2]), ([0, 3], [3, 2]), ([2, 0], [0, 3]),
                ([17, 33], [33, 15]), ([1, 5], [5, 1]), ([5, 1], [1, 5]), ([4, 3, 2], [2, 5]), ([16], [16, 17]), ([2, 16], [16, 31]),
            }.Select(p => Sample($"{S(p.A)}·{S(p.B)}", R(p.A), R(p.B))).ToArray(),
        },
    ];
}
