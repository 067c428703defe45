namespace Autograd.Nn.Optim;

/// <summary>
/// Cosine annealing with warm restarts (PyTorch's CosineAnnealingWarmRestarts, SGDR):
/// η = η_min + (η₀ − η_min)(1 + cos(π·T_cur/T_i))/2, where T_cur counts the epochs since the last restart and the
/// period T_i starts at T_0 and is multiplied by T_mult at each restart. As PyTorch's, it is computed from the base
/// rates (not chainable).
/// </summary>
public sealed class CosineAnnealingWarmRestarts : LRScheduler
{
    /// <summary>The state-dictionary key of <see cref="TCur"/>.</summary>
    public const string TCurKey = "T_cur";

    /// <summary>The state-dictionary key of <see cref="TI"/>.</summary>
    public const string TIKey = "T_i";

    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
    /// <param name="t0">The first period T_0, in epochs (≥ 1).</param>
    /// <param name="tMult">The factor T_mult by which the period grows at each restart (≥ 1).</param>
    /// <param name="etaMin">The minimum learning rate η_min (finite, ≥ 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, double etaMin = 0)
        : base(optimizer)
    {
        T0 = CheckPositive(t0, "T_0", nameof(t0));
        TMult = CheckPositive(tMult, "T_mult", nameof(tMult));
        EtaMin = CheckNonNegative(etaMin, "eta_min", nameof(etaMin));
        TI = T0;
        TCur = -1;
        InitialStep();
    }

    /// <summary>The first period T_0.</summary>
    public int T0 { get; }

    /// <summary>The growth factor T_mult of the period.</summary>
    public int TMult { get; }

    /// <summary>The minimum learning rate η_min.</summary>
    public double EtaMin { get; }

    /// <summary>The epochs since the last restart.</summary>
    public int TCur { get; private set; }

    /// <summary>The current period.</summary>
    public int TI { get; private set; }

    /// <inheritdoc/>
    internal override void StepTo(int epoch, bool closedForm)
    {
        int savedCur = TCur, savedI = TI;
        if (!closedForm && LastEpoch >= 0)
        {
            TCur++;
            if (TCur >= TI)
            {
                TCur -= TI;
                TI *= TMult;
            }
        }
        else if (epoch >= T0)
        {
            if (TMult == 1)
            {
                TCur = epoch % T0;
            }
            else
            {
                int n = (int)Math.Log((double)epoch / T0 * (TMult - 1) + 1, TMult);
                TCur = epoch - T0 * ((int)Math.Pow(TMult, n) - 1) / (TMult - 1);
                TI = T0 * (int)Math.Pow(TMult, n);
            }
        }
        else
        {
            TI = T0;
            TCur = epoch;
        }
        try
        {
            base.StepTo(epoch, closedForm: false);
        }
        catch
        {
            TCur = savedCur;
            TI = savedI;
            throw;
        }
    }

    /// <inheritdoc/>
    protected override double[] GetLearningRates() =>
        [.. BaseLearningRates.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * TCur / TI)) / 2)];

    /// <inheritdoc/>
    private protected override void SaveExtra(Dictionary<string, Tensor> state)
    {
        state[TCurKey] = Tensor.Scalar(TCur, DType.Float64);
        state[TIKey] = Tensor.Scalar(TI, DType.Float64);
    }

    /// <inheritdoc/>
    private protected override Action? LoadExtra(IReadOnlyDictionary<string, Tensor> state, List<string> problems, HashSet<string> consumed)
    {
        consumed.Add(TCurKey);
        consumed.Add(TIKey);
        var cur = ReadScalar(state, TCurKey, v => v >= 0 && v <= int.MaxValue && Math.Floor(v) == v, "a non-negative integer", problems);
        var period = ReadScalar(state, TIKey, v => v >= 1 && v <= int.MaxValue && Math.Floor(v) == v, "an integer >= 1", problems);
        return () =>
        {
            TCur = (int)cur!.Value;
            TI = (int)period!.Value;
        };
    }
}
