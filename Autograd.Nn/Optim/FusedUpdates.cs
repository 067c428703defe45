using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Nn.Optim;

/// <summary>
/// Single-pass updates: each reads a parameter's gradient once and writes the parameter and its state buffers in the
/// same loop, doing per element the operations of the optimizer's tensor-op update in the same order and in the
/// parameter's dtype (scalars rounded to it as the tensor ops round them), so both give the same bits. Long tensors
/// are split among threads in <see cref="Chunks"/>, by length alone.
/// </summary>
internal static class FusedUpdates
{
    /// <summary>Whether every tensor is a contiguous float tensor of one dtype (the fused loops index them flat).</summary>
    public static bool CanFuse(Tensor parameter, Tensor grad) =>
        parameter.IsContiguous && grad.IsContiguous && parameter.DType == grad.DType && parameter.DType.IsFloatingPoint();

    /// <summary>The options of one Adam step, as doubles.</summary>
    public readonly record struct AdamStep(bool Maximize, double WeightDecay, bool Decoupled, double Lr, double Beta1, double Beta2, double Eps,
        double StepSize, double BiasCorrection2Sqrt);

    public static void Adam(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? vmax, AdamStep s)
    {
        if (p.DType == DType.Float32) Adam<float>(p, g, m, v, vmax, s);
        else Adam<double>(p, g, m, v, vmax, s);
        p.Version.Value++;
        m.Version.Value++;
        v.Version.Value++;
        if (vmax is not null) vmax.Version.Value++;
    }

    private static void Adam<T>(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? vmax, AdamStep s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double weight = 1 - s.Beta1;
        var body = new AdamChunk<T>(
            new Span3<T>(p, g, m), v.Array<T>(), v.Offset, vmax?.Array<T>(), vmax?.Offset ?? 0,
            s.Maximize, s.WeightDecay != 0 && !s.Decoupled, s.WeightDecay != 0 && s.Decoupled,
            T.CreateTruncating(s.WeightDecay), T.CreateTruncating(1 - s.Lr * s.WeightDecay),
            Math.Abs(weight) < 0.5, T.CreateTruncating(weight), T.CreateTruncating(1 - weight),
            T.CreateTruncating(s.Beta2), T.CreateTruncating(1 - s.Beta2), T.CreateTruncating(s.BiasCorrection2Sqrt), T.CreateTruncating(s.Eps),
            T.CreateTruncating(-s.StepSize));
        Chunks.For(p.NumElements, body);
    }

    /// <summary>A parameter, its gradient and a first buffer, as arrays with offsets.</summary>
    private readonly struct Span3<T>(Tensor p, Tensor g, Tensor a) where T : unmanaged
    {
        public readonly T[] P = p.Array<T>(), G = g.Array<T>(), A = a.Array<T>();
        public readonly int Po = p.Offset, Go = g.Offset, Ao = a.Offset;
    }

    private readonly struct AdamChunk<T>(Span3<T> t, T[] v, int vo, T[]? vmax, int vmo, bool maximize, bool l2, bool decoupled, T wd, T decay,
        bool lerpSmall, T weight, T oneMinusWeight, T beta2, T oneMinusBeta2, T bc2Sqrt, T eps, T negStepSize) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int length)
        {
            T[] pa = t.P, ga = t.G, ma = t.A;
            for (int i = start, end = start + length; i < end; i++)
            {
                T gi = ga[t.Go + i];
                if (maximize) gi = -gi;
                ref T pi = ref pa[t.Po + i];
                if (decoupled) pi *= decay;
                else if (l2) gi += pi * wd;
                ref T mi = ref ma[t.Ao + i];
                // PyTorch's lerp_: m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w).
                mi = lerpSmall ? mi + (gi - mi) * weight : gi - (gi - mi) * oneMinusWeight;
                ref T vi = ref v[vo + i];
                vi *= beta2;
                vi += gi * oneMinusBeta2 * gi;
                T second = vi;
                if (vmax is not null)
                {
                    ref T xi = ref vmax[vmo + i];
                    xi = T.Max(xi, vi);
                    second = xi;
                }
                T denom = T.Sqrt(second) / bc2Sqrt + eps;
                pi += mi * negStepSize / denom;
            }
        }
    }

    /// <summary>SGD with momentum (after the first step, whose buffer is a copy of the gradient): b ← μb + (1 − τ)d; θ ← θ − γ(d + μb or b).</summary>
    public static void SgdMomentum(Tensor p, Tensor g, Tensor buffer, bool maximize, double weightDecay, double momentum, double dampening, bool nesterov, double lr)
    {
        if (p.DType == DType.Float32)
            Chunks.For(p.NumElements, new SgdChunk<float>(new Span3<float>(p, g, buffer), maximize, weightDecay != 0, (float)weightDecay, (float)momentum,
                (float)(1 - dampening), nesterov, (float)-lr));
        else
            Chunks.For(p.NumElements, new SgdChunk<double>(new Span3<double>(p, g, buffer), maximize, weightDecay != 0, weightDecay, momentum,
                1 - dampening, nesterov, -lr));
        p.Version.Value++;
        buffer.Version.Value++;
    }

    private readonly struct SgdChunk<T>(Span3<T> t, bool maximize, bool l2, T wd, T momentum, T oneMinusDampening, bool nesterov, T negLr) : IChunkBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int length)
        {
            T[] pa = t.P, ga = t.G, ba = t.A;
            for (int i = start, end = start + length; i < end; i++)
            {
                T d = ga[t.Go + i];
                if (maximize) d = -d;
                ref T pi = ref pa[t.Po + i];
                if (l2) d += pi * wd;
                ref T bi = ref ba[t.Ao + i];
                bi *= momentum;
                bi += d * oneMinusDampening;
                T step = nesterov ? d + bi * momentum : bi;
                pi += step * negLr;
            }
        }
    }
}
