using System.Diagnostics;
using Npgsql;
using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Benchmarks.Intents;

/// <summary>
/// 100,000 STRIPE intents (PENDING until paid) whose expirations all fall within the same ten seconds, on one node:
/// how late after <c>expiration</c> does each become EXPIRED? Creating them takes minutes, so they are created over
/// time, each on the listing whose <c>timeout_seconds</c> puts its expiration at its slot in the window (one listing
/// per timeout value, made through the API). Creation goes through the grain, not HTTP (the HTTP path is measured
/// by intents-create). The EXPIRED time is <c>grain_state.updated_at</c> of the intent's last write (the EXPIRED
/// transition writes last: nothing is written after it). Payment polling is set to 1 h so it stays out of the run.
/// </summary>
public static class IntentExpiryBenchmark
{
    private const string Suite = "intents-expiry";
    private const int Clients = 64;
    private const double WindowSeconds = 10;

    public static async Task RunAsync(BenchDatabases databases)
    {
        var intents = int.TryParse(Environment.GetEnvironmentVariable("BENCH_EXPIRY_INTENTS"), out var n) ? n : 100_000;
        var siloCount = int.TryParse(Environment.GetEnvironmentVariable("BENCH_EXPIRY_SILOS"), out var s) ? s : 1;
        await using var silo = await IntentsSilo.StartAsync(await databases.CreateAsync("intents_expiry"));
        // More silos on the same database join the cluster; each client creates through one of them, as behind a load
        // balancer, so every silo holds intents and runs their timers.
        var others = new List<IntentsSilo>();
        for (var i = 1; i < siloCount; i++)
            others.Add(await IntentsSilo.StartAsync(silo.ConnectionString));
        await using var stopOthers = new AsyncDisposables(others);
        IReadOnlyList<Orleans.IGrainFactory> grains = [silo.App.Grains(), .. others.Select(o => o.App.Grains())];
        Report.Line(Suite, "silos in the cluster", siloCount, "silos", "intents created through each in turn");
        var warmUp = await WarmUpExpiryAsync(silo, grains);

        // Calibrate: how fast does this machine create intents right now? (On a listing that does not expire in the run.)
        var calibration = await silo.CreateListingAsync("expiry-calibration", 10_000_000, timeoutSeconds: 3600);
        var calibrating = Stopwatch.StartNew();
        long calibrated = 0;
        await Parallel.ForAsync(0, Clients, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (client, _) =>
        {
            for (var i = 0; calibrating.Elapsed < TimeSpan.FromSeconds(3); i++)
            {
                await CreateAsync(grains[client % grains.Count], calibration, $"calibrate-{client}-{i}");
                Interlocked.Increment(ref calibrated);
            }
        });
        var rate = calibrated / calibrating.Elapsed.TotalSeconds;

        // The window opens when creation should be done with a margin; one listing per timeout that can be needed.
        var windowOpensAt = TimeSpan.FromSeconds(Math.Ceiling(intents / rate * 1.2) + 10);
        var maxTimeout = (int)Math.Ceiling(windowOpensAt.TotalSeconds + WindowSeconds) + 1;
        var byTimeout = new string[maxTimeout + 1];
        await Parallel.ForAsync(1, maxTimeout + 1, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (timeout, _) =>
            byTimeout[timeout] = await silo.CreateListingAsync($"expiry-item-{timeout}", intents, timeoutSeconds: timeout));
        Report.Line(Suite, $"creation rate measured first (grain calls, {Clients} clients)", rate, "intents/s",
            $"so the window opens {windowOpensAt.TotalSeconds:0} s after creation starts; {maxTimeout} listings");

        var clock = Stopwatch.StartNew();
        var next = -1;
        long late = 0;
        await Parallel.ForAsync(0, Clients, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (client, _) =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < intents)
            {
                // Slot in the window, spread evenly; the timeout that lands closest to it from now.
                var slot = windowOpensAt.TotalSeconds + WindowSeconds * i / intents;
                var timeout = (int)Math.Round(slot - clock.Elapsed.TotalSeconds);
                if (timeout < 1)
                {
                    Interlocked.Increment(ref late);
                    continue;
                }
                await CreateAsync(grains[client % grains.Count], byTimeout[timeout], $"expiring-{i}");
            }
        });
        var created = intents - late;
        Report.Line(Suite, "intents created to expire in the window", created, "intents",
            $"in {clock.Elapsed.TotalSeconds:0} s{(late > 0 ? $"; {late} not created (creation ran past the window; raise the margin)" : "")}");

        var listingIds = byTimeout.Skip(1).ToArray();
        var serviceCpu = await ServiceCpu.ForAsync(silo.ConnectionString);
        var cpuBefore = serviceCpu?.Used();
        var gcBefore = GcActivity.Now();
        using var gcLog = new GcLog();
        await using var connection = new NpgsqlConnection(silo.ConnectionString);
        await connection.OpenAsync();
        var giveUpAt = windowOpensAt + TimeSpan.FromSeconds(WindowSeconds + Math.Max(60, created / 1000.0));
        long expired = 0;
        while (clock.Elapsed < giveUpAt)
        {
            expired = await ExpiredAsync(connection, listingIds);
            if (expired >= created && clock.Elapsed > windowOpensAt)
                break;
            await Task.Delay(1000);
        }
        var cpuAfter = serviceCpu?.Used();
        var gc = GcActivity.Now() - gcBefore;
        var collections = gcLog.Stop();

        var lateness = new List<double>();
        double expirationSpread;
        await using (var command = new NpgsqlCommand("""
            SELECT extract(epoch FROM g.updated_at - (i.document::json->>'expiration')::timestamptz) * 1000,
                   extract(epoch FROM (i.document::json->>'expiration')::timestamptz)
            FROM purchase_intent_index i
            JOIN grain_state g ON g.grain_type = 'purchase_intent' AND g.grain_key = i.grain_key AND g.state_name = 'purchase_intent'
            WHERE i.listing_id = ANY(@ids) AND i.status = 'EXPIRED'
            """, connection))
        {
            command.Parameters.AddWithValue("ids", listingIds);
            await using var reader = await command.ExecuteReaderAsync();
            var (first, last) = (double.MaxValue, double.MinValue);
            var expirations = new List<double>();
            while (await reader.ReadAsync())
            {
                lateness.Add((double)reader.GetDecimal(0));
                var expiration = (double)reader.GetDecimal(1);
                expirations.Add(expiration);
                (first, last) = (Math.Min(first, expiration), Math.Max(last, expiration));
            }
            expirationSpread = lateness.Count == 0 ? 0 : last - first;
            // Through the window: a rising median means expiries fell behind; a flat one, a fixed delay per expiry.
            var bySecond = lateness.Select((ms, i) => (Second: (int)(expirations[i] - first), Ms: ms))
                .GroupBy(x => x.Second).OrderBy(g => g.Key)
                .Select(g => (Report.Percentile([.. g.Select(x => x.Ms).Order()], 0.5) / 1000).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
            Report.Line(Suite, "median lateness by second of the window", lateness.Count, "intents", $"{string.Join(" ", bySecond)} s");
        }
        expired = lateness.Count; // from the index rows themselves, now that nothing is running
        // Intents still PENDING when the wait ended count as late as the wait (so percentiles are lower bounds then).
        var waitedMs = (clock.Elapsed - windowOpensAt).TotalMilliseconds;
        lateness.AddRange(Enumerable.Repeat(waitedMs, (int)Math.Max(0, created - lateness.Count)));
        var sorted = lateness.ToArray();
        Array.Sort(sorted);
        Report.Line(Suite, $"EXPIRED of {created:N0} (expirations span {expirationSpread:0.0} s)", expired, "intents",
            expired < created ? $"the rest still PENDING {waitedMs / 1000:0} s after the window opened: counted as that late" : null);
        Report.Line(Suite, "lateness of EXPIRED after expiration, p50", Report.Percentile(sorted, 0.50), "ms");
        Report.Line(Suite, "lateness of EXPIRED after expiration, p99", Report.Percentile(sorted, 0.99), "ms", "target < 2000");
        Report.Line(Suite, "lateness of EXPIRED after expiration, max", sorted.LastOrDefault(), "ms");
        if (cpuBefore is { } before && cpuAfter is { } after && expired > 0)
        {
            var silos = (after.Silos - before.Silos).TotalMicroseconds / expired;
            var database = (after.Database - before.Database).TotalMicroseconds / expired;
            Report.Line(Suite, "service CPU per expiry (silos + PostgreSQL, from the end of creation)", silos + database, "µs",
                $"silos {silos:0} + PostgreSQL {database:0}; comparable on a shared machine, unlike lateness; 2 cores give 200 µs to each of 10,000 expiries a second");
        }
        Report.Line(Suite, "garbage collections from the end of creation", gc.Gen0, "GCs", gc.ToString());
        if (expired > 0)
            Report.Line(Suite, "bytes allocated per expiry (silos, from the end of creation)", gc.Allocated / (double)expired, "bytes",
                "what drives the collections; exact on a shared machine");
        foreach (var (type, share) in gcLog.TopAllocatedTypes(20))
            Report.Line(Suite, $"  allocated: {type}", share * 100, "%");
        foreach (var kind in collections.GroupBy(c => (c.Generation, c.Kind)).OrderBy(g => g.Key))
            Report.Line(Suite, $"  gen {kind.Key.Generation} {kind.Key.Kind} collections", kind.Count(), "GCs",
                $"paused {kind.Sum(c => c.Paused.TotalMilliseconds):0} ms, longest {kind.Max(c => c.Paused.TotalMilliseconds):0} ms; " +
                $"promoted {kind.Sum(c => c.Promoted) / 1e6:0} MB, up to {kind.Max(c => c.Handles):N0} GC handles; {string.Join(", ", kind.Select(c => c.Reason).Distinct())}");


        string[] allListings = [warmUp, calibration, .. listingIds];
        var balanced = await ListingInvariant.CountBalancedAsync(silo, allListings);
        Report.Line(Suite, "listings with remaining + held + sold = listed", balanced, $"of {allListings.Length}");
        var held = await ScalarAsync(connection, "SELECT count(*) FROM listing_holds WHERE listing_id = ANY(@ids) AND state = 'HELD'", listingIds);
        Report.Line(Suite, "ledger lines still HELD on the expiring listings", held, "lines", "expected 0");
    }

    /// <summary>
    /// Expires a few thousand intents before anything is measured, as a service that has been running would have:
    /// otherwise the window's first seconds run the expiry path as unoptimised code while the JIT compiles it
    /// (the tiered JIT's compiler took about 3% of the machine in the window).
    /// </summary>
    private static async Task<string> WarmUpExpiryAsync(IntentsSilo silo, IReadOnlyList<Orleans.IGrainFactory> grains)
    {
        const int count = 3_000;
        var listing = await silo.CreateListingAsync("expiry-warm-up", count, timeoutSeconds: 1);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (i, _) =>
            await CreateAsync(grains[i % grains.Count], listing, $"warm-up-{i}"));
        await using var connection = new NpgsqlConnection(silo.ConnectionString);
        await connection.OpenAsync();
        long expired;
        while ((expired = await ExpiredAsync(connection, [listing])) < count && clock.Elapsed < TimeSpan.FromSeconds(120))
            await Task.Delay(250);
        Report.Line(Suite, "warm-up: intents created and expired before measuring", expired, "intents", $"in {clock.Elapsed.TotalSeconds:0.0} s");
        return listing;
    }

    internal static async Task<CreatedIntentView> CreateAsync(Orleans.IGrainFactory grains, string listing, string buyer)
    {
        var (intent, refusal) = IntentRequestRules.Check(new IntentRequest("STRIPE", listing, 1, new Buyer($"{buyer}@example.com", null)),
            Guid.NewGuid().ToString(), IntentsSilo.Partner);
        var result = await grains.GetGrain<IPurchaseIntentGrain>(intent?.IntentId ?? throw new InvalidOperationException(refusal!.ToString())).Create(intent);
        return result.Created ?? throw new InvalidOperationException($"Creating an intent was refused: {result.Refusal}");
    }

    /// <summary>
    /// EXPIRED intents on the listings, from their per-status counts (a few rows each), not a count over 100,000 index
    /// rows: watching must not take CPU from the expiries it watches.
    /// </summary>
    private static Task<long> ExpiredAsync(NpgsqlConnection connection, string[] listingIds) => ScalarAsync(connection,
        "SELECT CAST(COALESCE(SUM(intent_count), 0) AS bigint) FROM purchase_intent_counts WHERE listing_id = ANY(@ids) AND status = 'EXPIRED'",
        listingIds);

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, string[] listingIds)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ids", listingIds);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Stops the extra silos, last started first, when the run ends.</summary>
    private sealed class AsyncDisposables(IReadOnlyList<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items.Reverse())
                await item.DisposeAsync();
        }
    }
}
