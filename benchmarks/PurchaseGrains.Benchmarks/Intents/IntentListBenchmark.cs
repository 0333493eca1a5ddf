using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace PurchaseGrains.Benchmarks.Intents;

/// <summary>
/// <c>GET /v1/purchase-intents</c> with two filters and total_results over 1,000,000 intents of one partner, through
/// HTTP. Real intents of every kind are made through the API first; the seeding SQL is checked to rebuild their
/// documents byte for byte, then seeds a million more. Each combination is walked sequentially and by 16
/// concurrent clients: a first page (default limit 100, newest first) and then four pages by cursor.
/// </summary>
public static class IntentListBenchmark
{
    private const string Suite = "intents-list";
    private const int Seeded = 1_000_000;
    private const int PagesPerWalk = 5;
    private const int SequentialWalks = 40;
    private const int ConcurrentClients = 16;

    public static async Task RunAsync(BenchDatabases databases, int seconds)
    {
        var seeded = int.TryParse(Environment.GetEnvironmentVariable("BENCH_LIST_INTENTS"), out var n) ? n : Seeded;
        await using var silo = await IntentsSilo.StartAsync(await databases.CreateAsync("intents_list"));
        var listings = new List<SeedListing>();
        (string Item, double Share, long Price, string Currency)[] shapes =
            [("list-item-0", 0.40, 2500, "USD"), ("list-item-1", 0.25, 990, "EUR"), ("list-item-2", 0.20, 15000, "USD"),
             ("list-item-3", 0.10, 100, "ETH"), ("list-item-4", 0.05, 50000, "USD")];
        foreach (var (item, share, price, currency) in shapes)
            listings.Add(new SeedListing(await silo.CreateListingAsync(item, 10_000_000, 600, maxPerUser: null, price, currency),
                item, price, currency, 600, share));
        var shortListing = await silo.CreateListingAsync("list-item-short", 1000, timeoutSeconds: 1);

        await MakeRealIntentsAsync(silo, listings[0].Id, shortListing);
        await using var connection = await IntentSeed.OpenAsync(silo.ConnectionString);
        var (checkedRows, different, example) = await IntentSeed.VerifyAgainstRealIntentsAsync(connection);
        Report.Line(Suite, "real intents whose document the seed SQL rebuilds exactly", checkedRows - different, $"of {checkedRows}",
            different == 0 ? null : $"FIRST DIFFERENCE: {example}");
        if (different > 0)
            throw new InvalidOperationException("The seed SQL does not write what the grains write; fix IntentSeed first.");

        var (took, steps) = await IntentSeed.SeedAsync(connection, IntentsSilo.Partner, listings, seeded);
        Report.Line(Suite, $"seeded intents (SQL, indexes rebuilt, analysed)", seeded, "intents", $"in {took.TotalSeconds:0} s: {steps}");

        var random = new Random(7);
        var ids = listings.Select(l => l.Id).ToArray();
        (string Name, Func<Random, string> Query)[] combinations =
        [
            ("status + payment_provider", _ => "status=CONFIRMED&payment_provider=STRIPE"),
            ("listing_id + status", r => $"listing_id={ids[r.Next(ids.Length)]}&status=EXPIRED"),
            ("fulfillment_status + fulfillment_method", _ => "fulfillment_status=COMPLETED&fulfillment_method=EMAIL"),
            ("email + status", r => $"email=buyer{r.Next(50_000)}@example.com&status=CONFIRMED"),
            ("status=PENDING + payment_provider (few rows)", _ => "status=PENDING&payment_provider=STRIPE"),
            ("listing_id + payment_provider (no single index)", r => $"listing_id={ids[r.Next(ids.Length)]}&payment_provider=MINT_VOUCHER"),
            ("fulfillment_status=EXCEPTION + 2 providers", _ => "fulfillment_status=EXCEPTION&payment_provider=EMAIL_CLAIM,MINT_VOUCHER"),
            ("item_id + status, ASC", r => $"item_id=list-item-{r.Next(5)}&status=CANCELLED&order_direction=ASC"),
        ];

        // Warm-up: JIT, pool, the table's hot pages.
        foreach (var (_, query) in combinations)
            await WalkAsync(silo, query(random), null);

        var concurrentFor = TimeSpan.FromSeconds(Math.Min(seconds, 4));
        foreach (var (name, query) in combinations)
        {
            var sequential = new Latencies();
            var total = 0L;
            for (var i = 0; i < SequentialWalks; i++)
                total = await WalkAsync(silo, query(random), sequential);

            var concurrent = new Latencies();
            var stopwatch = Stopwatch.StartNew();
            await Parallel.ForAsync(0, ConcurrentClients, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentClients }, async (client, _) =>
            {
                var mine = new Random(client);
                while (stopwatch.Elapsed < concurrentFor)
                    await WalkAsync(silo, query(mine), concurrent);
            });
            var perSecond = concurrent.Count / stopwatch.Elapsed.TotalSeconds;
            var s = sequential.Sorted();
            var c = concurrent.Sorted();
            Report.Line(Suite, name, Report.Percentile(s, 0.99), "ms p99", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"(target < 20) sequential p50 {Report.Percentile(s, 0.5):0.0} ms; {ConcurrentClients} concurrent p50 {Report.Percentile(c, 0.5):0.0} ms, " +
                $"p99 {Report.Percentile(c, 0.99):0.0} ms, {perSecond:0} req/s; total_results e.g. {total:N0}"));
        }
    }

    /// <summary>Real intents of every kind through the API, so the seed can be checked against what the grains wrote.</summary>
    private static async Task MakeRealIntentsAsync(IntentsSilo silo, string listing, string shortListing)
    {
        var eth = "0x" + new string('a', 40);
        async Task<string> Create(string on, string provider, string? email, string? address)
        {
            var (id, error) = await silo.CreateIntentAsync(on, provider, email, address, quantity: 2);
            return id ?? throw new InvalidOperationException($"Creating a real {provider} intent failed: {error}");
        }
        await Create(listing, "STRIPE", "real-stripe@example.com", null);
        await Create(listing, "STRIPE", null, eth);
        await Create(listing, "EMAIL_CLAIM", "real-claim@example.com", null);
        await Create(listing, "MINT_VOUCHER", null, eth);
        await Create(listing, "ORGANIZATION", null, eth);
        var cancelled = await Create(listing, "STRIPE", "real-cancel@example.com", null);
        using (var response = await silo.Http.SendAsync(silo.Request(HttpMethod.Delete, $"/v1/purchase-intents/{cancelled}")))
            if (response.StatusCode != HttpStatusCode.NoContent)
                throw new InvalidOperationException($"Cancelling a real intent answered {(int)response.StatusCode}");
        var expiring = await Create(shortListing, "STRIPE", "real-expire@example.com", null);

        // Fulfilment (reminder at once) and the one-second expiry settle by themselves.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var page = JsonDocument.Parse(await silo.Http.SendAsync(silo.Request(HttpMethod.Get, "/v1/purchase-intents"))
                .Result.Content.ReadAsStringAsync());
            var results = page.RootElement.GetProperty("results").EnumerateArray().ToList();
            var settled = results.Any(r => r.GetProperty("id").GetString() == expiring && r.GetProperty("status").GetString() == "EXPIRED")
                && results.Where(r => r.GetProperty("status").GetString() == "CONFIRMED")
                    .All(r => r.GetProperty("fulfillment_status").GetString() == "COMPLETED");
            if (settled)
                return;
            await Task.Delay(200);
        }
        throw new InvalidOperationException("Real intents did not settle (expiry, fulfilment) within 20 s.");
    }

    /// <summary>First page, then cursors up to <see cref="PagesPerWalk"/> pages; returns total_results.</summary>
    private static async Task<long> WalkAsync(IntentsSilo silo, string query, Latencies? into)
    {
        string? cursor = null;
        long total = 0;
        for (var page = 0; page < PagesPerWalk; page++)
        {
            var path = "/v1/purchase-intents?" + query + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var started = Stopwatch.GetTimestamp();
            using var response = await silo.Http.SendAsync(silo.Request(HttpMethod.Get, path));
            var body = await response.Content.ReadAsByteArrayAsync();
            into?.Add(Latencies.Ms(started));
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
            using var json = JsonDocument.Parse(body);
            total = json.RootElement.GetProperty("total_results").GetInt64();
            cursor = json.RootElement.GetProperty("cursor").GetString();
            if (cursor is null)
                break;
        }
        return total;
    }
}
