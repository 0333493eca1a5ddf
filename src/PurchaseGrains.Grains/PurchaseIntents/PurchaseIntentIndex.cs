using PurchaseGrains.Storage;

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
            new("pending_until", IndexColumnType.Integer),
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
            // Only PENDING intents have an entry: few at any time, as each expires on its timer at its expiration.
            new("ix_pi_pending_until", "partner", "pending_until") { OnlyWhereSet = "pending_until" },
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

    public static IndexRow Row(string intentId, PurchaseIntentState intent) => new(TableName, intentId, new Dictionary<string, object?>(Table.Columns.Count)
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
        ["pending_until"] = intent.Status == IntentStatus.Pending ? UnixMicros.From(intent.Expiration) : null,
    });

    /// <summary>
    /// One page of the partner's intents, as of <paramref name="now"/>: an intent still PENDING in its row but past its
    /// expiration (its timer is about to expire it) is answered as EXPIRED, in the documents, the status filter and
    /// <c>total_results</c> alike, so no answer shows PENDING past the expiration.
    /// </summary>
    public static Task<DocumentPage> SearchAsync(IIndexQueries index, string partner, IntentQuery query, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var filters = new List<string> { "partner = @partner" };
        var parameters = new Dictionary<string, object?> { ["partner"] = partner, ["now"] = UnixMicros.From(now) };
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
        Equal("item_id", query.ItemId);
        Equal("collection_id", query.CollectionId);
        Equal("email", query.Email);
        Equal("eth_address", query.EthAddress);
        AnyOf("payment_provider", query.PaymentProviders);
        AnyOf("fulfillment_status", query.FulfillmentStatuses);
        AnyOf("fulfillment_method", query.FulfillmentMethods);
        var withoutStatus = filters.ToList();
        var bucketFilters = filters.ToList();
        IReadOnlyList<string>? anyOf = null;
        if (query.Status is { } status)
        {
            parameters["status"] = status.ToWire();
            bucketFilters.Add("status = @status");
            if (status == IntentStatus.Expired)
                anyOf = ["status = @status", "pending_until <= @now"];
            else
                filters.Add(status == IntentStatus.Pending ? "status = @status AND pending_until > @now" : "status = @status");
        }
        // Email and address filters are selective: count the matching rows. Anything else: sum the bucket counts, and
        // move the intents past their expiration from PENDING to EXPIRED.
        var countSql = query.Email is null && query.EthAddress is null
            ? OverdueCorrected(query.Status,
                $"SELECT COALESCE(SUM(intent_count), 0) FROM {CountsTableName} WHERE {string.Join(" AND ", bucketFilters)}",
                string.Join(" AND ", withoutStatus.Select(f => "i." + f)))
            : null;
        return KeysetPage.ReadAsync(index, TableName, filters, parameters, query.Page, cancellationToken, countSql,
            new PageProjection("pending_until", (document, pendingUntil) => pendingUntil <= UnixMicros.From(now) ? AsExpired(document) : document),
            anyOf);
    }

    /// <summary>
    /// The bucket total, less (PENDING) or plus (EXPIRED) the intents whose listing still counts them PENDING although
    /// their expiration has passed. The listing's ledger line says where the count is, so an intent whose release is
    /// counted already, but whose own row is not written yet, is not moved twice.
    /// </summary>
    private static string OverdueCorrected(IntentStatus? status, string bucketSum, string rowFilters)
    {
        if (status is not (IntentStatus.Pending or IntentStatus.Expired))
            return $"SELECT CAST(({bucketSum}) AS bigint)";
        var overdue = $"""
            SELECT COUNT(*) FROM {TableName} i JOIN {Listings.ListingTables.Holds.Name} h ON h.grain_key = i.grain_key
            WHERE {rowFilters} AND i.pending_until <= @now AND h.bucket LIKE 'PENDING|%'
            """;
        return $"SELECT CAST(({bucketSum}) {(status == IntentStatus.Pending ? "-" : "+")} ({overdue}) AS bigint)";
    }

    private static string AsExpired(string document)
    {
        var view = System.Text.Json.Nodes.JsonNode.Parse(document)!;
        view["status"] = IntentStatus.Expired.ToWire();
        return view.ToJsonString();
    }
}
