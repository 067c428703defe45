using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    private static OpInfo Entry(string name, Func<Tensor[], Tensor> apply, Func<RefArray[], RefArray> reference, OpSample[] samples, params Type[] primitives) => new()
    {
        Name = name,
        Primitives = primitives,
        Apply = apply,
        Reference = reference,
        Samples = samples,
    };

    private static OpSample[] Of(params int[][] shapes) => Shapes(shapes, Domains.Real);

    // Several results as one tensor: each flattened, then joined.
    private static Tensor Joined(Tensor[] pieces) => Tensor.Concat(pieces.Select(p => p.Reshape(-1)).ToArray());

    private static RefArray Joined(IEnumerable<RefArray> pieces)
    {
        var data = pieces.SelectMany(p => p.Data).ToArray();
        return new RefArray(data, [data.Length]);
    }

    private static IEnumerable<RefArray> SplitRef(RefArray x, int axis, int size)
    {
        axis = axis < 0 ? axis + x.Rank : axis;
        int n = x.Shape[axis];
        if (n == 0) { yield return x; yield break; }
        for (int at = 0; at < n; at += size) yield return Sliced(x, axis, at, Math.Min(at + size, n), 1);
    }

    private static RefArray RepeatRef(RefArray x, int[] reps)
    {
        var padded = Enumerable.Repeat(1, reps.Length - x.Rank).Concat(x.Shape).ToArray();
        var shape = padded.Select((d, i) => d * reps[i]).ToArray();
        return RefArray.Build(shape, idx => x.Data[RefArray.Ravel(idx.Skip(reps.Length - x.Rank).Select((v, d) => v % x.Shape[d]).ToArray(), x.Shape)]);
    }

    private static RefArray Mapped(RefArray x, int[] shape, Func<int[], int[]> source) => RefArray.Build(shape, idx => x[source(idx)]);

    private static RefArray FlipRef(RefArray x, params int[] axes) =>
        Mapped(x, x.Shape, idx => idx.Select((v, d) => axes.Contains(d) ? x.Shape[d] - 1 - v : v).ToArray());

    private static RefArray RollRef(RefArray x, int axis, int shift) =>
        Mapped(x, x.Shape, idx =>
        {
            var s = (int[])idx.Clone();
            int n = x.Shape[axis];
            s[axis] = ((idx[axis] - shift) % n + n) % n;
            return s;
        });

    private static RefArray TriangleRef(RefArray x, int diagonal, bool lower) =>
        RefArray.Build(x.Shape, idx =>
        {
            int d = idx[^1] - idx[^2];
            return (lower ? d <= diagonal : d >= diagonal) ? x[idx] : 0;
        });

    private static RefArray DiagonalRef(RefArray x, int offset, int a, int b)
    {
        a = a < 0 ? a + x.Rank : a;
        b = b < 0 ? b + x.Rank : b;
        var others = Enumerable.Range(0, x.Rank).Where(d => d != a && d != b).ToArray();
        int rows = x.Shape[a], cols = x.Shape[b];
        int length = Math.Max(0, offset >= 0 ? Math.Min(rows, cols - offset) : Math.Min(rows + offset, cols));
        var shape = others.Select(d => x.Shape[d]).Append(length).ToArray();
        return Mapped(x, shape, idx =>
        {
            var s = new int[x.Rank];
            for (int i = 0; i < others.Length; i++) s[others[i]] = idx[i];
            s[a] = idx[^1] + Math.Max(-offset, 0);
            s[b] = idx[^1] + Math.Max(offset, 0);
            return s;
        });
    }

    private static double[] Ascending(double[] v) => v.OrderBy(e => e).ToArray();

    private static double[] Descending(double[] v) => v.OrderByDescending(e => e).ToArray();

    // Index tensors fixed by the sample's shape, so that no target is written twice (scatter's gradient is exact then).
    // Along axis 1 of [rows, k]: row i writes columns (i + j) mod size.
    private static Tensor DistinctIndex(int[] shape, int axis, int size) =>
        Tensor.From(Enumerable.Range(0, RefArray.Count(shape)).Select(f =>
        {
            var idx = RefArray.Unravel(f, shape);
            int other = idx.Where((_, d) => d != axis).Sum();
            return (long)((idx[axis] + other) % size);
        }).ToArray()).Reshape(shape);

    private static RefArray ScatterRef(RefArray x, Tensor index, int axis, Func<int[], double> src)
    {
        var data = (double[])x.Data.Clone();
        var ix = RefArray.Of(index);
        for (int f = 0; f < ix.Data.Length; f++)
        {
            var at = RefArray.Unravel(f, ix.Shape);
            var to = (int[])at.Clone();
            if (to.Length > 0) to[axis] = (int)ix.Data[f];
            data[RefArray.Ravel(to, x.Shape)] = src(at);
        }
        return new RefArray(data, x.Shape);
    }

    private static OpInfo[] IndexingEntries() =>
    [
        Entry("split_2_dim1", x => Joined(x[0].Split(2, 1)), r => Joined(SplitRef(r[0], 1, 2)), Of([3, 5], [2, 4], [1, 1], [4, 0], [2, 17]), typeof(P.Slice), typeof(P.Concat)),
        Entry("split_sizes_last", x => Joined(x[0].Split([1, 0, x[0].Size(-1) - 1], -1)),
            r => Joined([Sliced(r[0], -1, 0, 1, 1), Sliced(r[0], -1, 1, int.MaxValue, 1)]), Of([5], [3, 4], [2, 1, 17]), typeof(P.Slice)),
        Entry("chunk_3", x => Joined(x[0].Chunk(3)), r => Joined(SplitRef(r[0], 0, (r[0].Shape[0] + 2) / 3)), Of([7, 2], [6], [1], [2, 3], [17]), typeof(P.Slice)),
        Entry("unbind_1", x => Joined(x[0].Unbind(1)), r => Joined([Permuted(r[0], [1, .. Enumerable.Range(0, r[0].Rank).Where(d => d != 1)])]),
            Of([2, 3, 4], [3, 1], [1, 17], [2, 5, 0]), typeof(P.Slice), typeof(P.Reshape)),
        Entry("narrow_neg_start", x => x[0].Narrow(-1, -3, 2), r => Sliced(r[0], -1, r[0].Shape[^1] - 3, r[0].Shape[^1] - 1, 1), Of([4, 5], [3], [2, 1, 17]), typeof(P.Slice)),
        Entry("unflatten_1", x => x[0].Unflatten(1, 3, -1), r => new RefArray(r[0].Data, [r[0].Shape[0], 3, r[0].Shape[1] / 3, .. r[0].Shape[2..]]),
            Of([2, 6], [1, 3], [2, 0], [2, 9, 2]), typeof(P.Reshape)),
        Entry("movedim_pairs", x => x[0].Movedim([0, 1], [2, 0]), r => Permuted(r[0], [1, 2, 0]), Of([2, 3, 4], [1, 5, 2], [3, 0, 2]), typeof(P.Permute)),
        Entry("repeat_2_1_3", x => x[0].Repeat(2, 1, 3), r => RepeatRef(r[0], [2, 1, 3]), Of([2, 3], [], [5], [1, 17], [0, 2]), typeof(P.Expand), typeof(P.Reshape)),
        Entry("tile_2", x => x[0].Tile(2), r => RepeatRef(r[0], [.. Enumerable.Repeat(1, Math.Max(r[0].Rank - 1, 0)), 2]), Of([2, 3], [], [17], [3, 1, 2]), typeof(P.Expand)),
        Entry("repeat_interleave_2_dim1", x => x[0].RepeatInterleave(2, 1), r => Mapped(r[0], [r[0].Shape[0], 2 * r[0].Shape[1], .. r[0].Shape[2..]], i => [i[0], i[1] / 2, .. i[2..]]),
            Of([2, 3], [1, 17], [3, 0], [2, 3, 2]), typeof(P.Expand), typeof(P.Reshape)),
        Entry("repeat_interleave_3_flat", x => x[0].RepeatInterleave(3), r => Mapped(new RefArray(r[0].Data, [r[0].Data.Length]), [3 * r[0].Data.Length], i => [i[0] / 3]),
            Of([2, 3], [], [0], [16]), typeof(P.Expand)),
        Entry("repeat_interleave_tensor", x => x[0].RepeatInterleave(Tensor.From([1L, 0, 3]), 0), r => Selected(r[0], 0, [0, 2, 2, 2]), Of([3, 2], [3], [3, 0, 5]), typeof(P.IndexSelect)),
        Entry("flip_0_last", x => x[0].Flip(0, -1), r => FlipRef(r[0], 0, r[0].Rank - 1), Of([2, 3, 5], [17, 2], [4, 1], [3, 0], [1, 16]), typeof(P.IndexSelect)),
        Entry("flip_last", x => x[0].Flip(-1), r => FlipRef(r[0], r[0].Rank - 1), Of([17], [16], [1], [2, 3]), typeof(P.IndexSelect)),
        Entry("flip_0d", x => x[0].Flip(0) * 1.0, r => r[0], Of(System.Array.Empty<int>()), typeof(P.MulScalar)),
        Entry("roll_dims", x => x[0].Roll([1, -5], [0, 1]), r => RollRef(RollRef(r[0], 0, 1), 1, -5), Of([3, 4], [2, 17], [1, 3], [4, 1, 2]), typeof(P.Slice), typeof(P.Concat)),
        Entry("roll_flat", x => x[0].Roll(5), r =>
        {
            int n = r[0].Data.Length;
            return new RefArray(Enumerable.Range(0, n).Select(i => r[0].Data[((i - 5) % n + n) % n]).ToArray(), r[0].Shape);
        }, Of([3, 4], [], [7], [2, 0], [33]), typeof(P.Concat), typeof(P.Reshape)),
        new OpInfo
        {
            Name = "masked_fill_scalar",
            Primitives = [typeof(P.Where)],
            Apply = x => x[0].MaskedFill(x[1], -1.5),
            Reference = r => RefArray.Build(r[0].Shape, i => r[1].AtBroadcast(i) != 0 ? -1.5 : r[0][i]),
            Samples = new (int[] X, int[] M)[] { ([3, 4], [4]), ([3, 4], [3, 1]), ([], []), ([17], [17]), ([2, 0], [1]), ([2, 3, 5], [3, 5]), ([5], []) }
                .Select(s => Sample($"{S(s.X)}|{S(s.M)}", R(s.X), new InputSpec(s.M, Domains.Condition, Differentiable: false))).ToArray(),
        },
        new OpInfo
        {
            Name = "masked_fill_tensor",
            Primitives = [typeof(P.Where)],
            Apply = x => x[0].MaskedFill(x[1], x[2]),
            Reference = r => RefArray.Build(r[0].Shape, i => r[1].AtBroadcast(i) != 0 ? r[2].Data[0] : r[0][i]),
            Samples = new (int[] X, int[] M)[] { ([3, 4], [4]), ([], []), ([17], [1]), ([2, 3, 5], [2, 1, 5]) }
                .Select(s => Sample($"{S(s.X)}|{S(s.M)}", R(s.X), new InputSpec(s.M, Domains.Condition, Differentiable: false), R())).ToArray(),
        },
        new OpInfo
        {
            Name = "masked_select",
            Primitives = [typeof(P.IndexSelect), typeof(P.Expand)],
            Apply = x => x[0].MaskedSelect(x[1]),
            Reference = r =>
            {
                var shape = RefArray.BroadcastShape(r[0].Shape, r[1].Shape);
                var picked = Enumerable.Range(0, RefArray.Count(shape)).Select(f => RefArray.Unravel(f, shape))
                    .Where(i => r[1].AtBroadcast(i) != 0).Select(i => r[0].AtBroadcast(i)).ToArray();
                return new RefArray(picked, [picked.Length]);
            },
            Samples = new (int[] X, int[] M)[] { ([3, 4], [3, 4]), ([3, 4], [2, 1, 4]), ([], []), ([17], [1]), ([2, 0], [2, 1]), ([1, 5], [3, 1]) }
                .Select(s => Sample($"{S(s.X)}|{S(s.M)}", R(s.X), new InputSpec(s.M, Domains.Condition, Differentiable: false))).ToArray(),
        },
        new OpInfo
        {
            Name = "scatter_src_dim1",
            Primitives = [typeof(P.Scatter), typeof(P.Gather)],
            Apply = x => x[0].Scatter(1, DistinctIndex([x[0].Size(0), Math.Min(3, x[0].Size(1))], 1, x[0].Size(1)), x[1]),
            Reference = r =>
            {
                var index = DistinctIndex([r[0].Shape[0], Math.Min(3, r[0].Shape[1])], 1, r[0].Shape[1]);
                return ScatterRef(r[0], index, 1, i => r[1][i]);
            },
            Samples = [Sample("[3,5]<-[3,3]", R(3, 5), R(3, 3)), Sample("[2,17]<-[4,3]", R(2, 17), R(4, 3)), Sample("[4,2]<-[4,2]", R(4, 2), R(4, 2))],
        },
        new OpInfo
        {
            Name = "scatter_value_dim0",
            Primitives = [typeof(P.Scatter)],
            Apply = x => x[0].Scatter(0, DistinctIndex([Math.Min(2, x[0].Size(0)), .. x[0].Shape[1..]], 0, x[0].Size(0)), 2.5),
            Reference = r => ScatterRef(r[0], DistinctIndex([Math.Min(2, r[0].Shape[0]), .. r[0].Shape[1..]], 0, r[0].Shape[0]), 0, _ => 2.5),
            Samples = Of([3, 4], [5], [1, 17], [2, 3, 2]),
        },
        new OpInfo
        {
            Name = "scatter_0d",
            Primitives = [typeof(P.Scatter)],
            Apply = x => x[0].Scatter(0, Tensor.From([0L]).Reshape(), x[1]),
            Reference = r => r[1],
            Samples = [Sample("[]<-[]", R(), R())],
        },
        new OpInfo
        {
            Name = "scatter_add_dim1",
            Primitives = [typeof(P.ScatterAdd), typeof(P.Add)],
            Apply = x => x[0].ScatterAdd(1, x[2], x[1]),
            Reference = r =>
            {
                var data = (double[])r[0].Data.Clone();
                for (int f = 0; f < r[2].Data.Length; f++)
                {
                    var at = RefArray.Unravel(f, r[2].Shape);
                    var to = (int[])at.Clone();
                    to[1] = (int)r[2].Data[f];
                    data[RefArray.Ravel(to, r[0].Shape)] += r[1][at];
                }
                return new RefArray(data, r[0].Shape);
            },
            Samples = new (int[] X, int[] Src, int[] I)[] { ([3, 5], [2, 6], [2, 6]), ([2, 4], [2, 17], [2, 17]), ([4, 3], [4, 3], [3, 1]), ([2, 1], [2, 5], [2, 5]) }
                .Select(s => Sample($"{S(s.X)}+{S(s.Src)}@{S(s.I)}", R(s.X), R(s.Src), new InputSpec(s.I, Domains.Real, false, IndexBound: s.X[1]))).ToArray(),
        },
        new OpInfo
        {
            Name = "index_add_alpha",
            Primitives = [typeof(P.IndexAdd), typeof(P.MulScalar)],
            Apply = x => x[0].IndexAdd(0, Tensor.From([0L, 2, 0, 3, 2]), x[1], alpha: -0.5),
            Reference = r => RefArray.Build(r[0].Shape, i =>
            {
                long[] at = [0, 2, 0, 3, 2];
                return r[0][i] - 0.5 * Enumerable.Range(0, 5).Where(j => at[j] == i[0]).Sum(j => r[1][[j, .. i[1..]]]);
            }),
            Samples = [Sample("[4,3]<-[5,3]", R(4, 3), R(5, 3)), Sample("[4]<-[5]", R(4), R(5)), Sample("[4,17]<-[5,17]", R(4, 17), R(5, 17)), Sample("[4,0]<-[5,0]", R(4, 0), R(5, 0))],
        },
        new OpInfo
        {
            Name = "index_add_0d",
            Primitives = [typeof(P.IndexAdd)],
            Apply = x => x[0].IndexAdd(0, Tensor.From([0L]), x[1]),
            Reference = r => new RefArray([r[0].Data[0] + r[1].Data[0]], []),
            Samples = [Sample("[]<-[]", R(), R())],
        },
        new OpInfo
        {
            Name = "index_copy_dim1",
            Primitives = [typeof(P.Scatter)],
            Apply = x => x[0].IndexCopy(1, Tensor.From([2L, 0]), x[1]),
            Reference = r => RefArray.Build(r[0].Shape, i => i[1] == 2 ? r[1][[i[0], 0, .. i[2..]]] : i[1] == 0 ? r[1][[i[0], 1, .. i[2..]]] : r[0][i]),
            Samples = [Sample("[4,3]<-[4,2]", R(4, 3), R(4, 2)), Sample("[1,5,2]<-[1,2,2]", R(1, 5, 2), R(1, 2, 2)), Sample("[0,3]<-[0,2]", R(0, 3), R(0, 2))],
        },
        Entry("sort_dim1_desc", x => x[0].Sort(1, descending: true).Values, r => r[0].AlongAxis(1, Descending), Of([3, 5], [1, 17], [2, 0], [2, 3, 4], [4, 1]), typeof(P.Gather)),
        Entry("sort_last", x => x[0].Sort().Values, r => r[0].AlongAxis(-1, Ascending), Of([], [1], [16], [33], [3, 4], [0]), typeof(P.Gather)),
        Entry("topk_3_last", x => x[0].TopK(3).Values, r => Sliced(r[0].AlongAxis(-1, Descending), -1, 0, 3, 1), Of([3, 5], [17], [2, 4, 3], [0, 6]), typeof(P.Gather)),
        Entry("topk_smallest_dim0", x => x[0].TopK(2, 0, largest: false).Values, r => Sliced(r[0].AlongAxis(0, Ascending), 0, 0, 2, 1), Of([4, 3], [2], [5, 1, 2]), typeof(P.Gather)),
        Entry("topk_0d", x => x[0].TopK(1).Values, r => r[0], Of(System.Array.Empty<int>()), typeof(P.Gather)),
        Entry("tril_neg1", x => x[0].Tril(-1), r => TriangleRef(r[0], -1, true), Of([3, 4], [2, 3, 4], [1, 17], [5, 2], [0, 3], [2, 0, 2]), typeof(P.Where)),
        Entry("triu_1", x => x[0].Triu(1), r => TriangleRef(r[0], 1, false), Of([3, 4], [2, 3, 4], [17, 2], [4, 4]), typeof(P.Where)),
        Entry("tril_0", x => x[0].Tril(), r => TriangleRef(r[0], 0, true), Of([4, 4], [2, 5, 3]), typeof(P.Where)),
        Entry("diag_vec_1", x => x[0].Diag(1), r => RefArray.Build([r[0].Shape[0] + 1, r[0].Shape[0] + 1], i => i[1] == i[0] + 1 ? r[0].Data[i[0]] : 0),
            Of([3], [1], [0], [17]), typeof(P.Scatter), typeof(P.Reshape)),
        Entry("diag_vec_neg2", x => x[0].Diag(-2), r => RefArray.Build([r[0].Shape[0] + 2, r[0].Shape[0] + 2], i => i[0] == i[1] + 2 ? r[0].Data[i[1]] : 0), Of([3], [1], [16]), typeof(P.Scatter)),
        Entry("diag_mat_1", x => x[0].Diag(1), r => DiagonalRef(r[0], 1, 0, 1), Of([3, 4], [4, 3], [1, 1], [17, 5], [0, 2]), typeof(P.Slice), typeof(P.Reshape)),
        Entry("diagonal_neg1_0_2", x => x[0].Diagonal(-1, 0, 2), r => DiagonalRef(r[0], -1, 0, 2), Of([3, 2, 4], [4, 3, 2], [2, 5, 1], [5, 0, 3]), typeof(P.Slice), typeof(P.Permute)),
        Entry("diagonal_2_last_1", x => x[0].Diagonal(2, -1, 1), r => DiagonalRef(r[0], 2, -1, 1), Of([2, 3, 5], [3, 4, 4], [1, 2, 1]), typeof(P.Slice)),
    ];
}
