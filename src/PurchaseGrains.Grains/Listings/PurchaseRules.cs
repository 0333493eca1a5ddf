using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Grains.Listings;

/// <summary>Whether a listing lets this buyer take this quantity now. Buyer fields are checked by <see cref="BuyerRules"/> first.</summary>
public static class PurchaseRules
{
    /// <param name="buyerAlreadyHas">Units this buyer holds or bought on the listing; null when not known yet (pre-check).</param>
    public static PurchaseRefusal? Check(ListingSnapshot listing, PaymentProvider provider, BuyerIdentity buyer, int quantity,
        long? buyerAlreadyHas, DateTimeOffset now)
    {
        var definition = listing.Definition;
        if (!definition.PaymentProviders.Contains(provider))
            return PurchaseRefusal.Invalid($"Payment provider {provider.ToWire()} is not accepted by this listing");
        if (quantity < 1)
            return PurchaseRefusal.Invalid("quantity must be at least 1");
        if (quantity > definition.MaxQuantityPerTx)
            return PurchaseRefusal.Invalid($"quantity must be at most {definition.MaxQuantityPerTx} per transaction");
        if (now < definition.StartTime)
            return PurchaseRefusal.Conflict("Listing has not started yet");
        if (definition.EndTime is { } end && now >= end)
            return PurchaseRefusal.Conflict("Listing has ended");
        if (!definition.Policy.Allows(buyer.Email))
            return PurchaseRefusal.Forbidden("Buyer is not on the listing's allow list");
        if (definition.Policy.MaxPerUser is { } max && buyerAlreadyHas is { } has && has + quantity > max)
            return PurchaseRefusal.Conflict($"Buyer would exceed the limit of {max} per user");
        if (quantity > listing.QuantityRemaining)
            return PurchaseRefusal.Conflict(listing.QuantityRemaining == 0
                ? "Listing is sold out"
                : $"Only {listing.QuantityRemaining} left on this listing");
        return null;
    }
}
