using Autograd.Nn;
using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    private static readonly double[] ClassWeights = [0.5, 2.0, 1.0, 1.5, 0.75];
    private static readonly double[] SignTargets = [1, -1, -1, 1];
    private static Domain Unit => g => g.NextDouble();
    private static Domain Probability => g => 0.05 + 0.9 * g.NextDouble();

    // The loss functions with options (issue 14), each against a plain float64 reference of PyTorch 1.13's formula.
    private static OpInfo[] NnEntries() =>
    [
        new()
        {
            Name = "losses.cross_entropy(weight,ignore_index=2,label_smoothing=0.1)",
            Primitives = [typeof(P.CrossEntropy), typeof(P.LogSoftmax), typeof(P.IndexSelect), typeof(P.Where)],
            Apply = x => Losses.CrossEntropy(x[0], x[1], Autograd.Nn.Reduction.Mean, Tensor.From(ClassWeights, 5), ignoreIndex: 2, labelSmoothing: 0.1),
            Reference = r => ClassIndexReference(r[0], r[1], 2, 0.1, logSoftmax: true),
            Samples = [Sample("[6,5]<-[6]", R(6, 5), Classes([6], 5)), Sample("[2,5,3]<-[2,3]", R(2, 5, 3), Classes([2, 3], 5))],
        },
        new()
        {
            Name = "losses.nll_loss(weight,ignore_index=2,sum)",
            Primitives = [typeof(P.Gather), typeof(P.IndexSelect), typeof(P.Where)],
            Apply = x => Losses.NllLoss(x[0], x[1], Autograd.Nn.Reduction.Sum, Tensor.From(ClassWeights, 5), ignoreIndex: 2),
            Reference = r => ClassIndexReference(r[0], r[1], 2, 0.0, logSoftmax: false, sum: true),
            Samples = [Sample("[6,5]<-[6]", R(6, 5), Classes([6], 5)), Sample("[2,5,3]<-[2,3]", R(2, 5, 3), Classes([2, 3], 5))],
        },
        new()
        {
            Name = "losses.binary_cross_entropy_with_logits(weight,pos_weight,none)",
            Primitives = [typeof(P.Softplus), typeof(P.Where)],
            Apply = x => Losses.BinaryCrossEntropyWithLogits(x[0], x[1], Autograd.Nn.Reduction.None, Tensor.From([0.5, 1.0, 2.0], 3), Tensor.From([3.0, 0.5, 1.0], 3)),
            Reference = r => RefArray.Build(r[0].Shape, i =>
            {
                double x = r[0][i], t = r[1][i], w = new[] { 0.5, 1.0, 2.0 }[i[^1]], p = new[] { 3.0, 0.5, 1.0 }[i[^1]];
                return w * (p * t * SoftplusRef(-x) + (1 - t) * SoftplusRef(x));
            }),
            Samples = [Sample("[2,3]", R(2, 3), new InputSpec([2, 3], Unit)), Sample("[5,3]", R(5, 3), new InputSpec([5, 3], Unit))],
        },
        new()
        {
            Name = "losses.binary_cross_entropy(weight,none)",
            Primitives = [typeof(P.Log), typeof(P.Clamp), typeof(P.Where)],
            Apply = x => Losses.BinaryCrossEntropy(x[0], x[1], Autograd.Nn.Reduction.None, Tensor.From([0.5, 1.0, 2.0], 3)),
            Reference = r => RefArray.Build(r[0].Shape, i =>
            {
                double x = r[0][i], t = r[1][i], w = new[] { 0.5, 1.0, 2.0 }[i[^1]];
                return -w * (t * Math.Log(x) + (1 - t) * Math.Log(1 - x));
            }),
            Samples = [Sample("[2,3]", new InputSpec([2, 3], Probability), new InputSpec([2, 3], Unit)), Sample("[3]", new InputSpec([3], Probability), new InputSpec([3], Unit))],
        },
        new()
        {
            Name = "losses.multi_margin_loss(p=2,margin=0.7,weight,none)",
            Primitives = [typeof(P.Gather), typeof(P.IndexSelect), typeof(P.Where)],
            Apply = x => Losses.MultiMarginLoss(x[0], x[1], Autograd.Nn.Reduction.None, 2, 0.7, Tensor.From(ClassWeights, 5)),
            Reference = r => RefArray.Build([r[0].Shape[0]], i =>
            {
                int n = i[0], t = (int)r[1][[n]];
                double sum = 0;
                for (int c = 0; c < 5; c++)
                {
                    double z = 0.7 - r[0][[n, t]] + r[0][[n, c]];
                    if (c != t && z > 0) sum += ClassWeights[t] * z * z;
                }
                return sum / 5;
            }),
            Samples = [Sample("[4,5]<-[4]", R(4, 5), Classes([4], 5)), Sample("[1,5]<-[1]", R(1, 5), Classes([1], 5))],
        },
        new()
        {
            Name = "losses.triplet_margin_loss(p=3,swap,none)",
            Primitives = [typeof(P.PowScalar), typeof(P.Abs), typeof(P.Minimum), typeof(P.Where)],
            Apply = x => Losses.TripletMarginLoss(x[0], x[1], x[2], Autograd.Nn.Reduction.None, margin: 1.5, p: 3, swap: true),
            Reference = r => RefArray.Build(r[0].Shape[..^1], i =>
            {
                double D(RefArray a, RefArray b) =>
                    Math.Pow(Enumerable.Range(0, a.Shape[^1]).Sum(k => Math.Pow(Math.Abs(a[[.. i, k]] - b[[.. i, k]] + 1e-6), 3)), 1.0 / 3);
                return Math.Max(0, 1.5 + D(r[0], r[1]) - Math.Min(D(r[0], r[2]), D(r[1], r[2])));
            }),
            Samples = [Sample("[4,5]x3", R(4, 5), R(4, 5), R(4, 5)), Sample("[7]x3", R(7), R(7), R(7))],
        },
        new()
        {
            Name = "losses.cosine_embedding_loss(margin=-0.2,none)",
            Primitives = [typeof(P.Sqrt), typeof(P.Where)],
            Apply = x => Losses.CosineEmbeddingLoss(x[0], x[1], Tensor.From(SignTargets, 4), Autograd.Nn.Reduction.None, margin: -0.2),
            Reference = r => RefArray.Build([4], i =>
            {
                var k = Enumerable.Range(0, r[0].Shape[1]);
                double dot = k.Sum(j => r[0][[i[0], j]] * r[1][[i[0], j]]);
                double n1 = k.Sum(j => r[0][[i[0], j]] * r[0][[i[0], j]]) + 1e-12, n2 = k.Sum(j => r[1][[i[0], j]] * r[1][[i[0], j]]) + 1e-12;
                double cos = dot / Math.Sqrt(n1 * n2);
                return SignTargets[i[0]] == 1 ? 1 - cos : Math.Max(0, cos + 0.2);
            }),
            Samples = [Sample("[4,5]x2", R(4, 5), R(4, 5)), Sample("[4,17]x2", R(4, 17), R(4, 17))],
        },
        new()
        {
            Name = "losses.mse_loss(broadcast,none)",
            Primitives = [typeof(P.Sub), typeof(P.Mul)],
            Apply = x => Losses.MseLoss(x[0], x[1], Autograd.Nn.Reduction.None),
            Reference = r => RefArray.Zip(r[0], r[1], (a, b) => (a - b) * (a - b)),
            Samples = [Sample("[2,3]∘[3]", R(2, 3), R(3)), Sample("[3]∘[2,3]", R(3), R(2, 3)), Sample("[2,1]∘[1,3]", R(2, 1), R(1, 3))],
        },
        // layer_norm over the trailing axes of x with weight and bias of the normalized shape (a composite).
        LayerNormEntry("layer_norm_last", 1, [([3, 4], [4]), ([2, 3, 5], [5]), ([17], [17]), ([1, 16], [16]), ([0, 4], [4]), ([2, 33], [33])]),
        LayerNormEntry("layer_norm_two_axes", 2, [([2, 3, 5], [3, 5]), ([4, 2, 2], [2, 2]), ([1, 3, 3], [3, 3])]),
    ];

    private static InputSpec Classes(int[] shape, int classes) => new(shape, Domains.Real, false, IndexBound: classes);

    private static double SoftplusRef(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    // Weighted, ignore_index and label-smoothed NLL over class axis 1 (PyTorch 1.13), from raw scores (logSoftmax) or log-probabilities.
    private static RefArray ClassIndexReference(RefArray scores, RefArray target, int ignore, double eps, bool logSoftmax, bool sum = false)
    {
        int classes = scores.Shape[1];
        double nll = 0, smooth = 0, weights = 0;
        for (int flat = 0; flat < RefArray.Count(target.Shape); flat++)
        {
            var idx = RefArray.Unravel(flat, target.Shape);
            int t = (int)target[idx];
            if (t == ignore) continue;
            var row = Enumerable.Range(0, classes).Select(c => scores[[idx[0], c, .. idx[1..]]]).ToArray();
            if (logSoftmax)
            {
                double m = row.Max(), lse = m + Math.Log(row.Sum(v => Math.Exp(v - m)));
                row = row.Select(v => v - lse).ToArray();
            }
            nll += -ClassWeights[t] * row[t];
            smooth += -Enumerable.Range(0, classes).Sum(c => ClassWeights[c] * row[c]);
            weights += ClassWeights[t];
        }
        double total = (1 - eps) * nll + eps / classes * smooth;
        return new RefArray([sum ? total : total / weights], []);
    }

    private static OpInfo LayerNormEntry(string name, int axes, (int[] X, int[] W)[] shapes) => new()
    {
        Name = name,
        Primitives = [typeof(P.Sum), typeof(P.Sub), typeof(P.Mul), typeof(P.Div), typeof(P.Sqrt), typeof(P.Add)],
        Apply = a => a[0].LayerNorm(a[1].Shape, a[1], a[2]),
        Reference = r => LayerNormReference(r[0], r[1], r[2]),
        Samples = shapes.Select(s => Sample($"{S(s.X)}~{S(s.W)}", R(s.X), R(s.W), R(s.W))).ToArray(),
        Notes = $"normalizes over the last {axes} axes with eps = 1e-5 (PyTorch's default); rows of ≥ 4 values keep the variance away from 0",
    };

    private static RefArray LayerNormReference(RefArray x, RefArray w, RefArray b)
    {
        int row = w.Data.Length;
        var y = new double[x.Data.Length];
        for (int start = 0; start < y.Length; start += row)
        {
            double mean = 0;
            for (int i = 0; i < row; i++) mean += x.Data[start + i];
            mean /= row;
            double variance = 0;
            for (int i = 0; i < row; i++) variance += (x.Data[start + i] - mean) * (x.Data[start + i] - mean);
            variance /= row;
            for (int i = 0; i < row; i++) y[start + i] = (x.Data[start + i] - mean) / Math.Sqrt(variance + 1e-5) * w.Data[i] + b.Data[i];
        }
        return new RefArray(y, x.Shape);
    }
}
