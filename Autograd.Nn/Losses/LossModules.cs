namespace Autograd.Nn;

// The loss modules of torch.nn: each holds its options and calls the Losses function of the same computation.
// Class weights are buffers under PyTorch's names (weight, pos_weight), so they appear in the state dictionary.
internal static class LossModule
{
    public static Reduction Check(string module, Reduction reduction) =>
        reduction is Reduction.Mean or Reduction.Sum or Reduction.None
            ? reduction
            : throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{module}: reduction must be Mean, Sum or None.");
}

/// <summary>The cross-entropy loss module (nn.CrossEntropyLoss): <see cref="Losses.CrossEntropy"/> with the options held here. Its repr is PyTorch's, <c>CrossEntropyLoss()</c>.</summary>
public sealed class CrossEntropyLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="weight">Optional per-class weights [C], registered as the buffer <c>weight</c>.</param>
    /// <param name="ignoreIndex">A class index whose samples are ignored (PyTorch's <c>ignore_index</c>).</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <param name="labelSmoothing">The smoothing ε in [0, 1] (PyTorch's <c>label_smoothing</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>, or <paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">A weight is not float32 or float64.</exception>
    public CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean, double labelSmoothing = 0.0)
    {
        if (weight is not null && !weight.DType.IsFloatingPoint())
            throw new ArgumentException($"CrossEntropyLoss: weight must be float32 or float64, got {weight.DType.Name()}.", nameof(weight));
        Weight = weight is null ? null : RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
        Reduction = LossModule.Check(nameof(CrossEntropyLoss), reduction);
        LabelSmoothing = labelSmoothing >= 0 && labelSmoothing <= 1 ? labelSmoothing : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"CrossEntropyLoss: labelSmoothing must lie in [0, 1], got {labelSmoothing}.");
    }

    /// <summary>The per-class weights (the buffer <c>weight</c>), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The ignored class index.</summary>
    public long IgnoreIndex { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The label smoothing ε.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The unnormalized scores [C], [N, C] or [N, C, d₁, …].</param>
    /// <param name="target">The int64 class indices or float class probabilities.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.CrossEntropy"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.CrossEntropy(input, target, Reduction, Weight, IgnoreIndex, LabelSmoothing);
    }
}

/// <summary>The negative log-likelihood loss module (nn.NLLLoss): <see cref="Losses.NllLoss"/> with the options held here. Its repr is PyTorch's, <c>NLLLoss()</c>.</summary>
public sealed class NLLLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="weight">Optional per-class weights [C], registered as the buffer <c>weight</c>.</param>
    /// <param name="ignoreIndex">A class index whose samples are ignored (PyTorch's <c>ignore_index</c>).</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    /// <exception cref="ArgumentException">A weight is not float32 or float64.</exception>
    public NLLLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        if (weight is not null && !weight.DType.IsFloatingPoint())
            throw new ArgumentException($"NLLLoss: weight must be float32 or float64, got {weight.DType.Name()}.", nameof(weight));
        Weight = weight is null ? null : RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
        Reduction = LossModule.Check(nameof(NLLLoss), reduction);
    }

    /// <summary>The per-class weights (the buffer <c>weight</c>), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The ignored class index.</summary>
    public long IgnoreIndex { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The log-probabilities [C], [N, C] or [N, C, d₁, …].</param>
    /// <param name="target">The int64 class indices.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.NllLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.NllLoss(input, target, Reduction, Weight, IgnoreIndex);
    }
}

/// <summary>The mean squared error module (nn.MSELoss): <see cref="Losses.MseLoss"/>. Its repr is PyTorch's, <c>MSELoss()</c>.</summary>
public sealed class MSELoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public MSELoss(Reduction reduction = Reduction.Mean)
    {
        Reduction = LossModule.Check(nameof(MSELoss), reduction);
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.MseLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.MseLoss(input, target, Reduction);
    }
}

/// <summary>The mean absolute error module (nn.L1Loss): <see cref="Losses.L1Loss"/>. Its repr is PyTorch's, <c>L1Loss()</c>.</summary>
public sealed class L1Loss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public L1Loss(Reduction reduction = Reduction.Mean)
    {
        Reduction = LossModule.Check(nameof(L1Loss), reduction);
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.L1Loss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.L1Loss(input, target, Reduction);
    }
}

/// <summary>The binary cross-entropy module on probabilities (nn.BCELoss): <see cref="Losses.BinaryCrossEntropy"/>. Its repr is PyTorch's, <c>BCELoss()</c>.</summary>
public sealed class BCELoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="weight">Optional weights broadcasting to the input's shape, registered as the buffer <c>weight</c>.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    /// <exception cref="ArgumentException">A weight is not float32 or float64.</exception>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        if (weight is not null && !weight.DType.IsFloatingPoint())
            throw new ArgumentException($"BCELoss: weight must be float32 or float64, got {weight.DType.Name()}.", nameof(weight));
        Weight = weight is null ? null : RegisterBuffer("weight", weight);
        Reduction = LossModule.Check(nameof(BCELoss), reduction);
    }

    /// <summary>The weights (the buffer <c>weight</c>), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The probabilities in [0, 1].</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.BinaryCrossEntropy"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.BinaryCrossEntropy(input, target, Reduction, Weight);
    }
}

/// <summary>The binary cross-entropy module on logits (nn.BCEWithLogitsLoss): <see cref="Losses.BinaryCrossEntropyWithLogits"/>. Its repr is PyTorch's, <c>BCEWithLogitsLoss()</c>.</summary>
public sealed class BCEWithLogitsLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="weight">Optional weights broadcasting to the logits' shape, registered as the buffer <c>weight</c>.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <param name="posWeight">Optional weights of the positive term, registered as the buffer <c>pos_weight</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    /// <exception cref="ArgumentException">A weight is not float32 or float64.</exception>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
    {
        if (weight is not null && !weight.DType.IsFloatingPoint())
            throw new ArgumentException($"BCEWithLogitsLoss: weight must be float32 or float64, got {weight.DType.Name()}.", nameof(weight));
        if (posWeight is not null && !posWeight.DType.IsFloatingPoint())
            throw new ArgumentException($"BCEWithLogitsLoss: posWeight must be float32 or float64, got {posWeight.DType.Name()}.", nameof(posWeight));
        Weight = weight is null ? null : RegisterBuffer("weight", weight);
        Reduction = LossModule.Check(nameof(BCEWithLogitsLoss), reduction);
        PosWeight = posWeight is null ? null : RegisterBuffer("pos_weight", posWeight);
    }

    /// <summary>The weights (the buffer <c>weight</c>), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The positive-term weights (the buffer <c>pos_weight</c>), or null.</summary>
    public Tensor? PosWeight { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The logits.</param>
    /// <param name="target">The targets in [0, 1], of the logits' shape.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.BinaryCrossEntropyWithLogits"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.BinaryCrossEntropyWithLogits(input, target, Reduction, Weight, PosWeight);
    }
}

/// <summary>The Huber loss module (nn.HuberLoss): <see cref="Losses.HuberLoss"/>. Its repr is PyTorch's, <c>HuberLoss()</c>.</summary>
public sealed class HuberLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <param name="delta">The threshold δ &gt; 0 between the quadratic and the linear part.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>, or <paramref name="delta"/> is not &gt; 0.</exception>
    public HuberLoss(Reduction reduction = Reduction.Mean, double delta = 1.0)
    {
        Reduction = LossModule.Check(nameof(HuberLoss), reduction);
        Delta = delta > 0 ? delta : throw new ArgumentOutOfRangeException(nameof(delta), delta, $"HuberLoss: delta must be > 0, got {delta}.");
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The threshold δ.</summary>
    public double Delta { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.HuberLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.HuberLoss(input, target, Reduction, Delta);
    }
}

/// <summary>The smooth L1 loss module (nn.SmoothL1Loss): <see cref="Losses.SmoothL1Loss"/>. Its repr is PyTorch's, <c>SmoothL1Loss()</c>.</summary>
public sealed class SmoothL1Loss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <param name="beta">The threshold β ≥ 0 between the quadratic and the linear part.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>, or <paramref name="beta"/> is negative or NaN.</exception>
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        Reduction = LossModule.Check(nameof(SmoothL1Loss), reduction);
        Beta = beta >= 0 ? beta : throw new ArgumentOutOfRangeException(nameof(beta), beta, $"SmoothL1Loss: beta must be >= 0, got {beta}.");
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The threshold β.</summary>
    public double Beta { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.SmoothL1Loss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.SmoothL1Loss(input, target, Reduction, Beta);
    }
}

/// <summary>The Kullback–Leibler divergence module (nn.KLDivLoss): <see cref="Losses.KlDivLoss"/> (PyTorch's <c>batchmean</c> is <see cref="Reduction.Sum"/> divided by the batch size). Its repr is PyTorch's, <c>KLDivLoss()</c>.</summary>
public sealed class KLDivLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <param name="logTarget">Whether the target holds log-probabilities (PyTorch's <c>log_target</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public KLDivLoss(Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        Reduction = LossModule.Check(nameof(KLDivLoss), reduction);
        LogTarget = logTarget;
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Whether the target holds log-probabilities.</summary>
    public bool LogTarget { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The log-probabilities.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.KlDivLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.KlDivLoss(input, target, Reduction, LogTarget);
    }
}

/// <summary>The soft margin loss module (nn.SoftMarginLoss): <see cref="Losses.SoftMarginLoss"/>. Its repr is PyTorch's, <c>SoftMarginLoss()</c>.</summary>
public sealed class SoftMarginLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public SoftMarginLoss(Reduction reduction = Reduction.Mean)
    {
        Reduction = LossModule.Check(nameof(SoftMarginLoss), reduction);
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.SoftMarginLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.SoftMarginLoss(input, target, Reduction);
    }
}

/// <summary>The hinge embedding loss module (nn.HingeEmbeddingLoss): <see cref="Losses.HingeEmbeddingLoss"/>. Its repr is PyTorch's, <c>HingeEmbeddingLoss()</c>.</summary>
public sealed class HingeEmbeddingLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="margin">The margin a dissimilar pair's distance must reach.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public HingeEmbeddingLoss(double margin = 1.0, Reduction reduction = Reduction.Mean)
    {
        Margin = margin;
        Reduction = LossModule.Check(nameof(HingeEmbeddingLoss), reduction);
    }

    /// <summary>The margin.</summary>
    public double Margin { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.HingeEmbeddingLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.HingeEmbeddingLoss(input, target, Reduction, Margin);
    }
}

/// <summary>The Poisson negative log-likelihood module (nn.PoissonNLLLoss): <see cref="Losses.PoissonNllLoss"/>. Its repr is PyTorch's, <c>PoissonNLLLoss()</c>.</summary>
public sealed class PoissonNLLLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="logInput">Whether the input holds log-rates (PyTorch's <c>log_input</c>).</param>
    /// <param name="full">Whether to add the Stirling term (PyTorch's <c>full</c>).</param>
    /// <param name="eps">Added to a rate before its log when <paramref name="logInput"/> is false.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public PoissonNLLLoss(bool logInput = true, bool full = false, double eps = 1e-8, Reduction reduction = Reduction.Mean)
    {
        LogInput = logInput;
        Full = full;
        Eps = eps;
        Reduction = LossModule.Check(nameof(PoissonNLLLoss), reduction);
    }

    /// <summary>Whether the input holds log-rates.</summary>
    public bool LogInput { get; }

    /// <summary>Whether the Stirling term is added.</summary>
    public bool Full { get; }

    /// <summary>The eps added before the log.</summary>
    public double Eps { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.PoissonNllLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.PoissonNllLoss(input, target, Reduction, LogInput, Full, Eps);
    }
}

/// <summary>The multi-class margin loss module (nn.MultiMarginLoss): <see cref="Losses.MultiMarginLoss"/>. Its repr is PyTorch's, <c>MultiMarginLoss()</c>.</summary>
public sealed class MultiMarginLoss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="p">The power of each term, 1 or 2.</param>
    /// <param name="margin">The margin by which the target's score must lead.</param>
    /// <param name="weight">Optional per-class weights [C], registered as the buffer <c>weight</c>.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>, or <paramref name="p"/> is neither 1 nor 2.</exception>
    /// <exception cref="ArgumentException">A weight is not float32 or float64.</exception>
    public MultiMarginLoss(int p = 1, double margin = 1.0, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        if (weight is not null && !weight.DType.IsFloatingPoint())
            throw new ArgumentException($"MultiMarginLoss: weight must be float32 or float64, got {weight.DType.Name()}.", nameof(weight));
        P = p is 1 or 2 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, $"MultiMarginLoss: p must be 1 or 2, got {p}.");
        Margin = margin;
        Weight = weight is null ? null : RegisterBuffer("weight", weight);
        Reduction = LossModule.Check(nameof(MultiMarginLoss), reduction);
    }

    /// <summary>The power of each term.</summary>
    public int P { get; }

    /// <summary>The margin.</summary>
    public double Margin { get; }

    /// <summary>The per-class weights (the buffer <c>weight</c>), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The scores [N, C] or [C].</param>
    /// <param name="target">The int64 class indices.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.MultiMarginLoss"/>).</exception>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return Losses.MultiMarginLoss(input, target, Reduction, P, Margin, Weight);
    }
}

/// <summary>The margin ranking loss module (nn.MarginRankingLoss), of three inputs: <see cref="Losses.MarginRankingLoss"/>. Its repr is PyTorch's, <c>MarginRankingLoss()</c>.</summary>
public sealed class MarginRankingLoss : Module
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="margin">The margin by which the right score must lead.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public MarginRankingLoss(double margin = 0.0, Reduction reduction = Reduction.Mean)
    {
        Margin = margin;
        Reduction = LossModule.Check(nameof(MarginRankingLoss), reduction);
    }

    /// <summary>The margin.</summary>
    public double Margin { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of the three inputs.</summary>
    /// <param name="input1">The first scores.</param>
    /// <param name="input2">The second scores.</param>
    /// <param name="target">The targets, 1 or −1.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.MarginRankingLoss"/>).</exception>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => Losses.MarginRankingLoss(input1, input2, target, Reduction, Margin);

    /// <summary>Same as <see cref="Forward(Tensor, Tensor, Tensor)"/>, so that the module reads like a function.</summary>
    /// <param name="input1">The first scores.</param>
    /// <param name="input2">The second scores.</param>
    /// <param name="target">The targets, 1 or −1.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.MarginRankingLoss"/>).</exception>
    public Tensor Call(Tensor input1, Tensor input2, Tensor target) => Forward(input1, input2, target);
}

/// <summary>The Gaussian negative log-likelihood module (nn.GaussianNLLLoss), of three inputs: <see cref="Losses.GaussianNllLoss"/>. Its repr is PyTorch's, <c>GaussianNLLLoss()</c>.</summary>
public sealed class GaussianNLLLoss : Module
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="full">Whether to add the constant ½·log 2π (PyTorch's <c>full</c>).</param>
    /// <param name="eps">The least variance used.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public GaussianNLLLoss(bool full = false, double eps = 1e-6, Reduction reduction = Reduction.Mean)
    {
        Full = full;
        Eps = eps;
        Reduction = LossModule.Check(nameof(GaussianNLLLoss), reduction);
    }

    /// <summary>Whether the constant is added.</summary>
    public bool Full { get; }

    /// <summary>The least variance used.</summary>
    public double Eps { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of the three inputs.</summary>
    /// <param name="input">The means.</param>
    /// <param name="target">The targets.</param>
    /// <param name="var">The variances.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.GaussianNllLoss"/>).</exception>
    public Tensor Forward(Tensor input, Tensor target, Tensor var) => Losses.GaussianNllLoss(input, target, var, Reduction, Full, Eps);

    /// <summary>Same as <see cref="Forward(Tensor, Tensor, Tensor)"/>, so that the module reads like a function.</summary>
    /// <param name="input">The means.</param>
    /// <param name="target">The targets.</param>
    /// <param name="var">The variances.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.GaussianNllLoss"/>).</exception>
    public Tensor Call(Tensor input, Tensor target, Tensor var) => Forward(input, target, var);
}

/// <summary>The cosine embedding loss module (nn.CosineEmbeddingLoss), of three inputs: <see cref="Losses.CosineEmbeddingLoss"/>. Its repr is PyTorch's, <c>CosineEmbeddingLoss()</c>.</summary>
public sealed class CosineEmbeddingLoss : Module
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="margin">The cosine below which a dissimilar pair costs nothing.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>.</exception>
    public CosineEmbeddingLoss(double margin = 0.0, Reduction reduction = Reduction.Mean)
    {
        Margin = margin;
        Reduction = LossModule.Check(nameof(CosineEmbeddingLoss), reduction);
    }

    /// <summary>The margin.</summary>
    public double Margin { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of the three inputs.</summary>
    /// <param name="input1">The first embeddings.</param>
    /// <param name="input2">The second embeddings.</param>
    /// <param name="target">The targets, 1 or −1.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.CosineEmbeddingLoss"/>).</exception>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => Losses.CosineEmbeddingLoss(input1, input2, target, Reduction, Margin);

    /// <summary>Same as <see cref="Forward(Tensor, Tensor, Tensor)"/>, so that the module reads like a function.</summary>
    /// <param name="input1">The first embeddings.</param>
    /// <param name="input2">The second embeddings.</param>
    /// <param name="target">The targets, 1 or −1.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.CosineEmbeddingLoss"/>).</exception>
    public Tensor Call(Tensor input1, Tensor input2, Tensor target) => Forward(input1, input2, target);
}

/// <summary>The triplet margin loss module (nn.TripletMarginLoss), of three inputs: <see cref="Losses.TripletMarginLoss"/>. Its repr is PyTorch's, <c>TripletMarginLoss()</c>.</summary>
public sealed class TripletMarginLoss : Module
{
    /// <summary>Creates the module with PyTorch's defaults for the options not given.</summary>
    /// <param name="margin">The margin by which the negative must be farther than the positive.</param>
    /// <param name="p">The norm's order, finite and &gt; 0.</param>
    /// <param name="eps">Added to each difference before the norm.</param>
    /// <param name="swap">Whether to use the distance swap.</param>
    /// <param name="reduction">How the per-element losses are combined (PyTorch's <c>reduction</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not a defined <see cref="Nn.Reduction"/>, or <paramref name="p"/> is not finite and &gt; 0.</exception>
    public TripletMarginLoss(double margin = 1.0, double p = 2.0, double eps = 1e-6, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        Margin = margin;
        P = p > 0 && double.IsFinite(p) ? p : throw new ArgumentOutOfRangeException(nameof(p), p, $"TripletMarginLoss: p must be finite and > 0, got {p}.");
        Eps = eps;
        Swap = swap;
        Reduction = LossModule.Check(nameof(TripletMarginLoss), reduction);
    }

    /// <summary>The margin.</summary>
    public double Margin { get; }

    /// <summary>The norm's order.</summary>
    public double P { get; }

    /// <summary>The eps added to each difference.</summary>
    public double Eps { get; }

    /// <summary>Whether the distance swap is used.</summary>
    public bool Swap { get; }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Computes the loss of the three inputs.</summary>
    /// <param name="anchor">The anchors.</param>
    /// <param name="positive">The positives.</param>
    /// <param name="negative">The negatives.</param>
    /// <returns>The loss, reduced as <see cref="Reduction"/> says.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.TripletMarginLoss"/>).</exception>
    public Tensor Forward(Tensor anchor, Tensor positive, Tensor negative) => Losses.TripletMarginLoss(anchor, positive, negative, Reduction, Margin, P, Eps, Swap);

    /// <summary>Same as <see cref="Forward(Tensor, Tensor, Tensor)"/>, so that the module reads like a function.</summary>
    /// <param name="anchor">The anchors.</param>
    /// <param name="positive">The positives.</param>
    /// <param name="negative">The negatives.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the loss (see <see cref="Losses.TripletMarginLoss"/>).</exception>
    public Tensor Call(Tensor anchor, Tensor positive, Tensor negative) => Forward(anchor, positive, negative);
}
