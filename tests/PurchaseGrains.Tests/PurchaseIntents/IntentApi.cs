using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>HTTP helpers for the listing and purchase-intent routes of one silo.</summary>
public sealed class IntentApi(TestSilo silo) : IDisposable
{
    public const string WebhookSecret = "whsec_test";
    public const string Eth = "0xa99D7eD4bB4E3EEFed18a0269bE46Aa8c49Ab165";

    /// <summary>Short durations so tests stay fast; polling is slow by default so webhook tests see no poll.</summary>
    public static Dictionary<string, string?> Settings(TimeSpan? pollInterval = null) => new()
    {
        ["Payments:Stripe:WebhookSecret"] = WebhookSecret,
        ["PurchaseIntents:PaymentPollInterval"] = (pollInterval ?? TimeSpan.FromMinutes(10)).ToString("c"),
        ["PurchaseIntents:FulfillmentRetryDelay"] = "00:00:00.100",
    };

    public HttpClient Admin { get; } = silo.CreateClient(TestKeys.AdminA);
    public HttpClient Partner { get; } = silo.CreateClient(TestKeys.PartnerA);
    public HttpClient OtherAdmin { get; } = silo.CreateClient(TestKeys.AdminB);
    public HttpClient Anonymous { get; } = silo.CreateClient(apiKey: null);

    public static object ListingBody(long quantity = 10, string[]? providers = null, int maxPerTx = 5, object? policy = null,
        DateTimeOffset? start = null, DateTimeOffset? end = null, string? collectionId = null) => new Dictionary<string, object?>
    {
        [collectionId is null ? "item_id" : "collection_id"] = collectionId ?? "item-1",
        ["quantity_listed"] = quantity,
        ["price"] = "2500",
        ["currency"] = "USD",
        ["payment_providers"] = providers ?? ["STRIPE", "EMAIL_CLAIM", "MINT_VOUCHER", "ORGANIZATION"],
        ["max_quantity_per_tx"] = maxPerTx,
        ["policy"] = policy ?? new { type = "FCFS" },
        ["start_time"] = start,
        ["end_time"] = end,
    };

    public async Task<string> CreateListingAsync(object? body = null)
    {
        var response = await Admin.PostAsJsonAsync("/v1/listings", body ?? ListingBody());
        var json = await ReadAsync(response, HttpStatusCode.Created);
        return json.GetProperty("id").GetString()!;
    }

    public static object Stripe(string listingId, int quantity = 1, string? email = "buyer@example.com", string? eth = null) =>
        new { provider = "STRIPE", listing_id = listingId, quantity, buyer = new { email, eth_address = eth } };

    public static object NoPayment(string provider, string listingId, int quantity = 1, string? email = null, string? eth = null) =>
        new { provider, listing_id = listingId, quantity, buyer = new { email, eth_address = eth } };

    public Task<HttpResponseMessage> PostIntentAsync(object body, HttpClient? client = null) =>
        (client ?? Partner).PostAsJsonAsync("/v1/purchase-intents", body);

    public async Task<JsonElement> CreateIntentAsync(object body, HttpClient? client = null) =>
        await ReadAsync(await PostIntentAsync(body, client), HttpStatusCode.Created);

    public async Task<JsonElement> GetIntentAsync(string id, HttpClient? client = null) =>
        await ReadAsync(await (client ?? Partner).GetAsync($"/v1/purchase-intents/{id}"), HttpStatusCode.OK);

    /// <summary><c>total_results</c> of <c>GET /v1/purchase-intents?{filter}</c> (reads index rows only, never grain state).</summary>
    public async Task<long> TotalResultsAsync(string filter) =>
        (await ReadAsync(await Partner.GetAsync($"/v1/purchase-intents?{filter}&limit=1"), HttpStatusCode.OK)).GetProperty("total_results").GetInt64();

    public async Task<JsonElement> WaitForIntentAsync(string id, Func<JsonElement, bool> condition, string waitingFor, TimeSpan? timeout = null)
    {
        JsonElement last = default;
        await Eventually.TrueAsync(async () => condition(last = await GetIntentAsync(id)), timeout ?? TimeSpan.FromSeconds(10),
            $"intent {id} to reach {waitingFor}");
        return last;
    }

    public Task<ListingCounters> CountersAsync(string listingId) => silo.Grains.GetGrain<IListingGrain>(listingId).GetCounters();

    /// <summary>The names of the intent's reminders, as Orleans' reminder table holds them.</summary>
    public async Task<IReadOnlyList<string>> ReminderNamesAsync(string intentId)
    {
        var table = silo.Services.GetRequiredService<Orleans.IReminderTable>();
        var rows = await table.ReadRows(Orleans.Runtime.GrainId.Create("purchase_intent", intentId));
        return rows.Reminders.Select(r => r.ReminderName).ToList();
    }

    public async Task<HttpResponseMessage> SendWebhookAsync(string type, string paymentIntentId, string? intentId, string? eventId = null,
        DateTimeOffset? signedAt = null, string secret = WebhookSecret, Func<string, string>? tamper = null)
    {
        var payload = JsonSerializer.Serialize(new
        {
            id = eventId ?? $"evt_{Guid.NewGuid():N}",
            @object = "event",
            type,
            data = new { @object = new { id = paymentIntentId, @object = "payment_intent", metadata = intentId is null ? null : new Dictionary<string, string> { ["purchase_intent_id"] = intentId } } },
        });
        var bytes = Encoding.UTF8.GetBytes(payload);
        var header = StripeSignature.Header(bytes, secret, signedAt ?? DateTimeOffset.UtcNow);
        var sent = tamper is null ? bytes : Encoding.UTF8.GetBytes(tamper(payload));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/stripe") { Content = new ByteArrayContent(sent) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Stripe-Signature", header);
        return await Anonymous.SendAsync(request);
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var json = await ReadAsync(response, status);
        Assert.Equal(error, json.GetProperty("error").GetString());
    }

    public void Dispose()
    {
        Admin.Dispose();
        Partner.Dispose();
        OtherAdmin.Dispose();
        Anonymous.Dispose();
    }
}
