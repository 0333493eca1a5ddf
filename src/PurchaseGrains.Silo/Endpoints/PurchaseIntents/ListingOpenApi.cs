using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary>The fields <c>PATCH /v1/listings/{id}</c> may change, each optional (the handler reads the body as JSON).</summary>
public sealed class ListingPatchBody
{
    /// <summary>Changes to the policy; its type cannot change.</summary>
    public PolicyDraft? Policy { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    /// <summary>null: the listing never ends.</summary>
    public DateTimeOffset? EndTime { get; init; }
}

public static class ListingOpenApi
{
    public static Task DescribePatchBody(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken) =>
        JsonRequestBody.DescribeAsync<ListingPatchBody>(operation, context,
            "Only policy (not its type), start_time and end_time; any other field is refused with 400.", cancellationToken);
}
