using System.Diagnostics;
using Npgsql;

namespace PurchaseGrains.Benchmarks.Intents;

/// <summary>A listing the seeded intents belong to (made through the API first), with its share of the intents.</summary>
public sealed record SeedListing(string Id, string ItemId, long Price, string Currency, int TimeoutSeconds, double Share);

/// <summary>
/// Seeds purchase intents of one partner straight into the two tables <c>GET /v1/purchase-intents</c> reads:
/// <c>purchase_intent_index</c> (a page: its filter columns and the wire <c>document</c>) and
/// <c>purchase_intent_counts</c> (total_results, as the listing grain keeps it). Nothing else is read by the list,
/// so no grain_state or listing_holds rows are made: seeded intents can be listed but not fetched by id.
/// The document is built by <see cref="DocumentFunction"/>, which <see cref="VerifyAgainstRealIntentsAsync"/> first
/// checks byte for byte against the documents the grains wrote for real intents made through the API.
/// </summary>
public static class IntentSeed
{
    /// <summary>
    /// SQL helpers in pg_temp (this connection only): the wire time format and the intent document. STABLE (like
    /// to_char and to_json inside), so PostgreSQL inlines them; a function declared more strictly than its body runs
    /// as a separate call per row, ~50 times slower here.
    /// </summary>
    private const string DocumentFunction = """
        CREATE FUNCTION pg_temp.wire_time(micros bigint) RETURNS text LANGUAGE sql STABLE AS $$
            SELECT to_char(to_timestamp(micros / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
                || '.' || lpad((micros % 1000000)::text, 6, '0') || '+00:00'
        $$;
        CREATE FUNCTION pg_temp.js(value text) RETURNS text LANGUAGE sql STABLE AS $$
            SELECT COALESCE(to_json(value)::text, 'null')
        $$;
        CREATE FUNCTION pg_temp.intent_document(id text, created_at bigint, email text, eth_address text, expiration bigint,
            fulfillment_method text, fulfillment_status text, item_claim_ids text, listing_id text, item_id text,
            collection_id text, quantity int, payment_provider text, currency text, price bigint, status text,
            stripe_payment_intent_id text, transaction_ids text) RETURNS text LANGUAGE sql STABLE AS $$
            SELECT '{"id":' || pg_temp.js(id) || ',"created_at":"' || pg_temp.wire_time(created_at)
                || '","email":' || pg_temp.js(email) || ',"eth_address":' || pg_temp.js(eth_address)
                || ',"expiration":"' || pg_temp.wire_time(expiration)
                || '","fulfillment_method":' || pg_temp.js(fulfillment_method) || ',"fulfillment_status":' || pg_temp.js(fulfillment_status)
                || ',"item_claim_ids":' || COALESCE(item_claim_ids, 'null') || ',"listing_id":' || pg_temp.js(listing_id)
                || ',"item_id":' || pg_temp.js(item_id) || ',"collection_id":' || pg_temp.js(collection_id)
                || ',"quantity":' || quantity || ',"payment_provider":' || pg_temp.js(payment_provider)
                || ',"provider_price":{"currency":' || pg_temp.js(currency) || ',"price":' || price || '}'
                || ',"status":' || pg_temp.js(status) || ',"stripe_payment_intent_id":' || pg_temp.js(stripe_payment_intent_id)
                || ',"transaction_ids":' || COALESCE(transaction_ids, 'null') || '}'
        $$;
        """;

    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 600 }.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, DocumentFunction);
        return connection;
    }

    /// <summary>Rebuilds every existing row's document from its columns; returns (rows checked, rows that differ, first difference).</summary>
    public static async Task<(long Checked, long Different, string? Example)> VerifyAgainstRealIntentsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            WITH real AS (
                SELECT i.document, pg_temp.intent_document(i.grain_key, i.created_at, d->>'email', d->>'eth_address',
                    (extract(epoch FROM (d->>'expiration')::timestamptz) * 1000000)::bigint,
                    i.fulfillment_method, i.fulfillment_status, (d->'item_claim_ids')::text, i.listing_id, i.item_id, i.collection_id,
                    (d->>'quantity')::int, i.payment_provider, d->'provider_price'->>'currency', (d->'provider_price'->>'price')::bigint,
                    i.status, i.stripe_payment_intent_id, (d->'transaction_ids')::text) AS rebuilt
                FROM purchase_intent_index i, LATERAL (SELECT i.document::json AS d) AS doc
            )
            SELECT count(*), count(*) FILTER (WHERE rebuilt IS DISTINCT FROM document),
                   min(document || E'\n  rebuilt: ' || rebuilt) FILTER (WHERE rebuilt IS DISTINCT FROM document)
            FROM real
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    /// <summary>
    /// Inserts <paramref name="count"/> intents of <paramref name="partner"/> created over the last 30 days: providers
    /// STRIPE 70 % (buyer email 80 %, address 20 %), EMAIL_CLAIM 15 %, MINT_VOUCHER 10 %, ORGANIZATION 5 %; STRIPE
    /// status CONFIRMED 60 %, EXPIRED 28 %, CANCELLED 9 %, UNRESOLVED 3 % (the newest 1,000 not confirmed are PENDING);
    /// the other providers are CONFIRMED at once; confirmed fulfilment COMPLETED 96 %, EXCEPTION 3 %, ASSIGNED and
    /// PENDING 0.5 % each; 50,000 distinct buyers; quantity 1 (90 %) or 2; five listings (shares as given). Indexes
    /// are dropped for the load and rebuilt after, then the tables are vacuumed and analysed.
    /// </summary>
    public static async Task<(TimeSpan Took, string Steps)> SeedAsync(NpgsqlConnection connection, string partner, IReadOnlyList<SeedListing> listings, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        var indexes = new List<(string Name, string Definition)>();
        await using (var list = new NpgsqlCommand("""
            SELECT indexname::text, indexdef FROM pg_indexes
            WHERE tablename = 'purchase_intent_index' AND indexname <> 'purchase_intent_index_pkey'
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes)
            await ExecuteAsync(connection, $"DROP INDEX {name}");
        var real = new List<string>();
        await using (var existing = new NpgsqlCommand("SELECT grain_key FROM purchase_intent_index", connection))
        await using (var reader = await existing.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                real.Add(reader.GetString(0));
        }

        // Listing n (1-based) takes the intents whose r_listing falls below its cumulative share.
        var cumulative = 0.0;
        var pick = new System.Text.StringBuilder("CASE");
        for (var i = 0; i < listings.Count - 1; i++)
            pick.Append(System.Globalization.CultureInfo.InvariantCulture, $" WHEN r_listing < {cumulative += listings[i].Share} THEN {i + 1}");
        pick.Append($" ELSE {listings.Count} END");
        var steps = new List<string>();
        var step = Stopwatch.StartNew();
        await ExecuteAsync(connection, "SET maintenance_work_mem = '256MB'");
        await using (var seed = new NpgsqlCommand($"""
            SELECT setseed(0.42);
            INSERT INTO purchase_intent_index (grain_key, partner, created_at, listing_id, item_id, collection_id, status, email,
                eth_address, fulfillment_status, fulfillment_method, payment_provider, stripe_payment_intent_id, document)
            WITH base AS (
                SELECT i, md5('seeded-intent-' || i)::uuid::text AS id,
                       @now_micros - (@count - i)::bigint * (2592000000000 / @count) - (random() * 1000000)::bigint AS created_at,
                       random() AS r_listing, random() AS r_provider, random() AS r_buyer, random() AS r_status,
                       random() AS r_fulfil, random() AS r_quantity, floor(random() * 50000)::int AS buyer
                FROM generate_series(1, @count) AS i
            ), shaped AS (
                SELECT b.*, {pick} AS listing,
                       CASE WHEN r_provider < 0.70 THEN 'STRIPE' WHEN r_provider < 0.85 THEN 'EMAIL_CLAIM'
                            WHEN r_provider < 0.95 THEN 'MINT_VOUCHER' ELSE 'ORGANIZATION' END AS provider,
                       CASE WHEN r_quantity < 0.9 THEN 1 ELSE 2 END AS quantity
                FROM base b
            ), buyers AS (
                SELECT s.*,
                       CASE WHEN provider = 'EMAIL_CLAIM' OR (provider = 'STRIPE' AND r_buyer < 0.8) THEN 'buyer' || buyer || '@example.com' END AS email,
                       CASE WHEN provider IN ('MINT_VOUCHER', 'ORGANIZATION') OR (provider = 'STRIPE' AND r_buyer >= 0.8)
                            THEN '0x' || md5('eth-' || buyer) || left(md5('eth2-' || buyer), 8) END AS eth_address,
                       CASE WHEN provider <> 'STRIPE' OR r_status < 0.60 THEN 'CONFIRMED'
                            WHEN i > @count - 1000 THEN 'PENDING'
                            WHEN r_status < 0.88 THEN 'EXPIRED' WHEN r_status < 0.97 THEN 'CANCELLED' ELSE 'UNRESOLVED' END AS status
                FROM shaped s
            ), facts AS (
                SELECT b.*,
                       CASE WHEN email IS NOT NULL THEN 'EMAIL' WHEN provider = 'MINT_VOUCHER' THEN 'VOUCHER' ELSE 'TRANSFER' END AS method,
                       CASE WHEN status <> 'CONFIRMED' OR r_fulfil >= 0.995 THEN 'PENDING' WHEN r_fulfil < 0.96 THEN 'COMPLETED'
                            WHEN r_fulfil < 0.99 THEN 'EXCEPTION' ELSE 'ASSIGNED' END AS fulfillment_status,
                       CASE WHEN provider = 'STRIPE' THEN 'pi_' || left(md5('pi-' || id), 24) END AS pi
                FROM buyers b
            ), rows AS (
                SELECT f.*,
                       CASE WHEN method = 'EMAIL' AND fulfillment_status IN ('ASSIGNED', 'COMPLETED')
                            THEN '["' || md5('claim-' || id || '-1')::uuid
                                 || CASE WHEN quantity = 2 THEN '","' || md5('claim-' || id || '-2')::uuid ELSE '' END || '"]' END AS claims,
                       CASE WHEN method = 'TRANSFER' AND fulfillment_status IN ('ASSIGNED', 'COMPLETED')
                            THEN '["0x' || md5('tx-' || id) || md5('tx2-' || id) || '"]' END AS transactions
                FROM facts f
            )
            SELECT id, @partner, created_at, (@listing_ids)[listing], (@item_ids)[listing], NULL, status, email, eth_address,
                   fulfillment_status, method, provider, pi,
                   pg_temp.intent_document(id, created_at, email, eth_address, created_at + (@timeouts)[listing]::bigint * 1000000,
                       method, fulfillment_status, claims, (@listing_ids)[listing], (@item_ids)[listing], NULL, quantity, provider,
                       (@currencies)[listing], (@prices)[listing] * quantity, status, pi, transactions)
            FROM rows;
            """, connection))
        {
            seed.Parameters.AddWithValue("now_micros", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - 3_600_000_000L);
            seed.Parameters.AddWithValue("count", count);
            seed.Parameters.AddWithValue("partner", partner);
            seed.Parameters.AddWithValue("listing_ids", listings.Select(l => l.Id).ToArray());
            seed.Parameters.AddWithValue("item_ids", listings.Select(l => l.ItemId).ToArray());
            seed.Parameters.AddWithValue("timeouts", listings.Select(l => l.TimeoutSeconds).ToArray());
            seed.Parameters.AddWithValue("currencies", listings.Select(l => l.Currency).ToArray());
            seed.Parameters.AddWithValue("prices", listings.Select(l => l.Price).ToArray());
            await seed.ExecuteNonQueryAsync();
        }
        steps.Add($"insert {step.Elapsed.TotalSeconds:0} s");
        step.Restart();

        // The bucket counts the listing grains would keep for these intents (added to those of the real intents).
        await using (var counts = new NpgsqlCommand("""
            INSERT INTO purchase_intent_counts AS c (grain_key, partner, listing_id, item_id, collection_id, status, payment_provider,
                fulfillment_status, fulfillment_method, intent_count)
            SELECT listing_id || '|' || status || '|' || payment_provider || '|' || fulfillment_status || '|' || fulfillment_method,
                   partner, listing_id, min(item_id), min(collection_id), status, payment_provider, fulfillment_status, fulfillment_method, count(*)
            FROM purchase_intent_index WHERE NOT (grain_key = ANY(@real))
            GROUP BY partner, listing_id, status, payment_provider, fulfillment_status, fulfillment_method
            ON CONFLICT (grain_key) DO UPDATE SET intent_count = c.intent_count + excluded.intent_count
            """, connection))
        {
            counts.Parameters.AddWithValue("real", real.ToArray());
            await counts.ExecuteNonQueryAsync();
        }
        steps.Add($"counts {step.Elapsed.TotalSeconds:0} s");
        step.Restart();
        foreach (var (_, definition) in indexes)
            await ExecuteAsync(connection, definition);
        steps.Add($"indexes {step.Elapsed.TotalSeconds:0} s");
        step.Restart();
        await ExecuteAsync(connection, "VACUUM ANALYZE purchase_intent_index");
        await ExecuteAsync(connection, "VACUUM ANALYZE purchase_intent_counts");
        steps.Add($"vacuum analyze {step.Elapsed.TotalSeconds:0} s");
        return (stopwatch.Elapsed, string.Join(", ", steps));
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
