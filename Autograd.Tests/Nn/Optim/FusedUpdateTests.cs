using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn.Optim;

/// <summary>
/// The single-pass updates (<see cref="Optimizer.UseFusedUpdate"/>, on by default) give the bits of the tensor-op
/// updates, in float32 and float64, over lengths that run on one thread and across chunks, for every option that
/// changes the loop.
/// </summary>
public class FusedUpdateTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var makers = new (string Name, Func<Tensor[], Optimizer> Make)[]
        {
            ("Adam", p => new Adam(p, lr: 0.05)),
            ("Adam amsgrad wd", p => new Adam(p, lr: 0.05, weightDecay: 0.1, amsgrad: true)),
            ("Adam maximize beta1 0.3", p => new Adam(p, lr: 0.05, beta1: 0.3, maximize: true)),
            ("AdamW", p => new AdamW(p, lr: 0.05, weightDecay: 0.1)),
            ("AdamW amsgrad maximize", p => new AdamW(p, lr: 0.05, amsgrad: true, maximize: true)),
            ("SGD momentum", p => new SGD(p, lr: 0.05, momentum: 0.9)),
            ("SGD nesterov wd", p => new SGD(p, lr: 0.05, momentum: 0.9, weightDecay: 0.1, nesterov: true)),
            ("SGD dampening maximize", p => new SGD(p, lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true)),
        };
        foreach (var (name, make) in makers)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (int n in new[] { 7, 70_001 })
                    yield return new TestCaseData(make, dtype, n).SetArgDisplayNames(name, dtype.ToString(), n.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestCaseSource(nameof(Cases))]
    public void GivesTheBitsOfTheTensorOpUpdate(Func<Tensor[], Optimizer> make, DType dtype, int n)
    {
        var g = new Generator(3);
        var start = Tensor.Randn([n], g).To(dtype);
        var a = start.Clone().RequireGrad();
        var b = start.Clone().RequireGrad();
        var fused = make([a]);
        var plain = make([b]);
        plain.UseFusedUpdate = false;
        Assert.That(fused.UseFusedUpdate, Is.True, "on by default");
        for (int s = 0; s < 4; s++)
        {
            var grad = Tensor.Randn([n], g).To(dtype);
            a.Grad = grad.Clone();
            b.Grad = grad.Clone();
            int version = a.VersionNumber;
            fused.Step();
            plain.Step();
            Assert.That(a.VersionNumber, Is.GreaterThan(version), "the write bumps the version");
            if (dtype == DType.Float32) Assert.That(a.ToArray<float>(), Is.EqualTo(b.ToArray<float>()), $"step {s}");
            else Assert.That(a.ToArray<double>(), Is.EqualTo(b.ToArray<double>()), $"step {s}");
        }
        var sa = fused.StateDict();
        var sb = plain.StateDict();
        Assert.That(sa.Keys, Is.EquivalentTo(sb.Keys));
        foreach (var key in sa.Keys) Assert.That(sa[key].ToArray<double>(), Is.EqualTo(sb[key].ToArray<double>()), key);
    }
}
