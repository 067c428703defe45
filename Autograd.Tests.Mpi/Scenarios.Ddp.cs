using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Mpi;

internal static partial class Scenarios
{
    // A 1024 × 256 first weight fills the first bucket (1 MB) alone, so that the others cut into buckets by the cap.
    private const int DdpIn = 1024, DdpHidden = 256, DdpOut = 5, DdpRows = 8;

    // Each rank starts from its own random weights: DistributedDataParallel must replace them with rank 0's.
    private static Sequential DdpMlp(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(DdpIn, DdpHidden, generator: g), new Tanh(), new Linear(DdpHidden, DdpHidden, generator: g), new Tanh(),
            new Linear(DdpHidden, DdpOut, generator: g));
    }

    // Rank r's micro-batch of step s, which any process can make.
    private static (Tensor X, Tensor Y) DdpBatch(ulong seed, int rank, int step)
    {
        var g = new Generator(seed * 1_000_003UL + (ulong)(rank * 10_007 + step));
        return (Tensor.Randn([DdpRows, DdpIn], g), Tensor.Randn([DdpRows, DdpOut], g));
    }

    private static Tensor DdpLoss(Module m, (Tensor X, Tensor Y) batch) => Losses.MseLoss(m.Call(batch.X), batch.Y);

    private static long Fnv(IEnumerable<Tensor> tensors)
    {
        ulong h = 14695981039346656037UL;
        foreach (var t in tensors)
            foreach (float v in t.ToArray<float>())
            {
                uint bits = BitConverter.SingleToUInt32Bits(v);
                for (int k = 0; k < 4; k++) h = (h ^ ((bits >> (8 * k)) & 0xFF)) * 1099511628211UL;
            }
        return unchecked((long)h);
    }

    /// <summary>
    /// <c>args</c>: steps, seed, bucketCapMB. Trains the MLP under DistributedDataParallel with SGD (momentum 0.9) on
    /// each rank's own micro-batches, and beside it, in this process, the single-process reference: from rank 0's initial
    /// weights, each step the gradients of every rank's micro-batch, summed in rank order and divided by the world size
    /// in float32, then the same SGD step. Checks (a) every rank's parameters are bitwise identical (an all-gathered
    /// hash); (b) with 2 ranks, every step's averaged gradients and the final parameters equal the reference bitwise;
    /// with more, every step's averaged gradient is within the rounding bound of a sum in another order (see below) of
    /// the mean the reference computes from the same parameters, and the final parameters are within 1e-4 of the
    /// reference's; prints the hash for (c).
    /// </summary>
    [Scenario("ddp-train")]
    public static void DdpTrain(ProcessGroup group, string[] args)
    {
        int steps = int.Parse(args[0]);
        ulong seed = ulong.Parse(args[1]);
        double cap = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int n = group.WorldSize;

        var model = DdpMlp(seed + (ulong)group.Rank);
        using var ddp = new DistributedDataParallel(model, group, bucketCapMB: cap);
        var opt = new SGD(ddp.Parameters(), lr: 0.05, momentum: 0.9);

        var reference = DdpMlp(seed);
        var referenceOpt = new SGD(reference.Parameters(), lr: 0.05, momentum: 0.9);
        // Follows DDP's parameters each step, to compare one step's averaging alone.
        var probe = DdpMlp(seed);

        var refParams = reference.Parameters().ToArray();
        var probeParams = probe.Parameters().ToArray();
        var ddpParams = model.Parameters().ToArray();
        Check(group, Fnv(ddpParams) == Fnv(refParams), "after construction every rank holds rank 0's initial weights");
        double worstRatio = 0;
        for (int step = 0; step < steps; step++)
        {
            using (Autodiff.NoGrad())
                for (int k = 0; k < ddpParams.Length; k++) probeParams[k].CopyFrom(ddpParams[k]);
            var probeMean = RankOrderMean(probe, probeParams, seed, n, step, out var absSum);

            opt.ZeroGrad();
            DdpLoss(ddp, DdpBatch(seed, group.Rank, step)).Backward();
            for (int k = 0; k < ddpParams.Length; k++)
            {
                var got = ddpParams[k].Grad!.ToArray<float>();
                for (int j = 0; j < got.Length; j++)
                {
                    if (n == 2)
                    {
                        if (BitConverter.SingleToInt32Bits(got[j]) != BitConverter.SingleToInt32Bits(probeMean[k][j]))
                            Check(group, false, $"step {step}: the averaged gradient of parameter {k}[{j}] is {got[j]:R}, the rank-order mean {probeMean[k][j]:R}");
                    }
                    else
                    {
                        // A sum of n terms in any order is within (n − 1)·u·Σ|g_r| of the exact sum (u = 2⁻²⁴); divided
                        // by n and rounded again (≤ u·|mean| each), two orders' means differ by at most
                        // 2·((n − 1)·u·Σ|g_r| / n + u·|mean|) plus one subnormal step (and 0.1% for terms of order u²).
                        double u = Math.Pow(2, -24);
                        double bound = 1.001 * 2 * ((n - 1) * u * absSum[k][j] / n + u * Math.Abs(probeMean[k][j])) + float.Epsilon;
                        double diff = Math.Abs((double)got[j] - probeMean[k][j]);
                        if (diff > bound) Check(group, false, $"step {step}: parameter {k}[{j}]: {got[j]:R} vs {probeMean[k][j]:R}, beyond the bound {bound:R}");
                        if (bound > 0) worstRatio = Math.Max(worstRatio, diff / bound);
                    }
                }
            }
            opt.Step();

            var mean = RankOrderMean(reference, refParams, seed, n, step, out _);
            for (int k = 0; k < refParams.Length; k++) refParams[k].Grad = Tensor.From(mean[k], refParams[k].Shape);
            referenceOpt.Step();
        }

        long hash = Fnv(ddpParams);
        var hashes = new long[n];
        group.AllGather([hash], hashes);
        Check(group, hashes.All(h => h == hash), $"every rank's parameters are bitwise identical (hashes {string.Join(", ", hashes)})");
        double maxDiff = 0;
        for (int k = 0; k < ddpParams.Length; k++)
        {
            var a = ddpParams[k].ToArray<float>();
            var b = refParams[k].ToArray<float>();
            for (int j = 0; j < a.Length; j++) maxDiff = Math.Max(maxDiff, Math.Abs((double)a[j] - b[j]));
        }
        if (n == 2) Check(group, Fnv(ddpParams) == Fnv(refParams) && maxDiff == 0, $"with 2 ranks the parameters equal the single-process reference bitwise (max difference {maxDiff:R})");
        else Check(group, maxDiff <= 1e-4, $"the parameters are within 1e-4 of the single-process reference (max difference {maxDiff:R})");
        Console.WriteLine($"rank {group.Rank}: buckets {ddp.Buckets.Count}, max difference from the reference {maxDiff:R}, worst gradient difference / bound {worstRatio:R}");
        Ok(group, $"ddp-train hash {hash:X16}");
    }

    // Every rank's micro-batch gradient at the module's current parameters, summed in rank order and divided by n in float32.
    private static float[][] RankOrderMean(Module m, Parameter[] parameters, ulong seed, int n, int step, out double[][] absSum)
    {
        float[][]? sum = null;
        absSum = parameters.Select(p => new double[p.NumElements]).ToArray();
        for (int r = 0; r < n; r++)
        {
            m.ZeroGrad();
            DdpLoss(m, DdpBatch(seed, r, step)).Backward();
            var grads = parameters.Select(p => p.Grad!.ToArray<float>()).ToArray();
            if (sum is null) sum = grads;
            else
                for (int k = 0; k < sum.Length; k++)
                    for (int j = 0; j < sum[k].Length; j++) sum[k][j] += grads[k][j];
            for (int k = 0; k < grads.Length; k++)
                for (int j = 0; j < grads[k].Length; j++) absSum[k][j] += Math.Abs(grads[k][j]);
        }
        m.ZeroGrad();
        foreach (var s in sum!)
            for (int j = 0; j < s.Length; j++) s[j] /= n;
        return sum;
    }

    /// <summary>
    /// Rank <c>args[0]</c>'s first layer takes 21 inputs instead of 20. With <c>args[1]</c> "caught", every rank catches the
    /// construction error, checks it names the parameter and the shapes, and reports ok; otherwise the error ends the job.
    /// </summary>
    [Scenario("ddp-mismatch")]
    public static void DdpMismatch(ProcessGroup group, string[] args)
    {
        int odd = int.Parse(args[0]);
        bool caught = args.Length > 1 && args[1] == "caught";
        var g = new Generator(1);
        var model = new Sequential(new Linear(group.Rank == odd ? DdpIn + 1 : DdpIn, DdpHidden, generator: g), new Tanh(), new Linear(DdpHidden, DdpOut, generator: g));
        string expected = $"DistributedDataParallel: rank {odd}'s parameter '0.weight' has shape [{DdpHidden}, {DdpIn + 1}] where rank 0's has [{DdpHidden}, {DdpIn}].";
        if (!caught)
        {
            using var failing = new DistributedDataParallel(model, group);
            Check(group, false, "the construction should have failed");
        }
        try
        {
            using var ddp = new DistributedDataParallel(model, group);
            Check(group, false, "the construction should have failed");
        }
        catch (InvalidOperationException e)
        {
            Check(group, e.Message == expected, $"the message is '{e.Message}'");
        }
        // The job goes on: every rank failed alike, no collective is left half done.
        group.Barrier();
        Ok(group, "ddp-mismatch named on every rank");
    }
}
