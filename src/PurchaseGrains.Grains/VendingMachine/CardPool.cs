using System.Globalization;
using System.Text;
using Dapper;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>Queries over a pack's pool (the <c>vm_cards</c> index): tier aggregates, random candidates, a session's reservations.</summary>
public sealed class CardPool(IIndexQueries queries)
{
    /// <summary>Available cards per tier (count, sum, min, max fmv) plus the drawable total, in one round trip.</summary>
    public async Task<(IReadOnlyList<TierAggregate> Tiers, long Drawable)> AggregateAsync(PackDefinition pack,
        CancellationToken cancellationToken)
    {
        var parameters = TierRangeParameters(pack);
        var sql = new StringBuilder();
        for (var i = 0; i < pack.RarityDistribution.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"""
                SELECT {i} AS tier, COUNT(*) AS count, SUM(fmv) AS sumfmv, MIN(fmv) AS minfmv, MAX(fmv) AS maxfmv
                FROM vm_cards WHERE pack_id = @pack AND status = 'available' AND {TierRange(i)}
                UNION ALL

                """);
        }
        sql.Append(CultureInfo.InvariantCulture, $"""
            SELECT -1 AS tier, COUNT(*) AS count, NULL AS sumfmv, NULL AS minfmv, NULL AS maxfmv
            FROM vm_cards WHERE pack_id = @pack AND status = 'available' AND ({DrawableRange(pack)})
            """);
        var rows = await queries.QueryAsync<AggregateRow>(sql.ToString(), parameters, cancellationToken);
        var tiers = rows.Where(r => r.Tier >= 0).OrderBy(r => r.Tier)
            .Select(r => new TierAggregate(pack.RarityDistribution[(int)r.Tier], r.Count, (decimal)(r.SumFmv ?? 0),
                r.MinFmv is { } min ? (decimal)min : null, r.MaxFmv is { } max ? (decimal)max : null))
            .ToList();
        return (tiers, rows.Single(r => r.Tier == -1).Count);
    }

    /// <summary>
    /// Available cards per tier, each count capped at <paramref name="cap"/>. Enough for a session drawing
    /// <paramref name="cap"/> cards (a tier it cannot empty looks the same as a larger one), and it reads at most
    /// <paramref name="cap"/> index entries per tier, where an exact count would read the whole pool on every buy.
    /// </summary>
    public async Task<IReadOnlyList<TierCount>> AvailableUpToAsync(PackDefinition pack, int cap, CancellationToken cancellationToken)
    {
        var parameters = TierRangeParameters(pack);
        parameters.Add("cap", cap);
        var selects = pack.RarityDistribution.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"""
            SELECT {i} AS tier, (SELECT COUNT(*) FROM (
                SELECT 1 FROM vm_cards
                WHERE pack_id = @pack AND status = 'available' AND fmv >= @lo{i} AND fmv <= @hi{i}
                LIMIT @cap) AS capped) AS count
            """));
        var rows = await queries.QueryAsync<AggregateRow>(string.Join("\nUNION ALL\n", selects), parameters, cancellationToken);
        return [.. rows.OrderBy(r => r.Tier).Select(r => new TierCount(pack.RarityDistribution[(int)r.Tier], r.Count))];
    }

    /// <summary>
    /// Whether at least <paramref name="amount"/> distinct available cards lie in a weighted tier (<c>in_stock</c> of
    /// <see cref="StatsAsync"/> >= amount). Reads at most <paramref name="amount"/> index entries, where the stats read
    /// the whole pool: this is the check every buy makes.
    /// </summary>
    public async Task<bool> HasInStockAsync(PackDefinition pack, int amount, CancellationToken cancellationToken)
    {
        var parameters = TierRangeParameters(pack);
        parameters.Add("amount", amount);
        var available = await queries.QuerySingleOrDefaultAsync<long>($"""
            SELECT COUNT(*) FROM (
                SELECT 1 FROM vm_cards
                WHERE pack_id = @pack AND status = 'available' AND ({DrawableRange(pack)})
                LIMIT @amount) AS capped
            """, parameters, cancellationToken);
        return available >= amount;
    }

    public async Task<PackStats> StatsAsync(PackDefinition pack, CancellationToken cancellationToken)
    {
        var (tiers, drawable) = await AggregateAsync(pack, cancellationToken);
        return PackStats.From(tiers, drawable);
    }

    /// <summary>When the pack's pool last changed (a card added, reserved, released or sold); null for an empty pool.</summary>
    public async Task<DateTimeOffset?> LastChangedAsync(string packId, CancellationToken cancellationToken)
    {
        var micros = await queries.QuerySingleOrDefaultAsync<long?>(
            "SELECT MAX(changed_at) FROM vm_cards WHERE pack_id = @packId", new { packId }, cancellationToken);
        return micros is { } value ? VmIndexTables.FromMicros(value) : null;
    }

    /// <summary>
    /// A few random available cards of the tier: those at or after a random point of the cards' fixed random
    /// <c>draw_key</c>s (wrapping around), so a draw walks an index instead of sorting the pool. The caller reserves one;
    /// a lost race moves on to the next. A card's chance is proportional to the gap before its key: equal in expectation
    /// and independent of fmv, though not exactly uniform (ORDER BY random() would be, at the cost of sorting the tier).
    /// </summary>
    public async Task<IReadOnlyList<string>> CandidatesAsync(string packId, RarityTier tier, int limit, Random random,
        CancellationToken cancellationToken)
    {
        var parameters = new { packId, lo = (double)tier.Lower, hi = (double)tier.Upper, limit, from = random.NextDouble() };
        var after = await queries.QueryAsync<string>("""
            SELECT grain_key FROM vm_cards
            WHERE pack_id = @packId AND status = 'available' AND draw_key >= @from AND fmv >= @lo AND fmv <= @hi
            ORDER BY draw_key LIMIT @limit
            """, parameters, cancellationToken);
        if (after.Count >= limit)
            return after;
        var before = await queries.QueryAsync<string>("""
            SELECT grain_key FROM vm_cards
            WHERE pack_id = @packId AND status = 'available' AND draw_key < @from AND fmv >= @lo AND fmv <= @hi
            ORDER BY draw_key LIMIT @limit
            """, parameters, cancellationToken);
        return [.. after, .. before.Take(limit - after.Count)];
    }

    /// <summary>The pack's cards reserved, by whichever session, and unchanged since before <paramref name="cutoff"/>.</summary>
    public Task<IReadOnlyList<Reservation>> ReservedBeforeAsync(string packId, DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        queries.QueryAsync<Reservation>("""
            SELECT grain_key AS cardid, session_id AS sessionid FROM vm_cards
            WHERE pack_id = @packId AND status = 'reserved' AND changed_at < @cutoff
            LIMIT @limit
            """, new { packId, cutoff = VmIndexTables.Micros(cutoff), limit }, cancellationToken);

    /// <summary>Tier <paramref name="index"/>'s fmv range, over the parameters of <see cref="TierRangeParameters"/>.</summary>
    private static string TierRange(int index) => string.Create(CultureInfo.InvariantCulture, $"(fmv >= @lo{index} AND fmv <= @hi{index})");

    /// <summary>Cards inside at least one weighted tier (those a draw can reach); matches nothing when no tier has weight.</summary>
    private static string DrawableRange(PackDefinition pack)
    {
        var weighted = pack.RarityDistribution.Select((tier, i) => (tier, i)).Where(t => t.tier.Weight > 0).Select(t => TierRange(t.i)).ToList();
        return weighted.Count == 0 ? "1 = 0" : string.Join(" OR ", weighted);
    }

    /// <summary><c>@pack</c>, and <c>@lo{i}</c> / <c>@hi{i}</c> for each rarity tier's fmv range.</summary>
    private static DynamicParameters TierRangeParameters(PackDefinition pack)
    {
        var parameters = new DynamicParameters();
        parameters.Add("pack", pack.Id);
        for (var i = 0; i < pack.RarityDistribution.Count; i++)
        {
            parameters.Add($"lo{i}", (double)pack.RarityDistribution[i].Lower);
            parameters.Add($"hi{i}", (double)pack.RarityDistribution[i].Upper);
        }
        return parameters;
    }

    public sealed record Reservation(string CardId, string SessionId);

    private sealed class AggregateRow
    {
        public long Tier { get; set; }
        public long Count { get; set; }
        public double? SumFmv { get; set; }
        public double? MinFmv { get; set; }
        public double? MaxFmv { get; set; }
    }
}
