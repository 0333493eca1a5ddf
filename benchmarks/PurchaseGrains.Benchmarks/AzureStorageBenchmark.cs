using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Data.Tables;
using Npgsql;
using PurchaseGrains.Benchmarks.Intents;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// The AzureStorage profile on Azurite, each figure next to its comparison in the same run: grain writes/s through
/// Orleans' Azure Table provider next to raw <c>Azure.Data.Tables</c> upserts/s on the same Azurite; intent creation
/// (HTTP) and expiry on this profile next to the Postgres profile on the same PostgreSQL.
/// </summary>
public static class AzureStorageBenchmark
{
    private const string Suite = "azure";
    private const int Clients = 32;
    private const int CreateClients = 64;

    public static async Task RunAsync(BenchDatabases databases, string azurite, int seconds)
    {
        await GrainWritesAsync(databases, azurite, seconds);
        var expiring = int.TryParse(Environment.GetEnvironmentVariable("BENCH_AZURE_EXPIRY_INTENTS"), out var n) ? n : 2_000;
        foreach (var profile in (string[])["Postgres", "AzureStorage"])
        {
            await using var silo = await StartIntentsSiloAsync(databases, azurite, profile);
            await IntentCreationAsync(silo, profile, seconds);
            await IntentExpiryAsync(silo, profile, expiring);
        }
    }

    private static async Task GrainWritesAsync(BenchDatabases databases, string azurite, int seconds)
    {
        var table = new TableServiceClient(azurite).GetTableClient($"rawupserts{Guid.NewGuid():N}"[..24]);
        await table.CreateIfNotExistsAsync();
        // About what Orleans stores for a counter: its key, and the state as a JSON string.
        var payload = """{"version":1,"state":{"value":1,"note":""},"query_rows":[]}""";
        var raw = await GrainBenchmarks.RunClientsAsync(Clients, TimeSpan.FromSeconds(seconds), client =>
            table.UpsertEntityAsync(new TableEntity($"bench_raw_{client}", "counter") { ["StringData"] = payload }, TableUpdateMode.Replace));

        await using var silo = await BenchSilo.StartAsync(await databases.CreateAsync("azure_grains"), AzureSettings(azurite));
        var grains = silo.Grains();
        await Parallel.ForAsync(0, Clients, async (i, _) => await grains.GetGrain<IBenchCounterGrain>($"c{i}").Increment());
        var writes = await GrainBenchmarks.RunClientsAsync(Clients, TimeSpan.FromSeconds(seconds),
            client => grains.GetGrain<IBenchCounterGrain>($"c{client}").Increment());
        var rawAfter = await GrainBenchmarks.RunClientsAsync(Clients, TimeSpan.FromSeconds(seconds), client =>
            table.UpsertEntityAsync(new TableEntity($"bench_raw_{client}", "counter") { ["StringData"] = payload }, TableUpdateMode.Replace));
        var around = (raw + rawAfter) / 2;

        Report.Line(Suite, $"raw Azure.Data.Tables upserts ({Clients} entities)", around, "upserts/s", $"{raw:N0} before, {rawAfter:N0} after the grains");
        Report.Line(Suite, $"durable grain writes, Azure Table ({Clients} grains)", writes, "writes/s", $"{writes / around:0.00} x raw upserts (target >= 0.7)");
    }

    private static async Task IntentCreationAsync(IntentsSilo silo, string profile, int seconds)
    {
        var listings = new List<string>();
        for (var i = 0; i < 4; i++)
            listings.Add(await silo.CreateListingAsync($"azure-bench-item-{i}", 100_000_000, timeoutSeconds: 3600, maxPerUser: 2));
        await IntentCreateBenchmark.RunAsync(silo, "STRIPE", [.. listings], CreateClients, TimeSpan.FromSeconds(5)); // warm-up
        var run = await IntentCreateBenchmark.RunAsync(silo, "STRIPE", [.. listings], CreateClients, TimeSpan.FromSeconds(seconds));
        var sorted = run.Latencies.Sorted();
        Report.Line(Suite, $"{profile}: STRIPE intents created, HTTP, 4 listings, {CreateClients} clients", run.PerSecond, "intents/s",
            $"p50 {Report.Percentile(sorted, 0.5):0.0} ms, p99 {Report.Percentile(sorted, 0.99):0.0} ms; {run.Errors} errors{run.FirstError}");
    }

    /// <summary>
    /// <paramref name="count"/> STRIPE intents on one listing, created as fast as the profile allows through the grains
    /// (64 at a time) and left unpaid, so their expirations spread over the creation time. Lateness is read off the
    /// listing's EXPIRED count, polled every 100 ms: the k-th expiration against the first poll that counts k expired.
    /// </summary>
    private static async Task IntentExpiryAsync(IntentsSilo silo, string profile, int count)
    {
        var grains = silo.App.Grains();
        var listing = await silo.CreateListingAsync($"azure-expiry-{profile}", count, timeoutSeconds: 20);
        var made = new ConcurrentBag<DateTimeOffset>();
        long failed = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            try
            {
                made.Add((await IntentExpiryBenchmark.CreateAsync(grains, listing, $"expiry-{i}")).ExpiresAt);
            }
            catch (Exception exception)
            {
                // Not acknowledged (a 503 over HTTP): the intent may or may not exist, so it is left out of the figures.
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstFailure, exception.GetType().Name, null);
            }
        });
        var created = clock.Elapsed;
        var expirations = made.Order().ToArray();
        count = expirations.Length;

        await using var connection = new NpgsqlConnection(silo.ConnectionString);
        await connection.OpenAsync();
        var reachedAt = new DateTimeOffset?[count + 1];
        var giveUpAt = expirations[^1] + TimeSpan.FromSeconds(60);
        long expired = 0;
        while (expired < count && DateTimeOffset.UtcNow < giveUpAt)
        {
            await Task.Delay(100);
            await using var command = new NpgsqlCommand(
                "SELECT CAST(COALESCE(SUM(intent_count), 0) AS bigint) FROM purchase_intent_counts WHERE listing_id = @id AND status = 'EXPIRED'", connection);
            command.Parameters.AddWithValue("id", listing);
            var now = DateTimeOffset.UtcNow;
            var seen = (long)(await command.ExecuteScalarAsync())!;
            for (var k = expired + 1; k <= Math.Min(seen, count); k++)
                reachedAt[k] = now;
            expired = Math.Max(expired, seen);
        }
        // An intent whose creation failed may exist and expire too: the count can pass the acknowledged ones.
        var lateness = Enumerable.Range(1, count)
            .Select(k => ((reachedAt[k] ?? DateTimeOffset.UtcNow) - expirations[k - 1]).TotalMilliseconds).Order().ToArray();
        Report.Line(Suite, $"{profile}: {count:N0} intents created through the grains", count / created.TotalSeconds, "intents/s",
            $"expirations spread over {(expirations[^1] - expirations[0]).TotalSeconds:0.0} s; {failed} calls failed{(firstFailure is null ? "" : $" (first: {firstFailure})")}");
        Report.Line(Suite, $"{profile}: EXPIRED after expiration, p50 / p99 / max", Report.Percentile(lateness, 0.5), "ms",
            $"p99 {Report.Percentile(lateness, 0.99):N0} ms, max {lateness[^1]:N0} ms; {expired:N0} of {count:N0} expired (100 ms polls)");
    }

    private static async Task<IntentsSilo> StartIntentsSiloAsync(BenchDatabases databases, string azurite, string profile)
    {
        var database = await databases.CreateAsync($"azure_{profile.ToLowerInvariant()}");
        return await IntentsSilo.StartAsync(database, profile == "AzureStorage" ? AzureSettings(azurite) : null);
    }

    /// <summary>The AzureStorage profile on <paramref name="azurite"/>, in a corner of its own (ids, table, container).</summary>
    private static Dictionary<string, string?> AzureSettings(string azurite)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return new()
        {
            ["Storage:Provider"] = "AzureStorage",
            ["ConnectionStrings:AzureStorage"] = azurite,
            ["Orleans:ClusterId"] = $"bench-{id}",
            ["Orleans:ServiceId"] = $"bench-{id}",
            ["Storage:AzureStorage:GrainStateTable"] = $"benchstate{id}",
            ["Storage:AzureStorage:GrainStateContainer"] = $"bench-state-{id}",
        };
    }
}
