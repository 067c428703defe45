using System.Globalization;
using Autograd.Nn.Optim;

namespace Autograd.Nn.Checkpoints;

/// <summary>Where a resumed run continues, and the metadata saved with it.</summary>
public sealed class TrainingProgress
{
    /// <summary>Creates the progress record.</summary>
    /// <param name="epoch">The epoch count saved.</param>
    /// <param name="step">The step count saved.</param>
    /// <param name="metadata">The user metadata saved.</param>
    /// <exception cref="ArgumentNullException"><paramref name="metadata"/> is null.</exception>
    public TrainingProgress(long epoch, long step, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        (Epoch, Step, Metadata) = (epoch, step, metadata);
    }

    /// <summary>The epoch count saved (for example, the number of epochs finished).</summary>
    public long Epoch { get; }

    /// <summary>The optimizer step count saved.</summary>
    public long Step { get; }

    /// <summary>The user metadata saved (without the checkpoint's own <c>autograd.*</c> entries).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}

/// <summary>
/// Everything a training run needs to continue exactly, in one safetensors file written atomically: the model's state
/// dict, the optimizer's, each scheduler's, the state of every generator given and of <see cref="Generator.Default"/>,
/// the epoch and step, and user metadata (PyTorch's usual
/// <c>torch.save({"model": …, "optimizer": …, "scheduler": …, "epoch": …, "rng": …})</c>).
/// </summary>
/// <remarks>
/// <para>
/// Resuming is exact: training N epochs, saving, loading into freshly built objects (in this process or another) and
/// training M more gives the same bits as training N + M epochs straight, provided every source of randomness the
/// run draws from (the data loader's shuffling generator, dropout's, <see cref="Generator.Default"/>) is saved.
/// </para>
/// <para>
/// Tensor names are <c>model.*</c>, <c>optimizer.*</c>, <c>scheduler.{i}.*</c> and <c>generator.{name}</c>; the metadata
/// holds the epoch and step under <c>autograd.epoch</c> and <c>autograd.step</c>. <see cref="Load"/> checks that the file
/// holds exactly the parts given, then loads every part; if any part does not fit, everything already loaded is
/// restored and nothing changes.
/// </para>
/// </remarks>
public static class TrainingCheckpoint
{
    private const string DefaultGeneratorName = "default";
    private const string KindKey = "autograd.kind";
    private const string Kind = "training-checkpoint";
    private const string EpochKey = "autograd.epoch";
    private const string StepKey = "autograd.step";
    private const string PartsKey = "autograd.parts";

    /// <summary>Writes a training checkpoint to <paramref name="path"/>, atomically (an existing file is replaced whole or not at all).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer, or null.</param>
    /// <param name="schedulers">The learning-rate schedulers, in a fixed order, or null.</param>
    /// <param name="generators">
    /// The generators the run draws from, by name (for example <c>"shuffle"</c>, <c>"dropout"</c>); the default
    /// generator is always saved, as <c>"default"</c>, which is therefore reserved.
    /// </param>
    /// <param name="epoch">The epoch count to save.</param>
    /// <param name="step">The step count to save.</param>
    /// <param name="metadata">User metadata; keys starting with <c>autograd.</c> are reserved.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="model"/> is null, or an entry is null.</exception>
    /// <exception cref="ArgumentException">A reserved generator name or metadata key, or a negative epoch or step.</exception>
    /// <exception cref="IOException">Writing failed; an existing file is unchanged.</exception>
    public static void Save(string path, Module model, Optimizer? optimizer = null, IReadOnlyList<LRScheduler>? schedulers = null,
        IReadOnlyDictionary<string, Generator>? generators = null, long epoch = 0, long step = 0,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        if (epoch < 0 || step < 0)
            throw new ArgumentException($"TrainingCheckpoint.Save: epoch ({epoch}) and step ({step}) must be non-negative.", epoch < 0 ? nameof(epoch) : nameof(step));
        var named = Generators(generators, "Save");
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
            foreach (var (key, value) in metadata)
            {
                if (key.StartsWith("autograd.", StringComparison.Ordinal))
                    throw new ArgumentException($"TrainingCheckpoint.Save: the metadata key '{key}' is reserved (keys starting with 'autograd.').", nameof(metadata));
                meta[key] = value;
            }
        meta[KindKey] = Kind;
        meta[EpochKey] = epoch.ToString(CultureInfo.InvariantCulture);
        meta[StepKey] = step.ToString(CultureInfo.InvariantCulture);
        meta[PartsKey] = Parts(optimizer, schedulers, named);

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in model.StateDict()) tensors["model." + name] = t;
        if (optimizer is not null)
            foreach (var (name, t) in optimizer.StateDict()) tensors["optimizer." + name] = t;
        for (int i = 0; i < (schedulers?.Count ?? 0); i++)
        {
            var s = schedulers![i] ?? throw new ArgumentNullException(nameof(schedulers), $"TrainingCheckpoint.Save: scheduler {i} is null.");
            foreach (var (name, t) in s.StateDict()) tensors[$"scheduler.{i}.{name}"] = t;
        }
        foreach (var (name, g) in named) tensors["generator." + name] = g.GetState();
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Reads a training checkpoint into freshly built (or running) objects. The file must hold exactly the parts given
    /// (an optimizer if one is given, as many schedulers, the same generator names); every part is checked by its own
    /// <c>LoadStateDict</c>, and if one fails, the parts loaded before it are restored, so nothing changes.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer, or null if none was saved.</param>
    /// <param name="schedulers">The schedulers, in the order saved, or null if none were.</param>
    /// <param name="generators">The generators saved, by the same names; the default generator is always restored.</param>
    /// <returns>The epoch, step and user metadata saved.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, or is not a training checkpoint.</exception>
    /// <exception cref="ArgumentException">The parts given differ from those saved, or a part does not fit; nothing changed.</exception>
    public static TrainingProgress Load(string path, Module model, Optimizer? optimizer = null, IReadOnlyList<LRScheduler>? schedulers = null,
        IReadOnlyDictionary<string, Generator>? generators = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        var named = Generators(generators, "Load");
        var (tensors, metadata) = SafeTensors.Load(path);
        if (!metadata.TryGetValue(KindKey, out var kind) || kind != Kind || !metadata.TryGetValue(PartsKey, out var savedParts)
            || !long.TryParse(metadata.GetValueOrDefault(EpochKey), NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
            || !long.TryParse(metadata.GetValueOrDefault(StepKey), NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            throw new InvalidDataException($"TrainingCheckpoint.Load: '{path}' is not a training checkpoint (a model-only file loads with Checkpoint.Load).");
        string given = Parts(optimizer, schedulers, named);
        if (savedParts != given)
            throw new ArgumentException(
                $"TrainingCheckpoint.Load: '{path}' holds {savedParts}, but {given} were given; pass the same parts that were saved. Nothing was changed.");

        var undo = new List<Action>();
        try
        {
            LoadPart("model", model.StateDict(), s => model.LoadStateDict(s), tensors, "model.", undo);
            if (optimizer is not null) LoadPart("optimizer", optimizer.StateDict(), optimizer.LoadStateDict, tensors, "optimizer.", undo);
            for (int i = 0; i < (schedulers?.Count ?? 0); i++)
            {
                var s = schedulers![i] ?? throw new ArgumentNullException(nameof(schedulers), $"TrainingCheckpoint.Load: scheduler {i} is null.");
                LoadPart($"scheduler {i}", s.StateDict(), s.LoadStateDict, tensors, $"scheduler.{i}.", undo);
            }
            foreach (var (name, g) in named)
            {
                var before = g.GetState();
                if (!tensors.TryGetValue("generator." + name, out var state))
                    throw new ArgumentException($"generator '{name}' is missing");
                g.SetState(state);
                undo.Add(() => g.SetState(before));
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            for (int i = undo.Count - 1; i >= 0; i--) undo[i]();
            throw new ArgumentException($"TrainingCheckpoint.Load: '{path}' does not fit: {e.Message} Nothing was changed.", e);
        }
        var user = metadata.Where(kv => !kv.Key.StartsWith("autograd.", StringComparison.Ordinal) && kv.Key != "format")
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new TrainingProgress(epoch, step, user);
    }

    private static void LoadPart(string part, Dictionary<string, Tensor> current, Action<IReadOnlyDictionary<string, Tensor>> load,
        Dictionary<string, Tensor> tensors, string prefix, List<Action> undo)
    {
        // The current state, copied, to put back if a later part fails.
        Dictionary<string, Tensor> before;
        using (Autodiff.NoGrad()) before = current.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);
        var mine = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        try
        {
            load(mine);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"the {part}: {e.Message}", e);
        }
        undo.Add(() => load(before));
    }

    private static List<(string Name, Generator Generator)> Generators(IReadOnlyDictionary<string, Generator>? generators, string op)
    {
        var result = new List<(string, Generator)> { (DefaultGeneratorName, Generator.Default) };
        if (generators is null) return result;
        foreach (var (name, g) in generators.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (name == DefaultGeneratorName || string.IsNullOrEmpty(name) || name.Contains(','))
                throw new ArgumentException($"TrainingCheckpoint.{op}: the generator name '{name}' is reserved or invalid (non-empty, no commas, not 'default').", nameof(generators));
            ArgumentNullException.ThrowIfNull(g, $"{nameof(generators)}[{name}]");
            result.Add((name, g));
        }
        return result;
    }

    private static string Parts(Optimizer? optimizer, IReadOnlyList<LRScheduler>? schedulers, List<(string Name, Generator Generator)> generators) =>
        $"model, {(optimizer is null ? "no optimizer" : "an optimizer")}, {schedulers?.Count ?? 0} scheduler(s), generators [{string.Join(",", generators.Select(g => g.Name))}]";
}
