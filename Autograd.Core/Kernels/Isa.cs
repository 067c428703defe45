using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Autograd;

/// <summary>The vector widths the kernels can use, narrowest first.</summary>
public enum InstructionSet
{
    /// <summary>No vectors: every kernel runs its scalar loop (<c>AUTOGRAD_ISA=scalar</c>).</summary>
    Scalar = 0,

    /// <summary>128-bit vectors: SSE on x86-64, NEON (AdvSimd) on ARM64 (<c>AUTOGRAD_ISA=v128</c>).</summary>
    Vector128 = 1,

    /// <summary>256-bit vectors with fused multiply-add: AVX2 and FMA3 (<c>AUTOGRAD_ISA=avx2</c>).</summary>
    Avx2 = 2,

    /// <summary>512-bit vectors: AVX-512F (<c>AUTOGRAD_ISA=avx512</c>).</summary>
    Avx512 = 3,
}

/// <summary>
/// Which vector width the kernels use: the widest the CPU supports, or less when capped by the <c>AUTOGRAD_ISA</c>
/// environment variable (read once, at the first kernel call) or by <see cref="Override"/>.
/// </summary>
/// <remarks>
/// The cap applies to every kernel Autograd owns: the matrix-product micro-kernels, the elementwise maps, the
/// activations, the float64 accumulations under every reduction, softmax and the losses. A requested instruction set
/// the CPU lacks falls back to the best one below it. The setting is process-wide; changing it while kernels run on
/// other threads gives each call one width or the other.
/// </remarks>
public static class Isa
{
    /// <summary>The environment variable read at startup: <c>avx512</c>, <c>avx2</c>, <c>v128</c> or <c>scalar</c>.</summary>
    public const string EnvironmentVariable = "AUTOGRAD_ISA";

    private static readonly InstructionSet SupportedIsa = Detect();
    private static readonly string? EnvironmentValue = ReadEnvironment();
    private static InstructionSet? _requested = TryParse(EnvironmentValue, out var fromEnv) ? fromEnv : null;

    /// <summary>The effective width as an int, read by the kernels on every call (see <see cref="InstructionSet"/>).</summary>
    internal static int Level = (int)Effective(_requested);

    /// <summary>Gets the widest instruction set this CPU supports.</summary>
    public static InstructionSet Supported => SupportedIsa;

    /// <summary>Gets the cap asked for (by <c>AUTOGRAD_ISA</c> or <see cref="Override"/>), or null when none is.</summary>
    public static InstructionSet? Requested => _requested;

    /// <summary>Gets the instruction set the kernels use: <see cref="Requested"/> or, when the CPU lacks it, the best below it.</summary>
    public static InstructionSet Current => (InstructionSet)Level;

    /// <summary>
    /// Gets a one-line description for logs: the instruction set in use, and what was requested when that differs or
    /// when <c>AUTOGRAD_ISA</c> held a value that is not a name.
    /// </summary>
    public static string Description
    {
        get
        {
            string current = Name(Current);
            if (_requested is { } r && r != Current)
                return $"{current} (requested {Name(r)}; the CPU supports up to {Name(Supported)})";
            if (_requested is not null) return $"{current} (requested; the CPU supports up to {Name(Supported)})";
            if (!string.IsNullOrWhiteSpace(EnvironmentValue))
                return $"{current} ({EnvironmentVariable}='{EnvironmentValue}' ignored: not avx512, avx2, v128 or scalar)";
            return current;
        }
    }

    /// <summary>
    /// Caps the kernels at <paramref name="isa"/> (or, when the CPU lacks it, the best below it) until the returned
    /// scope is disposed, which restores the previous setting. Meant for tests that run every path in one process.
    /// </summary>
    /// <param name="isa">The widest instruction set to use; null removes the cap.</param>
    /// <returns>A scope whose disposal restores the previous setting.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="isa"/> is not a defined value.</exception>
    public static IDisposable Override(InstructionSet? isa)
    {
        if (isa is { } v && !Enum.IsDefined(v))
            throw new ArgumentOutOfRangeException(nameof(isa), v, "Isa.Override: not an InstructionSet value.");
        var scope = new Scope(_requested);
        Set(isa);
        return scope;
    }

    /// <summary>Reads an instruction-set name as <c>AUTOGRAD_ISA</c> takes it (case and surrounding spaces ignored).</summary>
    /// <param name="value">avx512, avx2, v128 (or vector128) or scalar.</param>
    /// <param name="isa">The instruction set named, when the method returns true.</param>
    /// <returns>Whether <paramref name="value"/> names an instruction set.</returns>
    public static bool TryParse(string? value, out InstructionSet isa)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "avx512": isa = InstructionSet.Avx512; return true;
            case "avx2": isa = InstructionSet.Avx2; return true;
            case "v128" or "vector128": isa = InstructionSet.Vector128; return true;
            case "scalar": isa = InstructionSet.Scalar; return true;
            default: isa = default; return false;
        }
    }

    /// <summary>The name <c>AUTOGRAD_ISA</c> takes for an instruction set: avx512, avx2, v128 or scalar.</summary>
    /// <param name="isa">The instruction set.</param>
    /// <returns>Its name.</returns>
    public static string Name(InstructionSet isa) => isa switch
    {
        InstructionSet.Avx512 => "avx512",
        InstructionSet.Avx2 => "avx2",
        InstructionSet.Vector128 => "v128",
        _ => "scalar",
    };

    private static void Set(InstructionSet? isa)
    {
        _requested = isa;
        Volatile.Write(ref Level, (int)Effective(isa));
    }

    private static InstructionSet Effective(InstructionSet? requested) =>
        requested is { } r && r < SupportedIsa ? r : SupportedIsa;

    private static string? ReadEnvironment()
    {
        try
        {
            return Environment.GetEnvironmentVariable(EnvironmentVariable);
        }
        catch (System.Security.SecurityException)
        {
            return null;
        }
    }

    private static InstructionSet Detect()
    {
        // The AVX-512 GEMM kernel runs wherever AVX-512F does, even where the JIT leaves Vector512 unaccelerated (the
        // elementwise kernels then use 256 bits, as they check Vector512.IsHardwareAccelerated themselves).
        if (Avx512F.IsSupported || Vector512.IsHardwareAccelerated) return InstructionSet.Avx512;
        if (Vector256.IsHardwareAccelerated && (Fma.IsSupported || !(Sse.IsSupported))) return InstructionSet.Avx2;
        if (Vector128.IsHardwareAccelerated) return InstructionSet.Vector128;
        return InstructionSet.Scalar;
    }

    /// <summary>Whether Vector128.FusedMultiplyAdd is one instruction here (FMA3 or ARM64 AdvSimd), not emulated.</summary>
    internal static bool HasVector128Fma => Fma.IsSupported || AdvSimd.Arm64.IsSupported;

    private sealed class Scope(InstructionSet? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Set(previous);
        }
    }
}
