namespace Autograd.Bench;

// The summary's scalar figures alone, in a few seconds, for A/B runs of two builds taken in turn: `probe-scalar [blocks]`.
// The Value and 0-d tensor chains (ScalarChain) are timed in alternating blocks of 0.1 s, as in the summary.
internal static class ProbeScalar
{
    public static void Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9;
        Summary.ScalarFigures(0.1 * blocks, blocks);
    }
}
