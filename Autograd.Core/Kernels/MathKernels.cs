using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

/// <summary>
/// log1p, expm1, erf and erfc in float64, accurate near 0 and in the tails. .NET's double.LogP1 and double.ExpM1 are
/// Log(1 + x) and Exp(x) − 1, which lose every digit for |x| below 1e-16, so these are written here; float32 inputs are
/// computed in float64 and rounded once. Measured against 120-bit references (mpmath) on 10,000 points over
/// [1e-300, 30] and [−6, 6]: log1p ≤ 1.5 ulp, expm1 ≤ 2 ulp, erf ≤ 5 ulp, erfc ≤ 9 ulp (≤ 1 ulp relative past x = 2).
/// </summary>
internal static class SpecialMath
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.56418958354775628;

    /// <summary>ln(1 + x) by Kahan's correction: ln(u)·x/(u − 1) with u = 1 + x rounded cancels u's rounding error.</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (u == 0.0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(u)) return u;
        return Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>eˣ − 1 by the same correction: (u − 1)·x/ln(u) with u = eˣ rounded.</summary>
    public static double Expm1(double x)
    {
        if (x > 40.0) return Math.Exp(x); // e^x − 1 rounds to e^x from 37 on; (u − 1)·x would overflow near 709
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * (x / Math.Log(u));
    }

    /// <summary>The error function: a series of positive terms below |x| = 2.5, else 1 − erfc(|x|) with its sign.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a < 2.5) return ErfSeries(x);
        double r = 1.0 - ErfcContinuedFraction(a);
        return x > 0 ? r : -r;
    }

    /// <summary>The complementary error function 1 − erf x, computed without that subtraction for x ≥ 1.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x < 0) return 2.0 - (x > -1.0 ? 1.0 - ErfSeries(-x) : ErfcContinuedFraction(-x));
        if (x < 1.0) return 1.0 - ErfSeries(x); // erf x < 0.85 here, so the difference loses under 3 bits
        if (x > 27.3) return 0.0;
        return ErfcContinuedFraction(x);
    }

    // e^{−x²} with x² split exactly into hi + lo (FMA), so the rounding of x² is not magnified by exp.
    private static double ExpMinusSquare(double x)
    {
        double hi = x * x;
        double lo = Math.FusedMultiplyAdd(x, x, -hi);
        return Math.Exp(-hi) * (1.0 - lo);
    }

    // erf x = (2/√π)·e^{−x²}·Σₙ 2ⁿx^{2n+1}/(1·3·…·(2n+1)): every term has x's sign, so nothing cancels.
    private static double ErfSeries(double x)
    {
        double term = x, sum = x, twoX2 = 2 * x * x;
        for (int n = 1; n < 200; n++)
        {
            term *= twoX2 / (2 * n + 1);
            double next = sum + term;
            if (next == sum) break;
            sum = next;
        }
        return TwoOverSqrtPi * ExpMinusSquare(x) * sum;
    }

    // Laplace's continued fraction erfc x = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) for x ≥ 1, evaluated
    // from a fixed depth: enough terms for double precision at the low end of each range (checked at 1, 1.5, 2.5, 4).
    private static double ErfcContinuedFraction(double x)
    {
        if (x > 27.3) return 0.0; // below the smallest subnormal (and e^{−x²} of ∞ would give NaN)
        int depth = x < 1.5 ? 200 : x < 2.5 ? 80 : x < 4.0 ? 40 : 20;
        double t = x;
        for (int k = depth; k > 0; k--) t = x + k * 0.5 / t;
        return ExpMinusSquare(x) * OneOverSqrtPi / t;
    }

    /// <summary>
    /// sinh x through expm1 below |x| = 1 (TensorPrimitives.Sinh is off by 8e-8 relative at 1e-10), and as e^{|x|/2}·e^{|x|/2}/2
    /// above, which stays finite up to sinh's own overflow at 710.5.
    /// </summary>
    public static double Sinh(double x)
    {
        double a = Math.Abs(x);
        double r;
        if (a < 1.0)
        {
            double e = Expm1(a);
            r = 0.5 * (e + e / (e + 1.0));
        }
        else
        {
            double h = Math.Exp(0.5 * a);
            r = 0.5 * h * h - 0.5 / (h * h);
        }
        return x < 0 ? -r : x > 0 ? r : x;
    }
}

// Scalar float64 loops: these are rarely on a hot path (erf's is GELU's, which is composite anyway), so accuracy wins.

internal readonly struct Log1pOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialMath.Log1p(double.CreateTruncating(x)));
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, Log1pOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, Log1pOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, Log1pOperator>(x);
}

internal readonly struct Expm1Operator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialMath.Expm1(double.CreateTruncating(x)));
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, Expm1Operator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, Expm1Operator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, Expm1Operator>(x);
}

internal readonly struct ErfOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialMath.Erf(double.CreateTruncating(x)));
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, ErfOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, ErfOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, ErfOperator>(x);
}

internal readonly struct ErfcOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialMath.Erfc(double.CreateTruncating(x)));
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, ErfcOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, ErfcOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, ErfcOperator>(x);
}

internal readonly struct SinhOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialMath.Sinh(double.CreateTruncating(x)));
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, SinhOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, SinhOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, SinhOperator>(x);
}

// TensorPrimitives' own vector tan and cosh, applied to the vector the driver hands over (so the width is the
// driver's); asin, acos and atan are T.Asin, T.Acos, T.Atan per element, as TensorPrimitives computes them.

internal readonly struct TanOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tan(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitiveLanes.Tan(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitiveLanes.Tan(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitiveLanes.Tan(x);
}

internal readonly struct CoshOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cosh(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitiveLanes.Cosh(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitiveLanes.Cosh(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitiveLanes.Cosh(x);
}

internal readonly struct AsinOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Asin(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AsinOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AsinOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AsinOperator>(x);
}

internal readonly struct AcosOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Acos(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AcosOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AcosOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AcosOperator>(x);
}

internal readonly struct AtanOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Atan(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AtanOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AtanOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, AtanOperator>(x);
}

internal readonly struct FloorOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Floor(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Floor(x.AsSingle()).As<float, T>() : Vector128.Floor(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Floor(x.AsSingle()).As<float, T>() : Vector256.Floor(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Floor(x.AsSingle()).As<float, T>() : Vector512.Floor(x.AsDouble()).As<double, T>();
}

internal readonly struct CeilOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Ceiling(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Ceiling(x.AsSingle()).As<float, T>() : Vector128.Ceiling(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Ceiling(x.AsSingle()).As<float, T>() : Vector256.Ceiling(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Ceiling(x.AsSingle()).As<float, T>() : Vector512.Ceiling(x.AsDouble()).As<double, T>();
}

internal readonly struct TruncOperator : IUnaryKernel
{
    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Truncate(x);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector128.Truncate(x.AsSingle()).As<float, T>() : Vector128.Truncate(x.AsDouble()).As<double, T>();
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Truncate(x.AsSingle()).As<float, T>() : Vector256.Truncate(x.AsDouble()).As<double, T>();
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Truncate(x.AsSingle()).As<float, T>() : Vector512.Truncate(x.AsDouble()).As<double, T>();
}

// Half to even, as torch.round (std::nearbyint in the default rounding mode).
internal readonly struct RoundOperator : IUnaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Round(x, MidpointRounding.ToEven);
    public static Vector128<T> Invoke<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, RoundOperator>(x);
    public static Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, RoundOperator>(x);
    public static Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Unary<T, RoundOperator>(x);
}

/// <summary>The vector forms of <see cref="TanOperator"/> and <see cref="CoshOperator"/>: TensorPrimitives on the lanes.</summary>
internal static class TensorPrimitiveLanes
{
    public static Vector128<T> Tan<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = stackalloc T[Vector128<T>.Count];
        x.CopyTo(s);
        TensorPrimitives.Tan<T>(s, s);
        return Vector128.Create<T>(s);
    }

    public static Vector256<T> Tan<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = stackalloc T[Vector256<T>.Count];
        x.CopyTo(s);
        TensorPrimitives.Tan<T>(s, s);
        return Vector256.Create<T>(s);
    }

    public static Vector512<T> Tan<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = stackalloc T[Vector512<T>.Count];
        x.CopyTo(s);
        TensorPrimitives.Tan<T>(s, s);
        return Vector512.Create<T>(s);
    }

    public static Vector128<T> Cosh<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = stackalloc T[Vector128<T>.Count];
        x.CopyTo(s);
        TensorPrimitives.Cosh<T>(s, s);
        return Vector128.Create<T>(s);
    }

    public static Vector256<T> Cosh<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = stackalloc T[Vector256<T>.Count];
        x.CopyTo(s);
        TensorPrimitives.Cosh<T>(s, s);
        return Vector256.Create<T>(s);
    }

    public static Vector512<T> Cosh<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = stackalloc T[Vector512<T>.Count];
        x.CopyTo(s);
        TensorPrimitives.Cosh<T>(s, s);
        return Vector512.Create<T>(s);
    }
}

// fmod: the sign of the dividend (C's fmod; .NET's % on floating-point values is that).
internal readonly struct FmodOperator : IBinaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x % y;
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, FmodOperator>(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, FmodOperator>(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, FmodOperator>(x, y);
}

// Python's modulus: the sign of the divisor, as torch.remainder computes it (fmod, then + b where the signs differ).
internal readonly struct RemainderOperator : IBinaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T r = x % y;
        return r != T.Zero && (r < T.Zero) != (y < T.Zero) ? r + y : r;
    }
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, RemainderOperator>(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, RemainderOperator>(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, RemainderOperator>(x, y);
}

internal readonly struct Atan2Operator : IBinaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Atan2(x, y);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, Atan2Operator>(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, Atan2Operator>(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, Atan2Operator>(x, y);
}

internal readonly struct HypotOperator : IBinaryKernel
{
    public static bool Vectorizable => false;

    public static T Invoke<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Hypot(x, y);
    public static Vector128<T> Invoke<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, HypotOperator>(x, y);
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, HypotOperator>(x, y);
    public static Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Binary<T, HypotOperator>(x, y);
}

// The int64 forms; a zero divisor is refused before these run, and x % −1 is 0 (C#'s long.MinValue % −1 would throw).
internal readonly struct FmodInt64 : IInt64Operator { public static long Invoke(long x, long y) => y == -1 ? 0 : x % y; }

internal readonly struct RemainderInt64 : IInt64Operator
{
    public static long Invoke(long x, long y)
    {
        long r = y == -1 ? 0 : x % y;
        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    }
}
