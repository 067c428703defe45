namespace Autograd.Nn;

/// <summary>
/// Base of every layer and model (PyTorch's nn.Module): registered parameters, buffers and child modules with
/// dotted names (<c>layers.0.weight</c>), train/eval mode, gradient zeroing, and state dictionaries.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter? Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    /// <summary>Whether the module is in training mode (dropout active); true on construction.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Same as <see cref="Forward"/>, so that a module reads like a function: <c>model.Call(x)</c>.</summary>
    public Tensor Call(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Forward(input);
    }

    /// <summary>Registers a parameter under <paramref name="name"/> and returns it, e.g. <c>Weight = RegisterParameter("weight", w)</c>.</summary>
    protected Parameter RegisterParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        var p = value as Parameter ?? new Parameter(value);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Registers a tensor saved in the state dictionary but not trained (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid name '{name}': names must be non-empty and contain no '.'.");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
    }

    /// <summary>The direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Name, c.Value));

    /// <summary>This module and all descendants, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        yield return (prefix, this);
        foreach (var (name, child) in _children)
            foreach (var m in child.NamedModules(Join(prefix, name)))
                yield return m;
    }

    /// <summary>Every parameter of this module and its descendants with its dotted name, in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, p) in module._parameters)
                if (p is not null) yield return (Join(prefix, name), p);
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, b) in module._buffers)
                yield return (Join(prefix, name), b);
    }

    /// <summary>The number of trainable elements.</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.NumElements);

    /// <summary>Sets training mode on this module and its descendants.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
        return this;
    }

    /// <summary>Sets evaluation mode (same as <c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Clears the gradients of every parameter: sets them to null (PyTorch's default), or with
    /// <paramref name="setToNone"/> false fills them with zeros in place, so the next backward accumulates into the
    /// same storage and allocates nothing.
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters())
        {
            if (setToNone || p.Grad is null) p.ZeroGrad();
            else
                using (Autodiff.NoGrad()) p.Grad.ZeroInPlace();
        }
    }

    /// <summary>Parameters and buffers by dotted name (they share storage with the module).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in NamedParameters()) state[name] = p;
        foreach (var (name, b) in NamedBuffers()) state[name] = b;
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters and buffers. Everything is checked first —
    /// missing or unexpected names (when <paramref name="strict"/>), shapes, dtypes — and on any mismatch an
    /// <see cref="ArgumentException"/> lists them all and the module is left unchanged.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var problems = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source))
            {
                if (strict) problems.Add($"missing '{name}'");
                continue;
            }
            if (source is null)
            {
                problems.Add($"'{name}' is null");
                continue;
            }
            if (!source.Shape.SequenceEqual(target.Shape))
                problems.Add($"'{name}' has shape [{string.Join(", ", source.Shape)}], expected [{string.Join(", ", target.Shape)}]");
            else if (source.DType != target.DType)
                problems.Add($"'{name}' has dtype {source.DType.Name()}, expected {target.DType.Name()}");
        }
        if (strict)
            foreach (var name in state.Keys.Where(k => !own.ContainsKey(k)))
                problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: " + string.Join("; ", problems) + ". The module was not changed.");
        using (Autodiff.NoGrad())
            foreach (var (name, target) in own)
                if (state.TryGetValue(name, out var source)) target.CopyFrom(source);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
