using System.Net;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// Two steps race to end one PENDING intent (expiry, cancellation, payment): the listing's ledger takes the first
/// to move the units, the intent's versioned write takes the first to write. <c>total_results</c> must count the
/// intent as the state that was written, whichever order the two steps reached the listing and the intent in.
/// The other step's listing call is made directly here, as the racing step on another node would make it.
/// </summary>
public sealed class IntentCountRaceTests : IntentSiloTest
{
    private static readonly string ExpiredBucket =
        new IntentBucket(IntentStatus.Expired, PaymentProvider.Stripe, FulfillmentStatus.Pending, FulfillmentMethod.Email).Key;

    [Fact]
    public async Task ACancellationThatWinsTheWriteAfterTheExpiryReleasedFirstCountsTheIntentAsCancelled()
    {
        var (listing, intent) = await CreatePendingIntentAsync();
        // The expiry released the units (and counted the intent EXPIRED), then lost its write to the cancellation.
        await ReleaseAsExpiryAsync(listing, intent);

        using var cancelled = await Api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}");

        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.Equal("CANCELLED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal((1, 0), (await Api.TotalResultsAsync("status=CANCELLED"), await Api.TotalResultsAsync("status=EXPIRED")));
    }

    [Fact]
    public async Task AnExpiryThatReachesTheListingAfterTheCancellationWroteLeavesItsCountAlone()
    {
        var (listing, intent) = await CreatePendingIntentAsync();
        using var cancelled = await Api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}");
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);

        // An expiry acting on a copy that missed the cancellation: its release finds the units back already, and its
        // write will conflict. It must not have moved the count on its way.
        var answer = await ReleaseAsExpiryAsync(listing, intent);

        Assert.Equal(new LedgerAnswer(LedgerOutcome.Released, MovedNow: false), answer);
        Assert.Equal((1, 0), (await Api.TotalResultsAsync("status=CANCELLED"), await Api.TotalResultsAsync("status=EXPIRED")));
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
    }

    private async Task<(string Listing, string Intent)> CreatePendingIntentAsync()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing));
        return (listing, created.GetProperty("id").GetString()!);
    }

    private async Task<LedgerAnswer> ReleaseAsExpiryAsync(string listing, string intent) =>
        (await Silo.Grains.GetGrain<IListingGrain>(listing).ReleaseMany([new ReleaseRequest(intent, IncludeSold: false, ExpiredBucket)]))[0];
}
