using ScottPlot;

namespace Autograd.Examples;

/// <summary>
/// Logarithmic axes for the examples' ScottPlot figures. ScottPlot 5 has no log scale: a series is drawn at log10 of
/// its values (<see cref="Log10"/>) and the axis labelled with the values themselves (<see cref="UseLogScale"/>).
/// </summary>
public static class Plotting
{
    /// <summary>log10 of each value, for a series on a log axis. Values that are not positive are drawn at the smallest positive one.</summary>
    /// <param name="values">The data, in its own units.</param>
    /// <returns>The log10 values, one per input.</returns>
    public static double[] Log10(IEnumerable<double> values)
    {
        var data = values.ToArray();
        double floor = data.Where(v => v > 0).DefaultIfEmpty(1).Min();
        return data.Select(v => Math.Log10(v > 0 ? v : floor)).ToArray();
    }

    /// <summary>
    /// Labels <paramref name="axis"/>, which shows log10 values, with the values (0.3, 0.4, 0.5 or 1e-5, 1e-4 …) and adds
    /// minor ticks at the other integers times each power of ten, with faint grid lines.
    /// </summary>
    /// <param name="plot">The plot the axis belongs to.</param>
    /// <param name="axis">An axis of <paramref name="plot"/>, such as <c>plot.Axes.Left</c>.</param>
    public static void UseLogScale(Plot plot, IAxis axis)
    {
        axis.TickGenerator = new LogTickGenerator();
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.12);
        plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        plot.Grid.MinorLineWidth = 1;
    }
}

/// <summary>ScottPlot's tick generator for an axis of log10 values: the ticks of <see cref="LogTicks.Generate"/>.</summary>
public sealed class LogTickGenerator : ITickGenerator
{
    /// <summary>The ticks of the last <see cref="Regenerate"/>.</summary>
    public Tick[] Ticks { get; set; } = [];

    /// <summary>The most ticks kept.</summary>
    public int MaxTickCount { get; set; } = 1000;

    /// <summary>Computes the ticks for the visible <paramref name="range"/>, measuring labels with <paramref name="labelStyle"/>.</summary>
    /// <param name="range">The visible range of log10 values.</param>
    /// <param name="edge">The side of the plot the axis is on.</param>
    /// <param name="size">The axis length in pixels.</param>
    /// <param name="paint">The paint to measure labels with.</param>
    /// <param name="labelStyle">The style of the tick labels.</param>
    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        bool vertical = edge is Edge.Left or Edge.Right;
        Ticks = LogTicks.Generate(range.Min, range.Max, size.Length, label =>
            {
                var measured = labelStyle.Measure(label, paint);
                return vertical ? measured.Height : measured.Width;
            })
            .Take(MaxTickCount)
            .Select(t => t.Label is null ? Tick.Minor(t.Position) : Tick.Major(t.Position, t.Label))
            .ToArray();
    }
}
