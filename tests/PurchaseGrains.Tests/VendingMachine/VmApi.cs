using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>HTTP helpers for the vending machine routes of one silo.</summary>
public sealed class VmApi(TestSilo silo)
{
    public static readonly object[] StandardTiers =
    [
        new { id = "common", name = "Common", color = "#999", lower = 0m, upper = 9.99m, weight = 80m },
        new { id = "rare", name = "Rare", color = "#00f", lower = 10m, upper = 99.99m, weight = 18m },
        new { id = "epic", name = "Epic", color = "#f0f", lower = 100m, upper = 1000m, weight = 2m },
    ];

    public HttpClient Partner { get; } = silo.CreateClient(TestKeys.PartnerA);
    public HttpClient Admin { get; } = silo.CreateClient(TestKeys.AdminA);
    public HttpClient OtherPartner { get; } = silo.CreateClient(TestKeys.PartnerB);

    public async Task PutPackAsync(string packId, int maxPerMint = 10, bool enable = true, object[]? tiers = null,
        decimal buybackPercent = 0.8m)
    {
        var response = await Admin.PutAsJsonAsync($"/admin/v1/packs/{packId}", new
        {
            slug = $"{packId}-slug",
            platform = "mainnet",
            name = $"Pack {packId}",
            enable,
            description = "test pack",
            mint_price = 25m,
            max_per_mint = maxPerMint,
            categories = new[] { "test" },
            buyback_percent = buybackPercent,
            claw_image_url = "https://cdn.example.com/claw.png",
            rarity_distribution = tiers ?? StandardTiers,
        });
        await ExpectAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Adds cards <c>{prefix}-{i}</c> with the given fmvs; returns the number added.</summary>
    public async Task<int> AddCardsAsync(string packId, string prefix, params decimal[] fmvs)
    {
        var cards = fmvs.Select((fmv, i) => new
        {
            id = $"{prefix}-{i}",
            name = $"Card {prefix}-{i}",
            image = $"https://cdn.example.com/{prefix}-{i}.png",
            back_image = (string?)null,
            fmv,
            type = "enft",
            attributes = new[] { new { trait_type = "n", value = i } },
        }).ToArray();
        var response = await Admin.PostAsJsonAsync($"/admin/v1/packs/{packId}/cards", new { cards });
        var body = await ExpectAsync(response, HttpStatusCode.OK);
        return body["added"]!.GetValue<int>();
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> BuyAsync(string packId, int amount, string userId, HttpClient? client = null)
    {
        var response = await (client ?? Partner).PostAsJsonAsync("/api/v1/vm/buy/init", new { id = packId, amount, user_id = userId });
        return (response.StatusCode, await BodyAsync(response));
    }

    public async Task<string> BuyOkAsync(string packId, int amount, string userId)
    {
        var (status, body) = await BuyAsync(packId, amount, userId);
        Assert.True(status == HttpStatusCode.OK, $"buy/init answered {(int)status}: {body.ToJsonString()}");
        return body["session_id"]!.GetValue<string>();
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> StatusAsync(string sessionId, HttpClient? client = null)
    {
        var response = await (client ?? Partner).PostAsJsonAsync("/api/v1/vm/buy/status", new { session_id = sessionId });
        return (response.StatusCode, await BodyAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> BuybackAsync(string itemId, HttpClient? client = null)
    {
        var response = await (client ?? Partner).PostAsJsonAsync("/api/v1/vm/buyback", new { item_id = itemId });
        return (response.StatusCode, await BodyAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path, HttpClient? client = null)
    {
        var response = await (client ?? Partner).GetAsync(path);
        return (response.StatusCode, await BodyAsync(response));
    }

    public async Task<JsonObject> PackAsync(string packId)
    {
        var (status, body) = await GetAsync("/api/v1/vm/available?platform=mainnet");
        Assert.Equal(HttpStatusCode.OK, status);
        return body.AsArray().Single(p => p!["id"]!.GetValue<string>() == packId)!.AsObject();
    }

    public static async Task<JsonNode> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await BodyAsync(response);
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {body.ToJsonString()}");
        return body;
    }

    public static void AssertError(HttpStatusCode expectedStatus, string expectedMessage, (HttpStatusCode Status, JsonNode Body) actual)
    {
        Assert.Equal(expectedStatus, actual.Status);
        Assert.Equal(expectedMessage, actual.Body["error"]?.GetValue<string>());
    }
}
