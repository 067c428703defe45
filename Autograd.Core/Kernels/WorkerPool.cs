using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Autograd.Kernels;

/// <summary>
/// Runs the parts of one kernel call on the calling thread and on dedicated worker threads that keep spinning for a
/// short while after each call (as OpenMP's active wait policy), so that the many short parallel regions of a training
/// step do not each pay a thread-pool wake-up, which measured 50–100 µs here against GEMMs of 100–300 µs.
/// </summary>
/// <remarks>
/// On a machine busy with other work a worker can be descheduled for a whole time slice (milliseconds), so nothing
/// waits for a worker that has not started: the caller claims every part nobody has claimed, a call is cut into parts
/// small enough that a part held by a descheduled worker costs little (see <see cref="Gemm"/>), a spinning worker
/// yields its core to any other runnable thread (the caller may share it), and a caller left waiting for a part held by
/// another thread spins only briefly before it blocks, so that it gives its core to the thread it waits for.
/// <para>Which part computes what is fixed by the caller, so results never depend on which thread ran a part. One call
/// at a time uses the workers; a concurrent call from another thread, or a nested call from a part, runs its parts
/// through <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> or inline instead.</para>
/// </remarks>
internal static class WorkerPool
{
    private const double SpinMicroseconds = 300;

    /// <summary>How long a caller whose parts are all claimed spins for the last ones to finish before it blocks.</summary>
    private const double CallerSpinMicroseconds = 20;

    /// <summary>Released by the thread that finishes a call's last part when the caller is blocked (one call at a time uses it).</summary>
    private static readonly SemaphoreSlim s_done = new(0);

    /// <summary>For the load probe (Autograd.Bench probe-load): false restores the spinning caller and non-yielding workers of before.</summary>
    internal static bool YieldWhenBusy { get; set; } = true;

    /// <summary>
    /// Whether an idle worker calls Thread.Yield between spins; off, because with a low-priority busy loop on the
    /// worker's core a yield handed the core over until the next tick and the 2-thread step lost its whole speed-up
    /// (docs/performance.md, the busy-loop test). On only in Autograd.Bench's `probe-load … yield`.
    /// </summary>
    internal static bool WorkerYields { get; set; }

    private static readonly Lock s_gate = new();
    private static readonly List<Worker> s_workers = [];
    [ThreadStatic] private static bool t_inPart;
    private static Job? s_job;

    /// <summary>
    /// One call: its parts are claimed from its own counters, so a worker late for one call never runs parts of the next.
    /// Participant r (the caller is 0) first claims parts from its own contiguous range [r·P/T, (r+1)·P/T), then from the
    /// others' ranges: consecutive calls over the same arrays (a GEMM and the elementwise ops after it, an update and the
    /// zeroing of the gradient) tend to find their data in the cache of the core that last touched it, while a thread that
    /// is late or descheduled still never holds up the call.
    /// </summary>
    private sealed class Job
    {
        public readonly Action<int> Body;
        public readonly int Threads;
        /// <summary>Per participant: the next part of its range at [2r] and the range's end at [2r + 1] (claimed with Interlocked).</summary>
        public readonly int[] Ranges;
        /// <summary>Workers that may still join, so that a call never runs on more threads than it asked for.</summary>
        public int Slots;
        public int Pending;
        /// <summary>1 while the caller is blocked (or about to block) on <see cref="s_done"/>.</summary>
        public int CallerBlocked;
        public Exception? Error;

        public Job(Action<int> body, int parts, int threads)
        {
            Body = body;
            Threads = threads;
            Slots = threads - 1;
            Pending = parts;
            Ranges = new int[2 * threads];
            for (int r = 0; r < threads; r++)
            {
                Ranges[2 * r] = (int)((long)parts * r / threads);
                Ranges[2 * r + 1] = (int)((long)parts * (r + 1) / threads);
            }
        }
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
            var job = new Job(body, parts, threads);
            Volatile.Write(ref s_job, job);
            for (int w = 0; w < helpers; w++) s_workers[w].Wake();
            TakeParts(job, 0);
            if (!YieldWhenBusy)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            }
            else if (Volatile.Read(ref job.Pending) > 0) WaitForParts(job);
            if (job.Error is { } e) ExceptionDispatchInfo.Capture(e).Throw();
        }
        finally
        {
            s_gate.Exit();
        }
    }

    // Every part is claimed: spin a little (the parts left are short), then block until the thread finishing the last
    // part releases s_done, so that a descheduled worker can have the caller's core.
    private static void WaitForParts(Job job)
    {
        long limit = (long)(CallerSpinMicroseconds * Stopwatch.Frequency / 1e6), start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() - start < limit)
        {
            if (Volatile.Read(ref job.Pending) == 0) return;
            Thread.SpinWait(10);
        }
        Interlocked.Exchange(ref job.CallerBlocked, 1);
        if (Volatile.Read(ref job.Pending) == 0)
        {
            // Finished meanwhile: take the flag back, or, if the finisher already took it, consume its release.
            if (Interlocked.CompareExchange(ref job.CallerBlocked, 0, 1) != 1) s_done.Wait();
            return;
        }
        s_done.Wait();
    }

    private static void TakeParts(Job job, int participant)
    {
        t_inPart = true;
        try
        {
            int[] ranges = job.Ranges;
            for (int k = 0; k < job.Threads; k++)
            {
                int r = (participant + k) % job.Threads;
                for (int i = Interlocked.Increment(ref ranges[2 * r]) - 1; i < ranges[2 * r + 1]; i = Interlocked.Increment(ref ranges[2 * r]) - 1)
                {
                    try
                    {
                        job.Body(i);
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref job.Error, e, null);
                    }
                    if (Interlocked.Decrement(ref job.Pending) == 0 && Interlocked.CompareExchange(ref job.CallerBlocked, 0, 1) == 1)
                        s_done.Release();
                }
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
                        if (!YieldWhenBusy || !WorkerYields || !Thread.Yield()) Thread.SpinWait(20);
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
                if (_last is not null && Interlocked.Decrement(ref _last.Slots) is var slot and >= 0) TakeParts(_last, _last.Threads - 1 - slot);
            }
        }
    }
}
