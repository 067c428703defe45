using System.Text.RegularExpressions;

namespace Autograd.Tests.Examples;

/// <summary>
/// Runs examples/FashionMnist (see <see cref="ExampleRunner"/>): without the data set it must name the Debian package;
/// with it (Debian's dataset-fashion-mnist), a one-epoch run on 2,000 images must print the expected lines.
/// </summary>
[TestFixture]
public class FashionMnistSmokeTests
{
    private const string Name = "FashionMnist";
    private const string DataDirectory = "/usr/share/datasets/fashion-mnist/";
    private const string InstallHint = "sudo apt-get install dataset-fashion-mnist";

    private static bool Installed => Directory.Exists(DataDirectory);

    private static void AssertMissingDataMessage(ExampleRunner.Result r)
    {
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "expected exactly one line on stderr\n" + r);
        Assert.That(lines[0], Does.Contain(InstallHint), r.ToString());
        Assert.That(r.StdErr, Does.Not.Contain("   at "), "a stack trace leaked\n" + r);
        Assert.That(r.StdOut, Does.Not.Contain("test accuracy"), r.ToString());
    }

    [Test]
    public void WithTheDataSet_OneShortEpoch_PrintsEpochTimeAndTheFinalLine()
    {
        if (!Installed)
        {
            // The default location is absent: the example must say how to install the data set.
            AssertMissingDataMessage(ExampleRunner.Run(Name, ["--limit", "2000", "--epochs", "1"], TimeSpan.FromMinutes(2)));
            Assert.Pass($"{DataDirectory} is absent: checked the install message instead of training.");
        }
        var r = ExampleRunner.Run(Name, ["--limit", "2000", "--epochs", "1"], TimeSpan.FromMinutes(3));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StdErr, Is.Empty, r.ToString());
        Assert.That(r.StdOut, Does.Contain("data: 2000 training / 10000 test images"), r.ToString());
        Assert.That(r.StdOut, Does.Match(@"(?m)^epoch 1/1  loss \d+\.\d{4}  train acc \d+\.\d\d%  test acc \d+\.\d\d%  time \d+\.\d s\r?$"), r.ToString());
        Assert.That(r.StdOut, Does.Match(@"(?m)^mean time per epoch \d+\.\d s"), r.ToString());

        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var last = Regex.Match(lines[^1], @"^test accuracy (\d{1,3}\.\d\d)%$");
        Assert.That(last.Success, Is.True, "the last line must read exactly 'test accuracy NN.NN%'\n" + r);
        // One epoch on 2,000 images: far below the full run's ~90%, far above chance (10%).
        Assert.That(double.Parse(last.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(40.0, 100.0), r.ToString());
    }

    [Test]
    public void AMissingDataSet_NamesTheInstallCommand()
    {
        AssertMissingDataMessage(ExampleRunner.Run(Name, ["--data-dir", "/nonexistent/fashion-mnist", "--epochs", "1"], TimeSpan.FromMinutes(1)));
    }

    [Test]
    public void AFolderWithoutTheFiles_NamesTheInstallCommand()
    {
        var empty = Directory.CreateTempSubdirectory("autograd-no-fashion-").FullName;
        try
        {
            AssertMissingDataMessage(ExampleRunner.Run(Name, ["--data-dir", empty, "--epochs", "1"], TimeSpan.FromMinutes(1)));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [TestCase("--bogus")]
    [TestCase("--epochs", "zero")]
    [TestCase("--limit", "-5")]
    public void AUserMistake_GivesOneLine_AndAFailingExitCode(params string[] args)
    {
        var r = ExampleRunner.Run(Name, args, TimeSpan.FromMinutes(1));
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.StdErr, Does.StartWith("FashionMnist: error: ").And.Not.Contain("   at "), r.ToString());
    }

    [Test]
    public void Help_ListsTheOptions()
    {
        var r = ExampleRunner.Run(Name, ["--help"], TimeSpan.FromMinutes(1));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        foreach (var option in new[] { "--epochs", "--batch-size", "--lr", "--seed", "--data-dir", "--limit" })
            Assert.That(r.StdOut, Does.Contain(option), $"--help does not mention {option}\n{r}");
    }
}
