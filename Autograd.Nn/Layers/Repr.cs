using System.Globalization;

namespace Autograd.Nn;

/// <summary>Python's spelling of values in <see cref="Module.ExtraRepr"/>, so that a model prints as PyTorch prints it.</summary>
internal static class Repr
{
    public static string Bool(bool value) => value ? "True" : "False";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, fixed notation for exponents −4 … 15 (with <c>.0</c> when integral), else <c>1e-05</c>.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        string sign = value < 0 ? "-" : "";
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? r : r[..e];
        int point = mantissa.IndexOf('.');
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        // value = 0.digits × 10^decimalExponent
        int decimalExponent = (point < 0 ? mantissa.Length : point) + exponent;
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0') leading++;
        digits = digits[leading..].TrimEnd('0');
        decimalExponent -= leading;
        int x = decimalExponent - 1;
        if (x >= -4 && x < 16)
        {
            if (decimalExponent <= 0) return sign + "0." + new string('0', -decimalExponent) + digits;
            if (decimalExponent >= digits.Length) return sign + digits + new string('0', decimalExponent - digits.Length) + ".0";
            return sign + digits[..decimalExponent] + "." + digits[decimalExponent..];
        }
        string fraction = digits.Length > 1 ? "." + digits[1..] : "";
        return sign + digits[0] + fraction + "e" + (x < 0 ? "-" : "+") + Math.Abs(x).ToString("00", CultureInfo.InvariantCulture);
    }
}
