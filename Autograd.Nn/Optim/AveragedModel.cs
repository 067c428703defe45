using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// Combines a running average with a new value (PyTorch's <c>avg_fn</c>): given the averaged tensor, the model's
/// current tensor and how many values the average holds so far, returns the new average.
/// </summary>
/// <param name="averaged">The average so far (detached).</param>
/// <param name="current">The model's value now (detached).</param>
/// <param name="numAveraged">How many values <paramref name="averaged"/> holds, at least 1.</param>
/// <returns>The new average, of <paramref name="averaged"/>'s shape.</returns>
public delegate Tensor AveragingFunction(Tensor averaged, Tensor current, long numAveraged);

/// <summary>
/// A model whose weights are an average of another model's weights over training (PyTorch's
/// <c>torch.optim.swa_utils.AveragedModel</c>): stochastic weight averaging by default, or an exponential moving
/// average with <see cref="EmaAverage"/>. Call <see cref="UpdateParameters"/> after optimizer steps, and evaluate
/// the averaged model instead of the trained one.
/// </summary>
/// <remarks>
/// PyTorch deep-copies the model; .NET cannot copy an arbitrary object graph, so the constructor takes a second
/// instance of the same architecture (the <c>copy</c> parameter of the constructor), which the averaged model owns and into which
/// it copies the model's state. Its state dictionary has PyTorch's names: <c>n_averaged</c> and the copy's entries
/// under <c>module.</c>. Unless <see cref="UseBuffers"/>, buffers (batch-norm statistics) are not averaged but kept
/// from the copy; recompute them for the averaged weights before evaluating.
/// </remarks>
/// <example>
/// <code>
/// var ema = new AveragedModel(model, BuildModel(), AveragedModel.EmaAverage(0.999));
/// foreach (var (x, y) in loader)
/// {
///     optimizer.ZeroGrad();
///     Losses.CrossEntropy(model.Forward(x), y).Backward();
///     optimizer.Step();
///     ema.UpdateParameters(model);
/// }
/// ema.Eval();
/// var logits = ema.Forward(testInputs);
/// </code>
/// </example>
public sealed class AveragedModel : Module
{
    private readonly AveragingFunction _average;

    /// <summary>Creates the averaged model from <paramref name="module"/>'s current state.</summary>
    /// <param name="module">The model being trained; its parameters and buffers are copied into <paramref name="copy"/>.</param>
    /// <param name="copy">
    /// A separate instance of the same architecture (same parameter and buffer names, shapes and dtypes), owned by the
    /// averaged model from now on.
    /// </param>
    /// <param name="averagingFunction">How to average (PyTorch's <c>avg_fn</c>); null for the equal-weight mean of <see cref="SwaAverage"/>.</param>
    /// <param name="useBuffers">Whether to average the buffers too (PyTorch's <c>use_buffers</c>), rather than keep the copy's.</param>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> or <paramref name="copy"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="copy"/> is <paramref name="module"/> itself, shares a parameter or buffer with it, or does not
    /// have its parameters and buffers (the message lists the differences).
    /// </exception>
    public AveragedModel(Module module, Module copy, AveragingFunction? averagingFunction = null, bool useBuffers = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(copy);
        var own = copy.StateDict().Values.ToHashSet(ReferenceEqualityComparer.Instance);
        if (ReferenceEquals(module, copy) || module.StateDict().Values.Any(own.Contains))
            throw new ArgumentException(
                "AveragedModel: the copy must be a separate instance of the model's architecture, sharing no parameter or buffer with it " +
                "(PyTorch deep-copies the model; build a second one).", nameof(copy));
        try
        {
            copy.LoadStateDict(module.StateDict());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"AveragedModel: the copy does not have the model's architecture: {e.Message}", nameof(copy), e);
        }
        _average = averagingFunction ?? SwaAverage;
        UseBuffers = useBuffers;
        NAveraged = RegisterBuffer("n_averaged", Tensor.Zeros([], DType.Int64));
        Module = RegisterModule("module", copy);
    }

    /// <summary>The averaged weights: the copy given to the constructor (PyTorch's <c>module</c>).</summary>
    public Module Module { get; }

    /// <summary>How many models the average holds (PyTorch's <c>n_averaged</c>): a 0-d int64 buffer, saved with the state.</summary>
    public Tensor NAveraged { get; }

    /// <summary>
    /// Whether <see cref="UpdateParameters"/> averages the buffers as well as the parameters; integer buffers (batch
    /// counters) are then averaged in float64 and truncated, as in PyTorch.
    /// </summary>
    public bool UseBuffers { get; }

    /// <summary>
    /// The equal-weight running mean of stochastic weight averaging, PyTorch's default <c>avg_fn</c>:
    /// averaged + (current − averaged) / (numAveraged + 1).
    /// </summary>
    public static AveragingFunction SwaAverage { get; } = (averaged, current, n) => averaged + (current - averaged) / (n + 1);

    /// <summary>
    /// The exponential moving average decay · averaged + (1 − decay) · current (PyTorch 2's <c>get_ema_avg_fn</c>).
    /// </summary>
    /// <param name="decay">The weight kept by the average at each update, in [0, 1]; 0.999 is common when updating every step.</param>
    /// <returns>The averaging function.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is not in [0, 1].</exception>
    public static AveragingFunction EmaAverage(double decay)
    {
        if (!(decay >= 0 && decay <= 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "AveragedModel.EmaAverage: decay must be in [0, 1].");
        return (averaged, current, _) => averaged * decay + current * (1 - decay);
    }

    /// <summary>
    /// Adds <paramref name="model"/>'s current weights to the average (PyTorch's <c>update_parameters</c>): the first
    /// call copies them, each later one combines them with the averaging function.
    /// </summary>
    /// <param name="model">The model being trained, of the same architecture as <see cref="Module"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="model"/>'s parameters (or buffers, with <see cref="UseBuffers"/>) differ in number, names,
    /// shapes or dtypes from the averaged ones; nothing is changed.
    /// </exception>
    /// <exception cref="InvalidOperationException">The averaging function returned null or a tensor of another shape; nothing is changed.</exception>
    public void UpdateParameters(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var pairs = Pairs(Module, model, UseBuffers);
        long n = NAveraged.Item<long>();
        var updated = new Tensor[pairs.Count];
        using (Autodiff.NoGrad())
        {
            for (int i = 0; i < pairs.Count; i++)
            {
                var (name, averaged, current) = pairs[i];
                var value = current.Detach();
                if (n > 0)
                {
                    // Integer buffers (batch counters) are averaged in float64 and truncated, as PyTorch's copy_ does.
                    bool integer = averaged.DType == DType.Int64;
                    value = integer
                        ? _average(averaged.Detach().To(DType.Float64), value.To(DType.Float64), n)
                        : _average(averaged.Detach(), value, n);
                    if (value is null || !value.Shape.SequenceEqual(averaged.Shape))
                        throw new InvalidOperationException(
                            $"AveragedModel.UpdateParameters: the averaging function returned {(value is null ? "null" : $"shape [{string.Join(", ", value.Shape)}]")} " +
                            $"for '{name}' of shape [{string.Join(", ", averaged.Shape)}]. Nothing was changed.");
                    value = value.To(averaged.DType);
                }
                updated[i] = value;
            }
            for (int i = 0; i < pairs.Count; i++) pairs[i].Averaged.CopyFrom(updated[i]);
        }
        NAveraged.AddInPlace(1L);
    }

    /// <summary>Runs the averaged weights: <see cref="Module"/>'s forward.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The averaged model's output.</returns>
    public override Tensor Forward(Tensor input) => Module.Call(input);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"n_averaged={NAveraged.Item<long>().ToString(CultureInfo.InvariantCulture)}";

    private static List<(string Name, Tensor Averaged, Tensor Current)> Pairs(Module averaged, Module model, bool useBuffers)
    {
        var ours = Tensors(averaged, useBuffers);
        var theirs = Tensors(model, useBuffers);
        var problems = new List<string>();
        if (ours.Count != theirs.Count)
            problems.Add($"the model has {theirs.Count} {(useBuffers ? "parameters and buffers" : "parameters")}, the averaged model {ours.Count}");
        var pairs = new List<(string, Tensor, Tensor)>(ours.Count);
        for (int i = 0; i < Math.Min(ours.Count, theirs.Count); i++)
        {
            var (name, a) = ours[i];
            var (theirName, c) = theirs[i];
            if (name != theirName)
                problems.Add($"entry {i} is '{theirName}' in the model but '{name}' in the averaged model");
            else if (!a.Shape.SequenceEqual(c.Shape))
                problems.Add($"'{name}' has shape [{string.Join(", ", c.Shape)}] in the model, [{string.Join(", ", a.Shape)}] in the averaged model");
            else if (a.DType != c.DType)
                problems.Add($"'{name}' has dtype {c.DType.Name()} in the model, {a.DType.Name()} in the averaged model");
            else
                pairs.Add((name, a, c));
        }
        if (problems.Count > 0)
            throw new ArgumentException("AveragedModel.UpdateParameters: " + string.Join("; ", problems.Take(8)) +
                                        (problems.Count > 8 ? $"; and {problems.Count - 8} more" : "") + ". Nothing was changed.", nameof(model));
        return pairs;
    }

    private static List<(string Name, Tensor Tensor)> Tensors(Module module, bool useBuffers)
    {
        var list = module.NamedParameters().Select(p => (p.Name, (Tensor)p.Parameter)).ToList();
        if (useBuffers) list.AddRange(module.NamedBuffers());
        return list;
    }
}
