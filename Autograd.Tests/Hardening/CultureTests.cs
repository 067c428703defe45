using System.Globalization;

namespace Autograd.Tests.Hardening;

public class CultureTests
{
    [Test]
    [SetCulture("de-DE")]
    public void MessagesAndPrintingDoNotDependOnTheCurrentCulture()
    {
        var x = Tensor.From(new double[] { 0.5, 2.25 });
        Assert.That(x.ToString(), Does.Contain("0.5000, 2.2500"));
        Assert.That(() => x.Clamp(2.5, 1.5), Throws.ArgumentException.With.Message.Contains("min 2.5").And.Message.Contains("max 1.5"));
        Assert.That(() => Tensor.Arange(0, 1, 0.0), Throws.ArgumentException.With.Message.Contains("got 0."));
        Assert.That(() => ((Value)1.5).Clamp(0.5, 0.25), Throws.ArgumentException.With.Message.Contains("0.5"));
        Assert.That(CultureInfo.CurrentCulture.Name, Is.EqualTo("de-DE"));
    }
}
