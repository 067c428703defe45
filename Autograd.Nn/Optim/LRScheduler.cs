using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// Base of the learning-rate schedulers (PyTorch's torch.optim.lr_scheduler.LRScheduler). The optimizer's learning
/// rate at construction is the base rate η₀ and the epoch is 0 (the rate is left as it is); each <see cref="Step"/>
/// advances the epoch and sets <see cref="Optimizer.LearningRate"/> to the scheduler's closed form at that epoch.
/// Call it once per epoch, after the optimizer's steps.
/// </summary>
/// <remarks>
/// The closed forms depend only on η₀ and the epoch, so a learning rate set on the optimizer by other code is
/// overwritten at the next <see cref="Step"/> (PyTorch's chainable forms would scale it instead).
/// </remarks>
public abstract class LRScheduler
{
    /// <summary>Records the optimizer and its current learning rate as the base rate.</summary>
    /// <param name="optimizer">The optimizer whose learning rate to schedule; its current rate is η₀.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
        LastLearningRate = BaseLearningRate;
    }

    /// <summary>The optimizer whose learning rate is scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The state-dictionary key of <see cref="LastEpoch"/>.</summary>
    public const string LastEpochKey = "last_epoch";

    /// <summary>The state-dictionary key of <see cref="BaseLearningRate"/>.</summary>
    public const string BaseLearningRateKey = "base_lr";

    /// <summary>The state-dictionary key of <see cref="LastLearningRate"/>.</summary>
    public const string LastLearningRateKey = "last_lr";

    /// <summary>The learning rate η₀ the optimizer had when the scheduler was created (or that a loaded state set).</summary>
    public double BaseLearningRate { get; private set; }

    /// <summary>The current epoch: 0 after construction, incremented by <see cref="Step"/>.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate this scheduler last computed (PyTorch's get_last_lr()); η₀ before the first step.</summary>
    public double LastLearningRate { get; private set; }

    /// <summary>
    /// Advances one epoch and sets the optimizer's learning rate to the closed form at the new epoch. The rate is
    /// computed and checked first: a step that throws changes neither the scheduler nor the optimizer.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The closed form gives a rate the optimizer cannot take (infinite, NaN or negative, e.g. an
    /// <see cref="ExponentialLR"/> with γ &gt; 1 after enough epochs), or the epoch would overflow.
    /// </exception>
    public void Step()
    {
        if (LastEpoch == int.MaxValue)
            throw new InvalidOperationException($"{GetType().Name}.Step: the epoch {LastEpoch} is the last one an int can count.");
        int epoch = LastEpoch + 1;
        double lr = LearningRateAt(epoch);
        if (!double.IsFinite(lr) || lr < 0)
            throw new InvalidOperationException(
                $"{GetType().Name}.Step: the learning rate at epoch {epoch} would be {Format(lr)} (base rate {Format(BaseLearningRate)}), " +
                "which is not a finite number >= 0. Neither the scheduler nor the optimizer was changed.");
        Optimizer.LearningRate = lr;
        LastEpoch = epoch;
        LastLearningRate = lr;
    }

    /// <summary>
    /// The scheduler's state as 0-d float64 tensors: <c>last_epoch</c>, <c>base_lr</c> and <c>last_lr</c> (as in
    /// PyTorch's <c>state_dict()</c>, one group). Hyperparameters (step size, γ, …) are constructor arguments and are
    /// not part of it.
    /// </summary>
    /// <returns>New tensors; changing them does not change the scheduler.</returns>
    public Dictionary<string, Tensor> StateDict() => new(StringComparer.Ordinal)
    {
        [LastEpochKey] = Tensor.Scalar(LastEpoch, DType.Float64),
        [BaseLearningRateKey] = Tensor.Scalar(BaseLearningRate, DType.Float64),
        [LastLearningRateKey] = Tensor.Scalar(LastLearningRate, DType.Float64),
    };

    /// <summary>
    /// Replaces the scheduler's state with <paramref name="state"/>, as produced by <see cref="StateDict"/>. Every
    /// entry is checked first — all three present, no other names, each a readable 0-d float64 tensor,
    /// <c>last_epoch</c> an integer in [0, 2³¹ − 1], the rates finite and ≥ 0 — and on any problem the scheduler is
    /// left unchanged. The optimizer's learning rate is not touched (it is part of the optimizer's state).
    /// </summary>
    /// <param name="state">The state, as <see cref="StateDict"/> gives it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry is missing, unknown or invalid; the message lists them all.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        double? Read(string key, Func<double, bool> valid, string expected)
        {
            if (!state.TryGetValue(key, out var value))
            {
                problems.Add($"missing '{key}'");
                return null;
            }
            if (value is null) problems.Add($"'{key}' is null");
            else if (value.Rank != 0) problems.Add($"'{key}' has shape [{string.Join(", ", value.Shape)}], expected a 0-d tensor");
            else if (value.DType != DType.Float64) problems.Add($"'{key}' has dtype {value.DType.Name()}, expected float64");
            else if (value.IsReleased) problems.Add($"'{key}' cannot be read: its storage went back to the pool when the BufferScope that computed it ended");
            else if (value.Item() is var v && !valid(v)) problems.Add($"'{key}' is {Format(v)}, expected {expected}");
            else return value.Item();
            return null;
        }
        var epoch = Read(LastEpochKey, v => v >= 0 && v <= int.MaxValue && Math.Floor(v) == v, "an integer epoch in [0, 2147483647]");
        var baseLr = Read(BaseLearningRateKey, v => double.IsFinite(v) && v >= 0, "a finite learning rate >= 0");
        var lastLr = Read(LastLearningRateKey, v => double.IsFinite(v) && v >= 0, "a finite learning rate >= 0");
        foreach (var key in state.Keys.Order(StringComparer.Ordinal))
            if (key is not (LastEpochKey or BaseLearningRateKey or LastLearningRateKey)) problems.Add($"unexpected '{key}'");
        if (problems.Count > 0)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: " + string.Join("; ", problems) + ". The scheduler was not changed.", nameof(state));
        LastEpoch = (int)epoch!.Value;
        BaseLearningRate = baseLr!.Value;
        LastLearningRate = lastLr!.Value;
    }

    /// <summary>The closed-form learning rate at <paramref name="epoch"/> (≥ 1), from <see cref="BaseLearningRate"/>.</summary>
    /// <param name="epoch">The epoch, ≥ 1.</param>
    /// <returns>The learning rate at <paramref name="epoch"/>.</returns>
    protected abstract double LearningRateAt(int epoch);

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

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// Decays the learning rate by <c>gamma</c> every <c>stepSize</c> epochs (PyTorch's StepLR):
/// η_e = η₀ · γ^⌊e / stepSize⌋.
/// </summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rate to schedule; its current rate is η₀.</param>
    /// <param name="stepSize">The period of the decay, in epochs (≥ 1).</param>
    /// <param name="gamma">The multiplicative factor γ (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        StepSize = CheckPositive(stepSize, "step size", nameof(stepSize));
        Gamma = CheckNonNegative(gamma, "gamma", nameof(gamma));
    }

    /// <summary>The period of the decay, in epochs.</summary>
    public int StepSize { get; }

    /// <summary>The multiplicative factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch / StepSize);
}

/// <summary>Decays the learning rate by <c>gamma</c> every epoch (PyTorch's ExponentialLR): η_e = η₀ · γ^e.</summary>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rate to schedule; its current rate is η₀.</param>
    /// <param name="gamma">The multiplicative factor γ (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public ExponentialLR(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Gamma = CheckNonNegative(gamma, "gamma", nameof(gamma));
    }

    /// <summary>The multiplicative factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch);
}

/// <summary>
/// Cosine annealing without restarts (PyTorch's CosineAnnealingLR, closed form):
/// η_e = η_min + (η₀ − η_min)·(1 + cos(π·e / T_max)) / 2. The rate reaches η_min at e = T_max and, past it, follows
/// the cosine back up (period 2·T_max), as PyTorch.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rate to schedule; its current rate is η₀.</param>
    /// <param name="tMax">The number of epochs T_max of the half period (≥ 1).</param>
    /// <param name="etaMin">The minimum learning rate η_min (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        TMax = CheckPositive(tMax, "T_max", nameof(tMax));
        EtaMin = CheckNonNegative(etaMin, "eta_min", nameof(etaMin));
    }

    /// <summary>The half period T_max, in epochs.</summary>
    public int TMax { get; }

    /// <summary>The minimum learning rate η_min.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int epoch) =>
        EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
