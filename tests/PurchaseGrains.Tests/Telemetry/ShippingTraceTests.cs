using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.Shipping;

namespace PurchaseGrains.Tests.Telemetry;

/// <summary>One shipping order followed through a loopback OTLP receiver, from its request to its delivery.</summary>
public sealed class ShippingTraceTests
{
    private const int ServerKind = 2;
    private const int ClientKind = 3;

    [Fact]
    public async Task TheRequestIsOneTraceAndEveryTrackingTickUpToDeliveryLinksBackToIt()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var carrier = await CarrierServiceStub.StartAsync();
        await using var silo = await TestSilo.StartSqliteAsync(settings: ShipSilos.Settings(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["Shipping:Provider"] = "Http",
            ["Shipping:BaseUrl"] = carrier.BaseUrl.ToString(),
            ["Shipping:PollInterval"] = "00:00:00.200",
        }));
        var api = new ShipApi(silo);
        var items = await api.OwnedItemsAsync("p1", 1);
        var quoteId = await api.QuoteOkAsync(items);

        string traceId, orderId;
        using (var caller = new Activity("caller") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start())
        {
            traceId = caller.TraceId.ToHexString();
            orderId = await api.RequestOkAsync(quoteId);
        }
        await Eventually.TrueAsync(() => carrier.PostsFor(orderId) == 1, TimeSpan.FromSeconds(5), "the shipment to be created");
        carrier.Status = "delivered";
        await Eventually.TrueAsync(async () => await api.OrderStatusAsync(orderId) == "delivered", TimeSpan.FromSeconds(5), "the order to be delivered");

        var tracer = silo.Services.GetRequiredService<TracerProvider>();
        var spans = new List<OtlpSpan>();
        // This order's ticks are those that called this test's carrier (the PurchaseGrains source is process-wide).
        List<string> CarrierCalls(OtlpSpan tick) => spans.Where(c => c.TraceId == tick.TraceId && c.ParentSpanId == tick.SpanId && c.Kind == ClientKind)
            .Select(c => c.Attributes.GetValueOrDefault("url.full", "")).Where(u => u.StartsWith(carrier.BaseUrl.ToString(), StringComparison.Ordinal)).ToList();
        var creation = carrier.BaseUrl + "shipments";
        await Eventually.TrueAsync(() =>
        {
            tracer.ForceFlush(5000);
            spans = receiver.Spans.ToList();
            return spans.Any(s => s.Name == "IShippingOrderGrain/Track" && CarrierCalls(s).Contains(creation))
                && spans.Any(s => s.Name == "IShippingOrderGrain/Track" && spans.Any(c => c.TraceId == s.TraceId && c.Name == "IInventoryGrain/MarkShipped"));
        }, TimeSpan.FromSeconds(10), "the tick that created the shipment and the one that saw the delivery");

        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Contains(trace, s => s.Kind == ServerKind && s.Name == "POST /api/v1/ship/request");
        Assert.Contains(trace, s => s.Name == "IShippingQuoteGrain/RequestOrder");
        Assert.Contains(trace, s => s.Name == "IShippingOrderGrain/Place");
        Assert.Contains(trace, s => s.Name == "IInventoryGrain/LockForShipping");
        var ticks = spans.Where(s => s.Name == "IShippingOrderGrain/Track" && CarrierCalls(s).Count > 0).ToList();
        Assert.Contains(ticks, t => CarrierCalls(t).Contains(creation));
        Assert.All(ticks, tick =>
        {
            Assert.NotEqual(traceId, tick.TraceId);
            Assert.Contains(tick.Links, l => l.TraceId == traceId);
        });
        // The tick that saw the delivery told the inventory the items left, inside its own (linked) trace.
        Assert.Contains(ticks, t => spans.Any(c => c.TraceId == t.TraceId && c.Name == "IInventoryGrain/MarkShipped"));
    }
}
