using System.Net;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Shipping;

/// <summary>The Http carrier provider against a real carrier service on loopback: slow, down for a while, answering 5xx.</summary>
public sealed class HttpCarrierTests
{
    private static async Task<TestSilo> StartAsync(CarrierServiceStub carrier, string requestTimeout = "00:00:02") =>
        await TestSilo.StartSqliteAsync(settings: ShipSilos.Settings(new Dictionary<string, string?>
        {
            ["Shipping:Provider"] = "Http",
            ["Shipping:BaseUrl"] = carrier.BaseUrl.ToString(),
            ["Shipping:RequestTimeout"] = requestTimeout,
        }));

    [Fact]
    public async Task TheOrderFollowsTheCarrierToDeliveredWithOneShipmentKeyedByTheOrderId()
    {
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await StartAsync(carrier);
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 2);

        var (status, quote) = await api.QuoteAsync(items);
        Assert.Equal(HttpStatusCode.OK, status);
        var rate = Assert.Single(quote["quotes"]!.AsArray())!;
        Assert.Equal($$"""{"id":"{{quote["session_id"]}}_rate_ground","carrier":"loopback","service":"ground","amount":9.50,"estimated_days_min":2,"estimated_days_max":4,"insured":false}""",
            rate.ToJsonString());
        var orderId = await api.RequestOkAsync(rate["id"]!.GetValue<string>());
        await Eventually.TrueAsync(() => carrier.PostsFor(orderId) == 1, TimeSpan.FromSeconds(5), "the order to create its shipment");

        foreach (var step in new[] { "processing", "shipped", "delivered" })
        {
            carrier.Status = step;
            await Eventually.TrueAsync(async () => await api.OrderStatusAsync(orderId) == step, TimeSpan.FromSeconds(5), $"the order to be {step}");
        }
        var order = (await api.OrderAsync(orderId)).Body;
        Assert.StartsWith("TRK-shp_", order["tracking_number"]!.GetValue<string>());
        Assert.Equal($"https://carrier.example/track/{order["tracking_number"]}", order["tracking_url"]!.GetValue<string>());
        Assert.Equal(("loopback", "ground", 9.50m), (order["carrier"]!.GetValue<string>(), order["service"]!.GetValue<string>(), order["amount"]!.GetValue<decimal>()));
        Assert.Equal((1, 1), (carrier.PostsFor(orderId), carrier.ShipmentsCreated));
        Assert.Empty(await api.InventoryAsync());
        // A delivered order asks no more.
        var calls = carrier.StatusCalls;
        await Task.Delay(500);
        Assert.Equal(calls, carrier.StatusCalls);
    }

    [Fact]
    public async Task ASlowCarrierIsRetriedWithTheSameIdempotencyKeyAndShipsOnce()
    {
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await StartAsync(carrier, requestTimeout: "00:00:00.300");
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 1);
        carrier.CreateDelay = TimeSpan.FromSeconds(1);
        var orderId = await api.OrderItemsAsync(items);

        await Eventually.TrueAsync(() => carrier.PostsFor(orderId) >= 2, TimeSpan.FromSeconds(10), "a retried shipment creation");
        Assert.Equal("pending", await api.OrderStatusAsync(orderId));
        carrier.CreateDelay = TimeSpan.Zero;
        // Slow, but within the timeout: still followed.
        carrier.Delay = TimeSpan.FromMilliseconds(150);
        carrier.Status = "delivered";

        await Eventually.TrueAsync(async () => await api.OrderStatusAsync(orderId) == "delivered", TimeSpan.FromSeconds(10), "the order to be delivered");
        Assert.Equal(1, carrier.ShipmentsCreated);
    }

    [Fact]
    public async Task ACarrierDownOrAnswering5xxDelaysTheOrderButNeverFailsIt()
    {
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await StartAsync(carrier);
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 2);
        var orderId = await api.OrderItemsAsync(items);
        await Eventually.TrueAsync(() => carrier.PostsFor(orderId) == 1, TimeSpan.FromSeconds(5), "the order to create its shipment");

        carrier.Mode = CarrierMode.Down;
        await Eventually.TrueAsync(() => carrier.FailedCalls >= 5, TimeSpan.FromSeconds(10), "five dropped connections");
        carrier.Mode = CarrierMode.Failing;
        await Eventually.TrueAsync(() => carrier.FailedCalls >= 10, TimeSpan.FromSeconds(10), "five 500 or 503 answers");
        Assert.Equal("pending", await api.OrderStatusAsync(orderId));
        Assert.Empty(await api.InventoryAsync());

        carrier.Status = "delivered";
        carrier.Mode = CarrierMode.Up;
        await Eventually.TrueAsync(async () => await api.OrderStatusAsync(orderId) == "delivered", TimeSpan.FromSeconds(10), "the order to be delivered");
        Assert.Equal((1, 1), (carrier.PostsFor(orderId), carrier.ShipmentsCreated));
    }

    [Fact]
    public async Task AnOrderCreatedWhileTheCarrierIsDownShipsOnceItIsBack()
    {
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await StartAsync(carrier);
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 1);
        var quoteId = await api.QuoteOkAsync(items);
        carrier.Mode = CarrierMode.Failing;

        var orderId = await api.RequestOkAsync(quoteId);
        await Eventually.TrueAsync(() => carrier.FailedCalls >= 3, TimeSpan.FromSeconds(10), "three refused shipment creations");
        Assert.Equal((0, "pending"), (carrier.ShipmentsCreated, await api.OrderStatusAsync(orderId)));
        carrier.Mode = CarrierMode.Up;
        carrier.Status = "shipped";

        await Eventually.TrueAsync(async () => await api.OrderStatusAsync(orderId) == "shipped", TimeSpan.FromSeconds(10), "the order to ship");
        Assert.Equal((1, 1), (carrier.PostsFor(orderId), carrier.ShipmentsCreated));
    }

    [Fact]
    public async Task AQuoteWhileTheCarrierIsDownAsksTheCallerToRetry()
    {
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await StartAsync(carrier);
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 1);
        carrier.Mode = CarrierMode.Down;

        VmApi.AssertError(HttpStatusCode.ServiceUnavailable, "The carrier is unavailable; retry shortly", await api.QuoteAsync(items));
        carrier.Mode = CarrierMode.Up;
        Assert.Equal(HttpStatusCode.OK, (await api.QuoteAsync(items)).Status);
    }

    [Fact]
    public async Task ACarrierErrorBeforeShippingEndsTheOrderWithItsMessageAndReleasesTheItems()
    {
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await StartAsync(carrier);
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 2);
        var orderId = await api.OrderItemsAsync(items);
        carrier.Status = "processing";
        await Eventually.TrueAsync(async () => await api.OrderStatusAsync(orderId) == "processing", TimeSpan.FromSeconds(5), "the order to be processing");

        carrier.ErrorMessage = "Address rejected by the carrier";
        carrier.Status = "error";

        var order = await Eventually.ValueAsync(async () => (await api.OrderAsync(orderId)).Body, o => o["status"]!.GetValue<string>() == "error",
            TimeSpan.FromSeconds(5), "the order to end in error");
        Assert.Equal("Address rejected by the carrier", order["error_message"]!.GetValue<string>());
        await Eventually.TrueAsync(async () => (await api.InventoryAsync()).Count == 2, TimeSpan.FromSeconds(5), "the items back in the inventory");
        Assert.Equal(HttpStatusCode.OK, (await api.Vm.BuybackAsync(items[0])).Status);
    }
}
