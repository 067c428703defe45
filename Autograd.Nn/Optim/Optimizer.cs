using System.Globalization;

namespace Autograd.Nn.Optim;

/// <summary>
/// Base of every optimizer (PyTorch's torch.optim.Optimizer): holds parameter groups (<see cref="ParamGroups"/>, each
/// with its own learning rate and options) and per-parameter state, and updates the parameters in place from their
/// <see cref="Tensor.Grad"/>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step(bool, bool)"/> runs under <see cref="Autodiff.NoGrad"/> and skips every parameter whose
/// <see cref="Tensor.Grad"/> is null: such a parameter is not changed and gets no state (as PyTorch). State is created
/// lazily, on a parameter's first step with a gradient. All arithmetic happens in the parameter's dtype; state
/// buffers have the parameter's shape and dtype.
/// </para>
/// <para>
/// Parameters are numbered across groups in order (group 0's first, then group 1's, …), as PyTorch numbers them in
/// <c>state_dict()</c>. <see cref="StateDict"/> flattens everything into named tensors that a safetensors writer can
/// store as they are: <c>num_params</c> and <c>num_param_groups</c>; for each group <c>g</c>,
/// <c>param_groups.{g}.num_params</c> and every option <c>param_groups.{g}.{name}</c> (e.g.
/// <c>param_groups.0.lr</c>, flags as 0 or 1, and <c>param_groups.{g}.initial_lr</c> once a scheduler set it); for
/// every parameter <c>i</c> with state, <c>state.{i}.{name}</c> (e.g. <c>state.0.exp_avg</c>), with step counts and
/// other per-parameter numbers (<c>state.{i}.step</c>, <c>state.{i}.mu_product</c>) as 0-d float64 tensors.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    /// <summary>The option name of the learning rate (<c>param_groups.{g}.lr</c> in the state).</summary>
    public const string LearningRateKey = "lr";

    /// <summary>The state-dictionary key of the total number of parameters.</summary>
    public const string ParameterCountKey = "num_params";

    /// <summary>The state-dictionary key of the number of parameter groups.</summary>
    public const string GroupCountKey = "num_param_groups";

    /// <summary>The option name of the sign flip (<c>maximize</c>: follow the gradient uphill), a flag.</summary>
    public const string MaximizeKey = "maximize";

    /// <summary>The option name of the weight decay.</summary>
    public const string WeightDecayKey = "weight_decay";

    /// <summary>The group entry a learning-rate scheduler records (PyTorch's <c>initial_lr</c>).</summary>
    public const string InitialLearningRateKey = "initial_lr";

    /// <summary>The per-parameter state name of the step count (<c>state.{i}.step</c>).</summary>
    private protected const string StepName = "step";

    private const string StatePrefix = "state.";
    private const string GroupPrefix = "param_groups.";

    private readonly List<ParamGroup> _groups = [];
    private readonly List<Tensor> _parameters = [];
    private readonly OptionSpec[] _specs;
    private readonly Dictionary<string, double> _defaults;
    private List<ParameterState?> _state = [];
    private readonly HashSet<object> _storages = new(ReferenceEqualityComparer.Instance);
    private bool _zeroGradInPass;
    private readonly bool _userUpdate;

    /// <summary>Checks and stores the parameters and the learning rate, as one group (for optimizers with no other option).</summary>
    /// <param name="parameters">The leaf float tensors to optimize, each once.</param>
    /// <param name="learningRate">The learning rate, finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">
    /// The list is empty, holds a non-leaf, a non-float tensor or the same tensor twice, or the learning
    /// rate is negative or not finite.
    /// </exception>
    /// <exception cref="ArgumentNullException">The list is null or holds a null (the message says which).</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
        : this(OneGroup(parameters), [new OptionSpec(LearningRateKey, learningRate, OptionKind.NonNegative, "learning rate", nameof(learningRate))])
    {
    }

    private protected Optimizer(IEnumerable<ParamGroup>? groups, OptionSpec[] options)
    {
        _userUpdate = GetType().GetMethod(nameof(Update), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic,
            [typeof(Tensor), typeof(Tensor), typeof(ParameterState), typeof(ParamGroup)])!.DeclaringType!.Assembly != typeof(Optimizer).Assembly;
        ArgumentNullException.ThrowIfNull(options);
        _specs = options;
        _defaults = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var spec in options)
        {
            if (CheckValue(spec, spec.Default) is { } problem) throw new ArgumentException($"{Name}: {problem}.", spec.ParamName);
            _defaults[spec.Key] = spec.Default;
        }
        if (CheckCombination(_defaults) is { } combined) throw new ArgumentException($"{Name}: {combined.Message}.", combined.ParamName);
        if (groups is null) throw new ArgumentNullException("parameters", $"{Name}: the parameter list is null.");
        var list = groups.ToList();
        if (list.Count == 0)
            throw new ArgumentException($"{Name}: got an empty parameter list.", "parameters");
        if (list.Count > 1 && !SupportsGroups)
            throw new ArgumentException($"{Name}: got {list.Count} parameter groups; {Name} takes a single group (as PyTorch's).", "parameters");
        var seen = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var newParameters = new List<Tensor>();
        var newGroups = new List<ParamGroup>();
        for (int g = 0; g < list.Count; g++)
            newGroups.Add(Admit(list[g] ?? throw new ArgumentNullException("parameters", $"{Name}: parameter group {g} is null."), g, seen, newParameters));
        if (newParameters.Count == 0)
            throw new ArgumentException($"{Name}: got an empty parameter list.", "parameters");
        Commit(newGroups, newParameters);
    }

    /// <summary>The optimizer's name in messages (its type name: SGD, Adam, …).</summary>
    private protected string Name => GetType().Name;

    /// <summary>All parameters, across groups in order (the <c>i</c> of <c>state.{i}.…</c>).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The parameter groups (PyTorch's <c>param_groups</c>); set a group's options through its indexer.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>The options a group gets unless it overrides them: the constructor's arguments (PyTorch's <c>defaults</c>).</summary>
    public IReadOnlyDictionary<string, double> Defaults => _defaults;

    /// <summary>
    /// The learning rate of the first parameter group; setting it sets the rate of every group (schedulers set each
    /// group's rate through <see cref="ParamGroups"/>).
    /// </summary>
    /// <exception cref="ArgumentException">On set: the value is negative or not finite.</exception>
    public double LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentException($"{Name}: invalid learning rate {Format(value)}: must be a finite number >= 0.", nameof(value));
            foreach (var g in _groups) g.OptionsMutable[LearningRateKey] = value;
        }
    }

    /// <summary>
    /// Whether <see cref="Step(bool, bool)"/> uses the single-pass update (every optimizer but <see cref="LBFGS"/>):
    /// each gradient read once (and, with <c>zeroGrad: true, setToNone: false</c>, zeroed in the same pass), the
    /// parameter and its state written in the same loop, with the same bits as the tensor-op update in float32 and
    /// float64, whatever the vector width and thread count. True by default; a parameter, gradient or state buffer
    /// that is not contiguous, or a gradient sharing the parameter's storage, takes the tensor-op update.
    /// </summary>
    public bool UseFusedUpdate { get; set; } = true;

    /// <summary>
    /// Adds a group of parameters (PyTorch's <c>add_param_group</c>): options it does not set take
    /// <see cref="Defaults"/>. Nothing changes if the group is refused.
    /// </summary>
    /// <param name="group">The group; its parameters must not already be in the optimizer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="group"/> is null or holds a null.</exception>
    /// <exception cref="ArgumentException">
    /// The group is empty, already belongs to an optimizer, holds a non-leaf, a non-float tensor or a parameter that
    /// is already optimized, or an option is unknown or out of range.
    /// </exception>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!SupportsGroups)
            throw new ArgumentException($"{Name}.AddParamGroup: {Name} takes a single parameter group (as PyTorch's).", nameof(group));
        var seen = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Count; i++) seen[_parameters[i]] = i;
        var added = new List<Tensor>();
        var admitted = Admit(group, _groups.Count, seen, added);
        if (added.Count == 0) throw new ArgumentException($"{Name}.AddParamGroup: the group has no parameters.", nameof(group));
        Commit([admitted], added);
    }

    private ParamGroup Admit(ParamGroup group, int g, Dictionary<Tensor, int> seen, List<Tensor> parameters)
    {
        if (group.Owner is not null)
            throw new ArgumentException($"{Name}: parameter group {g} already belongs to {group.Owner.Name}; give each optimizer its own groups.", "parameters");
        foreach (var p0 in group.ParameterArray)
        {
            int i = seen.Count;
            var p = p0 ?? throw new ArgumentNullException("parameters", $"{Name}: parameter {i} is null.");
            if (!p.IsLeaf)
                throw new ArgumentException(
                    $"{Name}: parameter {i} is not a leaf (it was produced by '{p.GradFnName}'); only leaf tensors can be optimized.", "parameters");
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"{Name}: parameter {i} is {p.DType.Name()}; only float32 and float64 tensors can be optimized.", "parameters");
            if (!seen.TryAdd(p, i))
                throw new ArgumentException($"{Name}: parameter {i} is the same tensor as parameter {seen[p]}; each parameter may appear only once.", "parameters");
            parameters.Add(p);
        }
        var options = new Dictionary<string, double>(_defaults, StringComparer.Ordinal);
        foreach (var (name, value) in group.Options)
        {
            if (FindSpec(name) is not { } spec)
                throw new ArgumentException($"{Name}: parameter group {g} has an unknown option '{name}' ({Name}'s options are {DescribeOptions()}).", "parameters");
            if (CheckValue(spec, value) is { } problem) throw new ArgumentException($"{Name}: {problem} in parameter group {g}.", "parameters");
            options[name] = value;
        }
        if (CheckCombination(options) is { } combined) throw new ArgumentException($"{Name}: {combined.Message} in parameter group {g}.", "parameters");
        return new ParamGroup(group.ParameterArray, options) { InitialLearningRate = group.InitialLearningRate };
    }

    private void Commit(List<ParamGroup> groups, List<Tensor> parameters)
    {
        foreach (var g in groups)
        {
            g.Owner = this;
            _groups.Add(g);
        }
        _parameters.AddRange(parameters);
        for (int i = 0; i < parameters.Count; i++) _state.Add(null);
    }

    internal void CheckOptionChange(ParamGroup group, string name, double value)
    {
        if (FindSpec(name) is not { } spec)
            throw new ArgumentException($"{Name}: no option '{name}' ({Name}'s options are {DescribeOptions()}).", nameof(name));
        if (CheckValue(spec, value) is { } problem) throw new ArgumentException($"{Name}: {problem}.", nameof(value));
        var options = new Dictionary<string, double>(group.Options, StringComparer.Ordinal) { [name] = value };
        if (CheckCombination(options) is { } combined) throw new ArgumentException($"{Name}: {combined.Message}.", nameof(value));
    }

    private OptionSpec? FindSpec(string name)
    {
        foreach (var s in _specs) if (s.Key == name) return s;
        return null;
    }

    private string DescribeOptions() => string.Join(", ", _specs.Select(s => $"'{s.Key}'"));

    private static string? CheckValue(OptionSpec spec, double value) => spec.Kind switch
    {
        OptionKind.NonNegative when !double.IsFinite(value) || value < 0 => $"invalid {spec.What} {Format(value)}: must be a finite number >= 0",
        OptionKind.UnitInterval when !(value >= 0 && value < 1) => $"invalid {spec.What} {Format(value)}: must be in [0, 1)",
        OptionKind.Finite when !double.IsFinite(value) => $"invalid {spec.What} {Format(value)}: must be a finite number",
        OptionKind.Flag when value is not (0 or 1) => $"invalid {spec.What} {Format(value)}: must be 0 or 1 (a flag)",
        OptionKind.PositiveInteger when !(value >= 1 && value <= int.MaxValue && Math.Floor(value) == value) => $"invalid {spec.What} {Format(value)}: must be an integer >= 1",
        OptionKind.Positive when !double.IsFinite(value) || value <= 0 => $"invalid {spec.What} {Format(value)}: must be a finite number > 0",
        OptionKind.ClosedUnitInterval when !(value >= 0 && value <= 1) => $"invalid {spec.What} {Format(value)}: must be in [0, 1]",
        _ => null,
    };

    /// <summary>
    /// A problem with a combination of options (e.g. Nesterov momentum without momentum), or null; the message has
    /// no leading name nor final period.
    /// </summary>
    /// <param name="options">Every option of a group.</param>
    /// <returns>The problem and the constructor parameter it concerns, or null.</returns>
    private protected virtual (string Message, string ParamName)? CheckCombination(IReadOnlyDictionary<string, double> options) => null;

    /// <summary>
    /// The names of the tensor buffers this optimizer keeps per parameter for a group with these options, e.g.
    /// <c>exp_avg</c>, <c>exp_avg_sq</c>. Every parameter with state has exactly these buffers after its first update.
    /// </summary>
    /// <param name="options">The options of the parameter's group.</param>
    /// <returns>The buffer names.</returns>
    protected abstract IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options);

    /// <summary>The names of per-parameter numbers other than the step count (e.g. NAdam's <c>mu_product</c>); none by default.</summary>
    /// <param name="options">The options of the parameter's group.</param>
    /// <returns>The names.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    protected virtual IReadOnlyList<string> ScalarNames(IReadOnlyDictionary<string, double> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [];
    }

    /// <summary>Whether the optimizer takes more than one parameter group (LBFGS does not).</summary>
    private protected virtual bool SupportsGroups => true;

    /// <summary>Whether the per-parameter state has a step count (<c>state.{i}.step</c>); SGD has none.</summary>
    protected virtual bool CountsSteps => true;

    /// <summary>
    /// Updates one parameter in place from its gradient. Called by <see cref="Step(bool, bool)"/> under
    /// <see cref="Autodiff.NoGrad"/> for each parameter whose gradient is not null; <paramref name="state"/> is the
    /// parameter's state (empty on its first update), whose buffers and step count the implementation creates and
    /// advances; <paramref name="group"/> is the parameter's group, whose options to use.
    /// </summary>
    /// <param name="parameter">The parameter to update in place.</param>
    /// <param name="grad">Its gradient, of its shape and dtype.</param>
    /// <param name="state">Its state.</param>
    /// <param name="group">Its parameter group.</param>
    protected abstract void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group);

    /// <summary>
    /// Performs one optimization step on every parameter that has a gradient. Every such parameter and its gradient
    /// are checked before the first is updated, so a step that throws changes no parameter and no state.
    /// </summary>
    /// <param name="zeroGrad">
    /// Whether to clear each parameter's gradient after its update, so that the next backward starts afresh without a
    /// separate <see cref="ZeroGrad"/> call.
    /// </param>
    /// <param name="setToNone">
    /// With <paramref name="zeroGrad"/>: whether to set the gradients to null (true, the default) or fill them with
    /// zeros in place (false). <c>Step(zeroGrad: true, setToNone: false)</c> leaves the parameters, the state and the
    /// gradients as <c>Step()</c> then <c>ZeroGrad(setToNone: false)</c> do; with <see cref="UseFusedUpdate"/> each
    /// gradient is zeroed in the pass that reads it, so the zeroing costs no pass of its own (gradients that share
    /// storage with another gradient or a parameter are zeroed after every update instead). Keeping the zeroed
    /// gradients lets the next backward accumulate into them without allocating.
    /// </param>
    /// <exception cref="InvalidOperationException">
    /// A parameter cannot be written in place (a broadcast view, or released with the <see cref="BufferScope"/> that
    /// computed it), or a gradient cannot be read (released) or does not have its parameter's shape and dtype; the
    /// message lists every such parameter. <see cref="LBFGS"/> needs a closure (<see cref="Step(Func{Tensor})"/>).
    /// </exception>
    public virtual void Step(bool zeroGrad = false, bool setToNone = true)
    {
        CheckGradients();
        bool inPlace = zeroGrad && !setToNone;
        // Zeroing right after each update (in its pass) is the same as zeroing after all of them only when no
        // gradient's storage is read again: not another parameter's gradient, nor a parameter.
        bool eachAfterUpdate = inPlace && GradientsOwnTheirStorage();
        using (Autodiff.NoGrad())
        {
            try
            {
                int i = 0;
                foreach (var group in _groups)
                {
                    foreach (var p in group.ParameterArray)
                    {
                        // An Update written outside this library may keep the gradient: hand it out (the public getter).
                        var g = _userUpdate ? p.Grad : p.StoredGrad;
                        if (g is not null)
                        {
                            var state = _state[i] ??= new ParameterState();
                            _zeroGradInPass = eachAfterUpdate;
                            Update(p, g, state, group);
                            if (zeroGrad && setToNone) p.ZeroGrad();
                            else if (eachAfterUpdate && _zeroGradInPass) g.ZeroInPlace();
                        }
                        i++;
                    }
                }
            }
            finally
            {
                _zeroGradInPass = false;
            }
            if (inPlace && !eachAfterUpdate) ZeroGrad(setToNone: false);
        }
    }

    /// <summary>
    /// For an <see cref="Update"/> taking a fused path: whether it should zero the gradient in the pass that reads it
    /// (<c>Step(zeroGrad: true, setToNone: false)</c>). A true answer is a promise to do so; <see cref="Step(bool, bool)"/>
    /// then does not zero it again. Call once per update, only on the path that zeroes.
    /// </summary>
    /// <returns>Whether to zero the gradient in the pass.</returns>
    private protected bool ClaimGradZeroing()
    {
        bool claim = _zeroGradInPass;
        _zeroGradInPass = false;
        return claim;
    }

    private bool GradientsOwnTheirStorage()
    {
        var seen = _storages;
        seen.Clear();
        foreach (var p in _parameters) seen.Add(p.RawData);
        bool own = true;
        foreach (var p in _parameters)
        {
            if (p.StoredGrad is { } g && !seen.Add(g.RawData))
            {
                own = false;
                break;
            }
        }
        seen.Clear();
        return own;
    }

    /// <summary>
    /// Evaluates <paramref name="closure"/> (which recomputes the loss and its gradients, with grad mode on) and then
    /// performs one <see cref="Step(bool, bool)"/> (PyTorch's <c>step(closure)</c>).
    /// </summary>
    /// <param name="closure">Clears the gradients, computes the loss, calls backward and returns the loss.</param>
    /// <returns>The loss the closure returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="closure"/> is null.</exception>
    /// <exception cref="InvalidOperationException">As <see cref="Step(bool, bool)"/>.</exception>
    public virtual Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        Tensor loss;
        using (Autodiff.EnableGrad()) loss = closure();
        Step();
        return loss;
    }

    /// <summary>Throws an <see cref="InvalidOperationException"/> listing every parameter or gradient that cannot take a step.</summary>
    /// <exception cref="InvalidOperationException">Some parameter cannot be updated or some gradient cannot be read.</exception>
    private protected void CheckGradients()
    {
        List<string>? problems = null;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            if (p.StoredGrad is not { } g) continue;
            if (Unfit(i, p, g) is { } problem) (problems ??= []).Add(problem);
        }
        if (problems is not null)
            throw new InvalidOperationException($"{Name}.Step: " + string.Join("; ", problems) + ". No parameter was changed.");
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
            else if (p.StoredGrad is { } g)
            {
                using (Autodiff.NoGrad()) g.ZeroInPlace();
            }
        }
    }

    /// <summary>The state of parameter <paramref name="index"/> (in <see cref="Parameters"/>' order), or null before its first update.</summary>
    /// <param name="index">The parameter's index.</param>
    /// <returns>Its state, or null.</returns>
    private protected ParameterState? StateOf(int index) => _state[index];

    /// <summary>Sets the state of parameter <paramref name="index"/>.</summary>
    /// <param name="index">The parameter's index.</param>
    /// <param name="state">Its new state.</param>
    private protected void SetStateOf(int index, ParameterState? state) => _state[index] = state;

    /// <summary>
    /// The optimizer's state as named tensors (see the class remarks for the names). The tensors are copies: later
    /// steps do not change them, and changing them does not change the optimizer.
    /// </summary>
    /// <returns>A new dictionary of copies, by name.</returns>
    public virtual Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [ParameterCountKey] = Tensor.Scalar(_parameters.Count, DType.Float64),
            [GroupCountKey] = Tensor.Scalar(_groups.Count, DType.Float64),
        };
        for (int g = 0; g < _groups.Count; g++)
        {
            result[GroupKey(g, ParameterCountKey)] = Tensor.Scalar(_groups[g].ParameterArray.Length, DType.Float64);
            foreach (var (name, value) in _groups[g].Options) result[GroupKey(g, name)] = Tensor.Scalar(value, DType.Float64);
            if (_groups[g].InitialLearningRate is { } initial) result[GroupKey(g, InitialLearningRateKey)] = Tensor.Scalar(initial, DType.Float64);
        }
        using (Autodiff.NoGrad())
        {
            for (int i = 0; i < _parameters.Count; i++)
            {
                if (_state[i] is not { } s) continue;
                if (CountsSteps) result[Key(i, StepName)] = Tensor.Scalar(s.Step, DType.Float64);
                foreach (var (name, value) in s.Scalars) result[Key(i, name)] = Tensor.Scalar(value, DType.Float64);
                foreach (var (name, buffer) in s.Buffers) result[Key(i, name)] = buffer.Clone();
            }
        }
        return result;
    }

    /// <summary>
    /// Replaces the optimizer's state (every group's options and the per-parameter state) with
    /// <paramref name="state"/>, as produced by <see cref="StateDict"/> of an optimizer of the same kind with the same
    /// groups. Everything is checked first — the parameter and group counts; each group's parameter count and every
    /// option of this optimizer, valid, and no other; per-parameter names this optimizer keeps, buffers of the
    /// parameter's shape and dtype, all of them present for a parameter with state, step counts non-negative
    /// integers — and on any problem an <see cref="ArgumentException"/> lists them all and the optimizer is left
    /// unchanged. Parameters without entries get no state (as if never stepped). The tensors are copied.
    /// </summary>
    /// <param name="state">The state, as <see cref="StateDict"/> gives it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The state is from an optimizer of another kind or shape, or some entries are missing, unknown, of the wrong
    /// shape, dtype or value, or released with the <see cref="BufferScope"/> that computed them; the message lists
    /// them all.
    /// </exception>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var apply = CheckStateDict(state, out var problems);
        if (problems.Count > 0)
            throw new ArgumentException($"{Name}.LoadStateDict: " + string.Join("; ", problems) + ". The optimizer was not changed.", nameof(state));
        apply();
    }

    /// <summary>
    /// Checks a state dictionary and returns the action that loads it (to run only if <paramref name="problems"/> is
    /// empty). Entries whose names <paramref name="extra"/> accepts are left to the caller.
    /// </summary>
    /// <param name="state">The state.</param>
    /// <param name="problems">Every problem found.</param>
    /// <param name="extra">Names the caller handles itself (e.g. LBFGS's history), or null.</param>
    /// <returns>The action that replaces the state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    private protected Action CheckStateDict(IReadOnlyDictionary<string, Tensor> state, out List<string> problems, Func<string, bool>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        problems = [];
        int groupCount = _groups.Count;
        var perParameter = new Dictionary<string, Tensor>?[_parameters.Count];
        var options = new Dictionary<string, double>[groupCount];
        var initial = new double?[groupCount];
        var counts = new bool[groupCount];
        for (int g = 0; g < groupCount; g++) options[g] = new Dictionary<string, double>(StringComparer.Ordinal);
        var groupOf = new int[_parameters.Count];
        for (int g = 0, i = 0; g < groupCount; g++)
            for (int k = 0; k < _groups[g].ParameterArray.Length; k++) groupOf[i++] = g;

        if (!state.ContainsKey(ParameterCountKey)) problems.Add($"missing '{ParameterCountKey}'");
        if (!state.ContainsKey(GroupCountKey)) problems.Add($"missing '{GroupCountKey}'");
        foreach (var (key, value) in state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (extra is not null && extra(key)) continue;
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
            if (key == ParameterCountKey)
            {
                if (CheckScalar(key, value, problems) is { } v && v != _parameters.Count)
                    problems.Add($"'{key}' is {Format(v)} but the optimizer has {_parameters.Count} parameters");
            }
            else if (key == GroupCountKey)
            {
                if (CheckScalar(key, value, problems) is { } v && v != groupCount)
                    problems.Add($"'{key}' is {Format(v)} but the optimizer has {groupCount} parameter group{(groupCount == 1 ? "" : "s")}");
            }
            else if (TryParseKey(key, GroupPrefix, out int g, out string option))
            {
                if (g >= groupCount)
                {
                    problems.Add($"'{key}' refers to parameter group {g} but the optimizer has {groupCount} parameter group{(groupCount == 1 ? "" : "s")}");
                    continue;
                }
                if (CheckScalar(key, value, problems) is not { } v) continue;
                if (option == ParameterCountKey)
                {
                    counts[g] = true;
                    if (v != _groups[g].ParameterArray.Length)
                        problems.Add($"'{key}' is {Format(v)} but parameter group {g} has {_groups[g].ParameterArray.Length} parameters");
                }
                else if (option == InitialLearningRateKey)
                {
                    if (double.IsFinite(v) && v >= 0) initial[g] = v;
                    else problems.Add($"'{key}' is {Format(v)}, expected a finite learning rate >= 0");
                }
                else if (FindSpec(option) is not { } spec)
                {
                    problems.Add($"unexpected '{key}' ({Name}'s options are {DescribeOptions()})");
                }
                else if (CheckValue(spec, v) is { } problem)
                {
                    problems.Add($"'{key}': {problem}");
                }
                else
                {
                    options[g][option] = v;
                }
            }
            else if (TryParseKey(key, StatePrefix, out int index, out string name))
            {
                if (index >= _parameters.Count)
                    problems.Add($"'{key}' refers to parameter {index} but the optimizer has {_parameters.Count} parameters");
                else
                    (perParameter[index] ??= new Dictionary<string, Tensor>(StringComparer.Ordinal))[name] = value;
            }
            else
            {
                problems.Add($"unexpected '{key}'");
            }
        }
        bool groupsComplete = true;
        for (int g = 0; g < groupCount; g++)
        {
            if (!counts[g]) problems.Add($"missing '{GroupKey(g, ParameterCountKey)}'");
            foreach (var spec in _specs)
            {
                if (!options[g].ContainsKey(spec.Key))
                {
                    groupsComplete = false;
                    if (!state.ContainsKey(GroupKey(g, spec.Key))) problems.Add($"missing '{GroupKey(g, spec.Key)}'");
                }
            }
            if (groupsComplete && CheckCombination(options[g]) is { } combined) problems.Add($"parameter group {g}: {combined.Message}");
        }
        var loaded = new ParameterState?[_parameters.Count];
        for (int i = 0; i < perParameter.Length; i++)
        {
            if (perParameter[i] is not { } entries) continue;
            var p = _parameters[i];
            var groupOptions = groupsComplete ? options[groupOf[i]] : _groups[groupOf[i]].Options;
            var buffers = new HashSet<string>(BufferNames(groupOptions), StringComparer.Ordinal);
            var scalars = new HashSet<string>(ScalarNames(groupOptions), StringComparer.Ordinal);
            if (CountsSteps) scalars.Add(StepName);
            var s = new ParameterState();
            foreach (var (name, value) in entries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string key = Key(i, name);
                if (scalars.Contains(name))
                {
                    if (CheckScalar(key, value, problems) is not { } v) continue;
                    if (name == StepName)
                    {
                        if (!(v >= 0 && v <= 9007199254740992.0 && Math.Floor(v) == v)) problems.Add($"'{key}' is {Format(v)}, expected a non-negative integer step count");
                        else s.Step = (long)v;
                    }
                    else if (!double.IsFinite(v))
                    {
                        problems.Add($"'{key}' is {Format(v)}, expected a finite number");
                    }
                    else
                    {
                        s.Scalars[name] = v;
                    }
                }
                else if (!buffers.Contains(name))
                {
                    var expected = new HashSet<string>(buffers.Concat(scalars), StringComparer.Ordinal);
                    problems.Add($"unexpected '{key}' ({Name} keeps {DescribeExpected(expected)} per parameter)");
                }
                else if (!value.Shape.SequenceEqual(p.Shape))
                {
                    problems.Add($"'{key}' has shape {FormatShape(value.Shape)}, expected {FormatShape(p.Shape)} (the shape of parameter {i})");
                }
                else if (value.DType != p.DType)
                {
                    problems.Add($"'{key}' has dtype {value.DType.Name()}, expected {p.DType.Name()} (the dtype of parameter {i})");
                }
                else
                {
                    s.Buffers[name] = value;
                }
            }
            foreach (var name in buffers.Concat(scalars).Order(StringComparer.Ordinal))
                if (!entries.ContainsKey(name)) problems.Add($"missing '{Key(i, name)}'");
            loaded[i] = s;
        }
        return () =>
        {
            using (Autodiff.NoGrad())
            {
                foreach (var s in loaded)
                {
                    if (s is null) continue;
                    foreach (var name in s.Buffers.Keys.ToList()) s.Buffers[name] = s.Buffers[name].Clone();
                }
            }
            for (int g = 0; g < groupCount; g++)
            {
                foreach (var (name, value) in options[g]) _groups[g].OptionsMutable[name] = value;
                _groups[g].InitialLearningRate = initial[g];
            }
            _state = [.. loaded];
        };
    }

    /// <summary>Whether the group's flag option <paramref name="name"/> is set (1).</summary>
    /// <param name="group">The group.</param>
    /// <param name="name">The flag's name.</param>
    /// <returns>Whether it is 1.</returns>
    private protected static bool Flag(ParamGroup group, string name) => group.OptionsMutable[name] != 0;

    /// <summary>Whether the options' flag <paramref name="name"/> is set (1).</summary>
    /// <param name="options">The options.</param>
    /// <param name="name">The flag's name.</param>
    /// <returns>Whether it is 1.</returns>
    private protected static bool Flag(IReadOnlyDictionary<string, double> options, string name) => options[name] != 0;

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

    /// <summary>The groups, or an <see cref="ArgumentNullException"/> naming <c>groups</c>.</summary>
    /// <param name="groups">The groups given to a constructor.</param>
    /// <returns><paramref name="groups"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null.</exception>
    private protected static IEnumerable<ParamGroup> Groups(IEnumerable<ParamGroup>? groups) =>
        groups ?? throw new ArgumentNullException(nameof(groups), "The parameter groups are null.");

    private static IEnumerable<ParamGroup>? OneGroup(IEnumerable<Tensor>? parameters) =>
        parameters is null ? null : [new ParamGroup(parameters.ToArray(), new Dictionary<string, double>(StringComparer.Ordinal))];

    /// <summary>The single group made of <paramref name="parameters"/> (null stays null, for the base constructor to refuse).</summary>
    /// <param name="parameters">The parameters, or null.</param>
    /// <returns>One group, or null.</returns>
    private protected static IEnumerable<ParamGroup>? Single(IEnumerable<Tensor>? parameters) => OneGroup(parameters);

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

    private static bool TryParseKey(string key, string prefix, out int index, out string name)
    {
        index = -1;
        name = "";
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(prefix.Length);
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

    private static string GroupKey(int index, string name) => string.Create(CultureInfo.InvariantCulture, $"{GroupPrefix}{index}.{name}");

    private static string DescribeExpected(HashSet<string> expected) =>
        expected.Count == 0 ? "no state" : string.Join(", ", expected.Order(StringComparer.Ordinal).Select(n => $"'{n}'"));

    /// <summary>Formats a number for messages, culture-invariant and round-trippable.</summary>
    /// <param name="value">The number.</param>
    /// <returns>Its shortest round-trip text, culture-invariant.</returns>
    private protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatShape(int[] shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>How an optimizer option is checked.</summary>
internal enum OptionKind
{
    /// <summary>Finite and ≥ 0.</summary>
    NonNegative,

    /// <summary>In [0, 1).</summary>
    UnitInterval,

    /// <summary>Finite.</summary>
    Finite,

    /// <summary>0 or 1.</summary>
    Flag,

    /// <summary>An integer ≥ 1.</summary>
    PositiveInteger,

    /// <summary>Finite and &gt; 0.</summary>
    Positive,

    /// <summary>In [0, 1].</summary>
    ClosedUnitInterval,
}

/// <summary>An optimizer option: its PyTorch name, default, check, and how messages call it.</summary>
/// <param name="Key">The option's name in the groups and the state.</param>
/// <param name="Default">The constructor's value.</param>
/// <param name="Kind">The check.</param>
/// <param name="What">The option in messages (e.g. "weight decay").</param>
/// <param name="ParamName">The constructor parameter.</param>
internal readonly record struct OptionSpec(string Key, double Default, OptionKind Kind, string What, string ParamName)
{
    /// <summary>A flag option.</summary>
    /// <param name="key">The option's name.</param>
    /// <param name="value">The constructor's value.</param>
    /// <param name="paramName">The constructor parameter.</param>
    /// <returns>The spec.</returns>
    public static OptionSpec Flag(string key, bool value, string paramName) => new(key, value ? 1 : 0, OptionKind.Flag, key, paramName);
}

/// <summary>What an <see cref="Optimizer"/> keeps for one parameter: a step count, named numbers and named buffers.</summary>
public sealed class ParameterState
{
    internal ParameterState()
    {
    }

    /// <summary>How many updates this parameter has had (for optimizers that count steps).</summary>
    public long Step { get; set; }

    /// <summary>Per-parameter numbers other than the step count (e.g. ASGD's <c>eta</c> and <c>mu</c>), by name.</summary>
    public Dictionary<string, double> Scalars { get; } = new(StringComparer.Ordinal);

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
