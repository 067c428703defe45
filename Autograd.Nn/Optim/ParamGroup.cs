using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// A parameter group (an entry of PyTorch's <c>optimizer.param_groups</c>): some parameters and the options
/// (learning rate, weight decay, momentum, β₁, …) that an <see cref="Optimizer"/> applies to them.
/// </summary>
/// <remarks>
/// <para>
/// Options are numbers keyed by PyTorch's names (<c>lr</c>, <c>weight_decay</c>, <c>momentum</c>, <c>eps</c>, …;
/// PyTorch's tuples split into <c>beta1</c>/<c>beta2</c>, <c>eta_minus</c>/<c>eta_plus</c>,
/// <c>step_size_min</c>/<c>step_size_max</c>); flags such as <c>nesterov</c>, <c>amsgrad</c> and <c>maximize</c> are
/// 0 or 1. A group made with <see cref="ParamGroup(IEnumerable{Tensor}, IReadOnlyDictionary{string, double}?)"/>
/// carries only the options it overrides; the optimizer it is given to fills in the others from its constructor's
/// arguments (as PyTorch's <c>defaults</c>) and checks them all.
/// </para>
/// <para>
/// Once the group belongs to an optimizer, setting an option checks it the way the constructor does (a learning-rate
/// scheduler sets <c>lr</c> this way), and a name the optimizer does not have is refused.
/// </para>
/// </remarks>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> _options;
    private readonly Tensor[] _parameters;
    private Optimizer? _owner;

    /// <summary>Creates a group of parameters with options that override the optimizer's defaults.</summary>
    /// <param name="parameters">The parameters of the group (checked by the optimizer the group is given to).</param>
    /// <param name="options">Options by PyTorch name (e.g. <c>["lr"] = 0.1</c>); null or missing names take the optimizer's defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public ParamGroup(IEnumerable<Tensor> parameters, IReadOnlyDictionary<string, double>? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        _options = new Dictionary<string, double>(StringComparer.Ordinal);
        if (options is not null)
            foreach (var (name, value) in options) _options[name ?? throw new ArgumentNullException(nameof(options), "ParamGroup: an option name is null.")] = value;
    }

    internal ParamGroup(Tensor[] parameters, Dictionary<string, double> options)
    {
        _parameters = parameters;
        _options = options;
    }

    /// <summary>The parameters of the group, in order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The options by name (for a group given to an optimizer: all of the optimizer's options).</summary>
    public IReadOnlyDictionary<string, double> Options => _options;

    /// <summary>The learning rate of the group (the option <c>lr</c>).</summary>
    /// <exception cref="ArgumentException">On set, in an optimizer: the value is negative or not finite.</exception>
    /// <exception cref="KeyNotFoundException">On get: the group has no <c>lr</c> yet (it was not given to an optimizer and does not override it).</exception>
    public double LearningRate
    {
        get => this[Optimizer.LearningRateKey];
        set => this[Optimizer.LearningRateKey] = value;
    }

    /// <summary>
    /// The learning rate the first scheduler attached to this group started from (PyTorch's <c>initial_lr</c>);
    /// null until a scheduler is created. Schedulers created later start from it too.
    /// </summary>
    /// <exception cref="ArgumentException">On set: the value is negative or not finite.</exception>
    public double? InitialLearningRate
    {
        get;
        set
        {
            if (value is { } v && (!double.IsFinite(v) || v < 0))
                throw new ArgumentException($"ParamGroup: invalid initial learning rate {v.ToString("R", CultureInfo.InvariantCulture)}: must be a finite number >= 0.", nameof(value));
            field = value;
        }
    }

    /// <summary>An option by name.</summary>
    /// <param name="name">The option's PyTorch name, e.g. <c>weight_decay</c>.</param>
    /// <returns>The option's value (0 or 1 for flags).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">On get: the group has no such option.</exception>
    /// <exception cref="ArgumentException">On set, in an optimizer: the optimizer has no such option or the value is out of its range.</exception>
    public double this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            if (_options.TryGetValue(name, out var v)) return v;
            throw new KeyNotFoundException(
                $"ParamGroup: no option '{name}'; the group has {(_options.Count == 0 ? "none" : string.Join(", ", _options.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'")))}.");
        }
        set
        {
            ArgumentNullException.ThrowIfNull(name);
            _owner?.CheckOptionChange(this, name, value);
            _options[name] = value;
        }
    }

    internal Tensor[] ParameterArray => _parameters;

    internal Dictionary<string, double> OptionsMutable => _options;

    internal Optimizer? Owner
    {
        get => _owner;
        set => _owner = value;
    }
}

/// <summary>Helpers that split a model's parameters into <see cref="ParamGroup"/>s.</summary>
public static class ParamGroups
{
    /// <summary>
    /// Two groups as in the usual weight-decay recipe: the parameters of rank 2 or more (weight matrices, kernels)
    /// with <c>weight_decay</c> = <paramref name="weightDecay"/>, and the others — biases and normalization weights,
    /// of rank 0 or 1 — with <c>weight_decay</c> = 0. Parameters keep the module's order within each group; an empty
    /// group is left out.
    /// </summary>
    /// <param name="module">The model whose <see cref="Module.Parameters"/> to split.</param>
    /// <param name="weightDecay">The weight decay of the first group (finite, ≥ 0).</param>
    /// <returns>The decayed group first, then the group without decay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="weightDecay"/> is negative or not finite.</exception>
    public static ParamGroup[] WithoutDecayOnBiasesAndNorms(Module module, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
            throw new ArgumentException(
                $"ParamGroups.WithoutDecayOnBiasesAndNorms: invalid weight decay {weightDecay.ToString("R", CultureInfo.InvariantCulture)}: must be a finite number >= 0.",
                nameof(weightDecay));
        var decay = new List<Tensor>();
        var noDecay = new List<Tensor>();
        foreach (var p in module.Parameters()) (p.Rank >= 2 ? decay : noDecay).Add(p);
        var groups = new List<ParamGroup>();
        if (decay.Count > 0) groups.Add(new ParamGroup(decay, new Dictionary<string, double> { ["weight_decay"] = weightDecay }));
        if (noDecay.Count > 0) groups.Add(new ParamGroup(noDecay, new Dictionary<string, double> { ["weight_decay"] = 0 }));
        return [.. groups];
    }
}
