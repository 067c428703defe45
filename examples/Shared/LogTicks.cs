using System.Globalization;

namespace Autograd.Examples;

/// <summary>One tick of a logarithmic axis: its position (log10 of the value) and its label, null for a minor tick.</summary>
/// <param name="Position">log10 of the value the tick marks.</param>
/// <param name="Label">The value as text (<c>0.3</c>, <c>1e-5</c>); null for an unlabelled minor tick.</param>
public readonly record struct LogTick(double Position, string? Label)
{
    /// <summary>Whether the tick is labelled.</summary>
    public bool IsMajor => Label is not null;
}

/// <summary>
/// Ticks for an axis that shows log10 of the data, labelled with the values themselves. The labelled values are the
/// sparsest "nice" set with at least <see cref="MinimumLabels"/> labels whose labels do not overlap: every k-th
/// power of ten, then 1 and 3, 1, 2 and 5, 1, 2, 3 and 5 or every integer times each power of ten, then (for a range
/// within one decade) evenly spaced values such as 0.25, 0.3, 0.35. Minor ticks mark the unlabelled integers times each
/// power of ten, or points between the labels.
/// </summary>
public static class LogTicks
{
    /// <summary>How many labels the generator aims for: it picks the sparsest set of values that has at least this many.</summary>
    public const int MinimumLabels = 4;

    private const int MostTicks = 400;

    private static readonly int[][] MantissaSets = [[1, 3], [1, 2, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];

    /// <summary>The ticks for the visible range [<paramref name="low"/>, <paramref name="high"/>] of log10 values.</summary>
    /// <param name="low">log10 of the smallest visible value.</param>
    /// <param name="high">log10 of the largest visible value.</param>
    /// <param name="pixelLength">The axis length in pixels.</param>
    /// <param name="labelExtent">The size of a label along the axis in pixels (its height on a vertical axis, its width on a horizontal one).</param>
    /// <param name="padding">The least space between two labels, in pixels.</param>
    /// <returns>The major (labelled) and minor ticks inside the range, in no particular order; empty for an empty or non-finite range.</returns>
    public static IReadOnlyList<LogTick> Generate(double low, double high, double pixelLength, Func<string, double> labelExtent, double padding = 8)
    {
        if (low > high) (low, high) = (high, low);
        if (!double.IsFinite(low) || !double.IsFinite(high) || high - low < 1e-12 || high - low > 1000 || !(pixelLength > 0)) return [];
        double pixelsPerDecade = pixelLength / (high - low);
        List<LogTick>? best = null;
        int bestLabels = 0;
        foreach (var level in Levels(low, high))
        {
            if (level is null) continue;
            int labels = level.Count(t => t.IsMajor);
            if (labels == 0 || !Fits(level, pixelsPerDecade, labelExtent, padding)) continue;
            if (labels >= MinimumLabels) return level;
            if (labels > bestLabels) (best, bestLabels) = (level, labels);
        }
        return best ?? [];
    }

    /// <summary>
    /// The label of the value <paramref name="mantissa"/> × 10^<paramref name="exponent"/>: plain decimals from 0.001 up
    /// to 9999 (<c>0.3</c>, <c>0.25</c>, <c>20</c>), <c>1e-5</c> or <c>2.5e6</c> style beyond.
    /// </summary>
    /// <param name="mantissa">The value's digits as an integer (negative for a negative value).</param>
    /// <param name="exponent">The power of ten the digits are scaled by.</param>
    /// <returns>The exact value as text, without trailing zeros.</returns>
    public static string Label(long mantissa, int exponent)
    {
        if (mantissa == 0) return "0";
        string sign = mantissa < 0 ? "-" : "";
        ulong m = mantissa < 0 ? (ulong)-(mantissa + 1) + 1 : (ulong)mantissa;
        while (m % 10 == 0)
        {
            m /= 10;
            exponent++;
        }
        string digits = m.ToString(CultureInfo.InvariantCulture);
        int leading = exponent + digits.Length - 1; // the power of ten of the first digit
        if (leading < -3 || leading >= 4)
            return sign + digits[0] + (digits.Length > 1 ? "." + digits[1..] : "") + "e" + leading.ToString(CultureInfo.InvariantCulture);
        if (exponent >= 0) return sign + digits + new string('0', exponent);
        int point = digits.Length + exponent;
        return sign + (point > 0 ? digits[..point] + "." + digits[point..] : "0." + new string('0', -point) + digits);
    }

    // The candidate tick sets from sparsest to densest; null where a set would have too many ticks.
    private static IEnumerable<List<LogTick>?> Levels(double low, double high)
    {
        int first = (int)Math.Floor(low), last = (int)Math.Floor(high);
        // Every step-th decade, for wide ranges.
        var steps = new List<int>();
        for (int scale = 1; scale <= 1000; scale *= 10)
            foreach (int s in new[] { 1, 2, 3, 5 })
                if (s * scale <= Math.Max(1, high - low)) steps.Add(s * scale);
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            int step = steps[i];
            var ticks = new List<LogTick>();
            for (int k = first; k <= last + 1; k++)
            {
                bool labelled = ((k % step) + step) % step == 0;
                Add(ticks, low, high, 1, k, labelled);
                if (step == 1)
                    for (int m = 2; m <= 9; m++) Add(ticks, low, high, m, k, labelled: false);
            }
            yield return ticks.Count <= MostTicks ? ticks : null;
        }
        // Several values in each decade.
        if (last - first > MostTicks / 9) yield break;
        foreach (var set in MantissaSets)
        {
            var ticks = new List<LogTick>();
            for (int k = first; k <= last; k++)
            {
                for (int m = 1; m <= 9; m++) Add(ticks, low, high, m, k, labelled: set.Contains(m));
                // With every integer labelled, minor ticks halfway between them: 1.5, 2.5 … 9.5 times 10^k.
                if (set.Length == 9)
                    for (int m = 15; m <= 95; m += 10) Add(ticks, low, high, m, k - 1, labelled: false);
            }
            yield return ticks;
        }
        // Evenly spaced values, for a range within a decade or two: steps 5, 2, 1 times a power of ten.
        double lowValue = Math.Pow(10, low), highValue = Math.Pow(10, high);
        for (int j = last; j >= first - 3; j--)
            foreach (int s in new[] { 5, 2, 1 })
            {
                double step = s * Math.Pow(10, j);
                long from = Math.Max(1, (long)Math.Ceiling(lowValue / step * (1 - 1e-12)));
                long to = (long)Math.Floor(highValue / step * (1 + 1e-12));
                if (to - from + 1 > MostTicks / 5) yield break;
                var ticks = new List<LogTick>();
                // Minor ticks at a fifth of the step (a quarter for steps of 2), in units of 10^(j - 1).
                int minor = s == 2 ? 5 : 2 * s;
                long minorFrom = Math.Max(1, (long)Math.Ceiling(lowValue / (minor * Math.Pow(10, j - 1)) * (1 - 1e-12)));
                long minorTo = (long)Math.Floor(highValue / (minor * Math.Pow(10, j - 1)) * (1 + 1e-12));
                for (long i = minorFrom; i <= minorTo && minorTo - minorFrom <= MostTicks; i++)
                    if (i * minor % (10 * s) != 0) Add(ticks, low, high, i * minor, j - 1, labelled: false);
                for (long i = from; i <= to; i++) Add(ticks, low, high, i * s, j, labelled: true);
                yield return ticks;
            }
    }

    private static void Add(List<LogTick> ticks, double low, double high, long mantissa, int exponent, bool labelled)
    {
        double position = Math.Log10(mantissa) + exponent;
        double slack = (high - low) * 1e-9;
        if (position < low - slack || position > high + slack) return;
        ticks.Add(new LogTick(position, labelled ? Label(mantissa, exponent) : null));
    }

    // Whether neighbouring labels keep at least `padding` pixels between them.
    private static bool Fits(List<LogTick> ticks, double pixelsPerDecade, Func<string, double> labelExtent, double padding)
    {
        var majors = ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).ToArray();
        for (int i = 1; i < majors.Length; i++)
        {
            double gap = (majors[i].Position - majors[i - 1].Position) * pixelsPerDecade;
            if (gap < (labelExtent(majors[i].Label!) + labelExtent(majors[i - 1].Label!)) / 2 + padding) return false;
        }
        return true;
    }
}
