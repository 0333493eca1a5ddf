using Orleans;
namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>A purchase intent on the wire (the Phosphor retrieval page's fields, plus quantity and item/collection ids).</summary>
[GenerateSerializer, Immutable, Alias("pi.PurchaseIntentView")]
public sealed record PurchaseIntentView(
    string Id,
    DateTimeOffset CreatedAt,
    string? Email,
    string? EthAddress,
    DateTimeOffset Expiration,
    string FulfillmentMethod,
    string FulfillmentStatus,
    IReadOnlyList<string>? ItemClaimIds,
    string ListingId,
    string? ItemId,
    string? CollectionId,
    int Quantity,
    string PaymentProvider,
    ProviderPrice ProviderPrice,
    string Status,
    string? StripePaymentIntentId,
    IReadOnlyList<string>? TransactionIds);

[GenerateSerializer, Immutable, Alias("pi.ProviderPrice")]
public sealed record ProviderPrice(string Currency, long Price);

/// <summary>The <c>data</c> of a STRIPE intent's creation response.</summary>
[GenerateSerializer, Immutable, Alias("pi.StripeIntentData")]
public sealed record StripeIntentData(string AccountId, string ClientSecret, string Id, string Mode, ProviderPrice ProviderPrice, string PublishableKey);

/// <summary>The answer to <c>POST /v1/purchase-intents</c>: <c>{id, expires_at, data}</c>.</summary>
[GenerateSerializer, Immutable, Alias("pi.CreatedIntentView")]
public sealed record CreatedIntentView(string Id, DateTimeOffset ExpiresAt, object Data);
