using Orleans;

namespace PurchaseGrains.Grains.VendingMachine;

public static class InventoryKeys
{
    /// <summary>Users are per partner: the inventory grain key is <c>{partner}:{user_id}</c>.</summary>
    public static string For(string partner, string userId) => $"{partner}:{userId}";
}

/// <summary>An item as delivered to its owner; immutable.</summary>
[GenerateSerializer, Immutable, Alias("vm.OwnedItem")]
public sealed record OwnedItem(
    SessionItem Item,
    string PackId,
    string PackSlug,
    string SessionId,
    DateTimeOffset PurchasedAt,
    DateTimeOffset BuybackExpiresAt)
{
    public string Id => Item.Card.Id;
}

/// <summary>An item in a shipping order is locked to it; once the carrier ships it, it has left for good.</summary>
public enum OwnedItemStatus { Owned, BuybackPending, SoldBack, InShippingOrder, Shipped }

public sealed class InventoryEntry
{
    public OwnedItem Item { get; set; } = null!;
    public OwnedItemStatus Status { get; set; }
    public string? BuybackOperationId { get; set; }
    public DateTimeOffset? BuybackRequestedAt { get; set; }
    public DateTimeOffset? SoldBackAt { get; set; }
    public string? ShippingOrderId { get; set; }

    /// <summary>What the inventory shows: neither sold back nor in a shipping order nor shipped.</summary>
    public bool IsListed => Status is OwnedItemStatus.Owned or OwnedItemStatus.BuybackPending;
}

[GenerateSerializer, Alias("vm.BuybackDecision")]
public enum BuybackDecision { Start, NotFound, Expired, InProgress }

/// <summary>Whether an item may be sold back now. Sold back, or in a shipping order, counts as not found, as the API says.</summary>
public static class BuybackRules
{
    public static BuybackDecision Decide(InventoryEntry? entry, DateTimeOffset now) => entry switch
    {
        null or { Status: OwnedItemStatus.SoldBack or OwnedItemStatus.InShippingOrder or OwnedItemStatus.Shipped } => BuybackDecision.NotFound,
        { Status: OwnedItemStatus.BuybackPending } => BuybackDecision.InProgress,
        _ when now >= entry.Item.BuybackExpiresAt => BuybackDecision.Expired,
        _ => BuybackDecision.Start,
    };

    /// <summary>Pending → sold back, only for the operation that started it. False when it is not (or no longer) that one.</summary>
    public static bool Complete(InventoryEntry entry, string operationId, DateTimeOffset now)
    {
        if (entry.Status != OwnedItemStatus.BuybackPending || entry.BuybackOperationId != operationId)
            return false;
        entry.Status = OwnedItemStatus.SoldBack;
        entry.SoldBackAt = now;
        return true;
    }
}
