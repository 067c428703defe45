using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using D = Autograd.Kernels.DoubleConstants;
using S = Autograd.Kernels.SingleConstants;

namespace Autograd.Kernels;

/// <summary>
/// The per-dtype form of <see cref="IUnaryKernel"/>, for kernels whose float32 and float64 algorithms differ (tanh,
/// sigmoid): a scalar form and Vector128/256/512 forms that perform the same IEEE operations in the same order, so
/// every element gets the same bits whichever path computes it. <see cref="Activations.Apply{T, TF}"/> runs one on
/// <see cref="Spans.Unary{T, TK}"/>; <see cref="TanhOperator"/> and <see cref="SigmoidOperator"/> dispatch to them.
/// </summary>
/// <typeparam name="T">The element type, float or double.</typeparam>
internal interface IVectorFunction<T> where T : unmanaged
{
    static abstract T Invoke(T x);
    static abstract Vector128<T> Invoke(Vector128<T> x);
    static abstract Vector256<T> Invoke(Vector256<T> x);
    static abstract Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>An <see cref="IVectorFunction{T}"/> seen as an <see cref="IUnaryKernel"/> (T is TE at every call).</summary>
internal readonly struct PerType<TE, TF> : IUnaryKernel where TE : unmanaged where TF : IVectorFunction<TE>
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => Unsafe.BitCast<TE, T>(TF.Invoke(Unsafe.BitCast<T, TE>(x)));

    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Unsafe.BitCast<Vector128<TE>, Vector128<T>>(TF.Invoke(Unsafe.BitCast<Vector128<T>, Vector128<TE>>(x)));

    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Unsafe.BitCast<Vector256<TE>, Vector256<T>>(TF.Invoke(Unsafe.BitCast<Vector256<T>, Vector256<TE>>(x)));

    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Unsafe.BitCast<Vector512<TE>, Vector512<T>>(TF.Invoke(Unsafe.BitCast<Vector512<T>, Vector512<TE>>(x)));
}

/// <summary>
/// Vectorized tanh and sigmoid in place of TensorPrimitives.Tanh, which computes 1 − 2/(e²ˣ + 1) everywhere (float32
/// tanh(0) = −6e-8, and no correct digit left below |x| ≈ 1e-4), and TensorPrimitives.Sigmoid, which flushes
/// subnormal results to 0.
/// </summary>
/// <remarks>
/// <para>
/// tanh works on a = |x| and puts the sign of x back, so it is exactly odd (tanh(±0) = ±0). For a &lt; c it is
/// a + a·s·P(s), s = a², with P minimax for the relative error (float32 c = 0.75, degree 5; float64 c = 0.625,
/// degree 10). For a ≥ c it is 1 − 2e/(1 + e) with e = e^(−2a) ≤ e^(−1.25): cancellation at most a factor 2, and no
/// overflow (e underflows to 0, so ±∞ gives ±1). NaN takes the polynomial branch and stays NaN.
/// </para>
/// <para>
/// σ(x) = n/(1 + e) with e = e^(−|x|), n = 1 for x ≥ 0 and n = e for x &lt; 0. e^(−z): k = round(−z/ln 2) by the
/// 1.5·2^p shifter, r = −z − k·ln 2 with ln 2 in two parts, e^r = 1 + r·Q(r), then (e^r·2^(k+B))·2^(−B): the first
/// product is exact and the second rounds once, so subnormal results are rounded instead of flushed to zero.
/// </para>
/// <para>
/// float32 tanh computes its e^(−2a) in its own way (see <see cref="TanhSingle"/>): no subnormal handling is needed
/// there, so the scaling is an exponent add, and the chain is kept short.
/// </para>
/// <para>
/// Accuracy, measured over all 2^32 float32 inputs against Math.Tanh and a float64 σ: tanh at most 1.314 ulp (at
/// ±0.8132187; 99.87% of finite inputs correctly rounded; the loss is in 1 − 2e/(1 + e) just above the split), σ at
/// most 2.40 ulp (the rounding of e carries through e/(1 + e)). float64, sampled: within 2 ulp of Math.Tanh and of a σ built on Math.Exp.
/// ActivationAccuracyTests holds these bounds on dense samples.
/// </para>
/// </remarks>
internal static class Activations
{
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Unary<T, TanhOperator>(x, y);

    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Spans.Unary<T, SigmoidOperator>(x, y);

    /// <summary>y[i] = F(x[i]) on <see cref="Spans.Unary{T, TK}"/>; x and y have the same length and are either the same span or do not overlap.</summary>
    internal static void Apply<T, TF>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged where TF : IVectorFunction<T>
    {
        if (typeof(T) == typeof(float)) Spans.Unary<float, PerType<T, TF>>(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
        else if (typeof(T) == typeof(double)) Spans.Unary<double, PerType<T, TF>>(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y));
        else throw new NotSupportedException($"Activations.Apply: {typeof(T).Name} is neither float nor double.");
    }
}

/// <summary>Constants of the float32 kernels (see <see cref="Activations"/>).</summary>
internal static class SingleConstants
{
    // tanh a = a + a·s·P(s), s = a², for a < TanhSplit.
    public const float TanhSplit = 0.75f;
    public const float P0 = -0.333333164f, P1 = 0.133326948f, P2 = -0.0538927242f, P3 = 0.0214520339f, P4 = -0.00765725551f, P5 = 0.00173693593f;

    // e^r = 1 + r·Q(r), |r| ≤ ln2/2.
    public const float Q0 = 1f, Q1 = 0.500000060f, Q2 = 0.166663662f, Q3 = 0.0416647755f, Q4 = 0.00837901141f, Q5 = 0.00140612409f;

    public const float Log2E = 1.44269502f;
    public const float Ln2Hi = 0.693147182f, Ln2Lo = -1.90465421e-09f;   // Ln2Hi + Ln2Lo = ln 2 to 2^-50
    public const float Ln2 = Ln2Hi;                                       // ln 2 rounded (tanh's reduction, see TanhSingle)
    public const float MinusTwoLog2E = -2f * Log2E;                       // exact: a·(−2 log2 e) = (−2a)·log2 e
    public const float Shifter = 12582912f;                               // 1.5·2^23: adding it rounds to an integer
    public const int ShifterBits = 0x4B400000;
    public const int ScaleBias = 64;                                      // e = (e^r·2^(k+64))·2^-64
    public const float ScaleBack = 5.42101086e-20f;                       // 2^-64

    // tanh: e^(−2a) with 2a ≤ 40 (e^-40 ≪ 2^-25, so tanh rounds to 1 well before); sigmoid: e^(−|x|) with |x| ≤ 110
    // (e^-110 is below half the least subnormal, so σ rounds to 0 there).
    public const float TanhZMax = 40f, SigmoidZMax = 110f;
    public const float TanhAMax = TanhZMax / 2;
}

/// <summary>Constants of the float64 kernels (see <see cref="Activations"/>).</summary>
internal static class DoubleConstants
{
    public const double TanhSplit = 0.625;
    public const double P0 = -0.33333333333332854, P1 = 0.1333333333326209, P2 = -0.05396825393126768, P3 = 0.021869487576093728,
        P4 = -0.008863221002617258, P5 = 0.0035919891736995824, P6 = -0.0014549588773666356, P7 = 0.0005863165382301099,
        P8 = -0.00022856420671359871, P9 = 7.714436147423508e-05, P10 = -1.6072567067744562e-05;

    public const double Q0 = 1.0, Q1 = 0.5, Q2 = 0.16666666666666713, Q3 = 0.04166666666666703, Q4 = 0.008333333333304143,
        Q5 = 0.001388888888869969, Q6 = 0.00019841269920342988, Q7 = 2.4801587701911762e-05, Q8 = 2.7557215042672446e-06,
        Q9 = 2.755694110117848e-07, Q10 = 2.5118048134227507e-08, Q11 = 2.102051995082171e-09;

    public const double Log2E = 1.4426950408889634;
    public const double Ln2Hi = 0.6931471805599453, Ln2Lo = 2.3190468138462996e-17;
    public const double Shifter = 6755399441055744.0;                     // 1.5·2^52
    public const long ShifterBits = 0x4338000000000000;
    public const int ScaleBias = 256;                                     // e = (e^r·2^(k+256))·2^-256
    public const double ScaleBack = 8.6361685550944446e-78;               // 2^-256

    public const double TanhZMax = 80.0, SigmoidZMax = 760.0;
}

/// <summary>tanh in float32 (see <see cref="Activations"/>).</summary>
/// <remarks>
/// The exponential branch comes first and is written for a short dependency chain, which is what bounds the
/// throughput on the Zen 5 this was tuned on (the vector loop runs at about half the FMA units' rate, and removing the
/// division or a polynomial term changes nothing measurable, while shortening the chain does): k = round(−2a·log2 e)
/// straight from min(a, 20) (−2·log2 e is exact in float32, so this is the same k as from −2a), r = −2a − k·ln 2
/// with ln 2 in one part (the |k|·1.9·10^-9 it leaves in r is damped by 2e/(1 + e)² ≤ 0.3 near the split, where k is
/// −2 or −3, and by e itself further out), e^r = 1 + r·Q(r) with Q by Estrin's scheme, and e = e^r·2^k by adding k to
/// the exponent bits: exact, since e ≥ e^-40 stays normal. Main's version (two-part ln 2, Horner, two multiplies for
/// the scaling) measured 1.360 ulp at most, this one 1.314, and 17% less time per element.
/// </remarks>
internal readonly struct TanhSingle : IVectorFunction<float>
{
    public static float Invoke(float x)
    {
        float a = MathF.Abs(x);
        float am = MathF.Min(a, S.TanhAMax);
        float t = MathF.FusedMultiplyAdd(am, S.MinusTwoLog2E, S.Shifter);
        float v = am * -2f;
        float k = t - S.Shifter;
        float r = MathF.FusedMultiplyAdd(k, -S.Ln2, v);
        float r2 = r * r;
        float q = MathF.FusedMultiplyAdd(r2, MathF.FusedMultiplyAdd(r2, MathF.FusedMultiplyAdd(S.Q5, r, S.Q4), MathF.FusedMultiplyAdd(S.Q3, r, S.Q2)),
            MathF.FusedMultiplyAdd(S.Q1, r, S.Q0));
        float er = MathF.FusedMultiplyAdd(r, q, 1f);
        float e = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(er) + (BitConverter.SingleToInt32Bits(t) << 23));
        float large = 1f - (e + e) / (1f + e);
        float s = a * a;
        float p = MathF.FusedMultiplyAdd(S.P5, s, S.P4);
        p = MathF.FusedMultiplyAdd(p, s, S.P3);
        p = MathF.FusedMultiplyAdd(p, s, S.P2);
        p = MathF.FusedMultiplyAdd(p, s, S.P1);
        p = MathF.FusedMultiplyAdd(p, s, S.P0);
        float small = MathF.FusedMultiplyAdd(a, s * p, a);
        float y = a >= S.TanhSplit ? large : small;
        return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(y) | (BitConverter.SingleToInt32Bits(x) & int.MinValue));
    }

    public static Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> a = Vector512.Abs(x);
        Vector512<float> am = Vector512.MinNative(a, Vector512.Create(S.TanhAMax));
        Vector512<float> t = Vector512.FusedMultiplyAdd(am, Vector512.Create(S.MinusTwoLog2E), Vector512.Create(S.Shifter));
        Vector512<float> v = am * Vector512.Create(-2f);
        Vector512<float> k = t - Vector512.Create(S.Shifter);
        Vector512<float> r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-S.Ln2), v);
        Vector512<float> r2 = r * r;
        Vector512<float> q = Vector512.FusedMultiplyAdd(r2, Vector512.FusedMultiplyAdd(r2, Vector512.FusedMultiplyAdd(Vector512.Create(S.Q5), r, Vector512.Create(S.Q4)),
            Vector512.FusedMultiplyAdd(Vector512.Create(S.Q3), r, Vector512.Create(S.Q2))), Vector512.FusedMultiplyAdd(Vector512.Create(S.Q1), r, Vector512.Create(S.Q0)));
        Vector512<float> er = Vector512.FusedMultiplyAdd(r, q, Vector512<float>.One);
        Vector512<float> e = (er.AsInt32() + (t.AsInt32() << 23)).AsSingle();
        Vector512<float> large = Vector512<float>.One - (e + e) / (Vector512<float>.One + e);
        Vector512<float> s = a * a;
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(S.P5), s, Vector512.Create(S.P4));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(S.P3));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(S.P2));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(S.P1));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(S.P0));
        Vector512<float> small = Vector512.FusedMultiplyAdd(a, s * p, a);
        Vector512<float> y = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(S.TanhSplit)), large, small);
        return y | (x & Vector512.Create(-0f));
    }

    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> a = Vector256.Abs(x);
        Vector256<float> am = Vector256.MinNative(a, Vector256.Create(S.TanhAMax));
        Vector256<float> t = Vector256.FusedMultiplyAdd(am, Vector256.Create(S.MinusTwoLog2E), Vector256.Create(S.Shifter));
        Vector256<float> v = am * Vector256.Create(-2f);
        Vector256<float> k = t - Vector256.Create(S.Shifter);
        Vector256<float> r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-S.Ln2), v);
        Vector256<float> r2 = r * r;
        Vector256<float> q = Vector256.FusedMultiplyAdd(r2, Vector256.FusedMultiplyAdd(r2, Vector256.FusedMultiplyAdd(Vector256.Create(S.Q5), r, Vector256.Create(S.Q4)),
            Vector256.FusedMultiplyAdd(Vector256.Create(S.Q3), r, Vector256.Create(S.Q2))), Vector256.FusedMultiplyAdd(Vector256.Create(S.Q1), r, Vector256.Create(S.Q0)));
        Vector256<float> er = Vector256.FusedMultiplyAdd(r, q, Vector256<float>.One);
        Vector256<float> e = (er.AsInt32() + (t.AsInt32() << 23)).AsSingle();
        Vector256<float> large = Vector256<float>.One - (e + e) / (Vector256<float>.One + e);
        Vector256<float> s = a * a;
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(S.P5), s, Vector256.Create(S.P4));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S.P3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S.P2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S.P1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S.P0));
        Vector256<float> small = Vector256.FusedMultiplyAdd(a, s * p, a);
        Vector256<float> y = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(S.TanhSplit)), large, small);
        return y | (x & Vector256.Create(-0f));
    }

    public static Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> a = Vector128.Abs(x);
        Vector128<float> am = Vector128.MinNative(a, Vector128.Create(S.TanhAMax));
        Vector128<float> t = Vector128.FusedMultiplyAdd(am, Vector128.Create(S.MinusTwoLog2E), Vector128.Create(S.Shifter));
        Vector128<float> v = am * Vector128.Create(-2f);
        Vector128<float> k = t - Vector128.Create(S.Shifter);
        Vector128<float> r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-S.Ln2), v);
        Vector128<float> r2 = r * r;
        Vector128<float> q = Vector128.FusedMultiplyAdd(r2, Vector128.FusedMultiplyAdd(r2, Vector128.FusedMultiplyAdd(Vector128.Create(S.Q5), r, Vector128.Create(S.Q4)),
            Vector128.FusedMultiplyAdd(Vector128.Create(S.Q3), r, Vector128.Create(S.Q2))), Vector128.FusedMultiplyAdd(Vector128.Create(S.Q1), r, Vector128.Create(S.Q0)));
        Vector128<float> er = Vector128.FusedMultiplyAdd(r, q, Vector128<float>.One);
        Vector128<float> e = (er.AsInt32() + (t.AsInt32() << 23)).AsSingle();
        Vector128<float> large = Vector128<float>.One - (e + e) / (Vector128<float>.One + e);
        Vector128<float> s = a * a;
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.Create(S.P5), s, Vector128.Create(S.P4));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(S.P3));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(S.P2));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(S.P1));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(S.P0));
        Vector128<float> small = Vector128.FusedMultiplyAdd(a, s * p, a);
        Vector128<float> y = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(a, Vector128.Create(S.TanhSplit)), large, small);
        return y | (x & Vector128.Create(-0f));
    }
}

/// <summary>tanh in float64 (see <see cref="Activations"/>).</summary>
internal readonly struct TanhDouble : IVectorFunction<double>
{
    public static double Invoke(double x)
    {
        double a = Math.Abs(x);
        double s = a * a;
        double p = Math.FusedMultiplyAdd(D.P10, s, D.P9);
        p = Math.FusedMultiplyAdd(p, s, D.P8);
        p = Math.FusedMultiplyAdd(p, s, D.P7);
        p = Math.FusedMultiplyAdd(p, s, D.P6);
        p = Math.FusedMultiplyAdd(p, s, D.P5);
        p = Math.FusedMultiplyAdd(p, s, D.P4);
        p = Math.FusedMultiplyAdd(p, s, D.P3);
        p = Math.FusedMultiplyAdd(p, s, D.P2);
        p = Math.FusedMultiplyAdd(p, s, D.P1);
        p = Math.FusedMultiplyAdd(p, s, D.P0);
        double small = Math.FusedMultiplyAdd(a, s * p, a);
        double e = ExpDouble.Neg(Math.Min(a + a, D.TanhZMax));
        double large = 1.0 - (e + e) / (1.0 + e);
        double t = a >= D.TanhSplit ? large : small;
        return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(t) | (BitConverter.DoubleToInt64Bits(x) & long.MinValue));
    }

    public static Vector512<double> Invoke(Vector512<double> x)
    {
        Vector512<double> a = Vector512.Abs(x);
        Vector512<double> s = a * a;
        Vector512<double> p = Vector512.FusedMultiplyAdd(Vector512.Create(D.P10), s, Vector512.Create(D.P9));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P8));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P7));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P6));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P5));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P4));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P3));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P2));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P1));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(D.P0));
        Vector512<double> small = Vector512.FusedMultiplyAdd(a, s * p, a);
        Vector512<double> e = ExpDouble.Neg(Vector512.MinNative(a + a, Vector512.Create(D.TanhZMax)));
        Vector512<double> large = Vector512<double>.One - (e + e) / (Vector512<double>.One + e);
        Vector512<double> t = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(D.TanhSplit)), large, small);
        return t | (x & Vector512.Create(-0.0));
    }

    public static Vector256<double> Invoke(Vector256<double> x)
    {
        Vector256<double> a = Vector256.Abs(x);
        Vector256<double> s = a * a;
        Vector256<double> p = Vector256.FusedMultiplyAdd(Vector256.Create(D.P10), s, Vector256.Create(D.P9));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P8));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P7));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P6));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P5));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P4));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(D.P0));
        Vector256<double> small = Vector256.FusedMultiplyAdd(a, s * p, a);
        Vector256<double> e = ExpDouble.Neg(Vector256.MinNative(a + a, Vector256.Create(D.TanhZMax)));
        Vector256<double> large = Vector256<double>.One - (e + e) / (Vector256<double>.One + e);
        Vector256<double> t = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(D.TanhSplit)), large, small);
        return t | (x & Vector256.Create(-0.0));
    }

    public static Vector128<double> Invoke(Vector128<double> x)
    {
        Vector128<double> a = Vector128.Abs(x);
        Vector128<double> s = a * a;
        Vector128<double> p = Vector128.FusedMultiplyAdd(Vector128.Create(D.P10), s, Vector128.Create(D.P9));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P8));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P7));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P6));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P5));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P4));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P3));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P2));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P1));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(D.P0));
        Vector128<double> small = Vector128.FusedMultiplyAdd(a, s * p, a);
        Vector128<double> e = ExpDouble.Neg(Vector128.MinNative(a + a, Vector128.Create(D.TanhZMax)));
        Vector128<double> large = Vector128<double>.One - (e + e) / (Vector128<double>.One + e);
        Vector128<double> t = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(a, Vector128.Create(D.TanhSplit)), large, small);
        return t | (x & Vector128.Create(-0.0));
    }
}

/// <summary>σ(x) = 1/(1 + e^(−x)) in float32 (see <see cref="Activations"/>).</summary>
internal readonly struct SigmoidSingle : IVectorFunction<float>
{
    public static float Invoke(float x)
    {
        float e = ExpSingle.Neg(MathF.Min(MathF.Abs(x), S.SigmoidZMax));
        float y = (x < 0f ? e : 1f) / (1f + e);
        return float.IsNaN(x) ? x : y;
    }

    public static Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> e = ExpSingle.Neg(Vector512.MinNative(Vector512.Abs(x), Vector512.Create(S.SigmoidZMax)));
        Vector512<float> y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), e, Vector512<float>.One) / (Vector512<float>.One + e);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> e = ExpSingle.Neg(Vector256.MinNative(Vector256.Abs(x), Vector256.Create(S.SigmoidZMax)));
        Vector256<float> y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), e, Vector256<float>.One) / (Vector256<float>.One + e);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    public static Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> e = ExpSingle.Neg(Vector128.MinNative(Vector128.Abs(x), Vector128.Create(S.SigmoidZMax)));
        Vector128<float> y = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), e, Vector128<float>.One) / (Vector128<float>.One + e);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x);
    }
}

/// <summary>σ(x) = 1/(1 + e^(−x)) in float64 (see <see cref="Activations"/>).</summary>
internal readonly struct SigmoidDouble : IVectorFunction<double>
{
    public static double Invoke(double x)
    {
        double e = ExpDouble.Neg(Math.Min(Math.Abs(x), D.SigmoidZMax));
        double y = (x < 0.0 ? e : 1.0) / (1.0 + e);
        return double.IsNaN(x) ? x : y;
    }

    public static Vector512<double> Invoke(Vector512<double> x)
    {
        Vector512<double> e = ExpDouble.Neg(Vector512.MinNative(Vector512.Abs(x), Vector512.Create(D.SigmoidZMax)));
        Vector512<double> y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<double>.Zero), e, Vector512<double>.One) / (Vector512<double>.One + e);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    public static Vector256<double> Invoke(Vector256<double> x)
    {
        Vector256<double> e = ExpDouble.Neg(Vector256.MinNative(Vector256.Abs(x), Vector256.Create(D.SigmoidZMax)));
        Vector256<double> y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), e, Vector256<double>.One) / (Vector256<double>.One + e);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    public static Vector128<double> Invoke(Vector128<double> x)
    {
        Vector128<double> e = ExpDouble.Neg(Vector128.MinNative(Vector128.Abs(x), Vector128.Create(D.SigmoidZMax)));
        Vector128<double> y = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<double>.Zero), e, Vector128<double>.One) / (Vector128<double>.One + e);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x);
    }
}

/// <summary>e^(−z) for 0 ≤ z ≤ 110 in float32, subnormal results rounded correctly (see <see cref="Activations"/>).</summary>
internal static class ExpSingle
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Neg(float z)
    {
        float v = -z;
        float t = MathF.FusedMultiplyAdd(v, S.Log2E, S.Shifter);
        float k = t - S.Shifter;
        float r = MathF.FusedMultiplyAdd(k, -S.Ln2Hi, v);
        r = MathF.FusedMultiplyAdd(k, -S.Ln2Lo, r);
        float q = MathF.FusedMultiplyAdd(S.Q5, r, S.Q4);
        q = MathF.FusedMultiplyAdd(q, r, S.Q3);
        q = MathF.FusedMultiplyAdd(q, r, S.Q2);
        q = MathF.FusedMultiplyAdd(q, r, S.Q1);
        q = MathF.FusedMultiplyAdd(q, r, S.Q0);
        float er = MathF.FusedMultiplyAdd(r, q, 1f);
        float scale = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(t) << 23) + ((127 + S.ScaleBias) << 23));
        return er * scale * S.ScaleBack;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Neg(Vector512<float> z)
    {
        Vector512<float> v = -z;
        Vector512<float> t = Vector512.FusedMultiplyAdd(v, Vector512.Create(S.Log2E), Vector512.Create(S.Shifter));
        Vector512<float> k = t - Vector512.Create(S.Shifter);
        Vector512<float> r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-S.Ln2Hi), v);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-S.Ln2Lo), r);
        Vector512<float> q = Vector512.FusedMultiplyAdd(Vector512.Create(S.Q5), r, Vector512.Create(S.Q4));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(S.Q3));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(S.Q2));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(S.Q1));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(S.Q0));
        Vector512<float> er = Vector512.FusedMultiplyAdd(r, q, Vector512<float>.One);
        Vector512<float> scale = ((t.AsInt32() << 23) + Vector512.Create((127 + S.ScaleBias) << 23)).AsSingle();
        return er * scale * Vector512.Create(S.ScaleBack);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Neg(Vector256<float> z)
    {
        Vector256<float> v = -z;
        Vector256<float> t = Vector256.FusedMultiplyAdd(v, Vector256.Create(S.Log2E), Vector256.Create(S.Shifter));
        Vector256<float> k = t - Vector256.Create(S.Shifter);
        Vector256<float> r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-S.Ln2Hi), v);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-S.Ln2Lo), r);
        Vector256<float> q = Vector256.FusedMultiplyAdd(Vector256.Create(S.Q5), r, Vector256.Create(S.Q4));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(S.Q3));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(S.Q2));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(S.Q1));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(S.Q0));
        Vector256<float> er = Vector256.FusedMultiplyAdd(r, q, Vector256<float>.One);
        Vector256<float> scale = ((t.AsInt32() << 23) + Vector256.Create((127 + S.ScaleBias) << 23)).AsSingle();
        return er * scale * Vector256.Create(S.ScaleBack);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Neg(Vector128<float> z)
    {
        Vector128<float> v = -z;
        Vector128<float> t = Vector128.FusedMultiplyAdd(v, Vector128.Create(S.Log2E), Vector128.Create(S.Shifter));
        Vector128<float> k = t - Vector128.Create(S.Shifter);
        Vector128<float> r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-S.Ln2Hi), v);
        r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-S.Ln2Lo), r);
        Vector128<float> q = Vector128.FusedMultiplyAdd(Vector128.Create(S.Q5), r, Vector128.Create(S.Q4));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(S.Q3));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(S.Q2));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(S.Q1));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(S.Q0));
        Vector128<float> er = Vector128.FusedMultiplyAdd(r, q, Vector128<float>.One);
        Vector128<float> scale = ((t.AsInt32() << 23) + Vector128.Create((127 + S.ScaleBias) << 23)).AsSingle();
        return er * scale * Vector128.Create(S.ScaleBack);
    }
}

/// <summary>e^(−z) for 0 ≤ z ≤ 760 in float64, subnormal results rounded correctly (see <see cref="Activations"/>).</summary>
internal static class ExpDouble
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Neg(double z)
    {
        double v = -z;
        double t = Math.FusedMultiplyAdd(v, D.Log2E, D.Shifter);
        double k = t - D.Shifter;
        double r = Math.FusedMultiplyAdd(k, -D.Ln2Hi, v);
        r = Math.FusedMultiplyAdd(k, -D.Ln2Lo, r);
        double q = Math.FusedMultiplyAdd(D.Q11, r, D.Q10);
        q = Math.FusedMultiplyAdd(q, r, D.Q9);
        q = Math.FusedMultiplyAdd(q, r, D.Q8);
        q = Math.FusedMultiplyAdd(q, r, D.Q7);
        q = Math.FusedMultiplyAdd(q, r, D.Q6);
        q = Math.FusedMultiplyAdd(q, r, D.Q5);
        q = Math.FusedMultiplyAdd(q, r, D.Q4);
        q = Math.FusedMultiplyAdd(q, r, D.Q3);
        q = Math.FusedMultiplyAdd(q, r, D.Q2);
        q = Math.FusedMultiplyAdd(q, r, D.Q1);
        q = Math.FusedMultiplyAdd(q, r, D.Q0);
        double er = Math.FusedMultiplyAdd(r, q, 1.0);
        double scale = BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(t) << 52) + ((1023L + D.ScaleBias) << 52));
        return er * scale * D.ScaleBack;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Neg(Vector512<double> z)
    {
        Vector512<double> v = -z;
        Vector512<double> t = Vector512.FusedMultiplyAdd(v, Vector512.Create(D.Log2E), Vector512.Create(D.Shifter));
        Vector512<double> k = t - Vector512.Create(D.Shifter);
        Vector512<double> r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-D.Ln2Hi), v);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-D.Ln2Lo), r);
        Vector512<double> q = Vector512.FusedMultiplyAdd(Vector512.Create(D.Q11), r, Vector512.Create(D.Q10));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q9));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q8));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q7));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q6));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q5));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q4));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q3));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q2));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q1));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(D.Q0));
        Vector512<double> er = Vector512.FusedMultiplyAdd(r, q, Vector512<double>.One);
        Vector512<double> scale = ((t.AsInt64() << 52) + Vector512.Create((1023L + D.ScaleBias) << 52)).AsDouble();
        return er * scale * Vector512.Create(D.ScaleBack);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Neg(Vector256<double> z)
    {
        Vector256<double> v = -z;
        Vector256<double> t = Vector256.FusedMultiplyAdd(v, Vector256.Create(D.Log2E), Vector256.Create(D.Shifter));
        Vector256<double> k = t - Vector256.Create(D.Shifter);
        Vector256<double> r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-D.Ln2Hi), v);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-D.Ln2Lo), r);
        Vector256<double> q = Vector256.FusedMultiplyAdd(Vector256.Create(D.Q11), r, Vector256.Create(D.Q10));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q9));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q8));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q7));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q6));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q5));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q4));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q3));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q2));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q1));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(D.Q0));
        Vector256<double> er = Vector256.FusedMultiplyAdd(r, q, Vector256<double>.One);
        Vector256<double> scale = ((t.AsInt64() << 52) + Vector256.Create((1023L + D.ScaleBias) << 52)).AsDouble();
        return er * scale * Vector256.Create(D.ScaleBack);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Neg(Vector128<double> z)
    {
        Vector128<double> v = -z;
        Vector128<double> t = Vector128.FusedMultiplyAdd(v, Vector128.Create(D.Log2E), Vector128.Create(D.Shifter));
        Vector128<double> k = t - Vector128.Create(D.Shifter);
        Vector128<double> r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-D.Ln2Hi), v);
        r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-D.Ln2Lo), r);
        Vector128<double> q = Vector128.FusedMultiplyAdd(Vector128.Create(D.Q11), r, Vector128.Create(D.Q10));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q9));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q8));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q7));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q6));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q5));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q4));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q3));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q2));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q1));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(D.Q0));
        Vector128<double> er = Vector128.FusedMultiplyAdd(r, q, Vector128<double>.One);
        Vector128<double> scale = ((t.AsInt64() << 52) + Vector128.Create((1023L + D.ScaleBias) << 52)).AsDouble();
        return er * scale * Vector128.Create(D.ScaleBack);
    }
}
