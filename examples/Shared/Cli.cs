using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace Autograd.Examples;

/// <summary>A mistake on the command line or in the environment that the user can fix: one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The command line of every example, on System.CommandLine: <c>--name value</c> or <c>--name=value</c>, each option
/// at most once, a generated <c>--help</c> (also <c>-h</c>, <c>-?</c>). Any mistake (an unknown option, a missing,
/// malformed or out-of-range value, an option given twice), even next to <c>--help</c>, is one line on stderr,
/// <c>NAME: error: …</c>, and exit code 2.
/// </summary>
public static class Cli
{
    /// <summary>An integer option in [min, max]; <paramref name="fallback"/> when absent, or null for none.</summary>
    public static Option<int?> Int(string name, string description, int? fallback, int min, int max) =>
        Make<int?>(name, "N", description, fallback, text =>
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw new UsageException($"{name} expects an integer, got '{text}'");
            if (v < min || v > max) throw new UsageException($"{name} must be between {min} and {max}, got {v}");
            return v;
        });

    /// <summary>A finite number in (exclusiveMin, max]; <paramref name="fallback"/> when absent, or null for none.</summary>
    public static Option<double?> Double(string name, string helpName, string description, double? fallback, double exclusiveMin, double max) =>
        Make<double?>(name, helpName, description, fallback, text =>
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new UsageException($"{name} expects a number, got '{text}'");
            if (v <= exclusiveMin || v > max)
                throw new UsageException(max >= double.MaxValue
                    ? $"{name} must be greater than {Format(exclusiveMin)}, got {text}"
                    : $"{name} must be greater than {Format(exclusiveMin)} and at most {Format(max)}, got {text}");
            return v;
        });

    /// <summary>A finite number in [min, max) (a weight decay, a probability).</summary>
    public static Option<double?> HalfOpen(string name, string helpName, string description, double? fallback, double min, double max) =>
        Make<double?>(name, helpName, description, fallback, text =>
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new UsageException($"{name} expects a number, got '{text}'");
            if (v < min || v >= max)
                throw new UsageException(double.IsPositiveInfinity(max)
                    ? $"{name} must be at least {Format(min)}, got {text}"
                    : $"{name} must be at least {Format(min)} and less than {Format(max)}, got {text}");
            return v;
        });

    /// <summary>A random seed: a non-negative integer.</summary>
    public static Option<ulong?> Seed(string description, ulong fallback) =>
        Make<ulong?>("--seed", "N", description, fallback, text =>
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
                ? v
                : throw new UsageException($"--seed expects a non-negative integer, got '{text}'"));

    /// <summary>One of <paramref name="choices"/> (after <paramref name="normalize"/>, if given).</summary>
    public static Option<string?> Choice(string name, string description, string? fallback, string[] choices, Func<string, string>? normalize = null) =>
        Make<string?>(name, "NAME", description, fallback, text =>
        {
            string v = normalize?.Invoke(text) ?? text;
            return choices.Contains(v) ? v : throw new UsageException($"{name} must be one of {string.Join(", ", choices)}, got '{text}'");
        });

    /// <summary>Comma-separated hidden layer widths, each in [1, 65536].</summary>
    public static Option<int[]?> Widths(string name, string description, int[]? fallback) =>
        Make<int[]?>(name, "A,B,...", description, fallback, text =>
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries);
            var widths = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1 || widths[i] > 65536)
                    throw new UsageException($"{name} expects comma-separated layer widths from 1 to 65536 such as 128,64, got '{text}'");
            return widths;
        });

    /// <summary>A non-empty path (a folder or a file); null when absent.</summary>
    public static Option<string?> Path(string name, string description) =>
        Make<string?>(name, "DIR", description, null, text =>
            string.IsNullOrWhiteSpace(text) ? throw new UsageException($"{name} expects a folder path") : text);

    /// <summary>The usual <c>--output DIR</c> option, whose default is ./output/<paramref name="exampleName"/>.</summary>
    public static Option<string?> Output(string exampleName, string what = "the plots") =>
        Path("--output", $"folder for {what} (default ./output/{exampleName})");

    /// <summary>
    /// The output folder: <paramref name="given"/> if not null, else ./output/<paramref name="exampleName"/>; created if
    /// missing, returned as a full path.
    /// </summary>
    public static string OutputFolder(string? given, string exampleName)
    {
        string path = given ?? System.IO.Path.Combine("output", exampleName);
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full)) throw new UsageException($"--output '{path}' is a file, not a folder");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot create the output folder '{full}': {e.Message}");
        }
        return full;
    }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="options"/> and runs <paramref name="body"/>, or prints the
    /// generated help for --help. A parse error or a <see cref="UsageException"/> is one line on stderr and exit code 2;
    /// a failure to write a file is one line and exit code 1.
    /// </summary>
    public static int Run(string exampleName, string[] args, string description, Option[] options, Func<ParseResult, int> body)
    {
        var root = new RootCommand(description);
        for (int i = root.Options.Count - 1; i >= 0; i--)
            if (root.Options[i] is VersionOption) root.Options.RemoveAt(i);
        foreach (var option in options) root.Options.Add(option);
        // No response files: an argument starting with @ is a value like any other.
        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var result = root.Parse(args, configuration);
        try
        {
            if (result.Action is HelpAction)
            {
                // --help next to a mistake reports the mistake, as without --help.
                string[] rest = [.. args.Where(a => a is not ("--help" or "-h" or "-?" or "/h" or "/?"))];
                var check = root.Parse(rest, configuration);
                if (check.Errors.Count > 0) throw new UsageException(check.Errors[0].Message);
                return result.Invoke();
            }
            if (result.Errors.Count > 0) throw new UsageException(result.Errors[0].Message);
            return body(result);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{exampleName}: error: {OneLine(e.Message)}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{exampleName}: error: cannot write the output: {OneLine(e.Message)}");
            return 1;
        }
    }

    /// <summary>The same as <see cref="Run(string, string[], string, Option[], Func{ParseResult, int})"/> for a body that returns nothing (exit code 0).</summary>
    public static int Run(string exampleName, string[] args, string description, Option[] options, Action<ParseResult> body) =>
        Run(exampleName, args, description, options, r =>
        {
            body(r);
            return 0;
        });

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static string Format(double x) => x.ToString(CultureInfo.InvariantCulture);

    private static Option<T> Make<T>(string name, string helpName, string description, T? fallback, Func<string, T> parse)
    {
        var option = new Option<T>(name) { Description = description, HelpName = helpName, Arity = ArgumentArity.ExactlyOne };
        if (fallback is not null) option.DefaultValueFactory = _ => fallback;
        option.CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return fallback!;
            if (r.Tokens.Count > 1)
            {
                r.AddError($"{name} is given more than once");
                return default!;
            }
            try
            {
                return parse(r.Tokens[0].Value);
            }
            catch (UsageException e)
            {
                r.AddError(e.Message);
                return default!;
            }
        };
        return option;
    }
}
