namespace Autograd.Nn.Optim;

/// <summary>
/// Steps several schedulers of one optimizer together, in order (PyTorch's ChainedScheduler): each scales the rates
/// the previous one set, so their effects multiply. It does not step at creation.
/// </summary>
public sealed class ChainedScheduler : LRScheduler
{
    private readonly LRScheduler[] _schedulers;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="schedulers">The schedulers (at least one), all of the same optimizer.</param>
    /// <exception cref="ArgumentException">There is no scheduler, or they belong to different optimizers.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="schedulers"/> is null or holds a null.</exception>
    public ChainedScheduler(IReadOnlyList<LRScheduler> schedulers)
        : base(First(schedulers).Optimizer)
    {
        for (int i = 0; i < schedulers.Count; i++)
        {
            if (schedulers[i] is null) throw new ArgumentNullException(nameof(schedulers), $"ChainedScheduler: scheduler {i} is null.");
            if (!ReferenceEquals(schedulers[i].Optimizer, schedulers[0].Optimizer))
                throw new ArgumentException($"ChainedScheduler: schedulers 0 and {i} belong to different optimizers.", nameof(schedulers));
        }
        _schedulers = [.. schedulers];
        LastEpoch = 0;
        SetLastLearningRates(CurrentLearningRates());
    }

    private static LRScheduler First(IReadOnlyList<LRScheduler> schedulers)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        if (schedulers.Count == 0) throw new ArgumentException("ChainedScheduler: got no schedulers.", nameof(schedulers));
        return schedulers[0] ?? throw new ArgumentNullException(nameof(schedulers), "ChainedScheduler: scheduler 0 is null.");
    }

    /// <summary>The schedulers, in order.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    /// <summary>Steps every scheduler in order.</summary>
    /// <exception cref="InvalidOperationException">As a scheduler's <see cref="LRScheduler.Step"/> (the ones before it have stepped).</exception>
    public override void Step()
    {
        foreach (var s in _schedulers) s.Step();
        LastEpoch++;
        SetLastLearningRates(CurrentLearningRates());
    }

    /// <inheritdoc/>
    protected override double[] GetLearningRates() => CurrentLearningRates();

    /// <inheritdoc/>
    private protected override void SaveExtra(Dictionary<string, Tensor> state)
    {
        for (int k = 0; k < _schedulers.Length; k++)
            foreach (var (key, value) in _schedulers[k].StateDict()) state[$"schedulers.{k}.{key}"] = value;
    }

    /// <inheritdoc/>
    private protected override Action? LoadExtra(IReadOnlyDictionary<string, Tensor> state, List<string> problems, HashSet<string> consumed) =>
        LoadChildren(_schedulers, state, problems, consumed);

    internal static Action? LoadChildren(LRScheduler[] schedulers, IReadOnlyDictionary<string, Tensor> state, List<string> problems, HashSet<string> consumed)
    {
        var parts = new Dictionary<string, Tensor>[schedulers.Length];
        for (int k = 0; k < schedulers.Length; k++)
        {
            string prefix = $"schedulers.{k}.";
            parts[k] = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (key, value) in state)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                parts[k][key[prefix.Length..]] = value;
                consumed.Add(key);
            }
        }
        var snapshots = schedulers.Select(s => s.StateDict()).ToArray();
        for (int k = 0; k < schedulers.Length; k++)
        {
            try
            {
                schedulers[k].LoadStateDict(parts[k]);
            }
            catch (ArgumentException e)
            {
                problems.Add($"scheduler {k}: {e.Message}");
            }
        }
        // Loading each child is the only way to check it: put back the ones that loaded if another part failed.
        return problems.Count > 0 ? Restore(schedulers, snapshots) : null;
    }

    private static Action? Restore(LRScheduler[] schedulers, Dictionary<string, Tensor>[] snapshots)
    {
        for (int k = 0; k < schedulers.Length; k++)
        {
            try
            {
                schedulers[k].LoadStateDict(snapshots[k]);
            }
            catch (ArgumentException)
            {
                // A snapshot of a scheduler's own state always loads.
            }
        }
        return null;
    }
}
