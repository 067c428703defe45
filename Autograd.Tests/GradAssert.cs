using NUnit.Framework.Constraints;

namespace Autograd.Tests;

/// <summary>NUnit constraint on a <see cref="GradCheckResult"/>: <c>Assert.That(GradCheck.Check(f, xs), Gradients.Match)</c>; a failure prints the report.</summary>
public sealed class GradCheckPassedConstraint : Constraint
{
    public override string Description => "a passing gradient check";

    public override ConstraintResult ApplyTo<TActual>(TActual actual) =>
        actual is GradCheckResult r
            ? new GradCheckConstraintResult(this, r)
            : throw new ArgumentException($"Expected a GradCheckResult, got {actual?.GetType().Name ?? "null"}.");

    private sealed class GradCheckConstraintResult(IConstraint constraint, GradCheckResult result)
        : ConstraintResult(constraint, result, result.Passed)
    {
        public override void WriteActualValueTo(MessageWriter writer) => writer.Write(result.ToString());
    }
}

/// <summary>Entry point for the gradient constraints.</summary>
public static class Gradients
{
    /// <summary>Analytic and numeric gradients agree within GradCheck's tolerances.</summary>
    public static GradCheckPassedConstraint Match => new();
}
