using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// Base of the learning-rate schedulers (PyTorch's torch.optim.lr_scheduler._LRScheduler), with PyTorch's chainable
/// semantics. At construction each parameter group's current rate becomes its <see cref="ParamGroup.InitialLearningRate"/>
/// (unless an earlier scheduler set it) and its base rate η₀; the epoch becomes 0 and the scheduler takes its epoch-0
/// step (which keeps the rate for most schedulers; <see cref="ConstantLR"/> and <see cref="LinearLR"/> scale it).
/// Each <see cref="Step"/> advances the epoch and sets every group's rate from its current rate (so two schedulers
/// on one optimizer compose, and a rate set by hand is carried on). Call it once per epoch, after the optimizer's
/// steps.
/// </summary>
/// <remarks>
/// A subclass computes the new rates in <see cref="GetLearningRates"/> from <see cref="LastEpoch"/>, the groups'
/// current rates and <see cref="BaseLearningRates"/>, and its constructor ends with <see cref="InitialStep"/>.
/// </remarks>
public abstract class LRScheduler
{
    /// <summary>The state-dictionary key of <see cref="LastEpoch"/>.</summary>
    public const string LastEpochKey = "last_epoch";

    /// <summary>The state-dictionary key of the base rates (one value per group).</summary>
    public const string BaseLearningRateKey = "base_lr";

    /// <summary>The state-dictionary key of the last rates (one value per group).</summary>
    public const string LastLearningRateKey = "last_lr";

    private double[] _baseLearningRates;
    private double[] _lastLearningRates;

    /// <summary>Records the optimizer and each group's initial rate as its base rate; the epoch is −1 until <see cref="InitialStep"/>.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var g in optimizer.ParamGroups) g.InitialLearningRate ??= g.LearningRate;
        _baseLearningRates = [.. optimizer.ParamGroups.Select(g => g.InitialLearningRate!.Value)];
        _lastLearningRates = [.. optimizer.ParamGroups.Select(g => g.LearningRate)];
        LastEpoch = -1;
    }

    /// <summary>The optimizer whose learning rates are scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The base rate η₀ of the first group (see <see cref="BaseLearningRates"/>).</summary>
    public double BaseLearningRate => _baseLearningRates[0];

    /// <summary>The base rate η₀ of each group (PyTorch's <c>base_lrs</c>): its initial rate, or what a loaded state set.</summary>
    public IReadOnlyList<double> BaseLearningRates => _baseLearningRates;

    /// <summary>The current epoch: 0 after construction, incremented by <see cref="Step"/>.</summary>
    public int LastEpoch { get; internal set; }

    /// <summary>The rate of the first group after the last step (see <see cref="GetLastLr"/>).</summary>
    public double LastLearningRate => _lastLearningRates[0];

    /// <summary>The rate of each group after the last step (PyTorch's <c>get_last_lr()</c>).</summary>
    /// <returns>A new array, one rate per parameter group.</returns>
    public double[] GetLastLr() => (double[])_lastLearningRates.Clone();

    /// <summary>The base rates, for subclasses that set them (CyclicLR, OneCycleLR).</summary>
    /// <param name="rates">One rate per group.</param>
    private protected void SetBaseLearningRates(double[] rates) => _baseLearningRates = rates;

    /// <summary>The rates of the last step, for schedulers that set them themselves.</summary>
    /// <param name="rates">One rate per group.</param>
    private protected void SetLastLearningRates(double[] rates) => _lastLearningRates = rates;

    /// <summary>The epoch-0 step every scheduler takes when created (PyTorch's <c>_initial_step</c>); call it at the end of a subclass's constructor.</summary>
    /// <exception cref="InvalidOperationException">The epoch-0 rate is not a finite number ≥ 0.</exception>
    protected void InitialStep() => Step();

    /// <summary>
    /// Advances one epoch and sets every group's rate (PyTorch's <c>step()</c>). The rates are computed and checked
    /// first: a step whose rates are not finite numbers ≥ 0 throws and changes neither the scheduler nor the rates.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A rate would be infinite, NaN or negative (e.g. an <see cref="ExponentialLR"/> with γ &gt; 1 after enough
    /// epochs), the epoch would overflow, or the schedule has ended (<see cref="OneCycleLR"/>).
    /// </exception>
    public virtual void Step()
    {
        if (LastEpoch == int.MaxValue)
            throw new InvalidOperationException($"{GetType().Name}.Step: the epoch {LastEpoch} is the last one an int can count.");
        StepTo(LastEpoch + 1, closedForm: false);
    }

    /// <summary>Sets the epoch and the rates there (the closed form if asked and there is one, else the chainable form).</summary>
    /// <param name="epoch">The new epoch.</param>
    /// <param name="closedForm">Whether to use the closed form (PyTorch's <c>step(epoch)</c>).</param>
    /// <exception cref="InvalidOperationException">A rate is not a finite number ≥ 0.</exception>
    internal virtual void StepTo(int epoch, bool closedForm)
    {
        int saved = LastEpoch;
        LastEpoch = epoch;
        double[] lrs;
        try
        {
            lrs = (closedForm ? ClosedFormLearningRates() : null) ?? GetLearningRates();
            CheckRates(lrs, epoch);
        }
        catch
        {
            LastEpoch = saved;
            throw;
        }
        Apply(lrs);
        OnApplied();
    }

    /// <summary>Called after a step's rates are checked and set (the cyclic schedulers set the momentum here).</summary>
    private protected virtual void OnApplied()
    {
    }

    /// <summary>Sets every group's rate and records them as the last rates.</summary>
    /// <param name="lrs">One rate per group, checked.</param>
    private protected void Apply(double[] lrs)
    {
        var groups = Optimizer.ParamGroups;
        for (int g = 0; g < groups.Count; g++) groups[g].OptionsMutable[Optimizer.LearningRateKey] = lrs[g];
        _lastLearningRates = [.. groups.Select(g => g.LearningRate)];
    }

    /// <summary>Throws unless every rate is a finite number ≥ 0.</summary>
    /// <param name="lrs">The rates.</param>
    /// <param name="epoch">The epoch, for the message.</param>
    /// <exception cref="InvalidOperationException">A rate is not a finite number ≥ 0.</exception>
    private protected void CheckRates(double[] lrs, int epoch)
    {
        for (int g = 0; g < lrs.Length; g++)
        {
            if (double.IsFinite(lrs[g]) && lrs[g] >= 0) continue;
            string which = lrs.Length == 1 ? "the learning rate" : $"the learning rate of group {g}";
            throw new InvalidOperationException(
                $"{GetType().Name}.Step: {which} at epoch {epoch} would be {Format(lrs[g])} (base rate {Format(_baseLearningRates[g])}), " +
                "which is not a finite number >= 0. Neither the scheduler nor the optimizer was changed.");
        }
    }

    /// <summary>
    /// The rates of every group at <see cref="LastEpoch"/> (just advanced), PyTorch's chainable <c>get_lr()</c>: usually
    /// from each group's current rate (<see cref="CurrentLearningRates"/>).
    /// </summary>
    /// <returns>One rate per group.</returns>
    protected abstract double[] GetLearningRates();

    /// <summary>The closed form at <see cref="LastEpoch"/> from the base rates (PyTorch's <c>_get_closed_form_lr</c>), or null if there is none.</summary>
    /// <returns>One rate per group, or null.</returns>
    protected virtual double[]? ClosedFormLearningRates() => null;

    /// <summary>The current rate of every group.</summary>
    /// <returns>A new array.</returns>
    protected double[] CurrentLearningRates() => [.. Optimizer.ParamGroups.Select(g => g.LearningRate)];

    /// <summary>
    /// The scheduler's state as float64 tensors: <c>last_epoch</c> (0-d), <c>base_lr</c> and <c>last_lr</c> (one value
    /// per group: 0-d for a one-group optimizer, else of shape [groups]), and what the scheduler keeps besides (e.g.
    /// <c>best</c> for <see cref="ReduceLROnPlateau"/>, <c>schedulers.{k}.…</c> for <see cref="SequentialLR"/>).
    /// Hyperparameters (step size, γ, …) are constructor arguments and are not part of it.
    /// </summary>
    /// <returns>New tensors; changing them does not change the scheduler.</returns>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [LastEpochKey] = Tensor.Scalar(LastEpoch, DType.Float64),
            [BaseLearningRateKey] = PerGroup(_baseLearningRates),
            [LastLearningRateKey] = PerGroup(_lastLearningRates),
        };
        SaveExtra(result);
        return result;
    }

    private static Tensor PerGroup(double[] values) =>
        values.Length == 1 ? Tensor.Scalar(values[0], DType.Float64) : Tensor.From((double[])values.Clone());

    /// <summary>Adds the scheduler's own entries to its state dictionary.</summary>
    /// <param name="state">The dictionary to add to.</param>
    private protected virtual void SaveExtra(Dictionary<string, Tensor> state)
    {
    }

    /// <summary>Checks the scheduler's own entries and returns the action that loads them (run only if no problem was found).</summary>
    /// <param name="state">The whole state.</param>
    /// <param name="problems">Where to add problems.</param>
    /// <param name="consumed">Where to add the keys read.</param>
    /// <returns>The action, or null.</returns>
    private protected virtual Action? LoadExtra(IReadOnlyDictionary<string, Tensor> state, List<string> problems, HashSet<string> consumed) => null;

    /// <summary>
    /// Replaces the scheduler's state with <paramref name="state"/>, as produced by <see cref="StateDict"/> of a
    /// scheduler of the same kind on an optimizer with as many groups. Every entry is checked first — all present, no
    /// other names, each a readable float64 tensor of the right shape, <c>last_epoch</c> an integer in
    /// [0, 2³¹ − 1], the rates finite and ≥ 0 — and on any problem the scheduler is left unchanged. The optimizer's
    /// rates are not touched (they are part of the optimizer's state).
    /// </summary>
    /// <param name="state">The state, as <see cref="StateDict"/> gives it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry is missing, unknown or invalid; the message lists them all.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        var consumed = new HashSet<string>(StringComparer.Ordinal) { LastEpochKey, BaseLearningRateKey, LastLearningRateKey };
        int groups = _baseLearningRates.Length;
        var epoch = ReadScalar(state, LastEpochKey, v => v >= 0 && v <= int.MaxValue && Math.Floor(v) == v, "an integer epoch in [0, 2147483647]", problems);
        var baseLr = ReadPerGroup(state, BaseLearningRateKey, groups, problems);
        var lastLr = ReadPerGroup(state, LastLearningRateKey, groups, problems);
        var extra = LoadExtra(state, problems, consumed);
        foreach (var key in state.Keys.Order(StringComparer.Ordinal))
            if (!consumed.Contains(key)) problems.Add($"unexpected '{key}'");
        if (problems.Count > 0)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: " + string.Join("; ", problems) + ". The scheduler was not changed.", nameof(state));
        LastEpoch = (int)epoch!.Value;
        _baseLearningRates = baseLr!;
        _lastLearningRates = lastLr!;
        extra?.Invoke();
    }

    /// <summary>Reads a 0-d float64 entry, adding a problem if it is missing or invalid.</summary>
    /// <param name="state">The state.</param>
    /// <param name="key">The entry.</param>
    /// <param name="valid">The check.</param>
    /// <param name="expected">What a valid value is, for the message.</param>
    /// <param name="problems">Where to add problems.</param>
    /// <returns>The value, or null.</returns>
    private protected static double? ReadScalar(IReadOnlyDictionary<string, Tensor> state, string key, Func<double, bool> valid, string expected, List<string> problems)
    {
        if (!state.TryGetValue(key, out var value))
        {
            problems.Add($"missing '{key}'");
            return null;
        }
        if (value is null) problems.Add($"'{key}' is null");
        else if (value.DType != DType.Float64) problems.Add($"'{key}' has dtype {value.DType.Name()}, expected float64");
        else if (value.Rank != 0) problems.Add($"'{key}' has shape [{string.Join(", ", value.Shape)}], expected a 0-d tensor");
        else if (value.IsReleased) problems.Add($"'{key}' cannot be read: its storage went back to the pool when the BufferScope that computed it ended");
        else if (value.Item() is var v && !valid(v)) problems.Add($"'{key}' is {Format(v)}, expected {expected}");
        else return value.Item();
        return null;
    }

    private static double[]? ReadPerGroup(IReadOnlyDictionary<string, Tensor> state, string key, int groups, List<string> problems)
    {
        if (groups == 1)
            return ReadScalar(state, key, v => double.IsFinite(v) && v >= 0, "a finite learning rate >= 0", problems) is { } one ? [one] : null;
        if (!state.TryGetValue(key, out var value))
        {
            problems.Add($"missing '{key}'");
            return null;
        }
        if (value is null) problems.Add($"'{key}' is null");
        else if (value.DType != DType.Float64) problems.Add($"'{key}' has dtype {value.DType.Name()}, expected float64");
        else if (value.Rank != 1 || value.Size(0) != groups) problems.Add($"'{key}' has shape [{string.Join(", ", value.Shape)}], expected [{groups}] (one rate per parameter group)");
        else if (value.IsReleased) problems.Add($"'{key}' cannot be read: its storage went back to the pool when the BufferScope that computed it ended");
        else
        {
            var values = value.ToArray<double>();
            var bad = values.Where(v => !(double.IsFinite(v) && v >= 0)).ToList();
            if (bad.Count == 0) return values;
            problems.Add($"'{key}' holds {Format(bad[0])}, expected finite learning rates >= 0");
        }
        return null;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this scheduler unless <paramref name="value"/> is finite and ≥ 0.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="what">What the value is, for the message (e.g. "gamma").</param>
    /// <param name="paramName">The name of the constructor parameter, for <see cref="ArgumentException.ParamName"/>.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="what"/> or <paramref name="paramName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is negative, infinite or NaN.</exception>
    private protected double CheckNonNegative(double value, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(paramName);
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentException($"{GetType().Name}: invalid {what} {Format(value)}: must be a finite number >= 0.", paramName);
        return value;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this scheduler unless 0 ≤ <paramref name="value"/> ≤ 1.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="what">What the value is, for the message.</param>
    /// <param name="paramName">The name of the constructor parameter.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is outside [0, 1] or NaN.</exception>
    private protected double CheckFraction(double value, string what, string paramName)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentException($"{GetType().Name}: invalid {what} {Format(value)}: must be in [0, 1].", paramName);
        return value;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this scheduler unless <paramref name="value"/> ≥ 1.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="what">What the value is, for the message (e.g. "step size").</param>
    /// <param name="paramName">The name of the constructor parameter, for <see cref="ArgumentException.ParamName"/>.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="what"/> or <paramref name="paramName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is less than 1.</exception>
    private protected int CheckPositive(int value, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(paramName);
        if (value < 1)
            throw new ArgumentException($"{GetType().Name}: invalid {what} {value}: must be >= 1.", paramName);
        return value;
    }

    /// <summary>One value per group: <paramref name="values"/> if given (checked to have one per group), else <paramref name="value"/> repeated.</summary>
    /// <param name="value">The value for every group.</param>
    /// <param name="values">Per-group values, or null.</param>
    /// <param name="what">What the values are, for the message.</param>
    /// <param name="paramName">The constructor parameter.</param>
    /// <returns>One value per group.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not have one value per group.</exception>
    private protected double[] PerGroupValues(double value, IReadOnlyList<double>? values, string what, string paramName)
    {
        int groups = Optimizer.ParamGroups.Count;
        if (values is null) return Enumerable.Repeat(value, groups).ToArray();
        if (values.Count != groups)
            throw new ArgumentException($"{GetType().Name}: expected {groups} values for {what} (one per parameter group), got {values.Count}.", paramName);
        return [.. values];
    }

    /// <summary>Formats a number for messages, culture-invariant and round-trippable.</summary>
    /// <param name="value">The number.</param>
    /// <returns>Its shortest round-trip text.</returns>
    private protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
