using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary>Phosphor listings and purchase intents (API.md B), with the payment provider of API.md D.</summary>
public static class PurchaseIntentsFeature
{
    public static WebApplicationBuilder AddPurchaseIntents(this WebApplicationBuilder builder)
    {
        builder.Services.AddPurchaseIntentGrains();
        return builder;
    }

    public static IEndpointRouteBuilder MapPurchaseIntents(this IEndpointRouteBuilder app)
    {
        app.MapListingEndpoints();
        app.MapPurchaseIntentEndpoints();
        app.MapStripeWebhookEndpoints();
        app.MapSandboxPaymentEndpoints();
        return app;
    }
}
