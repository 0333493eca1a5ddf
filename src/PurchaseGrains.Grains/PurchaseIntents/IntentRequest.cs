using Orleans;
namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>The body of <c>POST /v1/purchase-intents</c> as sent.</summary>
public sealed record IntentRequest(string? Provider, string? ListingId, int? Quantity, Buyer? Buyer);

/// <summary>A checked request: the provider is known and the buyer fits it.</summary>
[GenerateSerializer, Immutable, Alias("pi.NewIntent")]
public sealed record NewIntent(string IntentId, string Partner, PaymentProvider Provider, string ListingId, int Quantity, BuyerIdentity Buyer);

public static class IntentRequestRules
{
    public static (NewIntent? Intent, PurchaseRefusal? Refusal) Check(IntentRequest request, string intentId, string partner)
    {
        if (string.IsNullOrWhiteSpace(request.Provider))
            return Refuse("provider is required");
        if (!WireEnum<PaymentProvider>.TryParse(request.Provider, out var provider))
            return Refuse($"Unknown provider '{request.Provider}'; accepted values: {string.Join(", ", WireEnum<PaymentProvider>.AllNames)}");
        if (string.IsNullOrWhiteSpace(request.ListingId))
            return Refuse("listing_id is required");
        var quantity = request.Quantity ?? 1;
        if (quantity < 1)
            return Refuse("quantity must be at least 1");
        var (buyer, refusal) = BuyerRules.Resolve(provider, request.Buyer);
        if (buyer is null)
            return (null, refusal);
        return (new NewIntent(intentId, partner, provider, request.ListingId.Trim(), quantity, buyer), null);
    }

    private static (NewIntent?, PurchaseRefusal?) Refuse(string message) => (null, PurchaseRefusal.Invalid(message));
}
