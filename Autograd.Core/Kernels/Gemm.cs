using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>Batched matrix product C[b] = A[b]·B[b] on contiguous [B, M, K] and [B, K, N] operands.</summary>
internal static class Gemm
{
    public static Tensor BatchedMatMul(Tensor a, Tensor b)
    {
        a = a.IsContiguous ? a : Strided.ToContiguous(a);
        b = b.IsContiguous ? b : Strided.ToContiguous(b);
        int batch = a.Dims[0], m = a.Dims[1], k = a.Dims[2], n = b.Dims[2];
        var c = Tensor.Empty([batch, m, n], a.DType);
        if (a.DType == DType.Float32) Run<float>(a, b, c, batch, m, k, n);
        else Run<double>(a, b, c, batch, m, k, n);
        return c;
    }

    private static void Run<T>(Tensor a, Tensor b, Tensor c, int batch, int m, int k, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xa = a.Array<T>(), xb = b.Array<T>(), xc = c.Array<T>();
        int oa = a.Offset, ob = b.Offset;
        int rows = batch * m;
        if (rows == 0 || n == 0) return;
        // Narrow outputs: dot products against a transposed copy of B beat row updates of length n.
        T[]? bt = null;
        if (n < 16)
        {
            bt = new T[batch * n * k];
            for (int p = 0; p < batch; p++)
                for (int kk = 0; kk < k; kk++)
                    for (int j = 0; j < n; j++)
                        bt[(p * n + j) * k + kk] = xb[ob + (p * k + kk) * n + j];
        }
        void Row(int r)
        {
            int p = r / m;
            var crow = xc.AsSpan(r * n, n);
            var arow = xa.AsSpan(oa + r * k, k);
            if (bt is not null)
            {
                for (int j = 0; j < n; j++) crow[j] = TensorPrimitives.Dot<T>(arow, bt.AsSpan((p * n + j) * k, k));
                return;
            }
            crow.Clear();
            for (int kk = 0; kk < k; kk++)
                TensorPrimitives.FusedMultiplyAdd(xb.AsSpan(ob + (p * k + kk) * n, n), arow[kk], crow, crow);
        }
        // Rows are independent and each is computed the same way on any thread: results do not depend on the split.
        if ((long)rows * n * k >= 1 << 18 && rows > 1)
            Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, Row);
        else
            for (int r = 0; r < rows; r++) Row(r);
    }
}
