using System.Numerics;
using System.Runtime.InteropServices;
using Autograd.Distributed;

namespace Autograd.Tests.Mpi;

internal static partial class Scenarios
{
    private static readonly int[] Lengths = [0, 1, 2, 7, 1_000_003];

    /// <summary>Every collective, dtype and op over lengths 0, 1, 2, 7 and 1 000 003, checked exactly (the values are small integers).</summary>
    [Scenario("collectives")]
    public static void Collectives(ProcessGroup group, string[] args)
    {
        int size = group.WorldSize, rank = group.Rank;
        Check(group, group.Backend == "mpi", $"backend {group.Backend}");
        Check(group, Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK") == rank.ToString(), "rank matches OMPI_COMM_WORLD_RANK");
        Check(group, Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") == size.ToString(), "size matches OMPI_COMM_WORLD_SIZE");
        Check(group, Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK") == group.LocalRank.ToString(), "local rank matches OMPI_COMM_WORLD_LOCAL_RANK");
        Check(group, group.IsMain == (rank == 0), "IsMain");
        Check(group, ReferenceEquals(ProcessGroup.Initialize(), group), "Initialize returns the same group");
        int checks = 0;
        foreach (int n in Lengths)
        {
            checks += CheckType<float>(group, n);
            checks += CheckType<double>(group, n);
            checks += CheckType<long>(group, n);
        }
        group.Barrier();

        // Argument errors are raised before any MPI call, on every rank alike, so the job goes on.
        checks += Throws<ArgumentOutOfRangeException>(group, () => group.Broadcast(new float[3], root: size), "Broadcast: the root must be a rank of the group");
        checks += Throws<ArgumentOutOfRangeException>(group, () => group.Broadcast(new double[3], root: -1), "Broadcast: the root must be a rank of the group");
        checks += Throws<ArgumentException>(group, () => group.AllGather(new long[2], new long[2 * size + 1]), "AllGather: receive holds");
        checks += Throws<ArgumentOutOfRangeException>(group, () => group.AllReduce(new float[2], (ReduceOp)7), "AllReduce: unknown ReduceOp");
        var shared = new double[4 * size];
        checks += Throws<ArgumentException>(group, () => group.AllGather(shared.AsSpan(0, 4), shared), "AllGather: send and receive overlap");
        group.Barrier();
        Ok(group, $"{checks} collective checks at world size {size} (thread level {ThreadLevel(group)})");
    }

    /// <summary>The helpers for training programs: scalar and tensor all-reduce, tensor broadcast, RunOnMain.</summary>
    [Scenario("helpers")]
    public static void Helpers(ProcessGroup group, string[] args)
    {
        int size = group.WorldSize, rank = group.Rank;
        double triangle = size * (size + 1) / 2.0;
        Check(group, group.AllReduce(rank + 1.0) == triangle, "AllReduce(double)");
        Check(group, group.AllReduce((long)rank + 1) == (long)triangle, "AllReduce(long)");
        Check(group, group.AllReduce((double)rank, ReduceOp.Max) == size - 1, "AllReduce(double, Max)");
        Check(group, group.AllReduceMean(rank + 1.0) == triangle / size, "AllReduceMean");

        var f = Tensor.From(new float[,] { { rank, 1 }, { 2, -rank } });
        Check(group, ReferenceEquals(group.AllReduce(f), f), "AllReduce(Tensor) returns its argument");
        Check(group, f.ToArray<float>().SequenceEqual([(float)(triangle - size), size, 2 * size, -(float)(triangle - size)]), "AllReduce(float32 tensor)");
        var d = Tensor.From(new double[] { rank + 0.5 });
        group.AllReduce(d, ReduceOp.Min);
        Check(group, d.ToArray<double>()[0] == 0.5, "AllReduce(float64 tensor, Min)");
        var l = Tensor.From(new long[] { rank, 10 }).Reshape(2);
        group.AllReduce(l, ReduceOp.Product);
        Check(group, l.ToArray<long>().SequenceEqual([0L, (long)Math.Pow(10, size)]), "AllReduce(int64 tensor, Product)");
        var scalar = Tensor.Scalar(rank == 1 ? 42.0 : -1.0, DType.Float64);
        group.Broadcast(scalar, root: 1);
        Check(group, scalar.Item() == 42.0, "Broadcast(0-d tensor, root 1)");
        var weight = Tensor.Full([3, 2], rank, DType.Float32).RequireGrad();
        group.AllReduce(weight);
        Check(group, weight.ToArray<float>().All(v => v == (float)(triangle - size)), "AllReduce of a leaf that requires grad");

        int ran = 0;
        group.RunOnMain(() => ran++);
        Check(group, ran == (rank == 0 ? 1 : 0), "RunOnMain runs the action on rank 0 only");
        try
        {
            group.RunOnMain(() => throw new IOException("disk full"));
            Check(group, false, "RunOnMain rethrows");
        }
        catch (IOException e) when (rank == 0 && e.Message == "disk full")
        {
        }
        catch (InvalidOperationException e) when (rank != 0 && e.Message.StartsWith("RunOnMain: the action failed on rank 0", StringComparison.Ordinal))
        {
        }
        Ok(group, "helpers");
    }

    /// <summary>AllReduceAsync: several in flight at once, waited out of order, mixed with blocking collectives; buffers that are slices.</summary>
    [Scenario("async")]
    public static void Async(ProcessGroup group, string[] args)
    {
        int size = group.WorldSize, rank = group.Rank;
        var big = new float[1_000_003];
        var slab = new double[50];
        for (int i = 0; i < big.Length; i++) big[i] = (rank + 1) * ((i % 13) - 6);
        for (int i = 0; i < slab.Length; i++) slab[i] = i == 0 || i == 49 ? -99 : rank * i;
        var empty = Memory<float>.Empty;
        var one = new double[] { rank };

        var w1 = group.AllReduceAsync(big);
        var w2 = group.AllReduceAsync(slab.AsMemory(1, 48), ReduceOp.Max);
        var w3 = group.AllReduceAsync(empty);
        var w4 = group.AllReduceAsync(one.AsMemory(), ReduceOp.Sum);
        double blocking = group.AllReduce(1.0); // a blocking collective while four are in flight
        w4.Wait();
        w2.Wait();
        w3.Wait();
        w1.Wait();
        w1.Wait(); // waiting twice is harmless
        Check(group, w1.IsCompleted && w2.IsCompleted && w3.IsCompleted && w4.IsCompleted, "IsCompleted after Wait");
        Check(group, blocking == size, "blocking AllReduce between async ones");
        long triangle = size * (size + 1L) / 2;
        for (int i = 0; i < big.Length; i++)
            if (big[i] != triangle * ((i % 13) - 6)) Check(group, false, $"AllReduceAsync(float) element {i}: {big[i]}");
        Check(group, slab[0] == -99 && slab[49] == -99, "AllReduceAsync leaves the memory outside the slice alone");
        for (int i = 1; i < 49; i++)
            if (slab[i] != (size - 1) * i) Check(group, false, $"AllReduceAsync(double, Max) element {i}: {slab[i]}");
        Check(group, one[0] == triangle - size, "AllReduceAsync(double[1])");

        // Polling IsCompleted until done, as a training loop might.
        var polled = new double[] { 1 };
        var w5 = group.AllReduceAsync(polled.AsMemory(), ReduceOp.Product);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!w5.IsCompleted && sw.Elapsed < TimeSpan.FromSeconds(20)) Thread.Yield();
        Check(group, w5.IsCompleted && polled[0] == 1, "IsCompleted polls an AllReduceAsync to its end");

        // Many in flight: one per rank-order index, waited after all are started.
        var buffers = Enumerable.Range(0, 16).Select(k => new float[k * 37 + 1]).ToArray();
        foreach (var b in buffers) Array.Fill(b, rank + 1);
        var works = buffers.Select(b => group.AllReduceAsync(b)).ToArray();
        foreach (var w in works.Reverse()) w.Wait();
        Check(group, buffers.All(b => b.All(v => v == triangle)), "16 AllReduceAsync in flight");
        Ok(group, "async");
    }

    private static string ThreadLevel(ProcessGroup group) =>
        group.GetType().GetProperty("ThreadLevel")?.GetValue(group) is int level
            ? new[] { "MPI_THREAD_SINGLE", "MPI_THREAD_FUNNELED", "MPI_THREAD_SERIALIZED", "MPI_THREAD_MULTIPLE" }[level]
            : "?";

    private static int Throws<TException>(ProcessGroup group, Action action, string messageStart)
        where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException e) when (e.GetType() == typeof(TException) && e.Message.StartsWith(messageStart, StringComparison.Ordinal))
        {
            return 1;
        }
        Check(group, false, $"expected {typeof(TException).Name} starting '{messageStart}'");
        return 0;
    }

    private static int CheckType<T>(ProcessGroup group, int n)
        where T : unmanaged, INumber<T>
    {
        int size = group.WorldSize, rank = group.Rank, checks = 0;
        string type = typeof(T).Name;
        var buffer = new T[n];
        var expected = new double[n];
        foreach (var op in Enum.GetValues<ReduceOp>())
        {
            for (int i = 0; i < n; i++)
            {
                buffer[i] = T.CreateChecked(Value(op, rank, i));
                double e = Value(op, 0, i);
                for (int r = 1; r < size; r++)
                {
                    double v = Value(op, r, i);
                    e = op switch { ReduceOp.Sum => e + v, ReduceOp.Product => e * v, ReduceOp.Min => Math.Min(e, v), _ => Math.Max(e, v) };
                }
                expected[i] = e;
            }
            AllReduce(group, buffer.AsSpan(), op);
            for (int i = 0; i < n; i++)
                if (buffer[i] != T.CreateChecked(expected[i])) Check(group, false, $"AllReduce {type} {op} n={n} element {i}: {buffer[i]}, expected {expected[i]}");
            checks++;
        }

        for (int root = 0; root < size; root++)
        {
            for (int i = 0; i < n; i++) buffer[i] = T.CreateChecked(rank == root ? Value(ReduceOp.Sum, root, i) : -1000 - rank);
            Broadcast(group, buffer.AsSpan(), root);
            for (int i = 0; i < n; i++)
                if (buffer[i] != T.CreateChecked(Value(ReduceOp.Sum, root, i))) Check(group, false, $"Broadcast {type} root={root} n={n} element {i}: {buffer[i]}");
            checks++;
        }

        var send = new T[n];
        var receive = new T[n * size];
        for (int i = 0; i < n; i++) send[i] = T.CreateChecked(Value(ReduceOp.Sum, rank, i));
        AllGather(group, send, receive);
        for (int r = 0; r < size; r++)
            for (int i = 0; i < n; i++)
                if (receive[r * n + i] != T.CreateChecked(Value(ReduceOp.Sum, r, i))) Check(group, false, $"AllGather {type} n={n} from rank {r} element {i}: {receive[r * n + i]}");
        for (int i = 0; i < n; i++)
            if (send[i] != T.CreateChecked(Value(ReduceOp.Sum, rank, i))) Check(group, false, $"AllGather changed send {type} element {i}");
        return checks + 1;
    }

    /// <summary>Rank <paramref name="r"/>'s element <paramref name="i"/>: small integers, so sums and products are exact in every dtype.</summary>
    private static double Value(ReduceOp op, int r, int i) => op switch
    {
        ReduceOp.Sum => (r + 1) * ((i % 13) - 6) + r,
        ReduceOp.Product => ((i + r) % 2 == 0 ? -1 : 1) * (1 + ((i + r) % 3)),
        _ => ((i * 7 + r * 5) % 11) - 5,
    };

    private static void AllReduce<T>(ProcessGroup group, Span<T> buffer, ReduceOp op)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float)) group.AllReduce(MemoryMarshal.Cast<T, float>(buffer), op);
        else if (typeof(T) == typeof(double)) group.AllReduce(MemoryMarshal.Cast<T, double>(buffer), op);
        else group.AllReduce(MemoryMarshal.Cast<T, long>(buffer), op);
    }

    private static void Broadcast<T>(ProcessGroup group, Span<T> buffer, int root)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float)) group.Broadcast(MemoryMarshal.Cast<T, float>(buffer), root);
        else if (typeof(T) == typeof(double)) group.Broadcast(MemoryMarshal.Cast<T, double>(buffer), root);
        else group.Broadcast(MemoryMarshal.Cast<T, long>(buffer), root);
    }

    private static void AllGather<T>(ProcessGroup group, ReadOnlySpan<T> send, Span<T> receive)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float)) group.AllGather(MemoryMarshal.Cast<T, float>(send), MemoryMarshal.Cast<T, float>(receive));
        else if (typeof(T) == typeof(double)) group.AllGather(MemoryMarshal.Cast<T, double>(send), MemoryMarshal.Cast<T, double>(receive));
        else group.AllGather(MemoryMarshal.Cast<T, long>(send), MemoryMarshal.Cast<T, long>(receive));
    }
}
