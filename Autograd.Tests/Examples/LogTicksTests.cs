using System.Globalization;
using Autograd.Examples;

namespace Autograd.Tests.Examples;

/// <summary>
/// The log-axis ticks of the examples' plots (examples/Shared/LogTicks.cs): labelled with plain values, several per
/// axis whatever the range, never overlapping.
/// </summary>
[TestFixture]
public class LogTicksTests
{
    private const double LabelHeight = 12;

    private static LogTick[] Ticks(double lowValue, double highValue, double pixels = 480, double labelExtent = LabelHeight) =>
        LogTicks.Generate(Math.Log10(lowValue), Math.Log10(highValue), pixels, _ => labelExtent).ToArray();

    private static string[] Labels(IEnumerable<LogTick> ticks) =>
        ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).Select(t => t.Label!).ToArray();

    private static void AssertLabelsAreTheirPositions(IEnumerable<LogTick> ticks)
    {
        foreach (var t in ticks.Where(t => t.IsMajor))
        {
            double value = double.Parse(t.Label!, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.That(Math.Log10(value), Is.EqualTo(t.Position).Within(1e-12), $"label {t.Label} at {t.Position}");
        }
    }

    [Test]
    public void ALossWithinOneDecade_GetsSeveralPlainLabels()
    {
        // Fashion-MNIST's cross-entropy over ten epochs: 0.23 to 0.57, no power of ten inside.
        var ticks = Ticks(0.23, 0.57);
        Assert.That(Labels(ticks), Is.EqualTo(new[] { "0.25", "0.3", "0.35", "0.4", "0.45", "0.5", "0.55" }));
        Assert.That(ticks.Count(t => !t.IsMajor), Is.GreaterThan(0), "minor ticks between the labels");
        AssertLabelsAreTheirPositions(ticks);
    }

    [Test]
    public void ARangeWithinOneDecade_LabelsEveryIntegerTimesThePower_WithMinorTicksHalfway()
    {
        // The same losses with ScottPlot's margins: 0.21 to 0.61.
        var ticks = Ticks(0.21, 0.61);
        Assert.That(Labels(ticks), Is.EqualTo(new[] { "0.3", "0.4", "0.5", "0.6" }));
        var minors = ticks.Where(t => !t.IsMajor).Select(t => Math.Pow(10, t.Position)).ToArray();
        Assert.That(minors, Has.Some.EqualTo(0.25).Within(1e-12).And.Some.EqualTo(0.55).Within(1e-12));
        AssertLabelsAreTheirPositions(ticks);
    }

    [Test]
    public void ARangeOverTwoDecades_LabelsOneAndThreeTimesEachPower()
    {
        var ticks = Ticks(0.028, 1.6);
        Assert.That(Labels(ticks), Is.EqualTo(new[] { "0.03", "0.1", "0.3", "1" }));
        AssertLabelsAreTheirPositions(ticks);
    }

    [Test]
    public void ManyDecades_LabelEachPowerOfTen_WithMinorTicksAtTheIntegersBetween()
    {
        var ticks = Ticks(8e-6, 20);
        Assert.That(Labels(ticks), Is.EqualTo(new[] { "1e-5", "1e-4", "0.001", "0.01", "0.1", "1", "10" }));
        var minors = ticks.Where(t => !t.IsMajor).Select(t => Math.Pow(10, t.Position)).ToArray();
        Assert.That(minors, Has.Some.EqualTo(2e-3).Within(1e-15).And.Some.EqualTo(9).Within(1e-9));
        AssertLabelsAreTheirPositions(ticks);
    }

    [Test]
    public void AShortAxis_KeepsItsLabelsApart()
    {
        // 10 decades on 120 pixels: labels 12 pixels high need every other decade or sparser.
        var ticks = LogTicks.Generate(-8, 2, 120, _ => LabelHeight, padding: 8);
        var majors = ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).ToArray();
        Assert.That(majors, Has.Length.GreaterThanOrEqualTo(2));
        for (int i = 1; i < majors.Length; i++)
            Assert.That((majors[i].Position - majors[i - 1].Position) * 12, Is.GreaterThanOrEqualTo(LabelHeight + 8));
    }

    [Test]
    public void ANarrowRange_FallsBackToEvenSteps()
    {
        var ticks = Ticks(0.5, 0.53);
        Assert.That(Labels(ticks), Is.EqualTo(new[] { "0.5", "0.51", "0.52", "0.53" }));
    }

    [TestCase(double.NaN, 1.0)]
    [TestCase(0.0, double.PositiveInfinity)]
    [TestCase(1.0, 1.0)]
    public void AnEmptyOrNonFiniteRange_HasNoTicks(double low, double high)
    {
        Assert.That(LogTicks.Generate(low, high, 400, _ => LabelHeight), Is.Empty);
    }

    [TestCase(3L, -1, "0.3")]
    [TestCase(25L, -2, "0.25")]
    [TestCase(1L, -3, "0.001")]
    [TestCase(1L, -4, "1e-4")]
    [TestCase(25L, -6, "2.5e-5")]
    [TestCase(30L, 0, "30")]
    [TestCase(9999L, 0, "9999")]
    [TestCase(2L, 4, "2e4")]
    [TestCase(-3L, 1, "-30")]
    [TestCase(0L, 5, "0")]
    public void Label_PrintsTheExactValuePlainly(long mantissa, int exponent, string expected)
    {
        Assert.That(LogTicks.Label(mantissa, exponent), Is.EqualTo(expected));
    }
}
