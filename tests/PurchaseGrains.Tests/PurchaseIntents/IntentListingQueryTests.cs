using System.Net;
using System.Text.Json;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class IntentListingQueryTests : IntentSiloTest
{
    private Task<JsonElement> ListAsync(string query) => IntentListingScenarios.ListAsync(Api, query);

    private static List<string> Ids(JsonElement page) => IntentListingScenarios.Ids(page);

    [Fact]
    public Task EveryFilterNarrowsTheResultsAndTheTotal() => IntentListingScenarios.EveryFilterNarrowsTheResultsAndTheTotal(Api);

    [Fact]
    public async Task ResultsAreFullIntentsNewestFirstByDefault()
    {
        var listing = await Api.CreateListingAsync();
        var first = (await Api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        var second = (await Api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;

        var page = await ListAsync("");
        Assert.Equal([second, first], Ids(page));
        Assert.False(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("cursor").ValueKind);
        var result = page.GetProperty("results")[0];
        Assert.Equal(JsonSerializer.Serialize(await Api.GetIntentAsync(second)), JsonSerializer.Serialize(result));
        Assert.Equal([first, second], Ids(await ListAsync("?order_direction=ASC")));
    }

    [Fact]
    public Task TheCursorIsStableWhileNewIntentsArrive() => IntentListingScenarios.TheCursorIsStableWhileNewIntentsArrive(Api);

    [Theory]
    [InlineData("?status=PAID", "Unknown status 'PAID'; accepted values: PENDING, CONFIRMED, EXPIRED, CANCELLED, UNRESOLVED")]
    [InlineData("?payment_provider=STRIPE,%20PAYPAL", "Unknown payment_provider 'PAYPAL'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION")]
    [InlineData("?status=confirmed", "Unknown status 'confirmed'; accepted values: PENDING, CONFIRMED, EXPIRED, CANCELLED, UNRESOLVED")]
    [InlineData("?payment_provider=,,", "Unknown payment_provider ''; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION")]
    [InlineData("?eth_address=nothex", "eth_address must be 0x followed by 40 hex digits")]
    [InlineData("?email=not-an-email", "email is not a valid email address")]
    [InlineData("?limit=0", "limit must be an integer between 1 and 100")]
    [InlineData("?limit=abc", "limit must be an integer between 1 and 100")]
    [InlineData("?order_direction=sideways", "order_direction must be ASC or DESC")]
    [InlineData("?cursor=garbage!", "Invalid cursor")]
    public async Task BadQueryValuesAre400(string query, string error) =>
        await IntentApi.AssertErrorAsync(await Api.Partner.GetAsync($"/v1/purchase-intents{query}"), HttpStatusCode.BadRequest, error);
}
