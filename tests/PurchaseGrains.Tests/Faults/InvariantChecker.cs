using Npgsql;

namespace PurchaseGrains.Tests.Faults;

/// <summary>A broken invariant: which one, and the offending ids.</summary>
public sealed class InvariantViolationException(string invariant, string message) : Exception($"Invariant '{invariant}' broken: {message}")
{
    public string Invariant { get; } = invariant;
}

/// <summary>
/// Reads the database of a cluster (grain payloads in <paramref name="states"/>, and the index tables) and, for the
/// acknowledged-write checks, what clients were told. One method per invariant; each throws
/// <see cref="InvariantViolationException"/> naming the offending ids. Runs on the caller's open connection, so a test
/// can corrupt rows inside a transaction, check, and roll back.
/// </summary>
/// <param name="states">
/// The relation that holds the grain states of <see cref="GrainTypes"/>, shaped like <c>grain_state</c> (grain_type,
/// grain_key, payload, version, updated_at): that table on the SQL profiles, a copy of what Azure storage holds on the
/// AzureStorage profile (<see cref="AzureGrainStateCopy"/>). Either way the rules below read the same rows.
/// </param>
public sealed class InvariantChecker(NpgsqlConnection connection, string states = InvariantChecker.GrainStateTable)
{
    public const string GrainStateTable = "grain_state";
    private const int MaxIdsShown = 20;

    /// <summary>The grain types whose states the invariants read.</summary>
    public static readonly IReadOnlyList<string> GrainTypes =
        ["vm_session", "vm_card", "vm_inventory", "vm_buyback_ledger", "purchase_intent", "listing"];

    /// <summary>Every session a client got <c>200</c> from <c>buy/init</c> for exists.</summary>
    public async Task AcknowledgedSessionsExistAsync(IReadOnlyCollection<string> sessionIds)
    {
        var found = await KeysAsync($"SELECT grain_key FROM {states} WHERE grain_type = 'vm_session' AND grain_key = ANY(@ids)", sessionIds);
        Fail("acknowledged sessions exist", "buy/init answered 200 for sessions that do not exist", sessionIds.Except(found));
    }

    /// <summary>Every item a client saw delivered (<c>nfts</c> of buy/init or buy/status) is in that user's inventory.</summary>
    public async Task AcknowledgedDeliveriesExistAsync(IReadOnlyCollection<AcknowledgedDelivery> deliveries)
    {
        var inventoried = (await PairsAsync($"""
            SELECT g.grain_key, e->'item'->>'id'
            FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
            WHERE g.grain_type = 'vm_inventory'
            """)).ToHashSet();
        Fail("acknowledged deliveries exist", "items a client was shown as delivered are not in the user's inventory (inventory:item)",
            deliveries.Select(d => (d.InventoryKey, d.ItemId)).Where(p => !inventoried.Contains(p)).Select(p => $"{p.Item1}:{p.Item2}"));
    }

    /// <summary>Every intent a client got <c>201</c> for exists (state written, not abandoned) and is in the query index.</summary>
    public async Task AcknowledgedIntentsExistAsync(IReadOnlyCollection<string> intentIds)
    {
        var found = await KeysAsync($"""
            SELECT g.grain_key FROM {states} g JOIN purchase_intent_index i ON i.grain_key = g.grain_key
            WHERE g.grain_type = 'purchase_intent' AND NOT (g.payload->>'abandoned')::boolean AND g.grain_key = ANY(@ids)
            """, intentIds);
        Fail("acknowledged intents exist", "POST /v1/purchase-intents answered 201 for intents that do not exist", intentIds.Except(found));
    }

    /// <summary>Every item a client got a buyback <c>200</c> for is credited and sold back.</summary>
    public async Task AcknowledgedBuybacksCreditedAsync(IReadOnlyCollection<string> itemIds)
    {
        var credited = await KeysAsync("SELECT item_id FROM vm_buyback_credits WHERE item_id = ANY(@ids)", itemIds);
        Fail("acknowledged buybacks are credited", "buyback answered 200 but no credit exists for items", itemIds.Except(credited));
        var soldBack = await KeysAsync($"""
            SELECT e->'item'->>'id' FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
            WHERE g.grain_type = 'vm_inventory' AND e->>'status' = 'sold_back' AND e->'item'->>'id' = ANY(@ids)
            """, itemIds);
        Fail("acknowledged buybacks are credited", "buyback answered 200 but the item is not sold back for items", itemIds.Except(soldBack));
    }

    /// <summary>
    /// A card has one holder: in at most one inventory (once), in at most one fulfilled session, never owned while
    /// its card grain or the pool index says available or reserved, never sold without being delivered, and never
    /// left reserved by a session that has finished.
    /// </summary>
    public async Task EveryCardHasOneHolderAsync()
    {
        const string name = "a card has one holder";
        Fail(name, "cards in more than one inventory entry", await KeysAsync($"""
            SELECT e->'item'->>'id' FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
            WHERE g.grain_type = 'vm_inventory' GROUP BY 1 HAVING COUNT(*) > 1
            """));
        Fail(name, "cards delivered by more than one fulfilled session", await KeysAsync($"""
            SELECT e->'card'->>'id' FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
            WHERE g.grain_type = 'vm_session' AND g.payload->>'status' = 'fulfilled' GROUP BY 1 HAVING COUNT(*) > 1
            """));
        Fail(name, "cards owned by a user but still in the pool (card state or vm_cards not sold, or sold to someone else)", await KeysAsync($"""
            SELECT e->'item'->>'id'
            FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
            LEFT JOIN {states} c ON c.grain_type = 'vm_card' AND c.grain_key = e->'item'->>'id'
            LEFT JOIN vm_cards v ON v.grain_key = e->'item'->>'id'
            WHERE g.grain_type = 'vm_inventory'
              AND (c.payload IS NULL OR c.payload->>'status' <> 'sold' OR v.status IS DISTINCT FROM 'sold'
                   OR (c.payload->>'partner') || ':' || (c.payload->>'user_id') <> g.grain_key)
            """));
        Fail(name, "cards sold but in no inventory (a purchase that never completed delivery)", await KeysAsync($"""
            SELECT c.grain_key FROM {states} c
            WHERE c.grain_type = 'vm_card' AND c.payload->>'status' = 'sold'
              AND NOT EXISTS (SELECT FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
                              WHERE g.grain_type = 'vm_inventory' AND e->'item'->>'id' = c.grain_key)
            """));
        Fail(name, "cards still reserved by a session that has finished (or does not exist): lost to the pool", await KeysAsync($"""
            SELECT c.grain_key FROM {states} c
            LEFT JOIN {states} s ON s.grain_type = 'vm_session' AND s.grain_key = c.payload->>'session_id'
            WHERE c.grain_type = 'vm_card' AND c.payload->>'status' = 'reserved'
              AND (s.payload IS NULL OR s.payload->>'status' IN ('fulfilled', 'failed'))
            """));
    }

    /// <summary>Per listing: <c>remaining + held + sold = quantity_listed</c>, none negative, and held/sold equal the ledger lines.</summary>
    public async Task ListingsBalanceAsync()
    {
        const string name = "listing quantities balance";
        Fail(name, "listings where remaining + held + sold != quantity_listed (or a counter is negative)", await KeysAsync($"""
            SELECT grain_key FROM {states}
            WHERE grain_type = 'listing' AND payload->'definition' <> 'null'::jsonb
              AND ((payload->>'remaining')::bigint + (payload->>'held')::bigint + (payload->>'sold')::bigint
                       <> (payload->'definition'->>'quantity_listed')::bigint
                   OR (payload->>'remaining')::bigint < 0 OR (payload->>'held')::bigint < 0 OR (payload->>'sold')::bigint < 0)
            """));
        Fail(name, "listings whose held or sold counter differs from the sum of their listing_holds lines", await KeysAsync($"""
            SELECT g.grain_key FROM {states} g
            LEFT JOIN (SELECT listing_id,
                              SUM(CASE WHEN state = 'HELD' THEN quantity ELSE 0 END) AS held,
                              SUM(CASE WHEN state = 'SOLD' THEN quantity ELSE 0 END) AS sold
                       FROM listing_holds GROUP BY listing_id) h ON h.listing_id = g.grain_key
            WHERE g.grain_type = 'listing' AND payload->'definition' <> 'null'::jsonb
              AND ((g.payload->>'held')::bigint <> COALESCE(h.held, 0) OR (g.payload->>'sold')::bigint <> COALESCE(h.sold, 0))
            """));
    }

    /// <summary>
    /// Nothing is left unfinished past its deadline plus <paramref name="grace"/> at <paramref name="now"/>: a session
    /// not fulfilled or failed past its <c>deadline</c>; an intent still PENDING past its <c>expiration</c>, or CONFIRMED
    /// with fulfilment still PENDING or ASSIGNED past its expiration (its expiry reminder is the fulfilment watchdog).
    /// </summary>
    public async Task NothingOverdueAsync(DateTimeOffset now, TimeSpan grace)
    {
        const string name = "nothing non-terminal past its deadline";
        var cutoff = now - grace;
        Fail(name, $"sessions not fulfilled or failed {grace.TotalSeconds:0.#} s after their deadline (id:status)", await KeysAsync($"""
            SELECT grain_key || ':' || (payload->>'status') FROM {states}
            WHERE grain_type = 'vm_session' AND payload->>'status' NOT IN ('fulfilled', 'failed')
              AND (payload->>'deadline')::timestamptz < @cutoff
            """, cutoff: cutoff));
        Fail(name, $"intents unfinished {grace.TotalSeconds:0.#} s after their expiration (id:status:fulfillment_status)", await KeysAsync($"""
            SELECT grain_key || ':' || (payload->>'status') || ':' || (payload->>'fulfillment_status') FROM {states}
            WHERE grain_type = 'purchase_intent' AND NOT (payload->>'abandoned')::boolean
              AND (payload->>'expiration')::timestamptz < @cutoff
              AND (payload->>'status' = 'pending'
                   OR (payload->>'status' = 'confirmed' AND payload->>'fulfillment_status' IN ('pending', 'assigned')))
            """, cutoff: cutoff));
    }

    /// <summary>
    /// No payment or payout applied twice: one buyback credit per item (in the index and in each ledger), no credited
    /// item still owned, each intent's ledger line agrees with its status (SOLD exactly for CONFIRMED, with its
    /// quantity; HELD only for PENDING), and a fulfilled intent has exactly <c>quantity</c> distinct claims.
    /// Only meaningful once the system is quiet (nothing in flight).
    /// </summary>
    public async Task NothingAppliedTwiceAsync()
    {
        const string name = "nothing applied twice";
        Fail(name, "items credited by more than one buyback credit", await KeysAsync(
            "SELECT item_id FROM vm_buyback_credits GROUP BY item_id HAVING COUNT(*) > 1"));
        Fail(name, "ledgers crediting an item more than once (ledger:item)", await KeysAsync($"""
            SELECT g.grain_key || ':' || (e->>'item_id') FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'credits') e
            WHERE g.grain_type = 'vm_buyback_ledger' GROUP BY g.grain_key, e->>'item_id' HAVING COUNT(*) > 1
            """));
        Fail(name, "items credited by a buyback but not sold back (paid and still owned)", await KeysAsync($"""
            SELECT b.item_id FROM vm_buyback_credits b
            WHERE NOT EXISTS (SELECT FROM {states} g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
                              WHERE g.grain_type = 'vm_inventory' AND e->'item'->>'id' = b.item_id AND e->>'status' = 'sold_back')
            """));
        Fail(name, "intents whose listing line disagrees with their status (id:status:line state:line quantity)", await KeysAsync($"""
            SELECT g.grain_key || ':' || (g.payload->>'status') || ':' || COALESCE(h.state, 'none') || ':' || COALESCE(h.quantity::text, '-')
            FROM {states} g LEFT JOIN listing_holds h ON h.grain_key = g.grain_key
            WHERE g.grain_type = 'purchase_intent' AND NOT (g.payload->>'abandoned')::boolean
              AND CASE g.payload->>'status'
                    WHEN 'confirmed' THEN h.state IS DISTINCT FROM 'SOLD' OR h.quantity <> (g.payload->>'quantity')::bigint
                    WHEN 'pending' THEN h.state IS DISTINCT FROM 'HELD' OR h.quantity <> (g.payload->>'quantity')::bigint
                    ELSE h.state IS DISTINCT FROM 'RELEASED'
                  END
            """));
        Fail(name, "ledger lines SOLD or HELD for intents that do not exist or were abandoned", await KeysAsync($"""
            SELECT h.grain_key FROM listing_holds h
            LEFT JOIN {states} g ON g.grain_type = 'purchase_intent' AND g.grain_key = h.grain_key
            WHERE h.state IN ('SOLD', 'HELD') AND (g.payload IS NULL OR (g.payload->>'abandoned')::boolean)
            """));
        Fail(name, "completed intents without exactly quantity distinct item claims", await KeysAsync($"""
            SELECT g.grain_key FROM {states} g
            WHERE g.grain_type = 'purchase_intent' AND g.payload->>'fulfillment_status' = 'completed'
              AND jsonb_typeof(g.payload->'item_claim_ids') = 'array'
              AND ((SELECT COUNT(DISTINCT x) FROM jsonb_array_elements_text(g.payload->'item_claim_ids') x) <> (g.payload->>'quantity')::bigint
                   OR jsonb_array_length(g.payload->'item_claim_ids') <> (g.payload->>'quantity')::bigint)
            """));
    }

    /// <summary>Every invariant; throws one exception listing all that are broken.</summary>
    public async Task CheckAllAsync(ClientRecord record, DateTimeOffset now, TimeSpan grace)
    {
        var failures = new List<string>();
        async Task Run(Func<Task> check)
        {
            try { await check(); }
            catch (InvariantViolationException violation) { failures.Add(violation.Message); }
        }
        await Run(() => AcknowledgedSessionsExistAsync(record.Sessions));
        await Run(() => AcknowledgedDeliveriesExistAsync(record.Deliveries));
        await Run(() => AcknowledgedIntentsExistAsync(record.Intents));
        await Run(() => AcknowledgedBuybacksCreditedAsync(record.Buybacks));
        await Run(EveryCardHasOneHolderAsync);
        await Run(ListingsBalanceAsync);
        await Run(() => NothingOverdueAsync(now, grace));
        await Run(NothingAppliedTwiceAsync);
        if (failures.Count > 0)
            throw new InvariantViolationException("all", $"{failures.Count} invariant check(s) failed:\n" + string.Join('\n', failures));
    }

    /// <summary>The grain ids (uuids, card ids) named in a failure message.</summary>
    public static IReadOnlyList<string> IdsIn(string message) =>
        System.Text.RegularExpressions.Regex.Matches(message, @"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|fault-card-\d+")
            .Select(m => m.Value).Distinct().Take(MaxIdsShown).ToList();

    /// <summary>
    /// Everything stored about <paramref name="ids"/>: grain rows (from <paramref name="states"/>), reminders (on this
    /// database, or copied by <see cref="AzureGrainStateCopy"/>), ledger lines, for a failure report.
    /// </summary>
    public static async Task<string> DescribeAsync(NpgsqlConnection connection, IReadOnlyList<string> ids, string states = GrainStateTable)
    {
        var queries = new List<string>
        {
            $"SELECT grain_type, grain_key, version::text, updated_at::text, payload::text FROM {states} WHERE grain_key = ANY(@ids) OR payload->>'session_id' = ANY(@ids)",
            "SELECT grain_key, listing_id, quantity::text, state, COALESCE(bucket, '-') FROM listing_holds WHERE grain_key = ANY(@ids)",
        };
        await using (var probe = new NpgsqlCommand("SELECT to_regclass('orleans_reminders') IS NOT NULL, to_regclass('azure_reminders') IS NOT NULL", connection))
        await using (var tables = await probe.ExecuteReaderAsync())
        {
            await tables.ReadAsync();
            if (tables.GetBoolean(0))
                queries.Add("SELECT grain_id, name, start_at::text, period_ms::text, etag::text FROM orleans_reminders WHERE EXISTS (SELECT FROM unnest(@ids::text[]) k WHERE position(k in grain_id) > 0)");
            if (tables.GetBoolean(1))
                queries.Add($"SELECT grain_id, name, start_at, period, etag FROM {AzureGrainStateCopy.RemindersTable} WHERE EXISTS (SELECT FROM unnest(@ids::text[]) k WHERE position(k in grain_id) > 0)");
        }
        var text = new System.Text.StringBuilder();
        foreach (var sql in queries)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("ids", ids.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                text.AppendLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : reader.GetString(i))));
        }
        return text.ToString();
    }

    private static void Fail(string invariant, string what, IEnumerable<string> offending)
    {
        var ids = offending.Distinct().Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
            return;
        var shown = string.Join(", ", ids.Take(MaxIdsShown)) + (ids.Count > MaxIdsShown ? $", … ({ids.Count - MaxIdsShown} more)" : "");
        throw new InvariantViolationException(invariant, $"{what}: {ids.Count}: {shown}");
    }

    private async Task<List<string>> KeysAsync(string sql, IReadOnlyCollection<string>? ids = null, DateTimeOffset? cutoff = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (ids is not null)
            command.Parameters.AddWithValue("ids", ids.ToArray());
        if (cutoff is { } value)
            command.Parameters.AddWithValue("cutoff", value);
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            keys.Add(reader.IsDBNull(0) ? "(null)" : reader.GetString(0));
        return keys;
    }

    private async Task<List<(string, string)>> PairsAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var pairs = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            pairs.Add((reader.GetString(0), reader.GetString(1)));
        return pairs;
    }
}
