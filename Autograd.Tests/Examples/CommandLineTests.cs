namespace Autograd.Tests.Examples;

/// <summary>
/// Every example parses its command line with the same rules (examples/Shared/Cli.cs, on System.CommandLine):
/// generated help for --help, -h and -?; a mistake is one line on stderr and exit code 2, also next to --help; an
/// option given twice is a mistake.
/// </summary>
[TestFixture]
public class CommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private static readonly string[] Names =
        ["TrainMlp", "FashionMnist", "SumOfSines", "PerceptronSvm", "UniversalApproximation", "CustomFunction", "Micrograd"];

    private static IEnumerable<TestCaseData> HelpForms() =>
        Names.SelectMany(name => new[] { "--help", "-h", "-?" }.Select(flag => new TestCaseData(name, flag)));

    [TestCaseSource(nameof(HelpForms))]
    public void EveryHelpFlag_PrintsTheGeneratedHelp_AndExitsZero(string name, string flag)
    {
        var r = ExampleRunner.Run(name, [flag], Timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StdOut, Does.Contain("Usage:").And.Contain("Options:").And.Contain("--seed <N>"), r.ToString());
        Assert.That(r.StdOut, Does.Contain("dotnet run -c Release --project examples/" + name), r.ToString());
        Assert.That(r.StdErr, Is.Empty, r.ToString());
    }

    private static IEnumerable<TestCaseData> Mistakes() =>
        Names.SelectMany(name => new[]
        {
            new TestCaseData(name, new[] { "--help", "--bogus" }, "Unrecognized command or argument '--bogus'"),
            new TestCaseData(name, new[] { "--seed", "x", "-?" }, "--seed expects a non-negative integer, got 'x'"),
            new TestCaseData(name, new[] { "--seed", "1", "--seed", "2" }, "Option '--seed' expects a single argument but 2 were provided"),
            new TestCaseData(name, new[] { "--seed=1", "--seed=1" }, "Option '--seed' expects a single argument but 2 were provided"),
            new TestCaseData(name, new[] { "--seed", "-1" }, "--seed expects a non-negative integer, got '-1'"),
            new TestCaseData(name, new[] { "@args.txt" }, "Unrecognized command or argument '@args.txt'"),
        });

    [TestCase("TrainMlp", "--lr", "-1", "--lr must be greater than 0, got -1")]
    [TestCase("FashionMnist", "--weight-decay", "-0.5", "--weight-decay must be at least 0, got -0.5")]
    [TestCase("FashionMnist", "--dropout", "1", "--dropout must be at least 0 and less than 1, got 1")]
    public void AnOutOfRangeNumber_NamesTheRange(string name, string option, string value, string message)
    {
        var r = ExampleRunner.Run(name, [option, value], Timeout);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo($"{name}: error: {message}"), r.ToString());
    }

    [TestCaseSource(nameof(Mistakes))]
    public void AMistake_IsOneLineOnStderr_AndExitCodeTwo(string name, string[] args, string message)
    {
        var r = ExampleRunner.Run(name, args, Timeout);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo($"{name}: error: {message}.").Or.EqualTo($"{name}: error: {message}"), r.ToString());
        Assert.That(r.StdOut, Is.Empty, r.ToString());
    }
}
