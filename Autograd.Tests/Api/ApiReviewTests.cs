using Autograd.Nn;

namespace Autograd.Tests.Api;

/// <summary>The public-API review (issue 13): the behaviour its renames and signature changes fix.</summary>
[NonParallelizable]
public class ApiReviewTests
{
    [Test]
    public void UniformWithIntLiteralBoundsDrawsFromTheDefaultGeneratorAndSpansZeroToOne()
    {
        Generator.ManualSeed(13);
        var u = Tensor.Uniform([1000], 0, 1).ToArray<float>();
        Assert.That(u, Is.All.GreaterThanOrEqualTo(0f).And.All.LessThan(1f));
        Assert.That(u.Min(), Is.LessThan(0.01f), "spans [0, 1), not all ones (the old seed-0, low-1 reading)");
        Assert.That(u.Max(), Is.GreaterThan(0.99f));
        Generator.ManualSeed(13);
        Assert.That(Tensor.Uniform([1000], 0, 1).ToArray<float>(), Is.EqualTo(Tensor.Uniform([1000], new Generator(13), 0, 1).ToArray<float>()),
            "the same draws as a generator with the default's seed");
    }

    [Test]
    public void NormalWithIntLiteralsIsMeanAndStdNotASeed()
    {
        Generator.ManualSeed(14);
        var v = Tensor.Normal([10_000], 5, 2, DType.Float64).ToArray<double>();
        double mean = v.Average(), std = Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average());
        Assert.That(mean, Is.EqualTo(5).Within(0.1));
        Assert.That(std, Is.EqualTo(2).Within(0.1));
        Generator.ManualSeed(14);
        Assert.That(Tensor.Normal([4], 0, 1).ToArray<float>(), Is.EqualTo(Tensor.Randn([4], new Generator(14)).ToArray<float>()));
    }

    [Test]
    public void ReductionNoneIsTheZeroValueAndMeanStaysTheDefault()
    {
        Assert.That(default(Reduction), Is.EqualTo(Reduction.None));
        var input = Tensor.From([1.0, 2.0, 4.0]);
        var target = Tensor.Zeros([3], DType.Float64);
        Assert.That(Losses.MseLoss(input, target).Shape, Is.Empty);
        Assert.That(Losses.MseLoss(input, target).Item(), Is.EqualTo(7.0));
        Assert.That(Losses.MseLoss(input, target, default).ToArray<double>(), Is.EqualTo(new[] { 1.0, 4.0, 16.0 }));
    }

    [Test]
    public void SetGradEnabledSetsTheModeForItsScopeAndRestoresIt()
    {
        var x = Tensor.Ones([2], DType.Float64).RequireGrad();
        using (Autodiff.SetGradEnabled(false))
        {
            Assert.That(Autodiff.IsGradEnabled, Is.False);
            Assert.That((x * 2).RequiresGrad, Is.False);
            using (Autodiff.SetGradEnabled(true))
                Assert.That((x * 2).RequiresGrad, Is.True);
            Assert.That(Autodiff.IsGradEnabled, Is.False);
        }
        Assert.That(Autodiff.IsGradEnabled, Is.True);
        GradModeScope scope = Autodiff.NoGrad();
        scope.Dispose();
        Assert.That(Autodiff.IsGradEnabled, Is.True);
    }

    [Test]
    public void GradCheckExceptionHasTheStandardConstructors()
    {
        var inner = new InvalidOperationException("inner");
        Assert.That(new GradCheckException().Message, Is.Not.Empty);
        Assert.That(new GradCheckException("m").Message, Is.EqualTo("m"));
        var e = new GradCheckException("outer", inner);
        Assert.That(e.Message, Is.EqualTo("outer"));
        Assert.That(e.InnerException, Is.SameAs(inner));
    }

    [Test]
    public void HardtanhHasPyTorchsClassName()
    {
        Assert.That(new Hardtanh().ToString(), Does.StartWith("Hardtanh("));
        Assert.That(Tensor.From([-3.0, 0.5, 3.0]).Hardtanh().ToArray<double>(), Is.EqualTo(new[] { -1.0, 0.5, 1.0 }));
    }

    [Test]
    public void OptimizerHelpersAreNotPublicApi()
    {
        var hidden = new[] { "CheckFinite", "CheckUnitInterval", "CheckNonNegative", "LerpInPlace", "Format", "CheckPositive", "StepName", "Name" };
        foreach (var type in new[] { typeof(Autograd.Nn.Optim.Optimizer), typeof(Autograd.Nn.Optim.LRScheduler) })
        {
            var visible = type.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic |
                                          System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static)
                .Where(m => m is System.Reflection.MethodBase { IsFamily: true } or System.Reflection.FieldInfo { IsFamily: true }
                            or System.Reflection.PropertyInfo { GetMethod.IsFamily: true })
                .Select(m => m.Name);
            Assert.That(visible.Intersect(hidden), Is.Empty, type.Name);
        }
    }

    [Test]
    public void FromOfIntIsStoredAsInt64()
    {
        var span = Tensor.From<int>(new[] { 1, -2, int.MaxValue }, 3);
        Assert.That(span.DType, Is.EqualTo(DType.Int64));
        Assert.That(span.ToArray<long>(), Is.EqualTo(new long[] { 1, -2, int.MaxValue }));
        var collection = Tensor.From([1, 2, 3]);
        Assert.That(collection.DType, Is.EqualTo(DType.Int64));
        var array = Tensor.From(new int[,] { { 1, 2 }, { 3, 4 } });
        Assert.That(array.DType, Is.EqualTo(DType.Int64));
        Assert.That(array.Shape, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(array.ToArray<long>(), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        var system = Tensor.From(System.Numerics.Tensors.Tensor.Create(new[] { 5, 6, 7, 8, 9, 10 }, [3, 2]));
        Assert.That(system.DType, Is.EqualTo(DType.Int64));
        Assert.That(system.Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(system.ToArray<long>(), Is.EqualTo(new long[] { 5, 6, 7, 8, 9, 10 }));
    }
}
