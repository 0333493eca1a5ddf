using System.Collections.Concurrent;
using System.Diagnostics;
using PurchaseGrains.Runtime.Telemetry;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// Two ticks act on a cached activation without reading the intent's state, because each way they end writes the
/// intent against the version it holds: the expiry of a PENDING intent, and the first tick of an intent sold at once,
/// which fulfils it (<see cref="StaleExpiryTests"/> covers a stale copy).
/// </summary>
public sealed class CachedTickReadTests : IntentSiloTest, IDisposable
{
    private readonly ConcurrentDictionary<string, int> _reads = new();
    private readonly ActivityListener _listener;

    public CachedTickReadTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GrainDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.DisplayName == "read storage" && activity.GetTagItem("grain.id") is string id)
                    _reads.AddOrUpdate(id, 1, (_, n) => n + 1);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task TheExpiryOfACachedPendingIntentDoesNotReadItsState()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 1 } }));

        var intent = (await Api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        // Watched through the list (index rows), since fetching an unsettled intent reads it.
        await Eventually.TrueAsync(async () => await Api.TotalResultsAsync("status=EXPIRED") == 1, TimeSpan.FromSeconds(10), "the intent EXPIRED");

        Assert.False(_reads.ContainsKey($"purchase_intent/{intent}"), "the expiry read the intent's state");
        Assert.Equal("EXPIRED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheFulfilmentOfACachedIntentSoldAtOnceDoesNotReadItsState()
    {
        var listing = await Api.CreateListingAsync();

        var intent = (await Api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, email: "ann@example.com"))).GetProperty("id").GetString()!;
        await Eventually.TrueAsync(async () => await Api.TotalResultsAsync("fulfillment_status=COMPLETED") == 1, TimeSpan.FromSeconds(10),
            "the intent's fulfilment COMPLETED");

        Assert.False(_reads.ContainsKey($"purchase_intent/{intent}"), "the fulfilment read the intent's state");
        Assert.Equal("COMPLETED", (await Api.GetIntentAsync(intent)).GetProperty("fulfillment_status").GetString());
    }

    public void Dispose() => _listener.Dispose();
}
