using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PurchaseGrains.Grains;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;
using Orleans;
using PurchaseGrains.Storage;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary><c>/v1/listings</c>: admins create and patch; any key of the partner reads.</summary>
public static class ListingEndpoints
{
    public static RouteGroupBuilder MapListingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/listings").WithTags(Tags.Listings).RequireApiKey();
        group.MapPost("/", Create).RequireAdminKey().WithName("CreateListing").WithSummary("Create a listing")
            .ProducesErrors(StatusCodes.Status400BadRequest);
        group.MapGet("/", List).WithName("ListListings").WithSummary("The partner's listings, keyset-paged")
            .ProducesErrors(StatusCodes.Status400BadRequest).WithQueryParameters(ListQueryParameters.Page);
        group.MapGet("/{id}", Get).WithName("GetListing").WithSummary("One listing")
            .ProducesErrors(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", Patch).RequireAdminKey().WithName("PatchListing").WithSummary("Change a listing's policy or window")
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .AddOpenApiOperationTransformer(ListingOpenApi.DescribePatchBody);
        return group;
    }

    private static async Task<Results<Created<ListingView>, JsonHttpResult<ApiError>>> Create(
        ListingDraft draft, Caller caller, IGrainFactory grains, TimeProvider clock)
    {
        var (definition, error) = ListingValidator.Validate(draft, clock.GetUtcNow());
        if (definition is null)
            return ApiErrors.Status(StatusCodes.Status400BadRequest, error!);
        var id = Guid.NewGuid().ToString();
        var listing = await grains.GetGrain<IListingGrain>(id).Create(caller.Partner, definition);
        return TypedResults.Created($"/v1/listings/{id}", ListingView.From(listing, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<PagedResponse<ListingView>>, JsonHttpResult<ApiError>>> List(
        HttpRequest request, Caller caller, IIndexQueries index, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (page, error) = PageRequest.Parse(request.Query.ToQueryValues());
        if (page is null)
            return ApiErrors.Status(StatusCodes.Status400BadRequest, error!);
        var found = await KeysetPage.ReadAsync(index, ListingTables.Listings.Name, ["partner = @partner"],
            new Dictionary<string, object?> { ["partner"] = caller.Partner }, page, cancellationToken);
        var now = clock.GetUtcNow();
        var results = found.Documents.Select(d => WireJson.Deserialize<ListingView>(d).AsOf(now)).ToList();
        return TypedResults.Ok(new PagedResponse<ListingView>(found.Cursor, found.HasMore, results, found.TotalResults));
    }

    private static async Task<Results<Ok<ListingView>, JsonHttpResult<ApiError>>> Get(
        string id, Caller caller, IGrainFactory grains, TimeProvider clock)
    {
        var listing = string.IsNullOrWhiteSpace(id) ? null : await grains.GetGrain<IListingGrain>(id).Get(caller.Partner);
        return listing is null
            ? ApiErrors.Status(StatusCodes.Status404NotFound, "Listing not found")
            : TypedResults.Ok(ListingView.From(listing, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<ListingView>, JsonHttpResult<ApiError>>> Patch(
        string id, JsonElement body, Caller caller, IGrainFactory grains, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(id))
            return ApiErrors.Status(StatusCodes.Status404NotFound, "Listing not found");
        var (listing, refusal) = await grains.GetGrain<IListingGrain>(id).Patch(caller.Partner, new ListingPatch(body.Clone()));
        return listing is null ? refusal!.ToResult() : TypedResults.Ok(ListingView.From(listing, clock.GetUtcNow()));
    }
}
