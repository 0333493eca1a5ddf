using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// What the middleware in front of the handlers can answer, declared on each route it applies to, so the OpenAPI
/// document lists those answers next to the handler's own. Each rule mirrors the condition its middleware checks.
/// </summary>
public static class PipelineAnswers
{
    public static TBuilder WithPipelineAnswers<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>()
                .Where(m => m.Type == typeof(ApiError)).Select(m => m.StatusCode).ToHashSet();
            foreach (var statusCode in StatusCodesFor(endpoint.Metadata).Where(declared.Add))
                endpoint.Metadata.Add(ErrorResponses.For(statusCode));
        });
        return builder;
    }

    public static SortedSet<int> StatusCodesFor(IEnumerable<object> metadata)
    {
        // QueryTextMiddleware: a NUL in the query string, on any route.
        var statusCodes = new SortedSet<int> { StatusCodes.Status400BadRequest };
        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            // A JSON body: malformed, of the wrong shape, or too large (ErrorEnvelopeMiddleware), or not JSON at all.
            statusCodes.Add(StatusCodes.Status400BadRequest);
            statusCodes.Add(StatusCodes.Status415UnsupportedMediaType);
        }
        if (metadata.OfType<ApiKeyRequirement>().LastOrDefault() is not { } key)
            return statusCodes;

        // ApiKeyMiddleware.
        statusCodes.Add(StatusCodes.Status401Unauthorized);
        if (key.AdminOnly)
            statusCodes.Add(StatusCodes.Status403Forbidden);
        // ErrorEnvelopeMiddleware: every keyed route reaches grains, and through them storage, which may be unavailable.
        statusCodes.Add(StatusCodes.Status503ServiceUnavailable);
        if (IsPost(metadata))
        {
            // IdempotencyMiddleware: a key too long, the same key still running (409) or used with another body (422).
            statusCodes.Add(StatusCodes.Status400BadRequest);
            statusCodes.Add(StatusCodes.Status409Conflict);
            statusCodes.Add(StatusCodes.Status422UnprocessableEntity);
        }
        return statusCodes;
    }

    public static bool IsPost(IEnumerable<object> metadata) =>
        metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods.Contains(HttpMethods.Post) == true;
}
