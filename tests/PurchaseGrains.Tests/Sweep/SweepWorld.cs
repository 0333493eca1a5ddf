using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Sweep;

/// <summary>What one partner owns in the sweep's world; the other partner probes these ids.</summary>
public sealed record PartnerWorld(string Partner, string UserId, string SessionId, string SoldItemId, string ListingId,
    string PendingIntentId, string PaymentIntentId, string CancelledIntentId, string QuoteId, string OrderId);

/// <summary>
/// The state the sweep runs against: two packs (one disabled), cards bought by a user of each partner, a listing per
/// partner with a pending and a cancelled intent, a shipping order of the user's second card from a quote. Nothing in it
/// changes by itself while the sweep runs (sandbox fulfilment is synchronous, intents expire in an hour, payment polling
/// every ten minutes, the sandbox carrier moves after hours).
/// </summary>
public sealed class SweepWorld
{
    public const string Pack = "sweep-pack";
    public const string DisabledPack = "sweep-off";
    public const int MaxPerMint = 5;
    public const int CardCount = 24;
    public const string WebhookSecret = "whsec_sweep";

    public required PartnerWorld A { get; init; }
    public required PartnerWorld B { get; init; }

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Payments:Stripe:WebhookSecret"] = WebhookSecret,
        ["PurchaseIntents:PaymentPollInterval"] = "00:10:00",
        ["Vm:StatusPollWindow"] = "00:00:01",
        ["Shipping:Sandbox:ProcessingAfter"] = "10:00:00",
        ["Shipping:Sandbox:ShippedAfter"] = "20:00:00",
        ["Shipping:Sandbox:DeliveredAfter"] = "30:00:00",
    };

    public const string Destination =
        "{\"name\":\"Ada\",\"line1\":\"1 Main St\",\"city\":\"Springfield\",\"postal_code\":\"62701\",\"country\":\"US\"}";

    public static async Task<SweepWorld> CreateAsync(TestSilo silo)
    {
        using var adminA = silo.CreateClient(TestKeys.AdminA);
        await PutPackAsync(adminA, Pack, enable: true);
        await PutPackAsync(adminA, DisabledPack, enable: false);
        await AddCardsAsync(adminA, Pack, "sweep-card", CardCount);
        await AddCardsAsync(adminA, DisabledPack, "sweep-off-card", 3);
        return new SweepWorld
        {
            A = await PartnerAsync(silo, "a", TestKeys.PartnerA, TestKeys.AdminA, "alice"),
            B = await PartnerAsync(silo, "b", TestKeys.PartnerB, TestKeys.AdminB, "bob"),
        };
    }

    private static async Task<PartnerWorld> PartnerAsync(TestSilo silo, string partner, string partnerKey, string adminKey, string user)
    {
        using var client = silo.CreateClient(partnerKey);
        using var admin = silo.CreateClient(adminKey);
        var bought = await ReadAsync(await client.PostAsJsonAsync("/api/v1/vm/buy/init", new { id = Pack, amount = 2, user_id = user }));
        var listing = await ReadAsync(await admin.PostAsJsonAsync("/v1/listings", new
        {
            item_id = $"sweep-item-{partner}",
            quantity_listed = 20,
            price = "2500",
            currency = "USD",
            payment_providers = new[] { "STRIPE", "EMAIL_CLAIM", "MINT_VOUCHER" },
            max_quantity_per_tx = 5,
            policy = new { type = "FCFS", max_per_user = 10, payment_session_duration = new { timeout_seconds = 3600 } },
        }));
        var listingId = listing.GetProperty("id").GetString()!;
        var pending = await ReadAsync(await client.PostAsJsonAsync("/v1/purchase-intents",
            new { provider = "STRIPE", listing_id = listingId, quantity = 2, buyer = new { email = $"{user}@example.com" } }));
        var cancelled = await ReadAsync(await client.PostAsJsonAsync("/v1/purchase-intents",
            new { provider = "STRIPE", listing_id = listingId, quantity = 1, buyer = new { email = $"{user}+2@example.com" } }));
        var cancelledId = cancelled.GetProperty("id").GetString()!;
        var cancel = await client.DeleteAsync($"/v1/purchase-intents/{cancelledId}");
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        var shipped = bought.GetProperty("nfts")[1].GetProperty("id").GetString()!;
        var quote = await ReadAsync(await client.PostAsync("/api/v1/ship/quote", Json($"{{\"item_ids\":[\"{shipped}\"],\"destination\":{Destination}}}")));
        var quoteId = quote.GetProperty("quotes")[0].GetProperty("id").GetString()!;
        var order = await ReadAsync(await client.PostAsJsonAsync("/api/v1/ship/request", new { quote_id = quoteId }));
        return new PartnerWorld(partner, user, bought.GetProperty("session_id").GetString()!,
            bought.GetProperty("nfts")[0].GetProperty("id").GetString()!, listingId, pending.GetProperty("id").GetString()!,
            pending.GetProperty("data").GetProperty("id").GetString()!, cancelledId, quoteId, order.GetProperty("order_id").GetString()!);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task PutPackAsync(HttpClient admin, string id, bool enable) =>
        await ReadAsync(await admin.PutAsJsonAsync($"/admin/v1/packs/{id}", new
        {
            slug = $"{id}-slug",
            platform = "mainnet",
            name = $"Pack {id}",
            enable,
            mint_price = 25m,
            max_per_mint = MaxPerMint,
            categories = new[] { "sweep" },
            buyback_percent = 0.8m,
            rarity_distribution = new[] { new { id = "common", name = "Common", color = "#999", lower = 0m, upper = 1000m, weight = 1m } },
        }));

    private static async Task AddCardsAsync(HttpClient admin, string pack, string prefix, int count)
    {
        var cards = Enumerable.Range(0, count).Select(i => new { id = $"{prefix}-{i}", name = $"Card {i}", fmv = 1m + i, type = "enft" });
        await ReadAsync(await admin.PostAsJsonAsync($"/admin/v1/packs/{pack}/cards", new { cards }));
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Setting up the sweep's world: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Everything the API shows of the world, as partner a and as partner b: packs with in_stock, recent pulls,
    /// inventories, cards, listings with their quantities, intents with their totals. Keyed by what was asked.
    /// </summary>
    public async Task<SortedDictionary<string, string>> SnapshotAsync(TestSilo silo)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, key) in new[] { ("a", TestKeys.AdminA), ("b", TestKeys.AdminB) })
        {
            using var client = silo.CreateClient(key);
            var paths = new List<string>
            {
                "/api/v1/vm/available", "/api/v1/vm/recent-pulls?limit=100", $"/api/v1/inventory/{A.UserId}",
                $"/api/v1/inventory/{B.UserId}", "/v1/listings?limit=100", "/v1/purchase-intents?limit=100",
                "/v1/purchase-intents?limit=100&status=PENDING", $"/v1/listings/{A.ListingId}", $"/v1/listings/{B.ListingId}",
                $"/v1/purchase-intents/{A.PendingIntentId}", $"/v1/purchase-intents/{B.PendingIntentId}",
                $"/api/v1/ship/order/{A.OrderId}", $"/api/v1/ship/order/{B.OrderId}",
            };
            paths.AddRange(Enumerable.Range(0, CardCount).Select(i => $"/api/v1/card/sweep-card-{i}"));
            foreach (var path in paths)
            {
                var response = await client.GetAsync(path);
                snapshot[$"{name} GET {path}"] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
        }
        return snapshot;
    }

    /// <summary>The entries that differ between two snapshots, for the failure message.</summary>
    public static IReadOnlyList<string> Differences(SortedDictionary<string, string> before, SortedDictionary<string, string> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Select(k => $"{k}\n    before: {SweepRequest.Shorten(before.GetValueOrDefault(k) ?? "(none)", 600)}" +
                         $"\n    after:  {SweepRequest.Shorten(after.GetValueOrDefault(k) ?? "(none)", 600)}")
            .ToList();
}
