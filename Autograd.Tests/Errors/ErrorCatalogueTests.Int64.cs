namespace Autograd.Tests;

// The catalogue's rows on int64 semantics and on BroadcastTo's −1 (docs/errors.md).
public partial class ErrorCatalogueTests
{
    [Test]
    public void MeanOfAnInt64TensorSaysToConvert()
    {
        var labels = Tensor.From(new long[] { 1, 2, 3 });
        Fails<ArgumentException>(() => labels.Mean(), "mean", "could not infer the output dtype", "int64", "[3]", ".To(DType.Float32)");
        Fails<ArgumentException>(() => labels.Mean(0), "mean", "int64", ".To(DType.Float32)");
        Assert.That(labels.To(DType.Float32).Mean().Item(), Is.EqualTo(2.0));
    }

    [Test]
    public void BroadcastToWithMinusOneForANewLeadingDimension()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 });
        Fails<ArgumentException>(() => x.BroadcastTo(-1, 3), "broadcast_to", "-1", "dimension 0", "[-1, 3]", "new leading dimension", "[3]");
        Fails<ArgumentException>(() => x.BroadcastTo(2, -2), "broadcast_to", "invalid size -2", "dimension 1", "[2, -2]");
        Fails<ArgumentException>(() => x.BroadcastTo(-1, -1), "broadcast_to", "-1", "dimension 0");
    }

    [Test]
    public void NotAnError_Int64ArithmeticWithIntegersStaysInt64()
    {
        var i = Tensor.From(new long[] { 16777217, 2 });
        var sum = i + 1;
        Assert.That(sum.DType, Is.EqualTo(DType.Int64));
        Assert.That(sum.ToArray<long>(), Is.EqualTo(new long[] { 16777218, 3 }));
        Assert.That((i * i).ToArray<long>(), Is.EqualTo(new long[] { 16777217L * 16777217, 4 }));
        Assert.That(i.Sum().Item<long>(), Is.EqualTo(16777219));
        Assert.That((i / 2).DType, Is.EqualTo(DType.Float32));
        Assert.That((i + 0.5).DType, Is.EqualTo(DType.Float32));
    }
}
