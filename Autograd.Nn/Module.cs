using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Autograd.Nn;

/// <summary>
/// Base of every layer and model (PyTorch's nn.Module): registered parameters, buffers and child modules with
/// dotted names (<c>layers.0.weight</c>), train/eval mode, gradient zeroing, and state dictionaries.
/// </summary>
/// <remarks>
/// <para>
/// Instance fields whose declared type is a <see cref="Module"/> or <see cref="Parameter"/> (also the backing fields of
/// auto-properties, and those of inherited classes) are registered automatically, as PyTorch registers attributes:
/// under the field's or property's name in snake_case without leading underscores (<c>_fc1</c> and <c>Fc1</c> become
/// <c>fc1</c>, <c>HiddenLayer</c> becomes <c>hidden_layer</c>), in declaration order (base class first), after the
/// explicit registrations. The fields are read whenever the module is walked (<see cref="Parameters"/>,
/// <see cref="StateDict"/>, <see cref="Train"/>, <see cref="ToString"/>, …), so assigning a field later (replacing a
/// head for fine-tuning) replaces the registration, and a field set to null drops it. A value that was registered
/// explicitly (<c>Weight = RegisterParameter("weight", …)</c>) keeps its explicit name; mark a field
/// <see cref="NotRegisteredAttribute"/> to keep a reference that is not a child.
/// </para>
/// <para>
/// A module may appear more than once in the tree (weight tying): <see cref="NamedModules"/>,
/// <see cref="NamedParameters"/>, <see cref="NamedBuffers"/> and everything built on them (<see cref="Parameters"/>,
/// <see cref="ParameterCount"/>, <see cref="ZeroGrad"/>, <see cref="Train"/>) yield each module, parameter and
/// buffer once, under its first name, while <see cref="StateDict"/> keeps every name, as PyTorch does. A module
/// cannot contain itself: registering a cycle throws.
/// </para>
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Parameter? Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];
    // Names of the buffers registered with persistent: false (left out of StateDict), or null when there are none.
    private HashSet<string>? _nonPersistent;
    // Forward and backward hooks; null while none is registered, so that Call costs one null check.
    private ModuleHooks? _hooks;
    // Automatic registration of fields: per field of FindAutoFields(GetType()), the value last adopted and the name it
    // was registered under (null when it was registered explicitly, or is null).
    private object?[]? _fieldValues;
    private string?[]? _fieldNames;

    /// <summary>Whether the module is in training mode (dropout active); true on construction.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output from one tensor. Every one-tensor module overrides it.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    /// <exception cref="InvalidOperationException">
    /// The module does not take one tensor (it derives from <see cref="Module{T1, T2, TResult}"/>, for example, or
    /// defines no forward computation), as PyTorch raises for a module without <c>forward</c>.
    /// </exception>
    public virtual Tensor Forward(Tensor input) =>
        throw new InvalidOperationException(
            $"{GetType().Name}.Forward: this module does not take a single tensor; call the Forward overload it defines.");

    /// <summary>
    /// Runs the module as PyTorch's <c>__call__</c>: the forward pre-hooks, <see cref="Forward"/>, the forward hooks,
    /// and sets up the full backward hooks (<see cref="RegisterForwardPreHook"/>, <see cref="RegisterForwardHook"/>,
    /// <see cref="RegisterFullBackwardHook"/>). Calling <see cref="Forward"/> directly skips the hooks, as in PyTorch;
    /// <see cref="Sequential"/> and the containers call their children through <see cref="Call"/>.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <returns>The output of <see cref="Forward"/> (or what a forward hook replaced it with).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public Tensor Call(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _hooks is null ? Forward(input) : CallWithHooks(input);
    }

    private Tensor CallWithHooks(Tensor input)
    {
        var hooks = _hooks;
        if (hooks is null) return Forward(input);
        foreach (var h in hooks.Pre)
            if (((Func<Module, Tensor, Tensor?>)h.Hook)(this, input) is { } replaced) input = replaced;
        BackwardHookCall? backward = null;
        if (hooks.Backward.Length > 0 && Autodiff.IsGradEnabled)
        {
            backward = new BackwardHookCall(this, hooks.Backward);
            if (input.RequiresGrad) input = backward.WrapInput(input);
        }
        var output = Forward(input);
        foreach (var h in hooks.Forward)
            if (((Func<Module, Tensor, Tensor, Tensor?>)h.Hook)(this, input, output) is { } replaced) output = replaced;
        if (backward is not null && output.RequiresGrad) output = backward.WrapOutput(output);
        return output;
    }

    // ---- Hooks ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Registers <paramref name="hook"/> to run before <see cref="Forward"/> each time the module is invoked through
    /// <see cref="Call(Tensor)"/> (PyTorch's <c>register_forward_pre_hook</c>), with the module and its input;
    /// returning null keeps the input, returning a tensor replaces it. Hooks run in registration order.
    /// </summary>
    /// <param name="hook">Called with (module, input); returns null or the input to use instead.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// The module does not take a single tensor (a <see cref="Module{TInput, TResult}"/> or
    /// <see cref="Module{T1, T2, TResult}"/>, whose own <c>RegisterForwardPreHook</c> overload takes its types).
    /// </exception>
    public RemovableHandle RegisterForwardPreHook(Func<Module, Tensor, Tensor?> hook) =>
        AddHook(HookKind.Pre, hook, nameof(RegisterForwardPreHook), oneTensor: true);

    /// <summary>
    /// Registers <paramref name="hook"/> to run after <see cref="Forward"/> each time the module is invoked through
    /// <see cref="Call(Tensor)"/> (PyTorch's <c>register_forward_hook</c>), with the module, its input and its output;
    /// returning null keeps the output, returning a tensor replaces it. Hooks run in registration order.
    /// </summary>
    /// <param name="hook">Called with (module, input, output); returns null or the output to use instead.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The module does not take a single tensor (see <see cref="RegisterForwardPreHook"/>).</exception>
    public RemovableHandle RegisterForwardHook(Func<Module, Tensor, Tensor, Tensor?> hook) =>
        AddHook(HookKind.Forward, hook, nameof(RegisterForwardHook), oneTensor: true);

    /// <summary>
    /// Registers <paramref name="hook"/> to run when the gradient with respect to the module's input is computed, in
    /// each backward pass through a call made with <see cref="Call(Tensor)"/> while grad mode was on (PyTorch's
    /// <c>register_full_backward_hook</c>). It gets the module, the gradient with respect to the input of that call
    /// (null when the input does not require grad; the hook then runs when the output's gradient is known) and the
    /// gradient with respect to its output; returning null keeps the input's gradient, returning a tensor of its
    /// shape and dtype replaces it. These are the gradients of this call alone, not totals over other uses of the
    /// same tensors.
    /// </summary>
    /// <param name="hook">Called with (module, gradInput, gradOutput); returns null or the input's gradient to use instead.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The module does not take a single tensor (see <see cref="RegisterForwardPreHook"/>).</exception>
    public RemovableHandle RegisterFullBackwardHook(Func<Module, Tensor?, Tensor, Tensor?> hook) =>
        AddHook(HookKind.Backward, hook, nameof(RegisterFullBackwardHook), oneTensor: true);

    internal ModuleHooks? Hooks => _hooks;

    internal RemovableHandle AddHook(HookKind kind, Delegate hook, string op, bool oneTensor)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (oneTensor && !TakesOneTensor(GetType()))
            throw new InvalidOperationException(
                $"{ReprName}.{op}: this module does not take a single tensor, so a hook on Call(Tensor) would never run; " +
                "register the hook through the module's own type (Module<TInput, TResult> or Module<T1, T2, TResult>).");
        var entry = new HookEntry(hook);
        lock (_children)
        {
            var hooks = _hooks is null ? new ModuleHooks() : _hooks.Clone();
            hooks.Set(kind, [.. hooks.Get(kind), entry]);
            _hooks = hooks;
        }
        return new RemovableHandle(() => RemoveHook(kind, entry));
    }

    private void RemoveHook(HookKind kind, HookEntry entry)
    {
        lock (_children)
        {
            if (_hooks is null || Array.IndexOf(_hooks.Get(kind), entry) < 0) return;
            var hooks = _hooks.Clone();
            hooks.Set(kind, hooks.Get(kind).Where(e => !ReferenceEquals(e, entry)).ToArray());
            _hooks = hooks.IsEmpty ? null : hooks;
        }
    }

    private static readonly MethodInfo s_forward = typeof(Module).GetMethod(nameof(Forward), [typeof(Tensor)])!;
    private static readonly ConcurrentDictionary<Type, bool> s_takesOneTensor = new();

    /// <summary>Whether modules of <paramref name="type"/> override <see cref="Forward"/>(Tensor), i.e. take one tensor.</summary>
    internal static bool TakesOneTensor(Type type) => s_takesOneTensor.GetOrAdd(type, static t =>
        t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(m => m.Name == nameof(Forward) && m.DeclaringType != typeof(Module) && m.GetBaseDefinition() == s_forward));

    /// <summary>Registers a parameter under <paramref name="name"/> and returns it, e.g. <c>Weight = RegisterParameter("weight", w)</c>.</summary>
    /// <param name="name">The name, non-empty and without '.'.</param>
    /// <param name="value">The tensor; wrapped in a new <see cref="Parameter"/> unless it is one.</param>
    /// <returns>The registered parameter.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, contains '.', or is already registered.</exception>
    protected Parameter RegisterParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        var p = value as Parameter ?? new Parameter(value);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>
    /// Registers a tensor that is part of the module's state but not trained (e.g. running statistics): listed by
    /// <see cref="NamedBuffers"/>, converted by <see cref="To(DType)"/> when floating-point, and, when
    /// <paramref name="persistent"/>, saved by <see cref="StateDict"/> and loaded by <see cref="LoadStateDict"/>
    /// (PyTorch's <c>register_buffer(name, tensor, persistent)</c>).
    /// </summary>
    /// <param name="name">The name, non-empty and without '.'.</param>
    /// <param name="value">The tensor.</param>
    /// <param name="persistent">Whether the buffer is part of the state dictionary; false for derived values (a cached mask) that a checkpoint should not carry.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, contains '.', or is already registered.</exception>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        _buffers.Add((name, value));
        if (!persistent) (_nonPersistent ??= []).Add(name);
        return value;
    }

    /// <summary>
    /// Registers a child module under <paramref name="name"/> and returns it. The same module may be registered
    /// under several names or in several parents (weight tying), but not so that a module contains itself.
    /// </summary>
    /// <typeparam name="T">The type of the child.</typeparam>
    /// <param name="name">The name, non-empty and without '.'.</param>
    /// <param name="module">The child.</param>
    /// <returns><paramref name="module"/>.</returns>
    /// <exception cref="ArgumentException">The name is invalid or taken, or <paramref name="module"/> is this module or contains it.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="module"/> is null.</exception>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this) || Contains(module, this))
            throw new ArgumentException(
                $"{ReprName}: cannot register '{name}': the {module.ReprName} {(ReferenceEquals(module, this) ? "is this module itself" : "contains this module")}, " +
                "and a module cannot contain itself.", nameof(module));
        _children.Add((name, module));
        return module;
    }

    // ---- Containers (ModuleList, ModuleDict, ParameterList, ParameterDict) -------------------------------------

    /// <summary>Throws as <see cref="RegisterModule"/> does if <paramref name="module"/> is this module or contains it.</summary>
    internal void CheckChild(Module module, string op)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this) || Contains(module, this))
            throw new ArgumentException(
                $"{op}: the {module.ReprName} {(ReferenceEquals(module, this) ? "is this container itself" : "contains this container")}, " +
                "and a module cannot contain itself.", nameof(module));
    }

    /// <summary>Throws as PyTorch's <c>add_module</c> does for a key that cannot be a name.</summary>
    internal static void CheckKey(string key, string op)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) throw new ArgumentException($"{op}: a key cannot be the empty string.", nameof(key));
        if (key.Contains('.')) throw new ArgumentException($"{op}: a key cannot contain '.', got '{key}'.", nameof(key));
    }

    /// <summary>Replaces every child registration (checked by the caller with <see cref="CheckChild"/>).</summary>
    internal void SetChildren(IEnumerable<(string Name, Module Module)> children)
    {
        lock (_children)
        {
            _children.Clear();
            _children.AddRange(children);
        }
    }

    /// <summary>Replaces every parameter registration.</summary>
    internal void SetParameters(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        _parameters.Clear();
        foreach (var (name, p) in parameters) _parameters.Add((name, p));
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid name '{name}': names must be non-empty and contain no '.'.");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
    }

    /// <summary>The direct children with their names; a child registered under several names is listed once, under the first.</summary>
    /// <returns>A snapshot of the children, in registration order.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        SyncFields();
        var memo = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return _children.Where(c => memo.Add(c.Value)).Select(c => (c.Name, c.Value)).ToList();
    }

    /// <summary>The direct children, each once, in registration order (PyTorch's <c>children()</c>).</summary>
    /// <returns>A snapshot of the children.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module).ToList();

    /// <summary>This module and all descendants, depth first, each once (PyTorch's <c>modules()</c>); the modules of <see cref="NamedModules"/>.</summary>
    /// <returns>A snapshot of the tree, this module first.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module).ToList();

    /// <summary>
    /// Calls <paramref name="fn"/> on every child's tree (recursively, children first) and then on this module, as
    /// PyTorch's <c>apply(fn)</c>, e.g. to initialise every <see cref="Linear"/> of a model. A child that a module
    /// holds under several names is visited once there; one shared by two parents is visited under each.
    /// </summary>
    /// <param name="fn">The action to run on each module.</param>
    /// <returns>This module.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public Module Apply(Action<Module> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        foreach (var child in Children()) child.Apply(fn);
        fn(this);
        return this;
    }

    /// <summary>
    /// Sets <see cref="Tensor.RequiresGrad"/> on every parameter of this module and its descendants (PyTorch's
    /// <c>requires_grad_</c>): false freezes them (a pretrained backbone), so backward computes no gradient for them
    /// and optimizers skip them.
    /// </summary>
    /// <param name="requiresGrad">Whether the parameters require grad.</param>
    /// <returns>This module.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public Module RequireGrad(bool requiresGrad = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>
    /// Converts every floating-point parameter and buffer of this module and its descendants to
    /// <paramref name="dtype"/> in place, as PyTorch's <c>module.to(dtype)</c>: the <see cref="Parameter"/> and buffer
    /// objects stay the same (so a layer's properties, and an optimizer built before, see the converted tensors) and
    /// get new storage; gradients are converted with them; int64 buffers are left alone. Optimizer state already
    /// made by a step (Adam's moments) keeps its old dtype, so convert before the first step. Views of a parameter
    /// taken before keep the old values.
    /// </summary>
    /// <param name="dtype">The floating-point dtype.</param>
    /// <returns>This module.</returns>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not floating-point.</exception>
    /// <exception cref="InvalidOperationException">
    /// A parameter or buffer to convert cannot be: released with the <see cref="BufferScope"/> that computed it, or
    /// produced by a recorded op (not a leaf); the module is then unchanged.
    /// </exception>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{ReprName}.To: modules convert to floating-point dtypes (float32, float64) only, not {dtype.Name()}.", nameof(dtype));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var targets = new List<Tensor>();
        var problems = new List<string>();
        foreach (var (prefix, module) in NamedModules())
        {
            foreach (var (name, p) in module._parameters)
                if (p is not null && seen.Add(p)) Check(Join(prefix, name), p);
            foreach (var (name, b) in module._buffers)
                if (b.DType.IsFloatingPoint() && seen.Add(b)) Check(Join(prefix, name), b);
        }
        if (problems.Count > 0)
            throw new InvalidOperationException($"{ReprName}.To: " + string.Join("; ", problems) + ". The module was not changed.");
        foreach (var t in targets) t.ConvertInPlace(dtype);
        return this;

        void Check(string name, Tensor t)
        {
            if (TensorChecks.Unreadable(t) is { } why) problems.Add($"'{name}' cannot be read: {why}");
            else if (!t.IsLeaf) problems.Add($"'{name}' was produced by '{t.GradFnName}', and only leaves can be converted in place");
            else targets.Add(t);
        }
    }

    /// <summary>Converts the floating-point parameters and buffers to float32 in place (PyTorch's <c>float()</c>); same as <c>To(DType.Float32)</c>.</summary>
    /// <returns>This module.</returns>
    /// <exception cref="InvalidOperationException">As for <see cref="To(DType)"/>.</exception>
    public Module Float() => To(DType.Float32);

    /// <summary>Converts the floating-point parameters and buffers to float64 in place (PyTorch's <c>double()</c>); same as <c>To(DType.Float64)</c>.</summary>
    /// <returns>This module.</returns>
    /// <exception cref="InvalidOperationException">As for <see cref="To(DType)"/>.</exception>
    public Module Double() => To(DType.Float64);

    /// <summary>
    /// This module and all descendants, depth first, with dotted names (<paramref name="prefix"/> for this one); a
    /// module that appears more than once is listed once, under its first name (PyTorch's <c>named_modules()</c>).
    /// </summary>
    /// <param name="prefix">The name of this module, prepended with a dot to every descendant's.</param>
    /// <returns>A snapshot of the tree, this module first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="prefix"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<(string Name, Module Module)>();
        CollectModules(this, prefix, new HashSet<Module>(ReferenceEqualityComparer.Instance), result);
        return result;
    }

    private static void CollectModules(Module module, string prefix, HashSet<Module> memo, List<(string, Module)> into)
    {
        if (!memo.Add(module)) return;
        module.SyncFields();
        into.Add((prefix, module));
        foreach (var (name, child) in module._children) CollectModules(child, Join(prefix, name), memo, into);
    }

    /// <summary>
    /// Every parameter of this module and its descendants with its dotted name, in registration order; a parameter
    /// that appears more than once (a shared module or tensor) is listed once, under its first name.
    /// </summary>
    /// <returns>The parameters with their names, enumerated lazily.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var memo = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, p) in module._parameters)
                if (p is not null && memo.Add(p)) yield return (Join(prefix, name), p);
    }

    /// <summary>Every parameter of this module and its descendants, each once (so <c>new Adam(model.Parameters())</c> works for tied weights).</summary>
    /// <returns>The parameters, enumerated lazily.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of this module and its descendants with its dotted name, each once, under its first name.</summary>
    /// <returns>The buffers with their names, enumerated lazily.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var memo = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, b) in module._buffers)
                if (memo.Add(b)) yield return (Join(prefix, name), b);
    }

    /// <summary>The number of trainable elements, each parameter counted once.</summary>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public long ParameterCount => Parameters().Sum(p => (long)p.NumElements);

    /// <summary>Sets training mode on this module and its descendants.</summary>
    /// <param name="training">True for training mode, false for evaluation mode.</param>
    /// <returns>This module.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
        return this;
    }

    /// <summary>Sets evaluation mode (same as <c>Train(false)</c>).</summary>
    /// <returns>This module.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public Module Eval() => Train(false);

    /// <summary>
    /// Clears the gradients of every parameter: sets them to null (PyTorch's default), or with
    /// <paramref name="setToNone"/> false fills them with zeros in place, so the next backward accumulates into the
    /// same storage and allocates nothing.
    /// </summary>
    /// <param name="setToNone">Whether to set the gradients to null (true) or fill them with zeros in place (false).</param>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters())
        {
            if (setToNone || p.StoredGrad is null) p.ZeroGrad();
            else
                using (Autodiff.NoGrad()) p.StoredGrad.ZeroInPlace();
        }
    }

    /// <summary>
    /// Parameters and buffers by dotted name (they share storage with the module): each module's parameters, then
    /// its buffers, then its children's entries, as PyTorch's <c>state_dict()</c>. A shared module or tensor appears
    /// under every name it has (<c>0.weight</c> and <c>2.weight</c> for <c>Sequential(lin, act, lin)</c>), as in PyTorch.
    /// </summary>
    /// <returns>A new dictionary whose tensors are the module's own parameters and buffers.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        SaveTo(state, "");
        return state;
    }

    // Terminates because registration refuses cycles.
    private void SaveTo(Dictionary<string, Tensor> state, string prefix)
    {
        SyncFields();
        foreach (var (name, p) in _parameters)
            if (p is not null) state[Join(prefix, name)] = p;
        foreach (var (name, b) in _buffers)
            if (_nonPersistent is null || !_nonPersistent.Contains(name)) state[Join(prefix, name)] = b;
        foreach (var (name, child) in _children) child.SaveTo(state, Join(prefix, name));
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters and buffers. Everything is checked before the
    /// first tensor is written — missing or unexpected names (when <paramref name="strict"/>), null, released,
    /// misshapen or mistyped sources, and targets that cannot be written in place — so that a failed load leaves
    /// every parameter and buffer exactly as it was.
    /// </summary>
    /// <param name="state">Tensors by dotted name, as <see cref="StateDict"/> gives them.</param>
    /// <param name="strict">Whether missing and unexpected names are errors (as PyTorch's <c>strict</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// Some entries of <paramref name="state"/> do not fit (missing, unexpected, null, of another shape or dtype, or
    /// released with the <see cref="BufferScope"/> that computed them); the message lists them all.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// A parameter or buffer that would be loaded cannot be written in place (a broadcast view, or released); the
    /// message lists them all.
    /// </exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var problems = new List<string>();
        var unwritable = new List<string>();
        var copies = new List<(Tensor Target, Tensor Source)>(own.Count);
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
            else if (TensorChecks.Unreadable(source) is { } why)
                problems.Add($"'{name}' cannot be read: {why}");
            if (TensorChecks.Unwritable(target) is { } cannot)
                unwritable.Add($"'{name}' cannot be written in place: {cannot}");
            copies.Add((target, source));
        }
        if (strict)
            foreach (var name in state.Keys.Where(k => !own.ContainsKey(k)))
                problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: " + string.Join("; ", problems) + ". The module was not changed.");
        if (unwritable.Count > 0)
            throw new InvalidOperationException($"{GetType().Name}.LoadStateDict: " + string.Join("; ", unwritable) + ". The module was not changed.");
        using (Autodiff.NoGrad())
            foreach (var (target, source) in copies) target.CopyFrom(source);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- Printing ---------------------------------------------------------------------------------------------

    /// <summary>
    /// The module's configuration, shown inside the parentheses of <see cref="ToString"/> (PyTorch's
    /// <c>extra_repr()</c>), e.g. <c>in_features=8, out_features=4, bias=True</c> for a <see cref="Linear"/>; empty by
    /// default. Override it in a custom module to show its settings.
    /// </summary>
    /// <returns>One line (or several, separated by <c>\n</c>), without the module's name.</returns>
    public virtual string ExtraRepr() => "";

    /// <summary>
    /// The module tree as PyTorch's <c>repr(model)</c> prints it: the type name, then <see cref="ExtraRepr"/> and each
    /// child as <c>(name): …</c> indented by two spaces, e.g.
    /// <c>Sequential(\n  (0): Linear(in_features=8, out_features=8, bias=True)\n  (1): ReLU()\n)</c>. A shared
    /// module is printed at each place it appears. <see cref="Summary"/> adds parameter counts.
    /// </summary>
    /// <returns>The description, without a trailing newline.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public override string ToString()
    {
        SyncFields();
        string extra = ExtraRepr() ?? "";
        var lines = new List<string>(extra.Length == 0 ? [] : extra.Split('\n'));
        int extraLines = lines.Count;
        foreach (var (name, child) in _children) lines.Add($"({name}): {Indent(child.ToString() ?? "", 2)}");
        if (lines.Count == 0) return ReprName + "()";
        if (extraLines == 1 && _children.Count == 0) return $"{ReprName}({lines[0]})";
        return ReprName + "(\n  " + string.Join("\n  ", lines) + "\n)";
    }

    // PyTorch's _addindent: every line but the first is indented.
    private static string Indent(string text, int spaces) => text.Replace("\n", "\n" + new string(' ', spaces));

    private string ReprName
    {
        get
        {
            string name = GetType().Name;
            int tick = name.IndexOf('`');
            return tick < 0 ? name : name[..tick];
        }
    }

    /// <summary>
    /// A table of the module tree with parameter counts: one line per module, shaped like <see cref="ToString"/>
    /// (<c>(name): Linear(in_features=8, out_features=8, bias=True)</c>, two spaces deeper per level) with the number of
    /// parameter elements the module holds itself (not its children's) at the right, then the total (equal to
    /// <see cref="ParameterCount"/>) and how many of them require grad. A module or parameter that appears more than
    /// once is counted where it first appears; a repeated module is marked <c>(shared with 'name')</c>.
    /// </summary>
    /// <returns>The table, lines separated by <c>\n</c>, without a trailing newline.</returns>
    /// <exception cref="InvalidOperationException">A field of a custom module cannot be registered automatically (see the remarks on the class).</exception>
    public string Summary()
    {
        var rows = new List<(string Text, long Count)>();
        var firstName = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        var counted = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        long total = 0, trainable = 0;
        void Visit(Module module, string label, string path, int depth)
        {
            string indent = new(' ', 2 * depth);
            if (firstName.TryGetValue(module, out var first))
            {
                rows.Add(($"{indent}{label}{module.ReprName} (shared with '{first}')", 0));
                return;
            }
            firstName[module] = path;
            module.SyncFields();
            long own = 0;
            foreach (var (_, p) in module._parameters)
            {
                if (p is null || !counted.Add(p)) continue;
                own += p.NumElements;
                if (p.RequiresGrad) trainable += p.NumElements;
            }
            total += own;
            string extra = (module.ExtraRepr() ?? "").Replace("\n", ", ");
            string text = module._children.Count > 0 && extra.Length == 0 ? module.ReprName : $"{module.ReprName}({extra})";
            rows.Add((indent + label + text, own));
            foreach (var (name, child) in module._children) Visit(child, $"({name}): ", Join(path, name), depth + 1);
        }
        Visit(this, "", "", 0);
        rows.Add(("total", total));
        rows.Add(("trainable", trainable));
        const string header = "parameters";
        int width = Math.Max(header.Length, rows.Max(r => r.Count.ToString(CultureInfo.InvariantCulture).Length));
        int textWidth = Math.Max("module".Length, rows.Max(r => r.Text.Length));
        var sb = new StringBuilder();
        sb.Append("module".PadRight(textWidth + 2)).Append(header.PadLeft(width));
        foreach (var (text, count) in rows)
            sb.Append('\n').Append(text.PadRight(textWidth + 2)).Append(count.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        return sb.ToString();
    }

    // ---- Automatic registration of fields ---------------------------------------------------------------------

    private sealed record AutoField(FieldInfo Field, string Name, string Member, bool IsModule);

    private static readonly ConcurrentDictionary<Type, AutoField[]> s_autoFields = new();

    // The fields of a module type that hold a Module or Parameter, base class first, each in declaration order.
    private static AutoField[] FindAutoFields(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(Module); t = t.BaseType) chain.Add(t);
        chain.Reverse();
        var fields = new List<AutoField>();
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var t in chain)
        {
            foreach (var f in t.GetFields(flags).OrderBy(f => f.MetadataToken))
            {
                bool isModule = typeof(Module).IsAssignableFrom(f.FieldType);
                if (!isModule && f.FieldType != typeof(Parameter)) continue;
                // <Fc1>k__BackingField (an auto-property) and <fc1>P (a captured primary-constructor parameter) name their member.
                string member = f.Name.StartsWith('<') && f.Name.IndexOf('>') > 1 ? f.Name[1..f.Name.IndexOf('>')] : f.Name;
                bool optedOut = f.IsDefined(typeof(NotRegisteredAttribute), false)
                    || (member != f.Name && t.GetProperty(member, flags)?.IsDefined(typeof(NotRegisteredAttribute), false) == true);
                if (!optedOut) fields.Add(new AutoField(f, RegistrationName(member), member, isModule));
            }
        }
        return fields.ToArray();
    }

    /// <summary>The name a field or property is registered under: snake_case without leading underscores (<c>_fc1</c>, <c>Fc1</c> → <c>fc1</c>; <c>LMHead</c> → <c>lm_head</c>).</summary>
    internal static string RegistrationName(string member)
    {
        var name = member.TrimStart('_');
        if (name.Length == 0) return member;
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && name[i - 1] != '_' &&
                    (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    // Brings the registrations up to date with the fields: cheap when nothing changed (one read per field).
    private void SyncFields()
    {
        var fields = s_autoFields.GetOrAdd(GetType(), FindAutoFields);
        if (fields.Length == 0) return;
        if (_fieldValues is { } seen)
        {
            bool changed = false;
            for (int i = 0; i < fields.Length && !changed; i++) changed = !ReferenceEquals(fields[i].Field.GetValue(this), seen[i]);
            if (!changed) return;
        }
        lock (_children)
        {
            var values = _fieldValues ?? new object?[fields.Length];
            var names = _fieldNames ?? new string?[fields.Length];
            _fieldValues = values;
            _fieldNames = names;
            for (int i = 0; i < fields.Length; i++)
            {
                var value = fields[i].Field.GetValue(this);
                if (ReferenceEquals(value, values[i])) continue;
                Adopt(fields[i], value, names, i);
                values[i] = value;
            }
        }
    }

    private void Adopt(AutoField field, object? value, string?[] names, int i)
    {
        string? previous = names[i];
        if (value is null || IsExplicitlyRegistered(value, names))
        {
            if (previous is not null) Unregister(previous, field.IsModule);
            names[i] = null;
            return;
        }
        if (field.IsModule)
        {
            var module = (Module)value;
            if (ReferenceEquals(module, this) || Contains(module, this))
                throw new InvalidOperationException(
                    $"{ReprName}: the field '{field.Member}' holds {(ReferenceEquals(module, this) ? "this module itself" : $"a {module.ReprName} that contains this module")}, " +
                    $"and a module cannot contain itself. Mark the field [NotRegistered] if it is a reference rather than a child.");
        }
        if (previous is not null)
        {
            Replace(previous, value, field.IsModule);
            return;
        }
        if (_parameters.Any(p => p.Name == field.Name) || _buffers.Any(b => b.Name == field.Name) || _children.Any(c => c.Name == field.Name))
            throw new InvalidOperationException(
                $"{ReprName}: the field '{field.Member}' would be registered as '{field.Name}', but that name is already registered. " +
                "Rename the field, register its value explicitly, or mark it [NotRegistered].");
        if (field.IsModule) _children.Add((field.Name, (Module)value));
        else _parameters.Add((field.Name, (Parameter)value));
        names[i] = field.Name;
    }

    private bool IsExplicitlyRegistered(object value, string?[] autoNames) =>
        value is Module m
            ? _children.Any(c => ReferenceEquals(c.Value, m) && Array.IndexOf(autoNames, c.Name) < 0)
            : _parameters.Any(p => ReferenceEquals(p.Value, value) && Array.IndexOf(autoNames, p.Name) < 0);

    private void Unregister(string name, bool isModule)
    {
        if (isModule) _children.RemoveAt(_children.FindIndex(c => c.Name == name));
        else _parameters.RemoveAt(_parameters.FindIndex(p => p.Name == name));
    }

    private void Replace(string name, object value, bool isModule)
    {
        if (isModule) _children[_children.FindIndex(c => c.Name == name)] = (name, (Module)value);
        else _parameters[_parameters.FindIndex(p => p.Name == name)] = (name, (Parameter)value);
    }

    // Whether target is a descendant of root among the registrations made so far.
    private static bool Contains(Module root, Module target)
    {
        var visited = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Module>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var m = stack.Pop();
            if (!visited.Add(m)) continue;
            foreach (var (_, child) in m._children)
            {
                if (ReferenceEquals(child, target)) return true;
                stack.Push(child);
            }
        }
        return false;
    }
}

/// <summary>
/// Keeps a <see cref="Module"/> or <see cref="Parameter"/> field (or auto-property) of a module from being registered
/// automatically: for a reference to a module that is not a child, such as a parent or a frozen teacher model.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class NotRegisteredAttribute : Attribute;

/// <summary>
/// A module whose forward computation takes one input or gives one output that is not a single tensor: a layer
/// returning two tensors (<c>Module&lt;Tensor, (Tensor, Tensor)&gt;</c>), or taking a tuple or a list. It sits in module
/// trees like any other module (parameters, state dict, modes, repr). A module mapping a tensor to a tensor derives
/// from <see cref="Module"/> and overrides <see cref="Module.Forward(Tensor)"/> instead, so that
/// <see cref="Sequential"/> can chain it.
/// </summary>
/// <typeparam name="TInput">The input's type.</typeparam>
/// <typeparam name="TResult">The output's type.</typeparam>
public abstract class Module<TInput, TResult> : Module
{
    /// <summary>Computes the module's output.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    public abstract TResult Forward(TInput input);

    /// <summary>
    /// Runs the forward pre-hooks, <see cref="Forward(TInput)"/> and the forward hooks, as PyTorch's <c>__call__</c>:
    /// <c>var (a, b) = split.Call(x)</c>. Calling <see cref="Forward(TInput)"/> directly skips the hooks.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <returns>The output of <see cref="Forward(TInput)"/> (or what a forward hook replaced it with).</returns>
    public TResult Call(TInput input)
    {
        var hooks = Hooks;
        if (hooks is null) return Forward(input);
        foreach (var h in hooks.Pre)
            if (((Func<Module, TInput, TInput?>)h.Hook)(this, input) is { } replaced) input = replaced;
        var output = Forward(input);
        foreach (var h in hooks.Forward)
            if (((Func<Module, TInput, TResult, TResult?>)h.Hook)(this, input, output) is { } replaced) output = replaced;
        return output;
    }

    /// <summary>
    /// Registers <paramref name="hook"/> to run before <see cref="Forward(TInput)"/> each time the module is invoked
    /// through <see cref="Call(TInput)"/> (PyTorch's <c>register_forward_pre_hook</c>). It returns the input to use:
    /// the one it was given to keep it (or null, where the input type is a reference type).
    /// </summary>
    /// <param name="hook">Called with (module, input); returns the input to use, or null to keep it.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public RemovableHandle RegisterForwardPreHook(Func<Module, TInput, TInput?> hook) =>
        AddHook(HookKind.Pre, hook, nameof(RegisterForwardPreHook), oneTensor: false);

    /// <summary>
    /// Registers <paramref name="hook"/> to run after <see cref="Forward(TInput)"/> each time the module is invoked
    /// through <see cref="Call(TInput)"/> (PyTorch's <c>register_forward_hook</c>). It returns the output to use: the
    /// one it was given to keep it (or null, where the output type is a reference type).
    /// </summary>
    /// <param name="hook">Called with (module, input, output); returns the output to use, or null to keep it.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public RemovableHandle RegisterForwardHook(Func<Module, TInput, TResult, TResult?> hook) =>
        AddHook(HookKind.Forward, hook, nameof(RegisterForwardHook), oneTensor: false);
}

/// <summary>
/// A module whose forward computation takes two inputs, such as a loss (input and target) or a block taking a tensor
/// and a mask. It sits in module trees like any other module (parameters, state dict, modes, repr).
/// </summary>
/// <typeparam name="T1">The first input's type.</typeparam>
/// <typeparam name="T2">The second input's type.</typeparam>
/// <typeparam name="TResult">The output's type.</typeparam>
public abstract class Module<T1, T2, TResult> : Module
{
    /// <summary>Computes the module's output.</summary>
    /// <param name="input1">The first input.</param>
    /// <param name="input2">The second input.</param>
    /// <returns>The output.</returns>
    public abstract TResult Forward(T1 input1, T2 input2);

    /// <summary>
    /// Runs the forward pre-hooks, <see cref="Forward(T1, T2)"/> and the forward hooks, as PyTorch's <c>__call__</c>,
    /// so that a module reads like a function: <c>loss.Call(y, t)</c>. Calling <see cref="Forward(T1, T2)"/> directly
    /// skips the hooks.
    /// </summary>
    /// <param name="input1">The first input.</param>
    /// <param name="input2">The second input.</param>
    /// <returns>The output of <see cref="Forward(T1, T2)"/> (or what a forward hook replaced it with).</returns>
    public TResult Call(T1 input1, T2 input2)
    {
        var hooks = Hooks;
        if (hooks is null) return Forward(input1, input2);
        foreach (var h in hooks.Pre)
            (input1, input2) = ((Func<Module, T1, T2, (T1, T2)>)h.Hook)(this, input1, input2);
        var output = Forward(input1, input2);
        foreach (var h in hooks.Forward)
            if (((Func<Module, T1, T2, TResult, TResult?>)h.Hook)(this, input1, input2, output) is { } replaced) output = replaced;
        return output;
    }

    /// <summary>
    /// Registers <paramref name="hook"/> to run before <see cref="Forward(T1, T2)"/> each time the module is invoked
    /// through <see cref="Call(T1, T2)"/> (PyTorch's <c>register_forward_pre_hook</c>); it returns the two inputs to
    /// use (the ones it was given to keep them).
    /// </summary>
    /// <param name="hook">Called with (module, input1, input2); returns the inputs to use.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public RemovableHandle RegisterForwardPreHook(Func<Module, T1, T2, (T1, T2)> hook) =>
        AddHook(HookKind.Pre, hook, nameof(RegisterForwardPreHook), oneTensor: false);

    /// <summary>
    /// Registers <paramref name="hook"/> to run after <see cref="Forward(T1, T2)"/> each time the module is invoked
    /// through <see cref="Call(T1, T2)"/> (PyTorch's <c>register_forward_hook</c>); it returns the output to use (the
    /// one it was given, or null where the output type is a reference type, to keep it).
    /// </summary>
    /// <param name="hook">Called with (module, input1, input2, output); returns the output to use, or null to keep it.</param>
    /// <returns>A handle whose <see cref="RemovableHandle.Remove"/> (or Dispose) removes the hook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public RemovableHandle RegisterForwardHook(Func<Module, T1, T2, TResult, TResult?> hook) =>
        AddHook(HookKind.Forward, hook, nameof(RegisterForwardHook), oneTensor: false);
}
