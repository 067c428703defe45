using System.Text.RegularExpressions;

namespace Autograd.Tests.Examples;

/// <summary>
/// Runs examples/TrainMlp as a user would (see <see cref="ExampleRunner"/>): short trainings on the embedded digits and
/// on the lecture slides' sines, the help text, argument mistakes, and reproducibility for a fixed seed.
/// </summary>
[TestFixture]
public class TrainMlpSmokeTests
{
    private const string Name = "TrainMlp";
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ExampleRunner.Result Run(params string[] args) => ExampleRunner.Run(Name, args, TimeSpan.FromMinutes(2));

    private static string OutputFolder(ExampleRunner.Result r)
    {
        var m = Regex.Match(r.StdOut, @"^output folder: (.+)$", RegexOptions.Multiline);
        Assert.That(m.Success, Is.True, "no 'output folder:' line\n" + r);
        return m.Groups[1].Value.Trim();
    }

    private static void AssertPng(string path)
    {
        Assert.That(File.Exists(path), Is.True, $"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes.Length, Is.GreaterThan(1000), $"{path} is too small to hold a plot");
        Assert.That(bytes.Take(8).ToArray(), Is.EqualTo(PngSignature), $"{path} does not start with the PNG signature");
    }

    /// <summary>The lines that carry numbers of the deterministic part: epochs, losses, accuracies.</summary>
    private static string[] NumberLines(string stdout) => stdout.Split('\n')
        .Select(l => l.TrimEnd('\r'))
        .Where(l => l.StartsWith("epoch ", StringComparison.Ordinal) || l.Contains("loss") || l.Contains("accuracy") || l.Contains("MSE") ||
                    l.Contains('%'))
        .ToArray();

    [Test]
    public void Digits_FewEpochs_PrintsAccuracy_AndWritesThePlots()
    {
        var r = Run("--epochs", "5");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StdErr, Is.Empty, r.ToString());
        Assert.That(r.StdOut, Does.Contain("dataset: digits"), r.ToString());
        Assert.That(Regex.Matches(r.StdOut, @"^epoch +\d+/5 ", RegexOptions.Multiline), Has.Count.EqualTo(5), r.ToString());
        // Redirected output is plain: no escape codes (colours, cursor moves of a progress redraw).
        Assert.That(r.StdOut.IndexOf('\u001b'), Is.EqualTo(-1), r.ToString()); // ordinal: a culture-aware search ignores control characters

        var accuracy = Regex.Match(r.StdOut, @"^test accuracy (\d+\.\d\d)%$", RegexOptions.Multiline);
        Assert.That(accuracy.Success, Is.True, "no 'test accuracy NN.NN%' line\n" + r);
        // Five epochs are far from the ~97% of the default thirty, but well above chance (10%).
        Assert.That(double.Parse(accuracy.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(80), r.ToString());

        var folder = OutputFolder(r);
        AssertPng(Path.Combine(folder, "loss.png"));
        AssertPng(Path.Combine(folder, "confusion-matrix.png"));
    }

    [Test]
    public void Sines_TwoEpochs_PrintsTheMse_AndPlotsTheFit()
    {
        var r = Run("--dataset", "sines", "--epochs", "2");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StdOut, Does.Contain("3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x)"), r.ToString());
        Assert.That(r.StdOut, Does.Match(@"(?m)^test MSE \d\.\d{3}E[+-]\d\d\r?$"), r.ToString());
        var folder = OutputFolder(r);
        AssertPng(Path.Combine(folder, "loss.png"));
        AssertPng(Path.Combine(folder, "fit.png"));
    }

    [Test]
    public void Help_ListsTheOptions()
    {
        var r = Run("--help");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        foreach (var option in new[] { "--dataset", "--epochs", "--batch-size", "--lr", "--hidden", "--seed", "--threads", "--output", "--data-dir" })
            Assert.That(r.StdOut, Does.Contain(option), $"--help does not mention {option}\n{r}");
        Assert.That(r.StdOut, Does.Contain("digits").And.Contain("sines").And.Contain("fashion-mnist"), r.ToString());
        Assert.That(r.StdOut, Does.Contain("Usage:"), r.ToString());
    }

    [TestCase("--bogus")]
    [TestCase("--epochs", "many")]
    [TestCase("--epochs", "0")]
    [TestCase("--lr", "-1")]
    [TestCase("--hidden", "64,x")]
    [TestCase("--dataset", "cifar")]
    [TestCase("--seed")]
    [TestCase("stray")]
    [TestCase("--dataset", "fashion-mnist", "--data-dir", "/nonexistent/fashion-mnist")]
    public void AUserMistake_GivesOneReadableLine_AndAFailingExitCode(params string[] args)
    {
        var r = Run(args);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "expected exactly one line on stderr\n" + r);
        Assert.That(lines[0], Does.StartWith("TrainMlp: error: "), r.ToString());
        Assert.That(r.StdErr, Does.Not.Contain("   at "), "a stack trace leaked\n" + r);
        Assert.That(r.StdOut, Does.Not.Contain("epoch"), r.ToString());
    }

    [Test]
    public void AMissingFashionMnist_NamesTheDebianPackage()
    {
        var r = Run("--dataset", "fashion-mnist", "--data-dir", "/nonexistent/fashion-mnist");
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.StdErr, Does.Contain("sudo apt-get install dataset-fashion-mnist"), r.ToString());
        // … and where the files come from on any system.
        Assert.That(r.StdErr, Does.Contain("https://github.com/zalandoresearch/fashion-mnist").And.Contain("t10k-labels-idx1-ubyte.gz"), r.ToString());
    }

    [Test]
    public void FashionMnist_FromAnyFolderWithTheFourFiles_PrintsItsSizes()
    {
        var dir = FashionMnistSmokeTests.WriteSmallDataSet(train: 100, test: 20, gzip: true);
        try
        {
            var r = Run("--dataset", "fashion-mnist", "--data-dir", dir, "--epochs", "1");
            Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            Assert.That(r.StdOut, Does.Contain("dataset: fashion-mnist (28x28 clothing images: 100 training / 20 test images)"), r.ToString());
            Assert.That(r.StdOut, Does.Match(@"(?m)^test accuracy \d+\.\d\d%\r?$"), r.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void TheSameSeed_PrintsTheSameNumbers_WhateverTheThreadCount()
    {
        var first = Run("--epochs", "3", "--seed", "7");
        var second = Run("--epochs", "3", "--seed", "7", "--threads", "1");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        var a = NumberLines(first.StdOut);
        Assert.That(a, Has.Length.GreaterThanOrEqualTo(5), first.ToString());
        Assert.That(NumberLines(second.StdOut), Is.EqualTo(a), $"the same seed printed different numbers\n{first}\n{second}");

        var other = Run("--epochs", "3", "--seed", "8");
        Assert.That(NumberLines(other.StdOut), Is.Not.EqualTo(a), "a different seed should change the numbers\n" + other);
    }

    [Test]
    public void ResumingInANewProcessGivesTheSameWeightsAsAnUninterruptedRun_Bitwise()
    {
        string dir = Path.Combine(Path.GetTempPath(), "autograd-trainmlp-resume-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string straight = Path.Combine(dir, "straight.safetensors"), half = Path.Combine(dir, "half.safetensors"), resumed = Path.Combine(dir, "resumed.safetensors");
            var a = Run("--epochs", "4", "--save", straight, "--output", dir);
            Assert.That(a.ExitCode, Is.EqualTo(0), a.ToString());
            var b = Run("--epochs", "4", "--stop-after", "2", "--save", half, "--output", dir);
            Assert.That(b.ExitCode, Is.EqualTo(0), b.ToString());
            Assert.That(Regex.Matches(b.StdOut, @"^epoch +\d+/4 ", RegexOptions.Multiline), Has.Count.EqualTo(2), b.ToString());
            var c = Run("--epochs", "4", "--resume", half, "--save", resumed, "--output", dir);
            Assert.That(c.ExitCode, Is.EqualTo(0), c.ToString());
            Assert.That(Regex.Matches(c.StdOut, @"^epoch +[34]/4 ", RegexOptions.Multiline), Has.Count.EqualTo(2), c.ToString());

            var expected = Autograd.Nn.Checkpoints.SafeTensors.Load(straight).Tensors;
            var actual = Autograd.Nn.Checkpoints.SafeTensors.Load(resumed).Tensors;
            Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
            foreach (var (name, t) in expected)
                Assert.That(actual[name].ToArray<double>(), Is.EqualTo(t.ToArray<double>()), name);
            Assert.That(NumberLines(c.StdOut).Last(), Is.EqualTo(NumberLines(a.StdOut).Last()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
