using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Autograd;

public partial class Tensor
{
    private const int SummarizeThreshold = 1000;
    private const int EdgeItems = 3;
    private const int LineWidth = 80;

    /// <summary>
    /// Prints as PyTorch does — <c>tensor([[1.0000, 2.5000], …])</c>, with 4 decimals, scientific notation for wide
    /// ranges, integers as <c>1.</c>, rows wrapped at 80 columns, and tensors over 1000 elements summarised with
    /// <c>...</c> — followed by shape and dtype. Only the elements shown are read, from the tensor's own layout: a
    /// broadcast view of billions of elements prints its corners without being materialised, and a tensor of any rank
    /// prints without recursion.
    /// </summary>
    /// <returns>The text, such as <c>tensor([0.1000, 0.2500], shape=[2], dtype=float32)</c>, ending in <c>grad_fn=&lt;...&gt;</c> or <c>requires_grad=True</c> where they apply.</returns>
    public override string ToString()
    {
        const string prefix = "tensor(";
        var sb = new StringBuilder(prefix);
        if (NumElements == 0) sb.Append("[]");
        else if (IsReleased) sb.Append("<released: its BufferScope has ended>");
        else
        {
            bool summarize = NumElements > SummarizeThreshold;
            var offsets = ShownOffsets(summarize);
            var data = Data;
            string[] shown = new string[offsets.Count];
            if (DType == DType.Int64)
            {
                // int64 is read as long, so values beyond 2^53 print exactly.
                var longs = Unsafe.As<long[]>(data);
                var formatter = ValueFormatter.ForIntegers(offsets.Select(o => longs[o]));
                for (int i = 0; i < shown.Length; i++) shown[i] = formatter.Format(longs[offsets[i]]);
                AppendElements(sb, shown, formatter.Width, summarize, prefix.Length);
            }
            else
            {
                var values = new double[offsets.Count];
                for (int i = 0; i < values.Length; i++) values[i] = ReadAt(offsets[i]);
                var formatter = ValueFormatter.ForFloats(values);
                for (int i = 0; i < shown.Length; i++) shown[i] = formatter.Format(values[i]);
                AppendElements(sb, shown, formatter.Width, summarize, prefix.Length);
            }
        }
        sb.Append(", shape=").Append(ShapeUtil.Format(Dims)).Append(", dtype=").Append(DType.Name());
        if (Role.GradFn is { } fn) sb.Append(", grad_fn=<").Append(fn.Name).Append('>');
        else if (RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    // Along a dimension a summarised print shows the first and last EdgeItems indices; ShownCount of them in all.
    private bool IsCut(int dim, bool summarize) => summarize && Dims[dim] > 2 * EdgeItems;

    private int ShownCount(int dim, bool summarize) => IsCut(dim, summarize) ? 2 * EdgeItems : Dims[dim];

    // The index of the k-th shown position along dim.
    private int ShownIndex(int dim, int k, bool summarize) => IsCut(dim, summarize) && k >= EdgeItems ? Dims[dim] - 2 * EdgeItems + k : k;

    // Storage offsets of the elements the print shows, in row-major order, read through the tensor's own strides
    // (an odometer over the shown positions, so any rank and any view).
    private List<int> ShownOffsets(bool summarize)
    {
        var offsets = new List<int>();
        int rank = Rank;
        var k = new int[rank];
        long offset = Offset;
        while (true)
        {
            offsets.Add((int)offset);
            int d = rank - 1;
            for (; d >= 0; d--)
            {
                int count = ShownCount(d, summarize);
                if (k[d] + 1 < count)
                {
                    offset += (long)(ShownIndex(d, k[d] + 1, summarize) - ShownIndex(d, k[d], summarize)) * StrideArray[d];
                    k[d]++;
                    break;
                }
                offset -= (long)ShownIndex(d, k[d], summarize) * StrideArray[d];
                k[d] = 0;
            }
            if (d < 0) return offsets;
        }
    }

    // PyTorch's _tensor_str_with_formatter and _vector_str, walked with a counter per dimension instead of recursion:
    // the '[' of dimension d stands in column indent + d, the elements are `shown` in row-major order.
    private void AppendElements(StringBuilder sb, string[] shown, int width, bool summarize, int indent)
    {
        int rank = Rank;
        if (rank == 0)
        {
            sb.Append(shown[0]);
            return;
        }
        int last = rank - 1, next = 0;
        int perLine = Math.Max(1, (LineWidth - indent - last) / (width + 2));
        string lineBreak = ",\n" + new string(' ', indent + last + 1);
        var k = new int[rank];
        sb.Append('[', last);
        while (true)
        {
            // The innermost vector, wrapped at the line width; a cut shows " ..." as one more item.
            sb.Append('[');
            int count = ShownCount(last, summarize), column = 0;
            for (int j = 0; j < count; j++)
            {
                if (j == EdgeItems && IsCut(last, summarize))
                {
                    sb.Append(column % perLine == 0 ? lineBreak : ", ").Append(" ...");
                    column++;
                }
                if (column > 0) sb.Append(column % perLine == 0 ? lineBreak : ", ");
                sb.Append(shown[next++]);
                column++;
            }
            sb.Append(']');

            // Close the dimensions that are done, then step to the next slice of the innermost open one.
            int d = last - 1;
            while (d >= 0 && ++k[d] == ShownCount(d, summarize))
            {
                sb.Append(']');
                d--;
            }
            if (d < 0) return;
            string separator = "," + new string('\n', last - d) + new string(' ', indent + d + 1);
            if (k[d] == EdgeItems && IsCut(d, summarize)) sb.Append(separator).Append("...");
            sb.Append(separator);
            for (int e = d + 1; e < last; e++)
            {
                k[e] = 0;
                sb.Append('[');
            }
        }
    }

    /// <summary>PyTorch's _Formatter: one width and one notation for all elements of a print.</summary>
    private sealed class ValueFormatter
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
        private bool _intMode = true, _sciMode;
        public int Width { get; private set; } = 1;

        public static ValueFormatter ForIntegers(IEnumerable<long> values)
        {
            var f = new ValueFormatter();
            foreach (var v in values) f.Width = Math.Max(f.Width, v.ToString(Invariant).Length);
            return f;
        }

        // Notation and width come from the nonzero finite values only, as in PyTorch.
        public static ValueFormatter ForFloats(double[] values)
        {
            var f = new ValueFormatter();
            var nonzero = values.Where(v => double.IsFinite(v) && v != 0).ToArray();
            if (nonzero.Length == 0) return f;
            double min = nonzero.Min(Math.Abs), max = nonzero.Max(Math.Abs);
            f._intMode = nonzero.All(v => v == Math.Ceiling(v));
            f._sciMode = max / min > 1000.0 || max > 1.0e8 || (!f._intMode && min < 1.0e-4);
            foreach (var v in nonzero)
                f.Width = Math.Max(f.Width, f._sciMode ? Scientific(v).Length : f._intMode ? v.ToString("F0", Invariant).Length + 1 : v.ToString("F4", Invariant).Length);
            return f;
        }

        public string Format(long value) => value.ToString(Invariant).PadLeft(Width);

        public string Format(double value)
        {
            string s = !double.IsFinite(value) ? (double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf")
                : _sciMode ? Scientific(value)
                : _intMode ? value.ToString("F0", Invariant) + "."
                : value.ToString("F4", Invariant);
            return s.PadLeft(Width);
        }

        // Python's "{:.4e}": correctly rounded (half to even on the exact binary value), exponent of at least two digits.
        private static string Scientific(double value)
        {
            var s = value.ToString("e4", Invariant);
            int e = s.IndexOf('e');
            string digits = s[(e + 2)..].TrimStart('0').PadLeft(2, '0');
            return s[..(e + 2)] + digits;
        }
    }
}
