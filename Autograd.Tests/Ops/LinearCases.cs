using Autograd.Kernels;

namespace Autograd.Tests.Ops;

/// <summary>What the tests of the fused linear primitives share: their operands, a bitwise view, and the degree and ISA to run under.</summary>
internal static class LinearCases
{
    public static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    /// <summary>Runs <paramref name="body"/> at <paramref name="degree"/> threads, splitting small products too so that every path runs at every degree.</summary>
    public static T Under<T>(InstructionSet? isa, int degree, Func<T> body)
    {
        int saved = Parallelism.MaxDegree;
        long threshold = GemmBlocking.ParallelThreshold;
        using var scope = isa is { } set ? Isa.Override(set) : null;
        Parallelism.MaxDegree = degree;
        GemmBlocking.ParallelThreshold = 1 << 12;
        try { return body(); }
        finally
        {
            Parallelism.MaxDegree = saved;
            GemmBlocking.ParallelThreshold = threshold;
        }
    }

    public static long[] Bits(Tensor t) => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    public static (Tensor X, Tensor W, Tensor B, Tensor R) Operands(int n, int inF, int outF, DType dtype, bool transposedX, int seed)
    {
        var g = new Generator((ulong)seed);
        var x = transposedX ? Tensor.Uniform([inF, n], g, -1, 1, dtype).T : Tensor.Uniform([n, inF], g, -1, 1, dtype);
        return (x, Tensor.Uniform([outF, inF], g, -1, 1, dtype), Tensor.Uniform([outF], g, -1, 1, dtype), Tensor.Uniform([n, outF], g, -1, 1, dtype));
    }

    /// <summary>The gradients of Σ f(x, W, b)·r with respect to x, W and b.</summary>
    public static Tensor[] Grads(Func<Tensor, Tensor, Tensor, Tensor> f, Tensor x, Tensor w, Tensor b, Tensor r, bool createGraph = false)
    {
        var (xg, wg, bg) = (x.Detach().RequireGrad(), w.Detach().RequireGrad(), b.Detach().RequireGrad());
        var loss = (f(xg, wg, bg) * r).Sum();
        return Autodiff.Grad([loss], [xg, wg, bg], createGraph: createGraph).Select(t => t!).ToArray();
    }
}
