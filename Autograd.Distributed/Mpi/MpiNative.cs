using System.Runtime.InteropServices;

namespace Autograd.Distributed.Mpi;

/// <summary>
/// The MPI calls Autograd.Distributed makes, bound to Open MPI's libmpi (resolved by <see cref="MpiLibrary"/>). Handles
/// are pointers in Open MPI's ABI; every call returns an MPI error code (MPI_SUCCESS = 0) since the world communicator's
/// error handler is MPI_ERRORS_RETURN.
/// </summary>
internal static unsafe partial class MpiNative
{
    /// <summary>The logical library name that <see cref="MpiLibrary"/>'s resolver maps to the loaded libmpi.</summary>
    public const string Library = "autograd-libmpi";

    public const int Success = 0;
    public const int ThreadSingle = 0;
    public const int ThreadFunneled = 1;
    public const int ThreadSerialized = 2;
    public const int ThreadMultiple = 3;
    public const int CommTypeShared = 0;
    public const int MaxErrorString = 256;

    /// <summary>MPI_IN_PLACE in Open MPI's mpi.h: <c>((void *) 1)</c>.</summary>
    public static readonly IntPtr InPlace = 1;

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(int* flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalized")]
    public static partial int Finalized(int* flag);

    [LibraryImport(Library, EntryPoint = "MPI_Init_thread")]
    public static partial int InitThread(int* argc, IntPtr* argv, int required, int* provided);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(IntPtr comm, int* rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(IntPtr comm, int* size);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_split_type")]
    public static partial int CommSplitType(IntPtr comm, int splitType, int key, IntPtr info, IntPtr* newComm);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_free")]
    public static partial int CommFree(IntPtr* comm);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_set_errhandler")]
    public static partial int CommSetErrhandler(IntPtr comm, IntPtr errhandler);

    [LibraryImport(Library, EntryPoint = "MPI_Error_string")]
    public static partial int ErrorString(int errorCode, byte* text, int* length);

    [LibraryImport(Library, EntryPoint = "MPI_Allreduce")]
    public static partial int Allreduce(void* sendBuffer, void* receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm);

    [LibraryImport(Library, EntryPoint = "MPI_Iallreduce")]
    public static partial int Iallreduce(void* sendBuffer, void* receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm, IntPtr* request);

    [LibraryImport(Library, EntryPoint = "MPI_Wait")]
    public static partial int Wait(IntPtr* request, Status* status);

    [LibraryImport(Library, EntryPoint = "MPI_Test")]
    public static partial int Test(IntPtr* request, int* flag, Status* status);

    [LibraryImport(Library, EntryPoint = "MPI_Bcast")]
    public static partial int Bcast(void* buffer, int count, IntPtr datatype, int root, IntPtr comm);

    [LibraryImport(Library, EntryPoint = "MPI_Allgather")]
    public static partial int Allgather(void* sendBuffer, int sendCount, IntPtr sendType, void* receiveBuffer, int receiveCount, IntPtr receiveType, IntPtr comm);

    [LibraryImport(Library, EntryPoint = "MPI_Barrier")]
    public static partial int Barrier(IntPtr comm);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    public static partial int Abort(IntPtr comm, int errorCode);

    /// <summary>Open MPI's <c>struct ompi_status_public_t</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Status
    {
        public int Source;
        public int Tag;
        public int Error;
        public int Cancelled;
        public nuint Count;
    }

    /// <summary>Open MPI's predefined handles: the addresses of libmpi's exported globals.</summary>
    public sealed class Handles
    {
        public Handles()
        {
            CommWorld = MpiLibrary.Export("ompi_mpi_comm_world");
            Float = MpiLibrary.Export("ompi_mpi_float");
            Double = MpiLibrary.Export("ompi_mpi_double");
            Int64 = MpiLibrary.Export("ompi_mpi_int64_t");
            Sum = MpiLibrary.Export("ompi_mpi_op_sum");
            Product = MpiLibrary.Export("ompi_mpi_op_prod");
            Min = MpiLibrary.Export("ompi_mpi_op_min");
            Max = MpiLibrary.Export("ompi_mpi_op_max");
            ErrorsReturn = MpiLibrary.Export("ompi_mpi_errors_return");
            InfoNull = MpiLibrary.Export("ompi_mpi_info_null");
        }

        public IntPtr CommWorld { get; }

        public IntPtr Float { get; }

        public IntPtr Double { get; }

        public IntPtr Int64 { get; }

        public IntPtr Sum { get; }

        public IntPtr Product { get; }

        public IntPtr Min { get; }

        public IntPtr Max { get; }

        public IntPtr ErrorsReturn { get; }

        public IntPtr InfoNull { get; }

        public IntPtr Op(ReduceOp op) => op switch
        {
            ReduceOp.Sum => Sum,
            ReduceOp.Product => Product,
            ReduceOp.Min => Min,
            ReduceOp.Max => Max,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "AllReduce: unknown ReduceOp."),
        };
    }
}
