using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;
using Orleans;
using Orleans.Runtime;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>A creation that dies between holding the units and writing the intent must not leak the units.</summary>
public sealed class CrashRecoveryTests : IntentSiloTest
{
    private async Task<(string Listing, string Intent)> HoldWithoutIntentAsync(bool sellNow)
    {
        var listing = await Api.CreateListingAsync();
        var intent = Guid.NewGuid().ToString();
        var provider = sellNow ? PaymentProvider.EmailClaim : PaymentProvider.Stripe;
        var buyer = new BuyerIdentity("ghost@x.io", null, FulfillmentMethod.Email, "email:ghost@x.io");
        var bucket = new IntentBucket(sellNow ? IntentStatus.Confirmed : IntentStatus.Pending, provider, FulfillmentStatus.Pending, FulfillmentMethod.Email).Key;
        var hold = await Silo.Services.GetRequiredService<ListingHoldQueue>().HoldAsync(listing, new HoldRequest(intent, "a", provider, buyer, 2, sellNow, bucket));
        Assert.Equal(sellNow ? LedgerOutcome.Sold : LedgerOutcome.Held, hold.Outcome);
        return (listing, intent);
    }

    private static TickStatus Tick => new(DateTime.UtcNow, TimeSpan.FromMinutes(1), DateTime.UtcNow);

    /// <summary>The intent's reminder entry point, called as Orleans calls it when the reminder is due.</summary>
    private IRemindable Remindable(string intent) => Silo.Grains.GetGrain<IPurchaseIntentGrain>(intent).AsReference<IRemindable>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheExpiryOfAnIntentThatWasNeverWrittenGivesItsUnitsBack(bool sold)
    {
        var (listing, intent) = await HoldWithoutIntentAsync(sold);
        Assert.Equal(sold ? new ListingCounters(10, 8, 0, 2) : new ListingCounters(10, 8, 2, 0), await Api.CountersAsync(listing));

        var grain = Remindable(intent);
        await grain.ReceiveReminder($"expire:{listing}", Tick);
        await grain.ReceiveReminder($"expire:{listing}", Tick);

        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
        await IntentApi.AssertErrorAsync(await Api.Partner.GetAsync($"/v1/purchase-intents/{intent}"), HttpStatusCode.NotFound, "Purchase intent not found");
        var page = await IntentApi.ReadAsync(await Api.Partner.GetAsync($"/v1/purchase-intents?listing_id={listing}"), HttpStatusCode.OK);
        Assert.Equal(0, page.GetProperty("total_results").GetInt64());
    }

    [Fact]
    public async Task ACreationThatCompletesAfterItsOrphanExpiryIsRefusedAndHoldsNothing()
    {
        var (listing, intent) = await HoldWithoutIntentAsync(sellNow: false);
        await Remindable(intent).ReceiveReminder($"expire:{listing}", Tick);

        var late = await Silo.Grains.GetGrain<IPurchaseIntentGrain>(intent).Create(new NewIntent(intent, "a", PaymentProvider.Stripe, listing, 2,
            new BuyerIdentity("ghost@x.io", null, FulfillmentMethod.Email, "email:ghost@x.io")));

        Assert.Equal(new PurchaseRefusal(RefusalKind.Conflict, "The purchase intent could not be created; retry"), late.Refusal);
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task AnEarlyTickOnAnIntentNotWrittenYetDoesNotGiveItsUnitsBack()
    {
        var (listing, intent) = await HoldWithoutIntentAsync(sellNow: true);
        var reminder = IntentReminder.For(listing, DateTimeOffset.UtcNow.AddMinutes(2));

        // The creation may still be running on another silo: only the expiry settles that it died.
        await Remindable(intent).ReceiveReminder(reminder.Name, Tick);

        Assert.Equal(new ListingCounters(10, 8, 0, 2), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task APaymentForACancelledIntentIsUnresolvedAndTakesNoUnits()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing));
        var (intent, paymentIntent) = (created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent)).StatusCode);

        Assert.Equal("UNRESOLVED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
    }
}
