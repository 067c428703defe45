using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    private static OpInfo[] NnEntries() =>
    [
        // layer_norm over the trailing axes of x with weight and bias of the normalized shape (a composite).
        LayerNormEntry("layer_norm_last", 1, [([3, 4], [4]), ([2, 3, 5], [5]), ([17], [17]), ([1, 16], [16]), ([0, 4], [4]), ([2, 33], [33])]),
        LayerNormEntry("layer_norm_two_axes", 2, [([2, 3, 5], [3, 5]), ([4, 2, 2], [2, 2]), ([1, 3, 3], [3, 3])]),
    ];

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
