using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PurchaseGrains.Grains.Payments;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// A steady mix of client loops through nginx, recording every answer in a <see cref="ClientRecord"/>: buyers
/// (buy/init + buy/status), a buyback seller, intent makers that then pay by signed webhook, by the sandbox (found by
/// the intent's poll), fail payments, cancel, or let the intent expire, and a reader (listings, intents, inventories,
/// packs, recent pulls). Requests go through <see cref="LoadClient"/>, which retries what may be retried. Uses the Development keys and webhook secret that infra/cluster gives the silos.
/// </summary>
public sealed class MixedLoad : IAsyncDisposable
{
    public const string PackId = "faults";
    public const string Partner = "dev";
    private const string PartnerKey = "dev-partner-key";
    private const string AdminKey = "dev-admin-key";
    private const string WebhookSecret = "whsec_dev";
    private const int SetUpBatchesAtOnce = 3;

    private readonly LoadClient _client;
    private readonly TimeSpan _sessionDeadline;
    private readonly List<string> _listings = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _sellable = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _intentIds = new();
    private readonly List<Task> _loops = [];
    private CancellationTokenSource? _stop;

    /// <param name="sessionDeadline">The silos' <c>Fulfillment:Deadline</c>: a session's deadline is its creation plus this.</param>
    public MixedLoad(Uri entry, TimeSpan sessionDeadline)
    {
        _sessionDeadline = sessionDeadline;
        _client = new LoadClient(entry, Record);
    }

    public ClientRecord Record { get; } = new();

    /// <summary>
    /// The pack, topped up to <paramref name="cards"/> cards in stock (new ids from <paramref name="firstCard"/>: a drill
    /// on a cluster an earlier drill used finds the cards that drill left), and two new listings whose intents expire
    /// after <paramref name="intentTimeout"/>. Returns how many cards it added.
    /// </summary>
    public async Task<int> SetUpAsync(int firstCard, int cards, TimeSpan intentTimeout)
    {
        var pack = await _client.SendAsync("setup", HttpMethod.Put, $"/admin/v1/packs/{PackId}", AdminKey, new
        {
            slug = "faults", platform = "mainnet", name = "Fault drill", enable = true, description = "fault tests", mint_price = 25m,
            max_per_mint = 5, categories = new[] { "test" }, buyback_percent = 0.8m, claw_image_url = "https://cdn.example.com/claw.png",
            rarity_distribution = new object[]
            {
                new { id = "common", name = "Common", color = "#999", lower = 0m, upper = 9.99m, weight = 80m },
                new { id = "rare", name = "Rare", color = "#00f", lower = 10m, upper = 1000m, weight = 20m },
            },
        });
        Require(pack, 200);
        var inStock = (int)pack.Body!["in_stock"]!.GetValue<long>();
        var adding = Math.Max(0, cards - inStock);
        // Batches in parallel, nginx spreading them over the silos, but a few at a time: all ten at once made each take
        // longer than nginx's 30 s read timeout on the AzureStorage profile of a loaded machine (a 504, then retried).
        var batches = new ParallelOptions { MaxDegreeOfParallelism = SetUpBatchesAtOnce };
        await Parallel.ForEachAsync(Enumerable.Range(0, (adding + 199) / 200), batches, async (b, _) =>
        {
            var batch = Enumerable.Range(firstCard + b * 200, Math.Min(200, adding - b * 200)).Select(i => new
            {
                id = $"fault-card-{i}", name = $"Fault card {i}", image = $"https://cdn.example.com/f{i}.png", back_image = (string?)null,
                fmv = i % 5 == 0 ? 10m + i % 90 : 1m + i % 9, type = "enft",
            }).ToArray();
            Require(await _client.SendAsync("setup", HttpMethod.Post, $"/admin/v1/packs/{PackId}/cards", AdminKey, new { cards = batch }), 200);
        });
        for (var i = 0; i < 2; i++)
        {
            var listing = await _client.SendAsync("setup", HttpMethod.Post, "/v1/listings", AdminKey, new
            {
                item_id = $"fault-item-{i}", quantity_listed = 100_000, price = "2500", currency = "USD",
                payment_providers = new[] { "STRIPE", "EMAIL_CLAIM" }, max_quantity_per_tx = 3,
                policy = new { type = "FCFS", payment_session_duration = new { timeout_seconds = (int)intentTimeout.TotalSeconds } },
            });
            Require(listing, 201);
            _listings.Add(listing.Body!["id"]!.GetValue<string>());
        }
        return adding;
    }

    public void Start()
    {
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loops.Add(Loop(token, BuyAsync));
        _loops.Add(Loop(token, BuyAsync));
        _loops.Add(Loop(token, BuybackAsync));
        _loops.Add(Loop(token, IntentAsync));
        _loops.Add(Loop(token, IntentAsync));
        _loops.Add(Loop(token, ReadAsync));
    }

    public async Task StopAsync()
    {
        if (_stop is null)
            return;
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
        _stop = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
    }

    /// <summary>One buy/init, then one buy/status for the session; delivered items become sellable.</summary>
    private async Task BuyAsync(Random random, CancellationToken token)
    {
        var userId = $"user-{random.Next(8)}";
        var init = await _client.SendAsync("buy/init", HttpMethod.Post, "/api/v1/vm/buy/init", PartnerKey,
            new { id = PackId, amount = random.Next(1, 3), user_id = userId });
        if (init.Status != 200)
            return;
        var sessionId = init.Body!["session_id"]!.GetValue<string>();
        Record.Session(sessionId, init.EndedAt + _sessionDeadline);
        Delivered(userId, init.Body["nfts"]);
        var status = await _client.SendAsync("buy/status", HttpMethod.Post, "/api/v1/vm/buy/status", PartnerKey, new { session_id = sessionId });
        if (status.Status == 200 && status.Body!["result"] is { } result)
            Delivered(userId, result["nfts"]);
        else if (status.Status == 400 && init.Body["nfts"]?.AsArray().Count > 0)
            Record.Anomaly($"buy/status answered 400 {status.Body?.ToJsonString()} for session {sessionId}, delivered by its buy/init");
    }

    private void Delivered(string userId, JsonNode? nfts)
    {
        foreach (var item in nfts?.AsArray() ?? [])
        {
            var id = item!["id"]!.GetValue<string>();
            // Half of what is delivered is sold back (once: buy/status shows the items buy/init already did).
            if (Record.Delivery($"{Partner}:{userId}", id) && (id.GetHashCode(StringComparison.Ordinal) & 1) == 0)
                _sellable.Enqueue(id);
        }
    }

    private async Task BuybackAsync(Random random, CancellationToken token)
    {
        if (!_sellable.TryDequeue(out var itemId))
        {
            await Task.Delay(50, token);
            return;
        }
        var answer = await _client.SendAsync("buyback", HttpMethod.Post, "/api/v1/vm/buyback", PartnerKey, new { item_id = itemId });
        if (answer.Status == 200)
            Record.Buyback(itemId);
    }

    /// <summary>Creates an intent, then settles it one of several ways (or leaves it to expire).</summary>
    private async Task IntentAsync(Random random, CancellationToken token)
    {
        var listingId = _listings[random.Next(_listings.Count)];
        var noPayment = random.Next(5) == 0;
        var created = await _client.SendAsync("intent/create", HttpMethod.Post, "/v1/purchase-intents", PartnerKey, new
        {
            provider = noPayment ? "EMAIL_CLAIM" : "STRIPE", listing_id = listingId, quantity = random.Next(1, 3),
            buyer = new { email = $"buyer{random.Next(20)}@example.com" },
        });
        if (created.Status != 201)
            return;
        var intentId = created.Body!["id"]!.GetValue<string>();
        Record.Intent(intentId, DateTimeOffset.Parse(created.Body["expires_at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        _intentIds.Enqueue(intentId);
        if (noPayment)
            return;
        var paymentIntentId = created.Body["data"]!["id"]!.GetValue<string>();
        switch (random.Next(6))
        {
            case 0:
                await WebhookAsync("payment_intent.succeeded", paymentIntentId, intentId);
                break;
            case 1:
                await _client.SendAsync("sandbox/succeed", HttpMethod.Post, $"/sandbox/v1/payment-intents/{paymentIntentId}/succeed", AdminKey, null);
                break;
            case 2:
                await WebhookAsync("payment_intent.payment_failed", paymentIntentId, intentId);
                await _client.SendAsync("sandbox/fail", HttpMethod.Post, $"/sandbox/v1/payment-intents/{paymentIntentId}/fail", AdminKey, null);
                break;
            case 3:
                await _client.SendAsync("intent/cancel", HttpMethod.Delete, $"/v1/purchase-intents/{intentId}", PartnerKey, null);
                break;
            case 4:
                // A payment racing a cancellation: exactly one of them may win.
                await Task.WhenAll(
                    WebhookAsync("payment_intent.succeeded", paymentIntentId, intentId),
                    _client.SendAsync("intent/cancel", HttpMethod.Delete, $"/v1/purchase-intents/{intentId}", PartnerKey, null));
                break;
            default:
                break; // left to expire
        }
    }

    private async Task ReadAsync(Random random, CancellationToken token)
    {
        var listingId = _listings[random.Next(_listings.Count)];
        await _client.SendAsync("read/listing", HttpMethod.Get, $"/v1/listings/{listingId}", PartnerKey, null);
        if (_intentIds.TryPeek(out var intentId))
            await _client.SendAsync("read/intent", HttpMethod.Get, $"/v1/purchase-intents/{intentId}", PartnerKey, null);
        await _client.SendAsync("read/intents", HttpMethod.Get, $"/v1/purchase-intents?listing_id={listingId}&limit=5", PartnerKey, null);
        await _client.SendAsync("read/inventory", HttpMethod.Get, $"/api/v1/inventory/user-{random.Next(8)}", PartnerKey, null);
        await _client.SendAsync("read/packs", HttpMethod.Get, "/api/v1/vm/available?platform=mainnet", PartnerKey, null);
        await _client.SendAsync("read/pulls", HttpMethod.Get, $"/api/v1/vm/recent-pulls?claw_ids={PackId}&limit=5", PartnerKey, null);
        while (_intentIds.Count > 50 && _intentIds.TryDequeue(out _))
        {
        }
        await Task.Delay(100, token);
    }

    private Task<LoadClient.Answer> WebhookAsync(string type, string paymentIntentId, string intentId)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = $"evt_{Guid.NewGuid():N}", @object = "event", type,
            data = new { @object = new { id = paymentIntentId, @object = "payment_intent", metadata = new Dictionary<string, string> { ["purchase_intent_id"] = intentId } } },
        });
        var signature = StripeSignature.Header(payload, WebhookSecret, DateTimeOffset.UtcNow);
        return _client.SendAsync("webhook", HttpMethod.Post, "/v1/webhooks/stripe", null, payload, signature);
    }

    private Task Loop(CancellationToken token, Func<Random, CancellationToken, Task> step) => Task.Run(async () =>
    {
        var random = new Random(Random.Shared.Next());
        while (!token.IsCancellationRequested)
        {
            try
            {
                await step(random, token);
                await Task.Delay(random.Next(5, 20), token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }
    });

    private static void Require(LoadClient.Answer answer, int status)
    {
        if (answer.Status != status)
            throw new InvalidOperationException($"Set-up request answered {answer.Status}, expected {status}: {answer.Body?.ToJsonString()}");
    }

    /// <summary>
    /// A write that must succeed once the cluster has recovered: a purchase and an intent, through nginx or through
    /// <paramref name="via"/> (e.g. a client of one silo).
    /// </summary>
    public async Task<bool> TryWritesAsync(LoadClient? via = null)
    {
        var client = via ?? _client;
        var init = await client.SendAsync("recovery/buy", HttpMethod.Post, "/api/v1/vm/buy/init", PartnerKey,
            new { id = PackId, amount = 1, user_id = "user-recovery" });
        if (init.Status != 200)
            return false;
        Record.Session(init.Body!["session_id"]!.GetValue<string>(), init.EndedAt + _sessionDeadline);
        Delivered("user-recovery", init.Body["nfts"]);
        var created = await client.SendAsync("recovery/intent", HttpMethod.Post, "/v1/purchase-intents", PartnerKey, new
        {
            provider = "EMAIL_CLAIM", listing_id = _listings[0], quantity = 1, buyer = new { email = "recovery@example.com" },
        });
        if (created.Status != 201)
            return false;
        Record.Intent(created.Body!["id"]!.GetValue<string>(),
            DateTimeOffset.Parse(created.Body["expires_at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        return true;
    }

    public static string Describe(IEnumerable<RequestOutcome> outcomes, int max = 15)
    {
        var list = outcomes.ToList();
        var text = new StringBuilder();
        foreach (var outcome in list.Take(max))
            text.AppendLine(CultureInfo.InvariantCulture, $"  {outcome}");
        if (list.Count > max)
            text.AppendLine(CultureInfo.InvariantCulture, $"  … {list.Count - max} more");
        return text.ToString();
    }
}
