using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;

namespace Autograd.Tests.Nn;

/// <summary>
/// Resumable training: a run of 2 epochs straight and a run of 1 epoch, saved, loaded into freshly built objects and
/// trained 1 more give the same bits, with shuffling and dropout on; a checkpoint that does not fit changes nothing.
/// </summary>
public class ResumeTests
{
    private string _dir = "";

    [SetUp]
    public void CreateTempDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-resume-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed record Run(Sequential Model, Optimizer Optimizer, LRScheduler Scheduler, DataLoader Loader, Generator Shuffle)
    {
        public Dictionary<string, Generator> Generators => new() { ["shuffle"] = Shuffle };
    }

    /// <summary>Builds the run from scratch; <paramref name="seed"/> varies to show that loading overrides everything.</summary>
    private static Run Build(ulong seed)
    {
        var init = new Generator(seed);
        // Dropout without a generator draws from Generator.Default, which the checkpoint saves too.
        var model = new Sequential(new Linear(4, 16, generator: init), new ReLU(), new Dropout(0.3), new Linear(16, 3, generator: init));
        var data = new Generator(99);
        var x = Tensor.Randn([40, 4], data);
        var y = Tensor.From(Enumerable.Range(0, 40).Select(i => (long)(i % 3)).ToArray());
        var shuffle = new Generator(seed + 1);
        var loader = new DataLoader(new TensorDataset(x, y), batchSize: 8, shuffle: true, generator: shuffle);
        var optimizer = new Adam(model.Parameters(), lr: 0.01);
        return new Run(model, optimizer, new StepLR(optimizer, stepSize: 1, gamma: 0.5), loader, shuffle);
    }

    private static void TrainEpoch(Run run)
    {
        foreach (var (inputs, targets) in run.Loader)
        {
            var loss = Losses.CrossEntropy(run.Model.Forward(inputs), targets);
            run.Optimizer.ZeroGrad();
            loss.Backward();
            run.Optimizer.Step();
        }
        run.Scheduler.Step();
    }

    private static long[] Bits(Module model) =>
        model.StateDict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => kv.Value.ToArray<float>()).Select(f => (long)BitConverter.SingleToInt32Bits(f)).ToArray();

    [Test]
    public void TrainingTwoEpochsEqualsOneSavedLoadedAndOneMore_Bitwise()
    {
        Generator.ManualSeed(5);
        var straight = Build(7);
        TrainEpoch(straight);
        TrainEpoch(straight);
        var expected = Bits(straight.Model);

        Generator.ManualSeed(5);
        var first = Build(7);
        TrainEpoch(first);
        string path = Path.Combine(_dir, "run.safetensors");
        TrainingCheckpoint.Save(path, first.Model, first.Optimizer, [first.Scheduler], first.Generators, epoch: 1, step: 5,
            metadata: new Dictionary<string, string> { ["note"] = "after epoch 1" });

        // Everything fresh and differently seeded, the default generator moved on: the checkpoint restores it all.
        Generator.ManualSeed(12345);
        var resumed = Build(1000);
        var progress = TrainingCheckpoint.Load(path, resumed.Model, resumed.Optimizer, [resumed.Scheduler], resumed.Generators);
        Assert.That((progress.Epoch, progress.Step, progress.Metadata["note"]), Is.EqualTo((1L, 5L, "after epoch 1")));
        Assert.That(progress.Metadata.Keys, Is.EquivalentTo(new[] { "note" }));
        TrainEpoch(resumed);

        Assert.That(Bits(resumed.Model), Is.EqualTo(expected));
        Assert.That(resumed.Optimizer.LearningRate, Is.EqualTo(straight.Optimizer.LearningRate));
        Assert.That(Generator.Default.NextUInt64(), Is.EqualTo(PeekDefaultAfter(straight)));
    }

    // The default generator's next draw in the straight run, recomputed: both runs must leave it in the same state.
    private static ulong PeekDefaultAfter(Run _)
    {
        Generator.ManualSeed(5);
        var again = Build(7);
        TrainEpoch(again);
        TrainEpoch(again);
        return Generator.Default.NextUInt64();
    }

    [Test]
    public void ACheckpointThatDoesNotFitChangesNothing()
    {
        var saved = Build(1);
        TrainEpoch(saved);
        string path = Path.Combine(_dir, "run.safetensors");
        TrainingCheckpoint.Save(path, saved.Model, saved.Optimizer, [saved.Scheduler], saved.Generators, epoch: 1);

        // The model fits, the optimizer (SGD with momentum, not Adam) does not: the model must be restored.
        var other = Build(2);
        var sgd = new SGD(other.Model.Parameters(), lr: 0.1, momentum: 0.9);
        var weights = Bits(other.Model);
        var shuffleState = other.Shuffle.GetState().ToArray<long>();
        var defaultState = Generator.Default.GetState().ToArray<long>();
        var sgdState = sgd.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>());
        var e = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Load(path, other.Model, sgd, [other.Scheduler], other.Generators));
        Assert.That(e!.Message, Does.StartWith($"TrainingCheckpoint.Load: '{path}' does not fit: the optimizer: "));
        Assert.That(Bits(other.Model), Is.EqualTo(weights));
        Assert.That(other.Shuffle.GetState().ToArray<long>(), Is.EqualTo(shuffleState));
        Assert.That(Generator.Default.GetState().ToArray<long>(), Is.EqualTo(defaultState));
        Assert.That(sgd.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>()), Is.EqualTo(sgdState));

        e = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Load(path, other.Model, other.Optimizer));
        Assert.That(e!.Message, Does.Contain("holds model, an optimizer, 1 scheduler(s), generators [default,shuffle], but model, an optimizer, 0 scheduler(s), generators [default] were given"));

        string modelOnly = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(saved.Model, modelOnly);
        var bad = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(modelOnly, other.Model));
        Assert.That(bad!.Message, Does.Contain("is not a training checkpoint"));

        e = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Save(path, saved.Model, generators: new Dictionary<string, Generator> { ["default"] = new(1) }));
        Assert.That(e!.Message, Does.StartWith("TrainingCheckpoint.Save: the generator name 'default' is reserved"));
        e = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Save(path, saved.Model, metadata: new Dictionary<string, string> { ["autograd.epoch"] = "3" }));
        Assert.That(e!.Message, Does.StartWith("TrainingCheckpoint.Save: the metadata key 'autograd.epoch' is reserved"));
    }

    [Test]
    public void GeneratorStateContinuesTheStreamIncludingTheSpareNormal()
    {
        var g = new Generator(42);
        g.NextNormal(); // leaves a spare deviate
        var state = g.GetState();
        var expected = new[] { g.NextNormal(), g.NextNormal(), g.NextDouble() };
        var h = new Generator(7);
        h.SetState(state);
        Assert.That(new[] { h.NextNormal(), h.NextNormal(), h.NextDouble() }, Is.EqualTo(expected));
        Assert.That(h.InitialSeed, Is.EqualTo(42UL));

        var before = h.GetState().ToArray<long>();
        var e = Assert.Throws<ArgumentException>(() => h.SetState(Tensor.Zeros([7], DType.Int64)));
        Assert.That(e!.Message, Does.StartWith("Generator.SetState: the tensor holds no valid generator state"));
        e = Assert.Throws<ArgumentException>(() => h.SetState(Tensor.Zeros([6])));
        Assert.That(e!.Message, Does.StartWith("Generator.SetState: expected an int64 tensor of shape [7] from GetState; got Float32 of shape [6]"));
        Assert.That(h.GetState().ToArray<long>(), Is.EqualTo(before));
    }

    [Test]
    public void GradientAccumulationOverMicroBatchesGivesTheFullBatchGradient()
    {
        // Summing the gradients of mean losses scaled by micro/total gives the full batch's mean-loss gradient: the
        // same sum of per-sample terms, grouped differently, so equal within float rounding (float64 here: 1e-15).
        var model = new Linear(5, 3, generator: new Generator(3), dtype: DType.Float64);
        var x = Tensor.Randn([12, 5], new Generator(4), DType.Float64);
        var y = Tensor.From(Enumerable.Range(0, 12).Select(i => (long)(i % 3)).ToArray());
        Losses.CrossEntropy(model.Forward(x), y).Backward();
        var full = model.Parameters().Select(p => p.Grad!.ToArray<double>()).ToArray();
        foreach (var p in model.Parameters()) p.ZeroGrad();
        for (int start = 0; start < 12; start += 4)
            (Losses.CrossEntropy(model.Forward(x.Slice(0, start, start + 4)), y.Slice(0, start, start + 4)) * (4.0 / 12)).Backward();
        var accumulated = model.Parameters().Select(p => p.Grad!.ToArray<double>()).ToArray();
        for (int i = 0; i < full.Length; i++)
            Assert.That(accumulated[i], Is.EqualTo(full[i]).Within(1e-15));
    }
}
