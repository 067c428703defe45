namespace Autograd.Tests;

public class ScalarValueTests
{
    [Test]
    public void MicrogradReadmeExample()
    {
        // The example of micrograd's README, whose values it checks against PyTorch.
        Value a = -4.0, b = 2.0;
        var c = a + b;
        var d = a * b + b.Pow(3);
        c += c + 1;
        c += 1 + c + -a;
        d += d * 2 + (b + a).Relu();
        d += 3 * d + (b - a).Relu();
        var e = c - d;
        var f = e.Pow(2);
        var g = f / 2.0;
        g += 10.0 / f;
        g.Backward();
        Assert.That(g.Data, Is.EqualTo(24.7041).Within(1e-4));
        Assert.That(a.Grad, Is.EqualTo(138.8338).Within(1e-4));
        Assert.That(b.Grad, Is.EqualTo(645.5773).Within(1e-4));
    }

    [Test]
    public void ANeuronAndItsGradients()
    {
        // o = tanh(x1·w1 + x2·w2 + b): do/dw1 = (1 − o²)·x1
        Value x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8813735870195432;
        var o = (x1 * w1 + x2 * w2 + b).Tanh();
        o.Backward();
        Assert.That(o.Data, Is.EqualTo(0.7071067811865476).Within(1e-12));
        Assert.That(w1.Grad, Is.EqualTo((1 - o.Data * o.Data) * 2).Within(1e-12));
        Assert.That(x1.Grad, Is.EqualTo((1 - o.Data * o.Data) * -3).Within(1e-12));
        Assert.That(w2.Grad, Is.EqualTo(0));
    }

    [Test]
    public void LeavesAccumulateAndInnerNodesHoldTheLastPass()
    {
        Value x = 3;
        var y = x * x;
        y.Backward();
        y.Backward();
        Assert.That(x.Grad, Is.EqualTo(12));
        Assert.That(y.Grad, Is.EqualTo(1));
    }

    private static readonly string[] Unary = ["neg", "exp", "tanh", "sigmoid", "relu", "sin", "cos", "abs", "softplus", "sign", "hardtanh", "clamp", "pow2", "sqrtabs", "logabs", "numleft", "numright"];
    private static readonly string[] Binary = ["add", "sub", "mul", "div", "max", "min", "powpos"];

    [Test]
    public void RandomExpressionsGiveTheSameValuesAndGradientsAs0DTensors([Range(0, 49)] int seed)
    {
        var gen = new Generator((ulong)seed);
        const int leaves = 4;
        var init = Enumerable.Range(0, leaves).Select(_ => Math.Round(gen.NextNormal(), 3) + 0.0123).ToArray();
        var vs = init.Select(v => new Value(v)).ToList();
        var ts = init.Select(v => Tensor.Scalar(v, DType.Float64).RequireGrad()).ToList();
        var vLeaves = vs.ToArray();
        var tLeaves = ts.ToArray();
        for (int step = 0; step < 25; step++)
        {
            int i = gen.NextInt(vs.Count), j = gen.NextInt(vs.Count);
            if (gen.NextInt(2) == 0)
            {
                var op = Unary[gen.NextInt(Unary.Length)];
                vs.Add(ApplyUnary(op, vs[i]));
                ts.Add(ApplyUnary(op, ts[i]));
            }
            else
            {
                var op = Binary[gen.NextInt(Binary.Length)];
                vs.Add(ApplyBinary(op, vs[i], vs[j]));
                ts.Add(ApplyBinary(op, ts[i], ts[j]));
            }
        }
        // The root sums a few of the last values so that many paths meet.
        var vRoot = vs[^1] + vs[^2] * vs[^3];
        var tRoot = ts[^1] + ts[^2] * ts[^3];
        Assert.That(vRoot.Data, Is.EqualTo(tRoot.Item()).Within(1e-12 * (1 + Math.Abs(vRoot.Data))));
        vRoot.Backward();
        if (!tRoot.RequiresGrad) return;
        tRoot.Backward();
        for (int k = 0; k < leaves; k++)
        {
            double tg = tLeaves[k].Grad?.Item() ?? 0;
            Assert.That(vLeaves[k].Grad, Is.EqualTo(tg).Within(1e-10 * (1 + Math.Abs(tg))), $"leaf {k}");
        }
    }

    private static Value ApplyUnary(string op, Value x) => op switch
    {
        // A number on either side of each arithmetic operator (Value has overloads that give the number no node).
        "numleft" => 0.3 - 1.7 * x + 2.5 / (x.Abs() + 0.5),
        "numright" => (x - 0.3) * 1.7 / 2.5 + 0.1,
        "neg" => -x, "exp" => x.Clamp(-5, 5).Exp(), "tanh" => x.Tanh(), "sigmoid" => x.Sigmoid(), "relu" => x.Relu(),
        "sin" => x.Sin(), "cos" => x.Cos(), "abs" => x.Abs(), "softplus" => x.Softplus(), "sign" => x.Sign(),
        "hardtanh" => x.Hardtanh(), "clamp" => x.Clamp(-0.7, 0.9), "pow2" => x.Pow(2), "sqrtabs" => (x.Abs() + 0.5).Sqrt(),
        _ => (x.Abs() + 0.5).Log(),
    };

    private static Tensor ApplyUnary(string op, Tensor x) => op switch
    {
        // A number on either side of each arithmetic operator (Value has overloads that give the number no node).
        "numleft" => 0.3 - 1.7 * x + 2.5 / (x.Abs() + 0.5),
        "numright" => (x - 0.3) * 1.7 / 2.5 + 0.1,
        "neg" => -x, "exp" => x.Clamp(-5, 5).Exp(), "tanh" => x.Tanh(), "sigmoid" => x.Sigmoid(), "relu" => x.Relu(),
        "sin" => x.Sin(), "cos" => x.Cos(), "abs" => x.Abs(), "softplus" => x.Softplus(), "sign" => x.Sign(),
        "hardtanh" => x.Hardtanh(), "clamp" => x.Clamp(-0.7, 0.9), "pow2" => x.Pow(2), "sqrtabs" => (x.Abs() + 0.5).Sqrt(),
        _ => (x.Abs() + 0.5).Log(),
    };

    private static Value ApplyBinary(string op, Value a, Value b) => op switch
    {
        "add" => a + b, "sub" => a - b, "mul" => a * b, "div" => a / (b.Abs() + 0.5), "max" => Value.Max(a, b),
        "min" => Value.Min(a, b), _ => (a.Abs() + 0.5).Pow(b.Clamp(-2, 2)),
    };

    private static Tensor ApplyBinary(string op, Tensor a, Tensor b) => op switch
    {
        "add" => a + b, "sub" => a - b, "mul" => a * b, "div" => a / (b.Abs() + 0.5), "max" => Tensor.Maximum(a, b),
        "min" => Tensor.Minimum(a, b), _ => Tensor.Pow(a.Abs() + 0.5, b.Clamp(-2, 2)),
    };

    [Test]
    public void ADeepChainDoesNotOverflowTheStack()
    {
        Value x = 0.5;
        var y = x;
        for (int i = 0; i < 1_000_000; i++) y = y + 1e-6;
        y.Backward();
        Assert.That(x.Grad, Is.EqualTo(1));
    }
}
