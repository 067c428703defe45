using System.Reflection;
using Autograd.Distributed;

namespace Autograd.Tests.Mpi;

/// <summary>Names a scenario method: <c>static void Name(ProcessGroup group, string[] args)</c>.</summary>
/// <param name="name">The name given on the command line.</param>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ScenarioAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>
    /// Gets a value indicating whether the scenario runs outside <see cref="ProcessGroup.Run"/>: the host calls
    /// <see cref="ProcessGroup.Initialize"/> itself, lets exceptions escape (to test the unhandled-exception path) and
    /// leaves disposing the group to the scenario.
    /// </summary>
    public bool Unwrapped { get; init; }
}

/// <summary>The scenarios, one partial file per area.</summary>
internal static partial class Scenarios
{
    public static int Run(string[] args)
    {
        var scenarios = typeof(Scenarios).GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<ScenarioAttribute>()))
            .Where(s => s.Attribute is not null)
            .ToDictionary(s => s.Attribute!.Name, s => s, StringComparer.Ordinal);
        if (args.Length == 0 || !scenarios.TryGetValue(args[0], out var scenario))
        {
            Console.Error.WriteLine($"usage: Autograd.Tests.Mpi SCENARIO [ARGS...]; scenarios: {string.Join(", ", scenarios.Keys.Order(StringComparer.Ordinal))}");
            return 2;
        }
        var rest = args[1..];
        var run = scenario.Method.CreateDelegate<Action<ProcessGroup, string[]>>();
        if (!scenario.Attribute!.Unwrapped) return ProcessGroup.Run(group => run(group, rest));
        run(ProcessGroup.Initialize(), rest); // the scenario disposes the group, or leaves it to the process exit
        return 0;
    }

    /// <summary>Throws when <paramref name="ok"/> is false; the message names the rank.</summary>
    public static void Check(ProcessGroup group, bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException($"check failed on rank {group.Rank}: {what}");
    }

    /// <summary>Prints the line the tests look for.</summary>
    public static void Ok(ProcessGroup group, string what) => Console.WriteLine($"rank {group.Rank} ok: {what}");

    /// <summary>Milliseconds since the Unix epoch, printed beside faults so that tests can time the job's end.</summary>
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
