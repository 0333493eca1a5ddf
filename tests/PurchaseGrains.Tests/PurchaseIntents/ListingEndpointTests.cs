using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class ListingEndpointTests : IntentSiloTest
{
    [Fact]
    public async Task AnAdminCreatesAListingAndGetsItBack()
    {
        var response = await Api.Admin.PostAsJsonAsync("/v1/listings", IntentApi.ListingBody(quantity: 7,
            policy: new { type = "ALLOW_LIST", email_addresses = new[] { "A@x.io" }, max_per_user = 2, payment_session_duration = new { timeout_seconds = 60 } }));

        var created = await IntentApi.ReadAsync(response, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/listings/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("item-1", created.GetProperty("item_id").GetString());
        Assert.Equal(7, created.GetProperty("quantity_listed").GetInt64());
        Assert.Equal(7, created.GetProperty("quantity_remaining").GetInt64());
        Assert.Equal("2500", created.GetProperty("price").GetString());
        Assert.Equal("USD", created.GetProperty("currency").GetString());
        Assert.Equal("ACTIVE", created.GetProperty("status").GetString());
        Assert.Equal("ALLOW_LIST", created.GetProperty("policy").GetProperty("type").GetString());
        Assert.Equal(["a@x.io"], created.GetProperty("policy").GetProperty("email_addresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(60, created.GetProperty("policy").GetProperty("payment_session_duration").GetProperty("timeout_seconds").GetInt32());
        Assert.True(created.TryGetProperty("created_at", out _));

        var fetched = await IntentApi.ReadAsync(await Api.Partner.GetAsync($"/v1/listings/{id}"), HttpStatusCode.OK);
        Assert.Equal(id, fetched.GetProperty("id").GetString());
    }

    [Fact]
    public async Task APartnerKeyCannotCreateOrPatchListings()
    {
        await IntentApi.AssertErrorAsync(await Api.Partner.PostAsJsonAsync("/v1/listings", IntentApi.ListingBody()),
            HttpStatusCode.Forbidden, "This route needs an admin API key");
        var id = await Api.CreateListingAsync();
        await IntentApi.AssertErrorAsync(await Api.Partner.PatchAsJsonAsync($"/v1/listings/{id}", new { end_time = DateTimeOffset.UtcNow.AddDays(1) }),
            HttpStatusCode.Forbidden, "This route needs an admin API key");
    }

    [Fact]
    public async Task InvalidListingsAreRefusedWithTheReason()
    {
        var both = new { item_id = "i", collection_id = "c", quantity_listed = 1, price = "1", currency = "USD", payment_providers = new[] { "STRIPE" } };
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsJsonAsync("/v1/listings", both), HttpStatusCode.BadRequest,
            "Exactly one of item_id or collection_id is required");
        var badProvider = new { item_id = "i", quantity_listed = 1, price = "1", currency = "USD", payment_providers = new[] { "PAYPAL" } };
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsJsonAsync("/v1/listings", badProvider), HttpStatusCode.BadRequest,
            "Unknown payment provider 'PAYPAL'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION");
        var numericPrice = new StringContent("""{"item_id":"i","quantity_listed":1,"price":25,"currency":"USD","payment_providers":["STRIPE"]}""", Encoding.UTF8, "application/json");
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsync("/v1/listings", numericPrice), HttpStatusCode.BadRequest, "Invalid JSON body at $.price");
    }

    [Theory]
    [InlineData("""{"item_id":"i","quantity_listed":1,"price":"0","currency":"USD","payment_providers":["STRIPE"]}""",
        "price must be at least 1 for STRIPE: a card payment of 0 cannot be taken")]
    [InlineData("""{"item_id":"i","quantity_listed":1,"price":"1","currency":"usd","payment_providers":["STRIPE"]}""",
        "currency must be one of USD, EUR, ETH")]
    [InlineData("""{"item_id":"i","quantity_listed":1,"price":"1","currency":"USD","payment_providers":["stripe"]}""",
        "Unknown payment provider 'stripe'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION")]
    [InlineData("""{"item_id":"i","quantity_listed":1,"price":"1","currency":"USD","payment_providers":["STRIPE"],"start_time":"9999-12-31T00:00:00Z"}""",
        "start_time must be before 2100-01-01T00:00:00Z")]
    [InlineData("""{"item_id":"i","quantity_listed":1,"price":"1","currency":"USD","payment_providers":["STRIPE"],"end_time":"9999-12-31T00:00:00Z"}""",
        "end_time must be before 2100-01-01T00:00:00Z")]
    public async Task ValuesOutsideTheContractAreRefusedNamingWhatIsAccepted(string body, string error) =>
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsync("/v1/listings", new StringContent(body, Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, error);

    [Fact]
    public async Task AnOverlongItemIdIsRefusedWithItsLimit() =>
        await IntentApi.AssertErrorAsync(await Api.Admin.PostAsJsonAsync("/v1/listings", new { item_id = new string('i', 201), quantity_listed = 1,
            price = "1", currency = "USD", payment_providers = new[] { "STRIPE" } }), HttpStatusCode.BadRequest, "item_id must be at most 200 characters");

    [Fact]
    public async Task ALowerCaseProviderOnAnIntentIsRefusedNamingTheAcceptedValues()
    {
        var listing = await Api.CreateListingAsync();
        await IntentApi.AssertErrorAsync(await Api.PostIntentAsync(IntentApi.NoPayment("stripe", listing, email: "b@example.com")),
            HttpStatusCode.BadRequest, "Unknown provider 'stripe'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION");
    }

    [Fact]
    public async Task PatchChangesOnlyPolicyAndWindow()
    {
        var id = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", max_per_user = 2 }));
        var end = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var patched = await IntentApi.ReadAsync(await Api.Admin.PatchAsJsonAsync($"/v1/listings/{id}",
            new { policy = new { max_per_user = 3 }, end_time = end }), HttpStatusCode.OK);
        Assert.Equal(3, patched.GetProperty("policy").GetProperty("max_per_user").GetInt32());
        Assert.Equal("FCFS", patched.GetProperty("policy").GetProperty("type").GetString());
        Assert.Equal(end, patched.GetProperty("end_time").GetDateTimeOffset());

        await IntentApi.AssertErrorAsync(await Api.Admin.PatchAsJsonAsync($"/v1/listings/{id}", new { quantity_listed = 99 }),
            HttpStatusCode.BadRequest, "Only policy, start_time and end_time can be changed");
        await IntentApi.AssertErrorAsync(await Api.Admin.PatchAsJsonAsync($"/v1/listings/{id}", new { policy = new { type = "ALLOW_LIST" } }),
            HttpStatusCode.BadRequest, "The policy type cannot be changed");
    }

    [Fact]
    public async Task APatchedPolicyAppliesToTheNextIntentAlthoughThisNodeKnewTheOldTerms()
    {
        var id = await Api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "ALLOW_LIST", email_addresses = new[] { "a@x.io" } }));
        await Api.CreateIntentAsync(IntentApi.Stripe(id, email: "a@x.io"));

        Assert.Equal(HttpStatusCode.OK, (await Api.Admin.PatchAsJsonAsync($"/v1/listings/{id}", new
        {
            policy = new { email_addresses = new[] { "a@x.io", "b@x.io" }, payment_session_duration = new { timeout_seconds = 30 } },
        })).StatusCode);
        var before = DateTimeOffset.UtcNow;
        var created = await Api.CreateIntentAsync(IntentApi.Stripe(id, email: "b@x.io"));

        var expiresAt = created.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddSeconds(29), DateTimeOffset.UtcNow.AddSeconds(31));
        var intent = created.GetProperty("id").GetString()!;
        Assert.Equal([IntentReminder.For(id, expiresAt).Name], await Api.ReminderNamesAsync(intent));
    }

    [Fact]
    public async Task AnotherPartnersListingDoesNotExist()
    {
        var id = await Api.CreateListingAsync();

        await IntentApi.AssertErrorAsync(await Api.OtherAdmin.GetAsync($"/v1/listings/{id}"), HttpStatusCode.NotFound, "Listing not found");
        await IntentApi.AssertErrorAsync(await Api.OtherAdmin.PatchAsJsonAsync($"/v1/listings/{id}", new { end_time = (DateTimeOffset?)null }),
            HttpStatusCode.NotFound, "Listing not found");
        var list = await IntentApi.ReadAsync(await Api.OtherAdmin.GetAsync("/v1/listings"), HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total_results").GetInt64());
        Assert.Empty(list.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task ListingsArePagedLikeIntents()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await Api.CreateListingAsync());

        var first = await IntentApi.ReadAsync(await Api.Partner.GetAsync("/v1/listings?limit=2"), HttpStatusCode.OK);
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(3, first.GetProperty("total_results").GetInt64());
        var cursor = first.GetProperty("cursor").GetString();
        var second = await IntentApi.ReadAsync(await Api.Partner.GetAsync($"/v1/listings?limit=2&cursor={cursor}"), HttpStatusCode.OK);
        Assert.False(second.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKindNull, second.GetProperty("cursor").ValueKind);

        var served = first.GetProperty("results").EnumerateArray().Concat(second.GetProperty("results").EnumerateArray())
            .Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(Enumerable.Reverse(ids), served);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheListingAndIntentRoutes()
    {
        var document = await Api.Anonymous.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/v1/listings", "/v1/listings/{id}", "/v1/purchase-intents", "/v1/purchase-intents/{id}", "/v1/webhooks/stripe",
                     "/sandbox/v1/payment-intents/{id}/succeed", "/sandbox/v1/payment-intents/{id}/fail" })
            Assert.Contains($"\"{path}\"", document);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Theory]
    [InlineData("""{"start_time":"\ud800"}""")]
    [InlineData("""{"end_time":"\udfff\ud800"}""")]
    [InlineData("""{"policy":{"type":"\ud800"}}""")]
    [InlineData("""{"policy":{"email_addresses":["a\u0000@example.com"]}}""")]
    public async Task APatchWithALoneSurrogateOrANulIsInvalidJsonAndChangesNothing(string body)
    {
        var id = await Api.CreateListingAsync();
        var before = await (await Api.Admin.GetAsync($"/v1/listings/{id}")).Content.ReadAsStringAsync();

        var response = await Api.Admin.PatchAsync($"/v1/listings/{id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await IntentApi.AssertErrorAsync(response, System.Net.HttpStatusCode.BadRequest, "Invalid JSON body");
        Assert.Equal(before, await (await Api.Admin.GetAsync($"/v1/listings/{id}")).Content.ReadAsStringAsync());
    }
}
