namespace Autograd;

// Products as composites of matmul, broadcasting multiply, movement and sum: their gradients (and second order) come
// from those primitives.
public partial class Tensor
{
    /// <summary>The inner product Σᵢ aᵢ·bᵢ of two 1-D tensors of one length (torch.dot), as a 0-d tensor.</summary>
    /// <param name="other">The right operand: a 1-D float32 or float64 tensor of this tensor's length.</param>
    /// <returns>A new 0-d tensor in the promoted dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An operand is not 1-D or not floating point, or the lengths differ.</exception>
    public Tensor Dot(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rank != 1 || other.Rank != 1)
            throw new ArgumentException($"dot: expected two 1-D tensors, got shapes {ShapeUtil.Format(Dims)} and {ShapeUtil.Format(other.Dims)}; use MatMul or Einsum for other ranks.");
        if (Dims[0] != other.Dims[0])
            throw new ArgumentException($"dot: the tensors have different lengths, shapes {ShapeUtil.Format(Dims)} and {ShapeUtil.Format(other.Dims)}.");
        RequireFloat("dot");
        other.RequireFloat("dot");
        return MatMul(this, other);
    }

    /// <summary>The outer product y[i, j] = a[i]·b[j] of two 1-D tensors (torch.outer).</summary>
    /// <param name="other">The right operand, a 1-D tensor of any length.</param>
    /// <returns>A new tensor of shape [this length, other length] in the promoted dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An operand is not 1-D.</exception>
    public Tensor Outer(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rank != 1 || other.Rank != 1)
            throw new ArgumentException($"outer: expected two 1-D tensors, got shapes {ShapeUtil.Format(Dims)} and {ShapeUtil.Format(other.Dims)}.");
        // A broadcasting multiply: a product with an inner dimension of 1 is no work for a GEMM.
        return Unsqueeze(1) * other.Unsqueeze(0);
    }

    /// <summary>The batched matrix product of [b, n, m] and [b, m, p] tensors (torch.bmm), without broadcasting.</summary>
    /// <param name="other">The right operand, a 3-D float32 or float64 tensor [b, m, p] with this tensor's batch size b and inner size m.</param>
    /// <returns>A new tensor of shape [b, n, p] in the promoted dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An operand is not 3-D or not floating point, or the batch or inner sizes differ.</exception>
    public Tensor Bmm(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckBatches("bmm", this, other);
        return MatMul(this, other);
    }

    /// <summary>Computes β·input + α·(mat1 · mat2) for matrices mat1 [n, m] and mat2 [m, p] (torch.addmm).</summary>
    /// <param name="input">The tensor added, broadcastable to [n, p]; ignored when <paramref name="beta"/> is 0, so NaN and infinity in it do not reach the result (as PyTorch), and it gets no gradient.</param>
    /// <param name="mat1">The left matrix [n, m], float32 or float64.</param>
    /// <param name="mat2">The right matrix [m, p], float32 or float64.</param>
    /// <param name="beta">The factor of <paramref name="input"/>.</param>
    /// <param name="alpha">The factor of the product.</param>
    /// <returns>A new tensor of shape [n, p] in the promoted dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException">An operand is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="mat1"/> or <paramref name="mat2"/> is not a matrix, their inner sizes differ, an operand is not floating point,
    /// or <paramref name="input"/> does not broadcast to [n, p].
    /// </exception>
    public static Tensor Addmm(Tensor input, Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(mat1);
        ArgumentNullException.ThrowIfNull(mat2);
        if (mat1.Rank != 2 || mat2.Rank != 2)
            throw new ArgumentException($"addmm: mat1 and mat2 must be matrices, got shapes {ShapeUtil.Format(mat1.Dims)} and {ShapeUtil.Format(mat2.Dims)}.");
        if (mat1.Dims[1] != mat2.Dims[0])
            throw new ArgumentException($"addmm: mat1 and mat2 shapes cannot be multiplied ({ShapeUtil.Format(mat1.Dims)} and {ShapeUtil.Format(mat2.Dims)}).");
        return AddScaled("addmm", input, mat1, mat2, [mat1.Dims[0], mat2.Dims[1]], beta, alpha);
    }

    /// <summary>Computes β·input + α·(batch1 · batch2) for batches batch1 [b, n, m] and batch2 [b, m, p] (torch.baddbmm).</summary>
    /// <param name="input">The tensor added, broadcastable to [b, n, p]; ignored when <paramref name="beta"/> is 0, so NaN and infinity in it do not reach the result (as PyTorch), and it gets no gradient.</param>
    /// <param name="batch1">The left batch [b, n, m], float32 or float64.</param>
    /// <param name="batch2">The right batch [b, m, p], float32 or float64.</param>
    /// <param name="beta">The factor of <paramref name="input"/>.</param>
    /// <param name="alpha">The factor of the product.</param>
    /// <returns>A new tensor of shape [b, n, p] in the promoted dtype, recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException">An operand is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="batch1"/> or <paramref name="batch2"/> is not 3-D, their batch or inner sizes differ, an operand is not
    /// floating point, or <paramref name="input"/> does not broadcast to [b, n, p].
    /// </exception>
    public static Tensor Baddbmm(Tensor input, Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(batch1);
        ArgumentNullException.ThrowIfNull(batch2);
        CheckBatches("baddbmm", batch1, batch2);
        return AddScaled("baddbmm", input, batch1, batch2, [batch1.Dims[0], batch1.Dims[1], batch2.Dims[2]], beta, alpha);
    }

    private static void CheckBatches(string op, Tensor batch1, Tensor batch2)
    {
        if (batch1.Rank != 3 || batch2.Rank != 3)
            throw new ArgumentException($"{op}: expected two 3-D tensors [b, n, m] and [b, m, p], got shapes {ShapeUtil.Format(batch1.Dims)} and {ShapeUtil.Format(batch2.Dims)}.");
        if (batch1.Dims[0] != batch2.Dims[0] || batch1.Dims[2] != batch2.Dims[1])
            throw new ArgumentException(
                $"{op}: expected the second operand to start with [{batch1.Dims[0]}, {batch1.Dims[2]}] (the batch and inner sizes of {ShapeUtil.Format(batch1.Dims)}), got shape {ShapeUtil.Format(batch2.Dims)}.");
        batch1.RequireFloat(op);
        batch2.RequireFloat(op);
    }

    private static Tensor AddScaled(string op, Tensor input, Tensor a, Tensor b, int[] shape, double beta, double alpha)
    {
        input.RequireFloat(op);
        bool fits = input.Rank <= shape.Length;
        for (int d = 0; fits && d < input.Rank; d++)
        {
            int size = input.Dims[d];
            fits = size == 1 || size == shape[shape.Length - input.Rank + d];
        }
        if (!fits)
            throw new ArgumentException($"{op}: input of shape {ShapeUtil.Format(input.Dims)} does not broadcast to the product's shape {ShapeUtil.Format(shape)}.");
        var product = MatMul(a, b);
        if (alpha != 1) product *= alpha;
        if (beta == 0) return product.To(ResultType(input.DType, input.Rank == 0, product.DType, false));
        return (beta == 1 ? input : input * beta) + product;
    }

    /// <summary>
    /// Sums products of operand elements over subscripts, as torch.einsum: <c>"ij,jk->ik"</c> is a matrix product,
    /// <c>"ii"</c> a trace, <c>"ii->i"</c> a diagonal, <c>"i,j->ij"</c> an outer product, <c>"...ij,...jk->...ik"</c> a
    /// broadcast batched product.
    /// </summary>
    /// <remarks>
    /// Subscripts are the letters a–z and A–Z, one per dimension, and <c>...</c> (once per operand) for any number of
    /// dimensions, which broadcast across operands as in NumPy. Spaces are ignored. A subscript repeated within an
    /// operand takes its diagonal. Without <c>-&gt;</c> the output has the ellipsis dimensions, then the subscripts that
    /// appear once in the equation, upper case before lower case, each alphabetically; every subscript not in the output
    /// is summed. Sizes of one subscript must agree across operands, or be 1 (broadcast). Operands are contracted
    /// pairwise from left to right, each pair as one batched matrix product; a subscript is summed as soon as no later
    /// operand and not the output uses it.
    /// </remarks>
    /// <param name="equation">The subscripts of each operand, separated by commas, optionally followed by <c>-&gt;</c> and the output's subscripts.</param>
    /// <param name="operands">The operands, one per comma-separated term, float32 or float64 (mixed dtypes give float64).</param>
    /// <returns>A new tensor (an operand itself when the equation leaves it unchanged), recorded for autograd.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="equation"/>, <paramref name="operands"/> or an operand is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The equation has a character other than a letter, space, comma, <c>...</c> or one <c>-&gt;</c>; its number of terms
    /// differs from the number of operands; a term's subscripts do not match its operand's rank; a subscript has sizes that
    /// differ (and are not 1) across operands, or differ within one operand; the ellipsis dimensions do not broadcast; an
    /// output subscript appears in no operand or twice; or an operand is not floating point.
    /// </exception>
    public static Tensor Einsum(string equation, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(operands);
        for (int i = 0; i < operands.Length; i++)
            if (operands[i] is null) throw new ArgumentNullException(nameof(operands), $"einsum: operand {i} of {operands.Length} is null.");
        return Einsum(EinsumEquation.Parse(equation, operands), operands);
    }

    private static Tensor Einsum(EinsumEquation eq, Tensor[] operands)
    {
        var dtype = operands.Select(t => t.DType).Aggregate((x, y) => ResultType(x, false, y, false));
        int n = operands.Length;
        var output = eq.Output;
        var labels = new List<int>[n];
        var terms = new Tensor[n];
        for (int k = 0; k < n; k++)
        {
            var (t, labs) = EinsumDiagonals(operands[k].To(dtype), eq.Labels[k]);
            terms[k] = t;
            labels[k] = labs;
        }
        bool UsedAfter(int label, int k) => output.Contains(label) || Enumerable.Range(k + 1, n - k - 1).Any(j => labels[j].Contains(label));
        for (int k = 0; k < n; k++)
        {
            var lonely = labels[k].Where(l => !output.Contains(l) && !Enumerable.Range(0, n).Any(j => j != k && labels[j].Contains(l))).ToList();
            (terms[k], labels[k]) = EinsumSum(terms[k], labels[k], lonely);
        }
        var acc = terms[0];
        var accLabels = labels[0];
        for (int k = 1; k < n; k++)
            (acc, accLabels) = EinsumPair(acc, accLabels, terms[k], labels[k], l => UsedAfter(l, k));
        // A single operand may still hold labels only the output drops (all summed above), so only the order remains.
        var perm = output.Select(l => accLabels.IndexOf(l)).ToArray();
        return acc.Permute(perm);
    }

    // Takes the diagonal of every label repeated within one operand: the two axes move last and merge, and a slice with
    // step size + 1 reads the diagonal.
    private static (Tensor, List<int>) EinsumDiagonals(Tensor t, int[] operandLabels)
    {
        var labs = operandLabels.ToList();
        while (true)
        {
            int p = -1, q = -1;
            for (int i = 0; p < 0 && i < labs.Count; i++)
                for (int j = i + 1; j < labs.Count; j++)
                    if (labs[i] == labs[j]) { p = i; q = j; break; }
            if (p < 0) return (t, labs);
            int size = t.Dims[p], label = labs[p];
            var rest = Enumerable.Range(0, t.Rank).Where(d => d != p && d != q).ToArray();
            var restShape = rest.Select(d => t.Dims[d]).ToArray();
            t = t.Permute([.. rest, p, q]).Reshape([.. restShape, size * size]).Slice(-1, 0, null, size + 1);
            labs = [.. rest.Select(d => labs[d]), label];
        }
    }

    private static (Tensor, List<int>) EinsumSum(Tensor t, List<int> labs, List<int> summed)
    {
        if (summed.Count == 0) return (t, labs);
        var axes = summed.Select(l => labs.IndexOf(l)).ToArray();
        return (t.Sum(axes), labs.Where(l => !summed.Contains(l)).ToList());
    }

    // One batched matrix product: labels in both operands that a later operand or the output uses are the batch, those in
    // both that nothing later uses are contracted (the inner dimension), and the rest are the rows of a or the columns of b.
    private static (Tensor, List<int>) EinsumPair(Tensor a, List<int> aLabels, Tensor b, List<int> bLabels, Func<int, bool> usedLater)
    {
        // A contracted label of size 1 on one side broadcasts: summing each side over it gives the same sum.
        var uneven = aLabels.Where(l => bLabels.Contains(l) && !usedLater(l) && a.Dims[aLabels.IndexOf(l)] != b.Dims[bLabels.IndexOf(l)]).ToList();
        if (uneven.Count > 0)
        {
            (a, aLabels) = EinsumSum(a, aLabels, uneven);
            (b, bLabels) = EinsumSum(b, bLabels, uneven);
        }
        var batch = aLabels.Where(l => bLabels.Contains(l) && usedLater(l)).ToList();
        var inner = aLabels.Where(l => bLabels.Contains(l) && !usedLater(l)).ToList();
        var rows = aLabels.Where(l => !bLabels.Contains(l)).ToList();
        var cols = bLabels.Where(l => !aLabels.Contains(l)).ToList();
        int SizeOf(int l)
        {
            int i = aLabels.IndexOf(l), j = bLabels.IndexOf(l);
            return i < 0 ? b.Dims[j] : j < 0 || a.Dims[i] != 1 ? a.Dims[i] : b.Dims[j];
        }
        int Product(List<int> ls) => ls.Aggregate(1, (p, l) => p * SizeOf(l));
        var batchShape = batch.Select(SizeOf).ToArray();
        var a3 = a.Permute([.. batch.Concat(rows).Concat(inner).Select(l => aLabels.IndexOf(l))]);
        var b3 = b.Permute([.. batch.Concat(inner).Concat(cols).Select(l => bLabels.IndexOf(l))]);
        // A batch label of size 1 on one side broadcasts to the other's size.
        a3 = a3.BroadcastTo([.. batchShape, .. a3.Dims[batch.Count..]]).Reshape(Product(batch), Product(rows), Product(inner));
        b3 = b3.BroadcastTo([.. batchShape, .. b3.Dims[batch.Count..]]).Reshape(Product(batch), Product(inner), Product(cols));
        var c = MatMul(a3, b3).Reshape([.. batchShape, .. rows.Select(SizeOf), .. cols.Select(SizeOf)]);
        return (c, [.. batch, .. rows, .. cols]);
    }
}

/// <summary>A parsed einsum equation: per operand, a label per dimension; the output's labels.</summary>
/// <remarks>Letters A–Z are labels 0–25 and a–z 26–51 (torch's implicit output order); ellipsis dimension j is label 52 + j.</remarks>
internal sealed class EinsumEquation
{
    private const int EllipsisLabel = 52;

    public required int[][] Labels { get; init; }

    public required int[] Output { get; init; }

    private static string Letter(int label) => ((char)(label < 26 ? 'A' + label : 'a' + label - 26)).ToString();

    public static EinsumEquation Parse(string equation, Tensor[] operands)
    {
        string Eq() => $"'{equation}'";
        int arrow = equation.IndexOf("->", StringComparison.Ordinal);
        string lhs = arrow < 0 ? equation : equation[..arrow];
        // Each term as (labels with -1 for the ellipsis, whether it has one); index errors count from the equation's start.
        var terms = new List<(List<int> Labels, bool Ellipsis)>();
        var current = (Labels: new List<int>(), Ellipsis: false);
        int TermLabels(string text, int start, int i, List<int> into, ref bool ellipsis, string where)
        {
            char c = text[i];
            if (c == ' ') return i + 1;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z')
            {
                into.Add(c <= 'Z' ? c - 'A' : c - 'a' + 26);
                return i + 1;
            }
            if (c == '.')
            {
                if (i + 2 >= text.Length || text[i + 1] != '.' || text[i + 2] != '.')
                    throw new ArgumentException($"einsum: '.' at index {start + i} of {Eq()} in {where} is not part of an ellipsis '...'.");
                if (ellipsis)
                    throw new ArgumentException($"einsum: {where} of {Eq()} has more than one ellipsis '...'.");
                ellipsis = true;
                into.Add(-1);
                return i + 3;
            }
            throw new ArgumentException($"einsum: invalid subscript '{c}' at index {start + i} of {Eq()}: subscripts are the letters a-z and A-Z.");
        }
        for (int i = 0; i < lhs.Length;)
        {
            if (lhs[i] == ',')
            {
                terms.Add(current);
                current = (new List<int>(), false);
                i++;
                continue;
            }
            i = TermLabels(lhs, 0, i, current.Labels, ref current.Ellipsis, $"operand {terms.Count}");
        }
        terms.Add(current);
        if (operands.Length == 0)
            throw new ArgumentException($"einsum: expected at least one operand for {Eq()}.");
        if (terms.Count != operands.Length)
            throw new ArgumentException(
                $"einsum: the equation {Eq()} has {terms.Count} operand term{(terms.Count == 1 ? "" : "s")} but {operands.Length} operand{(operands.Length == 1 ? " was" : "s were")} given.");

        for (int k = 0; k < operands.Length; k++)
            if (!operands[k].DType.IsFloatingPoint())
                throw new ArgumentException($"einsum: operand {k} is {operands[k].DType.Name()} of shape {ShapeUtil.Format(operands[k].Dims)}; einsum takes float32 or float64 tensors.");

        // Ranks, and the number of dimensions the ellipsis stands for in each operand.
        int ellipsisRank = 0;
        var covered = new int[operands.Length];
        for (int k = 0; k < operands.Length; k++)
        {
            var (labs, hasEllipsis) = terms[k];
            int letters = labs.Count(l => l >= 0), rank = operands[k].Rank;
            string subs = string.Concat(labs.Select(l => l < 0 ? "..." : Letter(l)));
            if (hasEllipsis ? letters > rank : letters != rank)
                throw new ArgumentException(
                    $"einsum: operand {k} of {Eq()} has {letters} subscript{(letters == 1 ? "" : "s")} '{subs}' for a tensor of shape {ShapeUtil.Format(operands[k].Dims)} (rank {rank}){(hasEllipsis ? "" : " and no ellipsis")}.");
            covered[k] = hasEllipsis ? rank - letters : 0;
            ellipsisRank = Math.Max(ellipsisRank, covered[k]);
        }

        // Labels per dimension; sizes agree within an operand and broadcast across operands.
        var labels = new int[operands.Length][];
        var size = new Dictionary<int, (int Size, int Operand)>();
        for (int k = 0; k < operands.Length; k++)
        {
            var dims = operands[k].Dims;
            var list = new List<int>();
            foreach (var l in terms[k].Labels)
            {
                if (l >= 0) list.Add(l);
                else for (int j = 0; j < covered[k]; j++) list.Add(EllipsisLabel + ellipsisRank - covered[k] + j);
            }
            labels[k] = [.. list];
            for (int d = 0; d < dims.Length; d++)
            {
                int l = labels[k][d];
                for (int e = 0; e < d; e++)
                    if (labels[k][e] == l && dims[e] != dims[d])
                        throw new ArgumentException(
                            $"einsum: subscript '{Letter(l)}' is repeated in operand {k} of {Eq()} (shape {ShapeUtil.Format(dims)}) with different sizes, {dims[e]} and {dims[d]}.");
                if (!size.TryGetValue(l, out var seen) || seen.Size == 1) size[l] = (dims[d], k);
                else if (dims[d] != seen.Size && dims[d] != 1)
                    throw new ArgumentException(l < EllipsisLabel
                        ? $"einsum: subscript '{Letter(l)}' has size {dims[d]} in operand {k} (shape {ShapeUtil.Format(dims)}) but size {seen.Size} in operand {seen.Operand} of {Eq()}; sizes must agree or be 1."
                        : $"einsum: the ellipsis dimensions of operand {k} (shape {ShapeUtil.Format(dims)}) do not broadcast with those of operand {seen.Operand} of {Eq()} (size {dims[d]} against {seen.Size}).");
            }
        }

        var ellipsis = Enumerable.Range(EllipsisLabel, ellipsisRank).ToArray();
        int[] output;
        if (arrow < 0)
        {
            var counts = new int[EllipsisLabel];
            foreach (var labs in labels)
                foreach (var l in labs)
                    if (l < EllipsisLabel) counts[l]++;
            output = [.. ellipsis, .. Enumerable.Range(0, EllipsisLabel).Where(l => counts[l] == 1)];
        }
        else
        {
            string rhs = equation[(arrow + 2)..];
            var outLabels = new List<int>();
            bool outEllipsis = false;
            for (int i = 0; i < rhs.Length;)
            {
                if (rhs[i] == ',')
                    throw new ArgumentException($"einsum: invalid subscript ',' at index {arrow + 2 + i} of {Eq()}: the output has one term.");
                i = TermLabels(rhs, arrow + 2, i, outLabels, ref outEllipsis, "the output");
            }
            var result = new List<int>();
            foreach (var l in outLabels)
            {
                if (l < 0)
                {
                    result.AddRange(ellipsis);
                    continue;
                }
                if (!size.ContainsKey(l))
                    throw new ArgumentException($"einsum: output subscript '{Letter(l)}' of {Eq()} appears in no operand.");
                if (result.Contains(l))
                    throw new ArgumentException($"einsum: output subscript '{Letter(l)}' appears more than once in the output of {Eq()}.");
                result.Add(l);
            }
            output = [.. result];
        }
        return new EinsumEquation { Labels = labels, Output = output };
    }
}
