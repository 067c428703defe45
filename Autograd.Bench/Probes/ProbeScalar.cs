namespace Autograd.Bench;

// The summary's scalar figures alone, in a few seconds, for A/B runs of two builds taken in turn: `probe-scalar [blocks]`.
// The Value and 0-d tensor chains (ScalarChain) are timed in alternating blocks, so both see the same load; each figure
// is the median over the blocks. The allocated bytes do not depend on the load.
internal static class ProbeScalar
{
    public static void Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9;
        var v = new Value(0.5);
        var x = Tensor.Scalar(0.5).RequireGrad();
        var (value, tensor, _) = Summary.Alternate(() => ScalarChain.Run(v), () => ScalarChain.Run(x), seconds: 0.1 * blocks, blocks, warmupSeconds: 1.5);
        Summary.Report("scalar_op_ns", Summary.Median(value) / ScalarChain.Ops * 1e9, "ns");
        Summary.Report("tensor0d_op_ns", Summary.Median(tensor) / ScalarChain.Ops * 1e9, "ns");
        Summary.Report("tensor0d_op_alloc_bytes", ScalarChain.AllocatedBytesPerOp(x), "bytes");
    }
}
