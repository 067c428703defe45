using System.Collections.Concurrent;
using Autograd.Distributed;

namespace Autograd.Tests.Distributed;

/// <summary>
/// N ranks in one process, one thread each, for testing the logic above the collectives without MPI. Every collective
/// is a rendezvous of all ranks; an all-reduce sums in rank order, ((x₀ + x₁) + x₂) + …, the same on every rank.
/// Asynchronous collectives run in order on a communication thread per rank, as MPI's progress would.
/// </summary>
internal sealed class ThreadedWorld
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Barrier _barrier;
    private readonly object?[] _slots;

    private ThreadedWorld(int size)
    {
        _barrier = new Barrier(size);
        _slots = new object?[size];
        Log = new ConcurrentQueue<string>();
    }

    /// <summary>Gets what the ranks noted, in the order they noted it (collectives starting and ending, test events).</summary>
    public ConcurrentQueue<string> Log { get; }

    /// <summary>Runs <paramref name="body"/> on <paramref name="size"/> ranks at once and returns each rank's result, in rank order.</summary>
    public static T[] Run<T>(int size, Func<Member, T> body) => Run(size, body, out _);

    /// <summary>As <see cref="Run{T}(int, Func{Member, T})"/>, also giving the world (its log).</summary>
    public static T[] Run<T>(int size, Func<Member, T> body, out ThreadedWorld world)
    {
        var w = world = new ThreadedWorld(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            using var group = new Member(w, r, size);
            try
            {
                results[r] = body(group);
            }
            catch (Exception e)
            {
                errors[r] = e;
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromSeconds(120))) throw new TimeoutException("ThreadedWorld: a rank did not finish within 120 s.");
        var failed = errors.Where(e => e is not null).ToArray();
        if (failed.Length > 0) throw new AggregateException(failed!);
        return results;
    }

    /// <summary>Runs on every rank at once: each gives a value, each gets every rank's, in rank order.</summary>
    private object?[] Exchange(int rank, object? value)
    {
        _slots[rank] = value;
        if (!_barrier.SignalAndWait(Timeout)) throw new TimeoutException("ThreadedWorld: a rank did not reach the collective.");
        var all = (object?[])_slots.Clone();
        if (!_barrier.SignalAndWait(Timeout)) throw new TimeoutException("ThreadedWorld: a rank did not leave the collective.");
        return all;
    }

    /// <summary>One rank's process group.</summary>
    public sealed class Member : ProcessGroup
    {
        private readonly ThreadedWorld _world;
        private readonly int _rank;
        private readonly int _size;
        private readonly BlockingCollection<Action> _queue = new();
        private readonly Thread _comm;

        public Member(ThreadedWorld world, int rank, int size)
        {
            (_world, _rank, _size) = (world, rank, size);
            _comm = new Thread(() =>
            {
                foreach (var a in _queue.GetConsumingEnumerable()) a();
            }) { IsBackground = true };
            _comm.Start();
        }

        public override int Rank => _rank;

        public override int WorldSize => _size;

        public override int LocalRank => _rank;

        /// <summary>Gets the number of all-reduces this rank started.</summary>
        public int AllReduces { get; private set; }

        /// <summary>Gets or sets a delay each asynchronous all-reduce waits before its rendezvous, to make overlap visible.</summary>
        public TimeSpan AsyncDelay { get; set; }

        public ThreadedWorld World => _world;

        public void Note(string what) => _world.Log.Enqueue($"rank {_rank}: {what}");

        public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
        {
            var copy = buffer.ToArray();
            Blocking(() => SumInto(copy, op));
            copy.CopyTo(buffer);
        }

        public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
        {
            var copy = buffer.ToArray();
            Blocking(() => SumInto(copy, op));
            copy.CopyTo(buffer);
        }

        public override void AllReduce(Span<long> buffer, ReduceOp op = ReduceOp.Sum)
        {
            var copy = buffer.ToArray();
            Blocking(() =>
            {
                var all = _world.Exchange(_rank, copy.Clone());
                for (int i = 0; i < copy.Length; i++)
                {
                    long acc = ((long[])all[0]!)[i];
                    for (int r = 1; r < all.Length; r++)
                    {
                        long v = ((long[])all[r]!)[i];
                        acc = op switch { ReduceOp.Sum => acc + v, ReduceOp.Product => acc * v, ReduceOp.Min => Math.Min(acc, v), _ => Math.Max(acc, v) };
                    }
                    copy[i] = acc;
                }
            });
            copy.CopyTo(buffer);
        }

        public override Work AllReduceAsync(Memory<float> buffer, ReduceOp op = ReduceOp.Sum)
        {
            int id = ++AllReduces;
            Note($"all-reduce {id} of {buffer.Length} started");
            return Enqueue(() =>
            {
                if (AsyncDelay > TimeSpan.Zero) Thread.Sleep(AsyncDelay);
                var copy = buffer.ToArray();
                SumInto(copy, op);
                copy.CopyTo(buffer);
            });
        }

        public override Work AllReduceAsync(Memory<double> buffer, ReduceOp op = ReduceOp.Sum)
        {
            int id = ++AllReduces;
            Note($"all-reduce {id} of {buffer.Length} started");
            return Enqueue(() =>
            {
                if (AsyncDelay > TimeSpan.Zero) Thread.Sleep(AsyncDelay);
                var copy = buffer.ToArray();
                SumInto(copy, op);
                copy.CopyTo(buffer);
            });
        }

        public override void Broadcast(Span<float> buffer, int root = 0) => Bcast(buffer, root);

        public override void Broadcast(Span<double> buffer, int root = 0) => Bcast(buffer, root);

        public override void Broadcast(Span<long> buffer, int root = 0) => Bcast(buffer, root);

        public override void AllGather(ReadOnlySpan<float> send, Span<float> receive) => Gather(send, receive);

        public override void AllGather(ReadOnlySpan<double> send, Span<double> receive) => Gather(send, receive);

        public override void AllGather(ReadOnlySpan<long> send, Span<long> receive) => Gather(send, receive);

        public override void Barrier() => Blocking(() => _world.Exchange(_rank, null));

        public override void Abort(int errorCode) => throw new InvalidOperationException($"ThreadedWorld: rank {_rank} aborted with {errorCode}.");

        protected override void Dispose(bool disposing)
        {
            _queue.CompleteAdding();
            _comm.Join();
            base.Dispose(disposing);
        }

        // Sums in rank order on every rank, so every rank gets the same bits.
        private void SumInto<T>(T[] values, ReduceOp op) where T : System.Numerics.INumber<T>
        {
            var all = _world.Exchange(_rank, values.Clone());
            for (int i = 0; i < values.Length; i++)
            {
                T acc = ((T[])all[0]!)[i];
                for (int r = 1; r < all.Length; r++)
                {
                    T v = ((T[])all[r]!)[i];
                    acc = op switch { ReduceOp.Sum => acc + v, ReduceOp.Product => acc * v, ReduceOp.Min => T.Min(acc, v), _ => T.Max(acc, v) };
                }
                values[i] = acc;
            }
        }

        private void Bcast<T>(Span<T> buffer, int root)
        {
            var copy = buffer.ToArray();
            T[]? result = null;
            Blocking(() => result = (T[])_world.Exchange(_rank, copy)[root]!);
            if (result!.Length != buffer.Length) throw new InvalidOperationException("ThreadedWorld: broadcast lengths differ.");
            result.CopyTo(buffer);
        }

        private void Gather<T>(ReadOnlySpan<T> send, Span<T> receive)
        {
            var copy = send.ToArray();
            object?[]? all = null;
            Blocking(() => all = _world.Exchange(_rank, copy));
            for (int r = 0; r < _size; r++) ((T[])all![r]!).CopyTo(receive.Slice(r * copy.Length, copy.Length));
        }

        // A blocking collective waits for the asynchronous ones started before it: they keep their order.
        private void Blocking(Action a) => Enqueue(a).Wait();

        private Job Enqueue(Action a)
        {
            var job = new Job(a);
            _queue.Add(job.Run);
            return job;
        }

        private sealed class Job(Action action) : Work
        {
            private readonly ManualResetEventSlim _done = new();
            private Exception? _error;

            public override bool IsCompleted => _done.IsSet;

            public void Run()
            {
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    _error = e;
                }
                _done.Set();
            }

            public override void Wait()
            {
                if (!_done.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("ThreadedWorld: a collective did not finish within 60 s.");
                if (_error is not null) throw new InvalidOperationException("ThreadedWorld: the collective failed.", _error);
            }
        }
    }
}
