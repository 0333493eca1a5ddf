using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Shipping;

public enum CarrierMode { Up, Failing, Down }

/// <summary>
/// A real HTTP carrier on loopback (API.md section A2): <c>POST /rates</c>; <c>POST /shipments</c> → 202
/// {shipment_id}, the same shipment for a repeated Idempotency-Key; <c>GET /shipments/{id}</c> → the status the test
/// set. Switches make it slow, answer 500/503, or drop connections.
/// </summary>
public sealed class CarrierServiceStub : IAsyncDisposable
{
    private LoopbackService _service = null!;
    private readonly ConcurrentDictionary<string, string> _shipmentByOrder = new();
    private readonly ConcurrentDictionary<string, int> _postsByOrder = new();
    private int _failedCalls;
    private int _statusCalls;

    public Uri BaseUrl => _service.BaseUrl;

    public CarrierMode Mode { get; set; } = CarrierMode.Up;

    /// <summary>How long every answer waits (a slow carrier).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>How long <c>POST /shipments</c> waits after creating the shipment before it answers (to outlast a client timeout).</summary>
    public TimeSpan CreateDelay { get; set; } = TimeSpan.Zero;

    /// <summary>What <c>GET /shipments/{id}</c> reports for every shipment.</summary>
    public string Status { get; set; } = "pending";

    public string? ErrorMessage { get; set; }

    public int ShipmentsCreated => _shipmentByOrder.Count;

    public int PostsFor(string orderId) => _postsByOrder.GetValueOrDefault(orderId);

    public int FailedCalls => Volatile.Read(ref _failedCalls);

    public int StatusCalls => Volatile.Read(ref _statusCalls);

    public static async Task<CarrierServiceStub> StartAsync()
    {
        var stub = new CarrierServiceStub();
        stub._service = await LoopbackService.StartAsync(app =>
        {
            app.MapPost("/rates", (Delegate)stub.RatesAsync);
            app.MapPost("/shipments", (Delegate)stub.CreateAsync);
            app.MapGet("/shipments/{shipmentId}", (Delegate)stub.GetAsync);
        });
        return stub;
    }

    private async Task<IResult> RatesAsync(HttpContext context)
    {
        if (await RefuseAsync(context) is { } refused)
            return refused;
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
        var count = body["item_count"]!.GetValue<int>();
        return Results.Json(new
        {
            rates = new[]
            {
                new { carrier = "loopback", service = "ground", amount = 7.5m + count, estimated_days_min = 2, estimated_days_max = 4, insured = false },
            },
        });
    }

    private async Task<IResult> CreateAsync(HttpContext context)
    {
        if (await RefuseAsync(context) is { } refused)
            return refused;
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
        var orderId = body["order_id"]!.GetValue<string>();
        if (context.Request.Headers["Idempotency-Key"] != orderId)
            return Results.BadRequest(new { error = "Idempotency-Key must equal order_id" });
        _postsByOrder.AddOrUpdate(orderId, 1, (_, n) => n + 1);
        var shipmentId = _shipmentByOrder.GetOrAdd(orderId, _ => $"shp_{Guid.NewGuid():N}");
        if (CreateDelay > TimeSpan.Zero)
            await Task.Delay(CreateDelay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        return Results.Json(new { shipment_id = shipmentId }, statusCode: 202);
    }

    private async Task<IResult> GetAsync(string shipmentId, HttpContext context)
    {
        if (await RefuseAsync(context) is { } refused)
            return refused;
        Interlocked.Increment(ref _statusCalls);
        if (!_shipmentByOrder.Values.Contains(shipmentId))
            return Results.NotFound();
        var tracking = Status is "shipped" or "delivered" ? $"TRK-{shipmentId}" : null;
        return Results.Json(new
        {
            status = Status,
            tracking_number = tracking,
            tracking_url = tracking is null ? null : $"https://carrier.example/track/{tracking}",
            error_message = Status == "error" ? ErrorMessage : null,
        });
    }

    private async Task<IResult?> RefuseAsync(HttpContext context)
    {
        if (Delay > TimeSpan.Zero)
            await Task.Delay(Delay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        switch (Mode)
        {
            case CarrierMode.Failing:
                // Alternate between a crash and an overload, as a struggling service does.
                return Results.StatusCode(Interlocked.Increment(ref _failedCalls) % 2 == 0 ? 500 : 503);
            case CarrierMode.Down:
                Interlocked.Increment(ref _failedCalls);
                context.Abort();
                return Results.Empty;
            default:
                return null;
        }
    }

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
