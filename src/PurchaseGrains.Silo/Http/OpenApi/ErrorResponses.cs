namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// Declares the <c>{"error"}</c> answers a route can give. A handler's <c>JsonHttpResult&lt;ApiError&gt;</c> carries no
/// status of its own, so each route names its statuses where it is mapped and the OpenAPI document lists them.
/// </summary>
public static class ErrorResponses
{
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata([.. statusCodes.Select(For)]);

    public static ProducesResponseTypeMetadata For(int statusCode) => new(statusCode, typeof(ApiError), ["application/json"]);
}
