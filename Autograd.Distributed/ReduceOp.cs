namespace Autograd.Distributed;

/// <summary>How a collective combines the ranks' values, element by element (PyTorch's <c>torch.distributed.ReduceOp</c>).</summary>
public enum ReduceOp
{
    /// <summary>The sum over the ranks.</summary>
    Sum,

    /// <summary>The product over the ranks.</summary>
    Product,

    /// <summary>The smallest value over the ranks.</summary>
    Min,

    /// <summary>The largest value over the ranks.</summary>
    Max,
}
