using System.Net;
using System.Text.Json;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>List scenarios run on SQLite (<see cref="IntentListingQueryTests"/>) and PostgreSQL (<see cref="PurchaseIntentClusterTests"/>).</summary>
public static class IntentListingScenarios
{
    public static async Task<JsonElement> ListAsync(IntentApi api, string query) =>
        await IntentApi.ReadAsync(await api.Partner.GetAsync($"/v1/purchase-intents{query}"), HttpStatusCode.OK);

    public static List<string> Ids(JsonElement page) =>
        page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

    public static async Task EveryFilterNarrowsTheResultsAndTheTotal(IntentApi api)
    {
        var listing = await api.CreateListingAsync(IntentApi.ListingBody(quantity: 50));
        var other = await api.CreateListingAsync(IntentApi.ListingBody(quantity: 50, collectionId: "col-9"));
        var stripeEmail = (await api.CreateIntentAsync(IntentApi.Stripe(listing, email: "Ann@x.io"))).GetProperty("id").GetString()!;
        var stripeEth = (await api.CreateIntentAsync(IntentApi.Stripe(listing, email: null, eth: IntentApi.Eth))).GetProperty("id").GetString()!;
        var voucher = (await api.CreateIntentAsync(IntentApi.NoPayment("MINT_VOUCHER", other, eth: IntentApi.Eth))).GetProperty("id").GetString()!;
        var claim = (await api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", other, email: "bob@x.io"))).GetProperty("id").GetString()!;
        var cancelled = (await api.CreateIntentAsync(IntentApi.Stripe(listing, email: "cat@x.io"))).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await api.Partner.DeleteAsync($"/v1/purchase-intents/{cancelled}")).StatusCode);
        await api.WaitForIntentAsync(claim, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "claim fulfilled");
        await api.WaitForIntentAsync(voucher, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "voucher fulfilled");

        async Task Expect(string query, params string[] expected)
        {
            var page = await ListAsync(api, query);
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

    public static async Task TheCursorIsStableWhileNewIntentsArrive(IntentApi api)
    {
        var listing = await api.CreateListingAsync(IntentApi.ListingBody(quantity: 100));
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
            created.Add((await api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!);

        foreach (var direction in new[] { "DESC", "ASC" })
        {
            var first = await ListAsync(api, $"?limit=2&order_direction={direction}");
            Assert.True(first.GetProperty("has_more").GetBoolean());
            Assert.Equal(5 + (direction == "ASC" ? 1 : 0), first.GetProperty("total_results").GetInt64());

            var arrivedMeanwhile = (await api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
            var served = Ids(first);
            string? cursor = first.GetProperty("cursor").GetString();
            while (cursor is not null)
            {
                var next = await ListAsync(api, $"?limit=2&order_direction={direction}&cursor={cursor}");
                served.AddRange(Ids(next));
                cursor = next.GetProperty("cursor").ValueKind == JsonValueKind.Null ? null : next.GetProperty("cursor").GetString();
            }

            var expected = direction == "DESC" ? Enumerable.Reverse(created).ToList() : [.. created, arrivedMeanwhile];
            Assert.Equal(expected, served);
            created.Add(arrivedMeanwhile);
        }
    }
}
