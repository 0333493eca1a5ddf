using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using PurchaseGrains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PurchaseGrains.Tests.Sweep;

/// <summary>
/// Issue #5, part 3: thousands of generated bad requests against every route. Every answer is below 500, every
/// 4xx carries the <c>{"error":"…"}</c> envelope, what changes state is refused, another partner's ids look like
/// unknown ones, the silo keeps serving, and what the API shows of the world is exactly the same afterwards.
/// The generator is seeded: a failure prints its seed, and <c>SWEEP_SEED=&lt;seed&gt;</c> replays it.
/// </summary>
public sealed class BadInputSweepTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BadInputOnSqliteIsRefusedInTheEnvelopeWithoutChangingState()
    {
        await using var silo = await TestSilo.StartSqliteAsync(settings: SweepWorld.Settings());
        await BadInputSweep.RunAsync(silo, everyNth: 1, output);
    }
}

/// <summary>The same sweep on PostgreSQL, every fourth request (the SQLite run covers them all).</summary>
public sealed class BadInputSweepPostgresTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task BadInputOnPostgresIsRefusedInTheEnvelopeWithoutChangingState()
    {
        await using var silo = await TestSilo.StartPostgresAsync(await database.CreateSchemaAsync(), SweepWorld.Settings());
        await BadInputSweep.RunAsync(silo, everyNth: 4, output);
    }
}

/// <summary>A sample of the sweep (every tenth request) on the AzureStorage profile, on two silos.</summary>
public sealed class BadInputSweepAzureStorageTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [AzuriteFact]
    public async Task BadInputOnAzureStorageIsRefusedInTheEnvelopeWithoutChangingState()
    {
        var (silo, other) = await AzureSilos.StartPairAsync(database, SweepWorld.Settings(), configure: null);
        await using (other)
        await using (silo)
            await BadInputSweep.RunAsync(silo, everyNth: 10, output);
    }
}

public static class BadInputSweep
{
    private const int DefaultSeed = 20_250_505;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("SWEEP_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
        ? seed
        : DefaultSeed;

    public static async Task RunAsync(TestSilo silo, int everyNth, ITestOutputHelper output)
    {
        var seed = Seed;
        var clock = Stopwatch.StartNew();
        var world = await SweepWorld.CreateAsync(silo);
        var before = await world.SnapshotAsync(silo);

        var plan = new SweepPlan(new BadValues(new Random(seed)), world).Build();
        var requests = plan.Where((_, i) => i % everyNth == 0).ToList();
        using var runner = new SweepRunner(silo.BaseAddress, seed);
        await runner.RunAsync(requests);
        await ProbeOtherPartnersIdsAsync(runner, world);

        var after = await world.SnapshotAsync(silo);
        foreach (var difference in SweepWorld.Differences(before, after))
            runner.Fail($"state changed by refused requests: {difference}");
        await AssertStillServingAsync(runner, silo);

        output.WriteLine($"seed {seed}: {runner.Total} requests in {clock.Elapsed.TotalSeconds:0.0} s (world and snapshots included)");
        foreach (var (category, count) in runner.Counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            output.WriteLine($"  {count,5}  {category}");
        runner.AssertNoFailures();
    }

    /// <summary>
    /// Partner b (and its admin) asks about partner a's listing, intents, payment intent, session, user, sold card, shipping
    /// quote and order:
    /// each answer must be the very answer for an id that does not exist.
    /// </summary>
    private static async Task ProbeOtherPartnersIdsAsync(SweepRunner runner, SweepWorld world)
    {
        var a = world.A;
        var unknown = $"sweep-unknown-{Guid.NewGuid():N}";
        var b = SweepRequest.Key(TestKeys.PartnerB);
        var adminB = SweepRequest.Key(TestKeys.AdminB);
        var aliasB = SweepRequest.Key(TestKeys.AdminB, "Phosphor-Api-Key");
        var probes = new List<Func<string, SweepRequest>>
        {
            id => new("other partner's ids", HttpMethod.Get, $"/v1/listings/{id}", Headers: b),
            id => new("other partner's ids", HttpMethod.Patch, $"/v1/listings/{id}", Body("{\"policy\":{\"max_per_user\":3},\"end_time\":null}"), Headers: adminB),
            id => new("other partner's ids", HttpMethod.Patch, $"/v1/listings/{id}", Body("{\"start_time\":\"2020-01-01T00:00:00Z\"}"), Headers: aliasB),
            id => new("other partner's ids", HttpMethod.Get, $"/v1/purchase-intents?listing_id={id}", Headers: b),
            id => new("other partner's ids", HttpMethod.Post, "/v1/purchase-intents",
                Body($"{{\"provider\":\"STRIPE\",\"listing_id\":\"{id}\",\"quantity\":1,\"buyer\":{{\"email\":\"b@example.com\"}}}}"), Headers: b),
        };
        var intentProbes = new List<Func<string, SweepRequest>>
        {
            id => new("other partner's ids", HttpMethod.Get, $"/v1/purchase-intents/{id}", Headers: b),
            id => new("other partner's ids", HttpMethod.Delete, $"/v1/purchase-intents/{id}", Headers: adminB),
        };
        var checks = new List<(Func<string, SweepRequest> Probe, string ForeignId)>();
        checks.AddRange(probes.Select(p => (p, a.ListingId)));
        checks.AddRange(intentProbes.Select(p => (p, a.PendingIntentId)));
        checks.AddRange(intentProbes.Select(p => (p, a.CancelledIntentId)));
        checks.AddRange(new Func<string, SweepRequest>[]
        {
            id => new("other partner's ids", HttpMethod.Post, $"/sandbox/v1/payment-intents/{id}/succeed", Headers: adminB),
            id => new("other partner's ids", HttpMethod.Post, $"/sandbox/v1/payment-intents/{id}/fail", Headers: adminB),
        }.Select(p => (p, a.PaymentIntentId)));
        checks.Add((id => new("other partner's ids", HttpMethod.Post, "/api/v1/vm/buy/status", Body($"{{\"session_id\":\"{id}\"}}"), Headers: b), a.SessionId));
        checks.Add((id => new("other partner's ids", HttpMethod.Get, $"/api/v1/inventory/{id}", Headers: b), a.UserId));
        checks.Add((id => new("other partner's ids", HttpMethod.Get, $"/api/v1/card/{id}", Headers: b), a.SoldItemId));
        checks.Add((id => new("other partner's ids", HttpMethod.Post, "/api/v1/vm/buyback", Body($"{{\"item_id\":\"{id}\",\"claw_id\":\"{SweepWorld.Pack}\"}}"), Headers: b), a.SoldItemId));
        checks.Add((id => new("other partner's ids", HttpMethod.Post, "/api/v1/ship/quote",
            Body($"{{\"item_ids\":[\"{id}\"],\"destination\":{SweepWorld.Destination}}}"), Headers: b), a.SoldItemId));
        checks.Add((id => new("other partner's ids", HttpMethod.Post, "/api/v1/ship/request", Body($"{{\"quote_id\":\"{id}\"}}"), Headers: b), a.QuoteId));
        checks.Add((id => new("other partner's ids", HttpMethod.Get, $"/api/v1/ship/order/{id}", Headers: b), a.OrderId));

        var index = 0;
        foreach (var (probe, foreignId) in checks)
        {
            var foreign = probe(foreignId);
            var reference = probe(unknown);
            var (foreignStatus, foreignBody) = await runner.SendAsync(foreign);
            var (unknownStatus, unknownBody) = await runner.SendAsync(reference);
            foreignBody = foreignBody.Replace(foreignId, "<id>", StringComparison.Ordinal);
            unknownBody = unknownBody.Replace(unknown, "<id>", StringComparison.Ordinal);
            if (foreignStatus != unknownStatus || foreignBody != unknownBody)
                runner.Fail(index, foreign, $"another partner's id does not look unknown: {foreignStatus} {foreignBody} vs {unknownStatus} {unknownBody}");
            if (foreign.Method != HttpMethod.Get && foreignStatus < 400)
                runner.Fail(index, foreign, $"another partner's object was changed: {foreignStatus} {foreignBody}");
            index++;
        }
    }

    private static async Task AssertStillServingAsync(SweepRunner runner, TestSilo silo)
    {
        using var anonymous = silo.CreateClient(apiKey: null);
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            var health = await anonymous.GetAsync(path);
            if (health.StatusCode != HttpStatusCode.OK)
                runner.Fail($"{path} after the sweep: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
        }
        using var partner = silo.CreateClient(TestKeys.PartnerA);
        var buy = await partner.PostAsJsonAsync("/api/v1/vm/buy/init", new { id = SweepWorld.Pack, amount = 1, user_id = "after-sweep" });
        if (buy.StatusCode != HttpStatusCode.OK)
            runner.Fail($"a valid buy after the sweep: {(int)buy.StatusCode} {await buy.Content.ReadAsStringAsync()}");
    }

    private static byte[] Body(string json) => SweepRequest.Utf8(json);
}
