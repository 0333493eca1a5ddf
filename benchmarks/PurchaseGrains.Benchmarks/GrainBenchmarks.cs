using System.Diagnostics;

namespace PurchaseGrains.Benchmarks;

/// <summary>Durable grain writes/s next to pgbench -N on the same server in the same run; cached grain reads/s.</summary>
public static class GrainBenchmarks
{
    private const int Clients = 32;

    public static async Task RunAsync(BenchDatabases databases, int seconds)
    {
        var pgbenchTps = await PgBench.SimpleUpdateTpsAsync(databases, Clients, seconds);
        await using var silo = await BenchSilo.StartAsync(await databases.CreateAsync("grains"));
        var grains = silo.Grains();

        await Parallel.ForAsync(0, Clients, async (i, _) => await grains.GetGrain<IBenchCounterGrain>($"c{i}").Increment());
        var writes = await RunClientsAsync(Clients, TimeSpan.FromSeconds(seconds),
            client => grains.GetGrain<IBenchCounterGrain>($"c{client}").Increment());
        var reads = await RunClientsAsync(Clients, TimeSpan.FromSeconds(Math.Min(seconds, 5)),
            client => grains.GetGrain<IBenchCounterGrain>($"c{client}").Get());

        Report.Line("grains", $"pgbench -N ({Clients} clients)", pgbenchTps, "tps");
        Report.Line("grains", $"durable grain writes ({Clients} grains)", writes, "writes/s", $"{writes / pgbenchTps:0.00} x pgbench -N (target >= 2)");
        Report.Line("grains", $"grain reads, activation cached ({Clients} grains)", reads, "reads/s");
    }

    /// <summary>Each client calls <paramref name="call"/> in a loop until the time is up; returns calls per second.</summary>
    public static async Task<double> RunClientsAsync<T>(int clients, TimeSpan duration, Func<int, Task<T>> call)
    {
        long completed = 0;
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (client, _) =>
        {
            while (stopwatch.Elapsed < duration)
            {
                await call(client);
                Interlocked.Increment(ref completed);
            }
        });
        return completed / stopwatch.Elapsed.TotalSeconds;
    }
}
