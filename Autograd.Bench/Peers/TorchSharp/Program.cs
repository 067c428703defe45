// TorchSharp 0.107 (libtorch 2.10, CPU) on the workloads of Autograd.Bench's summary that issue 17 compares with
// TorchSharp beyond the shared peers: one `name value unit` line each. `Peer [threads] [seconds]`.
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2.5;
torch.set_num_threads(threads);
torch.manual_seed(7);
Console.WriteLine($"# torchsharp: {torch.get_num_threads()} threads");

// WideMlpStep in Autograd.Bench/Workloads.cs: 784-1024-1024-10 ReLU, batch 256, cross-entropy, AdamW (lr 1e-3,
// betas 0.9/0.999, eps 1e-8, weight decay 0.01), then zero_grad (checked below to zero in place, as ours does).
{
    const int Batch = 256, In = 784, Hidden = 1024, Out = 10;
    var x = rand(Batch, In);
    var y = arange(Batch, ScalarType.Int64).remainder(Out);
    var layers = new[] { (In, Hidden), (Hidden, Hidden), (Hidden, Out) }.Select(l =>
    {
        double bound = 1 / Math.Sqrt(l.Item1);
        var w = new TorchSharp.Modules.Parameter(empty(l.Item2, l.Item1).uniform_(-bound, bound));
        var b = new TorchSharp.Modules.Parameter(zeros(l.Item2));
        return (W: w, B: b);
    }).ToArray();
    var optimizer = torch.optim.AdamW(layers.SelectMany(l => new[] { l.W, l.B }), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01);
    float Step()
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = x;
        for (int i = 0; i < layers.Length; i++)
        {
            h = nn.functional.linear(h, layers[i].W, layers[i].B);
            if (i < layers.Length - 1) h = h.relu();
        }
        var loss = nn.functional.cross_entropy(h, y);
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        return loss.item<float>();
    }
    double time = Time(() => Step(), seconds, warmup: 20, warmupSeconds: 2.5);
    using (var g = layers[0].W.grad) Console.WriteLine($"# torchsharp: gradients after zero_grad: {(g is null ? "none" : g.count_nonzero().item<long>() == 0 ? "kept, zeroed" : "not zero")}");
    Console.WriteLine($"torchsharp_mlp_wide_step_us {(time * 1e6).ToString("F0", CultureInfo.InvariantCulture)} us");
}

// Summary.Time: median seconds per call over 9 runs of about seconds/9 each, after a warm-up.
static double Time(Action f, double seconds, int warmup, double warmupSeconds)
{
    const int Runs = 9;
    var sw = Stopwatch.StartNew();
    int calls = 0;
    while (calls < warmup || sw.Elapsed.TotalSeconds < warmupSeconds) { f(); calls++; }
    sw.Restart();
    calls = 0;
    while (calls < warmup || sw.Elapsed.TotalSeconds < 0.05) { f(); calls++; }
    double once = sw.Elapsed.TotalSeconds / calls;
    int reps = (int)Math.Clamp(seconds / Runs / once, 1, 1_000_000);
    var times = new List<double>();
    for (int r = 0; r < Runs; r++)
    {
        sw.Restart();
        for (int i = 0; i < reps; i++) f();
        times.Add(sw.Elapsed.TotalSeconds / reps);
    }
    times.Sort();
    return times[Runs / 2];
}
