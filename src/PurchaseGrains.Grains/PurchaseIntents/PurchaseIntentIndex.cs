using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// Two rows per intent, written in the same transaction as its state; listing is served from them, never from grain
/// payloads. <c>purchase_intent_index</c> holds every filterable field and the wire document, indexed only on buyer
/// and item, which never change. <c>purchase_intent_status</c> holds the rest of the filtered fields (status,
/// fulfilment, provider, listing) and the indexes on them. So a status change (an expiry, a payment, a fulfilment)
/// adds index entries only for the narrow status row, and the wide row is updated in place (HOT, on the room its fill
/// factor leaves). Every index leads with <c>partner</c> (all queries are per partner) and ends with (created_at,
/// grain_key), so equality filters on the leading columns give rows already in keyset order: a page is a short range
/// scan and the count an index-only scan of the matching range.
/// </summary>
public static class PurchaseIntentIndex
{
    public const string TableName = "purchase_intent_index";
    public const string StatusTableName = "purchase_intent_status";

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
            // A listing sells an item or a collection, and a buyer gives an email or an address (both only for some
            // STRIPE buyers): partial indexes give an intent one entry for each pair instead of two.
            new("ix_pi_item_set", "partner", "item_id", "created_at", "grain_key") { OnlyWhereSet = "item_id" },
            new("ix_pi_collection_set", "partner", "collection_id", "created_at", "grain_key") { OnlyWhereSet = "collection_id" },
            new("ix_pi_email_set", "partner", "email", "created_at", "grain_key") { OnlyWhereSet = "email" },
            new("ix_pi_eth_address_set", "partner", "eth_address", "created_at", "grain_key") { OnlyWhereSet = "eth_address" },
        ])
    {
        // The full-width versions, the PaymentIntent lookup (webhooks now ask the provider for the metadata), and the
        // indexes now on purchase_intent_status.
        RetiredIndexes = ["ix_pi_item", "ix_pi_collection", "ix_pi_email", "ix_pi_eth_address", "ix_pi_stripe",
            "ix_pi_partner_created", "ix_pi_listing_status", "ix_pi_status_provider", "ix_pi_fulfillment"],
        FillFactor = 50,
    };

    public static readonly IndexTable Statuses = new(StatusTableName,
        [
            new("partner", IndexColumnType.Text),
            new("created_at", IndexColumnType.Integer),
            new("listing_id", IndexColumnType.Text),
            new("status", IndexColumnType.Text),
            new("payment_provider", IndexColumnType.Text),
            new("fulfillment_status", IndexColumnType.Text),
            new("fulfillment_method", IndexColumnType.Text),
        ],
        [
            new("ix_pis_partner_created", "partner", "created_at", "grain_key"),
            new("ix_pis_listing_status", "partner", "listing_id", "status", "created_at", "grain_key"),
            new("ix_pis_status_provider", "partner", "status", "payment_provider", "created_at", "grain_key"),
            new("ix_pis_fulfillment", "partner", "fulfillment_status", "fulfillment_method", "created_at", "grain_key"),
        ])
    {
        SeededFrom = TableName,
    };

    /// <summary>Filters served by <see cref="Table"/>'s indexes; any other filter is served by <see cref="Statuses"/>'.</summary>
    private static readonly string[] FixedFilters = ["item_id", "collection_id", "email", "eth_address"];

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

    public static IEnumerable<IndexRow> Rows(string intentId, PurchaseIntentState intent)
    {
        var partner = intent.Partner;
        var createdAt = UnixMicros.From(intent.CreatedAt);
        var status = intent.Status.ToWire();
        var fulfillmentStatus = intent.FulfillmentStatus.ToWire();
        var fulfillmentMethod = intent.FulfillmentMethod.ToWire();
        var provider = intent.Provider.ToWire();
        yield return new IndexRow(TableName, intentId, new Dictionary<string, object?>
        {
            ["partner"] = partner,
            ["created_at"] = createdAt,
            ["listing_id"] = intent.ListingId,
            ["item_id"] = intent.ItemId,
            ["collection_id"] = intent.CollectionId,
            ["status"] = status,
            ["email"] = intent.Email is { } email ? BuyerRules.NormalizeEmail(email) : null,
            ["eth_address"] = intent.EthAddress is { } eth ? BuyerRules.NormalizeEthAddress(eth) : null,
            ["fulfillment_status"] = fulfillmentStatus,
            ["fulfillment_method"] = fulfillmentMethod,
            ["payment_provider"] = provider,
            ["stripe_payment_intent_id"] = intent.StripePaymentIntentId,
            ["document"] = WireJson.Serialize(intent.ToView(intentId)),
        });
        yield return new IndexRow(StatusTableName, intentId, new Dictionary<string, object?>
        {
            ["partner"] = partner,
            ["created_at"] = createdAt,
            ["listing_id"] = intent.ListingId,
            ["status"] = status,
            ["payment_provider"] = provider,
            ["fulfillment_status"] = fulfillmentStatus,
            ["fulfillment_method"] = fulfillmentMethod,
        });
    }

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
        // Both rows carry every filtered column; the table whose indexes serve the filters is read, and a page of keys
        // found in the status table takes its documents from the wide rows.
        var byStatus = !parameters.Keys.Any(FixedFilters.Contains);
        return byStatus
            ? KeysetPage.ReadAsync(index, StatusTableName, filters, parameters, query.Page, cancellationToken, countSql, documentsFrom: TableName)
            : KeysetPage.ReadAsync(index, TableName, filters, parameters, query.Page, cancellationToken, countSql);
    }
}
