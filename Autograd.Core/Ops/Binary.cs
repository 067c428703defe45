using System.Runtime.CompilerServices;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>A primitive of two broadcast inputs; gradients are summed back to each input's shape.</summary>
internal abstract class BinaryFunction : Function
{
    protected Tensor A => Saved(0);
    protected Tensor B => Saved(1);

    /// <summary>Whether <see cref="InputGrads"/> reads the inputs (and the output); Add and Sub read neither.</summary>
    protected virtual bool SavesInputs => true;
    protected virtual bool SavesOutput => false;

    protected static Tensor Record(BinaryFunction fn, Tensor a, Tensor b, Tensor y)
    {
        if (!ShouldRecord(a, b)) return y;
        Attach(fn, y, a, b);
        if (fn.SavesInputs) fn.Save(a, b, fn.SavesOutput ? y : null);
        return y;
    }

    protected Tensor Y => Saved(2);

    protected sealed override Tensor?[] Backward(Tensor g)
    {
        var (ga, gb) = InputGrads(g, Input(0).RequiresGrad, Input(1).RequiresGrad);
        return [ga?.SumTo(Input(0).Dims), gb?.SumTo(Input(1).Dims)];
    }

    /// <summary>dL/da and dL/db at the broadcast shape, given dL/dy; skipped where not needed.</summary>
    protected abstract (Tensor? A, Tensor? B) InputGrads(Tensor g, bool needA, bool needB);
}

// ∂(a + b)/∂a = 1, ∂(a + b)/∂b = 1
internal sealed class Add : BinaryFunction
{
    public override string Name => "add";
    protected override bool SavesInputs => false;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Add(), a, b, Elementwise.Zip<AddOperator>(a, b, "add"));
    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB) => (g, g);
}

// ∂(a − b)/∂a = 1, ∂(a − b)/∂b = −1
internal sealed class Sub : BinaryFunction
{
    public override string Name => "sub";
    protected override bool SavesInputs => false;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Sub(), a, b, Elementwise.Zip<SubOperator>(a, b, "sub"));
    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB) => (g, needB ? -g : null);
}

// ∂(ab)/∂a = b, ∂(ab)/∂b = a
internal sealed class Mul : BinaryFunction
{
    public override string Name => "mul";
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Mul(), a, b, Elementwise.Zip<MulOperator>(a, b, "mul"));
    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB) => (needA ? g * B : null, needB ? g * A : null);
}

/// <summary>The tensor ∘ number primitives' forward on a 0-d tensor.</summary>
/// <remarks>
/// The small methods a 0-d op runs through (these, Tensor.ScalarResult, Function.Attach, ShouldRecord and NeedsShell, the grad-mode,
/// anomaly and buffer-scope checks, the engine's Accept) are marked for inlining. Dynamic PGO inlines them only while its
/// profile comes from 0-d chains: in a process that had trained an MLP first, a 0-d op took 2.03–2.10× as long as a
/// Value op (three runs), against about 1.5× in a fresh one; with the marks 1.95–1.98×, and 1.78× against 2.06× with
/// PGO off (Autograd.Bench summary … mlp scalar and probe-scalar, builds run in turn).
/// </remarks>
internal static class ScalarOperand
{
    /// <summary>
    /// x ∘ c for a 0-d float x, as <see cref="Elementwise.ZipScalar"/> computes it (c taken in x's dtype) without its
    /// layout checks, which cost more than the one element in long scalar chains; null for other tensors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Tensor? ZeroDim<TOp>(Tensor x, double c) where TOp : IBinaryKernel
    {
        if (x.Rank != 0) return null;
        if (x.DType == DType.Float64)
        {
            double v = TOp.Invoke(Unsafe.As<double[]>(x.Data)[x.Offset], c);
            var y = Tensor.ScalarResult(DType.Float64);
            Unsafe.As<double[]>(y.RawData)[0] = v;
            return y;
        }
        if (x.DType == DType.Float32)
        {
            float v = TOp.Invoke(Unsafe.As<float[]>(x.Data)[x.Offset], (float)c);
            var y = Tensor.ScalarResult(DType.Float32);
            Unsafe.As<float[]>(y.RawData)[0] = v;
            return y;
        }
        return null;
    }

    /// <summary>A rule's new gradient, which only the engine holds unless it is recorded (<paramref name="owned"/>).</summary>
    public static Tensor Fresh(Tensor r, out bool owned)
    {
        owned = !r.RequiresGrad;
        return r;
    }

    /// <summary>g ∘= c for a 0-d float g that nothing records, with the value <see cref="ZeroDim"/> would give; false otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InPlace<TOp>(Tensor g, double c) where TOp : IBinaryKernel
    {
        if (g.Rank != 0 || g.RequiresGrad) return false;
        if (g.DType == DType.Float64)
        {
            ref double v = ref Unsafe.As<double[]>(g.Data)[g.Offset];
            v = TOp.Invoke(v, c);
            return true;
        }
        if (g.DType == DType.Float32)
        {
            ref float v = ref Unsafe.As<float[]>(g.Data)[g.Offset];
            v = TOp.Invoke(v, (float)c);
            return true;
        }
        return false;
    }
}

// ∂(x·c)/∂x = c for a constant c (tensor ∘ number): no scalar tensor is built and nothing is saved.
internal sealed class MulScalar(double c) : UnaryFunction
{
    public override string Name => "mul";
    protected override Keep Saves => Keep.None;

    public static Tensor Forward(Tensor x, double c)
    {
        var y = ScalarOperand.ZeroDim<MulOperator>(x, c) ?? Elementwise.ZipScalar<MulOperator>(x, c, "mul");
        if (!ShouldRecord(x)) return y;
        Attach(new MulScalar(c), y, x);
        return y;
    }

    protected override Tensor InputGrad(Tensor g) => Forward(g, c);

    // A 0-d gradient that only the engine holds is overwritten, which nobody can tell from a new one (long scalar chains).
    internal override Tensor? RunInputGrad(Tensor g, ref bool owned) =>
        owned && ScalarOperand.InPlace<MulOperator>(g, c) ? g : ScalarOperand.Fresh(Forward(g, c), out owned);
}

// ∂(x + c)/∂x = 1 for a constant c (tensor ∘ number): no scalar tensor is built and nothing is saved.
internal sealed class AddScalar : UnaryFunction
{
    public override string Name => "add";
    protected override Keep Saves => Keep.None;

    public static Tensor Forward(Tensor x, double c)
    {
        var y = ScalarOperand.ZeroDim<AddOperator>(x, c) ?? Elementwise.ZipScalar<AddOperator>(x, c, "add");
        if (!ShouldRecord(x)) return y;
        Attach(new AddScalar(), y, x);
        return y;
    }

    protected override Tensor InputGrad(Tensor g) => g;

    // Hands on the same tensor, so it stays the engine's alone if it was.
    internal override Tensor? RunInputGrad(Tensor g, ref bool owned) => g;
}

// ∂(x − c)/∂x = 1 for a constant c (tensor − number): no scalar tensor is built and nothing is saved.
internal sealed class SubScalar : UnaryFunction
{
    public override string Name => "sub";
    protected override Keep Saves => Keep.None;

    public static Tensor Forward(Tensor x, double c)
    {
        var y = ScalarOperand.ZeroDim<SubOperator>(x, c) ?? Elementwise.ZipScalar<SubOperator>(x, c, "sub");
        if (!ShouldRecord(x)) return y;
        Attach(new SubScalar(), y, x);
        return y;
    }

    protected override Tensor InputGrad(Tensor g) => g;

    // Hands on the same tensor, so it stays the engine's alone if it was.
    internal override Tensor? RunInputGrad(Tensor g, ref bool owned) => g;
}

// ∂(x/c)/∂x = 1/c for a constant c (tensor / number), applied as g/c (not g·(1/c), which rounds differently).
internal sealed class DivScalar(double c) : UnaryFunction
{
    public override string Name => "div";
    protected override Keep Saves => Keep.None;

    public static Tensor Forward(Tensor x, double c)
    {
        var y = ScalarOperand.ZeroDim<DivOperator>(x, c) ?? Elementwise.ZipScalar<DivOperator>(x, c, "div");
        if (!ShouldRecord(x)) return y;
        Attach(new DivScalar(c), y, x);
        return y;
    }

    protected override Tensor InputGrad(Tensor g) => Forward(g, c);

    // A 0-d gradient that only the engine holds is overwritten, which nobody can tell from a new one (long scalar chains).
    internal override Tensor? RunInputGrad(Tensor g, ref bool owned) =>
        owned && ScalarOperand.InPlace<DivOperator>(g, c) ? g : ScalarOperand.Fresh(Forward(g, c), out owned);
}

// ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²
internal sealed class Div : BinaryFunction
{
    public override string Name => "div";
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Div(), a, b, Elementwise.Zip<DivOperator>(a, b, "div"));
    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB) =>
        (needA ? g / B : null, needB ? -(g * A) / (B * B) : null);
}

// ∂(aᵇ)/∂a = b·aᵇ⁻¹ (taken as 0 where b = 0, so 0⁰ gives 0 and not 0·0⁻¹ = NaN, as PyTorch),
// ∂(aᵇ)/∂b = aᵇ·ln a (taken as 0 where a = 0 and b ≥ 0, as PyTorch)
internal sealed class Pow : BinaryFunction
{
    public override string Name => "pow";
    protected override bool SavesOutput => true;
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Pow(), a, b, Elementwise.Zip<PowOperator>(a, b, "pow"));

    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB)
    {
        Tensor? ga = needA ? Tensor.Where(B.Eq(0.0), Tensor.Scalar(0.0, g.DType), g * (B * Tensor.Pow(A, B - 1.0))) : null;
        Tensor? gb = null;
        if (needB)
        {
            var zeroBase = A.Eq(0.0) * B.Ge(0.0);
            gb = Tensor.Where(zeroBase, Tensor.Scalar(0.0, g.DType), g * (Y * A.Log()));
        }
        return (ga, gb);
    }
}

// ∂max(a, b)/∂a = 1 where a > b, ½ where a = b, else 0 (torch.maximum)
internal sealed class Maximum : BinaryFunction
{
    public override string Name => "maximum";
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Maximum(), a, b, Elementwise.Zip<MaxOperator>(a, b, "maximum"));

    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB)
    {
        var tie = 0.5 * A.Eq(B);
        return (needA ? g * (A.Gt(B) + tie) : null, needB ? g * (B.Gt(A) + tie) : null);
    }
}

// ∂min(a, b)/∂a = 1 where a < b, ½ where a = b, else 0 (torch.minimum)
internal sealed class Minimum : BinaryFunction
{
    public override string Name => "minimum";
    public static Tensor Forward(Tensor a, Tensor b) => Record(new Minimum(), a, b, Elementwise.Zip<MinOperator>(a, b, "minimum"));

    protected override (Tensor?, Tensor?) InputGrads(Tensor g, bool needA, bool needB)
    {
        var tie = 0.5 * A.Eq(B);
        return (needA ? g * (A.Lt(B) + tie) : null, needB ? g * (B.Lt(A) + tie) : null);
    }
}

// ∂where(c, a, b)/∂a = [c], ∂/∂b = [¬c]; the condition gets no gradient
internal sealed class Where : Function
{
    public override string Name => "where";

    public static Tensor Forward(Tensor cond, Tensor a, Tensor b)
    {
        var y = Elementwise.Where(cond, a, b, "where");
        if (!ShouldRecord(a, b)) return y;
        var fn = new Where();
        Attach(fn, y, cond, a, b);
        fn.Save(cond);
        return y;
    }

    protected override Tensor?[] Backward(Tensor g)
    {
        var cond = Saved(0);
        var zero = Tensor.Scalar(0.0, g.DType);
        return
        [
            null,
            Input(1).RequiresGrad ? Tensor.Where(cond, g, zero).SumTo(Input(1).Dims) : null,
            Input(2).RequiresGrad ? Tensor.Where(cond, zero, g).SumTo(Input(2).Dims) : null,
        ];
    }
}
