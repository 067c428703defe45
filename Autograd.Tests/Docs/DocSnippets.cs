// Every C# snippet of README.md and docs/*.md, verbatim, so that the build compiles them and the tests run them.
// DocsTests checks that each snippet still appears here; edit both together.
using Autograd;

namespace Autograd.Tests;

public class DocSnippets
{
    // docs/custom-functions.md
    sealed class StableSoftplus : CustomFunction
    {
        private SavedTensor _x;

        protected override Tensor Forward(Tensor[] inputs)
        {
            _x = SaveForBackward(inputs[0]);
            var x = inputs[0];
            return x.Relu() + (-x.Abs()).Exp().Add(Tensor.Scalar(1.0, x.DType)).Log();   // max(x, 0) + log(1 + e^−|x|)
        }

        // d/dx log(1 + eˣ) = σ(x)
        protected override Tensor?[] Backward(Tensor grad) => [grad * _x.Value.Sigmoid()];
    }

    [Test] // README.md
    public void ReadmeSnippet1()
    {

        var x = Tensor.From(new double[] { 0.5, -1.0, 2.0 }).RequireGrad();
        var y = (x * x).Tanh().Sum();      // y = Σ tanh(xᵢ²)
        y.Backward();
        Console.WriteLine(x.Grad);         // dy/dxᵢ = 2xᵢ(1 − tanh²(xᵢ²))
    }

    [Test] // docs/custom-functions.md
    public void CustomFunctionsSnippet2()
    {
        var x = Tensor.From(new double[] { -30, -1, 0.5, 2, 40 }).RequireGrad();
        var y = new StableSoftplus().Apply(x);
        GradCheckResult first = GradCheck.Check(t => new StableSoftplus().Apply(t[0]), [x]);
        GradCheckResult second = GradCheck.CheckSecondOrder(t => new StableSoftplus().Apply(t[0]), [x]);
        Console.WriteLine(first);    // GradCheck passed (full Jacobian) …
        Console.WriteLine(second);
    }

    [Test] // docs/debugging.md
    public void DebuggingSnippet3()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var h = w * 3.0;
        using var observe = h.RegisterHook(g => { Console.WriteLine($"dL/dh = {g}"); return null; });
        using var clip = w.RegisterHook(g => g.Clamp(-5, 5));
        (h * h).Sum().Backward();            // dL/dw = 18·w, clipped to 5
    }

    [Test] // docs/debugging.md
    public void DebuggingSnippet4()
    {
        var x = Tensor.From(new double[] { 0, 1 }).RequireGrad();
        using (Autodiff.DetectAnomaly())
        {
            var y = x.Sqrt().Sum();
            try { y.Backward(); }
            catch (InvalidOperationException e) { Console.WriteLine(e.Message); }   // the backward of op 'sqrt' produced +Inf …
        }
    }

    [Test] // docs/debugging.md
    public void DebuggingSnippet5()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var x = Tensor.From(new double[] { 3, 4 });
        var loss = (w * x).Sum();            // mul saves x
        x.MulInPlace(2);                     // version 0 → 1
        try { loss.Backward(); }
        catch (InvalidOperationException e) { Console.WriteLine(e.Message); }   // mul: … (version 0 when saved, 1 now)
        using (Autodiff.NoGrad()) w.AddInPlace(Tensor.From(new double[] { 0.1, 0.1 }), alpha: -1);
    }

    [Test] // docs/debugging.md
    public void DebuggingSnippet6()
    {
        var p = Tensor.Scalar(2, DType.Float64).RequireGrad();
        var q = Tensor.Scalar(-3, DType.Float64).RequireGrad();
        var r = (p * q + p).Tanh();
        r.Backward();
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "graph.dot"), Graphviz.ToDot(r));   // dot -Tpng graph.dot -o graph.png
    }

    [Test] // docs/gradcheck.md
    public void GradcheckSnippet7()
    {

        var w = Tensor.Normal([3, 4], new Generator(1), dtype: DType.Float64).RequireGrad();
        var x = Tensor.Normal([5, 3], new Generator(2), dtype: DType.Float64);            // not differentiated
        Tensor Layer(Tensor[] t) => t[1].MatMul(t[0]).Tanh().Sum();                // f(W, X) = Σ tanh(X·W)

        GradCheckResult r = GradCheck.Check(Layer, [w, x]);
        Console.WriteLine(r);                      // "GradCheck passed (full Jacobian)" and one line for input 0
        foreach (var rep in r.Inputs)
            Console.WriteLine($"{rep.Input}: {rep.Passed}, worst abs error {rep.AbsoluteError:E2}");

        GradCheck.Assert(Layer, [w, x], new GradCheckOptions { FastMode = true, Projections = 8, Seed = 7 });
        GradCheck.AssertSecondOrder(Layer, [w, x]); // throws GradCheckException with the report on a mismatch
    }

    [Test] // docs/higher-order.md
    public void HigherOrderSnippet8()
    {
        var x = Tensor.Scalar(1.5, DType.Float64).RequireGrad();
        var y = x * x * x;                                     // y = x³
        var dy = Autodiff.Grad(y, x, createGraph: true);       // 3x² = 6.75, itself on the graph
        var d2y = Autodiff.Grad(dy, x);                        // 6x = 9
        Console.WriteLine($"{dy.Item()} {d2y.Item()}");
    }

    [Test] // docs/higher-order.md
    public void HigherOrderSnippet9()
    {
        var a = Tensor.From(new double[,] { { 2, 1 }, { 0, 3 } });
        var x = Tensor.From(new double[] { 1, -1 });
        var hessian = Functional.Hessian(v => v.MatMul(a).MatMul(v), x);   // xᵀAx: A + Aᵀ = [[4, 1], [1, 6]]
        var jacobian = Functional.Jacobian(v => v.Softmax(), x);             // diag(s) − s sᵀ
        var (fx, hv) = Functional.Hvp(xs => xs[0].MatMul(a).MatMul(xs[0]), [x], [Tensor.From(new double[] { 1, 0 })]);
        Console.WriteLine(hessian);
        Console.WriteLine(hv[0]);                                            // first column of A + Aᵀ: [4, 1]
    }

    [Test] // docs/scalar-api.md
    public void ScalarApiSnippet10()
    {
        Value a = 2.0, b = -3.0;
        var c = a * b + a.Tanh();            // c = a·b + tanh a
        c.Backward();
        Console.WriteLine(a.Grad);           // b + (1 − tanh² a) = −3 + 0.0707 = −2.9293
        Console.WriteLine(b.Grad);           // a = 2
        Console.WriteLine(c);                // Value(data=-5.03597, grad=1)
    }
}
