using System.Net;
using System.Text.Json;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// Several silos on one PostgreSQL database: the listing invariant and expiry must not depend on a node. The subclass
/// <see cref="PurchaseIntentAzureStorageClusterTests"/> runs the same scenarios on the AzureStorage profile.
/// </summary>
[RequiresPostgres]
public class PurchaseIntentClusterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    protected PostgresDatabase Database { get; } = database;
    /// <summary>Silos on a fresh schema, each with its <see cref="IntentApi"/>; disposing stops them all.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        public required TestSilo[] Silos { get; init; }
        public required IntentApi[] Apis { get; init; }

        public async ValueTask DisposeAsync()
        {
            foreach (var api in Apis)
                api.Dispose();
            foreach (var silo in Silos)
                await silo.DisposeAsync();
        }
    }

    private async Task<Cluster> StartClusterAsync(int nodes, TimeSpan? pollInterval = null)
    {
        var startSilo = await NewClusterAsync();
        var silos = new TestSilo[nodes];
        for (var i = 0; i < nodes; i++)
            silos[i] = await startSilo(IntentApi.Settings(pollInterval));
        return new Cluster { Silos = silos, Apis = silos.Select(s => new IntentApi(s)).ToArray() };
    }

    /// <summary>Storage for one new cluster, and how to start a silo of it.</summary>
    protected virtual async Task<Func<Dictionary<string, string?>, Task<TestSilo>>> NewClusterAsync()
    {
        var connectionString = await Database.CreateSchemaAsync();
        return settings => TestSilo.StartPostgresAsync(connectionString, settings);
    }

    [StorageFact]
    public async Task ConcurrentCreationOnThreeSilosNeverOversellsAndKeepsTheInvariant()
    {
        await using var cluster = await StartClusterAsync(3);
        var apis = cluster.Apis;
        const int listed = 15;
        var listing = await apis[0].CreateListingAsync(IntentApi.ListingBody(quantity: listed, maxPerTx: 1));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            apis[i % 3].PostIntentAsync(IntentApi.Stripe(listing, email: $"buyer{i}@x.io"))));

        var bodies = await Task.WhenAll(attempts.Select(async r => (r.StatusCode, Body: await r.Content.ReadAsStringAsync())));
        Assert.All(bodies, b => Assert.True(b.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{(int)b.StatusCode}: {b.Body}"));
        var created = bodies.Where(b => b.StatusCode == HttpStatusCode.Created)
            .Select(b => JsonDocument.Parse(b.Body).RootElement.Clone()).ToList();
        Assert.Equal(listed, created.Count);
        Assert.All(bodies.Where(b => b.StatusCode == HttpStatusCode.Conflict), b => Assert.Contains("Listing is sold out", b.Body));
        await AssertInvariantAsync(apis[1], listing, listed);

        // Cancel some on one node, pay some on another (twice), and check the books again.
        foreach (var intent in created.Take(4))
            Assert.Equal(HttpStatusCode.NoContent, (await apis[2].Partner.DeleteAsync($"/v1/purchase-intents/{intent.GetProperty("id").GetString()}")).StatusCode);
        foreach (var intent in created.Skip(4).Take(5))
        {
            var (id, paymentIntent) = (intent.GetProperty("id").GetString(), intent.GetProperty("data").GetProperty("id").GetString()!);
            Assert.Equal(HttpStatusCode.OK, (await apis[0].SendWebhookAsync("payment_intent.succeeded", paymentIntent, id, eventId: $"evt_{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await apis[1].SendWebhookAsync("payment_intent.succeeded", paymentIntent, id, eventId: $"evt_{id}")).StatusCode);
        }
        var counters = await AssertInvariantAsync(apis[2], listing, listed);
        Assert.Equal(new ListingCounters(listed, 4, 6, 5), counters);

        // The released units sell again, concurrently, and no further.
        var second = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            apis[i % 3].PostIntentAsync(IntentApi.Stripe(listing, email: $"late{i}@x.io"))));
        Assert.Equal(4, second.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(new ListingCounters(listed, 0, 10, 5), await AssertInvariantAsync(apis[0], listing, listed));
    }

    [StorageFact]
    public async Task MaxPerUserHoldsWhenOneBuyerRacesOnThreeSilos()
    {
        await using var cluster = await StartClusterAsync(3);
        var apis = cluster.Apis;
        var listing = await apis[0].CreateListingAsync(IntentApi.ListingBody(quantity: 50, policy: new { type = "FCFS", max_per_user = 2 }));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 9).Select(i =>
            apis[i % 3].PostIntentAsync(IntentApi.Stripe(listing, email: i % 2 == 0 ? "same@x.io" : "SAME@x.io"))));
        var others = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            apis[i].PostIntentAsync(IntentApi.Stripe(listing, email: $"other{i}@x.io"))));

        Assert.Equal(2, attempts.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in attempts.Where(r => r.StatusCode != HttpStatusCode.Created))
            await IntentApi.AssertErrorAsync(refused, HttpStatusCode.Conflict, "Buyer would exceed the limit of 2 per user");
        Assert.All(others, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(new ListingCounters(50, 45, 5, 0), await AssertInvariantAsync(apis[1], listing, 50));
    }

    [StorageFact]
    public async Task AnIntentCreatedOnANodeThatDiesExpiresOnAnotherWithinASecond()
    {
        await using var cluster = await StartClusterAsync(2);
        var (doomed, survivor) = (cluster.Apis[0], cluster.Apis[1]);
        var listing = await doomed.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 2 } }));
        var created = await doomed.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 3));
        var (intent, expiresAt) = (created.GetProperty("id").GetString()!, created.GetProperty("expires_at").GetDateTimeOffset());

        await cluster.Silos[0].KillAsync();
        Assert.Equal("PENDING", (await survivor.GetIntentAsync(intent)).GetProperty("status").GetString());

        await survivor.WaitForIntentAsync(intent, i => i.GetProperty("status").GetString() == "EXPIRED", "EXPIRED on the surviving node");

        Assert.InRange(DateTimeOffset.UtcNow, expiresAt, expiresAt.AddSeconds(1));
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await survivor.CountersAsync(listing));
    }

    [StorageFact]
    public async Task PollingOnAnotherNodeConfirmsAPaymentMadeInTheSandbox()
    {
        await using var cluster = await StartClusterAsync(2, pollInterval: TimeSpan.FromMilliseconds(200));
        var (first, second) = (cluster.Apis[0], cluster.Apis[1]);
        var listing = await first.CreateListingAsync();
        var created = await first.CreateIntentAsync(IntentApi.Stripe(listing));
        var (intent, paymentIntent) = (created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.OK, (await second.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null)).StatusCode);

        var done = await second.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "CONFIRMED and fulfilled");
        Assert.Equal("CONFIRMED", done.GetProperty("status").GetString());
        var listed = await IntentApi.ReadAsync(await first.Partner.GetAsync($"/v1/purchase-intents?listing_id={listing}&status=CONFIRMED&fulfillment_status=COMPLETED"), HttpStatusCode.OK);
        Assert.Equal(1, listed.GetProperty("total_results").GetInt64());
        Assert.Equal(new ListingCounters(10, 9, 0, 1), await second.CountersAsync(listing));
    }

    [StorageFact]
    public async Task EachCreationPaymentAndCancellationIsInTheVeryNextListCallOnAnySilo()
    {
        await using var cluster = await StartClusterAsync(3);
        var apis = cluster.Apis;
        var listing = await apis[0].CreateListingAsync(IntentApi.ListingBody(quantity: 10, maxPerTx: 1));
        var filter = $"listing_id={listing}";

        var paid = await apis[0].CreateIntentAsync(IntentApi.Stripe(listing, email: "paid@x.io"));
        var cancelled = await apis[0].CreateIntentAsync(IntentApi.Stripe(listing, email: "cancelled@x.io"));
        Assert.Equal(2, await apis[1].TotalResultsAsync($"{filter}&status=PENDING"));

        Assert.Equal(HttpStatusCode.NoContent,
            (await apis[1].Partner.DeleteAsync($"/v1/purchase-intents/{cancelled.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(1, await apis[2].TotalResultsAsync($"{filter}&status=CANCELLED"));

        var (id, paymentIntent) = (paid.GetProperty("id").GetString()!, paid.GetProperty("data").GetProperty("id").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await apis[2].SendWebhookAsync("payment_intent.succeeded", paymentIntent, id)).StatusCode);
        var confirmed = await IntentApi.ReadAsync(await apis[0].Partner.GetAsync($"/v1/purchase-intents?{filter}&status=CONFIRMED"), HttpStatusCode.OK);
        Assert.Equal([id], IntentListingScenarios.Ids(confirmed));
        Assert.Equal(0, await apis[1].TotalResultsAsync($"{filter}&status=PENDING"));
    }

    [StorageFact]
    public async Task FiltersTotalsAndCursorsWorkOnEveryClusterProfile()
    {
        foreach (var scenario in new Func<IntentApi, Task>[]
                 { IntentListingScenarios.EveryFilterNarrowsTheResultsAndTheTotal, IntentListingScenarios.TheCursorIsStableWhileNewIntentsArrive })
        {
            await using var cluster = await StartClusterAsync(1);
            await scenario(cluster.Apis[0]);
        }
    }

    /// <summary>remaining + held + sold = listed, and held/sold match the intents the index says are PENDING/CONFIRMED.</summary>
    private static async Task<ListingCounters> AssertInvariantAsync(IntentApi api, string listing, long listed)
    {
        var counters = await api.CountersAsync(listing);
        Assert.True(counters.IsBalanced, $"Unbalanced: {counters}");
        Assert.Equal(listed, counters.Remaining + counters.Held + counters.Sold);
        Assert.Equal(counters.Held, await QuantityAsync(api, listing, "PENDING"));
        Assert.Equal(counters.Sold, await QuantityAsync(api, listing, "CONFIRMED"));
        return counters;
    }

    private static async Task<long> QuantityAsync(IntentApi api, string listing, string status)
    {
        var page = await IntentApi.ReadAsync(await api.Partner.GetAsync($"/v1/purchase-intents?listing_id={listing}&status={status}&limit=100"), HttpStatusCode.OK);
        Assert.Equal(page.GetProperty("results").GetArrayLength(), page.GetProperty("total_results").GetInt64());
        return page.GetProperty("results").EnumerateArray().Sum(r => r.GetProperty("quantity").GetInt64());
    }
}

/// <summary>The same scenarios on the AzureStorage profile: state, membership and reminders on Azurite, lists on PostgreSQL.</summary>
[RequiresAzurite]
public sealed class PurchaseIntentAzureStorageClusterTests(PostgresDatabase database) : PurchaseIntentClusterTests(database)
{
    protected override async Task<Func<Dictionary<string, string?>, Task<TestSilo>>> NewClusterAsync()
    {
        var cluster = await AzureStorageCluster.CreateAsync(Database);
        return settings => cluster.StartSiloAsync(settings);
    }
}
