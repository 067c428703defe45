using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Autograd;

/// <summary>
/// Anomaly detection (PyTorch's detect_anomaly): while a scope is open on a thread, every recorded op notes the
/// user source line that created it, and the first op whose forward output or backward gradient holds NaN or
/// ±∞ throws, naming the op and that line.
/// </summary>
internal static class Anomaly
{
    // Read by every recorded op: mirrored in a thread static by the change callback, as GradMode's flag.
    private static readonly AsyncLocal<int> s_depth = new(static change => t_depth = change.CurrentValue);

    [ThreadStatic] private static int t_depth;

    /// <summary>
    /// Set (for good) by the first scope in the process: until then no flow can be in one, and the per-op check
    /// skips the thread-static read.
    /// </summary>
    private static volatile bool s_everEntered;

    public static bool IsEnabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_everEntered && t_depth > 0;
    }

    public static void Enter()
    {
        s_everEntered = true;
        s_depth.Value++;
    }

    public static void Exit() => s_depth.Value--;

    public static void OnForward(Function fn, Tensor output)
    {
        fn.CreationSite = UserFrame();
        if (HasNonFinite(output, out double bad, out int index))
            throw new InvalidOperationException(
                $"Anomaly: op '{fn.Name}' produced {Format(bad)} at flat index {index} of its output of shape {ShapeUtil.Format(output.Dims)} in forward; created at {fn.CreationSite}.");
    }

    public static void CheckBackward(Function fn, int input, Tensor grad)
    {
        if (HasNonFinite(grad, out double bad, out int index))
            throw new InvalidOperationException(
                $"Anomaly: the backward of op '{fn.Name}' produced {Format(bad)} at flat index {index} of the gradient for input {input} (shape {ShapeUtil.Format(grad.Dims)}); the op was created at {fn.CreationSite}.");
    }

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";

    private static bool HasNonFinite(Tensor t, out double value, out int index)
    {
        var values = t.ToArray<double>();
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                value = values[i];
                index = i;
                return true;
            }
        }
        value = 0;
        index = -1;
        return false;
    }

    // The first frame outside this library: the user's call that created the op.
    private static string UserFrame()
    {
        var core = typeof(Anomaly).Assembly;
        foreach (var frame in new StackTrace(1, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            if (method?.DeclaringType?.Assembly == core) continue;
            var file = frame.GetFileName();
            return file is null
                ? $"{method?.DeclaringType?.FullName}.{method?.Name} (no line information: build with portable PDBs)"
                : $"{file}:{frame.GetFileLineNumber()}";
        }
        return "an unknown location";
    }
}

/// <summary>A scope of anomaly detection on the current thread; dispose to end it.</summary>
public sealed class AnomalyScope : IDisposable
{
    private bool _disposed;

    internal AnomalyScope() => Anomaly.Enter();

    /// <summary>Ends the scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Anomaly.Exit();
    }
}

/// <summary>Runs gradient hooks.</summary>
internal static class Hooks
{
    public static Tensor Run(List<Func<Tensor, Tensor?>> hooks, Tensor grad, string where)
    {
        foreach (var hook in hooks.ToArray())
        {
            var replaced = hook(grad);
            if (replaced is null) continue;
            if (!ShapeUtil.SameShape(replaced.Dims, grad.Dims) || replaced.DType != grad.DType)
                throw new InvalidOperationException(
                    $"hook on {where}: returned a gradient of shape {ShapeUtil.Format(replaced.Dims)} ({replaced.DType.Name()}) in place of one of shape {ShapeUtil.Format(grad.Dims)} ({grad.DType.Name()}).");
            grad = replaced;
        }
        return grad;
    }
}
