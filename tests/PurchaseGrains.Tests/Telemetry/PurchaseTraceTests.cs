using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Telemetry;

/// <summary>One purchase followed through a loopback OTLP receiver, as a collector would see it.</summary>
public sealed class PurchaseTraceTests
{
    private const int ServerKind = 2;
    private const int ClientKind = 3;

    [Fact]
    public async Task BuyInitThenStatusIsOneTraceAndTheMintPollTickLinksBackToIt()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var mint = await MintServiceStub.StartAsync();
        await using var silo = await TestSilo.StartSqliteAsync(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["Fulfillment:Provider"] = "Http",
            ["Fulfillment:BaseUrl"] = mint.BaseUrl.ToString(),
            ["Fulfillment:PollInterval"] = "00:00:00.200",
        });
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);

        // The caller's own trace around both requests, as a calling service would have it: its HttpClient sends the
        // traceparent, and the silo continues that trace.
        string traceId;
        using (var caller = new Activity("caller") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start())
        {
            traceId = caller.TraceId.ToHexString();
            var (initStatus, init) = await api.BuyAsync("p1", 1, "u");
            Assert.Equal(HttpStatusCode.OK, initStatus);
            mint.Outcome = "completed";
            var (status, _) = await api.StatusAsync(init["session_id"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, status);
        }

        // The tick that saw the mint complete ends just after it woke buy/status: flush until it has been exported.
        var tracer = silo.Services.GetRequiredService<TracerProvider>();
        var spans = new List<OtlpSpan>();
        await Eventually.TrueAsync(() =>
        {
            tracer.ForceFlush(5000);
            spans = receiver.Spans.ToList();
            return spans.Any(s => s.Name == "IPurchaseSessionGrain/PollMint" && s.Links.Any(l => l.TraceId == traceId)
                && spans.Any(c => c.TraceId == s.TraceId && c.ParentSpanId == s.SpanId && c.Kind == ClientKind));
        }, TimeSpan.FromSeconds(10), "a mint-poll tick span linked to the purchase's trace, with its mint call");
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Contains(trace, s => s.Kind == ServerKind && s.Name == "POST /api/v1/vm/buy/init");
        Assert.Contains(trace, s => s.Kind == ServerKind && s.Name == "POST /api/v1/vm/buy/status");
        Assert.Contains(trace, s => IsGrainCall(s, "IPurchaseSessionGrain/Init"));
        Assert.Contains(trace, s => IsGrainCall(s, "IPurchaseSessionGrain/WaitForChange"));
        Assert.Contains(trace, s => s.Name == "write storage" && s.Attributes.GetValueOrDefault("orleans.grain.id", "").StartsWith("vm_session/", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Kind == ClientKind && s.Attributes.GetValueOrDefault("url.full", "").StartsWith(mint.BaseUrl.ToString(), StringComparison.Ordinal));
        // Each tick is a trace of its own, linked to the purchase's, with the mint status call inside it. The
        // PurchaseGrains source is process-wide, so ticks of other tests' silos reach this exporter too: this
        // purchase's ticks are those that called this test's mint stub.
        var ticks = spans.Where(s => s.Name == "IPurchaseSessionGrain/PollMint" && spans.Any(c => c.TraceId == s.TraceId
            && c.ParentSpanId == s.SpanId && c.Kind == ClientKind
            && c.Attributes.GetValueOrDefault("url.full", "").StartsWith(mint.BaseUrl.ToString(), StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(ticks);
        Assert.All(ticks, tick =>
        {
            Assert.NotEqual(traceId, tick.TraceId);
            Assert.Contains(tick.Links, l => l.TraceId == traceId);
        });
        Assert.Contains(ticks, tick => spans.Any(c => c.TraceId == tick.TraceId && c.ParentSpanId == tick.SpanId && c.Kind == ClientKind
            && c.Attributes.GetValueOrDefault("url.full", "").Contains("/mints/", StringComparison.Ordinal)));
    }

    /// <summary>Orleans 10 names the RPC system in <c>rpc.system.name</c> (the current semantic conventions).</summary>
    private static bool IsGrainCall(OtlpSpan span, string method) =>
        span.Attributes.GetValueOrDefault("rpc.system.name") == "orleans" && span.Name == method;
}
