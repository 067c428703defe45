using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Autograd.Tests.Examples;

/// <summary>
/// Runs examples/FashionMnist (see <see cref="ExampleRunner"/>): without the data set it must say where the files come
/// from (the data set's repository, or the Debian package); with it (Debian's dataset-fashion-mnist), a one-epoch run on
/// 2,000 images must print the expected lines; and it trains from any folder holding the four files, plain or gzipped.
/// </summary>
[TestFixture]
public class FashionMnistSmokeTests
{
    private const string Name = "FashionMnist";
    private const string DataDirectory = "/usr/share/datasets/fashion-mnist/";
    private const string InstallHint = "sudo apt-get install dataset-fashion-mnist";
    private const string Repository = "https://github.com/zalandoresearch/fashion-mnist";

    private static bool Installed => Directory.Exists(DataDirectory);

    private static void AssertMissingDataMessage(ExampleRunner.Result r)
    {
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "expected exactly one line on stderr\n" + r);
        Assert.That(lines[0], Does.Contain(InstallHint), r.ToString());
        Assert.That(lines[0], Does.Contain(Repository).And.Contain("train-images-idx3-ubyte.gz").And.Contain("--data-dir"), r.ToString());
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

    /// <summary>
    /// Writes a small data set under Fashion-MNIST's file names into a new temp folder: image k has pixels
    /// (k * 7 + j * 13) mod 256 and label k mod 10.
    /// </summary>
    public static string WriteSmallDataSet(int train, int test, bool gzip)
    {
        var dir = Directory.CreateTempSubdirectory("autograd-small-fashion-").FullName;
        static byte[] Idx(int[] dims, byte[] payload)
        {
            var bytes = new byte[4 + 4 * dims.Length + payload.Length];
            bytes[2] = 0x08;
            bytes[3] = (byte)dims.Length;
            for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
            payload.CopyTo(bytes, 4 + 4 * dims.Length);
            return bytes;
        }
        void Write(string name, byte[] bytes)
        {
            if (!gzip)
            {
                File.WriteAllBytes(Path.Combine(dir, name), bytes);
                return;
            }
            using var file = File.Create(Path.Combine(dir, name + ".gz"));
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        byte[] Images(int n) => Enumerable.Range(0, n * 784).Select(i => (byte)((i / 784 * 7 + i % 784 * 13) % 256)).ToArray();
        byte[] Labels(int n) => Enumerable.Range(0, n).Select(k => (byte)(k % 10)).ToArray();
        Write("train-images-idx3-ubyte", Idx([train, 28, 28], Images(train)));
        Write("train-labels-idx1-ubyte", Idx([train], Labels(train)));
        Write("t10k-images-idx3-ubyte", Idx([test, 28, 28], Images(test)));
        Write("t10k-labels-idx1-ubyte", Idx([test], Labels(test)));
        return dir;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AnyFolderWithTheFourFiles_PlainOrGzipped_Trains(bool gzip)
    {
        var dir = WriteSmallDataSet(train: 120, test: 30, gzip);
        try
        {
            var r = ExampleRunner.Run(Name, ["--data-dir", dir, "--epochs", "1", "--batch-size", "40"], TimeSpan.FromMinutes(1));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            Assert.That(r.StdOut, Does.Contain($"data: 120 training / 30 test images from {dir}"), r.ToString());
            Assert.That(r.StdOut.TrimEnd(), Does.Match(@"test accuracy \d{1,3}\.\d\d%$"), r.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("--ema", "0.9")]
    [TestCase("--swa-from", "2")]
    public void TheModernModelWithAugmentationAndAnAverage_TestsTheAverage(params string[] average)
    {
        var dir = WriteSmallDataSet(train: 120, test: 30, gzip: false);
        try
        {
            var r = ExampleRunner.Run(Name, ["--data-dir", dir, "--model", "modern", "--width", "32", "--epochs", "3", "--batch-size", "40", "--shift", "1", .. average],
                TimeSpan.FromMinutes(1));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            Assert.That(r.StdOut, Does.Contain("augmentation: shifts of up to 1 pixels, left-right flips"), r.ToString());
            Assert.That(r.StdOut, Does.Contain("test: probabilities averaged over each image and its mirror image"), r.ToString());
            Assert.That(r.StdOut, Does.Contain(average[0] == "--ema" ? "test: an exponential moving average" : "test: the mean of the weights at the end of epochs 2–3"), r.ToString());
            var epochs = Regex.Matches(r.StdOut, @"(?m)^epoch (\d)/3 .*test acc \d+\.\d\d%(  averaged (\d+\.\d\d)%)?  time");
            Assert.That(epochs, Has.Count.EqualTo(3), r.ToString());
            // The EMA is tested from the first epoch on; the SWA mean from the end of epoch 2.
            Assert.That(epochs.Select(m => m.Groups[2].Success), Is.EqualTo(average[0] == "--ema" ? new[] { true, true, true } : [false, true, true]), r.ToString());
            Assert.That(r.StdOut.TrimEnd(), Does.EndWith($"test accuracy {epochs[2].Groups[3].Value}%"), "the final line reports the averaged model\n" + r);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AnInterruptedRunWithAnAverage_ResumesToTheSameBits()
    {
        var dir = WriteSmallDataSet(train: 120, test: 30, gzip: false);
        string straight = Path.Combine(dir, "straight.safetensors"), resumed = Path.Combine(dir, "resumed.safetensors");
        try
        {
            string[] options = ["--data-dir", dir, "--model", "modern", "--width", "32", "--batch-size", "40", "--epochs", "4", "--swa-from", "2", "--shift", "1"];
            var whole = ExampleRunner.Run(Name, [.. options, "--save", straight], TimeSpan.FromMinutes(1));
            Assert.That(whole.ExitCode, Is.EqualTo(0), whole.ToString());
            var half = ExampleRunner.Run(Name, [.. options, "--stop-after", "2", "--save", resumed], TimeSpan.FromMinutes(1));
            Assert.That(half.ExitCode, Is.EqualTo(0), half.ToString());
            Assert.That(Regex.Matches(half.StdOut, @"(?m)^epoch \d/4 "), Has.Count.EqualTo(2), half.ToString());
            var rest = ExampleRunner.Run(Name, [.. options, "--resume", resumed, "--save", resumed], TimeSpan.FromMinutes(1));
            Assert.That(rest.ExitCode, Is.EqualTo(0), rest.ToString());
            Assert.That(Regex.Matches(rest.StdOut, @"(?m)^epoch [34]/4 "), Has.Count.EqualTo(2), rest.ToString());

            var expected = Autograd.Nn.Checkpoints.SafeTensors.Load(straight).Tensors;
            var actual = Autograd.Nn.Checkpoints.SafeTensors.Load(resumed).Tensors;
            Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
            Assert.That(expected.Keys, Has.Some.StartsWith("model.model.").And.Some.StartsWith("model.average.module."), "the checkpoint holds the model and its average");
            foreach (var (name, t) in expected)
                Assert.That(actual[name].To(DType.Float64).ToArray<double>(), Is.EqualTo(t.To(DType.Float64).ToArray<double>()), name);
            Assert.That(rest.StdOut.TrimEnd().Split('\n')[^1], Is.EqualTo(whole.StdOut.TrimEnd().Split('\n')[^1]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void EmaAndSwaTogether_AreAUsageError()
    {
        var r = ExampleRunner.Run(Name, ["--ema", "0.99", "--swa-from", "3"], TimeSpan.FromMinutes(1));
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.StdErr, Does.Contain("--ema and --swa-from"), r.ToString());
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
