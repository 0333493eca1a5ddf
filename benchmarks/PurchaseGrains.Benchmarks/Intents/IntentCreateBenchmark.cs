using System.Diagnostics;

namespace PurchaseGrains.Benchmarks.Intents;

/// <summary>
/// <c>POST /v1/purchase-intents</c> per second through real HTTP (Kestrel on loopback) next to <c>pgbench -N</c> on
/// the same server, run right before and right after each scenario. Four scenarios: STRIPE (buyer email, a sandbox
/// PaymentIntent per intent) and EMAIL_CLAIM (no payment: sold at once, fulfilled by reminder), each spread over four
/// listings and on one hot listing, each at 64, 128, 256 and 512 concurrent clients (<c>BENCH_CREATE_CLIENTS</c>). Every
/// buyer is new, so max_per_user (set) never refuses.
/// </summary>
/// <remarks>
/// Each side is compared at its own best concurrency: the service batches writes, so it does more per second with more
/// requests in flight, while <c>pgbench -N</c> peaks at 16 to 32 clients on this machine. A sweep at the start runs
/// <c>pgbench -N</c> at 16 to 128 clients, and the scenarios compare with its best (<see cref="PgbenchClientsAsync"/>).
/// </remarks>
public static class IntentCreateBenchmark
{
    private const string Suite = "intents-create";
    private static readonly int[] PgbenchSweep = [16, 32, 64, 128];

    public static async Task RunAsync(BenchDatabases databases, int seconds)
    {
        var clientCounts = EnvInts("BENCH_CREATE_CLIENTS", [64, 128, 256, 512]);
        var pgbench = await PgBench.InitAsync(databases);
        var pgbenchClients = await PgbenchClientsAsync(pgbench, seconds);
        await using var silo = await IntentsSilo.StartAsync(await databases.CreateAsync("intents_create"));
        // Long timeout: no expiry lands inside the run.
        var spread = new List<string>();
        for (var i = 0; i < 4; i++)
            spread.Add(await silo.CreateListingAsync($"bench-item-{i}", 100_000_000, timeoutSeconds: 3600, maxPerUser: 2));
        var hot = await silo.CreateListingAsync("bench-item-hot", 100_000_000, timeoutSeconds: 3600, maxPerUser: 2);

        // Warm-up: connection pools, listing activations, and long enough under load for tiered compilation to
        // reach optimized code (2 s left most of the hot path in tier 0 on two busy cores: 0.6 x the steady rate).
        foreach (var provider in (string[])["STRIPE", "EMAIL_CLAIM"])
            await RunAsync(silo, provider, [.. spread, hot], clientCounts.Max(), TimeSpan.FromSeconds(8));

        // pgbench -N runs right before each scenario and once after the last: each scenario is compared with the mean
        // of the two runs around it, since this machine's speed moves by up to a fifth within minutes.
        var baseline = await PgbenchAsync(silo, pgbench, pgbenchClients, seconds);
        foreach (var provider in (string[])["STRIPE", "EMAIL_CLAIM"])
        foreach (var (shape, listings) in (ValueTuple<string, string[]>[])[("4 listings", [.. spread]), ("1 hot listing", [hot])])
        foreach (var clients in clientCounts)
        {
            var before = await CommitsAsync(silo);
            var busyBefore = MachineCpu.Busy();
            var run = await RunAsync(silo, provider, listings, clients, TimeSpan.FromSeconds(seconds));
            var busy = MachineCpu.Busy() - busyBefore;
            await Task.Delay(2000);
            var after = await CommitsAsync(silo);
            var next = await PgbenchAsync(silo, pgbench, pgbenchClients, seconds);
            var around = (baseline + next) / 2;
            var sorted = run.Latencies.Sorted();
            Report.Line(Suite, $"{provider}, {shape}, {clients} clients", run.PerSecond, "intents/s",
                $"{run.PerSecond / around:0.00} x pgbench -N (target >= 0.5; {pgbenchClients} clients: {baseline:N0} tps before, {next:N0} after); " +
                $"p50 {Report.Percentile(sorted, 0.5):0.0} ms, p99 {Report.Percentile(sorted, 0.99):0.0} ms; " +
                $"{run.Errors} errors{run.FirstError}; machine CPU {busy?.TotalMicroseconds / run.Count:N0} us per intent " +
                "(the run only: its background work that ends later is left out); per intent " +
                $"{(double)(after - before) / run.Count:0.0} transactions " +
                "(pg_stat_database xact_commit: every autocommit statement, reads too; background reminder work included)");
            baseline = next;
        }

        var balanced = await ListingInvariant.CountBalancedAsync(silo, [.. spread, hot]);
        Report.Line(Suite, "listings with remaining + held + sold = listed", balanced, "of 5");
    }

    /// <summary>
    /// <c>BENCH_PGBENCH_CLIENTS</c>, or else the client count at which <c>pgbench -N</c> did best in a sweep run before the
    /// silo starts (printed, so the reader sees how it falls off with more clients).
    /// </summary>
    private static async Task<int> PgbenchClientsAsync(PgBench pgbench, int seconds)
    {
        switch (EnvInts("BENCH_PGBENCH_CLIENTS", []))
        {
            case [var fixedCount]:
                return fixedCount;
            case [_, _, ..]:
                throw new ArgumentException("BENCH_PGBENCH_CLIENTS takes one client count.");
        }
        var tps = new List<double>();
        foreach (var clients in PgbenchSweep)
        {
            tps.Add(await pgbench.SimpleUpdateTpsAsync(clients, seconds));
            Report.Line(Suite, $"pgbench -N alone, {clients} clients", tps[^1], "tps", "(before the silo starts)");
        }
        var best = PgbenchSweep[tps.IndexOf(tps.Max())];
        Report.Line(Suite, "pgbench -N clients the scenarios compare with", best, "clients", "(the best of the sweep)");
        return best;
    }

    /// <summary>pgbench -N once the silo is quiet (no reminder of the last scenario still due).</summary>
    private static async Task<double> PgbenchAsync(IntentsSilo silo, PgBench pgbench, int clients, int seconds)
    {
        await silo.WaitForDueRemindersAsync(TimeSpan.FromSeconds(30));
        return await pgbench.SimpleUpdateTpsAsync(clients, seconds);
    }

    /// <summary>A comma-separated list of positive client counts; unset means <paramref name="fallback"/>.</summary>
    private static int[] EnvInts(string name, int[] fallback)
    {
        if (Environment.GetEnvironmentVariable(name) is not { Length: > 0 } text)
            return fallback;
        var values = text.Split(',', StringSplitOptions.TrimEntries).Select(v => int.TryParse(v, out var n) && n > 0 ? n : 0).ToArray();
        return values.All(v => v > 0) ? values : throw new ArgumentException($"{name}: '{text}' is not a comma-separated list of positive client counts.");
    }

    internal sealed record Run(double PerSecond, long Count, Latencies Latencies, long Errors, string FirstError);

    /// <summary>Transactions committed on the silo's database so far (pg_stat_database; other backends flush their counts within ~1 s of going idle).</summary>
    private static async Task<long> CommitsAsync(IntentsSilo silo)
    {
        await using var connection = new Npgsql.NpgsqlConnection(silo.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    internal static async Task<Run> RunAsync(IntentsSilo silo, string provider, string[] listings, int clients, TimeSpan duration)
    {
        var latencies = new Latencies();
        long completed = 0, errors = 0;
        string? firstError = null;
        var runId = Guid.NewGuid().ToString("N")[..8];
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (client, _) =>
        {
            var mine = new List<double>();
            for (var n = 0; stopwatch.Elapsed < duration; n++)
            {
                var listing = listings[(client + n) % listings.Length];
                var started = Stopwatch.GetTimestamp();
                var (id, error) = await silo.CreateIntentAsync(listing, provider, $"buyer-{runId}-{client}-{n}@example.com", null);
                mine.Add(Latencies.Ms(started));
                if (id is null)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
                else
                {
                    Interlocked.Increment(ref completed);
                }
            }
            latencies.AddRange(mine);
        });
        return new Run(completed / stopwatch.Elapsed.TotalSeconds, completed, latencies, errors, firstError is null ? "" : $" (first: {firstError})");
    }
}
