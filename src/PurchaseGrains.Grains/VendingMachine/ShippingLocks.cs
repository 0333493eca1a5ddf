namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>
/// Items of one inventory locked to a shipping order, all or none. Every step names its order, so a repeated or late
/// call for an order changes nothing another order holds.
/// </summary>
public static class ShippingLocks
{
    /// <summary>The entries when every one of <paramref name="itemIds"/> is owned and free to ship; else null.</summary>
    public static List<InventoryEntry>? Shippable(IReadOnlyList<InventoryEntry> items, IReadOnlyCollection<string> itemIds)
    {
        var entries = Find(items, itemIds);
        return entries is not null && entries.All(e => e.Status == OwnedItemStatus.Owned) ? entries : null;
    }

    /// <summary>Locks every item to the order, or none when one is not free (a repeat for the same order is true, and changes nothing).</summary>
    public static bool TryLock(IReadOnlyList<InventoryEntry> items, string orderId, IReadOnlyCollection<string> itemIds, out bool changed)
    {
        changed = false;
        var entries = Find(items, itemIds);
        if (entries is null || !entries.All(e => e.Status == OwnedItemStatus.Owned || IsLockedTo(e, orderId)))
            return false;
        foreach (var entry in entries.Where(e => e.Status == OwnedItemStatus.Owned))
        {
            entry.Status = OwnedItemStatus.InShippingOrder;
            entry.ShippingOrderId = orderId;
            changed = true;
        }
        return true;
    }

    /// <summary>The order's items back to owned. True when something changed (once per order).</summary>
    public static bool Release(IReadOnlyList<InventoryEntry> items, string orderId) => Move(items, orderId, OwnedItemStatus.Owned);

    /// <summary>The order's items have left with the carrier. True when something changed.</summary>
    public static bool Ship(IReadOnlyList<InventoryEntry> items, string orderId) => Move(items, orderId, OwnedItemStatus.Shipped);

    private static bool Move(IReadOnlyList<InventoryEntry> items, string orderId, OwnedItemStatus to)
    {
        var changed = false;
        foreach (var entry in items.Where(e => IsLockedTo(e, orderId)))
        {
            entry.Status = to;
            if (to == OwnedItemStatus.Owned)
                entry.ShippingOrderId = null;
            changed = true;
        }
        return changed;
    }

    private static bool IsLockedTo(InventoryEntry entry, string orderId) =>
        entry.Status == OwnedItemStatus.InShippingOrder && entry.ShippingOrderId == orderId;

    /// <summary>The entries of the items; null when one of them is not in this inventory.</summary>
    private static List<InventoryEntry>? Find(IReadOnlyList<InventoryEntry> items, IReadOnlyCollection<string> itemIds)
    {
        var wanted = itemIds.ToHashSet(StringComparer.Ordinal);
        var entries = items.Where(e => wanted.Contains(e.Item.Id)).ToList();
        return entries.Count == wanted.Count ? entries : null;
    }
}
