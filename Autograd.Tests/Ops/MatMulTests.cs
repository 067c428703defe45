namespace Autograd.Tests.Ops;

/// <summary>
/// Worked examples for the matrix product (Autograd.Core/Ops/MatMul.cs and Tensor.MatMul.cs): every product and
/// gradient is compared with a naive triple loop written here, C[i, j] = Σₖ A[i, k]·B[k, j], in float64.
/// </summary>
public class MatMulTests
{
    private const double Tol = 1e-12;

    // Deterministic, distinct, non-round values: v[i] = sin(1.3i + phase) + 0.1i.
    private static double[] Values(int n, double phase) =>
        Enumerable.Range(0, n).Select(i => Math.Sin(1.3 * i + phase) + 0.1 * i).ToArray();

    private static Tensor Leaf(double[] values, params int[] shape) => Tensor.From(values, shape).RequireGrad();

    // C = A·B on row-major A [m, k] and B [k, n], with A and B read through index maps (for transposes).
    private static double[] Naive(int m, int k, int n, Func<int, int, double> a, Func<int, int, double> b)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a(i, p) * b(p, j);
                c[i * n + j] = s;
            }
        return c;
    }

    [Test]
    public void VectorDotVector_IsA0dSum_WithGradientsTheOtherVector()
    {
        double[] a = [1, -2, 3];
        double[] b = [4, 0.5, -1];
        var ta = Leaf(a, 3);
        var tb = Leaf(b, 3);

        var c = ta.MatMul(tb);
        Assert.That(c.Shape, Is.Empty);
        Assert.That(c.Item(), Is.EqualTo(4 - 1 - 3.0).Within(Tol));

        c.Backward(Tensor.Scalar(2.0, DType.Float64));
        // ∂(a·b)/∂a = b, ∂(a·b)/∂b = a, times the seed 2
        Assert.That(ta.Grad!.ToArray<double>(), Is.EqualTo(b.Select(v => 2 * v).ToArray()).Within(Tol));
        Assert.That(tb.Grad!.ToArray<double>(), Is.EqualTo(a.Select(v => 2 * v).ToArray()).Within(Tol));
    }

    [Test]
    public void VectorTimesMatrix_AndMatrixTimesVector()
    {
        double[] v = [1, 2, -1];
        double[] m = Values(6, 0.3);   // [3, 2] for v·M, [2, 3] for M·v
        double[] g = [0.5, -3];

        var tv = Leaf(v, 3);
        var tm = Leaf(m, 3, 2);
        var vm = tv.MatMul(tm);   // [3]·[3, 2] → [2]
        Assert.That(vm.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(vm.ToArray<double>(), Is.EqualTo(Naive(1, 3, 2, (_, k) => v[k], (k, j) => m[k * 2 + j])).Within(Tol));
        vm.Backward(Tensor.From(g));
        // y = vᵀM: ∂L/∂v = M·g, ∂L/∂M = v gᵀ
        Assert.That(tv.Grad!.ToArray<double>(), Is.EqualTo(Naive(3, 2, 1, (k, j) => m[k * 2 + j], (j, _) => g[j])).Within(Tol));
        Assert.That(tm.Grad!.ToArray<double>(), Is.EqualTo(Naive(3, 1, 2, (k, _) => v[k], (_, j) => g[j])).Within(Tol));

        var um = Leaf(m, 2, 3);
        var uv = Leaf(v, 3);
        var mv = um.MatMul(uv);   // [2, 3]·[3] → [2]
        Assert.That(mv.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(mv.ToArray<double>(), Is.EqualTo(Naive(2, 3, 1, (i, k) => m[i * 3 + k], (k, _) => v[k])).Within(Tol));
        mv.Backward(Tensor.From(g));
        // y = Mv: ∂L/∂M = g vᵀ, ∂L/∂v = Mᵀ·g
        Assert.That(um.Grad!.ToArray<double>(), Is.EqualTo(Naive(2, 1, 3, (i, _) => g[i], (_, k) => v[k])).Within(Tol));
        Assert.That(uv.Grad!.ToArray<double>(), Is.EqualTo(Naive(3, 2, 1, (k, i) => m[i * 3 + k], (i, _) => g[i])).Within(Tol));
    }

    // n = 2 takes the kernel's dot-product path (narrow outputs), n = 17 its row-update path.
    [TestCase(3, 4, 2)]
    [TestCase(5, 3, 17)]
    public void MatrixTimesMatrix_GradientsAreGBTransposedAndATransposedG(int m, int k, int n)
    {
        double[] a = Values(m * k, 0.1);
        double[] b = Values(k * n, 2.0);
        double[] g = Values(m * n, -1.0);
        var ta = Leaf(a, m, k);
        var tb = Leaf(b, k, n);

        var c = ta.MatMul(tb);
        Assert.That(c.Shape, Is.EqualTo(new[] { m, n }));
        Assert.That(c.ToArray<double>(), Is.EqualTo(Naive(m, k, n, (i, p) => a[i * k + p], (p, j) => b[p * n + j])).Within(Tol));

        c.Backward(Tensor.From(g, m, n));
        // ∂L/∂A = G·Bᵀ: [m, n]·[n, k]
        Assert.That(ta.Grad!.ToArray<double>(), Is.EqualTo(Naive(m, n, k, (i, j) => g[i * n + j], (j, p) => b[p * n + j])).Within(Tol));
        // ∂L/∂B = Aᵀ·G: [k, m]·[m, n]
        Assert.That(tb.Grad!.ToArray<double>(), Is.EqualTo(Naive(k, m, n, (p, i) => a[i * k + p], (i, j) => g[i * n + j])).Within(Tol));
    }

    [Test]
    public void BatchedWithBroadcastBatchDims_MatchesALoopOverBothBatches()
    {
        // A [2, 1, 3, 4] · B [5, 4, 2] → C [2, 5, 3, 2]: A's batch axis of size 1 pairs with each of B's 5 matrices
        const int P = 2, Q = 5, M = 3, K = 4, N = 2;
        double[] a = Values(P * M * K, 0.7);
        double[] b = Values(Q * K * N, -0.4);
        double[] g = Values(P * Q * M * N, 1.9);
        var ta = Leaf(a, P, 1, M, K);
        var tb = Leaf(b, Q, K, N);

        var c = ta.MatMul(tb);
        Assert.That(c.Shape, Is.EqualTo(new[] { P, Q, M, N }));
        c.Backward(Tensor.From(g, P, Q, M, N));

        var expected = new double[P * Q * M * N];
        var ga = new double[P * M * K];
        var gb = new double[Q * K * N];
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
            {
                int ao = p * M * K, bo = q * K * N, co = (p * Q + q) * M * N;
                var cpq = Naive(M, K, N, (i, k) => a[ao + i * K + k], (k, j) => b[bo + k * N + j]);
                cpq.CopyTo(expected, co);
                // ∂L/∂A[p, 0] = Σ_q G[p, q]·B[q]ᵀ (summed over the broadcast batch axis)
                var dA = Naive(M, N, K, (i, j) => g[co + i * N + j], (j, k) => b[bo + k * N + j]);
                for (int t = 0; t < dA.Length; t++) ga[ao + t] += dA[t];
                // ∂L/∂B[q] = Σ_p A[p, 0]ᵀ·G[p, q] (summed over A's batch axis, which B lacks)
                var dB = Naive(K, M, N, (k, i) => a[ao + i * K + k], (i, j) => g[co + i * N + j]);
                for (int t = 0; t < dB.Length; t++) gb[bo + t] += dB[t];
            }
        Assert.That(c.ToArray<double>(), Is.EqualTo(expected).Within(Tol));
        Assert.That(ta.Grad!.Shape, Is.EqualTo(new[] { P, 1, M, K }));
        Assert.That(ta.Grad!.ToArray<double>(), Is.EqualTo(ga).Within(Tol));
        Assert.That(tb.Grad!.Shape, Is.EqualTo(new[] { Q, K, N }));
        Assert.That(tb.Grad!.ToArray<double>(), Is.EqualTo(gb).Within(Tol));
    }

    [Test]
    public void InnerDimensionZero_GivesZeros()
    {
        var a = Leaf([], 3, 0);
        var b = Leaf([], 0, 2);

        var c = a.MatMul(b);
        // an empty sum is 0: C[i, j] = Σ over no k = 0
        Assert.That(c.Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(c.ToArray<double>(), Is.EqualTo(new double[6]));

        c.Backward(Tensor.Ones([3, 2], DType.Float64));
        Assert.That(a.Grad!.Shape, Is.EqualTo(new[] { 3, 0 }));
        Assert.That(b.Grad!.Shape, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void RowTimesColumnIsADot_ColumnTimesRowIsTheOuterProduct()
    {
        const int N = 5;
        double[] u = Values(N, 0.2);
        double[] w = Values(N, 1.1);

        var row = Leaf(u, 1, N);
        var col = Leaf(w, N, 1);
        var dot = row.MatMul(col);   // [1, N]·[N, 1] → [1, 1]
        Assert.That(dot.Shape, Is.EqualTo(new[] { 1, 1 }));
        Assert.That(dot.Item(), Is.EqualTo(u.Zip(w, (x, y) => x * y).Sum()).Within(Tol));
        dot.Backward();
        Assert.That(row.Grad!.ToArray<double>(), Is.EqualTo(w).Within(Tol));
        Assert.That(col.Grad!.ToArray<double>(), Is.EqualTo(u).Within(Tol));

        var c2 = Leaf(w, N, 1);
        var r2 = Leaf(u, 1, N);
        var outer = c2.MatMul(r2);   // [N, 1]·[1, N] → [N, N], C[i, j] = wᵢuⱼ
        Assert.That(outer.Shape, Is.EqualTo(new[] { N, N }));
        Assert.That(outer.ToArray<double>(), Is.EqualTo(Naive(N, 1, N, (i, _) => w[i], (_, j) => u[j])).Within(Tol));
        double[] g = Values(N * N, 0.5);
        outer.Backward(Tensor.From(g, N, N));
        // ∂L/∂w[i] = Σⱼ G[i, j]·uⱼ, ∂L/∂u[j] = Σᵢ wᵢ·G[i, j]
        Assert.That(c2.Grad!.ToArray<double>(), Is.EqualTo(Naive(N, N, 1, (i, j) => g[i * N + j], (j, _) => u[j])).Within(Tol));
        Assert.That(r2.Grad!.ToArray<double>(), Is.EqualTo(Naive(1, N, N, (_, i) => w[i], (i, j) => g[i * N + j])).Within(Tol));
    }
}
