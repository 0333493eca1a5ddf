using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// <c>purchase_intent_index</c>: one row per intent, written in the same transaction as its state, holding every
/// filterable field and the wire document. Listing is served from here, never from grain payloads.
/// Every index leads with <c>partner</c> (all queries are per partner) and ends with (created_at, grain_key), so
/// equality filters on the leading columns give rows already in keyset order: a page is a short range scan and
/// the count an index-only scan of the matching range.
/// </summary>
public static class PurchaseIntentIndex
{
    public const string TableName = "purchase_intent_index";

    public static readonly IndexTable Table = new(TableName,
        [
            new("partner", IndexColumnType.Text),
            new("created_at", IndexColumnType.Integer),
            new("listing_id", IndexColumnType.Text),
            new("item_id", IndexColumnType.Text),
            new("collection_id", IndexColumnType.Text),
            new("status", IndexColumnType.Text),
            new("email", IndexColumnType.Text),
            new("eth_address", IndexColumnType.Text),
            new("fulfillment_status", IndexColumnType.Text),
            new("fulfillment_method", IndexColumnType.Text),
            new("payment_provider", IndexColumnType.Text),
            new("stripe_payment_intent_id", IndexColumnType.Text),
            new("document", IndexColumnType.Text),
        ],
        [
            new("ix_pi_partner_created", "partner", "created_at", "grain_key"),
            new("ix_pi_listing_status", "partner", "listing_id", "status", "created_at", "grain_key"),
            new("ix_pi_status_provider", "partner", "status", "payment_provider", "created_at", "grain_key"),
            new("ix_pi_fulfillment", "partner", "fulfillment_status", "fulfillment_method", "created_at", "grain_key"),
            // A listing sells an item or a collection, and a buyer gives an email or an address (both only for some
            // STRIPE buyers): partial indexes give an intent one entry for each pair instead of two.
            new("ix_pi_item_set", "partner", "item_id", "created_at", "grain_key") { OnlyWhereSet = "item_id" },
            new("ix_pi_collection_set", "partner", "collection_id", "created_at", "grain_key") { OnlyWhereSet = "collection_id" },
            new("ix_pi_email_set", "partner", "email", "created_at", "grain_key") { OnlyWhereSet = "email" },
            new("ix_pi_eth_address_set", "partner", "eth_address", "created_at", "grain_key") { OnlyWhereSet = "eth_address" },
        ])
    {
        // The full-width versions, and the PaymentIntent lookup (webhooks now ask the provider for the metadata).
        RetiredIndexes = ["ix_pi_item", "ix_pi_collection", "ix_pi_email", "ix_pi_eth_address", "ix_pi_stripe"],
    };

    public const string CountsTableName = "purchase_intent_counts";

    /// <summary>
    /// Per listing and <see cref="IntentBucket"/>: how many intents are in it, kept by the listing grain in the same
    /// transaction as its ledger. Key: <c>listing|bucket</c>. A total over filters on these columns only is a SUM over
    /// at most 240 rows per listing, whatever the number of intents.
    /// </summary>
    public static readonly IndexTable Counts = new(CountsTableName,
        [
            new("partner", IndexColumnType.Text),
            new("listing_id", IndexColumnType.Text),
            new("item_id", IndexColumnType.Text),
            new("collection_id", IndexColumnType.Text),
            new("status", IndexColumnType.Text),
            new("payment_provider", IndexColumnType.Text),
            new("fulfillment_status", IndexColumnType.Text),
            new("fulfillment_method", IndexColumnType.Text),
            new("intent_count", IndexColumnType.Integer),
        ],
        [
            new("ix_pic_partner_listing", "partner", "listing_id"),
            new("ix_pic_partner_status", "partner", "status", "payment_provider"),
        ]);

    public static IndexRow CountRow(string listingId, Listings.ListingState listing, IntentBucket bucket, long count) =>
        new(CountsTableName, $"{listingId}|{bucket.Key}", new Dictionary<string, object?>
        {
            ["partner"] = listing.Partner,
            ["listing_id"] = listingId,
            ["item_id"] = listing.Definition?.ItemId,
            ["collection_id"] = listing.Definition?.CollectionId,
            ["status"] = bucket.Status.ToWire(),
            ["payment_provider"] = bucket.Provider.ToWire(),
            ["fulfillment_status"] = bucket.FulfillmentStatus.ToWire(),
            ["fulfillment_method"] = bucket.FulfillmentMethod.ToWire(),
            ["intent_count"] = count,
        });

    public static IndexRow Row(string intentId, PurchaseIntentState intent) => new(TableName, intentId, new Dictionary<string, object?>
    {
        ["partner"] = intent.Partner,
        ["created_at"] = UnixMicros.From(intent.CreatedAt),
        ["listing_id"] = intent.ListingId,
        ["item_id"] = intent.ItemId,
        ["collection_id"] = intent.CollectionId,
        ["status"] = intent.Status.ToWire(),
        ["email"] = intent.Email is { } email ? BuyerRules.NormalizeEmail(email) : null,
        ["eth_address"] = intent.EthAddress is { } eth ? BuyerRules.NormalizeEthAddress(eth) : null,
        ["fulfillment_status"] = intent.FulfillmentStatus.ToWire(),
        ["fulfillment_method"] = intent.FulfillmentMethod.ToWire(),
        ["payment_provider"] = intent.Provider.ToWire(),
        ["stripe_payment_intent_id"] = intent.StripePaymentIntentId,
        ["document"] = WireJson.Serialize(intent.ToView(intentId)),
    });

    public static Task<DocumentPage> SearchAsync(IIndexQueries index, string partner, IntentQuery query, CancellationToken cancellationToken)
    {
        var filters = new List<string> { "partner = @partner" };
        var parameters = new Dictionary<string, object?> { ["partner"] = partner };
        void Equal(string column, string? value)
        {
            if (value is null)
                return;
            filters.Add($"{column} = @{column}");
            parameters[column] = value;
        }
        void AnyOf<T>(string column, IReadOnlyList<T> values) where T : struct, Enum
        {
            if (values.Count == 0)
                return;
            filters.Add(SqlLists.AnyOf(index.Dialect, column, column));
            parameters[column] = values.Select(v => v.ToWire()).ToArray();
        }
        Equal("listing_id", query.ListingId);
        Equal("status", query.Status?.ToWire());
        Equal("item_id", query.ItemId);
        Equal("collection_id", query.CollectionId);
        Equal("email", query.Email);
        Equal("eth_address", query.EthAddress);
        AnyOf("payment_provider", query.PaymentProviders);
        AnyOf("fulfillment_status", query.FulfillmentStatuses);
        AnyOf("fulfillment_method", query.FulfillmentMethods);
        // Email and address filters are selective: count the matching rows. Anything else: sum the bucket counts.
        var countSql = query.Email is null && query.EthAddress is null
            ? $"SELECT CAST(COALESCE(SUM(intent_count), 0) AS bigint) FROM {CountsTableName} WHERE {string.Join(" AND ", filters)}"
            : null;
        return KeysetPage.ReadAsync(index, TableName, filters, parameters, query.Page, cancellationToken, countSql);
    }
}
