using Microsoft.AspNetCore.Http.HttpResults;
using PurchaseGrains.Grains.PurchaseIntents;
using Orleans;
using PurchaseGrains.Storage;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary><c>/v1/purchase-intents</c>: create, list (filtered, keyset-paged), retrieve, cancel.</summary>
public static class PurchaseIntentEndpoints
{
    public static RouteGroupBuilder MapPurchaseIntentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/purchase-intents").WithTags(Tags.PurchaseIntents).RequireApiKey();
        group.MapPost("/", Create).WithName("CreatePurchaseIntent").WithSummary("Create a purchase intent, holding stock of a listing")
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict);
        group.MapGet("/", List).WithName("ListPurchaseIntents").WithSummary("The partner's purchase intents, filtered and keyset-paged")
            .Produces<PagedResponse<PurchaseIntentView>>(StatusCodes.Status200OK)
            .ProducesErrors(StatusCodes.Status400BadRequest).WithQueryParameters([.. ListQueryParameters.IntentFilters, .. ListQueryParameters.Page]);
        group.MapGet("/{id}", Get).WithName("GetPurchaseIntent").WithSummary("One purchase intent")
            .ProducesErrors(StatusCodes.Status404NotFound);
        // Safe to run again after a handover: the grain knows the request that cancelled it and answers it 204 again.
        group.MapDelete("/{id}", Cancel).WithName("CancelPurchaseIntent").WithSummary("Cancel a PENDING purchase intent")
            .ProducesErrors(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).SafeToRunAgain();
        return group;
    }

    private static async Task<Results<Created<CreatedIntentView>, JsonHttpResult<ApiError>>> Create(
        IntentRequest request, Caller caller, IGrainFactory grains, MintedStateRows minted)
    {
        var (intent, refusal) = IntentRequestRules.Check(request, NewIntentId(), caller.Partner);
        if (intent is null)
            return refusal!.ToResult();
        minted.Add(new StateRowId(PurchaseIntentGrain.TypeName, intent.IntentId));
        var result = await grains.GetGrain<IPurchaseIntentGrain>(intent.IntentId).Create(intent);
        return result.Created is { } created
            ? TypedResults.Created($"/v1/purchase-intents/{created.Id}", created)
            : result.Refusal!.ToResult();
    }

    private static async Task<Results<Ok<PagedResponse<RawJson>>, JsonHttpResult<ApiError>>> List(
        HttpRequest request, Caller caller, IIndexQueries index, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (query, error) = IntentQuery.Parse(request.Query.ToQueryValues());
        if (query is null)
            return ApiErrors.Status(StatusCodes.Status400BadRequest, error!);
        var page = await PurchaseIntentIndex.SearchAsync(index, caller.Partner, query, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(new PagedResponse<RawJson>(page.Cursor, page.HasMore,
            page.Documents.Select(d => new RawJson(d)).ToList(), page.TotalResults));
    }

    private static async Task<Results<Ok<PurchaseIntentView>, JsonHttpResult<ApiError>>> Get(string id, Caller caller, IGrainFactory grains)
    {
        var intent = string.IsNullOrWhiteSpace(id) ? null : await grains.GetGrain<IPurchaseIntentGrain>(id).Get(caller.Partner);
        return intent is null ? NotFound() : TypedResults.Ok(intent);
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> Cancel(string id, Caller caller, IGrainFactory grains,
        HttpContext http) =>
        (string.IsNullOrWhiteSpace(id) ? CancelOutcome.NotFound
            : await grains.GetGrain<IPurchaseIntentGrain>(id).Cancel(caller.Partner, RequestId(http))) switch
        {
            CancelOutcome.Cancelled => TypedResults.NoContent(),
            CancelOutcome.NotPending => ApiErrors.Status(StatusCodes.Status409Conflict, "Only PENDING purchase intents can be cancelled"),
            _ => NotFound(),
        };

    /// <summary>This request's own id, the same in every run of its handler.</summary>
    private static string RequestId(HttpContext http) => (string)(http.Items[RequestIdKey] ??= Guid.NewGuid().ToString("N"));

    private static readonly object RequestIdKey = new();

    /// <summary>A UUID whose leading bits are the time (version 7): new intents' keys land at the right edge of every
    /// primary-key index instead of on a random page.</summary>
    private static string NewIntentId() => Guid.CreateVersion7().ToString();

    private static JsonHttpResult<ApiError> NotFound() => ApiErrors.Status(StatusCodes.Status404NotFound, "Purchase intent not found");
}
