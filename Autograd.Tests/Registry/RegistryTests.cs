using Autograd.Tests.Registry;

namespace Autograd.Tests;

/// <summary>
/// The generic sweep: every op in <see cref="OpRegistry"/> on every one of its samples — forward against the
/// float64 reference (float64 tight, float32 loose), gradient shapes, GradCheck on contiguous and strided inputs,
/// and the second-order check.
/// </summary>
public class RegistryTests
{
    private const ulong Seed = 20261123;

    public static IEnumerable<TestCaseData> Cases() =>
        OpRegistry.All.SelectMany(op => op.Samples.Select(s => new TestCaseData(op, s).SetName($"{op.Name}({s.Name})")));

    public static IEnumerable<TestCaseData> StridedCases() =>
        OpRegistry.All.SelectMany(op => op.Samples
            .Where(s => s.Inputs.Any(i => i.Shape.Length >= 2 && i.Differentiable && !i.IsIndex))
            .Select(s => new TestCaseData(op, s).SetName($"{op.Name}({s.Name})")));

    public static IEnumerable<TestCaseData> SecondOrderCases() =>
        OpRegistry.All.Where(op => op.SecondOrder)
            .SelectMany(op => op.Samples.Select(s => new TestCaseData(op, s).SetName($"{op.Name}({s.Name})")));

    private static void AssertClose(Tensor actual, RefArray expected, double atol, double rtol, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        var a = actual.ToArray<double>();
        for (int i = 0; i < a.Length; i++)
        {
            double e = expected.Data[i];
            bool ok = a[i].Equals(e) || Math.Abs(a[i] - e) <= atol + rtol * Math.Abs(e);
            if (!ok) Assert.Fail($"{what}: element {i} is {a[i]:R}, reference {e:R}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardMatchesReferenceInFloat64(OpInfo op, OpSample sample)
    {
        var inputs = sample.Make(DType.Float64, Seed);
        var y = op.Apply(inputs);
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        AssertClose(y, op.Reference(inputs.Select(RefArray.Of).ToArray()), 1e-12, 1e-12, op.Name);
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardMatchesReferenceInFloat32(OpInfo op, OpSample sample)
    {
        var inputs = sample.Make(DType.Float32, Seed);
        var y = op.Apply(inputs);
        if (op.Name != "cast_f32_f64") Assert.That(y.DType, Is.EqualTo(DType.Float32));
        AssertClose(y, op.Reference(inputs.Select(RefArray.Of).ToArray()), 1e-5, 1e-5, op.Name);
    }

    [TestCaseSource(nameof(Cases))]
    public void GradientsHaveTheirInputsShapeAndDType(OpInfo op, OpSample sample)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var inputs = sample.Make(dtype, Seed);
            var y = op.Apply(inputs);
            if (!y.RequiresGrad) continue;
            y.Backward(Tensor.Normal(y.Shape, new Generator(Seed + 1), dtype: y.DType));
            foreach (var x in inputs.Where(t => t.RequiresGrad))
            {
                Assert.That(x.Grad, Is.Not.Null, $"{op.Name}: an input that requires grad got no gradient");
                Assert.That(x.Grad!.Shape, Is.EqualTo(x.Shape));
                Assert.That(x.Grad.DType, Is.EqualTo(x.DType));
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void GradCheckPasses(OpInfo op, OpSample sample)
    {
        Assert.That(GradCheck.Check(op.Apply, sample.Make(DType.Float64, Seed), op.Options), Gradients.Match);
    }

    [TestCaseSource(nameof(StridedCases))]
    public void GradCheckPassesOnStridedInputs(OpInfo op, OpSample sample)
    {
        var inputs = sample.Make(DType.Float64, Seed);
        // Same values, but read through a transposed view of transposed storage: the op sees non-unit strides.
        Tensor Strided(Tensor x) => x.Rank >= 2 && x.DType != DType.Int64 ? x.Transpose(0, -1).Contiguous().Transpose(0, -1) : x;
        Assert.That(inputs.Where(x => x.Rank >= 2 && x.DType != DType.Int64 && x.Size(0) > 1 && x.Size(-1) > 1).All(x => !Strided(x).IsContiguous), Is.True);
        var plain = op.Apply(inputs);
        var viaViews = op.Apply(inputs.Select(Strided).ToArray());
        // Reductions may add in another order through a view, so equal to float64 rounding, not bitwise.
        AssertClose(viaViews, RefArray.Of(plain), 1e-12, 1e-12, $"{op.Name} through strided views");
        Assert.That(GradCheck.Check(xs => op.Apply(xs.Select(Strided).ToArray()), inputs, op.Options), Gradients.Match);
    }

    [TestCaseSource(nameof(SecondOrderCases))]
    public void SecondOrderGradCheckPasses(OpInfo op, OpSample sample)
    {
        Assert.That(GradCheck.CheckSecondOrder(op.Apply, sample.Make(DType.Float64, Seed), op.Options), Gradients.Match);
    }

    [Test]
    public void EveryPrimitiveHasARegistryEntry()
    {
        var primitives = typeof(Function).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Function)) && !t.IsAbstract).ToList();
        var covered = OpRegistry.All.SelectMany(op => op.Primitives).ToHashSet();
        var missing = primitives.Where(t => !covered.Contains(t)).Select(t => t.Name).ToList();
        Assert.That(primitives, Is.Not.Empty);
        Assert.That(missing, Is.Empty, "primitives without a registry entry: " + string.Join(", ", missing));
    }

    [Test]
    public void RegistryNamesAreUniqueAndEveryEntryHasSamples()
    {
        Assert.That(OpRegistry.All.Select(o => o.Name), Is.Unique);
        Assert.That(OpRegistry.All.Where(o => o.Samples.Length == 0).Select(o => o.Name), Is.Empty);
    }

    [Test]
    public void SamplesCoverZeroDEmptyAndLengthsAroundTheSimdWidths()
    {
        var lengths = OpRegistry.All.SelectMany(o => o.Samples).SelectMany(s => s.Inputs).Select(i => i.Shape).ToList();
        Assert.That(lengths.Any(s => s.Length == 0), Is.True, "0-d");
        Assert.That(lengths.Any(s => s.Contains(0)), Is.True, "empty");
        foreach (var n in new[] { 1, 15, 16, 17, 31, 32, 33, 1000 })
            Assert.That(lengths.Any(s => s.Length == 1 && s[0] == n), Is.True, $"length {n}");
    }
}
