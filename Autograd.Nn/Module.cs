namespace Autograd.Nn;

/// <summary>Placeholder for the Autograd.Nn issue: modules, losses and optimizers build on Autograd.Core.</summary>
public static class NnInfo
{
    /// <summary>The core library this package builds on.</summary>
    public static string CoreAssembly => typeof(Tensor).Assembly.GetName().Name!;
}
