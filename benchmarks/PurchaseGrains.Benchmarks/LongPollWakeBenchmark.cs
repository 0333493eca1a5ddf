using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// Two silos on one PostgreSQL. A buyer long-polls <c>buy/status</c> on the silo that does not host the session; the
/// mint completes; how long from the moment the session learns of it (its poll gets the answer) to the buyer's answer?
/// That span holds the session's writes (mint recorded, cards sold, inventory, fulfilled) and the wake-up across silos.
/// </summary>
public static class LongPollWakeBenchmark
{
    private const int Purchases = 400;
    private const int Concurrent = 16;
    private const string PartnerKey = "bench-partner-key";

    public static async Task RunAsync(BenchDatabases databases)
    {
        var connection = await databases.CreateAsync("longpoll");
        var mints = new ReleasedMints();
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Key"] = PartnerKey, ["Auth:Keys:0:Partner"] = "bench", ["Auth:Keys:0:Role"] = "Partner",
            ["Fulfillment:PollInterval"] = "00:00:00.100",
            ["Vm:StatusPollWindow"] = "00:00:10",
        };
        void UseMints(WebApplicationBuilder builder) => builder.Services.AddSingleton<IFulfillmentProvider>(mints);
        await using var first = await BenchSilo.StartAsync(connection, settings, UseMints);
        await using var second = await BenchSilo.StartAsync(connection, settings, UseMints);
        var silos = new[] { first, second };
        var clients = silos.Select(s => new HttpClient { BaseAddress = s.BaseAddress(), DefaultRequestHeaders = { { "X-API-Key", PartnerKey } } }).ToArray();
        var management = first.Grains().GetGrain<IManagementGrain>(0);
        var addresses = silos.Select(s => s.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress).ToArray();

        await PutPackAsync(first.Grains(), cards: Purchases + 10);
        var wakeMs = new ConcurrentBag<double>();
        var crossSilo = 0;
        await Parallel.ForAsync(0, Purchases, new ParallelOptions { MaxDegreeOfParallelism = Concurrent }, async (i, cancellationToken) =>
        {
            var init = await PostAsync(clients[i % 2], "/api/v1/vm/buy/init", new { id = "wake", amount = 1, user_id = $"u{i}" });
            var sessionId = init.GetProperty("session_id").GetString()!;
            var host = await management.GetActivationAddress(first.Grains().GetGrain<IPurchaseSessionGrain>(sessionId), cancellationToken);
            var other = host == addresses[0] ? clients[1] : clients[0];
            if (host is not null)
                Interlocked.Increment(ref crossSilo);

            var status = PostAsync(other, "/api/v1/vm/buy/status", new { session_id = sessionId });
            await Task.Delay(50, cancellationToken);
            var operation = mints.OperationOf($"u{i}");
            mints.Release(operation);
            var answer = await status;
            var answeredAt = Stopwatch.GetTimestamp();
            if (!answer.TryGetProperty("result", out _))
                throw new InvalidOperationException($"buy/status answered without a result: {answer}");
            wakeMs.Add(Stopwatch.GetElapsedTime(mints.CompletedAt(operation), answeredAt).TotalMilliseconds);
        });

        var sorted = wakeMs.ToArray();
        Array.Sort(sorted);
        Report.Line("long-poll", $"purchases answered on the silo not hosting the session", crossSilo, $"of {Purchases}");
        Report.Line("long-poll", "mint completion to buy/status answer p50", Report.Percentile(sorted, 0.50), "ms");
        Report.Line("long-poll", "mint completion to buy/status answer p99", Report.Percentile(sorted, 0.99), "ms", "target < 100");
        Report.Line("long-poll", "mint completion to buy/status answer max", sorted.LastOrDefault(), "ms");
    }

    private static async Task PutPackAsync(Orleans.IGrainFactory grains, int cards)
    {
        var pack = new PackDefinition("wake", "wake", "mainnet", "Wake", true, null, 1m, 10, [], 0.5m, null,
            [new RarityTier("all", "All", null, 0m, 1_000_000m, 1m)], DateTimeOffset.UtcNow);
        await grains.GetGrain<IPackGrain>("wake").Put(pack);
        await Parallel.ForAsync(0, cards, async (i, _) =>
            await grains.GetGrain<ICardGrain>($"wake-{i}").Add("wake", new CardData($"wake-{i}", $"Card {i}", null, null, 1 + i % 50, "enft", null, null, null, [])));
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {json}");
        return json;
    }

    /// <summary>A mint service whose operations stay pending until released; it notes when it first reported each done.</summary>
    private sealed class ReleasedMints : IFulfillmentProvider
    {
        private readonly ConcurrentDictionary<string, string> _operationByUser = new();
        private readonly ConcurrentDictionary<string, bool> _released = new();
        private readonly ConcurrentDictionary<string, long> _completedAt = new();

        public Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken)
        {
            _operationByUser[operation.UserId] = operation.OperationId;
            return Task.FromResult(new MintSubmission(operation.OperationId, null));
        }

        public Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken)
        {
            if (!_released.ContainsKey(mintId))
                return Task.FromResult(new MintStatus(MintState.Pending, null, null));
            _completedAt.TryAdd(mintId, Stopwatch.GetTimestamp());
            return Task.FromResult(new MintStatus(MintState.Completed, $"tx-{mintId}", null));
        }

        public string OperationOf(string userId) => _operationByUser[userId];

        public void Release(string operationId) => _released[operationId] = true;

        public long CompletedAt(string operationId) => _completedAt[operationId];
    }
}
