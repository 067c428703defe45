using System.Globalization;

namespace Autograd.Examples;

/// <summary>A mistake on the command line: reported as one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A small command-line parser: <c>--name value</c>, <c>--name=value</c> and <c>--help</c>. Every mistake (unknown
/// option, missing or malformed value, value out of range) throws <see cref="UsageException"/> with a readable message.
/// </summary>
public sealed class Cli
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private Cli(bool help) => Help = help;

    /// <summary>Whether --help (or -h) was given.</summary>
    public bool Help { get; }

    /// <summary>Parses <paramref name="args"/>, accepting only the options named in <paramref name="known"/> (each takes a value).</summary>
    public static Cli Parse(string[] args, params string[] known)
    {
        var cli = new Cli(args.Any(a => a is "--help" or "-h" or "-?"));
        if (cli.Help) return cli;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}' (options start with --; see --help)");
            int eq = arg.IndexOf('=');
            string name = eq >= 0 ? arg[..eq] : arg;
            if (!known.Contains(name)) throw new UsageException($"unknown option '{name}' (see --help)");
            string value;
            if (eq >= 0) value = arg[(eq + 1)..];
            else if (i + 1 < args.Length) value = args[++i];
            else throw new UsageException($"option {name} needs a value (see --help)");
            if (!cli._values.TryAdd(name, value)) throw new UsageException($"option {name} is given twice");
        }
        return cli;
    }

    /// <summary>The integer value of <paramref name="name"/> in [min, max], or <paramref name="fallback"/> when absent.</summary>
    public int Int(string name, int fallback, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"{name} expects an integer, got '{text}'");
        if (v < min || v > max) throw new UsageException($"{name} must be between {min} and {max}, got {v}");
        return v;
    }

    /// <summary>The number given for <paramref name="name"/> in (min, max], or <paramref name="fallback"/> when absent.</summary>
    public double Double(string name, double fallback, double exclusiveMin, double max)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"{name} expects a number, got '{text}'");
        if (v <= exclusiveMin || v > max)
            throw new UsageException($"{name} must be greater than {exclusiveMin.ToString(CultureInfo.InvariantCulture)} and at most {max.ToString(CultureInfo.InvariantCulture)}, got {text}");
        return v;
    }

    /// <summary>The seed given for <paramref name="name"/> (a non-negative integer), or <paramref name="fallback"/>.</summary>
    public ulong Seed(string name, ulong fallback)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
            throw new UsageException($"{name} expects a non-negative integer, got '{text}'");
        return v;
    }

    /// <summary>One of <paramref name="choices"/> for <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public string Choice(string name, string fallback, params string[] choices)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!choices.Contains(text)) throw new UsageException($"{name} must be one of {string.Join(", ", choices)}, got '{text}'");
        return text;
    }

    /// <summary>
    /// The output folder: --output if given, else ./output/<paramref name="exampleName"/>; created if missing, returned
    /// as a full path.
    /// </summary>
    public string OutputFolder(string exampleName)
    {
        string path = _values.TryGetValue("--output", out var text) ? text : Path.Combine("output", exampleName);
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("--output expects a folder path");
        string full = Path.GetFullPath(path);
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
    /// Runs an example's <paramref name="body"/>: prints <paramref name="help"/> for --help, and turns a
    /// <see cref="UsageException"/> (exit 2) or a failure to write a file (exit 1) into one line on stderr.
    /// </summary>
    public static int Run(string exampleName, string[] args, string help, string[] options, Action<Cli> body)
    {
        try
        {
            var cli = Parse(args, options);
            if (cli.Help)
            {
                Console.WriteLine(help);
                return 0;
            }
            body(cli);
            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{exampleName}: error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{exampleName}: error: cannot write the output: {e.Message}");
            return 1;
        }
    }
}
