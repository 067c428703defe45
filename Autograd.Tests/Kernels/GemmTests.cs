using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The packed GEMM (Autograd.Core/Kernels/Gemm.cs, GemmKernels.cs) against a naive float64 triple loop written here,
/// on every kernel the machine can run: shapes covering every residue of the tile sizes (MR ≤ 12, NR ≤ 32, the
/// 512-deep K blocks, the 144-row A blocks), transposed, sliced and batch-broadcast operand views, float32 and
/// float64, zero sizes, and bitwise equality of results whatever the thread count.
/// </summary>
[NonParallelizable]
public class GemmTests
{
    private const double Tol64 = 1e-12, Tol32 = 1e-5;

    /// <summary>How an operand's [batch, rows, cols] view lies in its storage.</summary>
    public enum Layout
    {
        Contiguous,
        /// <summary>Stored [batch, cols, rows] and read through Permute(0, 2, 1): strides (…, 1, rows).</summary>
        Transposed,
        /// <summary>Every other row and column of a larger tensor, at an offset.</summary>
        Sliced,
        /// <summary>One [1, rows, cols] matrix broadcast over the batch (batch stride 0).</summary>
        BroadcastBatch,
    }

    // Kernel names (GemmIsa is internal, so test cases carry its name).
    private static IEnumerable<string> SupportedIsas()
    {
        yield return nameof(GemmIsa.Scalar);
        if (Vector128.IsHardwareAccelerated && Autograd.Isa.HasVector128Fma) yield return nameof(GemmIsa.Vector128);
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) yield return nameof(GemmIsa.Avx2);
        if (Avx512F.IsSupported) yield return nameof(GemmIsa.Avx512);
    }

    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    private static Tensor Operand(Generator g, int batch, int rows, int cols, Layout layout, DType dtype) => layout switch
    {
        Layout.Contiguous => Tensor.Uniform([batch, rows, cols], g, -1, 1, dtype),
        Layout.Transposed => Tensor.Uniform([batch, cols, rows], g, -1, 1, dtype).Permute(0, 2, 1),
        Layout.Sliced => Tensor.Uniform([batch, 2 * rows + 1, 2 * cols + 3], g, -1, 1, dtype)
            .Slice(1, 1, null, 2).Slice(2, 3, null, 2).Slice(1, 0, rows).Slice(2, 0, cols),
        _ => Tensor.Uniform([1, rows, cols], g, -1, 1, dtype).BroadcastTo(batch, rows, cols),
    };

    /// <summary>C = A·B in float64 and, per element, Σ_k |a||b| (the scale of the rounding error).</summary>
    private static (double[] C, double[] Scale) Reference(Tensor a, Tensor b)
    {
        int batch = a.Shape[0], m = a.Shape[1], k = a.Shape[2], n = b.Shape[2];
        double[] x = a.ToArray<double>(), y = b.ToArray<double>();
        var c = new double[batch * m * n];
        var scale = new double[c.Length];
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0, abs = 0;
                    for (int q = 0; q < k; q++)
                    {
                        double t = x[(p * m + i) * k + q] * y[(p * k + q) * n + j];
                        s += t;
                        abs += Math.Abs(t);
                    }
                    c[(p * m + i) * n + j] = s;
                    scale[(p * m + i) * n + j] = abs;
                }
        return (c, scale);
    }

    private static void Check(Tensor a, Tensor b, string what)
    {
        var c = Gemm.BatchedMatMul(a, b);
        int batch = a.Shape[0], m = a.Shape[1], n = b.Shape[2];
        Assert.That(c.Shape, Is.EqualTo(new[] { batch, m, n }), what);
        Assert.That(c.DType, Is.EqualTo(a.DType), what);
        Assert.That(c.IsContiguous, Is.True, what);
        var got = c.ToArray<double>();
        var (want, scale) = Reference(a, b);
        double tol = a.DType == DType.Float64 ? Tol64 : Tol32;
        for (int e = 0; e < got.Length; e++)
        {
            double err = Math.Abs(got[e] - want[e]);
            if (!(err <= tol * scale[e]))
                Assert.Fail($"{what}: element {e} is {got[e]}, expected {want[e]} (error {err:E2} > {tol:E0}·{scale[e]:E2})");
        }
    }

    private static void WithIsa(GemmIsa isa, Action body)
    {
        var saved = Gemm.ForceIsa;
        Gemm.ForceIsa = isa;
        try { body(); }
        finally { Gemm.ForceIsa = saved; }
    }

    // Small products split across threads too, as they did before the threshold was raised for the MLP step.
    private static void WithDegree(int degree, Action body)
    {
        int saved = Parallelism.MaxDegree;
        long threshold = GemmBlocking.ParallelThreshold;
        Parallelism.MaxDegree = degree;
        GemmBlocking.ParallelThreshold = 1 << 18;
        try { body(); }
        finally
        {
            Parallelism.MaxDegree = saved;
            GemmBlocking.ParallelThreshold = threshold;
        }
    }

    private static void RunCase(Generator g, int batch, int m, int k, int n, DType dtype, Layout la, Layout lb, string isa)
    {
        var a = Operand(g, batch, m, k, la, dtype);
        var b = Operand(g, batch, k, n, lb, dtype);
        Check(a, b, $"{isa} {dtype.Name()} [{batch}, {m}, {k}]·[{batch}, {k}, {n}] A {la} B {lb}");
    }

    [TestCaseSource(nameof(SupportedIsas))]
    public void EveryRowResidue_EveryLayout(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        var g = new Generator(11);
        var layouts = Enum.GetValues<Layout>();
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
                for (int m = 1; m <= 3 * 12 + 1; m++)
                {
                    var la = layouts[m % layouts.Length];
                    var lb = layouts[(m / layouts.Length) % layouts.Length];
                    RunCase(g, 1 + m % 2, m, 1 + m * 7 % 40, 1 + m * 5 % 70, dtype, la, lb, isa.ToString());
                }
        });
    }

    [TestCaseSource(nameof(SupportedIsas))]
    public void EveryColumnResidue_EveryLayout(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        var g = new Generator(12);
        var layouts = Enum.GetValues<Layout>();
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
                for (int n = 1; n <= 3 * 32 + 1; n++)
                {
                    var la = layouts[(n / layouts.Length) % layouts.Length];
                    var lb = layouts[n % layouts.Length];
                    RunCase(g, 1 + n % 2, 1 + n * 5 % 30, 1 + n * 3 % 37, n, dtype, la, lb, isa.ToString());
                }
        });
    }

    [TestCaseSource(nameof(SupportedIsas))]
    public void DepthAroundEveryKBlockEdge(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        var g = new Generator(13);
        int[] depths = [1, 2, 3, 255, 256, 257, 383, 511, 512, 513, 767, 768, 769, 1023, 1024, 1025, 1537];
        var layouts = Enum.GetValues<Layout>();
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
                for (int i = 0; i < depths.Length; i++)
                    RunCase(g, 1, 1 + i * 5 % 29, depths[i], 1 + i * 11 % 67, dtype,
                        layouts[i % layouts.Length], layouts[(i + 2) % layouts.Length], isa.ToString());
        });
    }

    [TestCaseSource(nameof(SupportedIsas))]
    public void RowAndColumnBlockEdges(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        // 144-row A blocks and 2048-column B blocks, with their neighbours; matrix·vector and vector·matrix.
        var g = new Generator(14);
        (int M, int K, int N)[] shapes =
        [
            (143, 5, 9), (144, 5, 9), (145, 17, 33), (289, 3, 31), (433, 2, 7),
            (2, 3, 2047), (3, 2, 2048), (2, 5, 2049), (1, 300, 1), (1, 70, 100), (100, 70, 1), (1, 1, 1),
        ];
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
                foreach (var (m, k, n) in shapes)
                    foreach (var (la, lb) in new[] { (Layout.Contiguous, Layout.Contiguous), (Layout.Transposed, Layout.Transposed) })
                        RunCase(g, 1, m, k, n, dtype, la, lb, isa.ToString());
        });
    }

    [Test]
    public void RandomShapesAndLayouts_OnTheDefaultKernel_OneAndTwoThreads()
    {
        var g = new Generator(15);
        var rng = new Random(15);
        var layouts = Enum.GetValues<Layout>();
        foreach (int degree in new[] { 1, 2 })
            WithDegree(degree, () =>
            {
                for (int t = 0; t < 40; t++)
                {
                    int batch = rng.Next(1, 4), m = rng.Next(1, 3 * 12 + 2), k = rng.Next(1, 3 * GemmBlocking.KcMax + 2), n = rng.Next(1, 3 * 32 + 2);
                    RunCase(g, batch, m, k, n, DTypes[t % 2], layouts[rng.Next(layouts.Length)], layouts[rng.Next(layouts.Length)],
                        $"{Gemm.Isa} degree {degree}");
                }
            });
    }

    [Test]
    public void LargeTransposedProducts_AsInTheMlpBackward()
    {
        // Xᵀ·G ([784, 128]·[128, 256] with Xᵀ a transposed view) and G·Wᵀ, big enough to run on several threads.
        var g = new Generator(16);
        var x = Tensor.Uniform([1, 128, 200], g, -1, 1);
        var gr = Tensor.Uniform([1, 128, 96], g, -1, 1);
        var w = Tensor.Uniform([1, 150, 200], g, -1, 1);
        Check(x.Permute(0, 2, 1), gr, "Xᵀ·G");
        Check(gr.Slice(2, 0, 48).Permute(0, 2, 1), x, "G[:, :48]ᵀ·X");
        Check(x, w.Permute(0, 2, 1), "X·Wᵀ");
    }

    [TestCaseSource(nameof(SupportedIsas))]
    public void ResultsAreBitwiseIdentical_ForOneTwoAndThreeThreads(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        var g = new Generator(17);
        (int Batch, int M, int K, int N, Layout A, Layout B)[] cases =
        [
            (1, 200, 300, 150, Layout.Contiguous, Layout.Contiguous),
            (1, 200, 1100, 150, Layout.Contiguous, Layout.Contiguous), // three depth blocks
            (1, 131, 517, 257, Layout.Transposed, Layout.Sliced),
            (1, 64, 700, 400, Layout.Contiguous, Layout.Transposed),
            (3, 50, 90, 70, Layout.BroadcastBatch, Layout.Transposed),
            (5, 40, 100, 33, Layout.Sliced, Layout.BroadcastBatch),
            (1, 700, 400, 6, Layout.Contiguous, Layout.Transposed),   // narrow N: computed as Cᵀ = Bᵀ·Aᵀ
            (1, 300, 40, 260, Layout.Contiguous, Layout.Contiguous),  // C long enough to be cut across its rows
            (1, 250, 90, 310, Layout.Transposed, Layout.Sliced),
            (1, 1000, 30, 70, Layout.Contiguous, Layout.Transposed),  // and as Cᵀ = Bᵀ·Aᵀ, rows of C being the problem's columns
            (1, 1, 3000, 700, Layout.Contiguous, Layout.Contiguous),  // vector·matrix
            (1, 900, 800, 1, Layout.Contiguous, Layout.Sliced),       // matrix·vector, dot products
            (1, 900, 800, 1, Layout.Transposed, Layout.Contiguous),   // matrix·vector, column updates
            (1, 256, 128, 784, Layout.Transposed, Layout.Contiguous), // the MLP's weight gradient: row strips of 43 row panels
            (1, 128, 784, 256, Layout.Contiguous, Layout.Transposed), // the MLP's forward: column strips
            (1, 2000, 20, 64, Layout.Contiguous, Layout.Contiguous),  // more strips than four per thread, none over McMax rows
            (1, 131, 517, 700, Layout.Transposed, Layout.Sliced),     // column strips: A packed whole on each thread, edges on both axes
            (1, 150, 300, 1000, Layout.Contiguous, Layout.Transposed),// column strips over two A blocks of McMax rows
        ];
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
                foreach (var (batch, m, k, n, la, lb) in cases)
                {
                    var a = Operand(g, batch, m, k, la, dtype);
                    var b = Operand(g, batch, k, n, lb, dtype);
                    Tensor Run(int degree)
                    {
                        Tensor c = null!;
                        WithDegree(degree, () => c = Gemm.BatchedMatMul(a, b));
                        return c;
                    }
                    var one = Run(1);
                    foreach (int degree in new[] { 2, 3 })
                    {
                        var other = Run(degree);
                        string what = $"{isa} {dtype.Name()} [{batch}, {m}, {k}]·[{batch}, {k}, {n}], degree {degree}";
                        if (dtype == DType.Float32)
                            Assert.That(Bits(other.ToArray<float>()), Is.EqualTo(Bits(one.ToArray<float>())), what);
                        else
                            Assert.That(Bits(other.ToArray<double>()), Is.EqualTo(Bits(one.ToArray<double>())), what);
                    }
                }
        });
    }

    [TestCaseSource(nameof(SupportedIsas))]
    public void RowStrips_ReadingBInPlace_GiveThePackedBits(string kernel)
    {
        // Row strips read a small B with unit stride along n in place and pack only its last narrow panel: the bits must
        // be those of packing all of B, over edges, several depth blocks, a batch, a B broadcast over the batch, a B
        // whose rows are a column range of a wider matrix, and operands broadcast along k (a stride of 0 between B's k
        // steps, directly or once the product is transposed).
        var isa = Enum.Parse<GemmIsa>(kernel);
        var g = new Generator(31);
        (int Batch, int M, int K, int N, string Kind)[] cases =
        [
            (1, 256, 256, 256, ""), (1, 200, 300, 150, ""), (1, 97, 1100, 70, ""), (3, 60, 200, 65, ""),
            (1, 150, 700, 130, "B narrowed"), (1, 300, 40, 7, ""), (2, 130, 520, 64, "B narrowed"),
            (1, 256, 300, 256, "B broadcast along k"), (1, 256, 300, 256, "A broadcast along k"),
            (1, 100, 600, 70, "B broadcast along k"),
        ];
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
                foreach (var (batch, m, k, n, kind) in cases)
                {
                    var a = kind == "A broadcast along k"
                        ? Tensor.Uniform([batch, m, 1], g, -1, 1, dtype).BroadcastTo(batch, m, k)
                        : Operand(g, batch, m, k, Layout.Contiguous, dtype);
                    var b = kind switch
                    {
                        "B narrowed" => Tensor.Uniform([batch, k, n + 37], g, -1, 1, dtype).Narrow(2, 5, n),
                        "B broadcast along k" => Tensor.Uniform([batch, 1, n], g, -1, 1, dtype).BroadcastTo(batch, k, n),
                        _ => Operand(g, batch == 3 ? 1 : batch, k, n, Layout.Contiguous, dtype),
                    };
                    if (batch == 3) b = b.BroadcastTo(batch, k, n);
                    long[] Run(long inPlaceBytes)
                    {
                        long? saved = Gemm.InPlaceBBytes;
                        Gemm.InPlaceBBytes = inPlaceBytes;
                        try
                        {
                            Tensor c = null!;
                            WithDegree(2, () => c = Gemm.BatchedMatMul(a, b));
                            return Bits(c.ToArray<double>());
                        }
                        finally { Gemm.InPlaceBBytes = saved; }
                    }
                    string what = $"{isa} {dtype.Name()} [{batch}, {m}, {k}]·[{batch}, {k}, {n}] {kind}";
                    Assert.That(Run(long.MaxValue), Is.EqualTo(Run(0)), what);
                }
        });
    }

    [Test]
    public void ConcurrentCallers_GetTheOneThreadBits_OnEveryPath()
    {
        // Products from four threads at once: one call at a time has the worker pool, the others run their parts
        // through Parallel.For, whose threads may run other products (row or column strips, tiles, small ones) between two
        // strips of one call. Each thread's packed B (row strips) or A (column strips) must still be that call's.
        var g = new Generator(22);
        (Tensor A, Tensor B)[] products =
        [
            (Operand(g, 1, 300, 200, Layout.Contiguous, DType.Float32), Operand(g, 1, 200, 150, Layout.Transposed, DType.Float32)),
            (Operand(g, 1, 240, 300, Layout.Contiguous, DType.Float32), Operand(g, 1, 300, 130, Layout.Contiguous, DType.Float32)),
            (Operand(g, 1, 20, 30, Layout.Contiguous, DType.Float32), Operand(g, 1, 30, 40, Layout.Contiguous, DType.Float32)),
            (Operand(g, 1, 150, 280, Layout.Transposed, DType.Float64), Operand(g, 1, 280, 90, Layout.Contiguous, DType.Float64)),
            (Operand(g, 1, 100, 200, Layout.Contiguous, DType.Float32), Operand(g, 1, 200, 400, Layout.Transposed, DType.Float32)),
            (Operand(g, 1, 400, 200, Layout.Contiguous, DType.Float32), Operand(g, 1, 200, 128, Layout.Contiguous, DType.Float32)),
        ];
        long[][] want = new long[products.Length][];
        WithDegree(1, () =>
        {
            for (int p = 0; p < products.Length; p++) want[p] = Gemm.BatchedMatMul(products[p].A, products[p].B).ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();
        });
        var wrong = new System.Collections.Concurrent.ConcurrentBag<string>();
        WithDegree(2, () => Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (int r = 0; r < 20; r++)
            {
                int p = (i + r) % products.Length;
                var got = Gemm.BatchedMatMul(products[p].A, products[p].B).ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();
                if (!got.SequenceEqual(want[p])) wrong.Add($"product {p}, caller {i}, round {r}");
            }
        }));
        Assert.That(wrong, Is.Empty);
    }

    private static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();

    [TestCaseSource(nameof(SupportedIsas))]
    public void ZeroSizes(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        var g = new Generator(18);
        WithIsa(isa, () =>
        {
            foreach (var dtype in DTypes)
            {
                // K = 0: a sum of nothing, zeros (on storage that is not zeroed beforehand).
                var c = Gemm.BatchedMatMul(Tensor.Uniform([2, 5, 0], g, dtype: dtype), Tensor.Uniform([2, 0, 40], g, dtype: dtype));
                Assert.That(c.Shape, Is.EqualTo(new[] { 2, 5, 40 }));
                Assert.That(c.ToArray<double>(), Is.All.EqualTo(0.0));
                var big = Gemm.BatchedMatMul(Tensor.Uniform([1, 300, 0], g, dtype: dtype), Tensor.Uniform([1, 0, 300], g, dtype: dtype));
                Assert.That(big.ToArray<double>(), Is.All.EqualTo(0.0));
                // M, N or batch = 0: empty results of the right shape.
                Assert.That(Gemm.BatchedMatMul(Tensor.Uniform([1, 0, 7], g, dtype: dtype), Tensor.Uniform([1, 7, 3], g, dtype: dtype)).Shape,
                    Is.EqualTo(new[] { 1, 0, 3 }));
                Assert.That(Gemm.BatchedMatMul(Tensor.Uniform([1, 4, 7], g, dtype: dtype), Tensor.Uniform([1, 7, 0], g, dtype: dtype)).Shape,
                    Is.EqualTo(new[] { 1, 4, 0 }));
                Assert.That(Gemm.BatchedMatMul(Tensor.Uniform([0, 4, 7], g, dtype: dtype), Tensor.Uniform([0, 7, 3], g, dtype: dtype)).Shape,
                    Is.EqualTo(new[] { 0, 4, 3 }));
            }
        });
    }

    [TestCase(512, 144, 2048)]
    [TestCase(256, 144, 2048)]
    [TestCase(100, 12, 64)]
    [TestCase(1, 12, 64)]
    public void ColumnStrips_GiveTheOneThreadBits_WithBiasReluAndSums_AtAnyBlocking(int kcLimit, int mcLimit, int ncLimit)
    {
        // Column strips (and the row strips or tiles a product takes without them) against one thread, with the bias and
        // ReLU epilogue and A's row sums, batches smaller than the degree, few rows, and blocks cut small by the probes' limits.
        (int Batch, int M, int K, int N)[] shapes =
        [
            (2, 20, 300, 700), (3, 10, 200, 800), (1, 2, 300, 2000), (1, 3, 1, 1500), (1, 7, 700, 900),
            (1, 150, 600, 1200), (1, 1500, 300, 5), (1, 1200, 500, 150), (2, 5, 513, 1100),
        ];
        Layout[] layouts = [Layout.Contiguous, Layout.Transposed, Layout.Sliced];
        var g = new Generator(99);
        var (kc, mc, nc) = (GemmBlocking.KcLimit, GemmBlocking.McLimit, GemmBlocking.NcLimit);
        (GemmBlocking.KcLimit, GemmBlocking.McLimit, GemmBlocking.NcLimit) = (kcLimit, mcLimit, ncLimit);
        try
        {
            foreach (var dtype in DTypes)
                foreach (var (batch, m, k, n) in shapes)
                    foreach (var la in layouts)
                        foreach (var lb in layouts)
                        {
                            var a = Operand(g, batch, m, k, la, dtype);
                            var b = Operand(g, batch, k, n, lb, dtype);
                            var bias = Tensor.Uniform([n], g, -1, 1, dtype);
                            bool sums = batch == 1;
                            (long[] C, long[]? Sums) Run(int degree, bool columns)
                            {
                                var c = Tensor.Full([batch, m, n], double.NaN, dtype);
                                double[]? s = sums ? new double[m] : null;
                                bool saved = Gemm.UseColumnStrips;
                                Gemm.UseColumnStrips = columns;
                                try { WithDegree(degree, () => Gemm.MultiplyInto(a, b, c, bias, s, GemmActivation.Relu)); }
                                finally { Gemm.UseColumnStrips = saved; }
                                return (Bits(c.ToArray<double>()), s is null ? null : Bits(s));
                            }
                            string what = $"{dtype.Name()} [{batch}, {m}, {k}]·[{batch}, {k}, {n}] A {la} B {lb}, limits {kcLimit}/{mcLimit}/{ncLimit}";
                            var one = Run(1, true);
                            if (sums)
                            {
                                double[] x = a.ToArray<double>();
                                var want = new double[m];
                                for (int i = 0; i < m; i++)
                                    for (int q = 0; q < k; q++) want[i] += x[i * k + q];
                                Assert.That(one.Sums, Is.EqualTo(Bits(want)), $"{what}: row sums");
                            }
                            foreach (var (degree, columns) in new[] { (2, true), (3, true), (4, true), (2, false) })
                            {
                                var got = Run(degree, columns);
                                string at = $"{what}, degree {degree}{(columns ? "" : " without column strips")}";
                                Assert.That(got.C, Is.EqualTo(one.C), at);
                                if (sums) Assert.That(got.Sums, Is.EqualTo(one.Sums), $"{at}: row sums");
                            }
                        }
        }
        finally
        {
            (GemmBlocking.KcLimit, GemmBlocking.McLimit, GemmBlocking.NcLimit) = (kc, mc, nc);
        }
    }

    [TestCaseSource(typeof(IsaTests), nameof(IsaTests.Available))]
    public void RowSumsOfA_AddEachRowsTermsInKOrder_OnEveryPath(InstructionSet isa)
    {
        // The float64 sums a product makes beside itself (a layer's bias gradient): the bits of a plain loop over k for
        // each row, whichever way A is laid out, the product split or the sums vectorised (at each width).
        var g = new Generator(23);
        (int M, int K, int N)[] shapes = [(37, 300, 50), (20, 600, 700), (130, 517, 9), (7, 5, 300), (200, 40, 1)];
        using var scope = Isa.Override(isa);
        {
            foreach (var dtype in DTypes)
                foreach (var (m, k, n) in shapes)
                    foreach (var la in new[] { Layout.Contiguous, Layout.Transposed, Layout.Sliced })
                    {
                        var a = Operand(g, 1, m, k, la, dtype);
                        var b = Operand(g, 1, k, n, Layout.Contiguous, dtype);
                        double[] x = a.ToArray<double>();
                        var want = new double[m];
                        for (int i = 0; i < m; i++)
                            for (int q = 0; q < k; q++) want[i] += x[i * k + q];
                        foreach (int degree in new[] { 1, 2 })
                        {
                            var sums = new double[m];
                            var c = Tensor.Zeros([1, m, n], dtype);
                            WithDegree(degree, () => Gemm.MultiplyInto(a, b, c, null, sums));
                            Assert.That(Bits(sums), Is.EqualTo(Bits(want)), $"{isa} {dtype.Name()} [{m}, {k}]·[{k}, {n}] A {la}, degree {degree}");
                        }
                    }
        }
    }

    [Test]
    public void NonFiniteValues_StayInTheirOwnRowsAndColumns()
    {
        // Padding of edge tiles must not leak: an infinity in A's last row reaches only that row of C.
        foreach (var dtype in DTypes)
        {
            var a = Tensor.Uniform([1, 13, 5], new Generator(19), -1, 1, dtype).ToArray<double>();
            a[12 * 5 + 2] = double.PositiveInfinity;
            var b = Tensor.Uniform([1, 5, 33], new Generator(20), 0.5, 1, dtype);
            var c = Gemm.BatchedMatMul(Tensor.From(a, 1, 13, 5).To(dtype), b).ToArray<double>();
            for (int i = 0; i < 13; i++)
                for (int j = 0; j < 33; j++)
                    Assert.That(double.IsPositiveInfinity(c[i * 33 + j]), Is.EqualTo(i == 12), $"{dtype.Name()} C[{i}, {j}]");
        }
    }

    [Test]
    public void MaxDegree_RejectsLessThanOne()
    {
        Assert.That(() => Parallelism.MaxDegree = 0, Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(Parallelism.MaxDegree, Is.GreaterThanOrEqualTo(1));
    }
}
