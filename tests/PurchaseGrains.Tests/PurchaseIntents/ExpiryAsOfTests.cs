using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// No answer shows PENDING for an intent past its expiration. The intent's timer expires it at its expiration, but
/// its expiry turn takes time (it asks the payment provider first): here that turn is held at the provider, so the
/// intent's row still says PENDING while the list, its status filters and its totals must say EXPIRED.
/// </summary>
public class ExpiryAsOfTests : SiloSuite
{
    private static readonly string ExpiredBucket =
        new IntentBucket(IntentStatus.Expired, PaymentProvider.Stripe, FulfillmentStatus.Pending, FulfillmentMethod.Email).Key;

    [StorageFact]
    public async Task AnIntentPastItsExpirationIsListedFilteredAndCountedAsExpiredBeforeItsExpiryTurnEnds()
    {
        var gate = new HeldCancellations();
        await using var silo = await StartSiloAsync(IntentApi.Settings(), builder => builder.Services.AddSingleton<IPaymentProvider>(sp =>
            new HeldCancellationProvider(ActivatorUtilities.CreateInstance<SandboxPaymentProvider>(sp), gate)));
        using var api = new IntentApi(silo);
        // Long enough that the creation and the two counts below finish before the expiry, even on a loaded machine.
        var listing = await api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 3 } }));
        var lapsing = (await api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        var filter = $"listing_id={listing}";
        Assert.Equal((1, 0), (await api.TotalResultsAsync($"{filter}&status=PENDING"), await api.TotalResultsAsync($"{filter}&status=EXPIRED")));

        await gate.FirstHeld.WaitAsync(TimeSpan.FromSeconds(10));

        await AssertListedAsExpiredAsync(api, filter, lapsing);
        // The listing has counted the release already (the race of a release whose intent row is not written yet):
        // the intent is still counted once.
        await silo.Grains.GetGrain<IListingGrain>(listing).ReleaseMany([new ReleaseRequest(lapsing, IncludeSold: false, ExpiredBucket)]);
        await AssertListedAsExpiredAsync(api, filter, lapsing);

        gate.Release();
        await Eventually.TrueAsync(async () => (await api.ReminderNamesAsync(lapsing)).Count == 0, TimeSpan.FromSeconds(5), "the expiry to end");
        await AssertListedAsExpiredAsync(api, filter, lapsing);
        Assert.Equal("EXPIRED", (await api.GetIntentAsync(lapsing)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await api.CountersAsync(listing));
    }

    private static async Task AssertListedAsExpiredAsync(IntentApi api, string filter, string intent)
    {
        var listed = await IntentApi.ReadAsync(await api.Partner.GetAsync($"/v1/purchase-intents?{filter}"), HttpStatusCode.OK);
        Assert.Equal("EXPIRED", Assert.Single(listed.GetProperty("results").EnumerateArray()).GetProperty("status").GetString());
        var expired = await IntentApi.ReadAsync(await api.Partner.GetAsync($"/v1/purchase-intents?{filter}&status=EXPIRED"), HttpStatusCode.OK);
        Assert.Equal([intent], IntentListingScenarios.Ids(expired));
        var pending = await IntentApi.ReadAsync(await api.Partner.GetAsync($"/v1/purchase-intents?{filter}&status=PENDING"), HttpStatusCode.OK);
        Assert.Empty(pending.GetProperty("results").EnumerateArray());
        Assert.Equal((0, 1, 1), (await api.TotalResultsAsync($"{filter}&status=PENDING"), await api.TotalResultsAsync($"{filter}&status=EXPIRED"),
            await api.TotalResultsAsync(filter)));
        // The row-count path (an email filter) agrees with the bucket sums.
        Assert.Equal((0, 1), (await api.TotalResultsAsync($"{filter}&email=buyer@example.com&status=PENDING"),
            await api.TotalResultsAsync($"{filter}&email=buyer@example.com&status=EXPIRED")));
    }
}

[RequiresPostgres]
public sealed class ExpiryAsOfPostgresTests(PostgresDatabase database) : ExpiryAsOfTests, IClassFixture<PostgresDatabase>
{
    protected override Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null) => PostgresSilos.StartAsync(database, settings, configure);
}
