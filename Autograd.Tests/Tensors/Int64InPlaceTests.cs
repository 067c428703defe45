namespace Autograd.Tests;

public class Int64InPlaceTests
{
    [Test]
    public void MulInPlaceByAnInteger_IsExactOnInt64AndUnchangedOnFloat()
    {
        var labels = Tensor.From(new long[] { 3, -2, (1L << 53) + 1 });
        Assert.That(labels.MulInPlace(2), Is.SameAs(labels));
        Assert.That(labels.DType, Is.EqualTo(DType.Int64));
        Assert.That(labels.ToArray<long>(), Is.EqualTo(new long[] { 6, -4, (1L << 54) + 2 }));
        Assert.That(labels.VersionNumber, Is.EqualTo(1));
        // A fractional factor still refuses: the result would be float.
        Assert.Throws<ArgumentException>(() => labels.MulInPlace(2.5));

        // On float tensors an integer factor takes the same path as the double one: the same bits.
        var a = Tensor.From(new float[] { 0.1f, -3.7f, 1e30f });
        var b = a.Clone();
        a.MulInPlace(3);
        b.MulInPlace(3.0);
        Assert.That(a.ToArray<float>(), Is.EqualTo(b.ToArray<float>()));
    }
}
