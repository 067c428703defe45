using System.Globalization;
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
    /// <c>...</c> — followed by shape and dtype.
    /// </summary>
    public override string ToString()
    {
        const string prefix = "tensor(";
        var sb = new StringBuilder(prefix);
        if (NumElements == 0) sb.Append("[]");
        else if (IsReleased) sb.Append("<released: its BufferScope has ended>");
        else
        {
            var c = Contiguous();
            // int64 is read as long, so values beyond 2^53 print exactly.
            long[]? longs = DType == DType.Int64 ? c.ToArray<long>() : null;
            double[]? doubles = longs is null ? c.ToArray<double>() : null;
            bool summarize = NumElements > SummarizeThreshold;
            var shown = summarize ? ShownIndices() : Enumerable.Range(0, NumElements);
            var formatter = longs is not null
                ? ValueFormatter.ForIntegers(shown.Select(i => longs[i]))
                : ValueFormatter.ForFloats(shown.Select(i => doubles![i]).ToArray());
            string Format(int flat) => longs is not null ? formatter.Format(longs[flat]) : formatter.Format(doubles![flat]);
            if (Rank == 0) sb.Append(Format(0));
            else AppendDim(sb, Format, formatter.Width, 0, 0, summarize, prefix.Length);
        }
        sb.Append(", shape=").Append(ShapeUtil.Format(Dims)).Append(", dtype=").Append(DType.Name());
        if (Role.GradFn is { } fn) sb.Append(", grad_fn=<").Append(fn.Name).Append('>');
        else if (RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    // Flat (row-major) indices of the elements a summarised print shows.
    private List<int> ShownIndices()
    {
        var shown = new List<int>();
        void Walk(int dim, int offset)
        {
            int stride = 1;
            for (int d = dim + 1; d < Rank; d++) stride *= Dims[d];
            foreach (int i in Indices(Dims[dim], true))
            {
                if (dim == Rank - 1) shown.Add(offset + i);
                else Walk(dim + 1, offset + i * stride);
            }
        }
        Walk(0, 0);
        return shown;
    }

    private static IEnumerable<int> Indices(int n, bool summarize)
    {
        if (!summarize || n <= 2 * EdgeItems) return Enumerable.Range(0, n);
        return Enumerable.Range(0, EdgeItems).Concat(Enumerable.Range(n - EdgeItems, EdgeItems));
    }

    // PyTorch's _tensor_str_with_formatter and _vector_str: `indent` is the column of this dimension's '['.
    private void AppendDim(StringBuilder sb, Func<int, string> format, int width, int dim, int offset, bool summarize, int indent)
    {
        int stride = 1;
        for (int d = dim + 1; d < Rank; d++) stride *= Dims[d];
        var items = new List<string>();
        int previous = -1;
        foreach (int i in Indices(Dims[dim], summarize))
        {
            bool gap = previous >= 0 && i != previous + 1;
            previous = i;
            if (dim == Rank - 1)
            {
                if (gap) items.Add(" ...");
                items.Add(format(offset + i));
            }
            else
            {
                if (gap) items.Add("...");
                var inner = new StringBuilder();
                AppendDim(inner, format, width, dim + 1, offset + i * stride, summarize, indent + 1);
                items.Add(inner.ToString());
            }
        }
        sb.Append('[');
        if (dim == Rank - 1)
        {
            int perLine = Math.Max(1, (LineWidth - indent) / (width + 2));
            for (int k = 0; k < items.Count; k++)
            {
                if (k > 0) sb.Append(k % perLine == 0 ? ",\n" + new string(' ', indent + 1) : ", ");
                sb.Append(items[k]);
            }
        }
        else
        {
            string separator = "," + new string('\n', Rank - 1 - dim) + new string(' ', indent + 1);
            sb.AppendJoin(separator, items);
        }
        sb.Append(']');
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
