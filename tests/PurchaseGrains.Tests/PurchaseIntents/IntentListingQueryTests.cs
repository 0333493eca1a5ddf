using System.Net;
using System.Text.Json;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class IntentListingQueryTests : IAsyncLifetime
{
    private TestSilo _silo = null!;
    private IntentApi _api = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartSqliteAsync(settings: IntentApi.Settings());
        _api = new IntentApi(_silo);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _silo.DisposeAsync();
    }

    private async Task<JsonElement> ListAsync(string query) =>
        await IntentApi.ReadAsync(await _api.Partner.GetAsync($"/v1/purchase-intents{query}"), HttpStatusCode.OK);

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task EveryFilterNarrowsTheResultsAndTheTotal()
    {
        var listing = await _api.CreateListingAsync(IntentApi.ListingBody(quantity: 50));
        var other = await _api.CreateListingAsync(IntentApi.ListingBody(quantity: 50, collectionId: "col-9"));
        var stripeEmail = (await _api.CreateIntentAsync(IntentApi.Stripe(listing, email: "Ann@x.io"))).GetProperty("id").GetString()!;
        var stripeEth = (await _api.CreateIntentAsync(IntentApi.Stripe(listing, email: null, eth: IntentApi.Eth))).GetProperty("id").GetString()!;
        var voucher = (await _api.CreateIntentAsync(IntentApi.NoPayment("MINT_VOUCHER", other, eth: IntentApi.Eth))).GetProperty("id").GetString()!;
        var claim = (await _api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", other, email: "bob@x.io"))).GetProperty("id").GetString()!;
        var cancelled = (await _api.CreateIntentAsync(IntentApi.Stripe(listing, email: "cat@x.io"))).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Partner.DeleteAsync($"/v1/purchase-intents/{cancelled}")).StatusCode);
        await _api.WaitForIntentAsync(claim, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "claim fulfilled");
        await _api.WaitForIntentAsync(voucher, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "voucher fulfilled");

        async Task Expect(string query, params string[] expected)
        {
            var page = await ListAsync(query);
            Assert.Equal(expected.Order(), Ids(page).Order());
            Assert.Equal(expected.Length, page.GetProperty("total_results").GetInt64());
        }

        await Expect("", stripeEmail, stripeEth, voucher, claim, cancelled);
        await Expect($"?listing_id={listing}", stripeEmail, stripeEth, cancelled);
        await Expect("?item_id=item-1", stripeEmail, stripeEth, cancelled);
        await Expect("?collection_id=col-9", voucher, claim);
        await Expect("?status=PENDING", stripeEmail, stripeEth);
        await Expect("?status=CANCELLED", cancelled);
        await Expect("?email=ann@X.io", stripeEmail);
        await Expect($"?eth_address={IntentApi.Eth.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}", stripeEth, voucher);
        await Expect("?payment_provider=STRIPE,%20MINT_VOUCHER&status=PENDING", stripeEmail, stripeEth);
        await Expect("?payment_provider=MINT_VOUCHER&payment_provider=EMAIL_CLAIM", voucher, claim);
        await Expect("?fulfillment_status=COMPLETED", voucher, claim);
        await Expect("?fulfillment_method=TRANSFER,VOUCHER", stripeEth, voucher);
        await Expect($"?listing_id={listing}&fulfillment_method=EMAIL", stripeEmail, cancelled);
    }

    [Fact]
    public async Task ResultsAreFullIntentsNewestFirstByDefault()
    {
        var listing = await _api.CreateListingAsync();
        var first = (await _api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        var second = (await _api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;

        var page = await ListAsync("");
        Assert.Equal([second, first], Ids(page));
        Assert.False(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("cursor").ValueKind);
        var result = page.GetProperty("results")[0];
        Assert.Equal(JsonSerializer.Serialize(await _api.GetIntentAsync(second)), JsonSerializer.Serialize(result));
        Assert.Equal([first, second], Ids(await ListAsync("?order_direction=ASC")));
    }

    [Fact]
    public async Task TheCursorIsStableWhileNewIntentsArrive()
    {
        var listing = await _api.CreateListingAsync(IntentApi.ListingBody(quantity: 100));
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
            created.Add((await _api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!);

        foreach (var direction in new[] { "DESC", "ASC" })
        {
            var first = await ListAsync($"?limit=2&order_direction={direction}");
            Assert.True(first.GetProperty("has_more").GetBoolean());
            Assert.Equal(5 + (direction == "ASC" ? 1 : 0), first.GetProperty("total_results").GetInt64());

            var arrivedMeanwhile = (await _api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
            var served = Ids(first);
            string? cursor = first.GetProperty("cursor").GetString();
            while (cursor is not null)
            {
                var next = await ListAsync($"?limit=2&order_direction={direction}&cursor={cursor}");
                served.AddRange(Ids(next));
                cursor = next.GetProperty("cursor").ValueKind == JsonValueKind.Null ? null : next.GetProperty("cursor").GetString();
            }

            var expected = direction == "DESC" ? Enumerable.Reverse(created).ToList() : [.. created, arrivedMeanwhile];
            Assert.Equal(expected, served);
            created.Add(arrivedMeanwhile);
        }
    }

    [Theory]
    [InlineData("?status=PAID", "Unknown status 'PAID'; accepted values: PENDING, CONFIRMED, EXPIRED, CANCELLED, UNRESOLVED")]
    [InlineData("?payment_provider=STRIPE,%20PAYPAL", "Unknown payment_provider 'PAYPAL'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION")]
    [InlineData("?limit=0", "limit must be an integer between 1 and 100")]
    [InlineData("?limit=abc", "limit must be an integer between 1 and 100")]
    [InlineData("?order_direction=sideways", "order_direction must be ASC or DESC")]
    [InlineData("?cursor=garbage!", "Invalid cursor")]
    public async Task BadQueryValuesAre400(string query, string error) =>
        await IntentApi.AssertErrorAsync(await _api.Partner.GetAsync($"/v1/purchase-intents{query}"), HttpStatusCode.BadRequest, error);
}
