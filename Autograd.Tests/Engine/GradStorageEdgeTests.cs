using Autograd.Nn;
using Autograd.Nn.Optim;

namespace Autograd.Tests;

// ZeroGrad()'s storage lending (GradState.Spare / Tensor.NewGrad) on the paths where a tensor user code can reach
// might be overwritten by a later backward pass, or where the lent storage might give a wrong gradient.
public class GradStorageEdgeTests
{
    private static Tensor Leaf(Generator g, DType dtype = DType.Float32) => Tensor.Randn([300, 257], g, dtype).RequireGrad();

    // ---- User code that keeps a gradient ----------------------------------------------------------------------

    // A user-written optimizer: Optimizer has a protected constructor and a protected abstract Update, so Update is user
    // code, and Step hands it the gradient read through StoredGrad (not marked as handed out). A method that remembers
    // the previous gradient (as PyTorch's set_to_none makes safe: the old p.grad keeps its values) keeps it by reference.
    private sealed class RemembersGradients(IEnumerable<Tensor> parameters) : Optimizer(parameters, 0.01)
    {
        public readonly List<Tensor> Seen = [];

        protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options) => [];

        protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
        {
            Seen.Add(grad);
            parameter.AddInPlace(grad, -0.01);
        }
    }

    [Test]
    public void AGradientHandedToAUserOptimizersUpdate_KeepsItsValuesAfterZeroGradAndTheNextBackward()
    {
        var x = Leaf(new Generator(11));
        var optimizer = new RemembersGradients([x]);
        (x * x).Sum().Backward();
        var expected = (x.Detach() * 2.0).ToArray<float>();
        optimizer.Step();
        optimizer.ZeroGrad();
        (x * 3.0).Sum().Backward();
        var kept = optimizer.Seen[0].ToArray<float>();
        Assert.That(kept.SequenceEqual(expected), Is.True, $"the gradient the optimizer kept from step 1 was overwritten by step 2's backward (first element {kept[0]}, expected {expected[0]})");
        Assert.That(optimizer.Seen[0].RawData, Is.Not.SameAs(x.Grad!.RawData));
    }

    // The same through the built-in Step(zeroGrad: true) and an Adam subclass (Adam is not sealed) that keeps the previous
    // gradient as a state buffer: its second update then reads the current gradient as the previous one.
    private sealed class AdamWithPreviousGradient(IEnumerable<Tensor> parameters) : Adam(parameters, lr: 1e-3)
    {
        public readonly List<float[]> PreviousAtUpdate = [];

        protected override IReadOnlyList<string> BufferNames(IReadOnlyDictionary<string, double> options) =>
            [.. base.BufferNames(options), "prev_grad"];

        protected override void Update(Tensor parameter, Tensor grad, ParameterState state, ParamGroup group)
        {
            if (state.Buffers.TryGetValue("prev_grad", out var prev)) PreviousAtUpdate.Add(prev.ToArray<float>());
            state.Buffers["prev_grad"] = grad;
            base.Update(parameter, grad, state, group);
        }
    }

    [Test]
    public void AnAdamSubclassKeepingThePreviousGradientAsState_SeesTheCurrentOneAfterStepWithZeroGrad()
    {
        var x = Leaf(new Generator(12));
        var optimizer = new AdamWithPreviousGradient([x]);
        (x * 2.0).Sum().Backward();
        optimizer.Step(zeroGrad: true);
        (x * 3.0).Sum().Backward();
        optimizer.Step(zeroGrad: true);
        var previous = optimizer.PreviousAtUpdate[0];
        Assert.That(previous.Distinct().ToArray(), Is.EqualTo(new[] { 2f }), "the state's previous gradient at step 2 is step 1's (2), not step 2's (3)");
    }

    // ---- Cases that hold --------------------------------------------------------------------------------------

    [Test]
    public void AGradientReadInAPostAccumulateHook_KeepsItsValues()
    {
        var x = Leaf(new Generator(21));
        Tensor? kept = null;
        using (x.RegisterPostAccumulateGradHook(t => kept ??= t.Grad))
        {
            (x * 2.0).Sum().Backward();
            x.ZeroGrad();
            (x * 3.0).Sum().Backward();
        }
        Assert.That(kept!.ToArray<float>(), Is.All.EqualTo(2f));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void AGradientATensorHookSawAndKept_KeepsItsValues_AndTheHooksResultIsCopied()
    {
        var x = Leaf(new Generator(22));
        var seen = new List<Tensor>();
        var replacement = Tensor.Full([300, 257], 7.0);
        using (x.RegisterHook(g => { seen.Add(g); return replacement; }))
        {
            (x * 2.0).Sum().Backward();
            x.ZeroGrad();
            (x * 3.0).Sum().Backward();
            x.ZeroGrad();
            (x * 4.0).Sum().Backward();
        }
        Assert.That(seen[0].ToArray<float>(), Is.All.EqualTo(2f));
        Assert.That(seen[1].ToArray<float>(), Is.All.EqualTo(3f));
        Assert.That(replacement.ToArray<float>(), Is.All.EqualTo(7f));
        Assert.That(x.StoredGrad!.RawData, Is.Not.SameAs(replacement.RawData));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(7f));
    }

    [Test]
    public void ALeafsOwnBackwardSeed_IsNeverTheGradientsStorage()
    {
        var x = Leaf(new Generator(23));
        var seed1 = Tensor.Full([300, 257], 4.0);
        x.Backward(seed1);
        var storage = x.StoredGrad!.RawData;
        Assert.That(storage, Is.Not.SameAs(seed1.RawData));
        x.ZeroGrad();
        var seed2 = Tensor.Full([300, 257], 5.0);
        x.Backward(seed2);
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        Assert.That(seed1.ToArray<float>(), Is.All.EqualTo(4f));
        Assert.That(seed2.ToArray<float>(), Is.All.EqualTo(5f));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(5f));
    }

    [Test]
    public void ARetainedGradientOfANonLeaf_IsReusedWhenUnread_AndKeepsItsValuesWhenRead()
    {
        var x = Leaf(new Generator(24));
        var y = x * 2.0;
        y.RetainGrad();
        var z = (y * y).Sum();
        z.Backward(retainGraph: true);
        var storage = y.StoredGrad!.RawData;
        y.ZeroGrad();
        z.Backward(retainGraph: true);
        Assert.That(y.StoredGrad!.RawData, Is.SameAs(storage));
        var expected = (y.Detach() * 2.0).ToArray<float>();
        var read = y.Grad!;
        Assert.That(read.ToArray<float>(), Is.EqualTo(expected));
        y.ZeroGrad();
        z.Backward();
        Assert.That(read.ToArray<float>(), Is.EqualTo(expected));
        Assert.That(y.Grad!.RawData, Is.Not.SameAs(read.RawData));
    }

    // Internal code that makes a view of the stored gradient (Detach marks the storage shared) keeps it from being lent.
    [Test]
    public void AViewMadeOfTheStoredGradient_KeepsItFromBeingLent()
    {
        var x = Leaf(new Generator(25));
        (x * 2.0).Sum().Backward();
        var view = x.StoredGrad!.Detach();
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(view.ToArray<float>(), Is.All.EqualTo(2f));
        Assert.That(x.StoredGrad!.RawData, Is.Not.SameAs(view.RawData));
    }

    // A non-contiguous gradient the caller assigned takes the `grad + g` path: the sum is new storage, which may be lent,
    // and the caller's tensor is never written.
    [Test]
    public void ANonContiguousAssignedGradient_IsReplacedByAFreshSum_AndNeverWritten()
    {
        var x = Leaf(new Generator(26));
        var mine = Tensor.Full([257, 300], 5.0).T;
        x.Grad = mine;
        (x * 2.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.Not.SameAs(mine.RawData));
        var sum = x.StoredGrad!.RawData;
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(sum));
        Assert.That(mine.ToArray<float>(), Is.All.EqualTo(5f));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void Float64And0d_GradientsAreReusedWithTheRightValues()
    {
        var x = Leaf(new Generator(27), DType.Float64);
        (x * x).Sum().Backward();
        var storage = x.StoredGrad!.RawData;
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float64));
        Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(3.0));

        var s = Tensor.Full([], 2.0, DType.Float64).RequireGrad();
        (s * s).Backward();
        var scalar = s.StoredGrad!.RawData;
        s.ZeroGrad();
        (s * 5.0).Backward();
        Assert.That(s.StoredGrad!.RawData, Is.SameAs(scalar));
        Assert.That(s.Grad!.Shape, Is.Empty);
        Assert.That(s.Grad!.Item(), Is.EqualTo(5.0));
    }

    [Test]
    public void ACollectedSpare_GivesAFreshGradientWithTheRightValues()
    {
        var x = Leaf(new Generator(28));
        (x * 2.0).Sum().Backward();
        x.ZeroGrad();
        for (int i = 0; i < 3; i++) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        (x * 3.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void CreateGraphAfterALend_GivesAGradientWithHistory_AndTheSpareServesALaterPlainPass()
    {
        var x = Leaf(new Generator(29), DType.Float64);
        (x * 2.0).Sum().Backward();
        var storage = x.StoredGrad!.RawData;
        x.ZeroGrad();
        (x * x).Sum().Backward(createGraph: true);
        var withHistory = x.StoredGrad!;
        Assert.That(withHistory.RequiresGrad, Is.True);
        Assert.That(withHistory.RawData, Is.Not.SameAs(storage));
        var twiceX = (x.Detach() * 2.0).ToArray<double>();
        x.ZeroGrad();
        (x * 3.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        Assert.That(x.Grad!.ToArray<double>(), Is.All.EqualTo(3.0));
        Assert.That(withHistory.Detach().ToArray<double>(), Is.EqualTo(twiceX));
    }

    [Test]
    public void AutodiffGrad_LeavesTheSpareAlone_AndItsResultIsNotOverwritten()
    {
        var x = Leaf(new Generator(30));
        (x * 2.0).Sum().Backward();
        var storage = x.StoredGrad!.RawData;
        x.ZeroGrad();
        var r = Autodiff.Grad([(x * 4.0).Sum()], [x])[0]!;
        Assert.That(x.StoredGrad, Is.Null);
        (x * 3.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        Assert.That(r.ToArray<float>(), Is.All.EqualTo(4f));
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    // A lent gradient computed inside a pool scope is not pool storage: it stays readable and unchanged after the scope,
    // while later scopes reuse the pool.
    [Test]
    public void ALentGradientInsideAPoolScope_OutlivesTheScope_AndLaterScopesDoNotWriteIt()
    {
        var x = Leaf(new Generator(31));
        var pool = new BufferPool();
        using (pool.Scope()) (x * 2.0).Sum().Backward();
        var storage = x.StoredGrad!.RawData;
        x.ZeroGrad();
        using (pool.Scope()) (x * 3.0).Sum().Backward();
        Assert.That(x.StoredGrad!.RawData, Is.SameAs(storage));
        for (int i = 0; i < 3; i++)
            using (pool.Scope())
            {
                var junk = (x.Detach() * 9.0 + 1.0).Exp();
                _ = junk.Sum().Item();
            }
        Assert.That(x.Grad!.IsReleased, Is.False);
        Assert.That(x.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    // Module.To there and back: the spare of the first dtype may serve again, always with the right values.
    [Test]
    public void ModuleToAndBack_GivesTheRightGradients()
    {
        var layer = new Linear(30, 20, generator: new Generator(32));
        var input = Tensor.Randn([8, 30], new Generator(33));
        var column = input.Sum(0).ToArray<float>();
        var expected = Enumerable.Range(0, 20).SelectMany(_ => column).ToArray();
        layer.Forward(input).Sum().Backward();
        layer.ZeroGrad();
        layer.To(DType.Float64);
        layer.Forward(input.To(DType.Float64)).Sum().Backward();
        layer.ZeroGrad();
        layer.To(DType.Float32);
        layer.Forward(input).Sum().Backward();
        var w = layer.Parameters().First();
        Assert.That(w.Grad!.DType, Is.EqualTo(DType.Float32));
        Assert.That(w.Grad!.ToArray<float>(), Is.EqualTo(expected).Within(1e-4));
    }

    // A weight tied between two modules (zeroed twice per step) and clipped: the bits of zeroing in place.
    [Test]
    public void ATiedWeightWithClipping_GivesTheBitsOfZeroingInPlace()
    {
        float[][] Train(bool setToNone)
        {
            var a = new Linear(40, 40, generator: new Generator(34));
            var b = new Linear(40, 40, generator: new Generator(35));
            var tied = a.Parameters().First();
            var optimizer = new AdamW(a.Parameters().Concat(b.Parameters().Skip(1)), lr: 1e-2);
            var x = Tensor.Randn([16, 40], new Generator(36));
            for (int step = 0; step < 5; step++)
            {
                var h = a.Forward(x).Relu();
                var y = h.MatMul(tied.T) + b.Parameters().Skip(1).First();
                (y * y).Mean().Backward();
                GradClip.ClipGradNorm(optimizer.Parameters, 0.5);
                optimizer.Step();
                a.ZeroGrad(setToNone);
                b.ZeroGrad(setToNone);
            }
            return a.Parameters().Concat(b.Parameters()).Select(p => p.ToArray<float>()).ToArray();
        }

        Assert.That(Train(setToNone: true), Is.EqualTo(Train(setToNone: false)));
    }

    // Independent models trained on parallel threads, each dropping its gradients: the bits of one after another.
    [Test]
    public void ParallelIndependentTraining_GivesTheSequentialBits()
    {
        float[] Train(int seed)
        {
            var model = new Sequential(new Linear(32, 64, generator: new Generator((ulong)seed)), new ReLU(), new Linear(64, 4, generator: new Generator((ulong)seed + 100)));
            var optimizer = new SGD(model.Parameters(), lr: 0.05, momentum: 0.9);
            var x = Tensor.Randn([16, 32], new Generator((ulong)seed + 200));
            for (int step = 0; step < 20; step++)
            {
                var y = model.Forward(x);
                (y * y).Mean().Backward();
                optimizer.Step(zeroGrad: true);
            }
            return model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        }

        var sequential = Enumerable.Range(0, 4).Select(Train).ToArray();
        var parallel = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = Train(i));
        Assert.That(parallel, Is.EqualTo(sequential));
    }
}
