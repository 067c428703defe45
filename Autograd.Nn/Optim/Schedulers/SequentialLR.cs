namespace Autograd.Nn.Optim;

/// <summary>
/// Runs schedulers one after another, switching at milestone epochs (PyTorch's SequentialLR): before the first
/// milestone the first scheduler steps, from milestone k the (k+1)-th, which restarts at its epoch 0 (its closed
/// form there, as PyTorch's <c>step(0)</c>). At creation every group's rate is reset to its initial rate and the
/// first scheduler takes its epoch-0 step again.
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer of every scheduler.</param>
    /// <param name="schedulers">The schedulers, in order (at least one).</param>
    /// <param name="milestones">The epochs at which to switch to the next scheduler, increasing; one fewer than the schedulers.</param>
    /// <exception cref="ArgumentException">A scheduler belongs to another optimizer, or the milestones do not fit.</exception>
    /// <exception cref="ArgumentNullException">An argument is null or holds a null.</exception>
    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0) throw new ArgumentException("SequentialLR: got no schedulers.", nameof(schedulers));
        for (int i = 0; i < schedulers.Count; i++)
        {
            if (schedulers[i] is null) throw new ArgumentNullException(nameof(schedulers), $"SequentialLR: scheduler {i} is null.");
            if (!ReferenceEquals(schedulers[i].Optimizer, optimizer))
                throw new ArgumentException($"SequentialLR: scheduler {i} ({schedulers[i].GetType().Name}) belongs to another optimizer.", nameof(schedulers));
        }
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"SequentialLR: expected {schedulers.Count - 1} milestones for {schedulers.Count} schedulers, got {milestones.Count}.", nameof(milestones));
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException($"SequentialLR: the milestones must be increasing epochs >= 1, got [{string.Join(", ", milestones)}].", nameof(milestones));
        _schedulers = [.. schedulers];
        _milestones = [.. milestones];
        LastEpoch = 0;
        foreach (var g in optimizer.ParamGroups) g.OptionsMutable[Optimizer.LearningRateKey] = g.InitialLearningRate!.Value;
        foreach (var s in _schedulers) s.LastEpoch--;
        _schedulers[0].Step();
        SetLastLearningRates(_schedulers[0].GetLastLr());
    }

    /// <summary>The schedulers, in order.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    /// <summary>Advances one epoch: steps the scheduler whose turn it is (restarting it at its epoch 0 on a milestone).</summary>
    /// <exception cref="InvalidOperationException">As the stepped scheduler's <see cref="LRScheduler.Step"/>.</exception>
    public override void Step()
    {
        int epoch = LastEpoch + 1;
        int idx = _milestones.Count(m => m <= epoch);
        var scheduler = _schedulers[idx];
        if (idx > 0 && _milestones[idx - 1] == epoch) scheduler.StepTo(0, closedForm: true);
        else scheduler.Step();
        LastEpoch = epoch;
        SetLastLearningRates(scheduler.GetLastLr());
    }

    /// <inheritdoc/>
    protected override double[] GetLearningRates() => GetLastLr();

    /// <inheritdoc/>
    private protected override void SaveExtra(Dictionary<string, Tensor> state)
    {
        for (int k = 0; k < _schedulers.Length; k++)
            foreach (var (key, value) in _schedulers[k].StateDict()) state[$"schedulers.{k}.{key}"] = value;
    }

    /// <inheritdoc/>
    private protected override Action? LoadExtra(IReadOnlyDictionary<string, Tensor> state, List<string> problems, HashSet<string> consumed) =>
        ChainedScheduler.LoadChildren(_schedulers, state, problems, consumed);
}
