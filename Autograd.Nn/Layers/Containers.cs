using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Autograd.Nn;

/// <summary>
/// A list of child modules (PyTorch's nn.ModuleList): registered under their positions <c>"0"</c>, <c>"1"</c>, …, so
/// that their parameters are named <c>0.weight</c>, <c>1.bias</c>, … and found by <see cref="Module.Parameters"/>,
/// <see cref="Module.StateDict"/> and the optimizers. Inserting or removing renumbers the modules after it, as in
/// PyTorch. It has no forward computation of its own: a custom module loops over it, calling each element's
/// <see cref="Module.Call(Tensor)"/> so that its hooks run.
/// </summary>
public sealed class ModuleList : Module, IList<Module>, IReadOnlyList<Module>
{
    private readonly List<Module> _modules = [];

    /// <summary>Creates the list; <paramref name="modules"/>[i] is registered under the name <c>i</c>.</summary>
    /// <param name="modules">The modules, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="modules"/> or one of its elements is null.</exception>
    public ModuleList(params Module[] modules) => Extend(modules);

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Count;

    bool ICollection<Module>.IsReadOnly => false;

    /// <summary>The module at position <paramref name="index"/> (negative indices count from the end, as in Python); setting replaces it.</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>).</exception>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    /// <exception cref="ArgumentException">The value set is this list or contains it.</exception>
    public Module this[int index]
    {
        get => _modules[Position(index, "ModuleList")];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            int i = Position(index, "ModuleList");
            CheckChild(value, "ModuleList");
            _modules[i] = value;
            Sync();
        }
    }

    /// <summary>Adds <paramref name="module"/> at the end (PyTorch's <c>append</c>) and returns this list.</summary>
    /// <param name="module">The module.</param>
    /// <returns>This list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="module"/> is this list or contains it.</exception>
    public ModuleList Append(Module module)
    {
        CheckChild(module, "ModuleList.Append");
        _modules.Add(module);
        Sync();
        return this;
    }

    /// <summary>Adds <paramref name="modules"/> at the end, in order (PyTorch's <c>extend</c>), and returns this list; on failure nothing is added.</summary>
    /// <param name="modules">The modules.</param>
    /// <returns>This list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modules"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">One of <paramref name="modules"/> is this list or contains it.</exception>
    public ModuleList Extend(IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var added = modules.ToList();
        for (int i = 0; i < added.Count; i++)
        {
            if (added[i] is null) throw new ArgumentNullException(nameof(modules), $"ModuleList.Extend: module {i} of {added.Count} is null.");
            CheckChild(added[i], "ModuleList.Extend");
        }
        _modules.AddRange(added);
        Sync();
        return this;
    }

    /// <summary>Inserts <paramref name="module"/> before position <paramref name="index"/> (PyTorch's <c>insert</c>); the modules from there on move up one name.</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>]; <see cref="Count"/> appends, negative counts from the end.</param>
    /// <param name="module">The module.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>].</exception>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="module"/> is this list or contains it.</exception>
    public void Insert(int index, Module module)
    {
        int i = index < 0 ? index + _modules.Count : index;
        if (i < 0 || i > _modules.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"ModuleList.Insert: index {index} is out of range for {_modules.Count} modules (insert at -{_modules.Count} … {_modules.Count}).");
        CheckChild(module, "ModuleList.Insert");
        _modules.Insert(i, module);
        Sync();
    }

    /// <summary>Removes the module at <paramref name="index"/> (PyTorch's <c>del list[index]</c>); the modules after it move down one name.</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>).</exception>
    public void RemoveAt(int index)
    {
        _modules.RemoveAt(Position(index, "ModuleList.RemoveAt"));
        Sync();
    }

    /// <summary>Removes the first occurrence of <paramref name="module"/> (by reference).</summary>
    /// <param name="module">The module.</param>
    /// <returns>Whether it was in the list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    public bool Remove(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        int i = IndexOf(module);
        if (i < 0) return false;
        RemoveAt(i);
        return true;
    }

    /// <summary>Removes every module.</summary>
    public void Clear()
    {
        _modules.Clear();
        Sync();
    }

    /// <summary>The position of the first occurrence of <paramref name="module"/> (by reference), or −1.</summary>
    /// <param name="module">The module.</param>
    /// <returns>Its position, or −1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    public int IndexOf(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return _modules.FindIndex(m => ReferenceEquals(m, module));
    }

    /// <summary>Whether <paramref name="module"/> (by reference) is in the list.</summary>
    /// <param name="module">The module.</param>
    /// <returns>Whether it is.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    public bool Contains(Module module) => IndexOf(module) >= 0;

    /// <summary>Copies the modules into <paramref name="array"/> from <paramref name="arrayIndex"/> on.</summary>
    /// <param name="array">The destination.</param>
    /// <param name="arrayIndex">The first position written.</param>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="arrayIndex"/> is negative.</exception>
    /// <exception cref="ArgumentException">The modules do not fit in <paramref name="array"/> from <paramref name="arrayIndex"/>.</exception>
    public void CopyTo(Module[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        _modules.CopyTo(array, arrayIndex);
    }

    void ICollection<Module>.Add(Module item) => Append(item);

    /// <summary>Enumerates the modules in order.</summary>
    /// <returns>An enumerator over the modules.</returns>
    public IEnumerator<Module> GetEnumerator() => _modules.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Sync() => SetChildren(_modules.Select((m, i) => (i.ToString(CultureInfo.InvariantCulture), m)).ToList());

    private int Position(int index, string op)
    {
        int i = index < 0 ? index + _modules.Count : index;
        if ((uint)i >= (uint)_modules.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{op}: index {index} is out of range for {_modules.Count} modules.");
        return i;
    }
}

/// <summary>
/// Child modules by name (PyTorch's nn.ModuleDict), in insertion order: registered under their keys, so that their
/// parameters are named <c>key.weight</c>. Keys follow PyTorch's module names: non-empty, without '.'. Setting an
/// existing key replaces its module in place; <see cref="Add"/> refuses one.
/// </summary>
public sealed class ModuleDict : Module, IReadOnlyDictionary<string, Module>
{
    private readonly List<(string Key, Module Module)> _entries = [];

    /// <summary>Creates the dictionary from <paramref name="modules"/>, in their order (PyTorch's <c>ModuleDict(OrderedDict)</c>).</summary>
    /// <param name="modules">The keys and modules; null for an empty dictionary.</param>
    /// <exception cref="ArgumentNullException">A key or module is null.</exception>
    /// <exception cref="ArgumentException">A key is empty, contains '.', or is given twice; or a module is this dictionary.</exception>
    public ModuleDict(IEnumerable<KeyValuePair<string, Module>>? modules = null)
    {
        if (modules is null) return;
        foreach (var (key, module) in modules) Add(key, module);
    }

    /// <summary>The number of modules.</summary>
    public int Count => _entries.Count;

    /// <summary>The keys, in order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key).ToList();

    /// <summary>The modules, in the keys' order.</summary>
    public IEnumerable<Module> Values => _entries.Select(e => e.Module).ToList();

    /// <summary>The module under <paramref name="key"/>; setting adds it at the end, or replaces the module under an existing key in place.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or the value set is null.</exception>
    /// <exception cref="KeyNotFoundException">Getting a key that is not in the dictionary.</exception>
    /// <exception cref="ArgumentException">Setting under a key that is empty or contains '.', or a module that is this dictionary or contains it.</exception>
    public Module this[string key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            int i = Find(key);
            return i >= 0 ? _entries[i].Module : throw Missing(key, "ModuleDict");
        }
        set
        {
            CheckKey(key, "ModuleDict");
            ArgumentNullException.ThrowIfNull(value);
            CheckChild(value, "ModuleDict");
            int i = Find(key);
            if (i >= 0) _entries[i] = (key, value);
            else _entries.Add((key, value));
            Sync();
        }
    }

    /// <summary>Adds <paramref name="module"/> under a new <paramref name="key"/>, at the end.</summary>
    /// <param name="key">The key: non-empty, without '.', not yet in the dictionary.</param>
    /// <param name="module">The module.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="module"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, contains '.' or is already in the dictionary; or <paramref name="module"/> is this dictionary or contains it.</exception>
    public void Add(string key, Module module)
    {
        CheckKey(key, "ModuleDict.Add");
        if (Find(key) >= 0) throw new ArgumentException($"ModuleDict.Add: the key '{key}' is already in the dictionary; set it through the indexer to replace its module.", nameof(key));
        CheckChild(module, "ModuleDict.Add");
        _entries.Add((key, module));
        Sync();
    }

    /// <summary>Sets each key of <paramref name="modules"/> in turn, as the indexer does (PyTorch's <c>update</c>).</summary>
    /// <param name="modules">The keys and modules.</param>
    /// <exception cref="ArgumentNullException"><paramref name="modules"/>, a key or a module is null.</exception>
    /// <exception cref="ArgumentException">As for the indexer; the entries before the faulty one are set.</exception>
    public void Update(IEnumerable<KeyValuePair<string, Module>> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var (key, module) in modules) this[key] = module;
    }

    /// <summary>Removes the module under <paramref name="key"/> and returns it (PyTorch's <c>pop</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The module that was under <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="KeyNotFoundException"><paramref name="key"/> is not in the dictionary.</exception>
    public Module Pop(string key)
    {
        var module = this[key];
        Remove(key);
        return module;
    }

    /// <summary>Removes the module under <paramref name="key"/>, if any (PyTorch's <c>del dict[key]</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was in the dictionary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int i = Find(key);
        if (i < 0) return false;
        _entries.RemoveAt(i);
        Sync();
        return true;
    }

    /// <summary>Removes every module.</summary>
    public void Clear()
    {
        _entries.Clear();
        Sync();
    }

    /// <summary>Whether <paramref name="key"/> is in the dictionary.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it is.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Find(key) >= 0;
    }

    /// <summary>The module under <paramref name="key"/>, if any.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The module, or null.</param>
    /// <returns>Whether the key was in the dictionary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Module value)
    {
        ArgumentNullException.ThrowIfNull(key);
        int i = Find(key);
        value = i >= 0 ? _entries[i].Module : null;
        return i >= 0;
    }

    /// <summary>Enumerates the keys and modules in order.</summary>
    /// <returns>An enumerator over the entries.</returns>
    public IEnumerator<KeyValuePair<string, Module>> GetEnumerator() =>
        _entries.Select(e => new KeyValuePair<string, Module>(e.Key, e.Module)).ToList().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Find(string key) => _entries.FindIndex(e => e.Key == key);

    private void Sync() => SetChildren(_entries.ToList());

    internal static KeyNotFoundException Missing(string key, string op) => new($"{op}: there is no entry under the key '{key}'.");
}

/// <summary>
/// A list of parameters (PyTorch's nn.ParameterList), registered under their positions: <see cref="Module.StateDict"/>
/// names them <c>"0"</c>, <c>"1"</c>, … (<c>head.0</c> inside a parent). A tensor that is not a <see cref="Parameter"/>
/// is wrapped in one, sharing its storage, as in PyTorch.
/// </summary>
public sealed class ParameterList : Module, IList<Parameter>, IReadOnlyList<Parameter>
{
    private readonly List<Parameter> _items = [];

    /// <summary>Creates the list; <paramref name="parameters"/>[i] is registered under the name <c>i</c>.</summary>
    /// <param name="parameters">The tensors, each wrapped in a <see cref="Parameter"/> unless it is one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">A tensor is not float32 or float64.</exception>
    public ParameterList(params Tensor[] parameters) => Extend(parameters);

    /// <summary>The number of parameters.</summary>
    public int Count => _items.Count;

    bool ICollection<Parameter>.IsReadOnly => false;

    /// <summary>The parameter at position <paramref name="index"/> (negative indices count from the end); setting replaces it.</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>).</exception>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    public Parameter this[int index]
    {
        get => _items[Position(index, "ParameterList")];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _items[Position(index, "ParameterList")] = value;
            Sync();
        }
    }

    /// <summary>Adds <paramref name="parameter"/> at the end (PyTorch's <c>append</c>) and returns this list.</summary>
    /// <param name="parameter">The tensor, wrapped in a <see cref="Parameter"/> unless it is one.</param>
    /// <returns>This list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameter"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameter"/> is not float32 or float64.</exception>
    public ParameterList Append(Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        _items.Add(parameter as Parameter ?? new Parameter(parameter));
        Sync();
        return this;
    }

    /// <summary>Adds <paramref name="parameters"/> at the end, in order (PyTorch's <c>extend</c>); on failure nothing is added.</summary>
    /// <param name="parameters">The tensors, each wrapped in a <see cref="Parameter"/> unless it is one.</param>
    /// <returns>This list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">A tensor is not float32 or float64.</exception>
    public ParameterList Extend(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var added = parameters.ToList();
        var wrapped = new List<Parameter>(added.Count);
        for (int i = 0; i < added.Count; i++)
        {
            if (added[i] is null) throw new ArgumentNullException(nameof(parameters), $"ParameterList.Extend: tensor {i} of {added.Count} is null.");
            wrapped.Add(added[i] as Parameter ?? new Parameter(added[i]));
        }
        _items.AddRange(wrapped);
        Sync();
        return this;
    }

    /// <summary>Inserts <paramref name="parameter"/> before position <paramref name="index"/>; the parameters from there on move up one name.</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>].</param>
    /// <param name="parameter">The parameter.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>].</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameter"/> is null.</exception>
    public void Insert(int index, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        int i = index < 0 ? index + _items.Count : index;
        if (i < 0 || i > _items.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"ParameterList.Insert: index {index} is out of range for {_items.Count} parameters (insert at -{_items.Count} … {_items.Count}).");
        _items.Insert(i, parameter);
        Sync();
    }

    /// <summary>Removes the parameter at <paramref name="index"/>; the parameters after it move down one name.</summary>
    /// <param name="index">The position, in [−<see cref="Count"/>, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [−<see cref="Count"/>, <see cref="Count"/>).</exception>
    public void RemoveAt(int index)
    {
        _items.RemoveAt(Position(index, "ParameterList.RemoveAt"));
        Sync();
    }

    /// <summary>Removes the first occurrence of <paramref name="parameter"/> (by reference).</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>Whether it was in the list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameter"/> is null.</exception>
    public bool Remove(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        int i = IndexOf(parameter);
        if (i < 0) return false;
        RemoveAt(i);
        return true;
    }

    /// <summary>Removes every parameter.</summary>
    public void Clear()
    {
        _items.Clear();
        Sync();
    }

    /// <summary>The position of the first occurrence of <paramref name="parameter"/> (by reference), or −1.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>Its position, or −1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameter"/> is null.</exception>
    public int IndexOf(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return _items.FindIndex(p => ReferenceEquals(p, parameter));
    }

    /// <summary>Whether <paramref name="parameter"/> (by reference) is in the list.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>Whether it is.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameter"/> is null.</exception>
    public bool Contains(Parameter parameter) => IndexOf(parameter) >= 0;

    /// <summary>Copies the parameters into <paramref name="array"/> from <paramref name="arrayIndex"/> on.</summary>
    /// <param name="array">The destination.</param>
    /// <param name="arrayIndex">The first position written.</param>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="arrayIndex"/> is negative.</exception>
    /// <exception cref="ArgumentException">The parameters do not fit in <paramref name="array"/> from <paramref name="arrayIndex"/>.</exception>
    public void CopyTo(Parameter[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        _items.CopyTo(array, arrayIndex);
    }

    void ICollection<Parameter>.Add(Parameter item) => Append(item);

    /// <summary>Enumerates the parameters in order.</summary>
    /// <returns>An enumerator over the parameters.</returns>
    public IEnumerator<Parameter> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>PyTorch's lines, e.g. <c>  (0): Parameter containing: [torch.float32 of size 3x4]</c>, one per parameter.</summary>
    /// <returns>The description as PyTorch's <c>nn.ParameterList.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => string.Join("\n", _items.Select((p, i) =>
        $"  ({i.ToString(CultureInfo.InvariantCulture)}): Parameter containing: [torch.{p.DType.Name()} of size {string.Join("x", p.Shape)}]"));

    private void Sync() => SetParameters(_items.Select((p, i) => (i.ToString(CultureInfo.InvariantCulture), p)).ToList());

    private int Position(int index, string op)
    {
        int i = index < 0 ? index + _items.Count : index;
        if ((uint)i >= (uint)_items.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{op}: index {index} is out of range for {_items.Count} parameters.");
        return i;
    }
}

/// <summary>
/// Parameters by name (PyTorch's nn.ParameterDict), in insertion order (as PyTorch keeps an OrderedDict's), registered
/// under their keys. Keys are non-empty and without '.'. A tensor that is not a <see cref="Parameter"/> is wrapped in
/// one, sharing its storage.
/// </summary>
public sealed class ParameterDict : Module, IReadOnlyDictionary<string, Parameter>
{
    private readonly List<(string Key, Parameter Parameter)> _entries = [];

    /// <summary>Creates the dictionary from <paramref name="parameters"/>, in their order.</summary>
    /// <param name="parameters">The keys and tensors; null for an empty dictionary.</param>
    /// <exception cref="ArgumentNullException">A key or tensor is null.</exception>
    /// <exception cref="ArgumentException">A key is empty, contains '.', or is given twice; or a tensor is not float32 or float64.</exception>
    public ParameterDict(IEnumerable<KeyValuePair<string, Tensor>>? parameters = null)
    {
        if (parameters is null) return;
        foreach (var (key, p) in parameters) Add(key, p);
    }

    /// <summary>The number of parameters.</summary>
    public int Count => _entries.Count;

    /// <summary>The keys, in order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key).ToList();

    /// <summary>The parameters, in the keys' order.</summary>
    public IEnumerable<Parameter> Values => _entries.Select(e => e.Parameter).ToList();

    /// <summary>The parameter under <paramref name="key"/>; setting adds it at the end, or replaces the parameter under an existing key in place.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or the value set is null.</exception>
    /// <exception cref="KeyNotFoundException">Getting a key that is not in the dictionary.</exception>
    /// <exception cref="ArgumentException">Setting under a key that is empty or contains '.'.</exception>
    public Parameter this[string key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            int i = Find(key);
            return i >= 0 ? _entries[i].Parameter : throw ModuleDict.Missing(key, "ParameterDict");
        }
        set
        {
            CheckKey(key, "ParameterDict");
            ArgumentNullException.ThrowIfNull(value);
            int i = Find(key);
            if (i >= 0) _entries[i] = (key, value);
            else _entries.Add((key, value));
            Sync();
        }
    }

    /// <summary>Adds <paramref name="parameter"/> under a new <paramref name="key"/>, at the end.</summary>
    /// <param name="key">The key: non-empty, without '.', not yet in the dictionary.</param>
    /// <param name="parameter">The tensor, wrapped in a <see cref="Parameter"/> unless it is one.</param>
    /// <returns>The registered parameter.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="parameter"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, contains '.' or is already in the dictionary; or <paramref name="parameter"/> is not float32 or float64.</exception>
    public Parameter Add(string key, Tensor parameter)
    {
        CheckKey(key, "ParameterDict.Add");
        ArgumentNullException.ThrowIfNull(parameter);
        if (Find(key) >= 0) throw new ArgumentException($"ParameterDict.Add: the key '{key}' is already in the dictionary; set it through the indexer to replace its parameter.", nameof(key));
        var p = parameter as Parameter ?? new Parameter(parameter);
        _entries.Add((key, p));
        Sync();
        return p;
    }

    /// <summary>Removes the parameter under <paramref name="key"/> and returns it (PyTorch's <c>pop</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The parameter that was under <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="KeyNotFoundException"><paramref name="key"/> is not in the dictionary.</exception>
    public Parameter Pop(string key)
    {
        var p = this[key];
        Remove(key);
        return p;
    }

    /// <summary>Removes the parameter under <paramref name="key"/>, if any.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was in the dictionary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int i = Find(key);
        if (i < 0) return false;
        _entries.RemoveAt(i);
        Sync();
        return true;
    }

    /// <summary>Removes every parameter.</summary>
    public void Clear()
    {
        _entries.Clear();
        Sync();
    }

    /// <summary>Whether <paramref name="key"/> is in the dictionary.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it is.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Find(key) >= 0;
    }

    /// <summary>The parameter under <paramref name="key"/>, if any.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The parameter, or null.</param>
    /// <returns>Whether the key was in the dictionary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Parameter value)
    {
        ArgumentNullException.ThrowIfNull(key);
        int i = Find(key);
        value = i >= 0 ? _entries[i].Parameter : null;
        return i >= 0;
    }

    /// <summary>Enumerates the keys and parameters in order.</summary>
    /// <returns>An enumerator over the entries.</returns>
    public IEnumerator<KeyValuePair<string, Parameter>> GetEnumerator() =>
        _entries.Select(e => new KeyValuePair<string, Parameter>(e.Key, e.Parameter)).ToList().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>PyTorch's lines, e.g. <c>  (w): Parameter containing: [torch.FloatTensor of size 3x4]</c>, one per parameter.</summary>
    /// <returns>The description as PyTorch's <c>nn.ParameterDict.extra_repr</c> prints it.</returns>
    public override string ExtraRepr() => string.Join("\n", _entries.Select(e =>
        $"  ({e.Key}): Parameter containing: [torch.{(e.Parameter.DType == DType.Float32 ? "FloatTensor" : "DoubleTensor")} of size {string.Join("x", e.Parameter.Shape)}]"));

    private int Find(string key) => _entries.FindIndex(e => e.Key == key);

    private void Sync() => SetParameters(_entries.ToList());
}
