using System.Diagnostics;

namespace PurchaseGrains.Benchmarks;

/// <summary>10,000 one-shot reminders due within one second on one node: how late does each tick start?</summary>
public static class ReminderLatenessBenchmark
{
    private const int Reminders = 10_000;

    public static async Task RunAsync(BenchDatabases databases)
    {
        await using var silo = await BenchSilo.StartAsync(await databases.CreateAsync("reminders"));
        var grains = silo.Grains();
        LatenessProbeGrain.LatenessMs.Clear();

        // Registration takes a while; all are due in the same one-second window that opens after it.
        var windowOpensIn = TimeSpan.FromSeconds(20);
        var registering = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Reminders, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var due = windowOpensIn - registering.Elapsed + TimeSpan.FromMilliseconds(i * 1000.0 / Reminders);
            await grains.GetGrain<ILatenessProbeGrain>($"r{i}").Schedule(due);
        });
        if (registering.Elapsed > windowOpensIn)
            throw new InvalidOperationException("Registering took longer than the lead time; raise it.");

        var deadline = Stopwatch.StartNew();
        while (LatenessProbeGrain.LatenessMs.Count < Reminders && deadline.Elapsed < windowOpensIn + TimeSpan.FromSeconds(30))
            await Task.Delay(100);

        var lateness = LatenessProbeGrain.LatenessMs.ToArray();
        Array.Sort(lateness);
        Report.Line("reminders", $"ticks delivered of {Reminders:N0} due within 1 s", lateness.Length, "ticks");
        Report.Line("reminders", "lateness p50", Report.Percentile(lateness, 0.50), "ms");
        Report.Line("reminders", "lateness p99", Report.Percentile(lateness, 0.99), "ms", "target < 1000");
        Report.Line("reminders", "lateness max", lateness.LastOrDefault(), "ms", "target: all within 2000");
    }
}
