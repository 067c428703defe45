using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Nn.Optim;

/// <summary>
/// Single-pass updates: each reads a parameter's gradient once (zeroing it in the same pass if asked) and writes the
/// parameter and its state buffers in the same loop, doing per element the operations of the optimizer's tensor-op
/// update in the same order and in the parameter's dtype (scalars rounded to it as the tensor ops round them, each
/// product and sum rounded on its own), so both give the same bits. The loops run on Vector512/256/128 lanes with a
/// scalar tail (<see cref="FusedPass{TK, T}"/>); long tensors are split among threads in chunks, by length alone.
/// </summary>
internal static class FusedUpdates
{
    /// <summary>
    /// Whether the parameter and gradient can be updated flat: contiguous float tensors of one dtype in two storages
    /// (a gradient sharing the parameter's storage would be read after it is written). Buffers are checked by the caller.
    /// </summary>
    public static bool CanFuse(Tensor parameter, Tensor grad) =>
        parameter.IsContiguous && grad.IsContiguous && parameter.DType == grad.DType && parameter.DType.IsFloatingPoint()
        && !ReferenceEquals(parameter.RawData, grad.RawData);

    /// <summary>Whether every buffer given is contiguous (a null stands for a buffer the options leave out).</summary>
    public static bool Contiguous(Tensor? a, Tensor? b = null, Tensor? c = null) =>
        a is not { IsContiguous: false } && b is not { IsContiguous: false } && c is not { IsContiguous: false };

    private static void Bump(Tensor p, Tensor g, bool zero, Tensor? a = null, Tensor? b = null, Tensor? c = null)
    {
        p.Version.Value++;
        if (zero) g.Version.Value++;
        if (a is not null) a.Version.Value++;
        if (b is not null) b.Version.Value++;
        if (c is not null) c.Version.Value++;
    }

    private static T C<T>(double x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(x);

    // ---- SGD ----

    /// <summary>
    /// SGD: d ← g (−g if maximize) + λθ; with momentum b ← d on the first step (<paramref name="firstStep"/>), else
    /// b ← μb + (1 − τ)d, and d ← d + μb (nesterov) or b; θ ← θ + (−γ)d.
    /// </summary>
    public static void Sgd(Tensor p, Tensor g, Tensor? buffer, bool zero, bool maximize, double weightDecay, double momentum, double dampening,
        bool nesterov, bool firstStep, double lr)
    {
        if (p.DType == DType.Float32) FusedPass<SgdKernel<float>, float>.For(p.NumElements, new(p, g, buffer, zero, maximize, weightDecay, momentum, dampening, nesterov, firstStep, lr));
        else FusedPass<SgdKernel<double>, double>.For(p.NumElements, new(p, g, buffer, zero, maximize, weightDecay, momentum, dampening, nesterov, firstStep, lr));
        Bump(p, g, zero, buffer);
    }

    private readonly struct SgdKernel<T>(Tensor p, Tensor g, Tensor? b, bool zero, bool maximize, double wd, double momentum, double dampening,
        bool nesterov, bool firstStep, double lr) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _b = new(b);
        private readonly GradIn<T> _g = new(g, zero, maximize, wd);
        private readonly bool _momentum = b is not null, _nesterov = nesterov, _first = firstStep;
        private readonly T _mu = C<T>(momentum), _oneMinusDampening = C<T>(1 - dampening), _negLr = C<T>(-lr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var d = _g.Read(i, p);
            if (_momentum)
            {
                var buf = _first ? d : _b.Load<TV>(i) * TV.Splat(_mu) + d * TV.Splat(_oneMinusDampening);
                _b.Store(i, buf);
                d = _nesterov ? d + buf * TV.Splat(_mu) : buf;
            }
            _p.Store(i, p + d * TV.Splat(_negLr));
        }
    }

    // ---- Adam, AdamW ----

    /// <summary>The options of one Adam step, as doubles.</summary>
    public readonly record struct AdamStep(bool Maximize, double WeightDecay, bool Decoupled, double Lr, double Beta1, double Beta2, double Eps,
        double StepSize, double BiasCorrection2Sqrt);

    /// <summary>
    /// Adam: θ ← θ(1 − γλ) (AdamW) or g ← g + λθ; m ← lerp(m, g, 1 − β₁); v ← β₂v + ((1 − β₂)g)g; v̂ ← max(v̂, v)
    /// (amsgrad); θ ← θ + (−s·m) / (√v / √(1 − β₂ᵗ) + ε).
    /// </summary>
    public static void Adam(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? vmax, bool zero, AdamStep s)
    {
        if (p.DType == DType.Float32) FusedPass<AdamKernel<float>, float>.For(p.NumElements, new(p, g, m, v, vmax, zero, s));
        else FusedPass<AdamKernel<double>, double>.For(p.NumElements, new(p, g, m, v, vmax, zero, s));
        Bump(p, g, zero, m, v, vmax);
    }

    private readonly struct AdamKernel<T>(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? vmax, bool zero, AdamStep s) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _m = new(m), _v = new(v), _vmax = new(vmax);
        private readonly GradIn<T> _g = new(g, zero, s.Maximize, s.Decoupled ? 0 : s.WeightDecay);
        private readonly bool _decoupled = s.Decoupled && s.WeightDecay != 0, _amsgrad = vmax is not null, _lerpSmall = Math.Abs(1 - s.Beta1) < 0.5;
        private readonly T _decay = C<T>(1 - s.Lr * s.WeightDecay), _weight = C<T>(1 - s.Beta1), _oneMinusWeight = C<T>(1 - (1 - s.Beta1));
        private readonly T _beta2 = C<T>(s.Beta2), _oneMinusBeta2 = C<T>(1 - s.Beta2), _bc2Sqrt = C<T>(s.BiasCorrection2Sqrt), _eps = C<T>(s.Eps);
        private readonly T _negStepSize = C<T>(-s.StepSize);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            if (_decoupled) p *= TV.Splat(_decay);
            var m = _m.Load<TV>(i);
            // PyTorch's lerp_: m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w).
            m = _lerpSmall ? m + (g - m) * TV.Splat(_weight) : g - (g - m) * TV.Splat(_oneMinusWeight);
            _m.Store(i, m);
            var v = _v.Load<TV>(i) * TV.Splat(_beta2) + g * TV.Splat(_oneMinusBeta2) * g;
            _v.Store(i, v);
            var second = v;
            if (_amsgrad)
            {
                second = TV.Max(_vmax.Load<TV>(i), v);
                _vmax.Store(i, second);
            }
            var denom = TV.Sqrt(second) / TV.Splat(_bc2Sqrt) + TV.Splat(_eps);
            _p.Store(i, p + m * TV.Splat(_negStepSize) / denom);
        }
    }

    // ---- RMSprop ----

    /// <summary>
    /// RMSprop: v ← αv + ((1 − α)g)g; ḡ ← lerp(ḡ, g, 1 − α) (centered); a ← √(v − ḡḡ or v) + ε; with momentum
    /// b ← μb + g/a, θ ← θ + (−γ)b; else θ ← θ + (−γg)/a.
    /// </summary>
    public static void RmsProp(Tensor p, Tensor g, Tensor squareAvg, Tensor? gradAvg, Tensor? buffer, bool zero, bool maximize, double weightDecay,
        double alpha, double eps, double momentum, double lr)
    {
        if (p.DType == DType.Float32) FusedPass<RmsPropKernel<float>, float>.For(p.NumElements, new(p, g, squareAvg, gradAvg, buffer, zero, maximize, weightDecay, alpha, eps, momentum, lr));
        else FusedPass<RmsPropKernel<double>, double>.For(p.NumElements, new(p, g, squareAvg, gradAvg, buffer, zero, maximize, weightDecay, alpha, eps, momentum, lr));
        Bump(p, g, zero, squareAvg, gradAvg, buffer);
    }

    private readonly struct RmsPropKernel<T>(Tensor p, Tensor g, Tensor sq, Tensor? ga, Tensor? b, bool zero, bool maximize, double wd,
        double alpha, double eps, double momentum, double lr) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _sq = new(sq), _ga = new(ga), _b = new(b);
        private readonly GradIn<T> _g = new(g, zero, maximize, wd);
        private readonly bool _centered = ga is not null, _momentum = b is not null, _lerpSmall = Math.Abs(1 - alpha) < 0.5;
        private readonly T _alpha = C<T>(alpha), _weight = C<T>(1 - alpha), _oneMinusWeight = C<T>(1 - (1 - alpha)), _eps = C<T>(eps);
        private readonly T _mu = C<T>(momentum), _negLr = C<T>(-lr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var sq = _sq.Load<TV>(i) * TV.Splat(_alpha) + g * TV.Splat(_weight) * g;
            _sq.Store(i, sq);
            TV avg;
            if (_centered)
            {
                var ga = _ga.Load<TV>(i);
                ga = _lerpSmall ? ga + (g - ga) * TV.Splat(_weight) : g - (g - ga) * TV.Splat(_oneMinusWeight);
                _ga.Store(i, ga);
                avg = TV.Sqrt(sq - ga * ga);
            }
            else
            {
                avg = TV.Sqrt(sq);
            }
            avg += TV.Splat(_eps);
            if (_momentum)
            {
                var buf = _b.Load<TV>(i) * TV.Splat(_mu) + g / avg;
                _b.Store(i, buf);
                _p.Store(i, p + buf * TV.Splat(_negLr));
            }
            else
            {
                _p.Store(i, p + g * TV.Splat(_negLr) / avg);
            }
        }
    }

    // ---- Adagrad ----

    /// <summary>Adagrad: s ← s + gg; θ ← θ + (−γ̃g) / (√s + ε), γ̃ the decayed rate.</summary>
    public static void Adagrad(Tensor p, Tensor g, Tensor sum, bool zero, bool maximize, double weightDecay, double clr, double eps)
    {
        if (p.DType == DType.Float32) FusedPass<AdagradKernel<float>, float>.For(p.NumElements, new(p, g, sum, zero, maximize, weightDecay, clr, eps));
        else FusedPass<AdagradKernel<double>, double>.For(p.NumElements, new(p, g, sum, zero, maximize, weightDecay, clr, eps));
        Bump(p, g, zero, sum);
    }

    private readonly struct AdagradKernel<T>(Tensor p, Tensor g, Tensor sum, bool zero, bool maximize, double wd, double clr, double eps) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _s = new(sum);
        private readonly GradIn<T> _g = new(g, zero, maximize, wd);
        private readonly T _negClr = C<T>(-clr), _eps = C<T>(eps);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var s = _s.Load<TV>(i) + g * g;
            _s.Store(i, s);
            _p.Store(i, p + g * TV.Splat(_negClr) / (TV.Sqrt(s) + TV.Splat(_eps)));
        }
    }

    // ---- Adadelta ----

    /// <summary>Adadelta: v ← ρv + ((1 − ρ)g)g; δ ← (√(u + ε) / √(v + ε))g; u ← ρu + ((1 − ρ)δ)δ; θ ← θ + (−γ)δ.</summary>
    public static void Adadelta(Tensor p, Tensor g, Tensor squareAvg, Tensor accDelta, bool zero, bool maximize, double weightDecay, double rho,
        double eps, double lr)
    {
        if (p.DType == DType.Float32) FusedPass<AdadeltaKernel<float>, float>.For(p.NumElements, new(p, g, squareAvg, accDelta, zero, maximize, weightDecay, rho, eps, lr));
        else FusedPass<AdadeltaKernel<double>, double>.For(p.NumElements, new(p, g, squareAvg, accDelta, zero, maximize, weightDecay, rho, eps, lr));
        Bump(p, g, zero, squareAvg, accDelta);
    }

    private readonly struct AdadeltaKernel<T>(Tensor p, Tensor g, Tensor sq, Tensor acc, bool zero, bool maximize, double wd, double rho,
        double eps, double lr) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _sq = new(sq), _acc = new(acc);
        private readonly GradIn<T> _g = new(g, zero, maximize, wd);
        private readonly T _rho = C<T>(rho), _oneMinusRho = C<T>(1 - rho), _eps = C<T>(eps), _negLr = C<T>(-lr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var sq = _sq.Load<TV>(i) * TV.Splat(_rho) + g * TV.Splat(_oneMinusRho) * g;
            _sq.Store(i, sq);
            var std = TV.Sqrt(sq + TV.Splat(_eps));
            var acc = _acc.Load<TV>(i);
            var delta = TV.Sqrt(acc + TV.Splat(_eps)) / std * g;
            _acc.Store(i, acc * TV.Splat(_rho) + delta * TV.Splat(_oneMinusRho) * delta);
            _p.Store(i, p + delta * TV.Splat(_negLr));
        }
    }

    // ---- Adamax ----

    /// <summary>Adamax: m ← β₁m + (1 − β₁)g; u ← max(β₂u, |g| + ε); θ ← θ + (−γ̃m)/u, γ̃ = γ/(1 − β₁ᵗ).</summary>
    public static void Adamax(Tensor p, Tensor g, Tensor expAvg, Tensor expInf, bool zero, bool maximize, double weightDecay, double beta1,
        double beta2, double eps, double clr)
    {
        if (p.DType == DType.Float32) FusedPass<AdamaxKernel<float>, float>.For(p.NumElements, new(p, g, expAvg, expInf, zero, maximize, weightDecay, beta1, beta2, eps, clr));
        else FusedPass<AdamaxKernel<double>, double>.For(p.NumElements, new(p, g, expAvg, expInf, zero, maximize, weightDecay, beta1, beta2, eps, clr));
        Bump(p, g, zero, expAvg, expInf);
    }

    private readonly struct AdamaxKernel<T>(Tensor p, Tensor g, Tensor m, Tensor u, bool zero, bool maximize, double wd, double beta1,
        double beta2, double eps, double clr) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _m = new(m), _u = new(u);
        private readonly GradIn<T> _g = new(g, zero, maximize, wd);
        private readonly T _beta1 = C<T>(beta1), _oneMinusBeta1 = C<T>(1 - beta1), _beta2 = C<T>(beta2), _eps = C<T>(eps), _negClr = C<T>(-clr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var m = _m.Load<TV>(i) * TV.Splat(_beta1) + g * TV.Splat(_oneMinusBeta1);
            _m.Store(i, m);
            var u = TV.Max(_u.Load<TV>(i) * TV.Splat(_beta2), TV.Abs(g) + TV.Splat(_eps));
            _u.Store(i, u);
            _p.Store(i, p + m * TV.Splat(_negClr) / u);
        }
    }

    // ---- NAdam, RAdam ----

    /// <summary>
    /// NAdam: m ← β₁m + (1 − β₁)g; v ← β₂v + ((1 − β₂)g)g; d ← √(v/(1 − β₂ᵗ)) + ε; θ ← θ + (c₁g)/d; θ ← θ + (c₂m)/d.
    /// </summary>
    public static void NAdam(Tensor p, Tensor g, Tensor expAvg, Tensor expAvgSq, bool zero, double weightDecay, double beta1, double beta2,
        double biasCorrection2, double eps, double gradFactor, double avgFactor)
    {
        if (p.DType == DType.Float32) FusedPass<NAdamKernel<float>, float>.For(p.NumElements, new(p, g, expAvg, expAvgSq, zero, weightDecay, beta1, beta2, biasCorrection2, eps, gradFactor, avgFactor));
        else FusedPass<NAdamKernel<double>, double>.For(p.NumElements, new(p, g, expAvg, expAvgSq, zero, weightDecay, beta1, beta2, biasCorrection2, eps, gradFactor, avgFactor));
        Bump(p, g, zero, expAvg, expAvgSq);
    }

    private readonly struct NAdamKernel<T>(Tensor p, Tensor g, Tensor m, Tensor v, bool zero, double wd, double beta1, double beta2,
        double bc2, double eps, double gradFactor, double avgFactor) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _m = new(m), _v = new(v);
        private readonly GradIn<T> _g = new(g, zero, false, wd);
        private readonly T _beta1 = C<T>(beta1), _oneMinusBeta1 = C<T>(1 - beta1), _beta2 = C<T>(beta2), _oneMinusBeta2 = C<T>(1 - beta2);
        private readonly T _bc2 = C<T>(bc2), _eps = C<T>(eps), _c1 = C<T>(gradFactor), _c2 = C<T>(avgFactor);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var m = _m.Load<TV>(i) * TV.Splat(_beta1) + g * TV.Splat(_oneMinusBeta1);
            _m.Store(i, m);
            var v = _v.Load<TV>(i) * TV.Splat(_beta2) + g * TV.Splat(_oneMinusBeta2) * g;
            _v.Store(i, v);
            var denom = TV.Sqrt(v / TV.Splat(_bc2)) + TV.Splat(_eps);
            p += g * TV.Splat(_c1) / denom;
            _p.Store(i, p + m * TV.Splat(_c2) / denom);
        }
    }

    /// <summary>
    /// RAdam: m, v as Adam without lerp; m̂ ← m/(1 − β₁ᵗ); θ ← θ + (((m̂γ)·(√(1 − β₂ᵗ)/(√v + ε)))·r)·(−1) when
    /// rectified, else θ ← θ + (m̂γ)·(−1).
    /// </summary>
    public static void RAdam(Tensor p, Tensor g, Tensor expAvg, Tensor expAvgSq, bool zero, double weightDecay, double beta1, double beta2,
        double biasCorrection1, double lr, bool rectified, double biasCorrection2Sqrt, double eps, double rect)
    {
        if (p.DType == DType.Float32) FusedPass<RAdamKernel<float>, float>.For(p.NumElements, new(p, g, expAvg, expAvgSq, zero, weightDecay, beta1, beta2, biasCorrection1, lr, rectified, biasCorrection2Sqrt, eps, rect));
        else FusedPass<RAdamKernel<double>, double>.For(p.NumElements, new(p, g, expAvg, expAvgSq, zero, weightDecay, beta1, beta2, biasCorrection1, lr, rectified, biasCorrection2Sqrt, eps, rect));
        Bump(p, g, zero, expAvg, expAvgSq);
    }

    private readonly struct RAdamKernel<T>(Tensor p, Tensor g, Tensor m, Tensor v, bool zero, double wd, double beta1, double beta2,
        double bc1, double lr, bool rectified, double bc2Sqrt, double eps, double rect) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _m = new(m), _v = new(v);
        private readonly GradIn<T> _g = new(g, zero, false, wd);
        private readonly bool _rectified = rectified;
        private readonly T _beta1 = C<T>(beta1), _oneMinusBeta1 = C<T>(1 - beta1), _beta2 = C<T>(beta2), _oneMinusBeta2 = C<T>(1 - beta2);
        private readonly T _bc1 = C<T>(bc1), _lr = C<T>(lr), _bc2Sqrt = C<T>(bc2Sqrt), _eps = C<T>(eps), _rect = C<T>(rect);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var m = _m.Load<TV>(i) * TV.Splat(_beta1) + g * TV.Splat(_oneMinusBeta1);
            _m.Store(i, m);
            var v = _v.Load<TV>(i) * TV.Splat(_beta2) + g * TV.Splat(_oneMinusBeta2) * g;
            _v.Store(i, v);
            var step = m / TV.Splat(_bc1) * TV.Splat(_lr);
            if (_rectified) step = step * (TV.Splat(_bc2Sqrt) / (TV.Sqrt(v) + TV.Splat(_eps))) * TV.Splat(_rect);
            _p.Store(i, p + step * TV.Splat(-T.One));
        }
    }

    // ---- Rprop ----

    /// <summary>
    /// Rprop: s ← sign(g·g₋); η ← η₊ where s &gt; 0, η₋ where s &lt; 0, else 1; Δ ← clamp(Δη, Δmin, Δmax);
    /// g ← 0 where s &lt; 0; θ ← θ + (sign(g)Δ)·(−1); g₋ ← g.
    /// </summary>
    public static void Rprop(Tensor p, Tensor g, Tensor prev, Tensor stepSize, bool zero, bool maximize, double etaMinus, double etaPlus,
        double stepSizeMin, double stepSizeMax)
    {
        if (p.DType == DType.Float32) FusedPass<RpropKernel<float>, float>.For(p.NumElements, new(p, g, prev, stepSize, zero, maximize, etaMinus, etaPlus, stepSizeMin, stepSizeMax));
        else FusedPass<RpropKernel<double>, double>.For(p.NumElements, new(p, g, prev, stepSize, zero, maximize, etaMinus, etaPlus, stepSizeMin, stepSizeMax));
        Bump(p, g, zero, prev, stepSize);
    }

    private readonly struct RpropKernel<T>(Tensor p, Tensor g, Tensor prev, Tensor stepSize, bool zero, bool maximize, double etaMinus,
        double etaPlus, double min, double max) : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _prev = new(prev), _st = new(stepSize);
        private readonly GradIn<T> _g = new(g, zero, maximize, 0);
        private readonly T _etaMinus = C<T>(etaMinus), _etaPlus = C<T>(etaPlus), _min = C<T>(min), _max = C<T>(max);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            var zero = TV.Splat(T.Zero);
            var s = Sign(g * _prev.Load<TV>(i));
            var negative = TV.LessThan(s, zero);
            var factor = TV.Select(TV.GreaterThan(s, zero), TV.Splat(_etaPlus), TV.Select(negative, TV.Splat(_etaMinus), TV.Splat(T.One)));
            var st = TV.Min(TV.Max(_st.Load<TV>(i) * factor, TV.Splat(_min)), TV.Splat(_max));
            _st.Store(i, st);
            var masked = TV.Select(negative, zero, g);
            _p.Store(i, p + Sign(masked) * st * TV.Splat(-T.One));
            _prev.Store(i, masked);
        }

        // torch.sign: 1, −1, or the value itself (0, −0, NaN).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Sign<TV>(TV x) where TV : struct, ILanes<TV, T>
        {
            var zero = TV.Splat(T.Zero);
            return TV.Select(TV.GreaterThan(x, zero), TV.Splat(T.One), TV.Select(TV.LessThan(x, zero), TV.Splat(-T.One), x));
        }
    }

    // ---- ASGD ----

    /// <summary>ASGD: θ ← θ(1 − λη); θ ← θ + (−η)g; a ← a + (θ − a)μ if μ ≠ 1, else a ← θ.</summary>
    public static void Asgd(Tensor p, Tensor g, Tensor ax, bool zero, bool maximize, double weightDecay, double decay, double eta, double mu)
    {
        if (p.DType == DType.Float32) FusedPass<AsgdKernel<float>, float>.For(p.NumElements, new(p, g, ax, zero, maximize, weightDecay, decay, eta, mu));
        else FusedPass<AsgdKernel<double>, double>.For(p.NumElements, new(p, g, ax, zero, maximize, weightDecay, decay, eta, mu));
        Bump(p, g, zero, ax);
    }

    private readonly struct AsgdKernel<T>(Tensor p, Tensor g, Tensor ax, bool zero, bool maximize, double wd, double decay, double eta, double mu)
        : IFusedKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Buf<T> _p = new(p), _ax = new(ax);
        private readonly GradIn<T> _g = new(g, zero, maximize, wd);
        private readonly bool _average = mu != 1;
        private readonly T _decay = C<T>(decay), _negEta = C<T>(-eta), _mu = C<T>(mu);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            var p = _p.Load<TV>(i);
            var g = _g.Read(i, p);
            p = p * TV.Splat(_decay) + g * TV.Splat(_negEta);
            _p.Store(i, p);
            if (_average)
            {
                var a = _ax.Load<TV>(i);
                _ax.Store(i, a + (p - a) * TV.Splat(_mu));
            }
            else
            {
                _ax.Store(i, p);
            }
        }
    }
}
