namespace Autograd.Tests.Ops;

/// <summary>Tensor.Einsum against torch.einsum (values and gradients), how it is lowered, and its refusals.</summary>
public class EinsumTests
{
    private static Tensor Arange(params int[] shape) => Tensor.Arange(shape.Aggregate(1, (a, b) => a * b), DType.Float64).Reshape(shape);

    [Test]
    public void ValuesAndGradientsMatchTorch()
    {
        var equations = new List<string>();
        foreach (var c in ProductFixture.Cases("einsum"))
        {
            var x = ProductFixture.Inputs(c);
            string equation = c.GetProperty("equation").GetString()!;
            ProductFixture.Check(c, x, Tensor.Einsum(equation, x));
            equations.Add(equation);
        }
        Assert.That(equations, Has.Count.GreaterThanOrEqualTo(40));
    }

    [Test]
    public void Float32MatchesTheFloat64Result()
    {
        var a = Tensor.Randn([3, 5, 7], new Generator(1));
        var b = Tensor.Randn([7, 5, 2], new Generator(2));
        var y32 = Tensor.Einsum("ijk,kjl->il", a, b);
        var y64 = Tensor.Einsum("ijk,kjl->il", a.To(DType.Float64), b.To(DType.Float64));
        Assert.That(y32.DType, Is.EqualTo(DType.Float32));
        Assert.That(y32.ToArray<double>(), Is.EqualTo(y64.ToArray<double>()).Within(1e-4));
    }

    private static List<string> GraphNames(Tensor y)
    {
        var names = new List<string>();
        var seen = new HashSet<Function>();
        var stack = new Stack<Function>();
        if (y.GradFn is { } root) stack.Push(root);
        while (stack.Count > 0)
        {
            var f = stack.Pop();
            if (!seen.Add(f)) continue;
            names.Add(f.Name);
            foreach (var input in f.Inputs)
                if (input.GradFn is { } g) stack.Push(g);
        }
        return names;
    }

    [Test]
    public void ATwoOperandContraction_IsOneBatchedMatMul_NotAProductAndSum()
    {
        var a = Tensor.Randn([4, 8, 16], new Generator(3), DType.Float64).RequireGrad();
        var b = Tensor.Randn([4, 16, 8], new Generator(4), DType.Float64).RequireGrad();
        foreach (var eq in new[] { "bij,bjk->bik", "bij,bjk->bki", "bij,bjk->ik", "...ij,...jk->...ik" })
        {
            var names = GraphNames(Tensor.Einsum(eq, a, b));
            Assert.That(names.Count(n => n == "matmul"), Is.EqualTo(1), $"{eq}: {string.Join(", ", names)}");
            Assert.That(names, Has.None.EqualTo("mul"), eq);
        }
        // Three operands: two products, left to right.
        var c = Tensor.Randn([4, 8, 3], new Generator(5), DType.Float64).RequireGrad();
        Assert.That(GraphNames(Tensor.Einsum("bij,bjk,bkl->bil", a, b, c)).Count(n => n == "matmul"), Is.EqualTo(2));
    }

    [Test]
    public void SecondOrderGradientsOfATrace()
    {
        // d/dA trace(A·A) = 2Aᵀ, so the gradient of sum(2Aᵀ) is 2 everywhere.
        var a = Arange(3, 3).RequireGrad();
        var g = Autodiff.Grad(Tensor.Einsum("ij,ji", a, a), a, createGraph: true);
        Assert.That(g.ToArray<double>(), Is.EqualTo(Arange(3, 3).T.Contiguous().ToArray<double>().Select(v => 2 * v).ToArray()));
        var gg = Autodiff.Grad(g.Sum(), a);
        Assert.That(gg.ToArray<double>(), Is.All.EqualTo(2.0));
    }

    private static void Fails(TestDelegate code, params string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(code)!;
        Assert.That(ex.Message, Does.StartWith("einsum:"), ex.Message);
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f), ex.Message);
    }

    [Test]
    public void TheWrongNumberOfOperands_IsRefused()
    {
        Fails(() => Tensor.Einsum("ij", Arange(3, 4), Arange(3)), "'ij' has 1 operand term but 2 operands were given");
        Fails(() => Tensor.Einsum("ij,j", Arange(3, 4)), "'ij,j' has 2 operand terms but 1 operand was given");
        Fails(() => Tensor.Einsum("i"), "expected at least one operand");
    }

    [Test]
    public void SubscriptsThatDoNotMatchTheRank_AreRefused()
    {
        Fails(() => Tensor.Einsum("ijk", Arange(3, 4)), "operand 0", "3 subscripts 'ijk'", "[3, 4] (rank 2) and no ellipsis");
        Fails(() => Tensor.Einsum("i,i", Arange(3), Arange(3, 3)), "operand 1", "1 subscript 'i'", "[3, 3]");
        Fails(() => Tensor.Einsum("ij...k", Arange(3, 4)), "operand 0", "'ij...k'", "[3, 4]");
    }

    [Test]
    public void ASubscriptWithDifferentSizes_IsRefused()
    {
        Fails(() => Tensor.Einsum("ij,jk->ik", Arange(2, 3), Arange(4, 4)), "subscript 'j' has size 4 in operand 1", "size 3 in operand 0");
        Fails(() => Tensor.Einsum("ii->i", Arange(3, 4)), "subscript 'i' is repeated in operand 0", "3 and 4");
        Fails(() => Tensor.Einsum("...i,...i", Arange(2, 3), Arange(4, 3)), "ellipsis dimensions of operand 1", "[4, 3]");
    }

    [Test]
    public void InvalidCharacters_AreRefused()
    {
        Fails(() => Tensor.Einsum("i1", Arange(3, 4)), "invalid subscript '1' at index 1 of 'i1'");
        Fails(() => Tensor.Einsum("i->i->i", Arange(3)), "invalid subscript '-' at index 4");
        Fails(() => Tensor.Einsum("i,j->i,j", Arange(3), Arange(2)), "invalid subscript ','");
        Fails(() => Tensor.Einsum("..i", Arange(3)), "'.' at index 0 of '..i' in operand 0 is not part of an ellipsis");
        Fails(() => Tensor.Einsum("i...j...", Arange(3, 3, 3)), "operand 0 of 'i...j...' has more than one ellipsis");
        Fails(() => Tensor.Einsum("i->......", Arange(3)), "the output of 'i->......' has more than one ellipsis");
    }

    [Test]
    public void AnOutputSubscriptNotInTheInputs_IsRefused() =>
        Fails(() => Tensor.Einsum("ij->k", Arange(3, 4)), "output subscript 'k' of 'ij->k' appears in no operand");

    [Test]
    public void ARepeatedOutputSubscript_IsRefused() =>
        Fails(() => Tensor.Einsum("ij->ii", Arange(3, 4)), "output subscript 'i' appears more than once in the output of 'ij->ii'");

    [Test]
    public void AnInt64Operand_IsRefused() =>
        Fails(() => Tensor.Einsum("i,i", Arange(3), Tensor.From(new long[] { 1, 2, 3 })), "operand 1 is int64");

    [Test]
    public void ANullOperand_IsRefusedNamingIt()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => Tensor.Einsum("i,i", Arange(3), null!))!;
        Assert.That(ex.ParamName, Is.EqualTo("operands"));
        Assert.That(ex.Message, Does.Contain("einsum: operand 1 of 2 is null"));
    }
}
