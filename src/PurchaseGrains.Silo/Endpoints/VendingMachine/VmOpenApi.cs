using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.VendingMachine;

/// <summary>What the document cannot infer about the vending-machine routes.</summary>
public static class VmOpenApi
{
    public static readonly IReadOnlyList<QueryParameter> AvailableQuery =
    [
        new("platform", "Only the packs of this platform (for example mainnet); every pack when missing."),
    ];

    /// <summary><c>limit</c> is bound as text, because a value that is not a number means the default rather than a 400.</summary>
    public static readonly IReadOnlyList<QueryParameter> RecentPullsQuery =
    [
        new("claw_ids", "Only pulls from these packs; repeated or comma separated.", Repeatable: true),
        new("limit", $"How many pulls; clamped to 1..100, and a missing or non-numeric value means {VendingMachineEndpoints.DefaultPullLimit}.",
            JsonSchemaType.Integer, Minimum: 1, Maximum: 100,
            Default: VendingMachineEndpoints.DefaultPullLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    /// <summary><c>buy/status</c> answers 200 with either shape: the fulfilled result, or <c>{"status":"pending"}</c>.</summary>
    public static async Task DescribeBuyStatusAnswers(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var fulfilled = await ComponentAsync<BuyStatusFulfilled>(document, context, cancellationToken);
        var pending = await ComponentAsync<BuyStatusPending>(document, context, cancellationToken);
        var ok = operation.Responses![StatusCodes.Status200OK.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        ok.Content!["application/json"].Schema = new OpenApiSchema { OneOf = [fulfilled, pending] };
    }

    private static async Task<OpenApiSchemaReference> ComponentAsync<T>(OpenApiDocument document, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        var name = typeof(T).Name;
        if (document.Components?.Schemas?.ContainsKey(name) != true)
            document.AddComponent(name, await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken));
        return new OpenApiSchemaReference(name, document);
    }
}
