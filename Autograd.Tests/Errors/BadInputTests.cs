namespace Autograd.Tests;

/// <summary>
/// One test per bad input: each checks the exception type and that the message names the op and the shapes or
/// values at fault, so that a user can fix the call from the message alone.
/// </summary>
public class BadInputTests
{
    /// <summary>Asserts that <paramref name="code"/> throws <typeparamref name="TException"/> (or a subclass) whose message contains every fragment.</summary>
    private static TException Fails<TException>(TestDelegate code, params string[] fragments) where TException : Exception
    {
        var ex = Assert.Catch<TException>(code)!;
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f), $"message: {ex.Message}");
        return ex;
    }

    private static readonly Tensor M23 = Tensor.Arange(6).Reshape(2, 3);

    // ---------------------------------------------------------------- broadcasting

    [Test]
    public void AddOfShapesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => _ = Tensor.Ones([2, 3]) + Tensor.Ones([4]), "add", "[2, 3]", "[4]");

    [Test]
    public void SubOfShapesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => _ = Tensor.Ones([2, 3]) - Tensor.Ones([2, 2]), "sub", "[2, 3]", "[2, 2]");

    [Test]
    public void MulOfShapesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => _ = Tensor.Ones([3]) * Tensor.Ones([4]), "mul", "[3]", "[4]");

    [Test]
    public void DivOfShapesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => _ = Tensor.Ones([2, 1, 3]) / Tensor.Ones([4, 2]), "div", "[2, 1, 3]", "[4, 2]");

    [Test]
    public void BroadcastFailureOfMixedDTypesStillNamesTheOp() =>
        Fails<ArgumentException>(() => _ = Tensor.Ones([3]) + Tensor.Ones([2], DType.Float64), "add", "[3]", "[2]");

    [Test]
    public void MaximumOfShapesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => Tensor.Maximum(Tensor.Ones([5]), Tensor.Ones([2, 3])), "maximum", "[5]", "[2, 3]");

    [Test]
    public void WhereConditionThatDoesNotBroadcast() =>
        Fails<ArgumentException>(() => Tensor.Where(Tensor.Ones([2]), Tensor.Ones([3]), Tensor.Ones([3])), "where", "[2]", "[3]");

    [Test]
    public void WhereBranchesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => Tensor.Where(Tensor.Ones([3]), Tensor.Ones([3]), Tensor.Ones([4])), "where", "[3]", "[4]");

    [Test]
    public void BroadcastToAnIncompatibleShape() =>
        Fails<ArgumentException>(() => Tensor.Ones([3]).BroadcastTo(2, 2), "broadcast_to", "[3]", "[2, 2]");

    // ---------------------------------------------------------------- matmul

    [Test]
    public void MatMulInnerDimensionsDiffer() =>
        Fails<ArgumentException>(() => Tensor.Ones([2, 3]).MatMul(Tensor.Ones([4, 5])), "matmul", "[2, 3]", "[4, 5]", "3 vs 4");

    [Test]
    public void BatchedMatMulInnerDimensionsDiffer() =>
        Fails<ArgumentException>(() => Tensor.Ones([2, 2, 3]).MatMul(Tensor.Ones([2, 4, 5])), "matmul", "[2, 2, 3]", "[2, 4, 5]");

    [Test]
    public void VectorMatMulLengthsDiffer() =>
        Fails<ArgumentException>(() => Tensor.MatMul(Tensor.Ones([3]), Tensor.Ones([4])), "matmul", "[3]", "[4]");

    [Test]
    public void MatrixTimesVectorOfTheWrongLength() =>
        Fails<ArgumentException>(() => Tensor.Ones([2, 3]).MatMul(Tensor.Ones([4])), "matmul", "[2, 3]", "[4]");

    [Test]
    public void MatMulBatchDimensionsThatDoNotBroadcast() =>
        // The message names the operands' full shapes, not only their batch parts.
        Fails<ArgumentException>(() => Tensor.Ones([2, 2, 3]).MatMul(Tensor.Ones([3, 3, 4])), "matmul", "[2, 2, 3]", "[3, 3, 4]");

    [Test]
    public void MatMulOfAZeroDimensionalTensor() =>
        Fails<ArgumentException>(() => Tensor.Scalar(2).MatMul(Tensor.Ones([3])), "matmul", "[]", "[3]");

    // ---------------------------------------------------------------- axis out of range

    [Test]
    public void SumAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Sum(2), "sum", "axis 2", "rank 2");

    [Test]
    public void SumNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Sum(-3), "sum", "axis -3", "rank 2");

    [Test]
    public void MeanAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Mean([0, 5]), "mean", "axis 5", "rank 2");

    [Test]
    public void MeanNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Mean(-3), "mean", "axis -3");

    [Test]
    public void MaxAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Max(2), "max", "axis 2", "rank 2");

    [Test]
    public void MinNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Min(-3), "min", "axis -3");

    [Test]
    public void ArgMaxAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.ArgMax(2), "argmax", "axis 2");

    [Test]
    public void SoftmaxAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Softmax(2), "softmax", "axis 2", "rank 2");

    [Test]
    public void SoftmaxNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Softmax(-3), "softmax", "axis -3");

    [Test]
    public void SliceAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Slice(2, 0, 1), "slice", "axis 2", "rank 2");

    [Test]
    public void SliceNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Slice(-3, 0, 1), "slice", "axis -3");

    [Test]
    public void TransposeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Transpose(0, 2), "transpose", "axis 2", "rank 2");

    [Test]
    public void TransposeOfAVectorWithAxisOne() =>
        Fails<ArgumentOutOfRangeException>(() => Tensor.Ones([3]).Transpose(0, 1), "transpose", "axis 1", "rank 1");

    [Test]
    public void PermuteAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Permute(0, 2), "permute", "axis 2", "rank 2");

    [Test]
    public void PermuteNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Permute(-3, 0), "permute", "axis -3");

    [Test]
    public void PermuteWithTheWrongNumberOfAxes() =>
        Fails<ArgumentException>(() => M23.Permute(1, 0, 2), "permute", "[1, 0, 2]", "[2, 3]");

    [Test]
    public void PermuteWithARepeatedAxis() =>
        Fails<ArgumentException>(() => M23.Permute(1, -1), "permute", "[1, -1]");

    [Test]
    public void UnsqueezeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Unsqueeze(3), "unsqueeze", "axis 3", "rank 2");

    [Test]
    public void UnsqueezeNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Unsqueeze(-4), "unsqueeze", "axis -4");

    [Test]
    public void SqueezeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Squeeze(2), "squeeze", "axis 2");

    [Test]
    public void ConcatAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => Tensor.Concat([M23, M23], 2), "concat", "axis 2", "rank 2");

    [Test]
    public void ConcatNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => Tensor.Concat([M23, M23], -3), "concat", "axis -3");

    [Test]
    public void StackAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => Tensor.Stack([M23, M23], 3), "stack", "axis 3");

    [Test]
    public void GatherAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Gather(2, Tensor.From(new long[] { 0, 0 }, 2, 1)), "gather", "axis 2", "rank 2");

    [Test]
    public void GatherNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Gather(-3, Tensor.From(new long[] { 0, 0 }, 2, 1)), "gather", "axis -3");

    [Test]
    public void IndexSelectAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.IndexSelect(2, 0), "index_select", "axis 2", "rank 2");

    [Test]
    public void IndexSelectNegativeAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.IndexSelect(-3, 0), "index_select", "axis -3");

    [Test]
    public void IndexSelectOnAZeroDimensionalTensor() =>
        // Used to crash with an IndexOutOfRangeException from inside the kernel.
        Fails<ArgumentException>(() => Tensor.Scalar(1).IndexSelect(0, 0), "index_select", "0-d");

    // ---------------------------------------------------------------- index out of range

    [Test]
    public void IndexSelectIndexOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.IndexSelect(1, 0, 3), "index_select", "index 3", "size 3");

    [Test]
    public void IndexSelectNegativeIndexOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.IndexSelect(0, -3), "index_select", "index -3", "size 2");

    [Test]
    public void IndexSelectTensorIndexOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.IndexSelect(0, Tensor.From(new long[] { 1, 2 })), "index_select", "index 2", "size 2");

    [Test]
    public void IndexSelectWithFloatIndices() =>
        Fails<ArgumentException>(() => M23.IndexSelect(0, Tensor.From(new float[] { 0 })), "index_select", "int64", "float32");

    [Test]
    public void GatherIndexOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Gather(1, Tensor.From(new long[] { 0, 3 }, 2, 1)), "gather", "index 3", "size 3");

    [Test]
    public void GatherNegativeIndex() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Gather(0, Tensor.From(new long[] { -1, 0, 1 }, 1, 3)), "gather", "index -1", "size 2");

    [Test]
    public void GatherWithFloatIndex() =>
        Fails<ArgumentException>(() => M23.Gather(1, Tensor.Zeros([2, 1])), "gather", "int64", "float32");

    [Test]
    public void IndexerOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => _ = M23[2, 0], "index 2", "axis 0", "size 2", "[2, 3]");

    [Test]
    public void IndexerNegativeOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => _ = M23[0, -4], "index -4", "axis 1", "size 3", "[2, 3]");

    [Test]
    public void IndexerWithTooFewIndices() =>
        Fails<ArgumentException>(() => _ = M23[1], "1 indices", "[2, 3]");

    // ---------------------------------------------------------------- reshape

    [Test]
    public void ReshapeToAWrongElementCount() =>
        Fails<ArgumentException>(() => M23.Reshape(4, 2), "reshape", "[2, 3]", "[4, 2]", "6", "8");

    [Test]
    public void ReshapeWithMinusOneThatDoesNotDivide() =>
        Fails<ArgumentException>(() => M23.Reshape(-1, 4), "reshape", "[2, 3]", "[-1, 4]");

    [Test]
    public void ReshapeWithTwoMinusOnes() =>
        Fails<ArgumentException>(() => M23.Reshape(-1, -1), "reshape", "-1", "[-1, -1]");

    [Test]
    public void ReshapeWithANegativeDimension() =>
        Fails<ArgumentException>(() => M23.Reshape(-2, -3), "reshape", "-2");

    // ---------------------------------------------------------------- backward

    [Test]
    public void BackwardOnANonScalarWithoutASeed()
    {
        var x = Tensor.Ones([2, 3]).RequireGrad();
        var y = x * 2;
        Fails<InvalidOperationException>(() => y.Backward(), "Backward", "[2, 3]");
    }

    [Test]
    public void BackwardWithASeedOfTheWrongShape()
    {
        var x = Tensor.Ones([2, 3]).RequireGrad();
        var y = x * 2;
        Fails<ArgumentException>(() => y.Backward(Tensor.Ones([3])), "Backward", "[3]", "[2, 3]");
    }

    [Test]
    public void BackwardOnATensorThatDoesNotRequireGrad()
    {
        var y = (Tensor.Ones([3]) * 2).Sum();
        Fails<InvalidOperationException>(() => y.Backward(), "Backward", "does not require grad");
    }

    [Test]
    public void SecondBackwardThroughAReleasedGraph()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();
        var y = (x * x).Sum();
        y.Backward();
        Fails<InvalidOperationException>(() => y.Backward(), "mul", "second time", "retainGraph");
    }

    [Test]
    public void RetainGraphAllowsASecondBackwardThatAccumulates()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 2, 4, 6 }));
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 4, 8, 12 }), "2x accumulated twice");
    }

    [Test]
    public void SettingRequiresGradOnANonLeaf()
    {
        var x = Tensor.Ones([2]).RequireGrad();
        var y = x * 3;
        Fails<InvalidOperationException>(() => y.RequiresGrad = false, "RequiresGrad", "leaf", "mul");
    }

    [Test]
    public void RequiresGradOnAnInt64Tensor()
    {
        var i = Tensor.From(new long[] { 1, 2 });
        Fails<InvalidOperationException>(() => i.RequireGrad(), "RequiresGrad", "int64");
        Assert.That(i.RequiresGrad, Is.False);
    }

    [Test]
    public void AssigningAGradOfTheWrongShape()
    {
        var x = Tensor.Ones([2]).RequireGrad();
        Fails<ArgumentException>(() => x.Grad = Tensor.Ones([3]), "Grad", "[3]", "[2]");
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void AssigningAGradOfTheWrongDType()
    {
        var x = Tensor.Ones([2]).RequireGrad();
        Fails<ArgumentException>(() => x.Grad = Tensor.Ones([2], DType.Float64), "Grad", "float64", "float32");
    }

    [Test]
    public void AutodiffGradWithAnUnusedInput()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var unused = Tensor.From(new double[] { 5, 6, 7 }).RequireGrad();
        var y = (x * x).Sum();
        Fails<InvalidOperationException>(() => Autodiff.Grad([y], [x, unused]), "Grad", "input 1", "[3]", "allowUnused");
    }

    [Test]
    public void AutodiffGradAllowUnusedGivesNull()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var unused = Tensor.From(new double[] { 5, 6, 7 }).RequireGrad();
        var y = (x * x).Sum();
        var grads = Autodiff.Grad([y], [x, unused], allowUnused: true);
        Assert.That(grads, Has.Length.EqualTo(2));
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new double[] { 2, 4 }));
        Assert.That(grads[1], Is.Null);
        Assert.That(x.Grad, Is.Null, "Autodiff.Grad leaves .Grad alone");
    }

    [Test]
    public void AutodiffGradOfAnInputThatDoesNotRequireGrad()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var c = Tensor.From(new double[] { 3, 4 });
        var y = (x * c).Sum();
        Fails<ArgumentException>(() => Autodiff.Grad([y], [c]), "Grad", "input 0", "[2]", "does not require grad");
    }

    [Test]
    public void AutodiffGradWithTheWrongNumberOfSeeds()
    {
        var x = Tensor.Ones([2]).RequireGrad();
        var y = x.Sum();
        Fails<ArgumentException>(() => Autodiff.Grad([y], [x], [null, null]), "Grad", "2", "1");
    }

    // ---------------------------------------------------------------- creation and joining

    [Test]
    public void FromWithDataThatDoesNotFillTheShape() =>
        Fails<ArgumentException>(() => Tensor.From(new float[5], 2, 3), "From", "5", "[2, 3]", "6");

    [Test]
    public void FromWithTooMuchData() =>
        Fails<ArgumentException>(() => Tensor.From(new double[7], 2, 3), "From", "7", "[2, 3]");

    [Test]
    public void FromWithANegativeDimension() =>
        Fails<ArgumentException>(() => Tensor.From(new float[0], 2, -1), "From", "-1", "[2, -1]");

    [Test]
    public void FromAnArrayOfAnUnsupportedElementType() =>
        Fails<ArgumentException>(() => Tensor.From(new short[,] { { 1 } }), "From", "Int16");

    [Test]
    public void ZerosWithANegativeDimension() =>
        Fails<ArgumentException>(() => Tensor.Zeros([3, -2]), "negative dimension", "-2", "[3, -2]");

    [Test]
    public void ArangeWithAZeroStep() =>
        Fails<ArgumentException>(() => Tensor.Arange(0, 1, 0), "Arange", "step");

    [Test]
    public void LinspaceWithNegativeSteps() =>
        Fails<ArgumentException>(() => Tensor.Linspace(0, 1, -1), "Linspace", "-1");

    [Test]
    public void ConcatOfMismatchedShapes() =>
        Fails<ArgumentException>(() => Tensor.Concat([Tensor.Ones([2, 3]), Tensor.Ones([3, 4])]), "concat", "[3, 4]", "[2, 3]", "tensor 1");

    [Test]
    public void ConcatOfMismatchedRanks() =>
        Fails<ArgumentException>(() => Tensor.Concat([Tensor.Ones([2, 3]), Tensor.Ones([3])]), "concat", "[3]", "[2, 3]");

    [Test]
    public void ConcatOfAnEmptyList() =>
        Fails<ArgumentException>(() => Tensor.Concat([]), "concat", "at least one");

    [Test]
    public void ConcatOfZeroDimensionalTensors() =>
        Fails<ArgumentException>(() => Tensor.Concat([Tensor.Scalar(1), Tensor.Scalar(2)]), "concat", "0-d");

    [Test]
    public void StackOfMismatchedShapes() =>
        Fails<ArgumentException>(() => Tensor.Stack([Tensor.Ones([2, 3]), Tensor.Ones([2, 3]), Tensor.Ones([3, 2])]), "stack", "tensor 2", "[3, 2]", "[2, 3]");

    [Test]
    public void StackOfAnEmptyList() =>
        Fails<ArgumentException>(() => Tensor.Stack([]), "stack", "at least one");

    // ---------------------------------------------------------------- reductions and elementwise

    [Test]
    public void MaxOverAnEmptyAxis() =>
        Fails<ArgumentException>(() => Tensor.Zeros([2, 0]).Max(1), "max", "[2, 0]", "size 0");

    [Test]
    public void MinOfAnEmptyTensor() =>
        Fails<ArgumentException>(() => Tensor.Zeros([0]).Min(), "min", "[0]");

    [Test]
    public void ArgMaxOfAnEmptyTensor() =>
        Fails<ArgumentException>(() => Tensor.Zeros([0, 3]).ArgMax(), "argmax", "[0, 3]");

    [Test]
    public void ClampWithMinAboveMax() =>
        Fails<ArgumentException>(() => Tensor.Ones([3]).Clamp(3, 1), "clamp", "min 3", "max 1");

    [Test]
    public void ElementwiseOpOnInt64() =>
        Fails<ArgumentException>(() => Tensor.From(new long[] { 1, 2 }).Exp(), "exp", "int64", "[2]");

    // ---------------------------------------------------------------- slicing and reading

    [Test]
    public void SliceWithStepZero() =>
        Fails<ArgumentException>(() => Tensor.Arange(5).Slice(0, 0, 5, 0), "slice", "step", "0");

    [Test]
    public void SliceWithANegativeStep() =>
        Fails<ArgumentException>(() => Tensor.Arange(5).Slice(0, null, null, -1), "slice", "step", "-1");

    [Test]
    public void SliceOfAZeroDimensionalTensor() =>
        Fails<ArgumentException>(() => Tensor.Scalar(1).Slice(0), "slice", "0-d");

    [Test]
    public void ItemOnAMultiElementTensor() =>
        Fails<InvalidOperationException>(() => Tensor.Ones([2, 2]).Item(), "Item", "[2, 2]");

    [Test]
    public void ItemOnAnEmptyTensor() =>
        Fails<InvalidOperationException>(() => Tensor.Zeros([0]).Item(), "Item", "[0]");

    [Test]
    public void CopyToATooShortSpan() =>
        Fails<ArgumentException>(() => M23.CopyTo<float>(new float[5]), "CopyTo", "5", "[2, 3]", "6");

    [Test]
    public void NextIntWithANonPositiveBound() =>
        Fails<ArgumentOutOfRangeException>(() => new Generator(1).NextInt(0), "NextInt");
}
