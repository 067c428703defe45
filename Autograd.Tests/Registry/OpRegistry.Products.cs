using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    // A property: All, in another part of this partial class, is initialised before this file's static fields.
    private static Type[] EinsumPrimitives => [typeof(P.BatchedMatMul), typeof(P.Permute), typeof(P.Reshape), typeof(P.Sum), typeof(P.Slice)];

    private static OpInfo[] ProductEntries() =>
    [
        new()
        {
            Name = "dot",
            Primitives = [typeof(P.BatchedMatMul)],
            Apply = x => x[0].Dot(x[1]),
            Reference = r => NaiveEinsum("i,i->", r),
            Samples = new[] { 3, 0, 1, 16, 17, 33 }.Select(n => Sample($"[{n}]·[{n}]", R(n), R(n))).ToArray(),
        },
        new()
        {
            Name = "outer",
            Primitives = [typeof(P.Mul)],
            Apply = x => x[0].Outer(x[1]),
            Reference = r => NaiveEinsum("i,j->ij", r),
            Samples = new (int A, int B)[] { (3, 4), (0, 3), (1, 1), (17, 5), (4, 0) }.Select(p => Sample($"[{p.A}]⊗[{p.B}]", R(p.A), R(p.B))).ToArray(),
        },
        new()
        {
            Name = "bmm",
            Primitives = [typeof(P.BatchedMatMul)],
            Apply = x => x[0].Bmm(x[1]),
            Reference = r => NaiveEinsum("bij,bjk->bik", r),
            Samples = new (int[] A, int[] B)[]
            {
                ([2, 3, 4], [2, 4, 5]), ([1, 1, 1], [1, 1, 1]), ([0, 2, 3], [0, 3, 4]), ([2, 0, 3], [2, 3, 2]), ([3, 2, 0], [3, 0, 4]), ([2, 17, 3], [2, 3, 5]),
            }.Select(p => Sample($"{S(p.A)}·{S(p.B)}", R(p.A), R(p.B))).ToArray(),
        },
        new()
        {
            Name = "addmm",
            Primitives = [typeof(P.BatchedMatMul), typeof(P.MulScalar), typeof(P.Add)],
            Apply = x => Tensor.Addmm(x[0], x[1], x[2], beta: 0.5, alpha: -2),
            Reference = r => RefArray.Zip(r[0], NaiveEinsum("ij,jk->ik", [r[1], r[2]]), (i, p) => 0.5 * i + -2 * p),
            Samples = new (int[] I, int[] A, int[] B)[]
            {
                ([3, 5], [3, 4], [4, 5]), ([5], [3, 4], [4, 5]), ([1, 5], [3, 4], [4, 5]), ([3, 1], [3, 4], [4, 5]), ([], [3, 4], [4, 5]),
                ([0, 2], [0, 3], [3, 2]), ([2, 3], [2, 0], [0, 3]), ([1, 17], [1, 16], [16, 17]),
            }.Select(p => Sample($"{S(p.I)}+{S(p.A)}·{S(p.B)}", R(p.I), R(p.A), R(p.B))).ToArray(),
        },
        new()
        {
            Name = "baddbmm",
            Primitives = [typeof(P.BatchedMatMul), typeof(P.MulScalar), typeof(P.Add)],
            Apply = x => Tensor.Baddbmm(x[0], x[1], x[2], beta: 1.5, alpha: 0.25),
            Reference = r => RefArray.Zip(r[0], NaiveEinsum("bij,bjk->bik", [r[1], r[2]]), (i, p) => 1.5 * i + 0.25 * p),
            Samples = new (int[] I, int[] A, int[] B)[]
            {
                ([2, 3, 5], [2, 3, 4], [2, 4, 5]), ([5], [2, 3, 4], [2, 4, 5]), ([1, 3, 1], [2, 3, 4], [2, 4, 5]), ([], [2, 3, 4], [2, 4, 5]),
                ([0, 2, 3], [0, 2, 1], [0, 1, 3]), ([2, 2, 3], [2, 2, 0], [2, 0, 3]),
            }.Select(p => Sample($"{S(p.I)}+{S(p.A)}·{S(p.B)}", R(p.I), R(p.A), R(p.B))).ToArray(),
        },
        new()
        {
            // nn.Linear's op: x·Wᵀ + b with the bias added in the product's epilogue and its gradient beside the weight's.
            Name = "linear",
            Primitives = [typeof(P.Linear)],
            Apply = x => P.Linear.Forward(x[0], x[1], x[2]),
            Reference = r => RefArray.Zip(NaiveEinsum("ij,kj->ik", [r[0], r[1]]), r[2], (p, b) => p + b),
            Samples = new (int[] X, int[] W, int[] B)[]
            {
                ([3, 4], [5, 4], [5]), ([1, 4], [5, 4], [5]), ([3, 4], [1, 4], [1]), ([0, 4], [5, 4], [5]), ([3, 0], [5, 0], [5]),
                ([3, 4], [0, 4], [0]), ([17, 3], [2, 3], [2]), ([2, 17], [16, 17], [16]), ([13, 5], [33, 5], [33]),
            }.Select(p => Sample($"{S(p.X)}·{S(p.W)}ᵀ+{S(p.B)}", R(p.X), R(p.W), R(p.B))).ToArray(),
        },
        new()
        {
            // nn.Sequential's Linear → ReLU: relu(x·Wᵀ + b) with the ReLU applied in the product's epilogue, batch and
            // output sizes around the micro-kernel tiles (MR 4, 6, 12; NR 4, 8, 16, 32), an empty batch and depth.
            Name = "linear_relu",
            Primitives = [typeof(P.LinearRelu)],
            Apply = x => P.LinearRelu.Forward(x[0], x[1], x[2]),
            Reference = r => RefArray.Zip(NaiveEinsum("ij,kj->ik", [r[0], r[1]]), r[2], (p, b) => Math.Max(p + b, 0)),
            Samples = new (int[] X, int[] W, int[] B)[]
            {
                ([3, 4], [5, 4], [5]), ([1, 4], [5, 4], [5]), ([3, 4], [1, 4], [1]), ([0, 4], [5, 4], [5]), ([3, 0], [5, 0], [5]),
                ([7, 3], [9, 3], [9]), ([13, 5], [17, 5], [17]), ([5, 17], [33, 17], [33]), ([17, 3], [2, 3], [2]), ([2, 17], [16, 17], [16]),
            }.Select(p => Sample($"relu({S(p.X)}·{S(p.W)}ᵀ+{S(p.B)})", R(p.X), R(p.W), R(p.B))).ToArray(),
        },
        Einsum("ij,jk->ik", [[2, 3], [3, 4]], [[1, 1], [1, 1]], [[0, 3], [3, 2]], [[2, 0], [0, 3]], [[17, 3], [3, 16]]),
        Einsum("bij,bjk->bik", [[2, 3, 4], [2, 4, 5]], [[1, 1, 1], [1, 1, 1]], [[0, 2, 3], [0, 3, 1]]),
        Einsum("ii", [[3, 3]], [[1, 1]], [[0, 0]], [[16, 16]]),
        Einsum("ii->i", [[3, 3]], [[1, 1]], [[0, 0]], [[17, 17]]),
        Einsum("i,j->ij", [[3], [4]], [[0], [2]], [[1], [1]]),
        Einsum("ij->ji", [[3, 4]], [[1, 5]], [[0, 2]]),
        Einsum("ij->", [[3, 4]], [[1, 1]], [[0, 3]], [[2, 1000]]),
        Einsum("...ij,...jk->...ik", [[2, 1, 3, 4], [5, 4, 2]], [[3, 4], [4, 2]], [[2, 3, 4], [1, 4, 5]], [[0, 2, 3], [3, 1]]),
        Einsum("ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]], [[1, 1], [1, 1], [1, 1]], [[2, 0], [0, 3], [3, 2]]),
        Einsum("bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]], [[1, 1], [1, 1, 1], [1, 1]]),
        Einsum("iij->ji", [[3, 3, 4]], [[2, 2, 1]]),
        Einsum("ij,ij->ij", [[2, 1], [2, 4]], [[3, 4], [3, 4]]),
        Einsum(",i->i", [[], [3]], [[], [0]]),
        Einsum("ba...", [[5, 2, 3]], [[2, 1]]),
    ];

    private static OpInfo Einsum(string equation, params int[][][] samples) => new()
    {
        Name = $"einsum {equation}",
        Primitives = EinsumPrimitives,
        Apply = x => Tensor.Einsum(equation, x),
        Reference = r => NaiveEinsum(equation, r),
        Samples = samples.Select(shapes => Sample(string.Join(",", shapes.Select(S)), shapes.Select(s => R(s)).ToArray())).ToArray(),
    };

    /// <summary>
    /// torch.einsum by brute force: every assignment of indices to subscripts, products summed into the output. Each
    /// ellipsis becomes one private character per dimension, right-aligned across operands; size 1 broadcasts.
    /// </summary>
    internal static RefArray NaiveEinsum(string equation, RefArray[] xs)
    {
        equation = equation.Replace(" ", "", StringComparison.Ordinal);
        var sides = equation.Split("->");
        var terms = sides[0].Split(',');
        int ellipsisRank = terms.Select((t, k) => t.Contains("...", StringComparison.Ordinal) ? xs[k].Rank - (t.Length - 3) : 0).Max();
        string Ellipsis(int count) => new(Enumerable.Range(ellipsisRank - count, count).Select(j => (char)(0x100 + j)).ToArray());
        var subs = terms.Select((t, k) => t.Replace("...", Ellipsis(xs[k].Rank - (t.Length - 3)), StringComparison.Ordinal)).ToArray();
        string output = sides.Length > 1
            ? sides[1].Replace("...", Ellipsis(ellipsisRank), StringComparison.Ordinal)
            : Ellipsis(ellipsisRank) + new string(string.Concat(subs).Where(c => c < 0x100).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).OrderBy(c => c).ToArray());
        var letters = string.Concat(subs).Distinct().ToArray();
        var size = letters.ToDictionary(c => c, c => subs.SelectMany((s, k) => s.Select((ch, d) => (ch, d)).Where(p => p.ch == c).Select(p => xs[k].Shape[p.d])).DefaultIfEmpty(1).Aggregate((x, y) => x == 1 ? y : x));
        var outShape = output.Select(c => size[c]).ToArray();
        var result = new double[RefArray.Count(outShape)];
        var all = letters.Select(c => size[c]).ToArray();
        for (int flat = 0; flat < RefArray.Count(all); flat++)
        {
            var idx = RefArray.Unravel(flat, all);
            var at = letters.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => idx[p.i]);
            double product = 1;
            for (int k = 0; k < xs.Length; k++)
                product *= xs[k][subs[k].Select((c, d) => xs[k].Shape[d] == 1 ? 0 : at[c]).ToArray()];
            result[RefArray.Ravel(output.Select(c => at[c]).ToArray(), outShape)] += product;
        }
        return new RefArray(result, outShape);
    }
}
