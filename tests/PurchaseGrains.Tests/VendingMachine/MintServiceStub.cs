using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

public enum MintServiceMode { Up, Unavailable, Down }

/// <summary>
/// A real HTTP mint service on loopback (API.md section D): <c>POST /mints</c> → 202 {mint_id}, the same mint for a
/// repeated operation id; <c>GET /mints/{id}</c> → its status. Switches make it answer 503 or drop connections.
/// </summary>
public sealed class MintServiceStub : IAsyncDisposable
{
    private LoopbackService _service = null!;
    private readonly ConcurrentDictionary<string, string> _mintByOperation = new();
    private readonly ConcurrentDictionary<string, List<string>> _itemsByMint = new();
    private readonly ConcurrentDictionary<string, int> _postsByOperation = new();
    private int _failedCalls;

    public Uri BaseUrl => _service.BaseUrl;

    public MintServiceMode Mode { get; set; } = MintServiceMode.Up;

    /// <summary>How long <c>POST /mints</c> waits after creating the mint before it answers (to outlast a client timeout).</summary>
    public TimeSpan PostDelay { get; set; } = TimeSpan.Zero;

    /// <summary>What <c>GET /mints/{id}</c> reports for every mint.</summary>
    public string Outcome { get; set; } = "pending";

    public int PostsFor(string operationId) => _postsByOperation.GetValueOrDefault(operationId);

    public IReadOnlyDictionary<string, int> PostsByOperation => _postsByOperation;

    public int MintsCreated => _mintByOperation.Count;

    /// <summary>Calls answered with 503 or a dropped connection.</summary>
    public int FailedCalls => Volatile.Read(ref _failedCalls);

    public static async Task<MintServiceStub> StartAsync()
    {
        var stub = new MintServiceStub();
        stub._service = await LoopbackService.StartAsync(app =>
        {
            app.MapPost("/mints", (Delegate)stub.PostAsync);
            app.MapGet("/mints/{mintId}", (Delegate)stub.Get);
        });
        return stub;
    }

    private async Task<IResult> PostAsync(HttpContext context)
    {
        if (Refuse(context) is { } refused)
            return refused;
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
        var operationId = body["operation_id"]!.GetValue<string>();
        if (context.Request.Headers["Idempotency-Key"] != operationId)
            return Results.BadRequest(new { error = "Idempotency-Key must equal operation_id" });
        _postsByOperation.AddOrUpdate(operationId, 1, (_, n) => n + 1);
        var mintId = _mintByOperation.GetOrAdd(operationId, _ => $"mint_{Guid.NewGuid():N}");
        _itemsByMint.TryAdd(mintId, body["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList());
        if (PostDelay > TimeSpan.Zero)
            await Task.Delay(PostDelay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        return Results.Json(new { mint_id = mintId }, statusCode: 202);
    }

    private IResult Get(string mintId, HttpContext context)
    {
        if (Refuse(context) is { } refused)
            return refused;
        if (!_itemsByMint.TryGetValue(mintId, out var items))
            return Results.NotFound();
        return Outcome == "completed"
            ? Results.Json(new { status = "completed", tx_hash = $"0x{mintId}", mint_addresses = items.ToDictionary(i => i, i => $"addr-{i}") })
            : Results.Json(new { status = Outcome, tx_hash = (string?)null, mint_addresses = new Dictionary<string, string>() });
    }

    private IResult? Refuse(HttpContext context)
    {
        switch (Mode)
        {
            case MintServiceMode.Unavailable:
                Interlocked.Increment(ref _failedCalls);
                return Results.StatusCode(503);
            case MintServiceMode.Down:
                Interlocked.Increment(ref _failedCalls);
                context.Abort();
                return Results.Empty;
            default:
                return null;
        }
    }

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
