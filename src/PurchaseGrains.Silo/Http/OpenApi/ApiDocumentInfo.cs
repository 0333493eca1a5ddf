using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>The document's title, description and tag descriptions; server addresses without a trailing slash.</summary>
public sealed class ApiDocumentInfo : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        [Tags.VendingMachine] = "The Phygitals partner API v1: packs, buying, inventory, buyback, card lookup.",
        [Tags.Shipping] = "The Phygitals partner API v1: ship pulled cards home (quotes, orders, tracking).",
        [Tags.PackAdministration] = "Create packs and add cards to their pools (admin keys).",
        [Tags.Listings] = "Phosphor listings: fixed-price offers that purchase intents buy from.",
        [Tags.PurchaseIntents] = "Phosphor purchase intents: hold stock until paid, expired or cancelled.",
        [Tags.Webhooks] = "Payment provider callbacks, authenticated by their signature instead of an API key.",
        [Tags.SandboxPayments] = "Change a sandbox PaymentIntent provider-side, without a webhook (admin keys).",
        [Tags.Health] = "Liveness and readiness probes.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "PurchaseGrains",
            Version = "v1",
            Description = "Purchase orchestration: the vending machine (Phygitals partner API v1) and listings with purchase "
                + "intents (Phosphor). Every error answers {\"error\": \"<message>\"}. The reference is docs/api.md in the repository.",
        };
        foreach (var server in document.Servers ?? [])
            server.Url = server.Url?.TrimEnd('/');
        document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
        return Task.CompletedTask;
    }
}

/// <summary>The OpenAPI tags the routes are grouped under.</summary>
public static class Tags
{
    public const string VendingMachine = "Vending machine";
    public const string Shipping = "Shipping";
    public const string PackAdministration = "Pack administration";
    public const string Listings = "Listings";
    public const string PurchaseIntents = "Purchase intents";
    public const string Webhooks = "Webhooks";
    public const string SandboxPayments = "Sandbox payments";
    public const string Health = "Health";
}
