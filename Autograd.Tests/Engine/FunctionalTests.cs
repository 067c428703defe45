namespace Autograd.Tests;

public class FunctionalTests
{
    private static Tensor Randn(int seed, params int[] shape) => Tensor.Normal(shape, new Generator((ulong)seed), dtype: DType.Float64);

    private static void AssertClose(Tensor actual, Tensor expected, double tol = 1e-10)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape));
        var a = actual.ToArray<double>();
        var e = expected.ToArray<double>();
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(e[i]).Within(tol), $"element {i}");
    }

    [Test]
    public void HessianOfAQuadraticFormIsAPlusATransposed()
    {
        var a = Randn(1, 4, 4);
        var x = Randn(2, 4);
        // f(x) = xᵀAx, ∇²f = A + Aᵀ
        var h = Functional.Hessian(v => v.MatMul(a).MatMul(v), x);
        AssertClose(h, a + a.T);
    }

    [Test]
    public void HessianOfSeveralInputsGivesEveryBlock()
    {
        // f(a, b) = Σᵢⱼ a[i, j]²·b[j] + Σⱼ b[j]³ with a [2, 3] and b [3]:
        // ∂²f/∂a[i,j]∂a[k,l] = 2·b[j]·δik·δjl, ∂²f/∂a[i,j]∂b[l] = 2·a[i,j]·δjl, ∂²f/∂b[j]∂b[l] = 6·b[j]·δjl.
        var a = Randn(11, 2, 3);
        var b = Randn(12, 3);
        var h = Functional.Hessian(v => (v[0].Square() * v[1]).Sum() + v[1].Pow(3).Sum(), [a, b]);
        Assert.That(h.Length, Is.EqualTo(2));
        Assert.That(h[0][0].Shape, Is.EqualTo(new[] { 2, 3, 2, 3 }));
        Assert.That(h[0][1].Shape, Is.EqualTo(new[] { 2, 3, 3 }));
        Assert.That(h[1][0].Shape, Is.EqualTo(new[] { 3, 2, 3 }));
        Assert.That(h[1][1].Shape, Is.EqualTo(new[] { 3, 3 }));
        double[] av = a.ToArray<double>(), bv = b.ToArray<double>();
        var aa = new double[36];
        var ab = new double[18];
        var ba = new double[18];
        var bb = new double[9];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
            {
                aa[(i * 3 + j) * 6 + i * 3 + j] = 2 * bv[j];
                ab[(i * 3 + j) * 3 + j] = 2 * av[i * 3 + j];
                ba[j * 6 + i * 3 + j] = 2 * av[i * 3 + j];
            }
        for (int j = 0; j < 3; j++) bb[j * 3 + j] = 6 * bv[j];
        AssertClose(h[0][0], Tensor.From(aa, 2, 3, 2, 3));
        AssertClose(h[0][1], Tensor.From(ab, 2, 3, 3));
        AssertClose(h[1][0], Tensor.From(ba, 3, 2, 3));
        AssertClose(h[1][1], Tensor.From(bb, 3, 3));
        // The one-input form is the diagonal block with the other input held fixed.
        AssertClose(Functional.Hessian(v => (v.Square() * b).Sum() + b.Pow(3).Sum(), a), h[0][0]);
    }

    [Test]
    public void HessianBlocksOfAnInputTheFunctionIgnoresAreZero()
    {
        var a = Randn(13, 3);
        var b = Randn(14, 2);
        var h = Functional.Hessian(v => v[0].Exp().Sum(), [a, b]);
        AssertClose(h[0][0], Tensor.Eye(3, dtype: DType.Float64) * a.Exp());
        Assert.That(h[0][1].Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(h[0][1].ToArray<double>(), Is.All.EqualTo(0));
        Assert.That(h[1][0].ToArray<double>(), Is.All.EqualTo(0));
        Assert.That(h[1][1].ToArray<double>(), Is.All.EqualTo(0));
        Assert.That(() => Functional.Hessian(v => v[0].Exp(), [a, b]), Throws.ArgumentException.With.Message.Contains("Hessian").And.Message.Contains("[3]"));
    }

    [Test]
    public void JacobianOfSoftmaxIsDiagSMinusSSTransposed()
    {
        var x = Randn(3, 5);
        var s = x.Softmax();
        var j = Functional.Jacobian(v => v.Softmax(), x);
        var expected = Tensor.Eye(5, dtype: DType.Float64) * s.Unsqueeze(0) - s.Unsqueeze(1).MatMul(s.Unsqueeze(0));
        AssertClose(j, expected);
    }

    [Test]
    public void JacobianMatchesFiniteDifferencesForSeveralInputs()
    {
        Tensor F(Tensor[] xs) => (xs[0].Unsqueeze(1) * xs[1]).Tanh().Sum(0) + xs[1].Exp();
        var inputs = new[] { Randn(4, 3), Randn(5, 2) };
        var jac = Functional.Jacobian(F, inputs);
        Assert.That(jac[0].Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(jac[1].Shape, Is.EqualTo(new[] { 2, 2 }));
        const double eps = 1e-6;
        for (int k = 0; k < 2; k++)
        {
            var x = inputs[k].ToArray<double>();
            for (int i = 0; i < x.Length; i++)
            {
                Tensor Eval(double d)
                {
                    var xs = inputs.Select(t => t.Clone()).ToArray();
                    var v = (double[])x.Clone();
                    v[i] += d;
                    xs[k] = Tensor.From(v, inputs[k].Shape);
                    return F(xs);
                }
                var numeric = ((Eval(eps) - Eval(-eps)) / (2 * eps)).ToArray<double>();
                for (int o = 0; o < 2; o++) Assert.That(jac[k][o, i], Is.EqualTo(numeric[o]).Within(1e-7));
            }
        }
    }

    [Test]
    public void VjpAndJvpAgreeWithTheJacobian()
    {
        Tensor F(Tensor[] xs) => xs[0].Sin() * xs[0].Sum() + xs[0].Pow(3);
        var x = Randn(6, 4);
        var j = Functional.Jacobian(F, [x])[0];
        var u = Randn(7, 4);
        var v = Randn(8, 4);
        var (y, vjp) = Functional.Vjp(F, [x], u);
        var (y2, jvp) = Functional.Jvp(F, [x], [v]);
        AssertClose(y, F([x]));
        AssertClose(y2, F([x]));
        AssertClose(vjp[0], u.Unsqueeze(0).MatMul(j).Squeeze(0));
        AssertClose(jvp, j.MatMul(v));
    }

    [Test]
    public void JvpMatchesAFiniteDifferenceAlongTheTangent()
    {
        Tensor F(Tensor[] xs) => (xs[0] * xs[1]).LogSumExp(-1) + xs[1].Sigmoid().Sum(-1);
        var a = Randn(9, 2, 3);
        var b = Randn(10, 2, 3);
        var da = Randn(11, 2, 3);
        var db = Randn(12, 2, 3);
        var (_, jvp) = Functional.Jvp(F, [a, b], [da, db]);
        const double eps = 1e-6;
        var numeric = (F([a + eps * da, b + eps * db]) - F([a - eps * da, b - eps * db])) / (2 * eps);
        AssertClose(jvp, numeric, 1e-7);
    }

    [Test]
    public void HvpEqualsHessianTimesVector()
    {
        Tensor F(Tensor x) => (x.Tanh() * x).Sum() + x.Pow(2).Sum().Sqrt();
        var x = Randn(13, 5);
        var v = Randn(14, 5);
        var h = Functional.Hessian(F, x);
        var (y, hvp) = Functional.Hvp(xs => F(xs[0]), [x], [v]);
        AssertClose(y, F(x));
        AssertClose(hvp[0], h.MatMul(v));
        AssertClose(h, h.T, 1e-12);
    }

    [Test]
    public void TransformsLeaveTheCallersTensorsAlone()
    {
        var x = Randn(15, 3);
        Functional.Hessian(v => v.Exp().Sum(), x);
        Functional.Jvp(xs => xs[0].Exp(), [x], [x]);
        Assert.That(x.RequiresGrad, Is.False);
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void BadArgumentsAreNamed()
    {
        var x = Randn(16, 3);
        Assert.That(() => Functional.Hessian(v => v.Exp(), x), Throws.ArgumentException.With.Message.Contains("Hessian").And.Message.Contains("[3]"));
        Assert.That(() => Functional.Jvp(xs => xs[0], [x], [Randn(1, 2)]), Throws.ArgumentException.With.Message.Contains("Jvp"));
    }
}
