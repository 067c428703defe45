using System.Runtime.Intrinsics;
using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The tanh and sigmoid kernels (Autograd.Core/Kernels/Activations.cs) against float64 references: ulp errors over
/// dense sweeps of every range (tiny, subnormal, ±0, the polynomial/exponential split, saturation, ±∞, NaN), exact
/// oddness of tanh, and identical bits from the scalar, Vector128/256/512 forms and the span kernel at any offset.
/// </summary>
public class ActivationAccuracyTests
{
    // Maxima measured by an exhaustive sweep of all 2^32 float32 inputs against Math.Tanh and SigmoidReference:
    // tanh 1.314 ulp (at ±0.8132187), sigmoid 2.402 ulp (at −4.157294).
    private const double TanhUlp32 = 1.5, SigmoidUlp32 = 2.5;
    // float64, against Math.Tanh and SigmoidReference (both themselves about 1 ulp off at worst).
    private const double TanhUlp64 = 2, SigmoidUlp64 = 2;

    private static double SigmoidReference(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <summary>|y − exact| in units of the float32 spacing at the exact value (the subnormal spacing below 2^-126).</summary>
    private static double Ulps32(float y, double exact)
    {
        if (double.IsNaN(exact)) return float.IsNaN(y) ? 0 : double.PositiveInfinity;
        double a = Math.Abs(exact);
        float f = (float)a;
        if (f > a) f = MathF.BitDecrement(f);   // the largest float not above a: the spacing there is a's ulp
        double ulp = Math.Max((double)MathF.BitIncrement(f) - f, float.Epsilon);
        return Math.Abs(y - exact) / ulp;
    }

    private static double Ulps64(double y, double exact)
    {
        if (double.IsNaN(exact)) return double.IsNaN(y) ? 0 : double.PositiveInfinity;
        if (y == exact) return 0;
        double a = Math.Abs(exact);
        double ulp = Math.Abs(y) < a ? a - Math.BitDecrement(a) : Math.BitIncrement(a) - a;
        return Math.Abs(y - exact) / ulp;
    }

    /// <summary>Every 509th non-negative finite float32, plus dense windows around the interesting points.</summary>
    private static float[] Float32Sweep()
    {
        var list = new List<float>();
        for (uint u = 0; u < 0x7F800000u; u += 509) list.Add(BitConverter.UInt32BitsToSingle(u));
        foreach (float c in new[] { 0f, float.Epsilon, 1.17549435e-38f, 1e-4f, 0.75f, 1f, 0.8557836f, 4.157294f, 9.0f, 87.3f, 88.7f, 103.9f, 110f })
        {
            uint b = BitConverter.SingleToUInt32Bits(c);
            for (int d = -2000; d <= 2000; d++)
            {
                long u = (long)b + d;
                if (u >= 0 && u < 0x7F800000L) list.Add(BitConverter.UInt32BitsToSingle((uint)u));
            }
        }
        list.Add(float.PositiveInfinity);
        list.Add(float.MaxValue);
        return list.ToArray();
    }

    private static float[] WithNegatives(float[] a) => [.. a, .. a.Select(v => -v)];

    private static double[] Float64Sweep()
    {
        var rng = new Random(7);
        var list = new List<double> { 0, double.Epsilon, double.MaxValue, double.PositiveInfinity, 2.2250738585072014E-308 };
        // Log-uniform magnitudes from 1e-320 to 1e3, then uniform ones where the branches and saturation lie.
        for (int i = 0; i < 400_000; i++) list.Add(Math.Pow(10, -320 + 323 * rng.NextDouble()));
        foreach (var (lo, hi) in new[] { (0.0, 0.625), (0.6, 0.65), (0.625, 3.0), (3.0, 40.0), (700.0, 760.0) })
            for (int i = 0; i < 100_000; i++) list.Add(lo + (hi - lo) * rng.NextDouble());
        foreach (double c in new[] { 0.625, 708.4, 745.1 })
        {
            double v = c;
            for (int d = 0; d < 1000; d++) { list.Add(v); v = Math.BitIncrement(v); }
        }
        return list.ToArray();
    }

    private static double[] WithNegatives(double[] a) => [.. a, .. a.Select(v => -v)];

    [Test]
    public void Tanh_Float32_IsWithinItsUlpBound_OverADenseSweep()
    {
        var x = WithNegatives(Float32Sweep());
        var y = new float[x.Length];
        Activations.Tanh<float>(x, y);
        double worst = 0;
        float at = 0;
        long correctlyRounded = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Tanh(x[i]);
            double e = Ulps32(y[i], exact);
            if (e > worst) (worst, at) = (e, x[i]);
            if (y[i] == (float)exact) correctlyRounded++;
        }
        Console.WriteLine($"float32 tanh: max {worst:F3} ulp at {at:R}, {100.0 * correctlyRounded / x.Length:F3}% correctly rounded, {x.Length} inputs");
        Assert.That(worst, Is.LessThanOrEqualTo(TanhUlp32), $"at x = {at:R}");
        Assert.That((double)correctlyRounded / x.Length, Is.GreaterThan(0.99));
    }

    [Test]
    public void Sigmoid_Float32_IsWithinItsUlpBound_OverADenseSweep_IncludingSubnormalResults()
    {
        var x = WithNegatives(Float32Sweep());
        var y = new float[x.Length];
        Activations.Sigmoid<float>(x, y);
        double worst = 0;
        float at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = Ulps32(y[i], SigmoidReference(x[i]));
            if (e > worst) (worst, at) = (e, x[i]);
        }
        Console.WriteLine($"float32 sigmoid: max {worst:F3} ulp at {at:R}, {x.Length} inputs");
        Assert.That(worst, Is.LessThanOrEqualTo(SigmoidUlp32), $"at x = {at:R}");

        // Where σ is subnormal, TensorPrimitives.Sigmoid gives 0; here it is the nearest subnormal.
        float[] deep = [-88.8f, -95f, -100f, -103f];
        var s = new float[deep.Length];
        Activations.Sigmoid<float>(deep, s);
        for (int i = 0; i < deep.Length; i++)
        {
            Assert.That(s[i], Is.GreaterThan(0f).And.LessThan(1.17549435e-38f), $"σ({deep[i]})");
            Assert.That(Ulps32(s[i], SigmoidReference(deep[i])), Is.LessThanOrEqualTo(SigmoidUlp32), $"σ({deep[i]})");
        }
    }

    [Test]
    public void Tanh_Float64_IsWithinItsUlpBound()
    {
        var x = WithNegatives(Float64Sweep());
        var y = new double[x.Length];
        Activations.Tanh<double>(x, y);
        double worst = 0, at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            // Below 1e-9, x³/3 is far under half an ulp of x, so tanh x rounds to x (Math.Tanh itself is 1 ulp off at
            // some of these).
            double exact = Math.Abs(x[i]) < 1e-9 ? x[i] : Math.Tanh(x[i]);
            double e = Ulps64(y[i], exact);
            if (e > worst) (worst, at) = (e, x[i]);
        }
        Console.WriteLine($"float64 tanh: max {worst:F3} ulp at {at:R} against Math.Tanh, {x.Length} inputs");
        Assert.That(worst, Is.LessThanOrEqualTo(TanhUlp64), $"at x = {at:R}");
    }

    [Test]
    public void Sigmoid_Float64_IsWithinItsUlpBound_IncludingSubnormalResults()
    {
        var x = WithNegatives(Float64Sweep());
        var y = new double[x.Length];
        Activations.Sigmoid<double>(x, y);
        double worst = 0, at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = Ulps64(y[i], SigmoidReference(x[i]));
            if (e > worst) (worst, at) = (e, x[i]);
        }
        Console.WriteLine($"float64 sigmoid: max {worst:F3} ulp at {at:R}, {x.Length} inputs");
        Assert.That(worst, Is.LessThanOrEqualTo(SigmoidUlp64), $"at x = {at:R}");
        var deep = new double[1];
        Activations.Sigmoid<double>([-740.0], deep);
        Assert.That(deep[0], Is.GreaterThan(0.0).And.LessThan(2.2250738585072014E-308));
    }

    [Test]
    public void Tanh_IsExactlyOdd_AndExactOnTinyInputs()
    {
        var pos = Float32Sweep();
        var neg = pos.Select(v => -v).ToArray();
        float[] yp = new float[pos.Length], yn = new float[pos.Length];
        Activations.Tanh<float>(pos, yp);
        Activations.Tanh<float>(neg, yn);
        for (int i = 0; i < pos.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(yn[i]) != BitConverter.SingleToInt32Bits(-yp[i]))
                Assert.Fail($"tanh({neg[i]:R}) = {yn[i]:R} but tanh({pos[i]:R}) = {yp[i]:R}");
            // TensorPrimitives.Tanh loses every digit here (4.6% off at 1e-6); x³/3 is under half an ulp of x.
            if (pos[i] <= 1e-4f && yp[i] != pos[i]) Assert.Fail($"tanh({pos[i]:R}) = {yp[i]:R}, expected x itself");
        }

        var x64 = Float64Sweep();
        var n64 = x64.Select(v => -v).ToArray();
        double[] p64 = new double[x64.Length], q64 = new double[x64.Length];
        Activations.Tanh<double>(x64, p64);
        Activations.Tanh<double>(n64, q64);
        for (int i = 0; i < x64.Length; i++)
            if (BitConverter.DoubleToInt64Bits(q64[i]) != BitConverter.DoubleToInt64Bits(-p64[i]))
                Assert.Fail($"tanh({n64[i]:R}) = {q64[i]:R} but tanh({x64[i]:R}) = {p64[i]:R}");
    }

    [Test]
    public void SpecialValues()
    {
        float[] x = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon];
        var t = new float[x.Length];
        var s = new float[x.Length];
        Activations.Tanh<float>(x, t);
        Activations.Sigmoid<float>(x, s);
        Assert.That(BitConverter.SingleToInt32Bits(t[0]), Is.EqualTo(BitConverter.SingleToInt32Bits(0f)));
        Assert.That(BitConverter.SingleToInt32Bits(t[1]), Is.EqualTo(BitConverter.SingleToInt32Bits(-0f)));
        Assert.That(t[2..7], Is.EqualTo(new[] { 1f, -1f, float.NaN, 1f, -1f }));
        Assert.That(t[7..], Is.EqualTo(new[] { float.Epsilon, -float.Epsilon }));
        Assert.That(s[..7], Is.EqualTo(new[] { 0.5f, 0.5f, 1f, 0f, float.NaN, 1f, 0f }));
        Assert.That(s[7..], Is.EqualTo(new[] { 0.5f, 0.5f }));

        double[] d = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.MaxValue, -double.MaxValue];
        var td = new double[d.Length];
        var sd = new double[d.Length];
        Activations.Tanh<double>(d, td);
        Activations.Sigmoid<double>(d, sd);
        Assert.That(BitConverter.DoubleToInt64Bits(td[1]), Is.EqualTo(BitConverter.DoubleToInt64Bits(-0.0)));
        Assert.That(td, Is.EqualTo(new[] { 0.0, 0.0, 1.0, -1.0, double.NaN, 1.0, -1.0 }));
        Assert.That(sd, Is.EqualTo(new[] { 0.5, 0.5, 1.0, 0.0, double.NaN, 1.0, 0.0 }));
    }

    private static float[] MixedFloat32(int n, int seed)
    {
        var rng = new Random(seed);
        var specials = new[] { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 0.75f, -0.75f, 1e-30f, 200f, -200f };
        return Enumerable.Range(0, n).Select(i => i % 7 == 3 ? specials[rng.Next(specials.Length)]
            : (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 3)))).ToArray();
    }

    private static double[] MixedFloat64(int n, int seed)
    {
        var rng = new Random(seed);
        var specials = new[] { 0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 0.625, -0.625, 1e-300, 800.0, -800.0 };
        return Enumerable.Range(0, n).Select(i => i % 7 == 3 ? specials[rng.Next(specials.Length)]
            : (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 3))).ToArray();
    }

    private static void AssertSameBits<T>(T[] expected, T[] actual, T[] x, string what) where T : unmanaged
    {
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = typeof(T) == typeof(float)
                ? BitConverter.SingleToInt32Bits((float)(object)expected[i]) == BitConverter.SingleToInt32Bits((float)(object)actual[i])
                : BitConverter.DoubleToInt64Bits((double)(object)expected[i]) == BitConverter.DoubleToInt64Bits((double)(object)actual[i]);
            if (!same) Assert.Fail($"{what}: element {i} (x = {x[i]}) gives {actual[i]}, the scalar form {expected[i]}");
        }
    }

    private static void AllWidthsAgree<T, TF>(T[] x, string name) where T : unmanaged where TF : IVectorFunction<T>
    {
        var scalar = x.Select(TF.Invoke).ToArray();
        int n128 = Vector128<T>.Count, n256 = Vector256<T>.Count, n512 = Vector512<T>.Count;
        T[] v128 = new T[x.Length], v256 = new T[x.Length], v512 = new T[x.Length];
        for (int i = 0; i + n512 <= x.Length; i += n512)
        {
            for (int j = i; j < i + n512; j += n128) TF.Invoke(Vector128.Create(x.AsSpan(j, n128))).CopyTo(v128.AsSpan(j));
            for (int j = i; j < i + n512; j += n256) TF.Invoke(Vector256.Create(x.AsSpan(j, n256))).CopyTo(v256.AsSpan(j));
            TF.Invoke(Vector512.Create(x.AsSpan(i, n512))).CopyTo(v512.AsSpan(i));
        }
        int full = x.Length / n512 * n512;
        AssertSameBits(scalar[..full], v128[..full], x, $"{name} Vector128");
        AssertSameBits(scalar[..full], v256[..full], x, $"{name} Vector256");
        AssertSameBits(scalar[..full], v512[..full], x, $"{name} Vector512");

        // The span kernel on every length up to 80 and at offsets 0–3, so each element lands in vector bodies and
        // scalar tails.
        for (int offset = 0; offset < 4; offset++)
            for (int len = 0; offset + len <= Math.Min(x.Length, 84); len++)
            {
                var y = new T[len];
                Activations.Apply<T, TF>(x.AsSpan(offset, len), y);
                AssertSameBits(scalar[offset..(offset + len)], y, x[offset..], $"{name} span [{offset}, +{len})");
            }
        var all = new T[x.Length];
        Activations.Apply<T, TF>(x, all);
        AssertSameBits(scalar, all, x, $"{name} span");
    }

    [Test]
    public void EveryVectorWidthAndTheScalarFormGiveTheSameBits()
    {
        var f = MixedFloat32(4096, 1);
        var d = MixedFloat64(4096, 2);
        AllWidthsAgree<float, TanhSingle>(f, "tanh float32");
        AllWidthsAgree<float, SigmoidSingle>(f, "sigmoid float32");
        AllWidthsAgree<double, TanhDouble>(d, "tanh float64");
        AllWidthsAgree<double, SigmoidDouble>(d, "sigmoid float64");
    }

    [Test]
    public void Tanh_Float32_EveryVectorWidthAndTheScalarFormGiveTheSameBits_OverTheDenseSweep()
    {
        // Every 509th float of both signs and the windows around the split, the clamp of the exponential (|x| = 20)
        // and saturation, with NaN and ±∞ among them.
        var near20 = Enumerable.Range(-2000, 4001).Select(d => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(20f) + d));
        var x = WithNegatives([.. Float32Sweep(), .. near20, float.NaN]);
        var pad = new float[(x.Length + 15) / 16 * 16];
        x.CopyTo(pad, 0);
        AllWidthsAgree<float, TanhSingle>(pad, "tanh float32");
    }
}
