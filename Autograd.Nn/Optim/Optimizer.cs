using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// Base of every optimizer (PyTorch's torch.optim.Optimizer, with a single parameter group): holds the parameters,
/// the learning rate and per-parameter state, and updates the parameters in place from their <see cref="Tensor.Grad"/>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step"/> runs under <see cref="Autodiff.NoGrad"/> and skips every parameter whose <see cref="Tensor.Grad"/>
/// is null: such a parameter is not changed and gets no state (as PyTorch). State is created lazily, on a
/// parameter's first step with a gradient. All arithmetic happens in the parameter's dtype; state buffers have the
/// parameter's shape and dtype.
/// </para>
/// <para>
/// <see cref="StateDict"/> flattens the state into named tensors that a safetensors writer can store as they are:
/// <c>lr</c> (the learning rate) and <c>num_params</c> (the number of parameters) as 0-d float64 tensors, and for
/// every parameter <c>i</c> that has state, <c>state.{i}.{name}</c> (e.g. <c>state.0.exp_avg</c>), with step
/// counts (<c>state.{i}.step</c>) as 0-d float64 tensors. Other hyperparameters (betas, momentum, …) are
/// constructor arguments and are not part of the state, unlike PyTorch's param_groups.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    /// <summary>The state-dictionary key of the learning rate.</summary>
    public const string LearningRateKey = "lr";

    /// <summary>The state-dictionary key of the number of parameters.</summary>
    public const string ParameterCountKey = "num_params";

    /// <summary>The per-parameter state name of the step count (<c>state.{i}.step</c>).</summary>
    private protected const string StepName = "step";

    private const string StatePrefix = "state.";

    private readonly Tensor[] _parameters;
    private ParameterState?[] _state;
    private double _learningRate;

    /// <summary>Checks and stores the parameters and the learning rate.</summary>
    /// <param name="parameters">The leaf float tensors to optimize, each once.</param>
    /// <param name="learningRate">The learning rate, finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">
    /// The list is empty, holds a non-leaf, a non-float tensor or the same tensor twice, or the learning
    /// rate is negative or not finite.
    /// </exception>
    /// <exception cref="ArgumentNullException">The list is null or holds a null (the message says which).</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
            throw new ArgumentException($"{Name}: got an empty parameter list.", nameof(parameters));
        var seen = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i] ?? throw new ArgumentNullException(nameof(parameters), $"{Name}: parameter {i} is null.");
            if (!p.IsLeaf)
                throw new ArgumentException(
                    $"{Name}: parameter {i} is not a leaf (it was produced by '{p.GradFnName}'); only leaf tensors can be optimized.", nameof(parameters));
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"{Name}: parameter {i} is {p.DType.Name()}; only float32 and float64 tensors can be optimized.", nameof(parameters));
            if (!seen.TryAdd(p, i))
                throw new ArgumentException($"{Name}: parameter {i} is the same tensor as parameter {seen[p]}; each parameter may appear only once.", nameof(parameters));
        }
        _state = new ParameterState?[_parameters.Length];
        _learningRate = CheckLearningRate(learningRate, nameof(learningRate));
    }

    /// <summary>The optimizer's name in messages (its type name: SGD, Adam, …).</summary>
    private protected string Name => GetType().Name;

    /// <summary>The parameters, in the order given to the constructor (the <c>i</c> of <c>state.{i}.…</c>).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The learning rate of the next <see cref="Step"/>; learning-rate schedulers set it.</summary>
    /// <exception cref="ArgumentException">On set: the value is negative or not finite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = CheckLearningRate(value, nameof(value));
    }

    /// <summary>
    /// The names of the tensor buffers this optimizer keeps per parameter (with its current hyperparameters), e.g.
    /// <c>exp_avg</c>, <c>exp_avg_sq</c>. Every parameter with state has exactly these buffers after its first update.
    /// </summary>
    protected abstract IReadOnlyList<string> BufferNames { get; }

    /// <summary>Whether the per-parameter state has a step count (<c>state.{i}.step</c>); SGD has none.</summary>
    protected virtual bool CountsSteps => true;

    /// <summary>
    /// Updates one parameter in place from its gradient. Called by <see cref="Step"/> under <see cref="Autodiff.NoGrad"/>
    /// for each parameter whose gradient is not null; <paramref name="state"/> is the parameter's state (empty on
    /// its first update), whose buffers and step count the implementation creates and advances.
    /// </summary>
    /// <param name="parameter">The parameter to update in place.</param>
    /// <param name="grad">Its gradient, of its shape and dtype.</param>
    /// <param name="state">Its state.</param>
    protected abstract void Update(Tensor parameter, Tensor grad, ParameterState state);

    /// <summary>
    /// Performs one optimization step on every parameter that has a gradient. Every such parameter and its gradient
    /// are checked before the first is updated, so a step that throws changes no parameter and no state.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A parameter cannot be written in place (a broadcast view, or released with the <see cref="BufferScope"/> that
    /// computed it), or a gradient cannot be read (released) or does not have its parameter's shape and dtype; the
    /// message lists every such parameter.
    /// </exception>
    public void Step()
    {
        List<string>? problems = null;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.Grad is not { } g) continue;
            if (Unfit(i, p, g) is { } problem) (problems ??= []).Add(problem);
        }
        if (problems is not null)
            throw new InvalidOperationException($"{Name}.Step: " + string.Join("; ", problems) + ". No parameter was changed.");
        using (Autodiff.NoGrad())
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                var g = p.Grad;
                if (g is null) continue;
                var state = _state[i] ??= new ParameterState();
                Update(p, g, state);
            }
        }
    }

    private static string? Unfit(int i, Tensor p, Tensor g)
    {
        bool sameShape = g.Rank == p.Rank;
        for (int d = 0; sameShape && d < p.Rank; d++) sameShape = g.Size(d) == p.Size(d);
        if (!sameShape || g.DType != p.DType)
            return $"the gradient of parameter {i} has shape {FormatShape(g.Shape)} and dtype {g.DType.Name()}, but the parameter has shape {FormatShape(p.Shape)} and dtype {p.DType.Name()}";
        if (TensorChecks.Unwritable(p) is { } why)
            return $"parameter {i} of shape {FormatShape(p.Shape)} cannot be updated in place: {why}";
        if (TensorChecks.Unreadable(g) is { } cannot)
            return $"the gradient of parameter {i} (shape {FormatShape(p.Shape)}) cannot be read: {cannot}";
        return null;
    }

    /// <summary>
    /// Clears the gradients of all parameters: sets them to null (the default, as PyTorch's
    /// <c>zero_grad(set_to_none=True)</c>) or, with <paramref name="setToNone"/> false, fills them with zeros in place.
    /// </summary>
    /// <param name="setToNone">Whether to set the gradients to null (true) or fill them with zeros in place (false).</param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in _parameters)
        {
            if (setToNone)
            {
                p.ZeroGrad();
            }
            else if (p.Grad is { } g)
            {
                using (Autodiff.NoGrad()) g.ZeroInPlace();
            }
        }
    }

    /// <summary>
    /// The optimizer's state as named tensors (see the class remarks for the names). The tensors are copies: later
    /// steps do not change them, and changing them does not change the optimizer.
    /// </summary>
    /// <returns>A new dictionary of copies, by name.</returns>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [LearningRateKey] = Tensor.Scalar(_learningRate, DType.Float64),
            [ParameterCountKey] = Tensor.Scalar(_parameters.Length, DType.Float64),
        };
        using (Autodiff.NoGrad())
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                if (_state[i] is not { } s) continue;
                if (CountsSteps) result[Key(i, StepName)] = Tensor.Scalar(s.Step, DType.Float64);
                foreach (var (name, buffer) in s.Buffers) result[Key(i, name)] = buffer.Clone();
            }
        }
        return result;
    }

    /// <summary>
    /// Replaces the optimizer's state (learning rate and per-parameter state) with <paramref name="state"/>, as
    /// produced by <see cref="StateDict"/>. Everything is checked first — <c>lr</c> and <c>num_params</c> present,
    /// 0-d float64 and valid; no unknown names; parameter indices in range; for each parameter with state, all of
    /// <see cref="BufferNames"/> (and the step count) present, buffers of the parameter's shape and dtype, step counts
    /// 0-d float64 non-negative integers — and on any problem an <see cref="ArgumentException"/> lists them all and
    /// the optimizer is left unchanged. Parameters without entries get no state (as if never stepped). The tensors
    /// are copied.
    /// </summary>
    /// <param name="state">The state, as <see cref="StateDict"/> gives it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// Some entries are missing, unknown, of the wrong shape, dtype or value, or released with the
    /// <see cref="BufferScope"/> that computed them; the message lists them all.
    /// </exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        var expected = new HashSet<string>(BufferNames, StringComparer.Ordinal);
        if (CountsSteps) expected.Add(StepName);
        var perParameter = new Dictionary<string, Tensor>?[_parameters.Length];
        double lr = 0;

        if (!state.ContainsKey(LearningRateKey)) problems.Add($"missing '{LearningRateKey}'");
        if (!state.ContainsKey(ParameterCountKey)) problems.Add($"missing '{ParameterCountKey}'");
        foreach (var (key, value) in state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (value is null)
            {
                problems.Add($"'{key}' is null");
                continue;
            }
            if (TensorChecks.Unreadable(value) is { } why)
            {
                problems.Add($"'{key}' cannot be read: {why}");
                continue;
            }
            if (key == LearningRateKey)
            {
                if (CheckScalar(key, value, problems) is { } v)
                {
                    if (double.IsFinite(v) && v >= 0) lr = v;
                    else problems.Add($"'{key}' is {Format(v)}, expected a finite learning rate >= 0");
                }
            }
            else if (key == ParameterCountKey)
            {
                if (CheckScalar(key, value, problems) is { } v && v != _parameters.Length)
                    problems.Add($"'{key}' is {Format(v)} but the optimizer has {_parameters.Length} parameters");
            }
            else if (!TryParseKey(key, out int index, out string name))
            {
                problems.Add($"unexpected '{key}'");
            }
            else if (index >= _parameters.Length)
            {
                problems.Add($"'{key}' refers to parameter {index} but the optimizer has {_parameters.Length} parameters");
            }
            else if (!expected.Contains(name))
            {
                problems.Add($"unexpected '{key}' ({Name} keeps {DescribeExpected(expected)} per parameter)");
            }
            else
            {
                (perParameter[index] ??= new Dictionary<string, Tensor>(StringComparer.Ordinal))[name] = value;
                var p = _parameters[index];
                if (name == StepName)
                {
                    if (CheckScalar(key, value, problems) is { } v && !(v >= 0 && v <= 9007199254740992.0 && Math.Floor(v) == v))
                        problems.Add($"'{key}' is {Format(v)}, expected a non-negative integer step count");
                }
                else if (!value.Shape.SequenceEqual(p.Shape))
                {
                    problems.Add($"'{key}' has shape {FormatShape(value.Shape)}, expected {FormatShape(p.Shape)} (the shape of parameter {index})");
                }
                else if (value.DType != p.DType)
                {
                    problems.Add($"'{key}' has dtype {value.DType.Name()}, expected {p.DType.Name()} (the dtype of parameter {index})");
                }
            }
        }
        for (int i = 0; i < perParameter.Length; i++)
        {
            if (perParameter[i] is not { } entries) continue;
            foreach (var name in expected.Order(StringComparer.Ordinal))
                if (!entries.ContainsKey(name)) problems.Add($"missing '{Key(i, name)}'");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"{Name}.LoadStateDict: " + string.Join("; ", problems) + ". The optimizer was not changed.", nameof(state));

        var loaded = new ParameterState?[_parameters.Length];
        using (Autodiff.NoGrad())
        {
            for (int i = 0; i < perParameter.Length; i++)
            {
                if (perParameter[i] is not { } entries) continue;
                var s = new ParameterState();
                foreach (var (name, value) in entries)
                {
                    if (name == StepName) s.Step = (long)value.Item();
                    else s.Buffers[name] = value.Clone();
                }
                loaded[i] = s;
            }
        }
        _state = loaded;
        _learningRate = lr;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this optimizer unless <paramref name="value"/> is finite and ≥ 0.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="what">What the value is, for the message (e.g. "weight decay").</param>
    /// <param name="paramName">The name of the constructor parameter, for <see cref="ArgumentException.ParamName"/>.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="what"/> or <paramref name="paramName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is negative, infinite or NaN.</exception>
    private protected double CheckNonNegative(double value, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(paramName);
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentException($"{Name}: invalid {what} {Format(value)}: must be a finite number >= 0.", paramName);
        return value;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this optimizer unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="what">What the value is, for the message (e.g. "beta1").</param>
    /// <param name="paramName">The name of the constructor parameter, for <see cref="ArgumentException.ParamName"/>.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="what"/> or <paramref name="paramName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is outside [0, 1) or NaN.</exception>
    private protected double CheckUnitInterval(double value, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(paramName);
        if (!(value >= 0 && value < 1))
            throw new ArgumentException($"{Name}: invalid {what} {Format(value)}: must be in [0, 1).", paramName);
        return value;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this optimizer unless <paramref name="value"/> is finite.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="what">What the value is, for the message (e.g. "dampening").</param>
    /// <param name="paramName">The name of the constructor parameter, for <see cref="ArgumentException.ParamName"/>.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="what"/> or <paramref name="paramName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is infinite or NaN.</exception>
    private protected double CheckFinite(double value, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(paramName);
        if (!double.IsFinite(value))
            throw new ArgumentException($"{Name}: invalid {what} {Format(value)}: must be a finite number.", paramName);
        return value;
    }

    /// <summary>
    /// <paramref name="self"/> ← lerp(self, end, weight) in place, the way PyTorch's <c>lerp_</c> evaluates it:
    /// <c>self + weight·(end − self)</c> for |weight| &lt; 0.5, else <c>end − (end − self)·(1 − weight)</c>.
    /// </summary>
    /// <param name="self">The tensor to update in place.</param>
    /// <param name="end">The tensor to move towards, broadcastable to <paramref name="self"/>.</param>
    /// <param name="weight">The fraction of the way to move.</param>
    /// <exception cref="ArgumentNullException"><paramref name="self"/> or <paramref name="end"/> is null.</exception>
    private protected static void LerpInPlace(Tensor self, Tensor end, double weight)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(end);
        if (Math.Abs(weight) < 0.5) self.AddInPlace(end - self, weight);
        else self.CopyFrom(end - (end - self) * (1 - weight));
    }

    private double CheckLearningRate(double value, string paramName) => CheckNonNegative(value, "learning rate", paramName);

    private static double? CheckScalar(string key, Tensor value, List<string> problems)
    {
        if (value.Rank != 0)
        {
            problems.Add($"'{key}' has shape {FormatShape(value.Shape)}, expected a 0-d tensor");
            return null;
        }
        if (value.DType != DType.Float64)
        {
            problems.Add($"'{key}' has dtype {value.DType.Name()}, expected float64");
            return null;
        }
        return value.Item();
    }

    private static bool TryParseKey(string key, out int index, out string name)
    {
        index = -1;
        name = "";
        if (!key.StartsWith(StatePrefix, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(StatePrefix.Length);
        int dot = rest.IndexOf('.');
        if (dot <= 0 || dot == rest.Length - 1) return false;
        var digits = rest[..dot];
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index)) return false;
        // Canonical decimal only ("01" would alias "1").
        if (digits.Length > 1 && digits[0] == '0') return false;
        name = rest[(dot + 1)..].ToString();
        return true;
    }

    private static string Key(int index, string name) => string.Create(CultureInfo.InvariantCulture, $"{StatePrefix}{index}.{name}");

    private static string DescribeExpected(HashSet<string> expected) =>
        expected.Count == 0 ? "no state" : string.Join(", ", expected.Order(StringComparer.Ordinal).Select(n => $"'{n}'"));

    /// <summary>Formats a number for messages, culture-invariant and round-trippable.</summary>
    /// <param name="value">The number.</param>
    /// <returns>Its shortest round-trip text, culture-invariant.</returns>
    private protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatShape(int[] shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>What an <see cref="Optimizer"/> keeps for one parameter: a step count and named buffers.</summary>
public sealed class ParameterState
{
    internal ParameterState()
    {
    }

    /// <summary>How many updates this parameter has had (for optimizers that count steps).</summary>
    public long Step { get; set; }

    /// <summary>The buffers by name (e.g. <c>exp_avg</c>), each of the parameter's shape and dtype.</summary>
    public Dictionary<string, Tensor> Buffers { get; } = new(StringComparer.Ordinal);

    /// <summary>The buffer named <paramref name="name"/>, created as zeros like <paramref name="parameter"/> if missing.</summary>
    /// <param name="name">The buffer's name.</param>
    /// <param name="parameter">The parameter whose shape and dtype a new buffer gets.</param>
    /// <returns>The existing or new buffer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="parameter"/> is null.</exception>
    public Tensor ZerosBuffer(string name, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameter);
        if (!Buffers.TryGetValue(name, out var buffer))
        {
            buffer = Tensor.ZerosLike(parameter);
            Buffers[name] = buffer;
        }
        return buffer;
    }
}
