// What a user of the NuGet packages does: a gradient, a GradCheck, a tiny training run and a checkpoint round trip,
// each checked against a known value. Exits 1 on the first wrong value.
using Autograd;
using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Optim;

int failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    if (!ok) failures++;
}

// 1. A gradient against its closed form: y = Σ tanh(xᵢ²), dy/dxᵢ = 2xᵢ(1 − tanh²(xᵢ²)).
double[] xs = [0.5, -1.0, 2.0];
var x = Tensor.From(xs).RequireGrad();
(x * x).Tanh().Sum().Backward();
double[] grad = x.Grad!.ToArray<double>();
double worst = xs.Select((v, i) => Math.Abs(grad[i] - 2 * v * (1 - Math.Pow(Math.Tanh(v * v), 2)))).Max();
Check(worst < 1e-15, $"d/dx Σ tanh(x²) matches 2x(1 − tanh²(x²)) (max error {worst:E1})");

// 2. GradCheck on a layer: finite differences against the engine.
var w = Tensor.Normal([3, 4], new Generator(1), dtype: DType.Float64).RequireGrad();
var inputs = Tensor.Normal([5, 3], new Generator(2), dtype: DType.Float64);
var report = GradCheck.Check(t => t[1].MatMul(t[0]).Tanh().Sum(), [w, inputs]);
Check(report.Passed, "GradCheck of Σ tanh(X·W) passes");

// 3. The Autograd.Nn package README: learn y = 2x − 1 with one Linear layer and SGD.
var px = Tensor.From(new float[,] { { 0 }, { 1 }, { 2 }, { 3 } });
var py = 2 * px - 1;
var model = new Linear(1, 1, generator: new Generator(0));
var optimizer = new SGD(model.Parameters(), lr: 0.1);
double firstLoss = double.NaN, lastLoss = double.NaN;
for (int step = 0; step < 200; step++)
{
    var loss = Losses.MseLoss(model.Forward(px), py);
    optimizer.ZeroGrad();
    loss.Backward();
    if (step == 0)
    {
        // 4. The first step's gradient by hand: ∂MSE/∂w = (2/n) Σ eᵢxᵢ, ∂MSE/∂b = (2/n) Σ eᵢ, eᵢ = w·xᵢ + b − yᵢ.
        firstLoss = loss.Item();
        double w0 = model.Weight[0, 0], b0 = model.Bias![0];
        float[] fx = px.ToArray<float>(), fy = py.ToArray<float>();
        double[] e = fx.Select((v, i) => w0 * v + b0 - fy[i]).ToArray();
        double dw = 2.0 / e.Length * e.Select((ei, i) => ei * fx[i]).Sum(), db = 2.0 / e.Length * e.Sum();
        double gw = model.Weight.Grad![0, 0], gb = model.Bias.Grad![0];
        Check(Math.Abs(gw - dw) <= 1e-5 * Math.Abs(dw) && Math.Abs(gb - db) <= 1e-5 * Math.Abs(db),
              $"first step: ∂MSE/∂w = {gw:F5} (by hand {dw:F5}), ∂MSE/∂b = {gb:F5} (by hand {db:F5})");
    }
    lastLoss = loss.Item();
    optimizer.Step();
}
double weight = model.Weight[0, 0], bias = model.Bias![0];
Check(lastLoss < 1e-6 && lastLoss < firstLoss, $"training: MSE {firstLoss:G4} → {lastLoss:E2}");
Check(Math.Abs(weight - 2) < 1e-3 && Math.Abs(bias + 1) < 1e-3, $"training: weight {weight:F4} ≈ 2, bias {bias:F4} ≈ -1");

// 5. A safetensors checkpoint round trip into a layer with other weights.
string path = Path.Combine(Path.GetTempPath(), $"autograd-consumer-{Environment.ProcessId}.safetensors");
try
{
    Checkpoint.Save(model, path, new Dictionary<string, string> { ["steps"] = "200" });
    var restored = new Linear(1, 1, generator: new Generator(7));
    var metadata = Checkpoint.Load(restored, path);
    bool same = restored.Weight[0, 0] == weight && restored.Bias![0] == bias;
    Check(same && metadata["steps"] == "200", "checkpoint: weights and metadata restored");
}
finally
{
    File.Delete(path);
}

// 6. Autograd.Distributed: the world of one without a launcher; under mpirun (.ci/pack-consume runs it with -np 2 too)
// the package's Open MPI binding averages the ranks' values.
using (var group = ProcessGroup.Initialize())
{
    double mean = group.AllReduceMean(group.Rank + 1);
    var t = group.AllReduce(Tensor.From(new long[] { 1, group.Rank }));
    long[] sums = t.ToArray<long>();
    Check(mean == (group.WorldSize + 1) / 2.0 && sums[0] == group.WorldSize && sums[1] == group.WorldSize * (group.WorldSize - 1L) / 2,
          $"distributed: rank {group.Rank} of {group.WorldSize} ({group.Backend}), the mean of 1..{group.WorldSize} is {mean}");
}

Console.WriteLine(failures == 0 ? "consumer: all checks passed" : $"consumer: {failures} check(s) failed");
return failures == 0 ? 0 : 1;
