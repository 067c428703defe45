using Autograd;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Metrics;
using Autograd.Nn.Optim;

namespace TrainMlp;

/// <summary>One epoch's numbers. Accuracies are null for regression (the loss is the mean squared error then).</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, double? TrainAccuracy, double TestLoss, double? TestAccuracy);

/// <summary>What training hands back: the per-epoch history and the model's predictions on the test set.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochResult> History, float[] TestPredictions, long[] PredictedClasses);

/// <summary>
/// The training loop: Adam with a cosine-annealed learning rate on mini-batches (cross-entropy for classification, mean squared error for regression),
/// then an evaluation of the whole test set after every epoch.
/// </summary>
public sealed class Trainer(Problem problem, Sequential model, int epochs, int batchSize, double learningRate, ulong seed)
{
    private const int EvalBatch = 1000;

    /// <summary>
    /// Called after every optimizer step: (epoch, batch index from 0, batches per epoch, mean loss so far this epoch,
    /// training accuracy so far this epoch or null for regression).
    /// </summary>
    public Action<int, int, int, double, double?>? OnBatch { get; init; }

    /// <summary>Called after every epoch with its numbers.</summary>
    public Action<EpochResult>? OnEpoch { get; init; }

    /// <summary>A training checkpoint to write after every epoch, or null.</summary>
    public string? SavePath { get; init; }

    /// <summary>A training checkpoint to continue from (the run must be built with the same options), or null.</summary>
    public string? ResumePath { get; init; }

    /// <summary>The last epoch to train in this process (the schedule still spans all the epochs), or null for all.</summary>
    public int? StopAfter { get; init; }

    public TrainingResult Run()
    {
        var optimizer = new Adam(model.Parameters(), lr: learningRate);
        // The learning rate follows half a cosine from lr down to 0 over the run (PyTorch's CosineAnnealingLR).
        var schedule = new CosineAnnealingLR(optimizer, tMax: epochs);
        // Each batch begins a BufferScope that lasts until the next: batches and intermediate results reuse the same arrays.
        var shuffle = new Generator(seed + 2);
        var loader = new DataLoader(problem.Train, batchSize, shuffle: true, generator: shuffle, pool: new BufferPool());
        bool classify = problem.Kind == TaskKind.Classification;
        var history = new List<EpochResult>();
        // Everything the run draws from afterwards: the shuffling generator (and the default one, always saved).
        var generators = new Dictionary<string, Generator> { ["shuffle"] = shuffle };
        int first = 1;
        if (ResumePath is { } resume) first = (int)TrainingCheckpoint.Load(resume, model, optimizer, [schedule], generators).Epoch + 1;
        for (int epoch = first; epoch <= Math.Min(epochs, StopAfter ?? epochs); epoch++)
        {
            model.Train();
            var trainLoss = new RunningMean();
            var trainAccuracy = new Accuracy();
            int batch = 0;
            foreach (var (inputs, targets) in loader)
            {
                var output = model.Forward(inputs);
                var loss = classify ? Losses.CrossEntropy(output, targets) : Losses.MseLoss(output, targets);
                optimizer.ZeroGrad(setToNone: false);   // gradients stay allocated, zeroed in place
                loss.Backward();
                optimizer.Step();

                trainLoss.Update(loss.Item(), inputs.Size(0));
                if (classify) trainAccuracy.Update(output, targets);
                OnBatch?.Invoke(epoch, batch, loader.Count, trainLoss.Compute(), classify ? trainAccuracy.Compute() : null);
                batch++;
            }
            schedule.Step();
            if (SavePath is { } save) TrainingCheckpoint.Save(save, model, optimizer, [schedule], generators, epoch: epoch);
            var (testLoss, testAccuracy, _) = Evaluate(problem.Test);
            var result = new EpochResult(epoch, trainLoss.Compute(), classify ? trainAccuracy.Compute() : null, testLoss, testAccuracy);
            history.Add(result);
            OnEpoch?.Invoke(result);
        }
        var (_, _, outputs) = Evaluate(problem.Test);
        long[] classes = classify ? outputs.ArgMax(1).ToArray<long>() : [];
        return new TrainingResult(history, outputs.ToArray<float>(), classes);
    }

    /// <summary>The mean loss, the accuracy (classification) and the outputs over a whole dataset, in evaluation mode without a tape.</summary>
    private (double Loss, double? Accuracy, Tensor Outputs) Evaluate(TensorDataset data)
    {
        model.Eval();
        bool classify = problem.Kind == TaskKind.Classification;
        using var noGrad = Autodiff.NoGrad();
        double lossSum = 0;
        var accuracy = new Accuracy();
        var outputs = new List<Tensor>();
        for (int start = 0; start < data.Count; start += EvalBatch)
        {
            int n = Math.Min(EvalBatch, data.Count - start);
            var x = data.Inputs.Slice(0, start, start + n);
            var y = data.Targets.Slice(0, start, start + n);
            var output = model.Forward(x);
            var loss = classify ? Losses.CrossEntropy(output, y, Reduction.Sum) : Losses.MseLoss(output, y, Reduction.Sum);
            lossSum += loss.Item();
            if (classify) accuracy.Update(output, y);
            outputs.Add(output);
        }
        model.Train();
        int count = data.Count;
        // Regression: the mean squared error per sample (one output each), as MseLoss with the default mean reduction.
        return (lossSum / count, classify ? accuracy.Compute() : null, Tensor.Concat(outputs.ToArray()));
    }
}
