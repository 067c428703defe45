namespace Autograd;

public partial class Tensor
{
    /// <summary>
    /// The matrix product with NumPy/PyTorch semantics: vector·vector (0-d), vector·matrix, matrix·vector,
    /// matrix·matrix, and N-D batches whose leading dimensions broadcast.
    /// </summary>
    /// <param name="other">The right operand, with at least one dimension.</param>
    /// <returns>A new tensor; see <see cref="MatMul(Tensor, Tensor)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">As for <see cref="MatMul(Tensor, Tensor)"/>.</exception>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return MatMul(this, other);
    }

    /// <summary>The matrix product of <paramref name="a"/> and <paramref name="b"/>; see <see cref="MatMul(Tensor)"/>.</summary>
    /// <param name="a">The left operand: a vector (k), a matrix (m, k) or a batch (..., m, k); float32 or float64.</param>
    /// <param name="b">The right operand: a vector (k), a matrix (k, n) or a batch (..., k, n); float32 or float64.</param>
    /// <returns>
    /// A new tensor of shape (broadcast batch..., m, n), with the m or n dimension dropped when <paramref name="a"/> or
    /// <paramref name="b"/> is a vector (0-d for vector·vector), in the promoted dtype; recorded for autograd.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// An operand is 0-d or not floating point, the inner dimensions differ, or the batch dimensions do not broadcast.
    /// </exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"matmul: both arguments need at least one dimension, got shapes {ShapeUtil.Format(a.Dims)} and {ShapeUtil.Format(b.Dims)}.");
        a.RequireFloat("matmul");
        b.RequireFloat("matmul");
        var a2 = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var b2 = b.Rank == 1 ? b.Unsqueeze(1) : b;
        int m = a2.Dims[^2], k = a2.Dims[^1], k2 = b2.Dims[^2], n = b2.Dims[^1];
        if (k != k2)
            throw new ArgumentException($"matmul: inner dimensions differ: {ShapeUtil.Format(a.Dims)} · {ShapeUtil.Format(b.Dims)} ({k} vs {k2}).");
        (a2, b2) = Promote(a2, b2);
        int[] batch;
        try
        {
            batch = ShapeUtil.Broadcast("matmul", a2.Dims[..^2], b2.Dims[..^2]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"matmul: batch dimensions of {ShapeUtil.Format(a.Dims)} · {ShapeUtil.Format(b.Dims)} cannot be broadcast together ({ShapeUtil.Format(a2.Dims[..^2])} vs {ShapeUtil.Format(b2.Dims[..^2])}).", e);
        }
        int count = ShapeUtil.NumElements(batch, "matmul");
        // The batch reshapes are this op's own views: they leave the inputs and the result free for recorded in-place writes.
        var a3 = OwnReshape(a2.BroadcastTo([.. batch, m, k]), [count, m, k]);
        var b3 = OwnReshape(b2.BroadcastTo([.. batch, k, n]), [count, k, n]);
        var c = OwnReshape(Ops.BatchedMatMul.Forward(a3, b3), [.. batch, m, n]);
        if (a.Rank == 1) c = c.Squeeze(-2);
        if (b.Rank == 1) c = c.Squeeze(-1);
        return c;
    }

    private static Tensor OwnReshape(Tensor x, int[] shape) =>
        ShapeUtil.SameShape(shape, x.Dims) ? x : Ops.Reshape.Forward(x, shape, shared: false);
}
