using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Shipping;

/// <summary>HTTP helpers for the shipping routes of one silo, on top of <see cref="VmApi"/> for buying what ships.</summary>
public sealed class ShipApi(TestSilo silo)
{
    public VmApi Vm { get; } = new(silo);

    public HttpClient Partner => Vm.Partner;
    public HttpClient OtherPartner => Vm.OtherPartner;

    public static object Destination(string postalCode = "62701", string country = "US") => new
    {
        name = "Ada Lovelace",
        line1 = "1 Main St",
        line2 = "Apt 2",
        city = "Springfield",
        state = "IL",
        postal_code = postalCode,
        country,
        phone = "+1 555 0100",
        email = "ada@example.com",
    };

    /// <summary>A pack <paramref name="packId"/> with <paramref name="cards"/> cards, all bought by <paramref name="userId"/>; their ids.</summary>
    public async Task<List<string>> OwnedItemsAsync(string packId, int cards, string userId = "user-1")
    {
        await Vm.PutPackAsync(packId, maxPerMint: Math.Max(cards, 1));
        await Vm.AddCardsAsync(packId, packId, Enumerable.Range(1, cards).Select(i => (decimal)i).ToArray());
        var sessionId = await Vm.BuyOkAsync(packId, cards, userId);
        var (status, body) = await Vm.StatusAsync(sessionId);
        Assert.Equal(HttpStatusCode.OK, status);
        return body["result"]!["nfts"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).ToList();
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> QuoteAsync(IEnumerable<string> itemIds, object? destination = null,
        HttpClient? client = null) =>
        await PostAsync("/api/v1/ship/quote", new { item_ids = itemIds.ToArray(), destination = destination ?? Destination() }, client);

    /// <summary>A quote's first rate (standard): its quote id.</summary>
    public async Task<string> QuoteOkAsync(IEnumerable<string> itemIds, object? destination = null, HttpClient? client = null)
    {
        var (status, body) = await QuoteAsync(itemIds, destination, client);
        Assert.True(status == HttpStatusCode.OK, $"ship/quote answered {(int)status}: {body.ToJsonString()}");
        return body["quotes"]![0]!["id"]!.GetValue<string>();
    }

    public Task<(HttpStatusCode Status, JsonNode Body)> RequestAsync(string quoteId, HttpClient? client = null) =>
        PostAsync("/api/v1/ship/request", new { quote_id = quoteId }, client);

    public async Task<string> RequestOkAsync(string quoteId, HttpClient? client = null)
    {
        var (status, body) = await RequestAsync(quoteId, client);
        Assert.True(status == HttpStatusCode.OK, $"ship/request answered {(int)status}: {body.ToJsonString()}");
        return body["order_id"]!.GetValue<string>();
    }

    public async Task<string> OrderItemsAsync(IEnumerable<string> itemIds, object? destination = null) =>
        await RequestOkAsync(await QuoteOkAsync(itemIds, destination));

    public Task<(HttpStatusCode Status, JsonNode Body)> OrderAsync(string orderId, HttpClient? client = null) =>
        Vm.GetAsync($"/api/v1/ship/order/{orderId}", client);

    public async Task<string> OrderStatusAsync(string orderId)
    {
        var (status, body) = await OrderAsync(orderId);
        Assert.True(status == HttpStatusCode.OK, $"ship/order answered {(int)status}: {body.ToJsonString()}");
        return body["status"]!.GetValue<string>();
    }

    /// <summary>The item ids the user's inventory lists.</summary>
    public async Task<List<string>> InventoryAsync(string userId = "user-1")
    {
        var (status, body) = await Vm.GetAsync($"/api/v1/inventory/{userId}");
        Assert.Equal(HttpStatusCode.OK, status);
        return body["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).ToList();
    }

    private async Task<(HttpStatusCode, JsonNode)> PostAsync(string path, object body, HttpClient? client)
    {
        var response = await (client ?? Partner).PostAsJsonAsync(path, body);
        return (response.StatusCode, await VmApi.BodyAsync(response));
    }
}
