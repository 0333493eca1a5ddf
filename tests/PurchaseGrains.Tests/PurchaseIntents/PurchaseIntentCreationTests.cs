using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class PurchaseIntentCreationTests : IntentSiloTest
{
    [Fact]
    public async Task AStripeIntentHoldsTheQuantityAndAnswersPaymentData()
    {
        var listing = await Api.CreateListingAsync();
        var before = DateTimeOffset.UtcNow;

        var created = await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 2, email: "Buyer@Example.com", eth: IntentApi.Eth));

        var id = created.GetProperty("id").GetString()!;
        var data = created.GetProperty("data");
        var paymentIntentId = data.GetProperty("id").GetString()!;
        Assert.StartsWith("pi_", paymentIntentId);
        Assert.StartsWith($"{paymentIntentId}_secret_", data.GetProperty("client_secret").GetString());
        Assert.Equal("TEST", data.GetProperty("mode").GetString());
        Assert.Equal("acct_sandbox", data.GetProperty("account_id").GetString());
        Assert.Equal("pk_test_sandbox", data.GetProperty("publishable_key").GetString());
        Assert.Equal(5000, data.GetProperty("provider_price").GetProperty("price").GetInt64());
        Assert.Equal("USD", data.GetProperty("provider_price").GetProperty("currency").GetString());
        var expiresAt = created.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddSeconds(119), DateTimeOffset.UtcNow.AddSeconds(121));

        var intent = await Api.GetIntentAsync(id);
        Assert.Equal("PENDING", intent.GetProperty("status").GetString());
        Assert.Equal("PENDING", intent.GetProperty("fulfillment_status").GetString());
        Assert.Equal("EMAIL", intent.GetProperty("fulfillment_method").GetString());
        Assert.Equal("Buyer@Example.com", intent.GetProperty("email").GetString());
        Assert.Equal(IntentApi.Eth, intent.GetProperty("eth_address").GetString());
        Assert.Equal(paymentIntentId, intent.GetProperty("stripe_payment_intent_id").GetString());
        Assert.Equal(listing, intent.GetProperty("listing_id").GetString());
        Assert.Equal("item-1", intent.GetProperty("item_id").GetString());
        Assert.Equal(2, intent.GetProperty("quantity").GetInt32());
        Assert.Equal(expiresAt, intent.GetProperty("expiration").GetDateTimeOffset());
        Assert.Equal(new ListingCounters(10, 8, 2, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task EmailClaimIsConfirmedAtOnceAndFulfilledWithEmailClaims()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, quantity: 2, email: "c@x.io"));
        var id = created.GetProperty("id").GetString()!;

        var intent = await Api.WaitForIntentAsync(id, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");

        Assert.Equal("CONFIRMED", intent.GetProperty("status").GetString());
        Assert.Equal("EMAIL", intent.GetProperty("fulfillment_method").GetString());
        Assert.Equal(2, intent.GetProperty("item_claim_ids").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, intent.GetProperty("transaction_ids").ValueKind);
        Assert.Equal(new ListingCounters(10, 8, 0, 2), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task OrganizationIsConfirmedAtOnceAndFulfilledByTransfer()
    {
        var listing = await Api.CreateListingAsync();
        var id = (await Api.CreateIntentAsync(IntentApi.NoPayment("ORGANIZATION", listing, eth: IntentApi.Eth))).GetProperty("id").GetString()!;

        var intent = await Api.WaitForIntentAsync(id, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");

        Assert.Equal("TRANSFER", intent.GetProperty("fulfillment_method").GetString());
        Assert.StartsWith("0x", intent.GetProperty("transaction_ids")[0].GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, intent.GetProperty("item_claim_ids").ValueKind);
    }

    [Fact]
    public async Task MintVoucherAnswersTheSignedVoucher()
    {
        var listing = await Api.CreateListingAsync();
        var created = await Api.CreateIntentAsync(IntentApi.NoPayment("MINT_VOUCHER", listing, quantity: 3, eth: IntentApi.Eth));

        var voucher = created.GetProperty("data").GetProperty("voucher");
        Assert.Equal(IntentApi.Eth, voucher.GetProperty("net_recipient").GetString());
        Assert.Equal(3, voucher.GetProperty("quantity").GetInt32());
        Assert.Equal("7500", voucher.GetProperty("price").GetString());
        Assert.StartsWith("0x", created.GetProperty("data").GetProperty("signature").GetString());

        var intent = await Api.WaitForIntentAsync(created.GetProperty("id").GetString()!,
            i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");
        Assert.Equal("VOUCHER", intent.GetProperty("fulfillment_method").GetString());
        Assert.Equal("CONFIRMED", intent.GetProperty("status").GetString());
    }

    [Fact]
    public async Task BuyerFieldsMustFitTheProvider()
    {
        var listing = await Api.CreateListingAsync();
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, eth: IntentApi.Eth)),
            HttpStatusCode.BadRequest, "EMAIL_CLAIM takes buyer.email only");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.NoPayment("MINT_VOUCHER", listing, email: "a@b.co")),
            HttpStatusCode.BadRequest, "MINT_VOUCHER takes buyer.eth_address only");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, email: null)),
            HttpStatusCode.BadRequest, "STRIPE needs buyer.email or buyer.eth_address");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(new { provider = "PAYPAL", listing_id = listing, quantity = 1 }),
            HttpStatusCode.BadRequest, "Unknown provider 'PAYPAL'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(new { provider = "STRIPE", quantity = 1 }),
            HttpStatusCode.BadRequest, "listing_id is required");
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task TheListingDecidesProviderQuantityAndWindow()
    {
        var stripeOnly = await Api.CreateListingAsync(IntentApi.ListingBody(providers: ["STRIPE"], maxPerTx: 2));
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", stripeOnly, email: "a@b.co")),
            HttpStatusCode.BadRequest, "Payment provider EMAIL_CLAIM is not accepted by this listing");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(stripeOnly, quantity: 3)),
            HttpStatusCode.BadRequest, "quantity must be at most 2 per transaction");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(stripeOnly, quantity: 0)),
            HttpStatusCode.BadRequest, "quantity must be at least 1");

        var later = await Api.CreateListingAsync(IntentApi.ListingBody(start: DateTimeOffset.UtcNow.AddHours(1)));
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(later)), HttpStatusCode.Conflict, "Listing has not started yet");

        var ended = await Api.CreateListingAsync(IntentApi.ListingBody(start: DateTimeOffset.UtcNow.AddHours(-2), end: DateTimeOffset.UtcNow.AddHours(-1)));
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(ended)), HttpStatusCode.Conflict, "Listing has ended");

        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe("no-such-listing")), HttpStatusCode.NotFound, "Listing not found");
    }

    [Fact]
    public async Task WhatRemainsLimitsEveryBuyer()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(quantity: 3));
        await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 2, email: "one@x.io"));

        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, quantity: 2, email: "two@x.io")),
            HttpStatusCode.Conflict, "Only 1 left on this listing");
        await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 1, email: "two@x.io"));
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, quantity: 1, email: "three@x.io")),
            HttpStatusCode.Conflict, "Listing is sold out");
        Assert.Equal(new ListingCounters(3, 0, 3, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task MaxPerUserCountsWhatTheBuyerAlreadyHolds()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", max_per_user = 3 }));
        await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 2, email: "Same@x.io"));

        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, quantity: 2, email: "same@X.io")),
            HttpStatusCode.Conflict, "Buyer would exceed the limit of 3 per user");
        await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 1, email: "same@x.io"));
        await Api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 3, email: "other@x.io"));
    }

    [Fact]
    public async Task AHoldRefusedWhileItsPaymentIntentWasBeingMadeLeavesThatPaymentIntentCancelled()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", max_per_user = 1 }));
        await Api.CreateIntentAsync(IntentApi.Stripe(listing, email: "once@x.io"));

        // The listing has units to spare, so the PaymentIntent is made alongside the hold that max_per_user refuses.
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, email: "once@x.io")),
            HttpStatusCode.Conflict, "Buyer would exceed the limit of 1 per user");

        var payloads = await Silo.Services.GetRequiredService<IIndexQueries>().QueryAsync<string>(
            "SELECT payload FROM grain_state WHERE grain_type = 'sandbox_payment_intent'", null, default);
        var statuses = payloads.Select(p => System.Text.Json.JsonDocument.Parse(p).RootElement.GetProperty("status").GetString()).Order();
        Assert.Equal(["canceled", "requires_payment_method"], statuses);
    }

    [Fact]
    public async Task AReleasedHoldNoLongerCountsAgainstMaxPerUser()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", max_per_user = 1 }));
        var first = (await Api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Partner.DeleteAsync($"/v1/purchase-intents/{first}")).StatusCode);

        await Api.CreateIntentAsync(IntentApi.Stripe(listing));
    }

    [Fact]
    public async Task AnAllowListAdmitsOnlyItsEmails()
    {
        var listing = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "ALLOW_LIST", email_addresses = new[] { "vip@x.io" } }));

        await Api.CreateIntentAsync(IntentApi.Stripe(listing, email: "VIP@x.io"));
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, email: "nobody@x.io")),
            HttpStatusCode.Forbidden, "Buyer is not on the listing's allow list");
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing, email: null, eth: IntentApi.Eth)),
            HttpStatusCode.Forbidden, "Buyer is not on the listing's allow list");
    }

    [Fact]
    public async Task AnotherPartnerCannotBuyFromOrSeeThisPartnersListingsAndIntents()
    {
        var listing = await Api.CreateListingAsync();
        var id = (await Api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString();
        using var otherPartner = Silo.CreateClient(TestKeys.PartnerB);

        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.Stripe(listing), otherPartner), HttpStatusCode.NotFound, "Listing not found");
        await IntentApi.AssertErrorAsync(await otherPartner.GetAsync($"/v1/purchase-intents/{id}"), HttpStatusCode.NotFound, "Purchase intent not found");
        await IntentApi.AssertErrorAsync(await otherPartner.DeleteAsync($"/v1/purchase-intents/{id}"), HttpStatusCode.NotFound, "Purchase intent not found");
        var list = await IntentApi.ReadAsync(await otherPartner.GetAsync("/v1/purchase-intents"), HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total_results").GetInt64());
        Assert.Equal("PENDING", (await Api.GetIntentAsync(id!)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARetriedCreationWithTheSameIdempotencyKeyHoldsOnce()
    {
        var listing = await Api.CreateListingAsync();
        async Task<HttpResponseMessage> Post()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/purchase-intents") { Content = System.Net.Http.Json.JsonContent.Create(IntentApi.Stripe(listing)) };
            request.Headers.Add("Idempotency-Key", "create-once");
            return await Api.Partner.SendAsync(request);
        }

        var first = await IntentApi.ReadAsync(await Post(), HttpStatusCode.Created);
        var retry = await Post();

        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.GetProperty("id").GetString(), (await IntentApi.ReadAsync(retry, HttpStatusCode.Created)).GetProperty("id").GetString());
        Assert.Equal(new ListingCounters(10, 9, 1, 0), await Api.CountersAsync(listing));
    }

    [Fact]
    public async Task AnUnknownIntentIsNotFound() =>
        await IntentApi.AssertErrorAsync(await Api.Partner.GetAsync($"/v1/purchase-intents/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "Purchase intent not found");

    [Theory]
    [InlineData("a\\u0000b", "x@example.com", "$.listing_id")] // PostgreSQL cannot store a NUL: this was a 503
    [InlineData("LISTING", "\\ud800@example.com", "$.buyer.email")] // a lone surrogate names no character
    public async Task TextWithANulOrALoneSurrogateIsInvalidJson(string listingId, string email, string field)
    {
        var listing = await Api.CreateListingAsync();
        var body = "{\"provider\":\"STRIPE\",\"listing_id\":\"" + listingId.Replace("LISTING", listing, StringComparison.Ordinal) +
                   "\",\"quantity\":1,\"buyer\":{\"email\":\"" + email + "\"}}";

        var response = await Api.Partner.PostAsync("/v1/purchase-intents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await IntentApi.AssertErrorAsync(response, HttpStatusCode.BadRequest, $"Invalid JSON body at {field}");
        Assert.Equal(0, (await IntentApi.ReadAsync(await Api.Partner.GetAsync("/v1/purchase-intents"), HttpStatusCode.OK)).GetProperty("total_results").GetInt32());
    }
}
