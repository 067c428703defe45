using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Autograd.Tests.Examples;

/// <summary>
/// Runs the five seed examples (examples/SumOfSines, PerceptronSvm, UniversalApproximation, CustomFunction, Micrograd)
/// as a user would (see <see cref="ExampleRunner"/>): each exits 0 with its defaults and prints its key numbers, the
/// numbers satisfy what its README claims, its PNG plots exist, a bad argument gives one line on stderr and a
/// non-zero exit code, --help works, and two runs print the same numbers.
/// </summary>
[TestFixture]
public class SeedExamplesSmokeTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The plots each example writes.</summary>
    private static readonly Dictionary<string, string[]> Plots = new()
    {
        ["SumOfSines"] = ["fit.png", "loss.png", "residuals.png"],
        ["PerceptronSvm"] = ["boundaries.png", "losses.png", "margin.png"],
        ["UniversalApproximation"] = ["approximation.png", "rectangles.png", "steps.png", "error.png"],
        ["CustomFunction"] = ["derivatives.png", "hessian.png"],
        ["Micrograd"] = ["mlp-loss.png", "neuron.png"],
    };

    private static readonly string[] Names = [.. Plots.Keys];

    // One default run per example, shared by the tests that check its claims.
    private static readonly ConcurrentDictionary<string, Lazy<Run>> DefaultRuns = new();

    private sealed record Run(ExampleRunner.Result Result, string Output)
    {
        public string StdOut => Result.StdOut;

        public override string ToString() => Result.ToString();
    }

    /// <summary>Runs the example with <paramref name="args"/> and a fresh --output folder.</summary>
    private static Run Start(string name, params string[] args)
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("autograd-seed-example-").FullName, "out");
        var result = ExampleRunner.Run(name, [.. args, "--output", output], Timeout);
        return new Run(result, output);
    }

    private static Run Default(string name) => DefaultRuns.GetOrAdd(name, n => new Lazy<Run>(() => Start(n))).Value;

    private static Run Succeeded(string name)
    {
        var run = Default(name);
        Assert.That(run.Result.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Result.StdErr, Is.Empty, run.ToString());
        return run;
    }

    private static double Number(Run run, string pattern)
    {
        var m = Regex.Match(run.StdOut, pattern, RegexOptions.Multiline);
        Assert.That(m.Success, Is.True, $"no line matching /{pattern}/\n{run}");
        return double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static double[] Numbers(Run run, string pattern) =>
        Regex.Matches(run.StdOut, pattern, RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// <c>dotnet test Autograd.sln</c> builds only test projects (the VSTest target builds a project only when
    /// IsTestProject is true), so the examples' binaries can be missing or older than their sources or than the library
    /// under test. Testing those would check old code: fail instead, saying how to build them.
    /// </summary>
    [OneTimeSetUp]
    public void TheExamplesAreBuiltFromTheCurrentSources()
    {
        var problems = new List<string>();
        foreach (var name in Names)
        {
            string dll = ExampleRunner.DllPath(name);   // throws, naming the path, when the example is not built at all
            var folder = Path.Combine(ExampleRunner.RepositoryRoot(), "examples", name);
            var newest = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                            !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                .Max(File.GetLastWriteTimeUtc);
            if (File.GetLastWriteTimeUtc(dll) < newest) problems.Add($"{name}.dll is older than its sources");
            foreach (var library in new[] { "Autograd.Core.dll", "Autograd.Nn.dll" })
            {
                string used = Path.Combine(Path.GetDirectoryName(dll)!, library);
                string tested = Path.Combine(TestContext.CurrentContext.TestDirectory, library);
                if (!File.Exists(used) || !File.ReadAllBytes(used).AsSpan().SequenceEqual(File.ReadAllBytes(tested)))
                    problems.Add($"{name} runs a different {library} than the tests");
            }
        }
        if (problems.Count > 0)
            Assert.Fail($"The examples are not built from the current sources ({string.Join("; ", problems)}). `dotnet test` builds only " +
                        "test projects: run `dotnet build Autograd.sln -c Release` (or the test's configuration) before `dotnet test`.");
    }

    private static void AssertPng(string path)
    {
        Assert.That(File.Exists(path), Is.True, $"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes, Has.Length.GreaterThan(1000), $"{path} is too small to hold a plot");
        Assert.That(bytes.Take(8).ToArray(), Is.EqualTo(PngSignature), $"{path} does not start with the PNG signature");
    }

    [TestCaseSource(nameof(Names))]
    public void Defaults_ExitZero_AndWriteThePlotsIntoThePrintedFolder(string name)
    {
        var run = Succeeded(name);
        var m = Regex.Match(run.StdOut, @"^plots written to (.+): (.+?)\r?$", RegexOptions.Multiline);
        Assert.That(m.Success, Is.True, "no 'plots written to' line\n" + run);
        Assert.That(m.Groups[1].Value, Is.EqualTo(run.Output), run.ToString());
        Assert.That(m.Groups[2].Value.Split(", "), Is.EquivalentTo(Plots[name]), run.ToString());
        foreach (var png in Plots[name]) AssertPng(Path.Combine(run.Output, png));
    }

    [Test]
    public void SumOfSines_BothFitsEndBelowTheStatedMse()
    {
        var run = Succeeded("SumOfSines");
        Assert.That(run.StdOut, Does.Contain("3 sin(0.5x) - 2 cos(0.8x) + sin(0.75x)"), run.ToString());
        Assert.That(run.StdOut, Does.Match(@"(?m)^  a = \[(-?\d+\.\d{4}, ){4}-?\d+\.\d{4}\]\r?$"), run.ToString());
        double sines = Number(run, @"^final MSE \(sum of sines\): (\S+)\r?$");
        double mlp = Number(run, @"^final MSE \(MLP\): (\S+)\r?$");
        // The README's claim: both below 1e-3 (the target's variance is 7.84), far below the starting MSE of ~8.
        Assert.That(sines, Is.LessThan(1e-3), run.ToString());
        Assert.That(mlp, Is.LessThan(1e-3), run.ToString());
        var mses = Numbers(run, @"^  step +\d+  MSE (\S+)\r?$");
        Assert.That(mses, Has.Length.GreaterThanOrEqualTo(4), run.ToString());
        Assert.That(mses[0], Is.GreaterThan(1), run.ToString());
    }

    [Test]
    public void PerceptronSvm_AllThreeSeparateTheData_AndTheSvmHasTheWidestMargin()
    {
        var run = Succeeded("PerceptronSvm");
        foreach (var method in new[] { "(a) perceptron, eq. 1.4", "(b) perceptron criterion, eq. 1.8", "(c) hinge loss" })
            Assert.That(run.StdOut, Does.Contain(method), run.ToString());
        var accuracies = Numbers(run, @"training accuracy (\d+\.\d)%");
        Assert.That(accuracies, Is.EqualTo(new[] { 100.0, 100.0, 100.0 }), run.ToString());
        var margins = Numbers(run, @"geometric margin (-?\d+\.\d+)\r?$");
        Assert.That(margins, Has.Length.EqualTo(3), run.ToString());
        Assert.That(margins[2], Is.GreaterThan(margins[0]).And.GreaterThan(margins[1]).And.GreaterThanOrEqualTo(0.3), run.ToString());
        Assert.That(run.StdOut, Does.Contain("to reach loss 0"), run.ToString());
    }

    [Test]
    public void UniversalApproximation_TrainedNetworkIsClose_AndTheConstructionsErrorShrinksLikeOneOverN()
    {
        var run = Succeeded("UniversalApproximation");
        double trained = Number(run, @"^max error: trained network \(\d+ sigmoids\) (\d+\.\d+), construction");
        double construction = Number(run, @"^max error: trained network .*, construction \(\d+ sigmoids\) (\d+\.\d+)\r?$");
        Assert.That(trained, Is.LessThan(0.05), run.ToString());
        Assert.That(construction, Is.GreaterThan(0).And.LessThan(1), run.ToString());

        var rows = Regex.Matches(run.StdOut, @"^ +(\d+) +(\d+) +(\d+\.\d+) +(\d+\.\d+)\r?$", RegexOptions.Multiline)
            .Select(m => (N: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                          Error: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
                          Bound: double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)))
            .ToArray();
        Assert.That(rows, Has.Length.EqualTo(7), run.ToString());
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.That(rows[i].Error, Is.LessThanOrEqualTo(rows[i].Bound), $"N = {rows[i].N}\n{run}");
            if (i == 0) continue;
            Assert.That(rows[i].N, Is.EqualTo(2 * rows[i - 1].N), run.ToString());
            // Doubling N about halves the error (1/N), never less than a third off.
            Assert.That(rows[i].Error / rows[i - 1].Error, Is.InRange(0.35, 0.6), $"N = {rows[i].N}\n{run}");
        }
    }

    [Test]
    public void CustomFunction_GradChecksPass_TheDetachedCopyFailsSecondOrder_AndHvpMatchesTheHessian()
    {
        var run = Succeeded("CustomFunction");
        string o = run.StdOut;
        Assert.That(o, Does.Contain("GradCheck.Check: GradCheck passed"), run.ToString());
        Assert.That(o, Does.Contain("GradCheck.CheckSecondOrder: GradCheck passed"), run.ToString());
        Assert.That(o, Does.Contain("GradCheck.Check (detached): GradCheck passed"), run.ToString());
        Assert.That(o, Does.Contain("GradCheck.CheckSecondOrder (detached): GradCheck FAILED"), run.ToString());
        Assert.That(Number(run, @"max \|value difference\| (\S+),"), Is.LessThan(1e-12), run.ToString());
        Assert.That(Number(run, @"max \|gradient difference\| (\S+)\r?$"), Is.LessThan(1e-12), run.ToString());
        Assert.That(Number(run, @"max \|Hvp - Hessian\.v\| = (\S+)\r?$"), Is.LessThan(1e-10), run.ToString());
        Assert.That(Number(run, @"max \|Hvp - finite differences of the gradient\| = (\S+)\r?$"), Is.LessThan(1e-4), run.ToString());
        Assert.That(Number(run, @"max \|H - H\^T\| = (\S+),"), Is.LessThan(1e-10), run.ToString());
        Assert.That(Number(run, @"max \|H\(fused\) - H\(composite\)\| = (\S+)\r?$"), Is.LessThan(1e-10), run.ToString());
        Assert.That(Number(run, @"vs closed forms: max \|difference\| (\S+)\r?$"), Is.LessThan(1e-12), run.ToString());
        // The two printed vectors agree to the printed digits.
        var hvp = Regex.Match(o, @"Functional\.Hvp\(L, theta, v\) += (\[.*\])");
        var hv = Regex.Match(o, @"Functional\.Hessian\(L\) \. v += (\[.*\])");
        Assert.That(hvp.Success && hv.Success, Is.True, run.ToString());
        Assert.That(hvp.Groups[1].Value, Is.EqualTo(hv.Groups[1].Value), run.ToString());
    }

    [Test]
    public void Micrograd_PrintsMicrogradsPublishedNumbers_TheNeuronsGradients_AndTheDotFile()
    {
        var run = Succeeded("Micrograd");
        Assert.That(Number(run, @"^   g = (\S+)"), Is.EqualTo(24.7041), run.ToString());
        Assert.That(Number(run, @"^   dg/da = (\S+)"), Is.EqualTo(138.8338), run.ToString());
        Assert.That(Number(run, @"^   dg/db = (\S+)"), Is.EqualTo(645.5773), run.ToString());
        Assert.That(run.StdOut, Does.Contain("n = 0.8814, o = 0.7071, do/dn = 1 - o^2 = 0.5000"), run.ToString());
        Assert.That(run.StdOut, Does.Contain("grads: x1 -1.5000, w1 1.0000, x2 0.5000, w2 0.0000, b 0.5000"), run.ToString());
        Assert.That(run.StdOut, Does.Contain("grads x1 -1.5000, w1 1.0000, x2 0.5000, w2 0.0000, b 0.5000"), run.ToString());
        Assert.That(Number(run, @"max \|tensor gradient - Value gradient\| = (\S+)"), Is.LessThan(1e-12), run.ToString());
        var losses = Numbers(run, @"^   step +\d+  loss (\S+)\r?$");
        Assert.That(losses, Has.Length.GreaterThanOrEqualTo(2), run.ToString());
        Assert.That(losses[^1], Is.LessThan(losses[0] / 100), run.ToString());

        string dot = Path.Combine(run.Output, "neuron.dot");
        Assert.That(File.Exists(dot), Is.True, run.ToString());
        string text = File.ReadAllText(dot);
        Assert.That(text, Does.StartWith("digraph"));
        Assert.That(text, Does.Contain("tanh").And.Contain("mul").And.Contain("grad -1.5 0.5"), text);
    }

    [TestCaseSource(nameof(Names))]
    public void Help_ExitsZero_AndShowsTheUsage(string name)
    {
        var r = ExampleRunner.Run(name, ["--help"], Timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StdOut, Does.Contain("Usage:").And.Contain("dotnet run -c Release --project examples/" + name), r.ToString());
        Assert.That(r.StdOut, Does.Contain("--output").And.Contain("--seed"), r.ToString());
        Assert.That(r.StdErr, Is.Empty, r.ToString());
    }

    private static IEnumerable<TestCaseData> BadArguments() =>
        Names.SelectMany(name => new[]
        {
            new TestCaseData(name, new[] { "--bogus" }, "Unrecognized command or argument '--bogus'"),
            new TestCaseData(name, new[] { "--seed", "minus one" }, "--seed expects a non-negative integer"),
            new TestCaseData(name, new[] { "--seed" }, "Required argument missing for option: '--seed'"),
            new TestCaseData(name, new[] { "stray" }, "Unrecognized command or argument 'stray'"),
        });

    [TestCaseSource(nameof(BadArguments))]
    public void ABadArgument_PrintsOneReadableLine_AndExitsNonZero(string name, string[] args, string message)
    {
        var r = ExampleRunner.Run(name, args, Timeout);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(1), r.ToString());
        Assert.That(lines[0], Does.StartWith(name + ": error: ").And.Contain(message), r.ToString());
        Assert.That(r.StdErr, Does.Not.Contain(" at ").And.Not.Contain("Exception"), r.ToString());
        Assert.That(r.StdOut, Is.Empty, r.ToString());
    }

    [Test]
    public void AnOutOfRangeValue_IsReportedWithTheOption()
    {
        var r = ExampleRunner.Run("SumOfSines", ["--steps", "-5"], Timeout);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo("SumOfSines: error: --steps must be between 0 and 1000000, got -5"), r.ToString());
        var file = Path.Combine(Directory.CreateTempSubdirectory("autograd-seed-example-").FullName, "not-a-folder");
        File.WriteAllText(file, "");
        r = ExampleRunner.Run("Micrograd", ["--output", file], Timeout);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.StdErr.Trim(), Does.StartWith("Micrograd: error: --output").And.EndWith("is a file, not a folder"), r.ToString());
    }

    private static IEnumerable<TestCaseData> ShortRuns() =>
    [
        new TestCaseData("SumOfSines", new[] { "--optimizer", "sgd", "--steps", "300", "--mlp-steps", "200", "--seed", "3" }),
        new TestCaseData("PerceptronSvm", new[] { "--points", "60", "--epochs", "300", "--seed", "5" }),
        new TestCaseData("UniversalApproximation", new[] { "--steps", "300", "--hidden", "8", "--rectangles", "12" }),
        new TestCaseData("CustomFunction", new[] { "--points", "3", "--seed", "2" }),
        new TestCaseData("Micrograd", new[] { "--steps", "20", "--seed", "9" }),
    ];

    [TestCaseSource(nameof(ShortRuns))]
    public void TwoRuns_PrintTheSameNumbers(string name, string[] args)
    {
        var first = Start(name, args);
        var second = Start(name, args);
        Assert.That(first.Result.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(second.Result.ExitCode, Is.EqualTo(0), second.ToString());
        // Only the output folders differ between the two runs.
        string a = first.StdOut.Replace(first.Output, "<output>"), b = second.StdOut.Replace(second.Output, "<output>");
        Assert.That(Regex.Matches(a, @"\d\.\d{3}"), Has.Count.GreaterThan(3), first.ToString());
        Assert.That(b, Is.EqualTo(a));
        foreach (var png in Plots[name]) AssertPng(Path.Combine(second.Output, png));
    }
}
