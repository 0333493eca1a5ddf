using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using PurchaseGrains.Grains.Shipping.Carrier;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Shipping;

/// <summary>
/// The Sandbox carrier on its default-like delays, driven by a fake clock: the silo's grains and timers read it, so
/// advancing it moves an order through every status (Orleans' own background work stays on real time).
/// </summary>
public sealed class SandboxCarrierClockTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static async Task<(TestSilo Silo, FakeTimeProvider Clock)> StartAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var silo = await TestSilo.StartSqliteAsync(settings: ShipSilos.Settings(new Dictionary<string, string?>
        {
            ["Shipping:PollInterval"] = Poll.ToString(),
            ["Shipping:Sandbox:ProcessingAfter"] = "00:00:10",
            ["Shipping:Sandbox:ShippedAfter"] = "00:01:00",
            ["Shipping:Sandbox:DeliveredAfter"] = "00:05:00",
        }), configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        return (silo, clock);
    }

    [Fact]
    public async Task TheClockMovesAnOrderThroughEveryStatusOnTheConfiguredDelays()
    {
        var (silo, clock) = await StartAsync();
        await using var _ = silo;
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 2);
        var orderId = await api.OrderItemsAsync(items);
        var shipment = silo.Grains.GetGrain<ISandboxShipmentGrain>(orderId);
        await Eventually.TrueAsync(async () => await shipment.Report() is not null, TimeSpan.FromSeconds(5), "the order's first tick to create its shipment");
        var created = clock.GetUtcNow();
        Assert.Equal("pending", await api.OrderStatusAsync(orderId));

        await AdvanceToAsync(clock, created + TimeSpan.FromSeconds(9));
        await Task.Delay(TickRunTime);
        Assert.Equal("pending", await api.OrderStatusAsync(orderId));

        await AdvanceToAsync(clock, created + TimeSpan.FromSeconds(10));
        await StatusAsync(api, orderId, "processing");

        await AdvanceToAsync(clock, created + TimeSpan.FromMinutes(1));
        var shipped = await StatusAsync(api, orderId, "shipped");
        Assert.Equal(WireTime(created + TimeSpan.FromMinutes(1)), shipped["shipped_at"]!.GetValue<string>());
        Assert.Equal(SandboxTimeline.TrackingNumber(orderId), shipped["tracking_number"]!.GetValue<string>());
        Assert.Null(shipped["delivered_at"]);
        Assert.Empty(await api.InventoryAsync());

        await AdvanceToAsync(clock, created + TimeSpan.FromMinutes(5));
        var delivered = await StatusAsync(api, orderId, "delivered");
        Assert.Equal(WireTime(created + TimeSpan.FromMinutes(1)), delivered["shipped_at"]!.GetValue<string>());
        Assert.Equal(WireTime(created + TimeSpan.FromMinutes(5)), delivered["delivered_at"]!.GetValue<string>());
        Assert.Null(delivered["error_message"]);
    }

    [Fact]
    public async Task AQuoteExpiresOnTheClockAfterFifteenMinutes()
    {
        var (silo, clock) = await StartAsync();
        await using var _ = silo;
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 2);
        var lapsing = await api.QuoteOkAsync([items[0]]);
        var (_, quote) = await api.QuoteAsync([items[1]]);
        Assert.Equal(WireTime(clock.GetUtcNow() + TimeSpan.FromMinutes(15)), quote["expires_at"]!.GetValue<string>());

        clock.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromTicks(10));
        var inTime = await api.RequestOkAsync(quote["quotes"]![1]!["id"]!.GetValue<string>());
        clock.Advance(TimeSpan.FromTicks(10));

        VmApi.AssertError(HttpStatusCode.BadRequest, "Quote has expired", await api.RequestAsync(lapsing));
        Assert.Equal("sandbox", (await api.OrderAsync(inTime)).Body["carrier"]!.GetValue<string>());
        Assert.Equal([items[0]], await api.InventoryAsync());
    }

    /// <summary>
    /// To one poll before <paramref name="target"/> (one tick runs there and re-arms its timer one poll later), then to
    /// the target itself, where the next tick runs: the order sees the carrier's status at exactly that time.
    /// </summary>
    private static async Task AdvanceToAsync(FakeTimeProvider clock, DateTimeOffset target)
    {
        if (target - clock.GetUtcNow() > Poll)
        {
            clock.SetUtcNow(target - Poll);
            await Task.Delay(TickRunTime);
        }
        clock.SetUtcNow(target);
    }

    /// <summary>Real time a tick gets to finish (and re-arm its timer) before the clock moves on.</summary>
    private static readonly TimeSpan TickRunTime = TimeSpan.FromMilliseconds(300);

    private static Task<System.Text.Json.Nodes.JsonNode> StatusAsync(ShipApi api, string orderId, string status) =>
        Eventually.ValueAsync(async () => (await api.OrderAsync(orderId)).Body, o => o["status"]!.GetValue<string>() == status,
            TimeSpan.FromSeconds(10), $"the order to be {status}");

    private static string WireTime(DateTimeOffset time) => PurchaseGrains.Grains.WireTimestamps.ToWire(time);
}
