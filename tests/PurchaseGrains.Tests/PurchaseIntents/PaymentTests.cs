using System.Net;
using PurchaseGrains.Grains.Listings;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class PaymentTests : IntentSiloTest
{
    private async Task<(string Listing, string Intent, string PaymentIntent)> PendingStripeIntentAsync(object? listingBody = null, string? email = "buyer@example.com", string? eth = null)
    {
        var listing = await Api.CreateListingAsync(listingBody);
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing, email: email, eth: eth));
        return (listing, created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task ASignedSucceededWebhookConfirmsAndFulfilsByEmail()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync();

        var response = await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent);

        var body = await IntentApi.ReadAsync(response, HttpStatusCode.OK);
        Assert.True(body.GetProperty("received").GetBoolean());
        var confirmed = await Api.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");
        Assert.Equal("CONFIRMED", confirmed.GetProperty("status").GetString());
        Assert.Equal(1, confirmed.GetProperty("item_claim_ids").GetArrayLength());
        Assert.Equal(new ListingCounters(10, 9, 0, 1), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task AWebhookWithoutOurMetadataIsMatchedByItsPaymentIntent()
    {
        var (_, intent, paymentIntent) = await PendingStripeIntentAsync(eth: IntentApi.Eth, email: null);

        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intentId: null)).StatusCode);

        var confirmed = await Api.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");
        Assert.Equal("TRANSFER", confirmed.GetProperty("fulfillment_method").GetString());
        Assert.Equal(1, confirmed.GetProperty("transaction_ids").GetArrayLength());
    }

    [Fact]
    public async Task TheSameEventDeliveredTwiceIsAppliedOnce()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync();

        var first = await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent, eventId: "evt_same");
        var second = await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent, eventId: "evt_same");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(new ListingCounters(10, 9, 0, 1), await Api.CountersAsync(listing));
        Assert.Equal("CONFIRMED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ForgedStaleAndUnknownEventsAreRefused()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync();

        await IntentApi.AssertErrorAsync(await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent, secret: "whsec_forged"),
            HttpStatusCode.BadRequest, "Invalid Stripe signature");
        await IntentApi.AssertErrorAsync(await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent,
            tamper: body => body.Replace("succeeded", "payment_failed", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "Invalid Stripe signature");
        await IntentApi.AssertErrorAsync(await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent, signedAt: DateTimeOffset.UtcNow.AddMinutes(-6)),
            HttpStatusCode.BadRequest, "Stripe signature timestamp is outside the tolerance");
        await IntentApi.AssertErrorAsync(await Api.SendWebhookAsync("charge.refunded", paymentIntent, intent),
            HttpStatusCode.BadRequest, "Unsupported event type 'charge.refunded'");
        await IntentApi.AssertErrorAsync(await Api.SendWebhookAsync("payment_intent.succeeded", "pi_unknown", null),
            HttpStatusCode.BadRequest, "Unknown payment intent");
        await IntentApi.AssertErrorAsync(await Api.SendWebhookAsync("payment_intent.succeeded", "pi_unknown", intent),
            HttpStatusCode.BadRequest, "Unknown payment intent");
        await IntentApi.AssertErrorAsync(await Api.Anonymous.PostAsync("/v1/webhooks/stripe", new StringContent("{}")),
            HttpStatusCode.BadRequest, "Missing Stripe-Signature header");

        Assert.Equal("PENDING", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 9, 1, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task FailedPaymentsExhaustTheRetryBudgetThenTheIntentIsUnresolvedAndReleased()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync();

        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.payment_failed", paymentIntent, intent, eventId: "evt_f1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.payment_failed", paymentIntent, intent, eventId: "evt_f1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.payment_failed", paymentIntent, intent, eventId: "evt_f2")).StatusCode);
        Assert.Equal("PENDING", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 9, 1, 0), await Api.CountersAsync(listing));

        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.payment_failed", paymentIntent, intent, eventId: "evt_f3")).StatusCode);

        Assert.Equal("UNRESOLVED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task APaymentAfterExpiryDoesNotResurrectTheReleasedHold()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync(
            IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 1 } }));
        await Api.WaitForIntentAsync(intent, i => i.GetProperty("status").GetString() == "EXPIRED", "EXPIRED");
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));

        Assert.Equal(HttpStatusCode.OK, (await Api.SendWebhookAsync("payment_intent.succeeded", paymentIntent, intent)).StatusCode);

        var late = await Api.GetIntentAsync(intent);
        Assert.Equal("UNRESOLVED", late.GetProperty("status").GetString());
        Assert.Equal("PENDING", late.GetProperty("fulfillment_status").GetString());
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null),
            HttpStatusCode.Conflict, "This PaymentIntent was canceled");
        foreach (var (status, total) in new[] { ("UNRESOLVED", 1), ("EXPIRED", 0), ("PENDING", 0) })
        {
            var page = await IntentApi.ReadAsync(await Api.Partner.GetAsync($"/v1/purchase-intents?listing_id={listing}&status={status}"), HttpStatusCode.OK);
            Assert.Equal(total, page.GetProperty("total_results").GetInt64());
            Assert.Equal(total, page.GetProperty("results").GetArrayLength());
        }
    }

    [Fact]
    public async Task DeleteCancelsOnlyPendingIntentsAndReleasesTheHold()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await Api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}")).StatusCode);

        Assert.Equal("CANCELLED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
        await IntentApi.AssertErrorAsync(await Api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}"),
            HttpStatusCode.Conflict, "Only PENDING purchase intents can be cancelled");
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null),
            HttpStatusCode.Conflict, "This PaymentIntent was canceled");

        var confirmed = await Api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, email: "c@x.io"));
        await IntentApi.AssertErrorAsync(await Api.Partner.DeleteAsync($"/v1/purchase-intents/{confirmed.GetProperty("id").GetString()}"),
            HttpStatusCode.Conflict, "Only PENDING purchase intents can be cancelled");
        await IntentApi.AssertErrorAsync(await Api.Partner.DeleteAsync($"/v1/purchase-intents/{Guid.NewGuid()}"),
            HttpStatusCode.NotFound, "Purchase intent not found");
    }

    [Fact]
    public async Task CancellingAnIntentAlreadyPaidAtTheProviderConfirmsItInstead()
    {
        var (listing, intent, paymentIntent) = await PendingStripeIntentAsync();
        Assert.Equal(HttpStatusCode.OK, (await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null)).StatusCode);

        await IntentApi.AssertErrorAsync(await Api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}"),
            HttpStatusCode.Conflict, "Only PENDING purchase intents can be cancelled");

        Assert.Equal("CONFIRMED", (await Api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 9, 0, 1), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task SandboxRoutesNeedTheOwningPartnersAdminKey()
    {
        var (_, _, paymentIntent) = await PendingStripeIntentAsync();

        await IntentApi.AssertErrorAsync(await Api.Partner.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null),
            HttpStatusCode.Forbidden, "This route needs an admin API key");
        await IntentApi.AssertErrorAsync(await Api.OtherAdmin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null),
            HttpStatusCode.NotFound, "Payment intent not found");
        var failed = await IntentApi.ReadAsync(await Api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/fail", null), HttpStatusCode.OK);
        Assert.Equal("requires_payment_method", failed.GetProperty("status").GetString());
        Assert.Equal(1, failed.GetProperty("failed_attempts").GetInt32());
    }
}
