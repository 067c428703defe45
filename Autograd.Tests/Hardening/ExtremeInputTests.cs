using System.Runtime.CompilerServices;

namespace Autograd.Tests.Hardening;

/// <summary>
/// No crash on legal but extreme input: <see cref="Tensor.ToString"/> of a tensor of rank 100,000 (no recursion) and
/// of a broadcast view of billions of elements (printed from the view, summarised, without materialising it); and the
/// memory of a large scalar graph, of <see cref="Value"/>s or of 0-d tensors, collectable once backward is done
/// (nothing kept reachable through the per-thread lists that backward reuses).
/// </summary>
public class ExtremeInputTests
{
    // ---------------------------------------------------------------- ToString

    private static int[] Ones(int rank) => Enumerable.Repeat(1, rank).ToArray();

    [Test]
    public void ToString_OfARank100000Tensor_PrintsEveryBracketWithoutRecursion()
    {
        const int rank = 100_000;
        var t = Tensor.Scalar(2.5, DType.Float64).Reshape(Ones(rank));
        var text = RunOnSmallStack(() => t.ToString());
        string shape = "[" + string.Join(", ", Ones(rank)) + "]";
        Assert.That(text, Is.EqualTo("tensor(" + new string('[', rank) + "2.5000" + new string(']', rank) + ", shape=" + shape + ", dtype=float64)"));
    }

    [Test]
    public void ToString_OfARank100000TensorWithTwoRows_SeparatesThemAsPyTorch()
    {
        // PyTorch separates the slices of dimension d with one newline per dimension below it.
        const int rank = 100_000;
        var shape = Ones(rank);
        shape[0] = 2;
        var t = Tensor.From(new long[] { 7, -8 }).Reshape(shape);
        var text = RunOnSmallStack(() => t.ToString());
        string expected = "tensor(" + new string('[', rank) + " 7" + new string(']', rank - 1) + "," + new string('\n', rank - 1) +
            new string(' ', 8) + new string('[', rank - 1) + "-8" + new string(']', rank) + ", shape=" + ShapeText(shape) + ", dtype=int64)";
        Assert.That(text, Is.EqualTo(expected));
    }

    [Test]
    public void ToString_OfALargeRankSummarisedTensor_ShowsTheCornersOfEachDimension()
    {
        // Rank 40 with 4 dimensions of size 8 (4096 elements, summarised): 6 of 8 shown along each, "..." between.
        var shape = Ones(40);
        shape[3] = shape[10] = shape[20] = shape[39] = 8;
        var t = Tensor.Arange(1000, 5096, dtype: DType.Float64).Reshape(shape);
        var text = RunOnSmallStack(() => t.ToString());
        Assert.That(text.Split("...").Length - 1, Is.EqualTo(1 + 6 + 36 + 216 * 1), "one '...' per cut vector (216) and per cut outer dimension");
        // The innermost '[' stands in column 46, so four items fit on a line, as PyTorch wraps them.
        Assert.That(text, Does.Contain("[1000., 1001., 1002.,  ...,\n" + new string(' ', 47) + "1005., 1006., 1007.]"));
        Assert.That(text, Does.Contain("[5088., 5089., 5090.,  ...,\n" + new string(' ', 47) + "5093., 5094., 5095.]"));
    }

    [Test]
    public void ToString_OfABroadcastViewOfBillionsOfElements_PrintsTheCornersWithoutMaterialisingIt()
    {
        // 1.5·10⁹ float32 elements (6 GB if materialised) over 6 stored numbers.
        var t = Tensor.From(new[] { 1f, 2f, 3f, 4f, 5f, 6f }).BroadcastTo(250_000_000, 6);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var text = t.ToString();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        const string row = "[1., 2., 3., 4., 5., 6.]";
        Assert.That(text, Is.EqualTo(
            $"tensor([{row},\n        {row},\n        {row},\n        ...,\n        {row},\n        {row},\n        {row}], shape=[250000000, 6], dtype=float32)"));
        Assert.That(allocated, Is.LessThan(1 << 20));
    }

    [Test]
    public void ToString_OfABroadcastViewInEveryDimension_IsSummarisedFromTheView()
    {
        var t = Tensor.Scalar(-0.125, DType.Float64).BroadcastTo(10_000, 100, 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var text = t.ToString();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
        Assert.That(text, Does.StartWith("tensor([[[-0.1250, -0.1250, -0.1250,  ..., -0.1250, -0.1250, -0.1250],"));
        Assert.That(text, Does.EndWith("]]], shape=[10000, 100, 1000], dtype=float64)"));
    }

    private static IEnumerable<TestCaseData> Views()
    {
        var g = new Generator(5);
        yield return new TestCaseData(Tensor.Arange(24).Reshape(2, 3, 4).Permute(2, 0, 1)).SetArgDisplayNames("permuted");
        yield return new TestCaseData(Tensor.Randn([40, 50], g, DType.Float64).T).SetArgDisplayNames("transposed, summarised");
        yield return new TestCaseData(Tensor.Arange(3000, DType.Float64).Reshape(30, 100).Slice(1, 7, 93, 2).Slice(0, 3)).SetArgDisplayNames("sliced, with an offset, summarised");
        yield return new TestCaseData(Tensor.From(Enumerable.Range(0, 2000).Select(i => (long)i * 1_000_000_007L).ToArray()).Reshape(40, 50).T).SetArgDisplayNames("int64, transposed");
        yield return new TestCaseData(Tensor.From(new[] { 1e-7, 3.0, 7e9 }).BroadcastTo(4, 3).T).SetArgDisplayNames("broadcast then transposed");
    }

    [TestCaseSource(nameof(Views))]
    public void ToString_OfAView_IsTheTextOfItsContiguousCopy(Tensor view)
    {
        Assert.That(view.IsContiguous, Is.False);
        Assert.That(view.ToString(), Is.EqualTo(view.Contiguous().ToString()));
    }

    private static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";

    // A 256 KB stack: recursion over 100,000 dimensions would overflow it (and the test process with it).
    private static string RunOnSmallStack(Func<string> body)
    {
        string? result = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                error = e;
            }
        }, 256 * 1024);
        thread.Start();
        thread.Join();
        if (error is not null) throw new AssertionException("ToString threw: " + error);
        return result!;
    }

    [Test]
    public void AShapeWithAZeroSize_IsEmptyWhateverItsOtherSizes()
    {
        // As torch.zeros(65536, 65536, 0): the product of the other sizes does not matter.
        var t = Tensor.Zeros([65536, 65536, 0]);
        Assert.That(t.NumElements, Is.Zero);
        Assert.That(t.Shape, Is.EqualTo(new[] { 65536, 65536, 0 }));
        Assert.That(t.ToString(), Is.EqualTo("tensor([], shape=[65536, 65536, 0], dtype=float32)"));
        Assert.That(Tensor.Zeros([0, 1 << 20, 1 << 20, 1 << 20]).NumElements, Is.Zero);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([65536, 65536, 1]))!;
        Assert.That(e.Message, Does.Contain("has more than 2147483591 elements"));
    }

    // ---------------------------------------------------------------- memory of scalar graphs after backward

    private static long HeapAfterCollection()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    // Not inlined, so that no local of the caller's frame keeps the graph alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ValueChainBackward(Value x, int ops, out double data)
    {
        Value y = x;
        for (int i = 0; i < ops; i++) y = (y * 0.999999 + 1e-6).Tanh();
        y.Backward();
        data = y.Data;
        return new WeakReference(y);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ValueDiamondsBackward(Value x, int diamonds)
    {
        Value y = x;
        for (int i = 0; i < diamonds; i++)
        {
            var a = y * 0.5;
            var b = y.Sin();
            y = a + b;
        }
        y.Backward();
        return new WeakReference(y);
    }

    [TestCase(1_000_000, TestName = "ValueBackward_OfAMillionOpChain_LeavesItsGraphCollectable")]
    [TestCase(20_000, TestName = "ValueBackward_OfAChainShortEnoughForTheKeptArrays_LeavesItsGraphCollectable")]
    public void ValueBackward_LeavesItsGraphCollectable(int ops)
    {
        var x = new Value(0.3);
        long before = HeapAfterCollection();
        var root = ValueChainBackward(x, ops, out _);
        long after = HeapAfterCollection();
        Assert.That(root.IsAlive, Is.False, "the root of the graph is still reachable after backward");
        // Two nodes a step (~100 bytes each): a kept graph would be ≥ 100 bytes per op.
        Assert.That(after - before, Is.LessThan(Math.Max(4L << 20, ops * 20L)), $"heap: before {before}, after {after}");
        Assert.That(x.Grad, Is.Not.Zero);
    }

    [Test]
    public void ValueBackward_OfDiamonds_LeavesItsGraphCollectable_AndASmallPassAfterALargeOneIsExact()
    {
        // Diamonds push nodes that are reached twice; the stack's high-water mark is then above the node count.
        var x = new Value(0.7);
        var root = ValueDiamondsBackward(x, 30_000);
        HeapAfterCollection();
        Assert.That(root.IsAlive, Is.False);

        // After the large passes, a small graph on the same thread still gets exact gradients.
        var a = new Value(2);
        var b = new Value(-3);
        var c = a * b + a.Tanh() * a;
        c.Backward();
        double t = Math.Tanh(2);
        Assert.That(a.Grad, Is.EqualTo(-3 + t + 2 * (1 - t * t)).Within(1e-15));
        Assert.That(b.Grad, Is.EqualTo(2));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference TensorChainBackward(Tensor x, int ops)
    {
        var y = x;
        for (int i = 0; i < ops; i++) y = (y * 0.999999 + 1e-6).Tanh();
        y.Backward();
        return new WeakReference(y);
    }

    [TestCase(200_000, TestName = "TensorBackward_OfA0dChainLongerThanTheKeptLists_LeavesItsGraphCollectable")]
    [TestCase(20_000, TestName = "TensorBackward_OfA0dChainShortEnoughForTheKeptLists_LeavesItsGraphCollectable")]
    public void TensorBackward_Of0dChain_LeavesItsGraphCollectable(int ops)
    {
        var x = Tensor.Scalar(0.3, DType.Float64).RequireGrad();
        long before = HeapAfterCollection();
        var root = TensorChainBackward(x, ops);
        long after = HeapAfterCollection();
        Assert.That(root.IsAlive, Is.False, "the root of the graph is still reachable after backward");
        Assert.That(after - before, Is.LessThan(Math.Max(4L << 20, ops * 20L)), $"heap: before {before}, after {after}");
        Assert.That(x.Grad, Is.Not.Null);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference TensorDagBackward(Tensor x, int nodes)
    {
        // Two inputs a node: the sorted path of the engine (its kept order and stack lists).
        var y = x;
        for (int i = 0; i < nodes; i++) y = y * 0.5 + y.Sin();
        y.Backward();
        return new WeakReference(y);
    }

    [Test]
    public void TensorBackward_Of0dDag_LeavesItsGraphCollectable()
    {
        var x = Tensor.Scalar(0.3, DType.Float64).RequireGrad();
        var root = TensorDagBackward(x, 20_000);
        HeapAfterCollection();
        Assert.That(root.IsAlive, Is.False);
        Assert.That(x.Grad, Is.Not.Null);
    }
}
