using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Grains.PurchaseIntents;
using Orleans;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

public sealed record WebhookReceived(bool Received);

/// <summary>
/// <c>POST /v1/webhooks/stripe</c>: authenticated by its <c>Stripe-Signature</c> over the raw body (no API key).
/// Forged, stale, malformed or unknown events are refused with 400; a redelivered event changes nothing.
/// </summary>
public static class StripeWebhookEndpoints
{
    public const string SignatureHeader = "Stripe-Signature";
    private const int MaxBodyBytes = 256 * 1024;

    public static RouteHandlerBuilder MapStripeWebhookEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/webhooks/stripe", Receive).WithTags(Tags.Webhooks).WithName("ReceiveStripeWebhook")
            .WithSummary("Receive a signed Stripe event").ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(StripeWebhookOpenApi.DescribeRequest).SafeToRunAgain();

    private static async Task<Results<Ok<WebhookReceived>, JsonHttpResult<ApiError>>> Receive(
        HttpRequest request, IOptions<PaymentOptions> options, TimeProvider clock, IGrainFactory grains, IPaymentProvider payments,
        CancellationToken cancellationToken)
    {
        var stripe = options.Value.Stripe;
        if (string.IsNullOrEmpty(stripe.WebhookSecret))
            return ApiErrors.Status(StatusCodes.Status503ServiceUnavailable, "Stripe webhooks are not configured");
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
            return Refuse("Request body too large");

        var check = StripeSignature.Verify(request.Headers[SignatureHeader].ToString(), body, stripe.WebhookSecret,
            clock.GetUtcNow(), stripe.SignatureTolerance);
        switch (check)
        {
            case SignatureCheck.Missing: return Refuse("Missing Stripe-Signature header");
            case SignatureCheck.Malformed: return Refuse("Malformed Stripe-Signature header");
            case SignatureCheck.Mismatch: return Refuse("Invalid Stripe signature");
            case SignatureCheck.OutsideTolerance: return Refuse("Stripe signature timestamp is outside the tolerance");
        }

        var (paymentEvent, error) = StripeEvent.Parse(body);
        if (paymentEvent is null)
            return Refuse(error!);
        // An event without our metadata: the PaymentIntent itself carries it (set when we created it).
        var intentId = paymentEvent.PurchaseIntentId
            ?? (await payments.GetAsync(paymentEvent.PaymentIntentId, cancellationToken))?.Metadata.GetValueOrDefault(StripeEvent.PurchaseIntentMetadataKey);
        if (string.IsNullOrWhiteSpace(intentId)
            || await grains.GetGrain<IPurchaseIntentGrain>(intentId).ApplyPaymentEvent(paymentEvent) == PaymentEventOutcome.UnknownPaymentIntent)
            return Refuse("Unknown payment intent");
        return TypedResults.Ok(new WebhookReceived(true));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static JsonHttpResult<ApiError> Refuse(string message) => ApiErrors.Status(StatusCodes.Status400BadRequest, message);
}
