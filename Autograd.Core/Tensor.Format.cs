using System.Globalization;
using System.Text;

namespace Autograd;

public partial class Tensor
{
    private const int SummarizeThreshold = 1000;
    private const int EdgeItems = 3;

    /// <summary>
    /// Prints as PyTorch does — <c>tensor([[1.0000, 2.5000], …])</c>, with 4 decimals, scientific notation for wide
    /// ranges, integers as <c>1.</c>, and tensors over 1000 elements summarised with <c>...</c> — followed by shape and dtype.
    /// </summary>
    public override string ToString()
    {
        var values = ToArray<double>();
        bool summarize = NumElements > SummarizeThreshold;
        var shown = summarize ? ShownValues(values) : values;
        var format = ChooseFormat(shown);
        int width = shown.Length == 0 ? 0 : shown.Max(v => format(v).Length);
        var sb = new StringBuilder("tensor(");
        if (Rank == 0) sb.Append(format(values[0]));
        else AppendDim(sb, values, 0, 0, width, format, summarize, "tensor(".Length);
        sb.Append(", shape=").Append(ShapeUtil.Format(Dims)).Append(", dtype=").Append(DType.Name());
        if (GradFn is not null) sb.Append(", grad_fn=<").Append(GradFn.Name).Append('>');
        else if (RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    private double[] ShownValues(double[] values)
    {
        var shown = new List<double>();
        void Walk(int dim, int offset)
        {
            int stride = 1;
            for (int d = dim + 1; d < Rank; d++) stride *= Dims[d];
            foreach (int i in Indices(Dims[dim], true))
            {
                if (dim == Rank - 1) shown.Add(values[offset + i]);
                else Walk(dim + 1, offset + i * stride);
            }
        }
        Walk(0, 0);
        return shown.ToArray();
    }

    private static IEnumerable<int> Indices(int n, bool summarize)
    {
        if (!summarize || n <= 2 * EdgeItems) return Enumerable.Range(0, n);
        return Enumerable.Range(0, EdgeItems).Concat(Enumerable.Range(n - EdgeItems, EdgeItems));
    }

    private Func<double, string> ChooseFormat(double[] shown)
    {
        var ci = CultureInfo.InvariantCulture;
        if (DType == DType.Int64) return v => ((long)v).ToString(ci);
        var finite = shown.Where(double.IsFinite).ToArray();
        static string Special(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        if (finite.Length == 0) return v => double.IsFinite(v) ? v.ToString("0.", ci) : Special(v);
        if (finite.All(v => v == Math.Floor(v)) && finite.Max(Math.Abs) < 1e8)
            return v => double.IsFinite(v) ? v.ToString("0", ci) + "." : Special(v);
        var nonzero = finite.Select(Math.Abs).Where(v => v > 0).ToArray();
        double max = nonzero.Length > 0 ? nonzero.Max() : 0, min = nonzero.Length > 0 ? nonzero.Min() : 0;
        bool scientific = max / Math.Max(min, double.Epsilon) > 1000 || max > 1e8 || (min > 0 && min < 1e-4);
        return scientific
            ? v => double.IsFinite(v) ? v.ToString("0.0000e+00", ci) : Special(v)
            : v => double.IsFinite(v) ? v.ToString("0.0000", ci) : Special(v);
    }

    private void AppendDim(StringBuilder sb, double[] values, int dim, int offset, int width, Func<double, string> format, bool summarize, int indent)
    {
        int n = Dims[dim];
        int stride = 1;
        for (int d = dim + 1; d < Rank; d++) stride *= Dims[d];
        sb.Append('[');
        bool first = true;
        int previous = -1;
        foreach (int i in Indices(n, summarize))
        {
            if (!first)
            {
                sb.Append(',');
                if (dim == Rank - 1) sb.Append(' ');
                else sb.Append('\n', Rank - 1 - dim).Append(' ', indent + dim + 1);
            }
            if (previous >= 0 && i != previous + 1)
            {
                sb.Append("...,");
                if (dim == Rank - 1) sb.Append(' ');
                else sb.Append('\n', Rank - 1 - dim).Append(' ', indent + dim + 1);
            }
            if (dim == Rank - 1) sb.Append(format(values[offset + i]).PadLeft(width));
            else AppendDim(sb, values, dim + 1, offset + i * stride, width, format, summarize, indent);
            first = false;
            previous = i;
        }
        sb.Append(']');
    }
}
