namespace Autograd.Tests;

// The catalogue's rows added by the public-API review (docs/errors.md).
public partial class ErrorCatalogueTests
{
    private sealed class Forgetful : CustomFunction
    {
#pragma warning disable CS0649 // never assigned: that is the mistake under test
        private SavedTensor _x;
#pragma warning restore CS0649

        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;

        protected override Tensor?[] Backward(Tensor grad) => [grad * _x.Value];
    }

    [Test]
    public void CustomFunctionSavedTensorNeverAssigned()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        Fails<InvalidOperationException>(() => new Forgetful().Apply(x).Sum().Backward(), "SavedTensor.Value", "holds no tensor", "SaveForBackward");
        Assert.That(default(SavedTensor).IsSaved, Is.False);
        Fails<InvalidOperationException>(() => _ = default(SavedTensor).Value, "SavedTensor.Value", "holds no tensor");
    }
}
