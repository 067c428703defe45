namespace Autograd.Tests;

/// <summary>
/// int64 tensors behave like PyTorch's: integer scalars keep them int64, arithmetic, sums and comparisons are exact
/// beyond 2⁵³ (where a double can no longer hold every integer), true division gives float32, and Item&lt;long&gt;()
/// reads the element itself. Expected values are written out by hand from PyTorch's rules.
/// </summary>
public class Int64Tests
{
    private const long TwoTo53 = 1L << 53;

    private static Tensor L(params long[] values) => Tensor.From(values);

    private static long[] Longs(Tensor t)
    {
        Assert.That(t.DType, Is.EqualTo(DType.Int64));
        return t.ToArray<long>();
    }

    [Test]
    public void IntegerScalars_KeepInt64Exactly_OnEitherSide()
    {
        // float32 would give 16777217 + 1 = 16777216; torch.tensor([16777217]) + 1 is tensor([16777218]) (int64)
        var x = L(16777217, TwoTo53 + 1, -5);
        Assert.That(Longs(x + 1), Is.EqualTo(new[] { 16777218, TwoTo53 + 2, -4 }));
        Assert.That(Longs(1 + x), Is.EqualTo(new[] { 16777218, TwoTo53 + 2, -4 }));
        Assert.That(Longs(x - 1), Is.EqualTo(new[] { 16777216, TwoTo53, -6 }));
        Assert.That(Longs(1 - x), Is.EqualTo(new[] { -16777216, -TwoTo53, 6 }));
        Assert.That(Longs(x * 3), Is.EqualTo(new[] { 50331651, 3 * TwoTo53 + 3, -15 }));
        Assert.That(Longs(3 * x), Is.EqualTo(new[] { 50331651, 3 * TwoTo53 + 3, -15 }));
        Assert.That(Longs(-x), Is.EqualTo(new[] { -16777217, -TwoTo53 - 1, 5 }));
        long big = TwoTo53 + 7;
        Assert.That(Longs(L(0) + big), Is.EqualTo(new[] { big }));
        // int and long variables take the same overloads as literals
        int one = 1;
        Assert.That(Longs(x + one), Is.EqualTo(new[] { 16777218, TwoTo53 + 2, -4 }));
        // a 0-d int64 tensor stays int64 too
        Assert.That((Tensor.From(new long[] { TwoTo53 + 1 }, []) + 1).Item<long>(), Is.EqualTo(TwoTo53 + 2));
    }

    [Test]
    public void FloatScalars_PromoteInt64ToFloat32_AndFloatTensorsKeepTheirDtypeWithIntegerScalars()
    {
        var x = L(1, 2, 16777217);
        var y = x + 1.5;
        Assert.That(y.DType, Is.EqualTo(DType.Float32));
        Assert.That(y.ToArray<float>(), Is.EqualTo(new[] { 2.5f, 3.5f, 16777216f + 2f }));
        Assert.That((x * 2.0).DType, Is.EqualTo(DType.Float32));

        // x * 2 and x * 2.0 on float tensors: the tensor's dtype, the same bits, through the same scalar primitive
        var f = Tensor.From(new float[] { 0.1f, -3.3f, 1e30f });
        Assert.That((f * 2).DType, Is.EqualTo(DType.Float32));
        Assert.That((f * 2).ToArray<float>(), Is.EqualTo((f * 2.0).ToArray<float>()));
        Assert.That((f + 1).ToArray<float>(), Is.EqualTo((f + 1.0).ToArray<float>()));
        Assert.That((f / 3).ToArray<float>(), Is.EqualTo((f / 3.0).ToArray<float>()));
        Assert.That((1 - f).ToArray<float>(), Is.EqualTo((1.0 - f).ToArray<float>()));
        var d = Tensor.From(new double[] { 0.1, 2 }).RequireGrad();
        var z = d * 3 + 1;
        Assert.That(z.DType, Is.EqualTo(DType.Float64));
        Assert.That(z.GradFnName, Is.EqualTo("add"));
        z.Sum().Backward();
        Assert.That(d.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3.0, 3 }));
        // and the int64 result of an integer scalar op stays off the graph's float types
        Assert.That((x * 2).DType, Is.EqualTo(DType.Int64));

        // a 0-d float chain with integer scalars allocates what the same chain with double scalars does
        var s = Tensor.Scalar(0.5f).RequireGrad();
        static Tensor Chain(Tensor t, bool integers)
        {
            for (int i = 0; i < 100; i++) t = integers ? t * 2 - 1 : t * 2.0 - 1.0;
            return t;
        }
        Chain(s, true);
        Chain(s, false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var withIntegers = Chain(s, true);
        long integerBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var withDoubles = Chain(s, false);
        long doubleBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        // (an extra object per op would add at least 200 · 24 bytes; the slack is for the runtime's own odd allocation)
        Assert.That(integerBytes, Is.LessThanOrEqualTo(doubleBytes + 1024), $"{integerBytes} vs {doubleBytes} bytes");
        Assert.That(withIntegers.Item(), Is.EqualTo(withDoubles.Item()));
        Assert.That(withIntegers.DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void TensorArithmetic_OfTwoInt64Tensors_IsExact_WithBroadcastingAndStridedViews()
    {
        var a = Tensor.From(new long[] { TwoTo53, 1, -7, 10, TwoTo53 + 3, 0 }, 2, 3);
        var b = L(1, 2, 3);
        Assert.That(Longs(a + b), Is.EqualTo(new[] { TwoTo53 + 1, 3, -4, 11, TwoTo53 + 5, 3 }));
        Assert.That(Longs(a - b), Is.EqualTo(new[] { TwoTo53 - 1, -1, -10, 9, TwoTo53 + 1, -3 }));
        Assert.That(Longs(a * b), Is.EqualTo(new[] { TwoTo53, 2, -21, 10, 2 * TwoTo53 + 6, 0 }));
        // a transposed view [3, 2] times a column [3, 1]
        var t = a.T * Tensor.From(new long[] { 1, 10, 100 }, 3, 1);
        Assert.That(t.Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(Longs(t), Is.EqualTo(new[] { TwoTo53, 10, 10, 10 * TwoTo53 + 30, -700, 0 }));
        // int64 with a float tensor takes the float type
        Assert.That((a + Tensor.From(new double[] { 0.5 })).DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void Overflow_WrapsInTwosComplement_AsPyTorch()
    {
        Assert.That(Longs(L(long.MaxValue) + 1), Is.EqualTo(new[] { long.MinValue }));
        Assert.That(Longs(L(long.MinValue) - L(1)), Is.EqualTo(new[] { long.MaxValue }));
        Assert.That(Longs(L(1L << 62) * 4), Is.EqualTo(new[] { 0L }));
        Assert.That(Longs(L(long.MaxValue, 1).Sum(0).Reshape(1)), Is.EqualTo(new[] { long.MinValue }));
    }

    [Test]
    public void Division_IsTrueDivision_GivingFloat32()
    {
        // torch.tensor([7, -7]) / 2 is tensor([3.5, -3.5]); torch.div without rounding_mode never floors
        var x = L(7, -7, 1);
        foreach (var q in new[] { x / 2, x / L(2), x / 2.0 })
        {
            Assert.That(q.DType, Is.EqualTo(DType.Float32));
            Assert.That(q.ToArray<float>(), Is.EqualTo(new[] { 3.5f, -3.5f, 0.5f }));
        }
        var r = 7 / L(2, -4);
        Assert.That(r.DType, Is.EqualTo(DType.Float32));
        Assert.That(r.ToArray<float>(), Is.EqualTo(new[] { 3.5f, -1.75f }));
        Assert.That((L(1) / Tensor.From(new double[] { 4 })).DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void ItemOfLong_IsExactOverTheWholeRange()
    {
        Assert.That(Tensor.From(new long[] { TwoTo53 + 1 }, []).Item<long>(), Is.EqualTo(TwoTo53 + 1));
        Assert.That(L(long.MaxValue).Item<long>(), Is.EqualTo(long.MaxValue));
        Assert.That(L(long.MinValue).Item<long>(), Is.EqualTo(long.MinValue));
        Assert.That(L(-3).Item<int>(), Is.EqualTo(-3));
        Assert.That(L(TwoTo53 + 1).Item<decimal>(), Is.EqualTo((decimal)(TwoTo53 + 1)));
        // the value named in the overflow message is the element itself, not its double rounding
        var ex = Assert.Throws<OverflowException>(() => L(long.MaxValue).Item<int>())!;
        Assert.That(ex.Message, Does.Contain("9223372036854775807").And.Contain("int64").And.Contain("Int32"));
        Assert.That(() => L(1, 2).Item<long>(), Throws.InvalidOperationException.With.Message.Contains("one-element"));
    }

    [Test]
    public void AddInPlace_OfAnInteger_OnInt64Labels_StaysInt64()
    {
        var labels = L(0, 1, TwoTo53 + 1);
        int version = labels.VersionNumber;
        Assert.That(labels.AddInPlace(1), Is.SameAs(labels));
        Assert.That(Longs(labels), Is.EqualTo(new[] { 1, 2, TwoTo53 + 2 }));
        Assert.That(labels.VersionNumber, Is.EqualTo(version + 1));
        labels.AddInPlace(L(10, 20, 30));
        Assert.That(Longs(labels), Is.EqualTo(new[] { 11, 22, TwoTo53 + 32 }));
        // a float scalar still cannot be written into int64 (PyTorch refuses it too)
        Assert.That(() => labels.AddInPlace(0.5), Throws.ArgumentException.With.Message.StartsWith("add_"));
        // float tensors: AddInPlace(1) as before
        var f = Tensor.From(new float[] { 1.5f });
        f.AddInPlace(1);
        Assert.That(f.ToArray<float>(), Is.EqualTo(new[] { 2.5f }));
    }

    [Test]
    public void Sum_OfInt64_IsExactInt64_OverAnyAxes()
    {
        var x = Tensor.From(new long[] { TwoTo53, 1, 1, 5, -2, TwoTo53 }, 2, 3);
        var all = x.Sum();
        Assert.That(all.Shape, Is.Empty);
        Assert.That(all.Item<long>(), Is.EqualTo(2 * TwoTo53 + 5));
        Assert.That(Longs(x.Sum(0)), Is.EqualTo(new[] { TwoTo53 + 5, -1, TwoTo53 + 1 }));
        Assert.That(Longs(x.Sum(1, keepDims: true)), Is.EqualTo(new[] { TwoTo53 + 2, TwoTo53 + 3 }));
        Assert.That(x.Sum(1, keepDims: true).Shape, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(Longs(x.T.Sum(1)), Is.EqualTo(new[] { TwoTo53 + 5, -1, TwoTo53 + 1 }));
        Assert.That(Tensor.From(new long[0]).Sum().Item<long>(), Is.EqualTo(0));
        // the accuracy idiom: correct predictions counted exactly
        var predicted = L(3, 1, 4, 1, 5);
        var target = L(3, 1, 2, 1, 0);
        Assert.That(predicted.Eq(target).Sum().Item<long>(), Is.EqualTo(3));
    }

    [Test]
    public void Comparisons_OfInt64_AreExactBeyondTwoTo53()
    {
        // as float64, 2⁵³ and 2⁵³ + 1 are the same number
        var x = L(TwoTo53, TwoTo53 + 1, TwoTo53 + 2);
        var y = L(TwoTo53 + 1);
        Assert.That(Longs(x.Eq(y)), Is.EqualTo(new long[] { 0, 1, 0 }));
        Assert.That(Longs(x.Ne(y)), Is.EqualTo(new long[] { 1, 0, 1 }));
        Assert.That(Longs(x.Lt(y)), Is.EqualTo(new long[] { 1, 0, 0 }));
        Assert.That(Longs(x.Le(y)), Is.EqualTo(new long[] { 1, 1, 0 }));
        Assert.That(Longs(x.Gt(y)), Is.EqualTo(new long[] { 0, 0, 1 }));
        Assert.That(Longs(x.Ge(y)), Is.EqualTo(new long[] { 0, 1, 1 }));
        Assert.That(Longs(x.Eq(TwoTo53 + 1)), Is.EqualTo(new long[] { 0, 1, 0 }));
        Assert.That(Longs(x.Gt(TwoTo53 + 1)), Is.EqualTo(new long[] { 0, 0, 1 }));
        Assert.That(Longs(x > TwoTo53 + 1), Is.EqualTo(new long[] { 0, 0, 1 }));
        Assert.That(Longs(x <= TwoTo53), Is.EqualTo(new long[] { 1, 0, 0 }));
        Assert.That(Longs(L(long.MinValue, long.MaxValue).Lt(L(long.MaxValue, long.MinValue))), Is.EqualTo(new long[] { 1, 0 }));
        // a float tensor compared with an integer keeps its float mask
        var f = Tensor.From(new float[] { -1, 0, 2 });
        Assert.That(f.Gt(0).DType, Is.EqualTo(DType.Float32));
        Assert.That(f.Gt(0).ToArray<float>(), Is.EqualTo(new[] { 0f, 0, 1 }));
    }

    [Test]
    public void MaximumMinimumWhereAndClamp_OfInt64_StayInt64AndExact()
    {
        var a = L(TwoTo53 + 1, -3, 7);
        var b = L(TwoTo53, 4, 7);
        Assert.That(Longs(Tensor.Maximum(a, b)), Is.EqualTo(new[] { TwoTo53 + 1, 4, 7 }));
        Assert.That(Longs(Tensor.Minimum(a, b)), Is.EqualTo(new[] { TwoTo53, -3, 7 }));
        var cond = L(1, 0, 1);
        Assert.That(Longs(Tensor.Where(cond, a, b)), Is.EqualTo(new[] { TwoTo53 + 1, 4, 7 }));
        Assert.That(Longs(Tensor.Where(cond, a, 0)), Is.EqualTo(new[] { TwoTo53 + 1, 0, 7 }));
        Assert.That(Longs(Tensor.Where(cond, -1, b)), Is.EqualTo(new[] { -1, 4, -1 }));
        Assert.That(Tensor.Where(cond, a, 0.5).DType, Is.EqualTo(DType.Float32));
        Assert.That(Longs(a.Clamp(0, 5)), Is.EqualTo(new long[] { 5, 0, 5 }));
        Assert.That(Longs(a.Clamp(min: 0)), Is.EqualTo(new[] { TwoTo53 + 1, 0, 7 }));
        var fractional = L(1, 2, 3).Clamp(1.5, 2.5);
        Assert.That(fractional.DType, Is.EqualTo(DType.Float32));
        Assert.That(fractional.ToArray<float>(), Is.EqualTo(new[] { 1.5f, 2f, 2.5f }));
        Assert.That(() => a.Clamp(3, 1), Throws.ArgumentException.With.Message.StartsWith("clamp: min 3"));
    }

    [Test]
    public void GatherAndIndexSelect_OfInt64_CopyTheLongsThemselves()
    {
        var x = Tensor.From(new long[] { TwoTo53 + 1, 2, 3, long.MaxValue }, 2, 2);
        var gathered = x.Gather(1, Tensor.From(new long[] { 1, 0, 1, 1 }, 2, 2));
        Assert.That(Longs(gathered), Is.EqualTo(new[] { 2, TwoTo53 + 1, long.MaxValue, long.MaxValue }));
        Assert.That(Longs(x.IndexSelect(0, 1, 0)), Is.EqualTo(new[] { 3, long.MaxValue, TwoTo53 + 1, 2 }));
        Assert.That(Longs(x.T.IndexSelect(1, L(1))), Is.EqualTo(new[] { 3, long.MaxValue }));
        Assert.That(Longs(x.T.Gather(0, Tensor.From(new long[] { 1, 0 }, 1, 2))), Is.EqualTo(new[] { 2, 3 }));
    }
}
