using Autograd.Nn;

namespace Autograd.Tests.Nn;

public class BufferTests
{
    private sealed class WithBuffers : Module
    {
        public WithBuffers()
        {
            Running = RegisterBuffer("running", Tensor.Zeros([2]));
            Cache = RegisterBuffer("cache", Tensor.Ones([2]), persistent: false);
            Count = RegisterBuffer("num_batches_tracked", Tensor.From([0L], []));
        }

        public Tensor Running { get; }

        public Tensor Cache { get; }

        public Tensor Count { get; }

        public override Tensor Forward(Tensor input) => input;
    }

    [Test]
    public void NonPersistentBuffersAreListedButNotInTheStateDict()
    {
        var m = new Sequential(new WithBuffers());
        // PyTorch 1.13: register_buffer('cache', …, persistent=False) is in named_buffers() but not state_dict()
        Assert.That(m.NamedBuffers().Select(b => b.Name), Is.EqualTo(new[] { "0.running", "0.cache", "0.num_batches_tracked" }));
        Assert.That(m.StateDict().Keys, Is.EqualTo(new[] { "0.running", "0.num_batches_tracked" }));
    }

    [Test]
    public void LoadStateDictNeitherNeedsNorAcceptsNonPersistentBuffers()
    {
        var m = new WithBuffers();
        var state = new Dictionary<string, Tensor>
        {
            ["running"] = Tensor.From([3f, 4f]),
            ["num_batches_tracked"] = Tensor.From([7L], []),
        };
        m.LoadStateDict(state);
        Assert.That(m.Running.ToArray<float>(), Is.EqualTo(new[] { 3f, 4f }));
        Assert.That(m.Cache.ToArray<float>(), Is.EqualTo(new[] { 1f, 1f }));
        state["cache"] = Tensor.Zeros([2]);
        var e = Assert.Throws<ArgumentException>(() => m.LoadStateDict(state));
        Assert.That(e!.Message, Does.Contain("unexpected 'cache'"));
        Assert.That(m.Cache.ToArray<float>(), Is.EqualTo(new[] { 1f, 1f }));
    }
}
