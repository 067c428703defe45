using System.Reflection;
using System.Runtime.InteropServices;

namespace Autograd.Distributed.Mpi;

/// <summary>
/// Loads Open MPI's libmpi at run time and resolves its predefined handles. Open MPI's handles (MPI_COMM_WORLD,
/// MPI_FLOAT, MPI_SUM, …) are the addresses of exported globals (<c>ompi_mpi_comm_world</c>, …), not integer constants as
/// in MPICH and MS-MPI, so they are looked up with <see cref="NativeLibrary.GetExport"/> once the library is loaded.
/// </summary>
internal static partial class MpiLibrary
{
    /// <summary>The soname of Open MPI 4.x and 5.x.</summary>
    public const string DefaultName = "libmpi.so.40";

    /// <summary>The environment variable that names another libmpi to load (a path or a soname).</summary>
    public const string LibraryVariable = "AUTOGRAD_MPI_LIBRARY";

    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    private static readonly object Gate = new();
    private static IntPtr handle;

    /// <summary>Gets the loaded library, loading it on first use.</summary>
    /// <exception cref="InvalidOperationException">libmpi cannot be loaded.</exception>
    public static IntPtr Handle
    {
        get
        {
            lock (Gate)
            {
                if (handle == IntPtr.Zero)
                {
                    string name = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } n ? n : DefaultName;
                    handle = Load(name);
                    NativeLibrary.SetDllImportResolver(typeof(MpiLibrary).Assembly, Resolve);
                }
                return handle;
            }
        }
    }

    /// <summary>
    /// Loads <paramref name="name"/> with RTLD_GLOBAL: Open MPI opens its components (transports, collectives) as
    /// plugins that look up libmpi's and libopen-pal's symbols in the global namespace.
    /// </summary>
    /// <param name="name">A soname or path.</param>
    /// <returns>The library handle.</returns>
    /// <exception cref="InvalidOperationException">The library cannot be loaded; the message says what to install.</exception>
    public static IntPtr Load(string name)
    {
        IntPtr h;
        string? reason = null;
        try
        {
            h = OperatingSystem.IsWindows() ? IntPtr.Zero : DlOpen(name, RtldNow | RtldGlobal);
            if (h == IntPtr.Zero && !OperatingSystem.IsWindows()) reason = Marshal.PtrToStringUTF8(DlError());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            h = IntPtr.Zero;
        }
        if (h == IntPtr.Zero && !NativeLibrary.TryLoad(name, out h))
        {
            throw new InvalidOperationException(
                $"ProcessGroup.Initialize: this process was started by an MPI launcher but Open MPI's library {name} could not be loaded ({reason ?? "not found"}). " +
                "Install Open MPI (on Debian and Ubuntu: sudo apt-get install openmpi-bin libopenmpi-dev), or set " + LibraryVariable + " to the path of libmpi.so.40.",
                new DllNotFoundException(reason ?? $"Unable to load shared library '{name}'."));
        }
        return h;
    }

    /// <summary>Gets the address of the exported global <paramref name="symbol"/> (a predefined handle).</summary>
    /// <param name="symbol">The symbol, e.g. <c>ompi_mpi_comm_world</c>.</param>
    /// <returns>Its address.</returns>
    /// <exception cref="InvalidOperationException">The library does not export it: it is not Open MPI.</exception>
    public static IntPtr Export(string symbol)
    {
        if (NativeLibrary.TryGetExport(Handle, symbol, out IntPtr address)) return address;
        throw new InvalidOperationException(
            $"ProcessGroup.Initialize: the loaded libmpi does not export {symbol}; Autograd.Distributed needs Open MPI 4.x or 5.x (MPICH and Intel MPI have another binary interface).");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == MpiNative.Library ? handle : IntPtr.Zero;

    private static IntPtr DlOpen(string file, int mode)
    {
        try
        {
            return LibC.DlOpen(file, mode);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return LibDl.DlOpen(file, mode); // glibc before 2.34 keeps dlopen in libdl
        }
    }

    private static IntPtr DlError()
    {
        try
        {
            return LibC.DlError();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return LibDl.DlError();
        }
    }

    private static partial class LibC
    {
        [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
        public static partial IntPtr DlOpen(string file, int mode);

        [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
        public static partial IntPtr DlError();
    }

    private static partial class LibDl
    {
        [LibraryImport("libdl.so.2", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
        public static partial IntPtr DlOpen(string file, int mode);

        [LibraryImport("libdl.so.2", EntryPoint = "dlerror")]
        public static partial IntPtr DlError();
    }
}
