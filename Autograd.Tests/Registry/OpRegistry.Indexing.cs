using P = Autograd.Ops;

namespace Autograd.Tests.Registry;

public static partial class OpRegistry
{
    private static OpInfo[] IndexingEntries() =>
    [
    ];
}
