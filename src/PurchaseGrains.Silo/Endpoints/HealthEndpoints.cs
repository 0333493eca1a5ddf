using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Runtime;
using PurchaseGrains.Silo.Http.OpenApi;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Silo.Endpoints;

public sealed record HealthStatus(string Status);

/// <summary>
/// Readiness: this silo's membership status (<c>Active</c> only once it has joined the cluster, and no longer once it
/// starts leaving), the silos the cluster sees as active, and the storage.
/// </summary>
public sealed record ReadyStatus(string Status, string Silo, int ActiveSilos, string Storage);

public static class HealthEndpoints
{
    private static readonly TimeSpan ReadyProbeTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags(Tags.Health);
        group.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live"))).WithName("Live").WithSummary("Liveness: the process answers");
        group.MapGet("/ready", Ready).WithName("Ready").WithSummary("Readiness: the silo is active and storage answers")
            .Produces<ReadyStatus>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<ReadyStatus>, JsonHttpResult<ReadyStatus>>> Ready(IStorageHealth storage,
        IClusterMembershipService membership, ILocalSiloDetails silo, CancellationToken cancellationToken)
    {
        var snapshot = membership.CurrentSnapshot;
        var siloStatus = snapshot.GetSiloStatus(silo.SiloAddress);
        var activeSilos = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyProbeTimeout);
        var storageReady = await storage.IsReadyAsync(timeout.Token);

        var problem = (siloStatus, storageReady) switch
        {
            (not SiloStatus.Active, _) => $"silo {siloStatus.ToString().ToLowerInvariant()}",
            (_, false) => "storage unavailable",
            _ => null,
        };
        var answer = new ReadyStatus(problem ?? "ready", siloStatus.ToString(), activeSilos, storageReady ? "ready" : "unavailable");
        return problem is null
            ? TypedResults.Ok(answer)
            : TypedResults.Json(answer, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
