using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace PurchaseGrains.Tests.Telemetry;

/// <summary>One OTLP/HTTP export as the receiver got it.</summary>
public sealed record OtlpExport(string Path, string? ContentType, byte[] Body);

/// <summary>A loopback OTLP/HTTP collector: keeps every export posted to <c>/v1/{signal}</c>.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<OtlpExport> Exports { get; } = new();

    public string Url => _app.Urls.First();

    public IEnumerable<OtlpSpan> Spans => Exports.ToArray().Where(e => e.Path == "/v1/traces").SelectMany(e => OtlpSpans.Read(e.Body));

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var receiver = new OtlpReceiver(builder.Build());
        receiver._app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Exports.Enqueue(new OtlpExport(request.Path, request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await receiver._app.StartAsync();
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
