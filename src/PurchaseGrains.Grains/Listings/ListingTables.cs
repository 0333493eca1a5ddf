using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.Listings;

/// <summary>Index tables the listing grain writes with its state.</summary>
public static class ListingTables
{
    /// <summary>One row per listing: its wire document, for <c>GET /v1/listings</c>.</summary>
    public static readonly IndexTable Listings = new("listing_index",
        [
            new("partner", IndexColumnType.Text),
            new("created_at", IndexColumnType.Integer),
            new("document", IndexColumnType.Text),
        ],
        [new("ix_listing_index_partner_created", "partner", "created_at", "grain_key")]);

    /// <summary>
    /// One row per intent that ever touched a listing (key: intent id): the ledger that makes hold, release and sell
    /// idempotent and answers per-buyer totals, kept out of the listing's own (small) state.
    /// </summary>
    public static readonly IndexTable Holds = new("listing_holds",
        [
            new("listing_id", IndexColumnType.Text),
            new("buyer", IndexColumnType.Text),
            new("quantity", IndexColumnType.Integer),
            new("state", IndexColumnType.Text),
            new("bucket", IndexColumnType.Text),
        ],
        // Buyer first: a buyer's total can then only be found through its own entries. With the listing first, a
        // generic plan made while the table was small (stale statistics) scanned the listing's every line per batch.
        [new("ix_listing_holds_buyer_listing", "buyer", "listing_id")])
    {
        RetiredIndexes = ["ix_listing_holds_listing_buyer"],
    };
}
