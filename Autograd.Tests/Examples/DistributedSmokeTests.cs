using System.Globalization;
using System.Text.RegularExpressions;
using Autograd.Tests.Distributed;

namespace Autograd.Tests.Examples;

/// <summary>
/// Runs examples/Distributed as one process (see <see cref="ExampleRunner"/>) and under <c>mpirun -np 2</c> (see
/// <see cref="MpiRunner"/>; skipped without mpirun, failed under CI) on 2,000 training images for 2 epochs: only rank 0
/// prints, and the two runs' test accuracies agree.
/// </summary>
[TestFixture]
[NonParallelizable]
public class DistributedSmokeTests
{
    private const string Name = "Distributed";
    private static readonly string[] Args = ["--limit", "2000", "--epochs", "2"];

    private static double Accuracy(string output, string what)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var matches = lines.Select(l => Regex.Match(l, @"^test accuracy (\d{1,3}\.\d\d)%$")).Where(m => m.Success).ToArray();
        Assert.That(matches, Has.Length.EqualTo(1), $"{what}: expected exactly one 'test accuracy NN.NN%' line (rank 0 alone logs)\n{output}");
        return double.Parse(matches[0].Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Test]
    public void TwoRanksUnderMpirun_ReachTheSingleProcessAccuracy()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist/")) Assert.Ignore("Fashion-MNIST is not installed: sudo apt-get install dataset-fashion-mnist");
        MpiRunner.RequireMpirun();
        var single = ExampleRunner.Run(Name, Args, TimeSpan.FromMinutes(4));
        Assert.That(single.ExitCode, Is.EqualTo(0), single.ToString());
        Assert.That(single.StdOut, Does.Contain("world: 1 rank(s) (single), global batch 128 = 1 × 128 per rank"), single.ToString());
        var two = MpiRunner.RunExample(2, Name, Args, TimeSpan.FromMinutes(4));
        Assert.That(two.ExitCode, Is.EqualTo(0), two.ToString());
        Assert.That(two.Output, Does.Contain("world: 2 rank(s) (mpi), global batch 128 = 2 × 64 per rank"), two.ToString());
        Assert.That(Regex.Matches(two.Output, @"(?m)^epoch 2/2 ").Count, Is.EqualTo(1), "rank 1 must not log\n" + two);

        // Each global batch holds the same images in both runs, but the two ranks' half-batch gradients are averaged
        // where one process sums the whole batch at once: the weights differ by float rounding, which moves at most a
        // few of the 10,000 test images across a decision boundary (0.11 points after 5 full epochs; 0.5 points = 50 images).
        double alone = Accuracy(single.StdOut, "one process"), ranks = Accuracy(two.Output, "mpirun -np 2");
        Assert.That(alone, Is.InRange(60.0, 100.0), single.ToString());
        Assert.That(ranks, Is.EqualTo(alone).Within(0.5), $"one process {alone}%, two ranks {ranks}%\n{single}\n{two}");
    }
}
