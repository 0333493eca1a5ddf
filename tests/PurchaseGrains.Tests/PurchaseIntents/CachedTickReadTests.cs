using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PurchaseGrains.Runtime.Telemetry;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// Expiring a PENDING intent whose activation is cached reads nothing of the intent's state: each way an expiry ends
/// writes the intent against the version it holds (<see cref="StaleExpiryTests"/> covers a stale copy).
/// </summary>
public sealed class ExpiryTickReadTests : IntentSiloTest
{
    [Fact]
    public async Task TheExpiryOfACachedPendingIntentDoesNotReadItsState()
    {
        var reads = new ConcurrentDictionary<string, int>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GrainDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.DisplayName == "read storage" && activity.GetTagItem("grain.id") is string id)
                    reads.AddOrUpdate(id, 1, (_, n) => n + 1);
            },
        };
        ActivitySource.AddActivityListener(listener);
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 1 } }));

        var intent = (await Api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        // Watched through the list (index rows), since fetching a PENDING intent reads it.
        await Eventually.TrueAsync(async () => await ExpiredTotalAsync() == 1, TimeSpan.FromSeconds(10), "the intent EXPIRED");

        Assert.False(reads.ContainsKey($"purchase_intent/{intent}"), "the expiry read the intent's state");
        Assert.Equal("EXPIRED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
    }

    private async Task<long> ExpiredTotalAsync() =>
        (await IntentApi.ReadAsync(await Api.Partner.GetAsync("/v1/purchase-intents?status=EXPIRED&limit=1"), HttpStatusCode.OK))
        .GetProperty("total_results").GetInt64();
}
