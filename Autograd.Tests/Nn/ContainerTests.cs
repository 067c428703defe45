using Autograd.Nn;

namespace Autograd.Tests.Nn;

public class ContainerTests
{
    private static Linear Lin(int i, int o) => new(i, o, generator: new Generator(1));

    // ---- ModuleList -----------------------------------------------------------------------------------------------

    [Test]
    public void ModuleList_NamesChildrenByPositionAndStateDictKeysAreTorchs()
    {
        var list = new ModuleList(Lin(2, 3), new ReLU(), new ReLU());
        Assert.That(list.Count, Is.EqualTo(3));
        Assert.That(list.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "0", "1", "2" }));
        // PyTorch 1.13: list(nn.ModuleList([nn.Linear(2,3), nn.ReLU(), nn.ReLU()]).state_dict().keys())
        Assert.That(list.StateDict().Keys, Is.EqualTo(new[] { "0.weight", "0.bias" }));
        Assert.That(list.ToString(), Is.EqualTo(
            "ModuleList(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n  (2): ReLU()\n)"));
        Assert.That(new ModuleList().ToString(), Is.EqualTo("ModuleList()"));
    }

    [Test]
    public void ModuleList_InsertAndRemoveRenumberAsTorch()
    {
        var lin = Lin(2, 3);
        var tanh = new Tanh();
        var list = new ModuleList(lin, new ReLU(), new ReLU());
        list.Insert(1, tanh);
        Assert.That(list.ToString(), Is.EqualTo(
            "ModuleList(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): Tanh()\n  (2): ReLU()\n  (3): ReLU()\n)"));
        list.RemoveAt(0);
        Assert.That(list.NamedChildren().Select(c => c.Name), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(list[0], Is.SameAs(tanh));
        Assert.That(list.StateDict(), Is.Empty);
        list.Insert(-1, lin);   // before the last, as Python's list.insert(-1, x)
        Assert.That(list.IndexOf(lin), Is.EqualTo(2));
        Assert.That(list.StateDict().Keys, Is.EqualTo(new[] { "2.weight", "2.bias" }));
        Assert.That(list[-1], Is.InstanceOf<ReLU>());
        Assert.That(list.Remove(lin), Is.True);
        Assert.That(list.Remove(lin), Is.False);
        list[1] = lin;
        Assert.That(list.StateDict().Keys, Is.EqualTo(new[] { "1.weight", "1.bias" }));
        list.Clear();
        Assert.That(list.Count, Is.Zero);
        Assert.That(list.Parameters(), Is.Empty);
    }

    [Test]
    public void ModuleList_IsAnIListAndParametersReachOptimizersThroughAParent()
    {
        var model = new Stack(3);
        IList<Module> asList = model.Blocks;
        asList.Add(Lin(4, 4));
        Assert.That(model.Blocks.Count, Is.EqualTo(4));
        Assert.That(model.StateDict().Keys, Is.EqualTo(new[]
        {
            "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
            "blocks.2.weight", "blocks.2.bias", "blocks.3.weight", "blocks.3.bias",
        }));
        Assert.That(model.Parameters().Count(), Is.EqualTo(8));
        var y = model.Call(Tensor.Ones([2, 4]));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(((IReadOnlyList<Module>)model.Blocks)[3], Is.SameAs(asList[3]));
        var copy = new Module[5];
        model.Blocks.CopyTo(copy, 1);
        Assert.That(copy.Skip(1), Is.EqualTo(model.Blocks.ToArray()));
    }

    private sealed class Stack : Module
    {
        public Stack(int n)
        {
            for (int i = 0; i < n; i++) Blocks.Append(Lin(4, 4));
        }

        public ModuleList Blocks { get; } = new();

        public override Tensor Forward(Tensor input)
        {
            var x = input;
            foreach (var b in Blocks) x = b.Call(x).Relu();
            return x;
        }
    }

    [Test]
    public void ModuleList_RefusesBadIndicesNullsAndItself()
    {
        var list = new ModuleList(new ReLU());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = list[5]);
        Assert.That(e!.Message, Does.StartWith("ModuleList: index 5 is out of range for 1 modules"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = list[-2]);
        var ins = Assert.Throws<ArgumentOutOfRangeException>(() => list.Insert(3, new ReLU()));
        Assert.That(ins!.Message, Does.StartWith("ModuleList.Insert: index 3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => list.RemoveAt(1));
        Assert.Throws<ArgumentNullException>(() => list.Append(null!));
        var self = Assert.Throws<ArgumentException>(() => list.Append(list));
        Assert.That(self!.Message, Does.StartWith("ModuleList.Append: the ModuleList is this container itself"));
        var outer = new Sequential(new ReLU());
        var inner = new ModuleList();
        var holder = new ModuleList(inner);
        var cycle = Assert.Throws<ArgumentException>(() => inner.Append(holder));
        Assert.That(cycle!.Message, Does.Contain("contains this container"));
        var ext = Assert.Throws<ArgumentNullException>(() => list.Extend([new ReLU(), null!]));
        Assert.That(ext!.Message, Does.StartWith("ModuleList.Extend: module 1 of 2 is null"));
        Assert.That(list.Count, Is.EqualTo(1), "a failed Extend adds nothing");
        Assert.That(outer.Count, Is.EqualTo(1));
    }

    [Test]
    public void ModuleList_HasNoForward()
    {
        Module list = new ModuleList(new ReLU());
        var e = Assert.Throws<InvalidOperationException>(() => list.Call(Tensor.Ones([1])));
        Assert.That(e!.Message, Does.StartWith("ModuleList.Forward"));
    }

    // ---- ModuleDict -----------------------------------------------------------------------------------------------

    [Test]
    public void ModuleDict_KeepsInsertionOrderAndTorchsKeys()
    {
        var d = new ModuleDict(new Dictionary<string, Module> { ["b"] = Lin(2, 3), ["a"] = new ReLU() });
        // PyTorch 1.13: nn.ModuleDict({'b': nn.Linear(2,3), 'a': nn.ReLU()})
        Assert.That(d.ToString(), Is.EqualTo("ModuleDict(\n  (b): Linear(in_features=2, out_features=3, bias=True)\n  (a): ReLU()\n)"));
        Assert.That(d.StateDict().Keys, Is.EqualTo(new[] { "b.weight", "b.bias" }));
        Assert.That(d.Keys, Is.EqualTo(new[] { "b", "a" }));
        var tanh = new Tanh();
        d["b"] = tanh;   // replaces in place
        Assert.That(d.Keys, Is.EqualTo(new[] { "b", "a" }));
        Assert.That(d["b"], Is.SameAs(tanh));
        Assert.That(d.StateDict(), Is.Empty);
        d["c"] = Lin(1, 1);
        Assert.That(d.StateDict().Keys, Is.EqualTo(new[] { "c.weight", "c.bias" }));
        Assert.That(d.Pop("a"), Is.InstanceOf<ReLU>());
        Assert.That(d.ContainsKey("a"), Is.False);
        Assert.That(d.TryGetValue("c", out var c) && c is Linear, Is.True);
        Assert.That(d.Remove("zzz"), Is.False);
        d.Update([new KeyValuePair<string, Module>("a", new ReLU())]);
        Assert.That(d.Select(kv => kv.Key), Is.EqualTo(new[] { "b", "c", "a" }));
        Assert.That(d.Values.Count(), Is.EqualTo(3));
        d.Clear();
        Assert.That(d.Count, Is.Zero);
        Assert.That(new ModuleDict().ToString(), Is.EqualTo("ModuleDict()"));
    }

    [Test]
    public void ModuleDict_RefusesBadAndDuplicateKeys()
    {
        var d = new ModuleDict { { "a", new ReLU() } };
        var dot = Assert.Throws<ArgumentException>(() => d["a.b"] = new ReLU());
        Assert.That(dot!.Message, Does.StartWith("ModuleDict: a key cannot contain '.', got 'a.b'"));
        var empty = Assert.Throws<ArgumentException>(() => d.Add("", new ReLU()));
        Assert.That(empty!.Message, Does.StartWith("ModuleDict.Add: a key cannot be the empty string"));
        var dup = Assert.Throws<ArgumentException>(() => d.Add("a", new Tanh()));
        Assert.That(dup!.Message, Does.StartWith("ModuleDict.Add: the key 'a' is already in the dictionary"));
        var missing = Assert.Throws<KeyNotFoundException>(() => _ = d["x"]);
        Assert.That(missing!.Message, Does.StartWith("ModuleDict: there is no entry under the key 'x'"));
        Assert.Throws<KeyNotFoundException>(() => d.Pop("x"));
        Assert.Throws<ArgumentNullException>(() => d[null!] = new ReLU());
        Assert.Throws<ArgumentNullException>(() => d["n"] = null!);
        Assert.Throws<ArgumentException>(() => d["self"] = d);
        Assert.That(d.Keys, Is.EqualTo(new[] { "a" }));
    }

    // ---- ParameterList / ParameterDict ----------------------------------------------------------------------------

    [Test]
    public void ParameterList_NamesByPositionAndPrintsAsTorch()
    {
        var w = new Parameter(Tensor.Zeros([3, 4]));
        var p = new ParameterList(w, Tensor.Zeros([3], DType.Float64));
        Assert.That(p[0], Is.SameAs(w));
        Assert.That(p[1].RequiresGrad, Is.True, "a plain tensor is wrapped in a Parameter");
        // PyTorch 1.13: state_dict keys and repr of nn.ParameterList([zeros(3,4), zeros(3, dtype=float64)])
        Assert.That(p.StateDict().Keys, Is.EqualTo(new[] { "0", "1" }));
        Assert.That(p.ToString(), Is.EqualTo(
            "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 3x4]\n    (1): Parameter containing: [torch.float64 of size 3]\n)"));
        Assert.That(new ParameterList(Tensor.Zeros([])).ToString(), Is.EqualTo("ParameterList(  (0): Parameter containing: [torch.float32 of size ])"));
        var seq = new Sequential(new Holder(new ParameterList(Tensor.Zeros([2]), Tensor.Zeros([2]))));
        Assert.That(seq.StateDict().Keys, Is.EqualTo(new[] { "0.list.0", "0.list.1" }));
        p.Insert(0, new Parameter(Tensor.Ones([1])));
        Assert.That(p.NamedParameters().Select(n => n.Name), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(p[1], Is.SameAs(w));
        p.RemoveAt(-1);
        Assert.That(p.Count, Is.EqualTo(2));
        Assert.That(p.Parameters().Sum(x => x.NumElements), Is.EqualTo(13));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = p[2]);
        Assert.That(ex!.Message, Does.StartWith("ParameterList: index 2 is out of range for 2 parameters"));
        Assert.Throws<ArgumentException>(() => p.Append(Tensor.From([1L, 2L])));
    }

    private sealed class Holder(ParameterList list) : Module
    {
        public ParameterList List { get; } = list;

        public override Tensor Forward(Tensor input) => input;
    }

    [Test]
    public void ParameterDict_NamesByKeyAndPrintsAsTorch()
    {
        var d = new ParameterDict([new("b", Tensor.Zeros([3])), new("w", Tensor.Zeros([3, 4]))]);
        // PyTorch 1.13 (keys given in order): ParameterDict repr uses torch.typename
        Assert.That(d.ToString(), Is.EqualTo(
            "ParameterDict(\n    (b): Parameter containing: [torch.FloatTensor of size 3]\n    (w): Parameter containing: [torch.FloatTensor of size 3x4]\n)"));
        Assert.That(d.StateDict().Keys, Is.EqualTo(new[] { "b", "w" }));
        var p = d.Add("c", Tensor.Zeros([2], DType.Float64));
        Assert.That(d["c"], Is.SameAs(p));
        Assert.That(new ParameterDict([new("a", Tensor.Zeros([2], DType.Float64))]).ToString(),
            Is.EqualTo("ParameterDict(  (a): Parameter containing: [torch.DoubleTensor of size 2])"));
        var dup = Assert.Throws<ArgumentException>(() => d.Add("c", Tensor.Zeros([1])));
        Assert.That(dup!.Message, Does.StartWith("ParameterDict.Add: the key 'c' is already in the dictionary"));
        Assert.Throws<ArgumentException>(() => d["x.y"] = p);
        Assert.That(d.Pop("b").Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(d.Keys, Is.EqualTo(new[] { "w", "c" }));
        Assert.That(d.Parameters().Count(), Is.EqualTo(2));
    }

    // ---- Children, Modules, Apply, RequireGrad -------------------------------------------------------------------

    [Test]
    public void ChildrenAndModulesWalkAsTorch()
    {
        var relu = new ReLU();
        var inner = new Sequential(relu);
        var lin = Lin(2, 2);
        var s = new Sequential(lin, inner, lin);
        Assert.That(s.Children(), Is.EqualTo(new Module[] { lin, inner }));
        Assert.That(s.Modules(), Is.EqualTo(new Module[] { s, lin, inner, relu }));
    }

    [Test]
    public void ApplyVisitsChildrenFirstThenSelf()
    {
        var s = new Sequential(Lin(2, 2), new Sequential(new ReLU()));
        var order = new List<string>();
        var result = s.Apply(m => order.Add(m.GetType().Name));
        // PyTorch 1.13: s.apply(lambda m: order.append(type(m).__name__))
        Assert.That(order, Is.EqualTo(new[] { "Linear", "ReLU", "Sequential", "Sequential" }));
        Assert.That(result, Is.SameAs(s));
        s.Apply(m =>
        {
            if (m is Linear l)
                using (Autodiff.NoGrad()) l.Weight.Fill(0.5);
        });
        Assert.That(((Linear)s[0]).Weight.ToArray<float>(), Is.All.EqualTo(0.5f));
    }

    [Test]
    public void RequireGradFreezesAndUnfreezesEveryParameter()
    {
        var head = Lin(3, 2);
        var model = new Sequential(Lin(2, 3), new ReLU(), head);
        Assert.That(model.RequireGrad(false), Is.SameAs(model));
        Assert.That(model.Parameters().Select(p => p.RequiresGrad), Is.All.False);
        head.RequireGrad();
        var x = Tensor.Ones([1, 2]);
        model.Call(x).Sum().Backward();
        Assert.That(((Linear)model[0]).Weight.Grad, Is.Null, "frozen parameters get no gradient");
        Assert.That(head.Weight.Grad, Is.Not.Null);
    }
}
