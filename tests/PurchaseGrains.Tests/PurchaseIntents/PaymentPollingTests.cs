using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>The sandbox changes a PaymentIntent without any webhook: only the intent's polling reminder can find out.</summary>
public sealed class PaymentPollingTests : IntentSiloTest
{
    protected override Dictionary<string, string?> Settings() => IntentApi.Settings(pollInterval: TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task PollingFindsAPaymentWhoseWebhookNeverCame()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing));
        var (intent, paymentIntent) = (created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);

        var succeeded = await IntentApi.ReadAsync(await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null), HttpStatusCode.OK);
        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());

        var confirmed = await Api.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED",
            "CONFIRMED and fulfilled by polling", TimeSpan.FromSeconds(5));
        Assert.Equal("CONFIRMED", confirmed.GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 9, 0, 1), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task PolledFailuresCountAgainstTheBudget()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing));
        var (intent, paymentIntent) = (created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/fail", null)).StatusCode);

        await Api.WaitForIntentAsync(intent, i => i.GetProperty("status").GetString() == "UNRESOLVED", "UNRESOLVED after 3 polled failures", TimeSpan.FromSeconds(5));
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task ItsTimerExpiresAnIntentAtItsExpirationWithoutAnyoneAsking()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 1 } }));
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 2));
        var (intent, expiresAt) = (created.GetProperty("id").GetString()!, created.GetProperty("expires_at").GetDateTimeOffset());

        // Held while its expiration is ahead (a read answered before then), released after it with nobody asking. How late
        // after its expiration is a figure for the benchmarks (infra/bench.sh deadlines, intents-expiry), not a bound for
        // a test sharing two cores with the rest of the suite. Watched through the listing and the intent's row only: a
        // read of the intent would expire it itself.
        var beforeExpiration = await Api.CountersAsync(listing);
        if (DateTimeOffset.UtcNow < expiresAt)
            Assert.Equal(new ListingCounters(10, 8, 2, 0), beforeExpiration);
        await Eventually.TrueAsync(async () => await Api.CountersAsync(listing) == new ListingCounters(10, 10, 0, 0),
            TimeSpan.FromSeconds(5), "the hold to be released");
        await Eventually.TrueAsync(async () => await StoredStatusAsync(intent) == "EXPIRED", TimeSpan.FromSeconds(2), "the row to say EXPIRED");
    }

    [Fact]
    public async Task APendingIntentPollsOnItsTimerAndKeepsOneReminderUntilItsExpiry()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 3 } }));
        var polled = await Api.CreateIntentAsync(IntentApi.Stripe(listing));
        var expiring = await Api.CreateIntentAsync(IntentApi.Stripe(listing, email: "other@example.com"));
        var polledId = polled.GetProperty("id").GetString()!;
        var expiringId = expiring.GetProperty("id").GetString()!;

        // Paid after several poll intervals (200 ms) have passed: only a poll repeated on the timer can see it.
        await Task.Delay(900);
        Assert.Equal(1, await RemindersOfAsync(expiringId));
        await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{polled.GetProperty("data").GetProperty("id").GetString()}/succeed", null);

        await Api.WaitForIntentAsync(polledId, i => i.GetProperty("status").GetString() == "CONFIRMED", "CONFIRMED by a later poll", TimeSpan.FromSeconds(2));
        await Api.WaitForIntentAsync(expiringId, i => i.GetProperty("status").GetString() == "EXPIRED", "EXPIRED", TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(async () => await RemindersOfAsync(expiringId) == 0, TimeSpan.FromSeconds(2), "the expired intent's reminder to go");
    }

    [Fact]
    public async Task AnIntentSoldAtOnceIsFulfilledAtOnceAndLeavesNoReminderBehind()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, email: "claim@example.com"));
        var id = created.GetProperty("id").GetString()!;

        var fulfilled = await Api.WaitForIntentAsync(id, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "COMPLETED");
        Assert.NotEmpty(fulfilled.GetProperty("item_claim_ids").EnumerateArray());
        await Eventually.TrueAsync(async () => await RemindersOfAsync(id) == 0, TimeSpan.FromSeconds(2), "the intent's reminder to go");
    }

    private Task<string?> StoredStatusAsync(string intentId) =>
        Silo.Services.GetRequiredService<IIndexQueries>().QuerySingleOrDefaultAsync<string>(
            "SELECT status FROM purchase_intent_index WHERE grain_key = @intentId", new { intentId }, default);

    private async Task<int> RemindersOfAsync(string intentId) => (await Api.ReminderNamesAsync(intentId)).Count;
}
