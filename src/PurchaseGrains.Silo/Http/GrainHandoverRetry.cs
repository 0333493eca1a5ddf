using PurchaseGrains.Silo.Idempotency;

namespace PurchaseGrains.Silo.Http;

/// <summary>
/// Runs a handler again when one of its grain calls failed with a <see cref="GrainHandover"/>, where that is safe:
/// a read (GET, HEAD); a POST run under its Idempotency-Key, which is the run the client's own retry with that key
/// would make (the key's record stays this run's, and the handlers derive their ids from the key); a route marked
/// <see cref="SafeToRunAgain{TBuilder}"/> (the Stripe webhook; an intent's DELETE, which the intent recognises by its
/// request id). Any other request is answered the 503 at once, for its client to decide: a keyless POST, say, whose
/// first run may have happened, would be run twice.
/// </summary>
public static class GrainHandoverRetry
{
    public static TBuilder RetryGrainHandovers<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(RunAsync);

    /// <summary>Declares that running the handler twice for one request does what running it once does.</summary>
    public static TBuilder SafeToRunAgain<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(SafeToRunAgainMetadata.Instance);

    private static async ValueTask<object?> RunAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var markedSafe = http.GetEndpoint()?.Metadata.GetMetadata<SafeToRunAgainMetadata>() is not null;
        if (!markedSafe && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && http.Features.Get<IdempotentRun>() is null)
            return await next(context);
        // A marked handler may read the body itself: it reads it again from the start. (A keyed POST's body is
        // buffered by IdempotencyMiddleware, and bound before this filter runs.)
        if (markedSafe)
            http.Request.EnableBuffering();
        return await GrainHandover.RetryAsync(() => next(context).AsTask(), handover =>
        {
            if (http.Response.HasStarted)
                return false;
            GrainHandover.LogRetry(http, handover);
            if (http.Request.Body.CanSeek)
                http.Request.Body.Position = 0;
            return true;
        }, http.RequestAborted);
    }

    private sealed class SafeToRunAgainMetadata
    {
        public static readonly SafeToRunAgainMetadata Instance = new();
    }
}
