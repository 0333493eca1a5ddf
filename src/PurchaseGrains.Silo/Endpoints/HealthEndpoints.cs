using Microsoft.AspNetCore.Http.HttpResults;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Silo.Endpoints;

public sealed record HealthStatus(string Status);

public static class HealthEndpoints
{
    private static readonly TimeSpan ReadyProbeTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live")));
        group.MapGet("/ready", Ready);
        return app;
    }

    private static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> Ready(IStorageHealth storage, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyProbeTimeout);
        return await storage.IsReadyAsync(timeout.Token)
            ? TypedResults.Ok(new HealthStatus("ready"))
            : TypedResults.Json(new HealthStatus("storage unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
