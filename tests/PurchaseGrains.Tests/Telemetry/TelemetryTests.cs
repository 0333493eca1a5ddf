using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.Http;

namespace PurchaseGrains.Tests.Telemetry;

public sealed class TelemetryTests
{
    [Fact]
    public async Task AnHttpRequestProducesTheSpanTreeHttpThenGrainThenStorage()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var silo = await TestSilo.StartSqliteAsync(mapRoutes: TestRoutes.Map);
        using var client = silo.CreateClient();
        var key = $"span-tree-{Guid.NewGuid():N}";

        (await client.PostAsJsonAsync($"/test/counters/{key}", new { by = 1 })).EnsureSuccessStatusCode();

        var http = await SpanAsync(spans, s => s.DisplayName == "POST /test/counters/{key}" && s.Kind == ActivityKind.Server);
        var grain = await SpanAsync(spans, s => s.DisplayName == "ICounterGrain/Increment" && s.Kind == ActivityKind.Server
            && s.TraceId == http.TraceId);
        var write = await SpanAsync(spans, s => s.DisplayName == "write storage" && s.ParentSpanId == grain.SpanId);
        Assert.True(IsDescendant(spans, grain, http), "the grain call span descends from the HTTP request span");
        Assert.Equal(http.TraceId, write.TraceId);
    }

    [Fact]
    public async Task TheOtlpExporterPostsSpansToTheConfiguredEndpoint()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var silo = await TestSilo.StartSqliteAsync(
            settings: new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            },
            mapRoutes: TestRoutes.Map);
        using var client = silo.CreateClient();

        (await client.PostAsJsonAsync("/test/counters/otlp", new { by = 1 })).EnsureSuccessStatusCode();
        Assert.True(silo.Services.GetRequiredService<TracerProvider>().ForceFlush(5000), "the tracer provider did not flush");

        await Eventually.TrueAsync(() => receiver.Exports.Any(r => r.Path == "/v1/traces"), TimeSpan.FromSeconds(5), "an OTLP trace export");
        var export = receiver.Exports.First(r => r.Path == "/v1/traces");
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(export.Body.Length > 0);
    }

    private static bool IsDescendant(IEnumerable<Activity> spans, Activity span, Activity ancestor)
    {
        var byId = spans.Where(s => s.TraceId == ancestor.TraceId).ToDictionary(s => s.SpanId);
        for (var parent = span.ParentSpanId; byId.TryGetValue(parent, out var next); parent = next.ParentSpanId)
        {
            if (next.SpanId == ancestor.SpanId)
                return true;
        }
        return false;
    }

    private static async Task<Activity> SpanAsync(ConcurrentBag<Activity> spans, Func<Activity, bool> match)
    {
        await Eventually.TrueAsync(() => spans.Any(match), TimeSpan.FromSeconds(5), "the expected span");
        return spans.First(match);
    }
}
