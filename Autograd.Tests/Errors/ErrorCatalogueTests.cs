using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;
using BindingFlags = System.Reflection.BindingFlags;
using MethodInfo = System.Reflection.MethodInfo;
using static Autograd.Tests.Nn.IdxFiles;

namespace Autograd.Tests;

/// <summary>
/// The tests behind docs/errors.md, the bad-input catalogue: one test per row that no other test covers with an
/// assertion on the exception type and on a message naming the op and the values at fault; the "not an error" rows
/// (where PyTorch returns a value, so do we); and a meta-test that every test the catalogue cites exists.
/// </summary>
public partial class ErrorCatalogueTests
{
    /// <summary>Asserts that <paramref name="code"/> throws exactly <typeparamref name="TException"/> with every fragment in its message.</summary>
    private static TException Fails<TException>(TestDelegate code, params string[] fragments) where TException : Exception
    {
        var ex = Assert.Throws<TException>(code)!;
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f), $"message: {ex.Message}");
        return ex;
    }

    private static int Line([CallerLineNumber] int line = 0) => line;

    private static Tensor M23 => Tensor.Arange(6).Reshape(2, 3);

    private static Tensor X3() => Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();

    private string _dir = "";

    [SetUp]
    public void CreateTempDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-errors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // ================================================================ tensor creation and reading

    [Test]
    public void FromWithAnEmptyShapeAndTwoValues() =>
        Fails<ArgumentException>(() => Tensor.From(new double[] { 1, 2 }, []), "From", "2 values", "shape []", "1 elements");

    [Test]
    public void FromOfAnUnsupportedElementType()
    {
        Fails<ArgumentException>(() => Tensor.From<short>(new short[] { 1, 2 }), "From", "Int16", "float, double, long or int");
        Fails<ArgumentException>(() => Tensor.From(System.Numerics.Tensors.Tensor.Create(new short[] { 1, 2 }, [2])), "From", "Int16");
    }

    [Test]
    public void CreationWithANegativeDimensionNamesTheFunction()
    {
        Fails<ArgumentException>(() => Tensor.Ones([2, -1]), "Ones", "negative dimension -1", "[2, -1]");
        Fails<ArgumentException>(() => Tensor.Full([-3], 1.0), "Full", "negative dimension -3");
        Fails<ArgumentException>(() => Tensor.Uniform([-1], new Generator(0)), "Uniform", "negative dimension -1");
        Fails<ArgumentException>(() => Tensor.Normal([4, -2], new Generator(0)), "Normal", "negative dimension -2", "[4, -2]");
        Fails<ArgumentException>(() => Tensor.Eye(-1), "Eye", "n = -1");
        Fails<ArgumentException>(() => Tensor.Eye(2, -4), "Eye", "m = -4");
    }

    [Test]
    public void CreationOfMoreThanArrayMaxLengthElements()
    {
        // Rejected from the shape alone: nothing is allocated, so there is no OutOfMemoryException.
        Fails<ArgumentException>(() => Tensor.Zeros([100_000, 100_000]), "Zeros", "[100000, 100000]", $"more than {Array.MaxLength} elements");
        Fails<ArgumentException>(() => Tensor.Arange(0, 1e12), "Arange", "end=1000000000000", "1000000000000 elements", $"more than {Array.MaxLength}");
    }

    [Test]
    public void ArangeWithAZeroOrNaNStep()
    {
        Fails<ArgumentException>(() => Tensor.Arange(0, 1, 0), "Arange", "step must be non-zero", "got 0");
        Fails<ArgumentException>(() => Tensor.Arange(0, 1, double.NaN), "Arange", "got NaN");
    }

    [Test]
    public void ArangeWithInfiniteOrNaNBounds()
    {
        Fails<ArgumentException>(() => Tensor.Arange(0, double.PositiveInfinity), "Arange", "start=0", "end=Infinity", "finite");
        Fails<ArgumentException>(() => Tensor.Arange(double.NaN, 3), "Arange", "start=NaN");
    }

    [Test]
    public void UniformWithLowAboveHighOrNonFiniteBounds()
    {
        Fails<ArgumentException>(() => Tensor.Uniform([2], new Generator(0), 1, 0), "Uniform", "low = 1", "high = 0");
        Fails<ArgumentException>(() => Tensor.Uniform([2], new Generator(0), double.NaN, 1), "Uniform", "low = NaN");
        Fails<ArgumentException>(() => Tensor.Uniform([2], new Generator(0), 0, double.PositiveInfinity), "Uniform", "high = Infinity");
    }

    [Test]
    public void NormalWithANegativeOrNaNStd()
    {
        Fails<ArgumentException>(() => Tensor.Normal([2], new Generator(0), 0, -1), "Normal", "std >= 0", "std = -1");
        Fails<ArgumentException>(() => Tensor.Normal([2], new Generator(0), 0, double.NaN), "Normal", "std = NaN");
    }

    [Test]
    public void Int64FillValueThatHasNoInt64Representation()
    {
        Fails<ArgumentException>(() => Tensor.Full([2], double.NaN, DType.Int64), "Full", "NaN", "int64");
        Fails<ArgumentException>(() => Tensor.Scalar(1e19, DType.Int64), "Scalar", "1E+19", "int64");
        Fails<ArgumentException>(() => Tensor.Full([1], double.NegativeInfinity, DType.Int64), "Full", "-Infinity");
    }

    [Test]
    public void RandomCreationWithANullGenerator()
    {
        var e = Fails<ArgumentNullException>(() => Tensor.Uniform([2], (Generator)null!), "generator");
        Assert.That(e.ParamName, Is.EqualTo("generator"));
        Fails<ArgumentNullException>(() => Tensor.Randn([2], null!), "generator");
    }

    [Test]
    public void RandomCreationOfAnInt64Tensor()
    {
        var g = new Generator(1);
        Fails<ArgumentException>(() => Tensor.Uniform([2], g, 0, 10, DType.Int64), "Uniform", "int64", "Float32 or Float64");
        Fails<ArgumentException>(() => Tensor.Normal([2], g, dtype: DType.Int64), "Normal", "int64");
        Fails<ArgumentException>(() => Tensor.Rand([2], DType.Int64), "Rand", "int64");
        Fails<ArgumentException>(() => Tensor.Randn([2], g, DType.Int64), "Randn", "int64");
    }

    [Test]
    public void NextIntWithANonPositiveBoundNamesTheValue()
    {
        Fails<ArgumentOutOfRangeException>(() => new Generator(1).NextInt(0), "NextInt", "must be positive", "Actual value was 0");
        Fails<ArgumentOutOfRangeException>(() => new Generator(1).NextInt(-5), "NextInt", "Actual value was -5");
    }

    [Test]
    public void IndexerOutOfRangeNamesTheIndexer()
    {
        Fails<ArgumentOutOfRangeException>(() => _ = M23[2, 0], "indexer", "index 2", "axis 0", "size 2", "[2, 3]");
        Fails<ArgumentOutOfRangeException>(() => _ = M23[0, -4], "indexer", "index -4", "axis 1", "size 3");
    }

    [Test]
    public void IndexerWithTheWrongNumberOfIndices()
    {
        Fails<ArgumentException>(() => _ = M23[1], "indexer", "got 1 indices", "[2, 3]");
        Fails<ArgumentException>(() => _ = Tensor.Scalar(3)[0], "indexer", "got 1 indices", "shape []");
    }

    [Test]
    public void ItemOfAValueThatDoesNotFitTheRequestedType()
    {
        var e = Fails<OverflowException>(() => Tensor.Scalar(1e20, DType.Float64).Item<int>(), "Item", "1E+20", "float64", "Int32");
        Assert.That(e.InnerException, Is.InstanceOf<OverflowException>());
        Fails<OverflowException>(() => Tensor.Scalar(double.NaN, DType.Float64).Item<long>(), "Item", "NaN", "Int64");
        // an int64 element is named as it is, not rounded through double (which made long.MaxValue "not fit in Int64")
        var max = Tensor.From(new long[] { long.MaxValue });
        Fails<OverflowException>(() => max.Item<int>(), "Item", "9223372036854775807", "int64", "Int32");
        Assert.That(max.Item<long>(), Is.EqualTo(long.MaxValue));
    }

    [Test]
    public void SizeOfAnAxisThatDoesNotExist()
    {
        Fails<ArgumentOutOfRangeException>(() => M23.Size(2), "Size", "axis 2", "rank 2");
        // Used to escape as an IndexOutOfRangeException: a 0-d tensor accepted axis 0 and -1.
        Fails<ArgumentOutOfRangeException>(() => Tensor.Scalar(1).Size(0), "Size", "0-d", "axis 0");
        Fails<ArgumentOutOfRangeException>(() => Tensor.Scalar(1).Size(-1), "Size", "0-d", "axis -1");
    }

    [Test]
    public void NotAnError_EmptyTensorsAndEmptyRanges()
    {
        Assert.That(Tensor.Zeros([0, 3]).Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(Tensor.Arange(0, 5, -1).Shape, Is.EqualTo(new[] { 0 }), "a step pointing away from end gives an empty range, as torch.arange");
        Assert.That(Tensor.Linspace(0, 1, 0).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.Eye(0).Shape, Is.EqualTo(new[] { 0, 0 }));
        Assert.That(Tensor.Uniform([3], new Generator(0), 2, 2).ToArray<double>(), Is.All.EqualTo(2), "low = high gives that value");
        Assert.That(Tensor.Normal([3], new Generator(0), 5, 0).ToArray<double>(), Is.All.EqualTo(5), "std = 0 gives the mean");
    }

    [Test]
    public void NotAnError_FloatToInt64TruncatesTowardZero()
    {
        Assert.That(Tensor.From(new double[] { 1.7, -1.7, 2.5 }).To(DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 1, -1, 2 }));
        Assert.That(Tensor.Full([1], 2.9, DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 2 }));
    }

    // ================================================================ elementwise

    [Test]
    public void ComparisonOfShapesThatDoNotBroadcast() =>
        Fails<ArgumentException>(() => M23.Gt(Tensor.Ones([4])), "gt", "[2, 3]", "[4]", "3 vs 4");

    [Test]
    public void PowOfInt64Tensors()
    {
        var i = Tensor.From(new long[] { 1, 2 });
        Fails<ArgumentException>(() => i.Pow(2), "pow", "int64", "[2]");
        Fails<ArgumentException>(() => i.Pow(i), "pow", "int64", "[2]");
    }

    [Test]
    public void NotAnError_ComparingTwoInt64TensorsGivesAnInt64Mask()
    {
        var i = Tensor.From(new long[] { 1, 2 });
        Assert.That(i.Eq(Tensor.From(new long[] { 1, 3 })).ToArray<long>(), Is.EqualTo(new long[] { 1, 0 }));
        // exactly, also past 2^53, where two longs can round to one double
        var big = Tensor.From(new long[] { (1L << 53) + 1, long.MaxValue });
        Assert.That(big.Eq(Tensor.From(new long[] { 1L << 53, long.MaxValue - 1 })).ToArray<long>(), Is.EqualTo(new long[] { 0, 0 }));
    }

    [Test]
    public void NotAnError_DivisionByZeroGivesInfinityOrNaN()
    {
        var y = Tensor.From(new double[] { 1, -1, 0 }) / 0.0;
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN }));
    }

    [Test]
    public void NotAnError_OutOfDomainGivesNaN()
    {
        var x = Tensor.From(new double[] { -1 });
        Assert.That(x.Sqrt().Item(), Is.NaN);
        Assert.That(x.Log().Item(), Is.NaN);
        Assert.That(x.Pow(0.5).Item(), Is.NaN);
    }

    [Test]
    public void NotAnError_NaNPropagates()
    {
        var nan = Tensor.From(new double[] { double.NaN });
        Assert.That(Tensor.Maximum(nan, Tensor.From(new double[] { 1 })).Item(), Is.NaN, "torch.maximum propagates NaN");
        Assert.That(nan.Clamp(0, 1).Item(), Is.NaN);
        Assert.That(nan.Relu().Item(), Is.NaN);
        Assert.That(Tensor.Ones([2]).Clamp(double.NaN, 1).ToArray<double>(), Is.All.NaN, "a NaN bound gives NaN, as torch.clamp");
    }

    [Test]
    public void NotAnError_Int64MeetsFloatPromotes()
    {
        var y = Tensor.From(new long[] { 1, 2 }) + Tensor.From(new float[] { 0.5f, 0.5f });
        Assert.That(y.DType, Is.EqualTo(DType.Float32));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1.5, 2.5 }));
        Assert.That(Tensor.From(new long[] { 1, 0 }).Gt(0.5).ToArray<double>(), Is.EqualTo(new double[] { 1, 0 }));
    }

    // ================================================================ reductions

    [Test]
    public void LogSoftmaxAxisOutOfRangeNamesLogSoftmax() =>
        Fails<ArgumentOutOfRangeException>(() => M23.LogSoftmax(5), "log_softmax", "axis 5", "rank 2");

    [Test]
    public void LogSumExpAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.LogSumExp(-3), "logsumexp", "axis -3", "rank 2");

    [Test]
    public void ReductionOverARepeatedAxis()
    {
        Fails<ArgumentException>(() => M23.Sum([0, -2]), "sum", "axis -2", "more than once", "[0, -2]");
        Fails<ArgumentException>(() => M23.Mean([1, 1]), "mean", "axis 1", "[1, 1]");
    }

    [Test]
    public void ReductionOfAnInt64TensorNamesTheReduction()
    {
        var i = Tensor.From(new long[] { 1, 2 });
        Fails<ArgumentException>(() => i.Mean(), "mean", "int64", "[2]");
        Fails<ArgumentException>(() => i.Max(), "max", "int64");
        Fails<ArgumentException>(() => i.Softmax(), "softmax", "int64");
    }

    [Test]
    public void ArgMaxAlongAnEmptyAxis() =>
        Fails<ArgumentException>(() => Tensor.Zeros([2, 0]).ArgMax(1), "argmax", "axis 1", "size 0", "[2, 0]");

    [Test]
    public void NotAnError_EmptyReductions()
    {
        Assert.That(Tensor.Zeros([0]).Sum().Item(), Is.EqualTo(0), "sum of nothing is 0");
        Assert.That(Tensor.Zeros([0]).Mean().Item(), Is.NaN, "mean of nothing is 0/0");
        Assert.That(Tensor.Zeros([2, 0]).Mean(1).ToArray<double>(), Is.EqualTo(new[] { double.NaN, double.NaN }));
        Assert.That(Tensor.Zeros([2, 0]).Sum(1).ToArray<double>(), Is.EqualTo(new double[] { 0, 0 }));
        Assert.That(Tensor.Zeros([0]).LogSumExp().Item(), Is.EqualTo(double.NegativeInfinity), "log Σ over nothing = log 0");
        Assert.That(Tensor.Zeros([0, 3]).Softmax(0).Shape, Is.EqualTo(new[] { 0, 3 }));
        // Reducing a non-empty axis of an empty tensor is fine: the result is empty.
        Assert.That(Tensor.Zeros([2, 0]).Max(0).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.Zeros([2, 0]).ArgMax(0).Shape, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void NotAnError_ReductionsOfA0DTensorOverAxis0OrMinus1()
    {
        // PyTorch wraps a 0-d tensor's axis: dim 0 and -1 are accepted and reduce nothing.
        Assert.That(Tensor.Scalar(3).Sum(0).Item(), Is.EqualTo(3));
        Assert.That(Tensor.Scalar(3).Max(-1).Item(), Is.EqualTo(3));
        Assert.That(Tensor.Scalar(3).Softmax(0).Item(), Is.EqualTo(1));
        Assert.That(Tensor.Scalar(3).ArgMax(0).Item(), Is.EqualTo(0));
    }

    [Test]
    public void NotAnError_NaNInMaxAndArgMax()
    {
        var x = Tensor.From(new double[] { 1, double.NaN, 2 });
        Assert.That(x.Max().Item(), Is.NaN, "NaN counts as the maximum, as torch.max");
        Assert.That(x.ArgMax().Item(), Is.EqualTo(1));
        Assert.That(Tensor.Full([2], double.NegativeInfinity).LogSumExp().Item(), Is.EqualTo(double.NegativeInfinity));
    }

    // ================================================================ movement and indexing

    [Test]
    public void FlattenWithStartAfterEnd() =>
        Fails<ArgumentException>(() => M23.Flatten(1, 0), "flatten", "startAxis 1", "endAxis 0", "[2, 3]");

    [Test]
    public void FlattenAxisOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => M23.Flatten(0, 3), "flatten", "axis 3", "rank 2");

    [Test]
    public void IndexSelectWithTwoDimensionalIndices() =>
        Fails<ArgumentException>(() => M23.IndexSelect(0, Tensor.From(new long[] { 0 }, 1, 1)), "index_select", "1-D int64", "[1, 1]");

    [Test]
    public void GatherWithAnIndexOfAnotherRank() =>
        Fails<ArgumentException>(() => M23.Gather(1, Tensor.From(new long[] { 0 })), "gather", "index of shape [1]", "input of shape [2, 3]", "same rank");

    [Test]
    public void GatherWithAnIndexLargerThanTheInput() =>
        Fails<ArgumentException>(() => M23.Gather(1, Tensor.From(new long[9], 3, 3)), "gather", "[3, 3]", "[2, 3]", "axis 0");

    [Test]
    public void GatherOfA0DTensorWithAnIndexOtherThanZero()
    {
        // Used to return the element for any index: the 0-d case never checked it.
        Fails<ArgumentOutOfRangeException>(() => Tensor.Scalar(5).Gather(0, Tensor.Scalar(1, DType.Int64)), "gather", "index 1", "0-d");
        Fails<ArgumentOutOfRangeException>(() => Tensor.Scalar(5).Gather(0, Tensor.Scalar(-1, DType.Int64)), "gather", "index -1");
        Assert.That(Tensor.Scalar(5).Gather(0, Tensor.Scalar(0, DType.Int64)).Item(), Is.EqualTo(5));
    }

    [Test]
    public void ConcatOrStackWithANullTensor()
    {
        Fails<ArgumentNullException>(() => Tensor.Concat([M23, null!]), "concat", "tensor 1 of 2 is null");
        Fails<ArgumentNullException>(() => Tensor.Stack([null!, M23]), "stack", "tensor 0 of 2 is null");
    }

    [Test]
    public void NotAnError_SliceBoundsAreClipped()
    {
        Assert.That(M23.Slice(1, 5, 10).Shape, Is.EqualTo(new[] { 2, 0 }), "Python's rules: out-of-range bounds clip");
        Assert.That(M23.Slice(1, 2, 1).Shape, Is.EqualTo(new[] { 2, 0 }), "stop before start is empty");
        Assert.That(M23.Slice(1, -100, 2).ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 3, 4 }));
    }

    [Test]
    public void NotAnError_EmptySelectionsAndNoOpSqueeze()
    {
        Assert.That(M23.IndexSelect(0).Shape, Is.EqualTo(new[] { 0, 3 }), "no indices select nothing");
        Assert.That(M23.Squeeze(0).Shape, Is.EqualTo(new[] { 2, 3 }), "squeezing an axis of size ≠ 1 does nothing, as torch.squeeze");
        Assert.That(Tensor.Ones([1]).BroadcastTo(0).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.Concat([Tensor.Zeros([0]), Tensor.Ones([2])]).ToArray<double>(), Is.EqualTo(new double[] { 1, 1 }));
    }

    // ================================================================ matmul

    [Test]
    public void MatMulWithAnInt64Operand() =>
        Fails<ArgumentException>(() => Tensor.Ones([2, 3]).MatMul(Tensor.Ones([3, 2], DType.Int64)), "matmul", "int64", "[3, 2]");

    [Test]
    public void NotAnError_MatMulShapesAtTheEdges()
    {
        var c = Tensor.Ones([2, 0]).MatMul(Tensor.Ones([0, 3]));
        Assert.That(c.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(c.ToArray<double>(), Is.All.EqualTo(0), "an empty inner sum is 0");
        Assert.That(Tensor.Ones([3]).MatMul(Tensor.Ones([3])).Shape, Is.Empty, "vector · vector is 0-d");
        Assert.That(Tensor.Ones([2, 3]).MatMul(Tensor.Ones([3, 2], DType.Float64)).DType, Is.EqualTo(DType.Float64), "float32 · float64 promotes");
    }

    // ================================================================ autograd: Backward, Autodiff.Grad, hooks, anomaly mode

    [Test]
    public void AutodiffGradWithNullArguments()
    {
        var x = X3();
        var y = (x * x).Sum();
        Assert.That(Fails<ArgumentNullException>(() => Autodiff.Grad(null!, [x])).ParamName, Is.EqualTo("outputs"));
        Assert.That(Fails<ArgumentNullException>(() => Autodiff.Grad([y], null!)).ParamName, Is.EqualTo("inputs"));
        Fails<ArgumentNullException>(() => Autodiff.Grad([y, null!], [x]), "Grad", "output 1 is null");
        Fails<ArgumentNullException>(() => Autodiff.Grad([y], [null!]), "Grad", "input 0 is null");
    }

    [Test]
    public void AutodiffGradOfAnOutputThatDoesNotRequireGrad()
    {
        var x = X3();
        Fails<InvalidOperationException>(() => Autodiff.Grad(x.ArgMax(), x), "Grad", "output 0", "does not require grad");
    }

    [Test]
    public void RegisterHookOnATensorThatDoesNotRequireGrad() =>
        Fails<InvalidOperationException>(() => Tensor.Ones([2]).RegisterHook(_ => null), "RegisterHook", "[2]", "does not require grad");

    [Test]
    public void HookReturningAGradientOfTheWrongShapeOrDType()
    {
        var x = X3();
        using (x.RegisterHook(_ => Tensor.Zeros([2], DType.Float64)))
            Fails<InvalidOperationException>(() => (x * 2.0).Sum().Backward(), "hook on leaf", "[2] (float64)", "[3] (float64)");
        var x2 = X3();
        var h = x2 * 2.0;
        using (h.RegisterHook(g => g.To(DType.Float32)))
            Fails<InvalidOperationException>(() => (h * h).Sum().Backward(), "hook on mul", "(float32)", "[3] (float64)");
    }

    [Test]
    public void AnomalyModeNamesTheOpProducingMinusInfinityInForward()
    {
        var x = Tensor.From(new double[] { 1, 0 }).RequireGrad();
        using var anomaly = Autodiff.DetectAnomaly();
        int line = 0;
        var e = Fails<InvalidOperationException>(() => { line = Line() + 1;
            x.Log(); }, "Anomaly", "op 'log'", "-Inf", "flat index 1", "[2]", "in forward");
        Assert.That(e.Message, Does.Contain($"ErrorCatalogueTests.cs:{line}"), "the line that created the op");
    }

    [Test]
    public void AnomalyModeCatchesANaNSeedInBackward()
    {
        var x = X3();
        using var anomaly = Autodiff.DetectAnomaly();
        var y = x * 2.0;
        Fails<InvalidOperationException>(() => y.Backward(Tensor.Full([3], double.NaN, DType.Float64)), "Anomaly", "backward of op 'mul'", "NaN", "input 0", "[3]");
    }

    [Test]
    public void NotAnError_NaNFlowsSilentlyOutsideAnomalyMode()
    {
        var x = Tensor.From(new double[] { -1, 4 }).RequireGrad();
        var y = x.Sqrt().Sum();
        Assert.That(y.Item(), Is.NaN);
        y.Backward();
        Assert.That(x.Grad!.ToArray<double>()[0], Is.NaN);
        Assert.That(x.Grad!.ToArray<double>()[1], Is.EqualTo(0.25));
        using (Autodiff.DetectAnomaly())
            Assert.That(Tensor.From(new double[] { -1 }).Sqrt().Item(), Is.NaN, "ops that are not recorded are not checked");
    }

    [Test]
    public void NotAnError_BackwardThroughEmptyTensors()
    {
        var x = Tensor.Zeros([0, 3], DType.Float64).RequireGrad();
        x.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
        var s = Tensor.Scalar(2, DType.Float64).RequireGrad();
        s.Backward();
        Assert.That(s.Grad!.Item(), Is.EqualTo(1), "backward on a one-element leaf seeds it with 1");
    }

    // ================================================================ functional transforms

    [Test]
    public void VjpWithoutVOfANonScalarFunction() =>
        Fails<ArgumentException>(() => Functional.Vjp(xs => xs[0] * 2.0, [X3()]), "Vjp", "v can be omitted only", "shape [3]");

    [Test]
    public void VjpWithVOfTheWrongShape() =>
        Fails<ArgumentException>(() => Functional.Vjp(xs => xs[0] * 2.0, [X3()], Tensor.Ones([2])), "Vjp", "v of shape [2]", "output of shape [3]");

    [Test]
    public void JvpWithTheWrongNumberOrShapeOfTangents()
    {
        Fails<ArgumentException>(() => Functional.Jvp(xs => xs[0] * 2.0, [X3()], []), "Jvp", "0 tangents", "1 inputs");
        Fails<ArgumentException>(() => Functional.Jvp(xs => xs[0] * 2.0, [X3()], [Tensor.Ones([2])]), "Jvp", "tangent 0 of shape [2]", "input 0 of shape [3]");
    }

    [Test]
    public void HvpWithTheWrongVectorsOrANonScalarFunction()
    {
        Fails<ArgumentException>(() => Functional.Hvp(xs => xs[0].Sum(), [X3()], []), "Hvp", "0 vectors", "1 inputs");
        Fails<ArgumentException>(() => Functional.Hvp(xs => (xs[0] * xs[0]).Sum(), [X3()], [Tensor.Ones([2])]), "Hvp", "vector 0 of shape [2]", "input 0 of shape [3]");
        Fails<ArgumentException>(() => Functional.Hvp(xs => xs[0] * 2.0, [X3()], [Tensor.Ones([3])]), "Hvp", "single element", "shape [3]");
    }

    [Test]
    public void FunctionalTransformOfAnInt64Input()
    {
        var i = Tensor.From(new long[] { 1, 2 });
        Fails<ArgumentException>(() => Functional.Jacobian(xs => xs[0].To(DType.Float64), [i]), "Jacobian", "input 0 is int64", "[2]");
        Fails<ArgumentException>(() => Functional.Vjp(xs => xs[0].To(DType.Float64).Sum(), [i]), "Vjp", "input 0 is int64");
        Fails<ArgumentException>(() => Functional.Hessian(x => x.To(DType.Float64).Sum(), i), "Hessian", "int64", "[2]");
    }

    [Test]
    public void FunctionalTransformWithANullFunctionOrANullResult()
    {
        Assert.That(Fails<ArgumentNullException>(() => Functional.Jacobian((Func<Tensor, Tensor>)null!, X3())).ParamName, Is.EqualTo("function"));
        Assert.That(Fails<ArgumentNullException>(() => Functional.Vjp(null!, [X3()])).ParamName, Is.EqualTo("function"));
        Fails<InvalidOperationException>(() => Functional.Vjp(_ => null!, [X3()]), "Vjp", "returned null");
        Fails<InvalidOperationException>(() => Functional.Hessian(_ => null!, X3()), "Hessian", "returned null");
    }

    // ================================================================ GradCheck

    [Test]
    public void GradCheckWithNoInputThatRequiresGrad()
    {
        Fails<ArgumentException>(() => GradCheck.Check(xs => xs[0] * 2.0, [Tensor.Ones([2], DType.Float64)]), "GradCheck", "no input requires grad");
        Fails<ArgumentException>(() => GradCheck.CheckSecondOrder(xs => xs[0] * 2.0, [Tensor.Ones([2], DType.Float64)]), "GradCheck", "no input requires grad");
    }

    [Test]
    public void GradCheckOfAFunctionReturningInt64()
    {
        Fails<ArgumentException>(() => GradCheck.Check(xs => xs[0].ArgMax(), [X3()]), "GradCheck", "int64", "floating point");
        Fails<ArgumentException>(() => GradCheck.CheckSecondOrder(xs => xs[0].ArgMax(), [X3()]), "GradCheck", "int64", "floating point");
    }

    [Test]
    public void GradCheckWithInvalidOptions()
    {
        // Eps = 0 or NaN gave a NaN "FAILED" report, negative tolerances failed everything, and
        // Projections = 0 passed without comparing anything.
        Fails<ArgumentException>(() => GradCheck.Check(xs => xs[0] * 2.0, [X3()], new GradCheckOptions { Eps = 0 }), "GradCheck", "Eps", "got 0");
        Fails<ArgumentException>(() => GradCheck.Check(xs => xs[0] * 2.0, [X3()], new GradCheckOptions { Eps = double.NaN }), "GradCheck", "Eps", "got NaN");
        Fails<ArgumentException>(() => GradCheck.Check(xs => xs[0] * 2.0, [X3()], new GradCheckOptions { Atol = -1 }), "GradCheck", "tolerances", "Atol = -1");
        Fails<ArgumentException>(() => GradCheck.Check(xs => xs[0] * 2.0, [X3()], new GradCheckOptions { FastMode = true, Projections = 0 }),
            "GradCheck", "Projections = 0");
        Fails<ArgumentException>(() => GradCheck.CheckSecondOrder(xs => xs[0] * 2.0, [X3()], new GradCheckOptions { Rtol = double.NaN }), "GradCheck", "Rtol = NaN");
    }

    [Test]
    public void GradCheckOfAFunctionWhoseOutputSizeChanges()
    {
        int calls = 0;
        Fails<InvalidOperationException>(() => GradCheck.Check(xs => calls++ == 0 ? xs[0] * 2.0 : (xs[0] * 2.0).Slice(0, 0, 1), [X3()]),
            "GradCheck", "1 elements after a perturbation", "3 before");
    }

    [Test]
    public void GradCheckAssertOfAWrongGradientNamesTheWorstEntry()
    {
        // d/dx of x.Detach()·2 + x is 1 to the engine but 3 numerically.
        var e = Fails<GradCheckException>(() => GradCheck.Assert(xs => xs[0].Detach() * 2.0 + xs[0], [X3()]),
            "GradCheck FAILED", "input 0: MISMATCH", "worst at input[", "analytic 1, numeric ");
        Assert.That(e, Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void GradCheckWithANullInputOrANullResult()
    {
        Fails<ArgumentNullException>(() => GradCheck.Check(xs => xs[1] * 2.0, [X3(), null!]), "GradCheck", "input 1 is null");
        Fails<InvalidOperationException>(() => GradCheck.Check(_ => null!, [X3()]), "GradCheck", "returned null");
    }

    [Test]
    public void NotAnError_GradCheckCheckReportsAMismatchWithoutThrowing()
    {
        var result = GradCheck.Check(xs => xs[0].Detach() * 2.0 + xs[0], [X3()]);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.ToString(), Does.Contain("MISMATCH"));
        var empty = GradCheck.Check(xs => xs[0] * 2.0, [Tensor.Zeros([0], DType.Float64).RequireGrad()]);
        Assert.That(empty.Passed, Is.True);
        Assert.That(empty.ToString(), Does.Contain("nothing to compare"));
    }

    // ================================================================ custom functions

    private sealed class Doubler : CustomFunction
    {
        private SavedTensor _x;
        public SavedTensor SavedInput => _x;

        protected override Tensor Forward(Tensor[] inputs)
        {
            _x = SaveForBackward(inputs[0]);
            return inputs[0] * 2.0;
        }

        protected override Tensor?[] Backward(Tensor grad) => [grad * 2.0 + _x.Value * 0.0];
    }

    private sealed class IntOutput : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0].ArgMax();
        protected override Tensor?[] Backward(Tensor grad) => [grad];
    }

    private sealed class WrongCount : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;
        protected override Tensor?[] Backward(Tensor grad) => [grad, grad];
    }

    private sealed class WrongShape : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;
        protected override Tensor?[] Backward(Tensor grad) => [grad.Sum()];
    }

    private sealed class WrongDType : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;
        protected override Tensor?[] Backward(Tensor grad) => [grad.To(DType.Float32)];
    }

    private sealed class NullGradients : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;
        protected override Tensor?[] Backward(Tensor grad) => null!;
    }

    private sealed class NullForward : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => null!;
        protected override Tensor?[] Backward(Tensor grad) => [grad];
    }

    private sealed class NaNBackward : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;
        protected override Tensor?[] Backward(Tensor grad) => [grad * double.NaN];
    }

    [Test]
    public void CustomFunctionWithAnUnmarkedInt64Output() =>
        Fails<InvalidOperationException>(() => new IntOutput().Apply(X3()), "IntOutput", "int64 output", "MarkNonDifferentiable");

    [Test]
    public void CustomFunctionBackwardReturningTheWrongNumberOfGradients() =>
        Fails<InvalidOperationException>(() => new WrongCount().Apply(X3()).Sum().Backward(), "WrongCount", "returned 2 gradients for 1 inputs");

    [Test]
    public void CustomFunctionBackwardReturningTheWrongShapeOrDType()
    {
        Fails<InvalidOperationException>(() => new WrongShape().Apply(X3()).Sum().Backward(), "WrongShape", "shape [] (float64)", "input 0 of shape [3] (float64)");
        Fails<InvalidOperationException>(() => new WrongDType().Apply(X3()).Sum().Backward(), "WrongDType", "[3] (float32)", "input 0 of shape [3] (float64)");
    }

    [Test]
    public void CustomFunctionBackwardReturningNull() =>
        Fails<InvalidOperationException>(() => new NullGradients().Apply(X3()).Sum().Backward(), "NullGradients", "backward returned null", "1 gradients");

    [Test]
    public void CustomFunctionForwardReturningNullOrANullInput()
    {
        Fails<InvalidOperationException>(() => new NullForward().Apply(X3()), "NullForward", "Forward returned null");
        Fails<ArgumentNullException>(() => new Doubler().Apply(null!, X3()), "Doubler", "input 0 is null");
    }

    [Test]
    public void CustomFunctionSavedTensorModifiedInPlace()
    {
        var x = X3();
        var y = new Doubler().Apply(x).Sum();
        using (Autodiff.NoGrad()) x.MulInPlace(2);
        Fails<InvalidOperationException>(() => y.Backward(), "Doubler", "[3]", "modified in place", "version 0 when saved", "1 now");
    }

    [Test]
    public void CustomFunctionSavedTensorReadAfterTheGraphWasReleased()
    {
        var d = new Doubler();
        d.Apply(X3()).Sum().Backward();
        Fails<InvalidOperationException>(() => _ = d.SavedInput.Value, "Doubler", "second time", "released", "retainGraph: true");
    }

    [Test]
    public void AnomalyModeNamesACustomFunctionWhoseBackwardProducesNaN()
    {
        using var anomaly = Autodiff.DetectAnomaly();
        var y = new NaNBackward().Apply(X3()).Sum();
        Fails<InvalidOperationException>(() => y.Backward(), "Anomaly", "backward of op 'NaNBackward'", "NaN", "input 0", "[3]", "ErrorCatalogueTests.cs:");
    }

    // ================================================================ in-place ops

    [Test]
    public void InPlaceOnATensorThatRequiresGradNamesTheTensor()
    {
        Fails<InvalidOperationException>(() => X3().MulInPlace(2), "mul_", "a leaf of shape [3]", "Autodiff.NoGrad()", "leaf Variable that requires grad");
        Fails<InvalidOperationException>(() => X3().AddInPlace(X3()), "add_", "a leaf of shape [3]");
        // A result that requires grad is written on the graph (InPlaceGraphTests), not refused.
        Assert.That((X3() * 2.0).AddInPlace(1).GradFnName, Is.EqualTo("add"));
    }

    [Test]
    public void InPlaceIntoABroadcastView() =>
        Fails<InvalidOperationException>(() => Tensor.From(new double[] { 1, 2 }).BroadcastTo(3, 2).MulInPlace(2), "mul_", "broadcast view", "[3, 2]", "Contiguous()");

    [Test]
    public void InPlaceWithAnOperandThatDoesNotBroadcast()
    {
        var x = Tensor.Zeros([2]);
        Fails<ArgumentException>(() => x.AddInPlace(Tensor.Ones([3])), "add_", "[2]", "[3]", "cannot be broadcast");
        Fails<ArgumentException>(() => x.CopyFrom(Tensor.Ones([3])), "copy_", "[3]", "[2]");
        Fails<ArgumentException>(() => x.ClampInPlace(3, 1), "clamp_", "min 3", "max 1");
        Assert.That(x.VersionNumber, Is.EqualTo(0), "nothing was written");
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 0, 0 }));
    }

    [Test]
    public void InPlaceArithmeticWithAFloatResultIntoAnInt64Tensor()
    {
        var i = Tensor.From(new long[] { 3, 4 });
        Fails<ArgumentException>(() => i.AddInPlace(Tensor.From(new float[] { 0.5f, 0.5f })), "add_", "float32", "int64 tensor of shape [2]", "truncating");
        Fails<ArgumentException>(() => i.MulInPlace(0.5), "mul_", "int64", "truncating");
        Fails<ArgumentException>(() => i.DivInPlace(2), "div_", "int64", "truncating");
        Fails<ArgumentException>(() => i.AddInPlace(1.0), "add_", "int64", "truncating");
        Assert.That(i.ToArray<long>(), Is.EqualTo(new long[] { 3, 4 }), "nothing was written");
        Assert.That(i.VersionNumber, Is.EqualTo(0));
        i.Fill(7);
        Assert.That(i.ToArray<long>(), Is.EqualTo(new long[] { 7, 7 }), "fill_ with an integral value still works");
    }

    [Test]
    public void NotAnError_CopyFromConvertsTheDType()
    {
        var i = Tensor.From(new long[] { 0, 0 });
        i.CopyFrom(Tensor.From(new float[] { 2.5f, -1.5f }));
        Assert.That(i.ToArray<long>(), Is.EqualTo(new long[] { 2, -1 }), "copy_ truncates toward zero, as PyTorch");
        var f = Tensor.Zeros([2]);
        f.CopyFrom(Tensor.From(new long[] { 3, 4 }));
        Assert.That(f.ToArray<double>(), Is.EqualTo(new double[] { 3, 4 }));
    }

    [Test]
    public void NotAnError_GradCheckWarnsAboutFloat32Inputs()
    {
        var x32 = Tensor.From(new float[] { 0.5f, -1, 2 }).RequireGrad();
        var result = GradCheck.Check(t => (t[0] * t[0]).Sum(), [x32], new GradCheckOptions { Atol = 1e-2, Rtol = 1e-2 });
        Assert.That(result.Warnings, Has.Count.EqualTo(1));
        Assert.That(result.Warnings[0], Does.Contain("input 0 is float32").And.Contain("DType.Float64"));
        Assert.That(result.ToString(), Does.Contain("warning: input 0 is float32"));
        var x64 = Tensor.From(new double[] { 0.5, -1, 2 }).RequireGrad();
        Assert.That(GradCheck.Check(t => (t[0] * t[0]).Sum(), [x64]).Warnings, Is.Empty);
    }

    [Test]
    public void RetainGradOnATensorThatDoesNotRequireGrad() =>
        Fails<InvalidOperationException>(() => Tensor.Zeros([2, 3]).RetainGrad(), "RetainGrad", "shape [2, 3]", "does not require grad");

    // ================================================================ scalar Value

    [Test]
    public void ValueOperatorsWithANullOperandNameTheOpAndTheSide()
    {
        var v = new Value(2);
        Value none = null!;
        Fails<ArgumentNullException>(() => _ = v + none, "Value add", "right operand is null");
        Fails<ArgumentNullException>(() => _ = none * v, "Value mul", "left operand is null");
        Fails<ArgumentNullException>(() => _ = 3.0 / none, "Value div", "right operand is null");
        Fails<ArgumentNullException>(() => _ = none - 1.0, "Value sub", "left operand is null");
        Fails<ArgumentNullException>(() => _ = -none, "Value neg", "operand is null");
        Fails<ArgumentNullException>(() => v.Pow(none), "Value pow", "exponent operand is null");
        Fails<ArgumentNullException>(() => Value.Max(none, v), "Value maximum", "left operand is null");
        Fails<ArgumentNullException>(() => Value.Min(v, none), "Value minimum", "right operand is null");
    }

    [Test]
    public void ValueClampWithMinAboveMax() =>
        Fails<ArgumentException>(() => new Value(1).Clamp(2, 1), "clamp", "min 2", "max 1");

    [Test]
    public void NotAnError_ValueFollowsIEEE()
    {
        var zero = new Value(0);
        var log = zero.Log();
        log.Backward();
        Assert.That(log.Data, Is.EqualTo(double.NegativeInfinity));
        Assert.That(zero.Grad, Is.EqualTo(double.PositiveInfinity), "d/dx ln x = 1/x at 0");
        Assert.That((new Value(1) / new Value(0)).Data, Is.EqualTo(double.PositiveInfinity));
        var s = new Value(0);
        s.Sqrt().Backward();
        Assert.That(s.Grad, Is.EqualTo(double.PositiveInfinity));
        Assert.That(new Value(-8).Pow(1.0 / 3).Data, Is.NaN);
    }

    // ================================================================ Nn modules, layers and initialization

    private sealed class Affine : Module
    {
        public Affine()
        {
            Weight = RegisterParameter("weight", Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
            Bias = RegisterParameter("bias", Tensor.From(new float[] { 7, 8 }));
        }

        public Parameter Weight { get; }
        public Parameter Bias { get; }

        public override Tensor Forward(Tensor input) => input.MatMul(Weight.T) + Bias;
    }

    // State: "0.weight" F32 [2, 3], "0.bias" F32 [2], "scale" F64 [2], "steps" I64 [1].
    private sealed class Net : Module
    {
        public Net()
        {
            RegisterModule("0", new Affine());
            RegisterParameter("scale", Tensor.From(new double[] { 0.5, 0.25 }));
            RegisterBuffer("steps", Tensor.From(new long[] { 1000 }));
        }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class BadName : Module
    {
        public BadName() => RegisterParameter("a.b", Tensor.Zeros([1]));
        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class DuplicateName : Module
    {
        public DuplicateName()
        {
            RegisterParameter("a", Tensor.Zeros([1]));
            RegisterBuffer("a", Tensor.Zeros([1]));
        }

        public override Tensor Forward(Tensor input) => input;
    }

    private static Dictionary<string, double[]> Snapshot(Module m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>());

    [Test]
    public void LinearWithAnInputOfTheWrongDTypeOrRank()
    {
        var layer = new Linear(3, 2);
        Fails<ArgumentException>(() => layer.Forward(Tensor.Ones([4, 3], DType.Float64)), "Linear", "dtype float64", "float32", "To()");
        Fails<ArgumentException>(() => layer.Forward(Tensor.Scalar(1)), "Linear", "3 features", "shape []");
    }

    [Test]
    public void LinearWithNegativeSizesOrAnInt64DType()
    {
        Fails<ArgumentException>(() => new Linear(-1, 2), "Linear", "inFeatures = -1", "outFeatures = 2");
        Fails<ArgumentException>(() => new Linear(2, 2, dtype: DType.Int64), "Linear", "int64");
    }

    [Test]
    public void SequentialIndexOutOfRange() =>
        Fails<ArgumentOutOfRangeException>(() => _ = new Sequential(new ReLU())[3], "Sequential", "index 3", "1 modules");

    [Test]
    public void HardtanhWithMinAboveMax() =>
        Fails<ArgumentException>(() => new Hardtanh(1, -1), "Hardtanh", "minValue 1", "maxValue -1");

    [Test]
    public void DropoutWithPOutsideTheUnitIntervalOrAnInt64Input()
    {
        Fails<ArgumentException>(() => new Dropout(1, new Generator(0)), "Dropout", "[0, 1)", "got 1");
        Fails<ArgumentException>(() => new Dropout(double.NaN, new Generator(0)), "Dropout", "got NaN");
        Fails<ArgumentException>(() => new Dropout(0.5, new Generator(0)).Forward(Tensor.From(new long[] { 1 })), "Dropout", "int64");
    }

    [Test]
    public void MlpWithANonPositiveSizeOrANullActivation()
    {
        Fails<ArgumentException>(() => Mlp.Create(4, [0], 3, () => new ReLU(), new Generator(0)), "Mlp.Create", "4 → [0] → 3");
        Fails<ArgumentException>(() => Mlp.Create(4, [2], 3, () => null!, new Generator(0)), "Mlp.Create", "activation factory returned null");
    }

    [Test]
    public void ModuleRegistrationWithAnInvalidOrDuplicateName()
    {
        Fails<ArgumentException>(() => new BadName(), "BadName", "invalid name 'a.b'");
        Fails<ArgumentException>(() => new DuplicateName(), "DuplicateName", "'a' is already registered");
    }

    [Test]
    public void LoadStateDictWithWrongShapesListsThemAllAndChangesNothing()
    {
        var layer = new Linear(3, 2, generator: new Generator(1));
        var before = Snapshot(layer);
        Fails<ArgumentException>(() => layer.LoadStateDict(new Linear(2, 3).StateDict()),
            "Linear.LoadStateDict", "'weight' has shape [3, 2], expected [2, 3]", "'bias' has shape [3], expected [2]", "not changed");
        Assert.That(Snapshot(layer), Is.EqualTo(before));
        // strict: false forgives missing and unexpected names, not shapes.
        Fails<ArgumentException>(() => layer.LoadStateDict(new Dictionary<string, Tensor> { ["bias"] = Tensor.Zeros([3]) }, strict: false),
            "Linear.LoadStateDict", "'bias' has shape [3], expected [2]");
        Assert.That(Snapshot(layer), Is.EqualTo(before));
    }

    [Test]
    public void LoadStateDictWithMissingUnexpectedMistypedOrNullEntries()
    {
        var layer = new Linear(3, 2, generator: new Generator(1));
        var before = Snapshot(layer);
        var state = new Linear(3, 2, generator: new Generator(2)).StateDict();
        state.Remove("bias");
        state["extra"] = Tensor.Zeros([1]);
        Fails<ArgumentException>(() => layer.LoadStateDict(state), "Linear.LoadStateDict", "missing 'bias'", "unexpected 'extra'");
        state = new Linear(3, 2, generator: new Generator(2)).StateDict();
        state["bias"] = Tensor.Zeros([2], DType.Float64);
        Fails<ArgumentException>(() => layer.LoadStateDict(state), "Linear.LoadStateDict", "'bias' has dtype float64, expected float32");
        // A null value used to escape as a NullReferenceException.
        state["bias"] = null!;
        Fails<ArgumentException>(() => layer.LoadStateDict(state), "Linear.LoadStateDict", "'bias' is null");
        Assert.That(Snapshot(layer), Is.EqualTo(before));
    }

    [Test]
    public void InitializersOfATensorWithFewerThanTwoDimensions()
    {
        Fails<ArgumentException>(() => Init.CalculateFanInAndFanOut(Tensor.Zeros([7])), "CalculateFanInAndFanOut", "[7]", "fewer than 2 dimensions");
        Fails<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros([7]), new Generator(0)), "XavierUniform", "[7]");
        Fails<ArgumentException>(() => Init.KaimingNormal(Tensor.Zeros([7]), new Generator(0)), "KaimingNormal", "[7]");
    }

    [Test]
    public void InitializersWithInvalidBoundsOrGain()
    {
        Fails<ArgumentException>(() => Init.Uniform(Tensor.Zeros([3]), new Generator(0), 1, 0), "Uniform", "low = 1", "high = 0");
        Fails<ArgumentException>(() => Init.Normal(Tensor.Zeros([3]), new Generator(0), std: -1), "Normal", "std = -1");
        Fails<ArgumentException>(() => Init.CalculateGain(Nonlinearity.LeakyRelu, double.NaN), "CalculateGain", "slope NaN");
    }

    [Test]
    public void NotAnError_NnEdgeCases()
    {
        var noInputs = new Linear(0, 2, generator: new Generator(0));
        Assert.That(noInputs.Forward(Tensor.Ones([4, 0])).Shape, Is.EqualTo(new[] { 4, 2 }), "a Linear without inputs returns its bias");
        var x = Tensor.Ones([2, 3]);
        Assert.That(new Sequential().Forward(x), Is.SameAs(x), "the empty chain is the identity");
        var w = Tensor.Zeros([3, 0]);
        Assert.That(Init.KaimingUniform(w, new Generator(0)), Is.SameAs(w), "a zero-size weight is returned unchanged, as PyTorch");
        var layer = new Linear(3, 2);
        var state = layer.StateDict();
        layer.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Full([2, 3], double.NaN), ["bias"] = state["bias"] });
        Assert.That(layer.Weight.ToArray<double>(), Is.All.NaN, "values are not validated, as load_state_dict");
    }

    // ================================================================ losses

    [Test]
    public void LossWithAnInvalidReduction() =>
        Fails<ArgumentOutOfRangeException>(() => Losses.MseLoss(Tensor.Ones([2]), Tensor.Ones([2]), (Reduction)7), "MseLoss", "Mean, Sum or None", "Actual value was 7");

    [Test]
    public void CrossEntropyWithFloatClassIndices() =>
        Fails<ArgumentException>(() => Losses.CrossEntropy(Tensor.Zeros([3, 4]), Tensor.From(new float[] { 2, 0, 3 })),
            "CrossEntropy", "target of shape [3] and dtype float32", "logits of shape [3, 4]", "must be int64");

    [Test]
    public void CrossEntropyWithZeroDimensionalOrInt64Logits()
    {
        Fails<ArgumentException>(() => Losses.CrossEntropy(Tensor.Scalar(1), Tensor.Scalar(0, DType.Int64)), "CrossEntropy", "logits", "class axis", "0-d");
        Fails<ArgumentException>(() => Losses.NllLoss(Tensor.From(new long[] { 1, 2 }), Tensor.Scalar(0, DType.Int64)), "NllLoss", "logProbs", "int64", "[2]");
    }

    [Test]
    public void CrossEntropyTensorOpWithABadTarget()
    {
        var z = Tensor.Zeros([3, 4]);
        Fails<ArgumentException>(() => z.CrossEntropy(Tensor.Zeros([3], DType.Float64), 1),
            "cross_entropy", "int64 class indices of shape [3]", "logits of shape [3, 4]", "class axis 1", "got float64 of shape [3]");
        Fails<ArgumentException>(() => z.CrossEntropy(Tensor.From(new long[] { 0, 1, 2, 3 })),
            "cross_entropy", "int64 class indices of shape [3]", "got int64 of shape [4]");
        Fails<ArgumentNullException>(() => z.CrossEntropy(null!), "target");
    }

    [Test]
    public void CrossEntropyTensorOpWithAClassIndexOutOfRange()
    {
        var z = Tensor.Zeros([3, 4]);
        Fails<ArgumentOutOfRangeException>(() => z.CrossEntropy(Tensor.From(new long[] { 2, 4, 0 })),
            "cross_entropy", "class index 4 at position 1", "4 classes", "logits of shape [3, 4]", "[0, 4)");
        Fails<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3, 2]).CrossEntropy(Tensor.From(new long[] { 0, 1, 2, -1 }, 2, 2), 1),
            "cross_entropy", "class index -1 at position 3", "3 classes");
    }

    [Test]
    public void CrossEntropyTensorOpWithBadLogitsOrAxis()
    {
        Fails<ArgumentException>(() => Tensor.Scalar(1.0).CrossEntropy(Tensor.Scalar(0, DType.Int64)), "cross_entropy", "class axis", "0-d");
        Fails<ArgumentException>(() => Tensor.From(new long[] { 1, 2 }).CrossEntropy(Tensor.Scalar(0, DType.Int64)), "cross_entropy", "float32 or float64", "int64");
        Fails<ArgumentOutOfRangeException>(() => Tensor.Zeros([3, 4]).CrossEntropy(Tensor.From(new long[] { 0, 0, 0 }), 2),
            "cross_entropy", "axis 2", "rank 2");
    }

    [Test]
    public void BinaryCrossEntropyWithInt64Targets() =>
        Fails<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(Tensor.Ones([2]), Tensor.From(new long[] { 1, 0 })),
            "BinaryCrossEntropyWithLogits", "targets", "int64", "[2]");

    [Test]
    public void MarginLossWithInt64Scores() =>
        Fails<ArgumentException>(() => Losses.PerceptronCriterion(Tensor.From(new long[] { 1 }), Tensor.Ones([1])), "PerceptronCriterion", "scores", "int64", "[1]");

    [Test]
    public void NotAnError_LossesOfEmptyBatchesAndExtremeLogits()
    {
        var none = Tensor.Zeros([0]);
        Assert.That(Losses.MseLoss(none, none).Item(), Is.NaN, "the mean of no losses, as F.mse_loss");
        Assert.That(Losses.MseLoss(none, none, Reduction.Sum).Item(), Is.EqualTo(0));
        var logits = Tensor.From(new double[] { 1000, -1000, -1000, 1000 }, 2, 2);
        Assert.That(Losses.CrossEntropy(logits, Tensor.From(new long[] { 1, 1 })).Item(), Is.EqualTo(1000), "finite: (2000 + 0) / 2");
    }

    // ================================================================ optimizers, schedulers, gradient clipping

    [Test]
    public void OptimizerWithABadParameterList()
    {
        var p = new Parameter(Tensor.From(new double[] { 1, 2 }));
        Fails<ArgumentException>(() => new SGD(Array.Empty<Tensor>(), 0.1), "SGD", "empty parameter list");
        Fails<ArgumentNullException>(() => new SGD([p, null!], 0.1), "SGD", "parameter 1 is null");
        Fails<ArgumentException>(() => new Adam([p, p]), "Adam", "parameter 1 is the same tensor as parameter 0");
        Fails<ArgumentException>(() => new RMSprop([p * 2.0]), "RMSprop", "parameter 0 is not a leaf", "'mul'");
        Fails<ArgumentException>(() => new AdamW([Tensor.From(new long[] { 1 })]), "AdamW", "parameter 0 is int64");
    }

    [Test]
    public void ClipGradWithAnInvalidNormOrValue()
    {
        var p = new Parameter(Tensor.From(new double[] { 1, 2 })) { Grad = Tensor.From(new double[] { 3, 4 }) };
        Fails<ArgumentException>(() => GradClip.ClipGradNorm([p], -1), "ClipGradNorm", "max norm -1");
        Fails<ArgumentException>(() => GradClip.ClipGradNorm([p], 1, 0), "ClipGradNorm", "norm type 0");
        Fails<ArgumentException>(() => GradClip.ClipGradValue([p], double.NaN), "ClipGradValue", "clip value NaN");
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 3, 4 }), "nothing was clipped");
    }

    [Test]
    public void ClipGradNormOfANonFiniteTotalWhenAskedToCheck()
    {
        var p = new Parameter(Tensor.From(new double[] { 0, 0 })) { Grad = Tensor.From(new double[] { double.NaN, 1 }) };
        Fails<InvalidOperationException>(() => GradClip.ClipGradNorm([p], 1, errorIfNonfinite: true), "ClipGradNorm", "order 2", "is NaN", "errorIfNonfinite");
        Assert.That(p.Grad!.ToArray<double>()[1], Is.EqualTo(1), "nothing was scaled");
    }

    [Test]
    public void NotAnError_OptimizerStepWithNaNGradients()
    {
        var p = new Parameter(Tensor.From(new double[] { 1, 2 })) { Grad = Tensor.From(new double[] { double.NaN, 1 }) };
        new SGD([p], 0.5).Step();
        Assert.That(p.ToArray<double>()[0], Is.NaN, "as torch.optim: NaN gradients are applied, not checked");
        Assert.That(p.ToArray<double>()[1], Is.EqualTo(1.5));
    }

    // ================================================================ data: TensorDataset, DataLoader, IDX, Fashion-MNIST



    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Asserts that reading <paramref name="bytes"/> as an IDX file (plain, then gzip) throws InvalidDataException naming Idx.Read, the file and the fragments.</summary>
    private void IdxFails(byte[] bytes, params string[] fragments)
    {
        foreach (bool gzip in new[] { false, true })
        {
            var path = Write(gzip ? "bad.idx.gz" : "bad.idx", gzip ? Gzip(bytes) : bytes);
            Fails<InvalidDataException>(() => Idx.Read(path), ["Idx.Read", $"'{path}'", "not a valid IDX file", .. fragments]);
        }
    }

    [Test]
    public void TensorDatasetWithMismatchedOrMissingSampleAxes()
    {
        Fails<ArgumentException>(() => new TensorDataset(Tensor.Zeros([5, 2]), Tensor.Zeros([4])), "TensorDataset", "[5, 2]", "5 samples", "[4]", "hold 4");
        Fails<ArgumentException>(() => new TensorDataset(Tensor.Scalar(1), Tensor.Zeros([1])), "TensorDataset", "first (sample) dimension", "shape []");
    }

    [Test]
    public void TensorDatasetIndexOutOfRange()
    {
        var ds = new TensorDataset(Tensor.Zeros([5, 2]), Tensor.Zeros([5]));
        Fails<ArgumentOutOfRangeException>(() => _ = ds[5], "TensorDataset", "sample index 5", "5 samples");
        Fails<ArgumentOutOfRangeException>(() => ds.GetBatch([0, -1]), "TensorDataset", "sample index -1");
    }

    [Test]
    public void DataLoaderWithABadBatchSize()
    {
        var ds = new TensorDataset(Tensor.Zeros([5, 2]), Tensor.Zeros([5]));
        Fails<ArgumentOutOfRangeException>(() => new DataLoader(ds, 0), "DataLoader", "batch size must be positive", "Actual value was 0");
    }

    [Test]
    public void IdxEmptyOrShorterThanTheMagicNumber()
    {
        IdxFails([], "the file is empty");
        IdxFails([0, 0, 8], "truncated: 3 bytes", "4-byte IDX magic number");
    }

    [Test]
    public void IdxBadMagicNumber() =>
        IdxFails([0x50, 0x4B, 3, 4, 0, 0, 0, 0], "bad magic number 0x504B0304");

    [Test]
    public void IdxUnknownElementTypeCode() =>
        IdxFails(IdxBytes(0x0A, [2], [1, 2]), "unknown element type code 0x0A");

    [Test]
    public void IdxZeroDimensions() =>
        IdxFails(IdxBytes(0x08, [], []), "0 dimensions");

    [Test]
    public void IdxTruncatedHeader() =>
        IdxFails(IdxBytes(0x08, [2, 2], [], declaredRank: 3), "header is truncated", "3 dimension sizes need 12 bytes, found 8");

    [Test]
    public void IdxNegativeSize() =>
        IdxFails(IdxBytes(0x08, [2, -1], [1, 2]), "dimension 1 has a negative size (-1");

    [Test]
    public void IdxSizesThatOverflow() =>
        IdxFails(IdxBytes(0x08, [65536, 65536], [1, 2, 3]), "sizes [65536, 65536] overflow", $"more than {Array.MaxLength} elements");

    [Test]
    public void IdxTruncatedData()
    {
        IdxFails(IdxBytes(0x0C, [3], new byte[11]), "data is truncated", "sizes [3] of type int (0x0C) need 12 bytes", "found 11");
        // A size that promises a gigabyte over ten bytes of data fails without allocating the gigabyte.
        IdxFails(IdxBytes(0x08, [1 << 30], new byte[10]), "data is truncated", "need 1073741824 bytes", "found 10");
    }

    [Test]
    public void IdxTrailingGarbage() =>
        IdxFails(IdxBytes(0x08, [2, 2], new byte[5]), "trailing garbage", "sizes [2, 2] of type ubyte (0x08) need 4 bytes");

    [Test]
    public void IdxCorruptGzipStream()
    {
        var path = Write("corrupt.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0x13, 0x37]);
        Fails<InvalidDataException>(() => Idx.Read(path), "Idx.Read", $"'{path}'", "corrupt gzip stream");
    }

    [Test]
    public void IdxFloatDataReadAsInt64()
    {
        var path = Write("floats.idx", IdxBytes(0x0D, [1], [0x3f, 0xc0, 0, 0]));
        Fails<ArgumentException>(() => Idx.Read(path, DType.Int64), "Idx.Read", $"'{path}'", "float (0x0D)", "int64");
    }

    [Test]
    public void IdxMissingFileOrUnreadableStream()
    {
        var missing = Path.Combine(_dir, "absent.idx");
        Fails<FileNotFoundException>(() => Idx.Read(missing), missing);
        var closed = new MemoryStream();
        closed.Close();
        Fails<ArgumentException>(() => Idx.Read(closed), "Idx.Read", "not readable");
    }

    private void WriteFashionMnist(int train, int test, byte trainLabel = 1, int testLabels = -1)
    {
        Write("train-images-idx3-ubyte", IdxBytes(0x08, [train, 28, 28], new byte[train * 784]));
        Write("train-labels-idx1-ubyte", IdxBytes(0x08, [train], Enumerable.Repeat(trainLabel, train).ToArray()));
        Write("t10k-images-idx3-ubyte", IdxBytes(0x08, [test, 28, 28], new byte[test * 784]));
        int n = testLabels < 0 ? test : testLabels;
        Write("t10k-labels-idx1-ubyte", IdxBytes(0x08, [n], new byte[n]));
    }

    [Test]
    public void FashionMnistMissingFiles()
    {
        Fails<FileNotFoundException>(() => FashionMnist.Load(_dir), "FashionMnist.Load", "train-images-idx3-ubyte", $"'{_dir}'",
            "sudo apt-get install dataset-fashion-mnist");
    }

    [Test]
    public void FashionMnistLabelOutsideTheTenClasses()
    {
        WriteFashionMnist(train: 3, test: 2, trainLabel: 10);
        Fails<InvalidDataException>(() => FashionMnist.Load(_dir), "FashionMnist.Load", "train-labels-idx1-ubyte", "label 10 at index 0", "0…9");
    }

    [Test]
    public void FashionMnistLabelCountThatDoesNotMatchTheImages()
    {
        WriteFashionMnist(train: 3, test: 2, testLabels: 3);
        Fails<InvalidDataException>(() => FashionMnist.Load(_dir), "FashionMnist.Load", "t10k-labels-idx1-ubyte", "3 labels", "2 images");
    }

    [Test]
    public void FashionMnistImagesOfTheWrongShape()
    {
        WriteFashionMnist(train: 3, test: 2);
        Write("t10k-images-idx3-ubyte", IdxBytes(0x08, [2, 784], new byte[2 * 784]));
        Fails<InvalidDataException>(() => FashionMnist.Load(_dir), "FashionMnist.Load", "t10k-images-idx3-ubyte", "shape [2, 784]", "[N, 28, 28]");
    }

    [Test]
    public void NotAnError_DataEdgeCases()
    {
        var empty = new TensorDataset(Tensor.Zeros([0, 2]), Tensor.Zeros([0]));
        Assert.That(new DataLoader(empty, 4).Count(), Is.Zero, "an empty dataset gives no batches");
        var three = new TensorDataset(Tensor.Zeros([3, 2]), Tensor.Zeros([3]));
        Assert.That(new DataLoader(three, 5, dropLast: true).Count(), Is.Zero, "dropLast with a batch larger than the dataset gives no batches");
        // Bytes after the end of a gzip stream are ignored, as `gzip -d` does.
        var path = Write("trailing.idx.gz", [.. Gzip(IdxBytes(0x08, [2], [7, 9])), 0x42, 0x42]);
        Assert.That(Idx.Read(path).ToArray<long>(), Is.EqualTo(new long[] { 7, 9 }));
    }

    // ================================================================ checkpoints and safetensors

    private static (ulong Length, string Header, byte[] Data) Split(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (n, Encoding.UTF8.GetString(file, 8, (int)n), file[(8 + (int)n)..]);
    }

    private static byte[] Join(byte[] header, byte[] data)
    {
        var h = header.ToList();
        while (h.Count % 8 != 0) h.Add((byte)' ');
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)h.Count);
        return [.. prefix, .. h, .. data];
    }

    private static Func<byte[], byte[]> EditHeader(Action<JsonObject> edit) => file =>
    {
        var (_, header, data) = Split(file);
        var root = JsonNode.Parse(header)!.AsObject();
        edit(root);
        return Join(Encoding.UTF8.GetBytes(root.ToJsonString()), data);
    };

    private static Func<byte[], byte[]> EditText(Func<string, string> edit) => file =>
    {
        var (_, header, data) = Split(file);
        return Join(Encoding.UTF8.GetBytes(edit(header)), data);
    };

    private static JsonObject Entry(JsonObject root, string name) => root[name]!.AsObject();

    /// <summary>
    /// Writes a valid checkpoint of <see cref="Net"/>, corrupts it, and asserts that SafeTensors.Load throws
    /// InvalidDataException naming SafeTensors.Load, the file and the fragments — and that Checkpoint.Load throws it
    /// too, leaving both the model and the file unchanged.
    /// </summary>
    private void CheckpointFails(Func<byte[], byte[]> corrupt, params string[] fragments)
    {
        var source = Path.Combine(_dir, "source.safetensors");
        Checkpoint.Save(new Net(), source);
        var path = Write("corrupt.safetensors", corrupt(File.ReadAllBytes(source)));
        var bytes = File.ReadAllBytes(path);

        Fails<InvalidDataException>(() => SafeTensors.Load(path), ["SafeTensors.Load", $"'{path}'", "not a valid safetensors file", .. fragments]);

        var model = new Net();
        foreach (var p in model.Parameters()) using (Autodiff.NoGrad()) p.MulInPlace(3);
        var before = Snapshot(model);
        Fails<InvalidDataException>(() => Checkpoint.Load(model, path), fragments);
        Assert.That(Snapshot(model), Is.EqualTo(before), "the model is unchanged");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes), "the file is unchanged");
    }

    [Test]
    public void SafeTensorsShorterThanTheLengthPrefix() =>
        CheckpointFails(f => f[..5], "the file has 5 bytes", "fewer than the 8-byte header length");

    [Test]
    public void SafeTensorsHeaderLengthBeyondTheFile()
    {
        CheckpointFails(f =>
        {
            var g = (byte[])f.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(g, (ulong)f.Length);
            return g;
        }, "the header length", "goes beyond the end of the file");
        CheckpointFails(f =>
        {
            var g = (byte[])f.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(g, ulong.MaxValue);
            return g;
        }, $"the header length {ulong.MaxValue}", "beyond the end of the file");
    }

    [Test]
    public void SafeTensorsHeaderThatIsNotUtf8Json()
    {
        CheckpointFails(f =>
        {
            var (_, header, data) = Split(f);
            var bytes = Encoding.UTF8.GetBytes(header);
            bytes[header.IndexOf("0.weight", StringComparison.Ordinal)] = 0xff;
            return Join(bytes, data);
        }, "not valid UTF-8");
        CheckpointFails(EditText(h => h.Replace("\"0.bias\":{", "\"0.bias\":")), "not valid JSON");
        CheckpointFails(EditText(_ => "[1, 2, 3]"), "a JSON array, not an object");
    }

    [Test]
    public void SafeTensorsUnknownOrUnsupportedDType()
    {
        CheckpointFails(EditHeader(r => Entry(r, "0.weight")["dtype"] = "F33"), "tensor '0.weight'", "unknown dtype 'F33'");
        CheckpointFails(EditHeader(r => Entry(r, "0.bias")["dtype"] = "F16"), "tensor '0.bias'", "dtype F16 is not supported", "F32, F64 and I64");
        CheckpointFails(EditHeader(r => Entry(r, "0.weight").Remove("dtype")), "tensor '0.weight'", "missing or non-string 'dtype'");
    }

    [Test]
    public void SafeTensorsShapeThatDoesNotMatchTheOffsets()
    {
        CheckpointFails(EditHeader(r => Entry(r, "0.weight")["shape"] = new JsonArray(3, 3)),
            "tensor '0.weight'", "span 24 bytes", "dtype F32 and shape [3, 3] need 36");
        CheckpointFails(EditHeader(r => Entry(r, "scale")["shape"] = new JsonArray(-2)), "tensor 'scale'", "shape [-2]", "non-negative integers");
    }

    [Test]
    public void SafeTensorsOverlappingReversedOrGappedOffsets()
    {
        CheckpointFails(EditHeader(r => Entry(r, "0.bias")["data_offsets"] = new JsonArray(16, 24)), "tensor '0.bias'", "[16, 24]", "overlap");
        CheckpointFails(EditHeader(r => Entry(r, "0.bias")["data_offsets"] = new JsonArray(32, 24)), "tensor '0.bias'", "[32, 24]", "end before they begin");
        CheckpointFails(EditHeader(r => Entry(r, "0.weight")["data_offsets"] = new JsonArray(36, 60)), "tensor '0.weight'", "[36, 60]", "gap after byte 32");
    }

    [Test]
    public void SafeTensorsTruncatedData() =>
        CheckpointFails(f => f[..^3], "data is truncated", "tensor '0.weight'", "[32, 56)", "53 bytes");

    [Test]
    public void SafeTensorsTrailingBytes() =>
        CheckpointFails(f => [.. f, 1, 2, 3], "3 unexpected bytes", "56 bytes of data", "holds 59");

    [Test]
    public void SafeTensorsDuplicateNameOrBadMetadata()
    {
        CheckpointFails(EditText(h => h.Replace("\"0.bias\"", "\"0.weight\"")), "names '0.weight' twice");
        CheckpointFails(EditHeader(r => r["__metadata__"] = new JsonObject { ["format"] = 1 }), "metadata 'format'", "must be a string", "number");
    }

    [Test]
    public void CheckpointLoadOfTensorsThatDoNotFitTheModel()
    {
        var path = Path.Combine(_dir, "other.safetensors");
        var state = new Net().StateDict();
        state["0.weight"] = Tensor.Zeros([3, 2]);
        state["scale"] = Tensor.Zeros([2]);
        state.Remove("steps");
        state["extra"] = Tensor.Zeros([1]);
        SafeTensors.Save(path, state);
        var bytes = File.ReadAllBytes(path);

        var model = new Net();
        var before = Snapshot(model);
        Fails<ArgumentException>(() => Checkpoint.Load(model, path), "Checkpoint.Load", $"'{path}'", "does not fit Net",
            "'0.weight' has shape [3, 2], expected [2, 3]", "'scale' has dtype float32, expected float64", "missing 'steps'", "unexpected 'extra'",
            "The module was not changed");
        Assert.That(Snapshot(model), Is.EqualTo(before));
        // strict: false forgives the names, not the shapes and dtypes.
        Fails<ArgumentException>(() => Checkpoint.Load(model, path, strict: false), "Checkpoint.Load", "'0.weight' has shape [3, 2]");
        Assert.That(Snapshot(model), Is.EqualTo(before));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes));
    }

    [Test]
    public void CheckpointLoadOfAMissingFile()
    {
        var model = new Net();
        var before = Snapshot(model);
        var missing = Path.Combine(_dir, "absent.safetensors");
        Fails<FileNotFoundException>(() => Checkpoint.Load(model, missing), missing);
        Assert.That(Snapshot(model), Is.EqualTo(before));
    }

    [Test]
    public void SafeTensorsSaveOfAReservedNameOrNullValues()
    {
        var path = Path.Combine(_dir, "out.safetensors");
        Fails<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones([1]) }), "SafeTensors.Save", "'__metadata__' is reserved");
        Fails<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = null! }), "SafeTensors.Save", "tensor 'x' is null");
        Fails<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["k"] = null! }),
            "SafeTensors.Save", "metadata 'k' has a null value");
        Assert.That(Directory.GetFiles(_dir), Is.Empty, "nothing was written, not even a temporary file");
    }

    [Test]
    public void SafeTensorsSaveIntoAMissingFolder()
    {
        var folder = Path.Combine(_dir, "missing");
        var path = Path.Combine(folder, "out.safetensors");
        Fails<DirectoryNotFoundException>(() => Checkpoint.Save(new Net(), path), "SafeTensors.Save", $"'{path}'", $"the folder '{folder}' does not exist");
        Assert.That(Directory.Exists(folder), Is.False);
    }

    [Test]
    public void NotAnError_CheckpointEdgeCases()
    {
        var path = Path.Combine(_dir, "values.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["nan"] = Tensor.From(new double[] { double.NaN, double.PositiveInfinity }),
            ["empty"] = Tensor.Zeros([0, 3]),
            ["scalar"] = Tensor.Scalar(7, DType.Int64),
        });
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.That(tensors["nan"].ToArray<double>(), Is.EqualTo(new[] { double.NaN, double.PositiveInfinity }), "values are stored as they are");
        Assert.That(tensors["empty"].Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(tensors["scalar"].Shape, Is.Empty);
        Assert.That(metadata, Is.Empty);

        // strict: false loads what fits and leaves the rest.
        var partial = Path.Combine(_dir, "partial.safetensors");
        SafeTensors.Save(partial, new Dictionary<string, Tensor> { ["scale"] = Tensor.From(new double[] { 9, 9 }) });
        var model = new Net();
        Checkpoint.Load(model, partial, strict: false);
        Assert.That(model.StateDict()["scale"].ToArray<double>(), Is.EqualTo(new double[] { 9, 9 }));
        Assert.That(model.StateDict()["steps"].ToArray<long>(), Is.EqualTo(new long[] { 1000 }));
    }

    // ================================================================ the catalogue itself

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Autograd.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Autograd.sln not found above the test directory.");
    }

    [GeneratedRegex(@"^\|(?<cells>.*)\|\s*$")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"`(?<class>[A-Za-z_][A-Za-z0-9_]*)\.(?<method>[A-Za-z_][A-Za-z0-9_]*)`")]
    private static partial Regex TestReference();

    private static readonly string[] CatalogueHeader = ["entry point", "wrong input", "what happens", "test"];

    /// <summary>
    /// The rows of the catalogue tables of docs/errors.md (those headed entry point | wrong input | what happens | test),
    /// with their cells and the tests cited in the last one.
    /// </summary>
    private static List<(int Line, string[] Cells, List<(string Class, string Method)> Tests)> CatalogueRows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "errors.md"));
        var rows = new List<(int, string[], List<(string, string)>)>();
        bool inCatalogue = false;
        for (int i = 0; i < lines.Length; i++)
        {
            var m = TableRow().Match(lines[i]);
            if (!m.Success)
            {
                inCatalogue = false;
                continue;
            }
            var cells = m.Groups["cells"].Value.Split('|').Select(c => c.Trim()).ToArray();
            if (cells.All(c => Regex.IsMatch(c, "^:?-+:?$"))) continue;
            if (i + 1 < lines.Length && Regex.IsMatch(lines[i + 1], @"^\|\s*:?-+"))
            {
                inCatalogue = cells.SequenceEqual(CatalogueHeader);
                continue;
            }
            if (!inCatalogue) continue;
            var tests = TestReference().Matches(cells[^1]).Select(t => (t.Groups["class"].Value, t.Groups["method"].Value)).ToList();
            rows.Add((i + 1, cells, tests));
        }
        return rows;
    }

    private static bool IsTest(MethodInfo m) =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttributes(m).Any(a => a is TestAttribute or TestCaseAttribute or TestCaseSourceAttribute);

    [Test]
    public void EveryTestTheCatalogueCitesExists()
    {
        var rows = CatalogueRows();
        Assert.That(rows, Has.Count.GreaterThan(100), "docs/errors.md has its tables");
        var types = typeof(ErrorCatalogueTests).Assembly.GetTypes().Where(t => t.IsClass && t.IsPublic).ToLookup(t => t.Name);
        var problems = new List<string>();
        foreach (var (line, cells, tests) in rows)
        {
            if (cells.Length != CatalogueHeader.Length || tests.Count == 0)
            {
                problems.Add($"line {line}: expected {CatalogueHeader.Length} cells, the last citing tests as `Class.Method`; got {cells.Length} cells: {string.Join(" | ", cells)}");
                continue;
            }
            foreach (var (cls, method) in tests)
            {
                var candidates = types[cls].ToList();
                if (candidates.Count != 1)
                {
                    problems.Add($"line {line}: {(candidates.Count == 0 ? "no" : "more than one")} test class named {cls}");
                    continue;
                }
                var methods = candidates[0].GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Where(m => m.Name == method).ToList();
                if (methods.Count == 0) problems.Add($"line {line}: {cls} has no method {method}");
                else if (!methods.Any(IsTest)) problems.Add($"line {line}: {cls}.{method} is not a test");
            }
        }
        Assert.That(problems, Is.Empty, string.Join("\n", problems));
    }

    [Test]
    public void EveryCatalogueTestIsCitedByTheCatalogue()
    {
        var cited = CatalogueRows().SelectMany(r => r.Tests).Where(t => t.Class == nameof(ErrorCatalogueTests)).Select(t => t.Method).ToHashSet();
        var own = typeof(ErrorCatalogueTests).GetMethods().Where(IsTest).Select(m => m.Name)
            .Except([nameof(EveryTestTheCatalogueCitesExists), nameof(EveryCatalogueTestIsCitedByTheCatalogue)]);
        Assert.That(own.Where(m => !cited.Contains(m)), Is.Empty, "tests of ErrorCatalogueTests that docs/errors.md does not cite");
    }
}
