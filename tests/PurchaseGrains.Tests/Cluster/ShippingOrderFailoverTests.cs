using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using PurchaseGrains.Grains.Shipping;
using PurchaseGrains.Grains.Shipping.Carrier;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Cluster;

/// <summary>
/// Shipping orders on a 3-silo Orleans test cluster when the silo holding them dies: their timers die with it, and
/// their backstop reminders (one second here) bring each back on a live silo to finish with the shipment it has.
/// </summary>
public sealed class ShippingOrderFailoverTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Partner = "failover";
    private const int Orders = 24;

    /// <summary>Failure detection (about 2 s) + reminder period and first due time + slack.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    [PostgresFact]
    public async Task OrdersOfAKilledSiloReachTheirFinalStatusWithOneShipmentEach()
    {
        var carrier = new HeldShipments();
        await using var cluster = await GrainCluster.StartAsync(await database.CreateSchemaAsync(), silos: 3,
            recoveryDelay: TimeSpan.FromSeconds(1), services => services.AddSingleton<ICarrierProvider>(carrier));
        var orders = new List<(string OrderId, string ItemId, string UserId, bool Fails)>();
        for (var i = 0; i < Orders; i++)
        {
            var (userId, itemId) = ($"user-{i % 6}", $"ship-card-{i}");
            await GiveItemAsync(cluster, userId, itemId);
            var fails = i % 4 == 0;
            orders.Add((await OrderAsync(cluster, itemId, fails), itemId, userId, fails));
        }
        await Eventually.TrueAsync(() =>
        {
            cluster.Clock.Advance(GrainCluster.PollInterval);
            return carrier.ShipmentCount == Orders;
        }, TimeSpan.FromSeconds(10), "every order to create its shipment");

        var (victim, onVictim) = await SiloHoldingMostOrdersAsync(cluster, orders.Select(o => o.OrderId));
        Assert.True(onVictim.Count > 0, "no shipping order was active on any silo but the primary");
        await cluster.Cluster.KillSiloAsync(victim);
        carrier.ReleaseAll();
        var killedAt = Stopwatch.StartNew();

        await Eventually.TrueAsync(async () =>
        {
            // Orders on live silos poll on the fake clock; those of the dead one come back by their reminders (real time).
            cluster.Clock.Advance(GrainCluster.PollInterval);
            var views = await ViewsAsync(cluster, orders.Select(o => o.OrderId));
            return views.All(v => v.Status is OrderStatus.Delivered or OrderStatus.Error);
        }, Grace, "every order delivered or in error after its silo was killed");

        var final = await ViewsAsync(cluster, orders.Select(o => o.OrderId));
        foreach (var ((orderId, itemId, userId, fails), view) in orders.Zip(final))
        {
            Assert.Equal(fails ? OrderStatus.Error : OrderStatus.Delivered, view.Status);
            Assert.Equal(1, carrier.ShipmentsFor(orderId));
            var listed = await Eventually.ValueAsync(
                async () => (await cluster.Grains.GetGrain<IInventoryGrain>(InventoryKeys.For(Partner, userId)).Get())!.Items.Count(i => i.Id == itemId),
                n => n == (fails ? 1 : 0), TimeSpan.FromSeconds(5), $"item {itemId} to be {(fails ? "back in" : "gone from")} the inventory");
            Assert.Equal(fails ? 1 : 0, listed);
        }
        Assert.True(onVictim.All(o => carrier.CreationCallsFor(o) == 1), "an order of the killed silo created its shipment again");
        Assert.True(killedAt.Elapsed < Grace, $"took {killedAt.Elapsed}");
    }

    /// <summary>A card sold to <paramref name="userId"/> and delivered to its inventory, as a fulfilled purchase leaves it.</summary>
    private static async Task GiveItemAsync(GrainCluster cluster, string userId, string itemId)
    {
        var card = new CardData(itemId, $"Card {itemId}", null, null, 5m, "enft", null, null, null, []);
        var grain = cluster.Grains.GetGrain<ICardGrain>(itemId);
        await grain.Add("ship-pack", card);
        var sessionId = $"session-{itemId}";
        await grain.Reserve(sessionId);
        await grain.MarkSold(sessionId, Partner, userId);
        var now = cluster.Clock.GetUtcNow();
        await cluster.Grains.GetGrain<IInventoryGrain>(InventoryKeys.For(Partner, userId))
            .AddItems([new OwnedItem(new SessionItem(card, 2.5m, null), "ship-pack", "ship-pack", sessionId, now, now.AddDays(7))]);
    }

    private static async Task<string> OrderAsync(GrainCluster cluster, string itemId, bool fails)
    {
        var destination = new ShippingDestination("Ada", "1 Main St", null, "Springfield", null,
            fails ? HeldShipments.FailingPostalCode : "62701", "US", null, null);
        var quote = cluster.Grains.GetGrain<IShippingQuoteGrain>(ShippingIds.NewQuoteSession());
        var quoted = await quote.Create(new QuoteCommand(Partner, [itemId], destination));
        Assert.Equal(QuoteRefusal.None, quoted.Refusal);
        var ordered = await quote.RequestOrder(Partner, HeldShipments.Service);
        Assert.Equal(OrderRefusal.None, ordered.Refusal);
        return ordered.OrderId!;
    }

    /// <summary>The non-primary silo (the primary holds the test cluster's membership) with the most orders active on it.</summary>
    private static async Task<(InProcessSiloHandle Silo, List<string> Orders)> SiloHoldingMostOrdersAsync(GrainCluster cluster,
        IEnumerable<string> orders)
    {
        var statistics = await cluster.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var keys = orders.ToHashSet();
        return cluster.Cluster.Silos.Skip(1)
            .Select(silo => (silo, statistics
                .Where(s => s.SiloAddress.Equals(silo.SiloAddress) && s.GrainId.Type.ToString() == "ship_order")
                .Select(s => s.GrainId.Key.ToString()!).Where(keys.Contains).ToList()))
            .MaxBy(candidate => candidate.Item2.Count);
    }

    private static async Task<List<ShippingOrderView>> ViewsAsync(GrainCluster cluster, IEnumerable<string> orders) =>
        [.. await Task.WhenAll(orders.Select(async id =>
            await cluster.Grains.GetGrain<IShippingOrderGrain>(id).Get(Partner) ?? throw new InvalidOperationException($"order {id} vanished")))];
}
