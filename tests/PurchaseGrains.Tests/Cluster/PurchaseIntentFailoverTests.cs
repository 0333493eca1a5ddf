using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Cluster;

/// <summary>
/// Purchase intents on a 3-silo Orleans test cluster when the silo holding them dies: their timers die with it, and
/// their expiry reminders (one second here) bring each back on a live silo.
/// </summary>
public sealed class PurchaseIntentFailoverTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Partner = "failover";
    private const int TimeoutSeconds = 3;
    private const int Intents = 30;

    /// <summary>Expiration (fake clock, advanced at once) + one reminder period + failure detection (about 2 s) + slack.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(TimeoutSeconds + 1 + 2 + 9);

    [PostgresFact]
    public async Task IntentsOfAKilledSiloExpireOrAreFulfilledOnceOnTheOthers()
    {
        var deliveries = new CountingFulfillment();
        await using var cluster = await GrainCluster.StartAsync(await database.CreateSchemaAsync(), silos: 3,
            recoveryDelay: TimeSpan.FromHours(1), services => services.AddSingleton<IPurchaseFulfillment>(deliveries));
        var listing = await CreateListingAsync(cluster, quantity: Intents);
        var intents = new List<string>();
        for (var i = 0; i < Intents; i++)
            intents.Add(await CreateIntentAsync(cluster, listing, $"buyer{i}@example.com"));
        // Every third intent is paid at the provider; its webhook never comes.
        var paid = intents.Where((_, i) => i % 3 == 0).ToHashSet();
        foreach (var intent in paid)
            await cluster.Grains.GetGrain<ISandboxPaymentIntentGrain>(SandboxPaymentIntentGrain.IdFor(Partner, intent)).Succeed(Partner);

        var (victim, onVictim) = await SiloHoldingMostIntentsAsync(cluster, intents);
        Assert.True(onVictim.Count > 0, "no purchase intent was active on any silo but the primary");
        await cluster.Cluster.KillSiloAsync(victim);
        cluster.Clock.Advance(TimeSpan.FromSeconds(TimeoutSeconds + 1));
        var killedAt = Stopwatch.StartNew();

        await Eventually.TrueAsync(async () =>
        {
            var views = await ViewsAsync(cluster, intents);
            return views.All(v => v.Status is "EXPIRED" || (v.Status is "CONFIRMED" && v.FulfillmentStatus is "COMPLETED"));
        }, Grace, "every intent EXPIRED, or CONFIRMED and fulfilled, after its silo was killed");

        var final = await ViewsAsync(cluster, intents);
        Assert.All(final.Where(v => paid.Contains(v.Id)), v => Assert.Equal("CONFIRMED", v.Status));
        Assert.All(final.Where(v => !paid.Contains(v.Id)), v => Assert.Equal("EXPIRED", v.Status));
        Assert.All(paid, intent => Assert.Equal(1, deliveries.CountFor(intent)));
        var counters = await cluster.Grains.GetGrain<IListingGrain>(listing).GetCounters();
        Assert.True(counters.IsBalanced, $"listing unbalanced: {counters}");
        Assert.Equal(0, counters.Held);
        Assert.Equal(paid.Count, counters.Sold);
        Assert.True(killedAt.Elapsed < Grace, $"took {killedAt.Elapsed}");
    }

    private static async Task<string> CreateListingAsync(GrainCluster cluster, long quantity)
    {
        var id = $"listing-{Guid.NewGuid():N}";
        var definition = new ListingDefinition("item-failover", null, quantity, 2500, ListingCurrency.Usd,
            [PaymentProvider.Stripe], MaxQuantityPerTx: 1,
            new ListingPolicy(PolicyType.Fcfs, [], MaxPerUser: null, TimeoutSeconds, EmailClaimDuration: null),
            cluster.Clock.GetUtcNow().AddMinutes(-1), EndTime: null);
        await cluster.Grains.GetGrain<IListingGrain>(id).Create(Partner, definition);
        return id;
    }

    private static async Task<string> CreateIntentAsync(GrainCluster cluster, string listing, string email)
    {
        var (intent, refusal) = IntentRequestRules.Check(new IntentRequest("STRIPE", listing, 1, new Buyer(email, null)),
            Guid.CreateVersion7().ToString(), Partner);
        Assert.Null(refusal);
        var result = await cluster.Grains.GetGrain<IPurchaseIntentGrain>(intent!.IntentId).Create(intent);
        Assert.Null(result.Refusal);
        return intent.IntentId;
    }

    /// <summary>The non-primary silo (the primary holds the test cluster's membership) with the most intents active on it.</summary>
    private static async Task<(InProcessSiloHandle Silo, List<string> Intents)> SiloHoldingMostIntentsAsync(
        GrainCluster cluster, IReadOnlyList<string> intents)
    {
        var statistics = await cluster.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var keys = intents.ToHashSet();
        return cluster.Cluster.Silos.Skip(1)
            .Select(silo => (silo, statistics
                .Where(s => s.SiloAddress.Equals(silo.SiloAddress) && s.GrainId.Type.ToString() == "purchase_intent")
                .Select(s => s.GrainId.Key.ToString()!).Where(keys.Contains).ToList()))
            .MaxBy(candidate => candidate.Item2.Count);
    }

    private static async Task<List<PurchaseIntentView>> ViewsAsync(GrainCluster cluster, IEnumerable<string> intents) =>
        [.. await Task.WhenAll(intents.Select(async id =>
            await cluster.Grains.GetGrain<IPurchaseIntentGrain>(id).Get(Partner) ?? throw new InvalidOperationException($"intent {id} vanished")))];

    /// <summary>The built-in fulfilment, counting deliveries per intent.</summary>
    private sealed class CountingFulfillment : IPurchaseFulfillment
    {
        private readonly SandboxPurchaseFulfillment _inner = new();
        private readonly ConcurrentDictionary<string, int> _deliveries = new();

        public int CountFor(string intentId) => _deliveries.GetValueOrDefault(intentId);

        public Task<FulfillmentAssignment> AssignAsync(FulfillmentOrder order, CancellationToken cancellationToken) =>
            _inner.AssignAsync(order, cancellationToken);

        public async Task DeliverAsync(FulfillmentOrder order, CancellationToken cancellationToken)
        {
            await _inner.DeliverAsync(order, cancellationToken);
            _deliveries.AddOrUpdate(order.IntentId, 1, (_, n) => n + 1);
        }
    }
}
