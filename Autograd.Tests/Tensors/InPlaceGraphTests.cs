namespace Autograd.Tests;

/// <summary>
/// Recorded in-place ops (PyTorch's add_, mul_, … on the graph): the written tensor takes the write's node as its
/// history, ops recorded before the write keep the history they consumed, and what cannot be recorded right is refused.
/// </summary>
public class InPlaceGraphTests
{
    private static Tensor V(params double[] values) => Tensor.From(values);

    private static double[] A(Tensor? t) => t!.ToArray<double>();

    [Test]
    public void AddInPlaceIntoAConstantRecordsTheGradientOfItsOperand()
    {
        // The example: x.Grad was null, silently.
        var x = V(1, 2).RequireGrad();
        var w = V(3, 5);
        var acc = Tensor.Zeros([2], DType.Float64);
        acc.AddInPlace(x * 2.0);
        (acc * w).Sum().Backward();
        Assert.That(A(x.Grad), Is.EqualTo(new double[] { 6, 10 }));
        Assert.That(acc.IsLeaf, Is.False);
        Assert.That(acc.RequiresGrad, Is.True);
        Assert.That(acc.GradFnName, Is.EqualTo("add"));
        Assert.That(acc.Grad, Is.Null, "acc is no longer a leaf: it gets no .Grad");
        // An int64 target cannot carry a gradient: it takes the converted values, off the graph.
        var i = Tensor.From(new long[] { 0, 0 });
        i.CopyFrom(x * 1.5);
        Assert.That(i.ToArray<long>(), Is.EqualTo(new long[] { 1, 3 }));
        Assert.That(i.IsLeaf && !i.RequiresGrad, Is.True);
    }

    [Test]
    public void AnAccumulatorWrittenInALoopSumsEveryTermsGradient()
    {
        var x = V(1, -2, 3).RequireGrad();
        var acc = Tensor.Zeros([3], DType.Float64);
        for (int i = 1; i <= 4; i++) acc.AddInPlace(x * (double)i);
        var y = acc.Sum();
        // Under NoGrad (an optimizer's update) nothing is recorded: the value changes, the history does not.
        using (Autodiff.NoGrad()) acc.AddInPlace(x);
        Assert.That(acc.GradFnName, Is.EqualTo("add"));
        Assert.That(A(acc), Is.EqualTo(new double[] { 11, -22, 33 }));
        y.Backward();
        Assert.That(A(x.Grad), Is.EqualTo(new double[] { 10, 10, 10 }));
    }

    // Every in-place op and overload, against its out-of-place op: same values, same gradients for the target's history
    // (a, through h = a·1.5) and for the operand (b).
    public static IEnumerable<TestCaseData> Ops() => AllOps(withOperandOnly: false);

    // Into a constant only an operand can bring a gradient.
    public static IEnumerable<TestCaseData> OpsWithAnOperand() => AllOps(withOperandOnly: true);

    private static IEnumerable<TestCaseData> AllOps(bool withOperandOnly)
    {
        var cases = new List<TestCaseData>();
        void Case(string name, Action<Tensor, Tensor> inPlace, Func<Tensor, Tensor, Tensor> outOfPlace, bool operand = true)
        {
            if (operand || !withOperandOnly) cases.Add(new TestCaseData(inPlace, outOfPlace).SetArgDisplayNames(name));
        }
        Case("add_(t)", (h, b) => h.AddInPlace(b), (h, b) => h + b);
        Case("add_(t, alpha)", (h, b) => h.AddInPlace(b, -2.5), (h, b) => h + b * -2.5);
        Case("add_(c)", (h, _) => h.AddInPlace(4.0), (h, _) => h + 4.0, operand: false);
        Case("sub_(t)", (h, b) => h.SubInPlace(b), (h, b) => h - b);
        Case("mul_(t)", (h, b) => h.MulInPlace(b), (h, b) => h * b);
        Case("mul_(c)", (h, _) => h.MulInPlace(-3.0), (h, _) => h * -3.0, operand: false);
        Case("div_(t)", (h, b) => h.DivInPlace(b), (h, b) => h / b);
        Case("div_(c)", (h, _) => h.DivInPlace(4.0), (h, _) => h / 4.0, operand: false);
        Case("clamp_", (h, _) => h.ClampInPlace(-1, 2), (h, _) => h.Clamp(-1, 2), operand: false);
        Case("copy_", (h, b) => h.CopyFrom(b), (_, b) => b * 1.0);
        Case("fill_", (h, _) => h.Fill(7), (h, _) => h * 0.0 + 7.0, operand: false);
        Case("zero_", (h, _) => h.ZeroInPlace(), (h, _) => h * 0.0, operand: false);
        Case("add_(broadcast)", (h, b) => h.AddInPlace(b.Sum(0)), (h, b) => h + b.Sum(0));
        Case("mul_(broadcast)", (h, b) => h.MulInPlace(b.Sum(0)), (h, b) => h * b.Sum(0));
        Case("add_(float32 operand)", (h, b) => h.AddInPlace(b.To(DType.Float32)), (h, b) => h + b.To(DType.Float32));
        Case("copy_(float32 operand)", (h, b) => h.CopyFrom(b.To(DType.Float32)), (_, b) => b.To(DType.Float32).To(DType.Float64));
        Case("two writes", (h, b) => h.MulInPlace(b).AddInPlace(b, 2), (h, b) => h * b + b * 2.0);
        return cases;
    }

    [TestCaseSource(nameof(Ops))]
    public void EveryInPlaceOpGivesTheGradientsOfItsOutOfPlaceOp(Action<Tensor, Tensor> inPlace, Func<Tensor, Tensor, Tensor> outOfPlace)
    {
        var a = Tensor.From(new double[] { 0.5, -1.5, 3, 2.25, -0.75, 1 }, 2, 3).RequireGrad();
        var b = Tensor.From(new double[] { 2, -0.5, 1.25, 4, 0.8, -3 }, 2, 3).RequireGrad();
        var c = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var expected = outOfPlace(a * 1.5, b);
        var expectedGrads = Autodiff.Grad([(expected * c).Sum()], [a, b], allowUnused: true);

        var h = a * 1.5;
        inPlace(h, b);
        Assert.That(A(h), Is.EqualTo(A(expected)));
        var grads = Autodiff.Grad([(h * c).Sum()], [a, b], allowUnused: true);
        for (int i = 0; i < 2; i++)
        {
            if (expectedGrads[i] is null || A(expectedGrads[i]).All(v => v == 0))
                Assert.That(grads[i] is null || A(grads[i]).All(v => v == 0), Is.True, $"input {i} gets no gradient");
            else
                Assert.That(A(grads[i]), Is.EqualTo(A(expectedGrads[i])).Within(1e-15), $"input {i}");
        }
    }

    [TestCaseSource(nameof(OpsWithAnOperand))]
    public void EveryInPlaceOpIntoAConstantGivesTheOperandsGradient(Action<Tensor, Tensor> inPlace, Func<Tensor, Tensor, Tensor> outOfPlace)
    {
        var b = Tensor.From(new double[] { 2, -0.5, 1.25, 4, 0.8, -3 }, 2, 3).RequireGrad();
        var start = Tensor.From(new double[] { 0.5, -1.5, 3, 2.25, -0.75, 1 }, 2, 3);
        var c = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var expected = outOfPlace(start, b);
        var target = start.Clone();
        inPlace(target, b);
        Assert.That(A(target), Is.EqualTo(A(expected)));
        Assert.That(target.RequiresGrad && !target.IsLeaf, Is.True);
        var expectedGrad = Autodiff.Grad((expected * c).Sum(), b);
        Assert.That(A(Autodiff.Grad((target * c).Sum(), b)), Is.EqualTo(A(expectedGrad)).Within(1e-15));
    }

    [Test]
    public void OpsRecordedBeforeTheWriteKeepTheHistoryTheyConsumed()
    {
        // y = h + 1 is recorded before h.add_(x): its gradient goes to h's old history (a), not to x.
        var a = V(1, 2).RequireGrad();
        var x = V(10, 20).RequireGrad();
        var h = a * 2.0;
        var y = h + 1.0;
        h.AddInPlace(x);
        (y * 3.0 + h * 5.0).Sum().Backward();
        Assert.That(A(a.Grad), Is.EqualTo(new double[] { 16, 16 }), "3·2 through y, 5·2 through h");
        Assert.That(A(x.Grad), Is.EqualTo(new double[] { 5, 5 }), "only through h after the write");
    }

    [Test]
    public void OpsRecordedBeforeAWriteIntoAConstantSendItNoGradient()
    {
        var w = V(1, 2).RequireGrad();
        var x = V(3, 4).RequireGrad();
        var acc = V(0.5, 0.25);
        var y = acc + w;                 // recorded with acc as a constant
        acc.AddInPlace(x);
        var gradients = Autodiff.Grad([(y + acc * 2.0).Sum()], [w, x]);
        Assert.That(A(gradients[0]), Is.EqualTo(new double[] { 1, 1 }));
        Assert.That(A(gradients[1]), Is.EqualTo(new double[] { 2, 2 }));
        (y + acc * 2.0).Sum().Backward();
        Assert.That(acc.Grad, Is.Null, "the constant acc was before the write got no .Grad");
    }

    [Test]
    public void AnOpThatSavedTheTensorBeforeTheWriteThrowsAtBackward()
    {
        // PyTorch: "one of the variables needed for gradient computation has been modified by an inplace operation".
        var a = V(1, 2).RequireGrad();
        var x = V(3, 4).RequireGrad();
        var h = a * 1.0;
        var y = (h * h).Sum();          // mul saves h
        h.AddInPlace(x);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(e!.Message, Does.Contain("mul").And.Contain("modified in place").And.Contain("version 0").And.Contain("1 now"));
    }

    [Test]
    public void AWriteWhoseBackwardNeedsTheOldValuesKeepsThem()
    {
        // mul_, div_ and clamp_ read the values before the write: a later write must not disturb them.
        var a = V(1, 2, 3).RequireGrad();
        var b = V(4, 5, 6).RequireGrad();
        var h = a * 1.0;
        h.MulInPlace(b);
        h.DivInPlace(a);                 // h = b, with gradient 0 for a and 1 for b
        h.ClampInPlace(max: 5.5);       // 6 is clamped
        var gradients = Autodiff.Grad([h.Sum()], [a, b]);
        Assert.That(A(gradients[0]), Is.EqualTo(new double[] { 0, 0, 0 }).Within(1e-15));
        Assert.That(A(gradients[1]), Is.EqualTo(new double[] { 1, 1, 0 }).Within(1e-15));
    }

    [Test]
    public void SecondOrderGradientsFlowThroughRecordedWrites()
    {
        var x = V(0.5, -1, 2).RequireGrad();
        var h = x * 1.0;
        h.MulInPlace(x);
        h.MulInPlace(x);                 // x³
        h.AddInPlace(x * x, alpha: 2);   // x³ + 2x²
        var g = Autodiff.Grad(h.Sum(), x, createGraph: true);
        Assert.That(A(g), Is.EqualTo(new double[] { 0.75 + 2, 3 - 4, 12 + 8 }).Within(1e-14), "3x² + 4x");
        var g2 = Autodiff.Grad(g.Sum(), x);
        Assert.That(A(g2), Is.EqualTo(new double[] { 3 + 4, -6 + 4, 12 + 4 }).Within(1e-14), "6x + 4");
        Assert.That(GradCheck.CheckSecondOrder(xs =>
        {
            var t = Tensor.Zeros([3], DType.Float64);
            t.CopyFrom(xs[0].Sin());
            t.MulInPlace(xs[0]);
            return t.ClampInPlace(-1.5, 1.5);
        }, [V(0.3, -0.7, 1.1).RequireGrad()]), Gradients.Match);
    }

    [Test]
    public void ALeafThatRequiresGradStillRefusesRecordedWrites()
    {
        var w = V(1, 2).RequireGrad();
        foreach (var write in new Action[] { () => w.AddInPlace(V(1, 1)), () => w.AddInPlace(V(1, 1).RequireGrad()), () => w.Fill(0), () => w.CopyFrom(V(5, 6)) })
        {
            var e = Assert.Throws<InvalidOperationException>(() => write());
            Assert.That(e!.Message, Does.Contain("a leaf of shape [2]").And.Contain("leaf Variable that requires grad"));
        }
        Assert.That(A(w), Is.EqualTo(new double[] { 1, 2 }), "nothing was written");
        Assert.That(w.VersionNumber, Is.Zero);
    }

    [Test]
    public void ARecordedWriteIntoStorageSharedWithAViewIsRefused()
    {
        var a = Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2).RequireGrad();
        var x = V(1, 1).RequireGrad();
        var h = a * 1.0;
        var row = h.Slice(0, 0, 1);
        static void Refused(TestDelegate write, string op, string shape)
        {
            var e = Assert.Throws<InvalidOperationException>(write)!;
            Assert.That(e.Message, Does.StartWith(op + ": cannot record an in-place write").And.Contain($"of shape {shape}")
                .And.Contain("shared with a view").And.Contain("Clone()"));
        }
        // Into the view: the base's history would miss it. Into the base: the view's would.
        Refused(() => row.AddInPlace(x), "add_", "[1, 2]");
        Refused(() => h.AddInPlace(x), "add_", "[2, 2]");
        var acc = Tensor.Zeros([2, 2], DType.Float64);
        var t = acc.T;
        Refused(() => t.SubInPlace(x), "sub_", "[2, 2]");
        Refused(() => acc.Detach().MulInPlace(x), "mul_", "[2, 2]");
        Refused(() => acc.Reshape(4).CopyFrom(x.Sum()), "copy_", "[4]");
        Assert.That(h.VersionNumber + acc.VersionNumber, Is.Zero, "nothing was written");
        // Without anything to record, views are written as before.
        using (Autodiff.NoGrad()) row.AddInPlace(x);   // [1, 2] into [1, 2]
        t.AddInPlace(V(1, 2));
        Assert.That(A(h), Is.EqualTo(new double[] { 2, 3, 3, 4 }));
        Assert.That(A(acc), Is.EqualTo(new double[] { 1, 1, 2, 2 }));
    }

    [Test]
    public void AMatMulResultCanTakeARecordedBiasAdd()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2).RequireGrad();
        var w = Tensor.From(new double[] { 0.5, -1, 2, 1 }, 2, 2).RequireGrad();
        var bias = V(0.25, -0.5).RequireGrad();
        var h = x.MatMul(w);
        h.AddInPlace(bias);
        var expected = Autodiff.Grad([(x.MatMul(w) + bias).Square().Sum()], [x, w, bias]);
        var actual = Autodiff.Grad([h.Square().Sum()], [x, w, bias]);
        for (int i = 0; i < 3; i++) Assert.That(A(actual[i]), Is.EqualTo(A(expected[i])), $"input {i}");
    }

    [Test]
    public void TheWrittenTensorIsDifferentiatedAsItsNewHistory()
    {
        var x = V(1, 2).RequireGrad();
        var h = x * 3.0;
        h.AddInPlace(x * x);
        Assert.That(h.ToString(), Does.Contain("grad_fn=<add>"));
        Assert.That(A(Autodiff.Grad(h.Sum(), x, retainGraph: true)), Is.EqualTo(new double[] { 5, 7 }));
        var z = h * 2.0;
        Assert.That(A(Autodiff.Grad([z.Sum()], [h], retainGraph: true)[0]), Is.EqualTo(new double[] { 2, 2 }), "Grad with respect to the written tensor");
        h.RetainGrad();
        Assert.That(h.RetainsGrad, Is.True);
        var seen = new List<double[]>();
        using var hook = h.RegisterHook(g => { seen.Add(A(g)); return null; });
        (h * h).Sum().Backward();
        Assert.That(A(h.Grad), Is.EqualTo(new double[] { 8, 20 }), "2h, h = 3x + x²");
        Assert.That(seen.Single(), Is.EqualTo(new double[] { 8, 20 }));
        Assert.That(A(x.Grad), Is.EqualTo(new double[] { 40, 140 }), "2h · (3 + 2x)");
    }

    [Test]
    public void AnOperandThatIsItselfWrittenInPlaceBringsItsNewHistory()
    {
        var x = V(1, 2).RequireGrad();
        var first = Tensor.Zeros([2], DType.Float64);
        first.AddInPlace(x * 4.0);
        var second = Tensor.Zeros([2], DType.Float64);
        second.CopyFrom(first);
        second.AddInPlace(first);
        Assert.That(A(Autodiff.Grad(second.Sum(), x, retainGraph: true)), Is.EqualTo(new double[] { 8, 8 }));
        // A broadcasting copy_ reads its source without handing out a view of it: the source can still be written.
        var rows = Tensor.Zeros([3, 2], DType.Float64);
        rows.CopyFrom(first);
        first.MulInPlace(x);
        Assert.That(A(Autodiff.Grad((rows.Sum() + first.Sum()), x)), Is.EqualTo(new double[] { 12 + 8, 12 + 16 }), "3·4 through rows, 8x through first");
    }
}
