using System.Diagnostics;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// 10,000 deadlines due within one second on one silo, as grain timers (how an active grain meets its deadline) and
/// as reminders (the durable backstop): how late does each callback start?
/// </summary>
public static class ReminderLatenessBenchmark
{
    private const int Deadlines = 10_000;

    public static async Task RunAsync(BenchDatabases databases)
    {
        await using var silo = await BenchSilo.StartAsync(await databases.CreateAsync("reminders"));
        var grains = silo.Grains();
        await MeasureAsync("timers", (grain, dueAt) => grains.GetGrain<ILatenessProbeGrain>($"t{grain}").ScheduleTimer(dueAt));
        await MeasureAsync("reminders", (grain, dueAt) => grains.GetGrain<ILatenessProbeGrain>($"r{grain}").ScheduleReminder(dueAt));
    }

    private static async Task MeasureAsync(string kind, Func<int, DateTimeOffset, Task> schedule)
    {
        LatenessProbeGrain.LatenessMs.Clear();
        // Scheduling takes a while; every deadline falls in the same one-second window that opens after it.
        var windowOpens = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        var scheduling = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Deadlines, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await schedule(i, windowOpens + TimeSpan.FromMilliseconds(i * 1000.0 / Deadlines)));
        var scheduled = scheduling.Elapsed;
        if (DateTimeOffset.UtcNow > windowOpens)
            throw new InvalidOperationException($"Scheduling {kind} took {scheduling.Elapsed.TotalSeconds:0} s, past the window; raise the lead time.");

        while (LatenessProbeGrain.LatenessMs.Count < Deadlines && DateTimeOffset.UtcNow < windowOpens + TimeSpan.FromSeconds(30))
            await Task.Delay(100);

        var lateness = LatenessProbeGrain.LatenessMs.ToArray();
        Array.Sort(lateness);
        Report.Line("deadlines", $"{kind}: fired of {Deadlines:N0} due within 1 s (scheduled in {scheduled.TotalSeconds:0} s)", lateness.Length, "callbacks");
        Report.Line("deadlines", $"{kind}: lateness p50", Report.Percentile(lateness, 0.50), "ms");
        Report.Line("deadlines", $"{kind}: lateness p99", Report.Percentile(lateness, 0.99), "ms", "target < 1000");
        Report.Line("deadlines", $"{kind}: lateness max", lateness.LastOrDefault(), "ms");
    }
}
