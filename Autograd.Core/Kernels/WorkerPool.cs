using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Autograd.Kernels;

/// <summary>
/// Runs the parts of one kernel call on the calling thread and on dedicated worker threads that keep spinning for a
/// short while after each call (as OpenMP's active wait policy), so that the many short parallel regions of a training
/// step do not each pay a thread-pool wake-up, which measured 50–100 µs here against GEMMs of 100–300 µs.
/// </summary>
/// <remarks>
/// Which part computes what is fixed by the caller, so results never depend on which thread ran a part. One call
/// at a time uses the workers; a concurrent call from another thread, or a nested call from a part, runs its parts
/// through <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> or inline instead.
/// </remarks>
internal static class WorkerPool
{
    private const double SpinMicroseconds = 300;

    private static readonly Lock s_gate = new();
    private static readonly List<Worker> s_workers = [];
    [ThreadStatic] private static bool t_inPart;
    private static Job? s_job;

    /// <summary>One call: its parts are claimed from its own counter, so a worker late for one call never runs parts of the next.</summary>
    private sealed class Job(Action<int> body, int parts, int helpers)
    {
        public readonly Action<int> Body = body;
        public readonly int Parts = parts;
        /// <summary>Workers that may still join, so that a call never runs on more threads than it asked for.</summary>
        public int Slots = helpers;
        public int Next;
        public int Pending = parts;
        public Exception? Error;
    }

    /// <summary>Calls <paramref name="body"/>(i) for every i in [0, <paramref name="parts"/>), on up to <paramref name="threads"/> threads.</summary>
    public static void Run(int parts, Action<int> body, int threads = int.MaxValue)
    {
        threads = Math.Min(Math.Min(threads, parts), Environment.ProcessorCount);
        if (threads <= 1 || t_inPart)
        {
            for (int i = 0; i < parts; i++) body(i);
            return;
        }
        if (!s_gate.TryEnter())
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
            return;
        }
        try
        {
            int helpers = threads - 1;
            while (s_workers.Count < helpers) s_workers.Add(new Worker(s_workers.Count));
            var job = new Job(body, parts, helpers);
            Volatile.Write(ref s_job, job);
            for (int w = 0; w < helpers; w++) s_workers[w].Wake();
            TakeParts(job);
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            if (job.Error is { } e) ExceptionDispatchInfo.Capture(e).Throw();
        }
        finally
        {
            s_gate.Exit();
        }
    }

    private static void TakeParts(Job job)
    {
        t_inPart = true;
        try
        {
            for (int i = Interlocked.Increment(ref job.Next) - 1; i < job.Parts; i = Interlocked.Increment(ref job.Next) - 1)
            {
                try
                {
                    job.Body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref job.Error, e, null);
                }
                Interlocked.Decrement(ref job.Pending);
            }
        }
        finally
        {
            t_inPart = false;
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _signal = new(0);
        private int _sleeping;
        private Job? _last;

        public Worker(int index)
        {
            _last = Volatile.Read(ref s_job);
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Autograd worker {index + 1}" };
            // A worker serves every later call: it must not inherit the scopes (no-grad, buffer) of the call that created it.
            using (ExecutionContext.SuppressFlow()) thread.Start();
        }

        // Called after a new job is published: a sleeping worker is released exactly once.
        public void Wake()
        {
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _signal.Release();
        }

        private void Loop()
        {
            long limit = (long)(SpinMicroseconds * Stopwatch.Frequency / 1e6);
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (ReferenceEquals(Volatile.Read(ref s_job), _last))
                {
                    if (Stopwatch.GetTimestamp() - start < limit)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (!ReferenceEquals(Volatile.Read(ref s_job), _last))
                    {
                        // A job arrived meanwhile: take the flag back, or, if Wake already took it, consume its release.
                        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) != 1) _signal.Wait();
                        break;
                    }
                    _signal.Wait();
                    start = Stopwatch.GetTimestamp();
                }
                _last = Volatile.Read(ref s_job);
                if (_last is not null && Interlocked.Decrement(ref _last.Slots) >= 0) TakeParts(_last);
            }
        }
    }
}
