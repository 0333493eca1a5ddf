using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary>The part of a Stripe event the webhook reads (it verifies the signature over the raw body first).</summary>
public sealed record StripeEventBody(string Id, string Type, StripeEventData Data);

public sealed record StripeEventData(StripeEventObject Object);

/// <summary>The PaymentIntent; <c>metadata.purchase_intent_id</c> names the intent, else the PaymentIntent's own metadata does.</summary>
public sealed record StripeEventObject(string Id, IReadOnlyDictionary<string, string>? Metadata);

public static class StripeWebhookOpenApi
{
    public static async Task DescribeRequest(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        await JsonRequestBody.DescribeAsync<StripeEventBody>(operation, context,
            "A payment_intent.succeeded or payment_intent.payment_failed event, as Stripe sends it.", cancellationToken);
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = StripeWebhookEndpoints.SignatureHeader,
            In = ParameterLocation.Header,
            Required = true,
            Description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\" with the webhook secret>; older than Payments:Stripe:SignatureTolerance (5 minutes) is refused.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }
}
