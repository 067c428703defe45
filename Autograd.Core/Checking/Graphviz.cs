using System.Globalization;
using System.Text;

namespace Autograd;

/// <summary>Exports the graph behind a tensor to Graphviz DOT, as micrograd's draw_dot.</summary>
public static class Graphviz
{
    /// <summary>
    /// The DOT text of the graph that produced <paramref name="root"/>: a box per tensor (shape, dtype, and values and
    /// gradient when it has at most <paramref name="maxValues"/> elements), an ellipse per op, and edges along the data flow.
    /// Render with <c>dot -Tpng graph.dot -o graph.png</c>.
    /// </summary>
    /// <param name="root">The tensor whose graph to export.</param>
    /// <param name="maxValues">The largest element count for which a tensor's values and gradient are shown.</param>
    /// <returns>The DOT text of the graph.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="root"/> is null.</exception>
    public static string ToDot(Tensor root, int maxValues = 8)
    {
        ArgumentNullException.ThrowIfNull(root);
        var ids = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        var sb = new StringBuilder("digraph autograd {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n");
        string Id(object o, string prefix)
        {
            if (!ids.TryGetValue(o, out var id)) ids[o] = id = prefix + ids.Count.ToString(CultureInfo.InvariantCulture);
            return id;
        }
        var seenTensors = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var seenFns = new HashSet<Function>(ReferenceEqualityComparer.Instance);
        void TensorNode(Tensor t)
        {
            if (seenTensors.Add(t))
                sb.Append("  ").Append(Id(t, "t")).Append(" [shape=record, label=\"").Append(Label(t, maxValues)).Append("\"];\n");
        }
        TensorNode(root);
        var stack = new Stack<(Tensor Output, Function Fn)>();
        if (root.Role.GradFn is { } rootFn) stack.Push((root, rootFn));
        while (stack.Count > 0)
        {
            var (output, fn) = stack.Pop();
            string fid = Id(fn, "f");
            sb.Append("  ").Append(fid).Append(" -> ").Append(Id(output, "t")).Append(";\n");
            if (!seenFns.Add(fn)) continue;
            sb.Append("  ").Append(fid).Append(" [shape=ellipse, label=\"").Append(Escape(fn.Name)).Append("\"];\n");
            for (int i = 0; i < fn.InputCount; i++)
            {
                var input = fn.Input(i);
                TensorNode(input);
                sb.Append("  ").Append(Id(input, "t")).Append(" -> ").Append(fid).Append(";\n");
                if (input.GradFn is { } child) stack.Push((input, child));
            }
        }
        return sb.Append("}\n").ToString();
    }

    private static string Label(Tensor t, int maxValues)
    {
        var ci = CultureInfo.InvariantCulture;
        var parts = new List<string> { "shape " + ShapeUtil.Format(t.Dims) + " " + t.DType.Name() };
        bool hasData = !t.IsReleased && (t.RawData.Length > 0 || t.NumElements == 0);
        if (hasData && t.NumElements <= maxValues)
            parts.Add("data " + string.Join(" ", t.ToArray<double>().Select(v => v.ToString("G4", ci))));
        if (t.Grad is { } g && g.NumElements <= maxValues)
            parts.Add("grad " + string.Join(" ", g.ToArray<double>().Select(v => v.ToString("G4", ci))));
        return "{ " + string.Join(" | ", parts.Select(Escape)) + " }";
    }

    private static string Escape(string s) =>
        s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("{", "\\{").Replace("}", "\\}").Replace("|", "\\|").Replace("<", "\\<").Replace(">", "\\>");
}
