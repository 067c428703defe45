using System.Globalization;

namespace Autograd;

/// <summary>
/// A scalar on its own small graph, micrograd style: <c>var a = new Value(2); var c = a * -3 + a.Tanh(); c.Backward();</c>
/// then <c>a.Grad</c>. Same ops and same gradients as 0-d float64 tensors (relu′(0) = 0, ties of Max/Min split ½, the
/// bounds of Clamp count as inside), first order only. Each op stores its local derivatives when it runs, so backward is
/// one multiply-add per edge and nothing is allocated per op beyond the node itself (a number operand, as in
/// <c>a * -3</c>, gets no node).
/// </summary>
public sealed class Value
{
    private readonly Value? _a, _b;
    private readonly double _da, _db;
    private readonly string _op;
    private int _stamp;

    [ThreadStatic] private static Value[]? t_stack;
    [ThreadStatic] private static Value[]? t_order;
    private static int s_stamp;

    // Arrays kept between passes are at most this long (512 KB each); a longer pass's arrays are left to the collector.
    private const int MaxPooledLength = 1 << 16;

    /// <summary>A leaf holding <paramref name="data"/>.</summary>
    /// <param name="data">The number the leaf holds.</param>
    public Value(double data)
    {
        Data = data;
        _op = "";
    }

    private Value(double data, string op, Value a, double da, Value? b = null, double db = 0)
    {
        Data = data;
        _op = op;
        _a = a;
        _da = da;
        _b = b;
        _db = db;
    }

    /// <summary>The value.</summary>
    public double Data { get; set; }

    /// <summary>d(root)/d(this) after <see cref="Backward"/>; leaves accumulate over passes, inner nodes hold the last pass.</summary>
    public double Grad { get; set; }

    /// <summary>The op that produced this value, or "" for a leaf.</summary>
    public string Op => _op;

    /// <summary>The inputs of the op that produced this value.</summary>
    public IEnumerable<Value> Children
    {
        get
        {
            if (_a is not null) yield return _a;
            if (_b is not null) yield return _b;
        }
    }

    /// <summary>A leaf holding <paramref name="data"/>.</summary>
    /// <param name="data">The number the leaf holds.</param>
    /// <returns>A new leaf value.</returns>
    public static implicit operator Value(double data) => new(data);

    /// <summary>Computes a + b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    public static Value operator +(Value a, Value b)
    {
        Operand(a, "add", "left");
        Operand(b, "add", "right");
        return new(a.Data + b.Data, "add", a, 1, b, 1);
    }
    /// <summary>Computes a − b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    public static Value operator -(Value a, Value b)
    {
        Operand(a, "sub", "left");
        Operand(b, "sub", "right");
        return new(a.Data - b.Data, "sub", a, 1, b, -1);
    }
    /// <summary>Computes a · b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    public static Value operator *(Value a, Value b)
    {
        Operand(a, "mul", "left");
        Operand(b, "mul", "right");
        return new(a.Data * b.Data, "mul", a, b.Data, b, a.Data);
    }
    /// <summary>Computes a / b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    public static Value operator /(Value a, Value b)
    {
        Operand(a, "div", "left");
        Operand(b, "div", "right");
        return new(a.Data / b.Data, "div", a, 1 / b.Data, b, -a.Data / (b.Data * b.Data));
    }
    /// <summary>Computes −a.</summary>
    /// <param name="a">The operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static Value operator -(Value a)
    {
        Operand(a, "neg", "");
        return new(-a.Data, "neg", a, -1);
    }

    // With a number on one side the number gets no node of its own (as 0-d tensors, whose tensor∘number ops save
    // nothing): one allocation per op instead of two, and the same values and gradients for the Value operands.

    /// <summary>Computes a + b for a number b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The number on the right; it gets no node.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static Value operator +(Value a, double b)
    {
        Operand(a, "add", "left");
        return new(a.Data + b, "add", a, 1);
    }
    /// <summary>Computes a + b for a number a.</summary>
    /// <param name="a">The number on the left; it gets no node.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    public static Value operator +(double a, Value b)
    {
        Operand(b, "add", "right");
        return new(a + b.Data, "add", b, 1);
    }
    /// <summary>Computes a − b for a number b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The number on the right; it gets no node.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static Value operator -(Value a, double b)
    {
        Operand(a, "sub", "left");
        return new(a.Data - b, "sub", a, 1);
    }
    /// <summary>Computes a − b for a number a.</summary>
    /// <param name="a">The number on the left; it gets no node.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    public static Value operator -(double a, Value b)
    {
        Operand(b, "sub", "right");
        return new(a - b.Data, "sub", b, -1);
    }
    /// <summary>Computes a · b for a number b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The number on the right; it gets no node.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static Value operator *(Value a, double b)
    {
        Operand(a, "mul", "left");
        return new(a.Data * b, "mul", a, b);
    }
    /// <summary>Computes a · b for a number a.</summary>
    /// <param name="a">The number on the left; it gets no node.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    public static Value operator *(double a, Value b)
    {
        Operand(b, "mul", "right");
        return new(a * b.Data, "mul", b, a);
    }
    /// <summary>Computes a / b for a number b.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The number on the right; it gets no node.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static Value operator /(Value a, double b)
    {
        Operand(a, "div", "left");
        return new(a.Data / b, "div", a, 1 / b);
    }
    /// <summary>Computes a / b for a number a.</summary>
    /// <param name="a">The number on the left; it gets no node.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    public static Value operator /(double a, Value b)
    {
        Operand(b, "div", "right");
        return new(a / b.Data, "div", b, -a / (b.Data * b.Data));
    }

    /// <summary>Computes xᶜ; d/dx = c·xᶜ⁻¹ (0 for c = 0).</summary>
    /// <param name="c">The exponent, a constant.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Pow(double c) => new(Math.Pow(Data, c), "pow", this, c == 0 ? 0 : c * Math.Pow(Data, c - 1));

    /// <summary>Computes xʸ; ∂/∂x = y·xʸ⁻¹ (0 for y = 0), ∂/∂y = xʸ·ln x (0 for x = 0, y ≥ 0).</summary>
    /// <param name="y">The exponent, differentiated as well.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="y"/> is null.</exception>
    public Value Pow(Value y)
    {
        Operand(y, "pow", "exponent");
        double v = Math.Pow(Data, y.Data);
        double dx = y.Data == 0 ? 0 : y.Data * Math.Pow(Data, y.Data - 1);
        double dy = Data == 0 && y.Data >= 0 ? 0 : v * Math.Log(Data);
        return new Value(v, "pow", this, dx, y, dy);
    }

    /// <summary>Computes eˣ.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Exp() { double e = Math.Exp(Data); return new Value(e, "exp", this, e); }
    /// <summary>Computes ln x.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Log() => new(Math.Log(Data), "log", this, 1 / Data);
    /// <summary>Computes √x.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Sqrt() { double r = Math.Sqrt(Data); return new Value(r, "sqrt", this, 1 / (2 * r)); }
    /// <summary>Computes |x|; d/dx = sign x.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Abs() => new(Math.Abs(Data), "abs", this, SignOf(Data));
    /// <summary>Computes sin x.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Sin() => new(Math.Sin(Data), "sin", this, Math.Cos(Data));
    /// <summary>Computes cos x.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Cos() => new(Math.Cos(Data), "cos", this, -Math.Sin(Data));
    /// <summary>Computes tanh x; d/dx = 1 − tanh² x.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Tanh() { double t = Math.Tanh(Data); return new Value(t, "tanh", this, 1 - t * t); }
    /// <summary>Computes σ(x) = 1 / (1 + e⁻ˣ); d/dx = σ(1 − σ).</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Sigmoid() { double s = 1 / (1 + Math.Exp(-Data)); return new Value(s, "sigmoid", this, s * (1 - s)); }
    /// <summary>Computes max(x, 0); d/dx = 1 for x &gt; 0.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Relu() => new(Data > 0 || double.IsNaN(Data) ? Data : 0, "relu", this, Data > 0 ? 1 : 0);
    /// <summary>Computes sign x; its derivative is 0.</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Sign() => new(SignOf(Data), "sign", this, 0);
    /// <summary>Computes ln(1 + eˣ) without overflow; d/dx = σ(x).</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Softplus() => new(Math.Max(Data, 0) + Math.Log(1 + Math.Exp(-Math.Abs(Data))), "softplus", this, 1 / (1 + Math.Exp(-Data)));
    /// <summary>Computes min(max(x, lo), hi); d/dx = 1 for lo ≤ x ≤ hi.</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="min"/> is greater than <paramref name="max"/>.</exception>
    public Value Clamp(double min, double max)
    {
        if (min > max) throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"clamp: min {min} is greater than max {max}."));
        return new Value(Math.Min(Math.Max(Data, min), max), "clamp", this, Data >= min && Data <= max ? 1 : 0);
    }
    /// <summary>Computes max(−1, min(1, x)).</summary>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    public Value Hardtanh() => Clamp(-1, 1);

    /// <summary>Computes max(a, b); ties send ½ to each.</summary>
    /// <param name="a">The first operand.</param>
    /// <param name="b">The second operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    public static Value Max(Value a, Value b) => Max2(Operand(a, "maximum", "left"), Operand(b, "maximum", "right"));

    private static Value Max2(Value a, Value b) =>
        new(Math.Max(a.Data, b.Data), "maximum", a, a.Data > b.Data ? 1 : a.Data == b.Data ? 0.5 : 0, b, b.Data > a.Data ? 1 : a.Data == b.Data ? 0.5 : 0);

    /// <summary>Computes min(a, b); ties send ½ to each.</summary>
    /// <param name="a">The first operand.</param>
    /// <param name="b">The second operand.</param>
    /// <returns>A new value recording this op for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    public static Value Min(Value a, Value b) => Min2(Operand(a, "minimum", "left"), Operand(b, "minimum", "right"));

    private static Value Min2(Value a, Value b) =>
        new(Math.Min(a.Data, b.Data), "minimum", a, a.Data < b.Data ? 1 : a.Data == b.Data ? 0.5 : 0, b, b.Data < a.Data ? 1 : a.Data == b.Data ? 0.5 : 0);

    // C# operators on a class would throw NullReferenceException on a null operand; say which op and which side instead.
    private static Value Operand(Value? v, string op, string side) =>
        v ?? throw new ArgumentNullException(side.Length == 0 ? "a" : side == "exponent" ? "y" : side == "left" ? "a" : "b",
            $"Value {op}: the {(side.Length == 0 ? "" : side + " ")}operand is null.");

    private static double SignOf(double x) => x > 0 ? 1 : x < 0 ? -1 : x;

    /// <summary>Sets d(this)/d(this) = 1 and propagates to every value this one depends on.</summary>
    public void Backward()
    {
        int stamp = Interlocked.Increment(ref s_stamp);
        var stack = t_stack ??= new Value[64];
        var order = t_order ??= new Value[64];
        int top = 0, count = 0;
        // Iterative post-order: a node is pushed twice, its stamp marks the first visit, a negative stamp the second.
        stack[top++] = this;
        while (top > 0)
        {
            var v = stack[top - 1];
            if (v._stamp == stamp)
            {
                top--;
                v._stamp = -stamp;
                if (count == order.Length) Array.Resize(ref order, order.Length * 2);
                order[count++] = v;
                continue;
            }
            if (v._stamp == -stamp) { top--; continue; }
            v._stamp = stamp;
            if (top + 2 > stack.Length) Array.Resize(ref stack, stack.Length * 2);
            if (v._a is { } a && a._stamp != stamp && a._stamp != -stamp) stack[top++] = a;
            if (v._b is { } b && b._stamp != stamp && b._stamp != -stamp) stack[top++] = b;
        }
        for (int i = 0; i < count; i++) if (order[i]._a is not null) order[i].Grad = 0;
        Grad += 1;
        for (int i = count - 1; i >= 0; i--)
        {
            var v = order[i];
            if (v._a is null) continue;
            v._a.Grad += v._da * v.Grad;
            if (v._b is not null) v._b.Grad += v._db * v.Grad;
        }
        // The arrays kept for the next pass on this thread must not keep this graph reachable.
        if (order.Length <= MaxPooledLength)
        {
            Array.Clear(order, 0, count);
            t_order = order;
        }
        else t_order = null;
        if (stack.Length <= MaxPooledLength)
        {
            // Each of the count nodes pushed at most two others, after the root: the pass used at most 2·count + 1 slots
            // (one vectorized clear, cheaper than scanning for the first empty slot).
            Array.Clear(stack, 0, Math.Min(stack.Length, 2 * count + 1));
            t_stack = stack;
        }
        else t_stack = null;
    }

    /// <summary>micrograd's repr: Value(data=…, grad=…).</summary>
    /// <returns><c>Value(data=…, grad=…)</c>, with six significant digits, culture-invariant.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Value(data={Data:G6}, grad={Grad:G6})");
}
