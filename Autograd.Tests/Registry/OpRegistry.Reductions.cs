using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    // About a third zeros: products, scans and norms must be exact there (all three are multilinear or piecewise smooth
    // in each element, so central differences stay exact across the zeros for the products).
    private static Domain WithZeros => g => g.NextDouble() < 0.3 ? 0 : g.NextNormal();

    private static int[][] AnyLength => [[], [1], [15], [16], [17], [31], [33], [1000], [3, 4], [2, 3, 5], [2, 0, 3]];
    private static int[][] NonEmptyUpTo33 => [[], [1], [15], [16], [17], [33], [3, 4], [2, 3, 5]];

    private static double VarRef(List<double> v, double correction)
    {
        if (v.Count == 0) return double.NaN;
        double m = v.Average();
        return v.Sum(x => (x - m) * (x - m)) / Math.Max(0, v.Count - correction);
    }

    private static double NormRef(List<double> v, double p)
    {
        if (p == 0) return v.Count(x => x != 0);
        if (double.IsPositiveInfinity(p)) return v.Max(Math.Abs);
        if (double.IsNegativeInfinity(p)) return v.Min(Math.Abs);
        return Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), p)), 1 / p);
    }

    private static double[] Scan(double[] v, Func<double, double, double> step, double start)
    {
        var r = new double[v.Length];
        double acc = start;
        for (int i = 0; i < v.Length; i++) r[i] = acc = step(acc, v[i]);
        return r;
    }

    private static double LowerMedian(List<double> v) => v.Order().ElementAt((v.Count - 1) / 2);

    private static OpInfo NormEntry(string name, double p, int[]? axes, bool keepDims, int[][] shapes, Domain domain) =>
        Reduction(name, x => x.Norm(p, axes, keepDims), r => r.Reduce(axes, keepDims, v => NormRef(v, p)), shapes, domain, typeof(P.VectorNorm));

    private static OpInfo[] ReductionEntries() =>
    [
        // Variance (one primitive with torch's gradient) and standard deviation (its square root).
        Reduction("var", x => x.Var(), r => r.Reduce(null, false, v => VarRef(v, 1)), [[15], [16], [17], [33], [1000], [3, 4], [2, 3, 5]], primitives: typeof(P.Variance)),
        Reduction("var_0d_c0", x => x.Var(correction: 0), r => r.Reduce(null, false, v => VarRef(v, 0)), [[], [1], [17]], primitives: typeof(P.Variance)),
        Reduction("var_axis1_c0_keep", x => x.Var(1, correction: 0, keepDims: true), r => r.Reduce([1], true, v => VarRef(v, 0)), [[3, 4], [1, 17], [2, 3, 5], [4, 1, 6], [2, 0, 3]], primitives: typeof(P.Sum)),
        Reduction("var_axes_0_2", x => x.Var([0, -1]), r => r.Reduce([0, 2], false, v => VarRef(v, 1)), [[2, 3, 5], [3, 17, 2], [4, 2, 6]], primitives: typeof(P.Sum)),
        Reduction("std", x => x.Std(), r => r.Reduce(null, false, v => Math.Sqrt(VarRef(v, 1))), [[15], [16], [17], [33], [1000], [3, 4], [2, 3, 5]], primitives: typeof(P.Sqrt)),
        Reduction("std_last_c2", x => x.Std(-1, correction: 2), r => r.Reduce([-1], false, v => Math.Sqrt(VarRef(v, 2))), [[3, 4], [1, 17], [2, 3, 5], [33]], primitives: typeof(P.Sqrt)),
        Reduction("var_mean_axis0", x => { var (v, m) = x.VarMean(0); return v + 2.0 * m; },
            r => { var v = r.Reduce([0], false, a => VarRef(a, 1)); var m = r.Reduce([0], false, a => a.Average()); return RefArray.Zip(v, m, (a, b) => a + 2 * b); },
            [[3, 4], [17], [16, 2], [2, 3, 5]], primitives: typeof(P.Sum)),
        Reduction("std_mean_keep", x => { var (s, m) = x.StdMean([1], correction: 0, keepDims: true); return s - m; },
            r => { var s = r.Reduce([1], true, a => Math.Sqrt(VarRef(a, 0))); var m = r.Reduce([1], true, a => a.Average()); return RefArray.Zip(s, m, (a, b) => a - b); },
            [[3, 4], [1, 17], [2, 3, 5]], primitives: typeof(P.Sqrt)),

        // Vector norms: one primitive, every order.
        NormEntry("norm_2", 2, null, false, AnyLength, Domains.Real),
        NormEntry("norm_2_last_keep", 2, [-1], true, [[3, 4], [1, 17], [2, 3, 5], [2, 0, 3], [4, 33]], Domains.Real),
        NormEntry("norm_1", 1, null, false, AnyLength, Domains.AwayFrom(0)),
        NormEntry("norm_inf", double.PositiveInfinity, null, false, NonEmptyUpTo33, Domains.AwayFrom(0)),
        NormEntry("norm_neg_inf_axis0", double.NegativeInfinity, [0], false, [[3, 4], [17], [2, 3, 5]], Domains.AwayFrom(0)),
        NormEntry("norm_0", 0, null, false, AnyLength, Domains.AwayFrom(0)),
        NormEntry("norm_3_axes_0_2", 3, [0, 2], false, [[2, 3, 5], [3, 17, 2], [2, 0, 3]], Domains.AwayFrom(0)),
        NormEntry("norm_1_5", 1.5, null, false, AnyLength, Domains.NonZero),
        NormEntry("norm_half", 0.5, null, false, NonEmptyUpTo33, Domains.NonZero),
        NormEntry("norm_neg_1_5_last", -1.5, [-1], false, [[3, 4], [1, 17], [2, 3, 5], [33]], Domains.NonZero),
        Reduction("norm_fro", x => x.Norm("fro", [0, 1]), r => r.Reduce([0, 1], false, v => NormRef(v, 2)), [[3, 4], [1, 17], [2, 3, 5]], primitives: typeof(P.VectorNorm)),

        // Products, as the last element of the running product.
        Reduction("prod", x => x.Prod(), r => r.Reduce(null, false, v => v.Aggregate(1.0, (a, b) => a * b)), [.. NonEmptyUpTo33, [2, 0, 3]], primitives: typeof(P.Cumprod)),
        Reduction("prod_with_zeros", x => x.Prod(), r => r.Reduce(null, false, v => v.Aggregate(1.0, (a, b) => a * b)), [[5], [17], [3, 4]], WithZeros, typeof(P.Cumprod)),
        Reduction("prod_axis1_keep_zeros", x => x.Prod(1, keepDims: true), r => r.Reduce([1], true, v => v.Aggregate(1.0, (a, b) => a * b)), [[3, 4], [4, 6], [2, 17], [2, 0, 3], [3, 1]], WithZeros, typeof(P.Cumprod)),

        // Scans.
        Reduction("cumsum_0", x => x.Cumsum(0), r => r.AlongAxis(0, v => Scan(v, (a, b) => a + b, 0)), [.. ElementwiseShapes], primitives: typeof(P.Cumsum)),
        Reduction("cumsum_last", x => x.Cumsum(-1), r => r.AlongAxis(-1, v => Scan(v, (a, b) => a + b, 0)), Rank2Plus, primitives: typeof(P.Cumsum)),
        Reduction("cumprod_0", x => x.Cumprod(0), r => r.AlongAxis(0, v => Scan(v, (a, b) => a * b, 1)), [[], [1], [15], [16], [17], [33], [3, 4], [2, 0, 3]], Domains.NonZero, typeof(P.Cumprod)),
        Reduction("cumprod_last_zeros", x => x.Cumprod(-1), r => r.AlongAxis(-1, v => Scan(v, (a, b) => a * b, 1)), [[3, 5], [4, 6], [2, 17], [2, 3, 4]], WithZeros, typeof(P.Cumprod)),
        Reduction("logcumsumexp_last", x => x.LogCumSumExp(-1), r => r.AlongAxis(-1, v => Scan(v, (a, b) => LogSumExp([a, b]), double.NegativeInfinity)), [.. ElementwiseShapes], primitives: typeof(P.LogCumSumExp)),
        Reduction("logcumsumexp_axis1", x => x.LogCumSumExp(1), r => r.AlongAxis(1, v => Scan(v, (a, b) => LogSumExp([a, b]), double.NegativeInfinity)), Rank3, primitives: typeof(P.LogCumSumExp)),

        // amax/amin (ties share the gradient), max/min/median along an axis with indices (the gradient to the index).
        Reduction("amax_axis1", x => x.Amax(1), r => r.Reduce([1], false, v => v.Max()), [[3, 4], [1, 17], [2, 3, 5], [4, 33]], primitives: typeof(P.Extremum)),
        Reduction("amin_all", x => x.Amin(), r => r.Reduce(null, false, v => v.Min()), NonEmpty, primitives: typeof(P.Extremum)),
        Reduction("max_with_indices_1", x => x.MaxWithIndices(1).Values, r => r.Reduce([1], false, v => v.Max()), [[3, 4], [1, 17], [2, 3, 5], [0, 3]], primitives: typeof(P.Gather)),
        Reduction("min_with_indices_0_keep", x => x.MinWithIndices(0, keepDims: true).Values, r => r.Reduce([0], true, v => v.Min()), [[3, 4], [17], [2, 3, 5], [1, 16]], primitives: typeof(P.Gather)),
        Reduction("median", x => x.Median(), r => r.Reduce(null, false, LowerMedian), [.. NonEmpty, [16], [31]], primitives: typeof(P.Median)),
        Reduction("median_axis1", x => x.Median(1).Values, r => r.Reduce([1], false, LowerMedian), [[3, 4], [1, 17], [2, 3, 5], [4, 16], [0, 3]], primitives: typeof(P.Gather)),
        Reduction("median_last_keep", x => x.Median(-1, keepDims: true).Values, r => r.Reduce([-1], true, LowerMedian), [[3, 4], [33], [2, 3, 5], [1]], primitives: typeof(P.Gather)),
    ];
}
