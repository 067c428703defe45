namespace Autograd.Tests;

/// <summary>
/// Tensor.RegisterPostAccumulateGradHook (PyTorch's register_post_accumulate_grad_hook), run during the pass as soon as
/// a leaf's gradient is complete, and Autodiff.QueueCallback (PyTorch's queue_callback), run at the end of the pass.
/// </summary>
public class PostAccumulateGradHookTests
{
    private static (Tensor X, Tensor W1, Tensor W2) TwoLayers()
    {
        var x = Tensor.From(new double[] { 0.5, -1, 2, 0.25, 1.5, -0.75 }, 2, 3);
        var w1 = Tensor.From(new double[] { 0.1, -0.2, 0.3, 0.4, -0.5, 0.6 }, 3, 2).RequireGrad();
        var w2 = Tensor.From(new double[] { 0.7, -0.8 }, 2, 1).RequireGrad();
        return (x, w1, w2);
    }

    [Test]
    public void ALaterLayersHookRunsAsSoonAsItsGradientIsCompleteBeforeTheEarlierLayersBackward()
    {
        var (x, w1, w2) = TwoLayers();
        var events = new List<string>();
        w1.RegisterPostAccumulateGradHook(p => events.Add("w1 " + (p.Grad is null ? "none" : "grad")));
        w2.RegisterPostAccumulateGradHook(p => events.Add("w2 " + (p.Grad is null ? "none" : "grad") + (w1.Grad is null ? ", w1 pending" : ", w1 done")));
        var h = x.MatMul(w1).Tanh();
        h.RegisterHook(_ =>
        {
            events.Add("h");
            return null;
        });
        h.MatMul(w2).Sum().Backward();
        Assert.That(events, Is.EqualTo(new[] { "w2 grad, w1 pending", "h", "w1 grad" }));
    }

    [Test]
    public void TheHookSeesTheGradientAccumulatedOverEveryUseAndEveryPassAndRunsOncePerPass()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var seen = new List<double[]>();
        w.RegisterPostAccumulateGradHook(p => seen.Add(p.Grad!.ToArray<double>()));
        // w is used by two nodes far apart in the graph: the hook waits for both.
        var a = (w * 3.0).Exp().Sum();
        var loss = a.Log() + (w * w).Sum();
        loss.Backward();
        var first = w.Grad!.ToArray<double>();
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(first));
        Assert.That(first[1], Is.EqualTo(3 * Math.Exp(6) / (Math.Exp(3) + Math.Exp(6)) + 4).Within(1e-12));
        ((w * w).Sum() * 2.0).Backward();
        Assert.That(seen, Has.Count.EqualTo(2));
        Assert.That(seen[1], Is.EqualTo(new[] { first[0] + 4, first[1] + 8 }), "the second pass's hook sees .Grad after accumulation");
    }

    [Test]
    public void GradientsAreTheSameBitsWithAndWithoutTheHook()
    {
        double[][] Run(bool hook)
        {
            var (x, w1, w2) = TwoLayers();
            IDisposable? handle = hook ? w1.RegisterPostAccumulateGradHook(_ => { }) : null;
            using var h2 = hook ? w2.RegisterPostAccumulateGradHook(_ => { }) : null;
            var y = x.MatMul(w1).Tanh();
            (y.MatMul(w2).Sum() + (y * y).Sum() + w1.Sum()).Backward();
            handle?.Dispose();
            return [w1.Grad!.ToArray<double>(), w2.Grad!.ToArray<double>()];
        }

        Assert.That(Run(true), Is.EqualTo(Run(false)));
    }

    [Test]
    public void AGradientHookOnTheLeafRunsFirstAndWhatItReturnsIsAccumulated()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        double[]? seen = null;
        w.RegisterHook(g => g * 10.0);
        w.RegisterPostAccumulateGradHook(p => seen = p.Grad!.ToArray<double>());
        (w * w).Sum().Backward();
        Assert.That(seen, Is.EqualTo(new double[] { 20, 40 }));
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 20, 40 }));
    }

    [Test]
    public void ItDoesNotRunForAutodiffGradNorWhenTheLeafGetsNoGradientAndNotAfterDispose()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var unused = Tensor.From(new double[] { 3 }).RequireGrad();
        int runs = 0, unusedRuns = 0;
        var handle = w.RegisterPostAccumulateGradHook(_ => runs++);
        unused.RegisterPostAccumulateGradHook(_ => unusedRuns++);
        var y = (w * w).Sum() + w.Sum();
        Autodiff.Grad(y, w, retainGraph: true);
        Assert.That(runs, Is.EqualTo(0));
        Assert.That(w.Grad, Is.Null);
        y.Backward();
        Assert.That((runs, unusedRuns), Is.EqualTo((1, 0)));
        handle.Dispose();
        handle.Dispose();
        ((w * w).Sum() + w.Sum()).Backward();
        Assert.That(runs, Is.EqualTo(1));
    }

    [Test]
    public void ALeafThatIsAlsoTheOutputOrFeedsOnlyAOneInputChainGetsItsHook()
    {
        var w = Tensor.From(new double[] { 2 }).RequireGrad();
        var seen = new List<double>();
        w.RegisterPostAccumulateGradHook(p => seen.Add(p.Grad!.Item()));
        w.Exp().Sum().Backward();
        w.Backward(Tensor.From(new double[] { 5 }));
        Assert.That(seen, Is.EqualTo(new[] { Math.Exp(2), Math.Exp(2) + 5 }).Within(1e-12));
    }

    [Test]
    public void ANonLeafOrATensorWithoutGradIsRefused()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var ex = Assert.Throws<InvalidOperationException>(() => (w * 2.0).RegisterPostAccumulateGradHook(_ => { }));
        Assert.That(ex!.Message, Does.StartWith("RegisterPostAccumulateGradHook: ").And.Contain("not a leaf"));
        ex = Assert.Throws<InvalidOperationException>(() => Tensor.From(new double[] { 1 }).RegisterPostAccumulateGradHook(_ => { }));
        Assert.That(ex!.Message, Does.StartWith("RegisterPostAccumulateGradHook: ").And.Contain("does not require grad"));
        Assert.Throws<ArgumentNullException>(() => w.RegisterPostAccumulateGradHook(null!));
    }

    [Test]
    public void AQueuedCallbackRunsOnceEveryGradientIsAccumulatedInTheOrderQueued()
    {
        var (x, w1, w2) = TwoLayers();
        var events = new List<string>();
        w2.RegisterPostAccumulateGradHook(_ => Autodiff.QueueCallback(() =>
        {
            events.Add("first: w1 " + (w1.Grad is null ? "pending" : "done"));
            Autodiff.QueueCallback(() => events.Add("queued by a callback"));
        }));
        w2.RegisterPostAccumulateGradHook(_ => Autodiff.QueueCallback(() => events.Add("second")));
        x.MatMul(w1).Tanh().MatMul(w2).Sum().Backward();
        Assert.That(events, Is.EqualTo(new[] { "first: w1 done", "second", "queued by a callback" }));
        events.Clear();
        // Callbacks belong to one pass: the next pass runs only those it queues.
        x.MatMul(w1).Sum().Backward();
        Assert.That(events, Is.Empty);
    }

    [Test]
    public void AQueuedCallbackRunsForAutodiffGradAndANestedPassKeepsItsOwn()
    {
        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var v = Tensor.From(new double[] { 3 }).RequireGrad();
        var events = new List<string>();
        w.RegisterHook(g =>
        {
            Autodiff.QueueCallback(() => events.Add("outer"));
            // A backward inside a hook is a pass of its own: its callback runs when it ends.
            v.RegisterHook(_ =>
            {
                Autodiff.QueueCallback(() => events.Add("inner"));
                return null;
            });
            // Hooks run in no-grad mode (the pass records nothing): the inner pass's graph is recorded explicitly.
            using (Autodiff.EnableGrad()) (v * v).Sum().Backward();
            events.Add("inner pass returned");
            return null;
        });
        Autodiff.Grad((w * w).Sum(), w);
        Assert.That(events, Is.EqualTo(new[] { "inner", "inner pass returned", "outer" }));
    }

    [Test]
    public void QueueCallbackOutsideABackwardPassIsRefusedAndAThrowingPassRunsNoCallback()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Autodiff.QueueCallback(() => { }));
        Assert.That(ex!.Message, Does.StartWith("QueueCallback: no backward pass is running"));
        Assert.Throws<ArgumentNullException>(() => Autodiff.QueueCallback(null!));

        var w = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        bool ran = false;
        var y = (w * w).Sum();
        y.RegisterHook(_ =>
        {
            Autodiff.QueueCallback(() => ran = true);
            throw new InvalidOperationException("boom");
        });
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ran, Is.False);
        // The thread is out of the pass again.
        Assert.Throws<InvalidOperationException>(() => Autodiff.QueueCallback(() => { }));
    }
}
