using System.Globalization;
using Autograd.Examples;
using ScottPlot;

namespace TrainMlp;

/// <summary>The PNG plots: the loss curves, and a confusion matrix (classification) or the fitted function (regression).</summary>
public static class Plots
{
    private const int Width = 900, Height = 600;

    /// <summary>Training and test loss per epoch on a logarithmic axis.</summary>
    public static void LossCurve(string path, Problem problem, IReadOnlyList<EpochResult> history)
    {
        var plot = new Plot();
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        AddLogLine(plot, epochs, history.Select(h => h.TrainLoss).ToArray(), "training loss (mean over the epoch)", Colors.C0);
        AddLogLine(plot, epochs, history.Select(h => h.TestLoss).ToArray(), "test loss (after the epoch)", Colors.C1);

        Plotting.UseLogScale(plot, plot.Axes.Left);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        string lossName = problem.Kind == TaskKind.Classification ? "cross-entropy" : "mean squared error";
        plot.Title($"{problem.Name}: {lossName} per epoch");
        plot.XLabel("epoch");
        plot.YLabel($"{lossName} (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    private static void AddLogLine(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        var line = plot.Add.Scatter(xs, Plotting.Log10(ys));
        line.LegendText = label;
        line.Color = color;
        line.LineWidth = 2;
        line.MarkerSize = xs.Length <= 40 ? 5 : 0;
    }

    /// <summary>The confusion matrix: rows are the true classes, columns the predicted ones, with the count in each cell.</summary>
    public static void ConfusionMatrix(string path, Problem problem, Autograd.Nn.Metrics.ConfusionMatrix counts, double accuracy)
    {
        int k = counts.NumClasses;
        var plot = new Plot();
        // Colour by the share of each true class (row-normalized), so rare classes read as well as common ones.
        var shares = new double[k, k];
        for (int r = 0; r < k; r++)
        {
            double total = 0;
            for (int c = 0; c < k; c++) total += counts[r, c];
            for (int c = 0; c < k; c++) shares[r, c] = total > 0 ? counts[r, c] / total : 0;
        }
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed(); // light = few, dark = many
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // Cell (r, c) covers [c, c + 1] × [k − r − 1, k − r]: row 0 (the first true class) at the top.
        heatmap.Rectangle = new CoordinateRect(0, k, 0, k);
        plot.Add.ColorBar(heatmap);

        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                if (counts[r, c] == 0) continue;
                var text = plot.Add.Text(counts[r, c].ToString(CultureInfo.InvariantCulture), c + 0.5, k - r - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = k <= 10 ? 14 : 10;
                text.LabelBold = r == c;
                text.LabelFontColor = shares[r, c] > 0.5 ? Colors.White : Colors.Black;
            }

        var names = problem.ClassNames;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, k).Select(c => c + 0.5).ToArray(), names.ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, k).Select(r => k - r - 0.5).ToArray(), names.ToArray());
        if (names.Any(n => n.Length > 3))
        {
            // Long class names: slanted labels, with room below them for the axis title (ScottPlot does not measure rotated text).
            plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 95;
        }
        plot.Axes.SetLimits(0, k, 0, k);
        plot.Grid.IsVisible = false;
        plot.Title($"{problem.Name}: test-set confusion matrix, accuracy {(accuracy * 100).ToString("F2", CultureInfo.InvariantCulture)}%\n(counts; colour = share of the true class)");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.SavePng(path, Width, Width - 60);
    }

    /// <summary>The target function, the network's output on the test grid, and the training points.</summary>
    public static void FittedFunction(string path, Problem problem, float[] predictions, double testMse)
    {
        var plot = new Plot();
        double[] gridX = problem.Test.Inputs.ToArray<float>().Select(x => x * Problem.SinesInputScale).ToArray();
        double[] target = gridX.Select(Problem.Target).ToArray();
        double[] fitted = predictions.Select(p => (double)p).ToArray();
        double[] trainX = problem.Train.Inputs.ToArray<float>().Select(x => x * Problem.SinesInputScale).ToArray();
        double[] trainY = problem.Train.Targets.ToArray<float>().Select(y => (double)y).ToArray();

        // Drawn in this order: the wide pale target, the training points on it, the network's output on top.
        var truth = plot.Add.ScatterLine(gridX, target);
        truth.LegendText = "target f(x) = 3 sin(0.5x) − 2 cos(0.8x) + sin(0.75x)";
        truth.Color = Colors.C0.WithAlpha(0.45);
        truth.LineWidth = 7;

        var points = plot.Add.ScatterPoints(trainX, trainY);
        points.LegendText = $"training points ({trainX.Length})";
        points.Color = Colors.Black.WithAlpha(0.5);
        points.MarkerSize = 3;

        var fit = plot.Add.ScatterLine(gridX, fitted);
        fit.LegendText = "MLP output";
        fit.Color = Colors.C3;
        fit.LineWidth = 2;
        fit.LinePattern = LinePattern.Dashed;

        plot.Title($"{problem.Name}: fitted vs target (test MSE {testMse.ToString("G4", CultureInfo.InvariantCulture)})");
        plot.XLabel("x");
        plot.YLabel("y");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimitsX(Problem.SinesLow, Problem.SinesHigh);
        plot.SavePng(path, Width, Height);
    }
}
