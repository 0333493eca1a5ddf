using Dapper;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>One page of stored wire documents: <c>{cursor, has_more, results, total_results}</c>.</summary>
public sealed record DocumentPage(string? Cursor, bool HasMore, IReadOnlyList<string> Documents, long TotalResults);

/// <summary>
/// Keyset paging over an index table with <c>created_at</c> (Unix µs) and a <c>document</c> column: ordered by
/// (created_at, grain_key), continued after the cursor's row, so rows inserted meanwhile never shift a page.
/// </summary>
public static class KeysetPage
{
    /// <param name="filters">SQL conditions ANDed together, using only <paramref name="parameters"/>.</param>
    /// <param name="countSql">Answers total_results from the same parameters; default: COUNT(*) of the matching rows.</param>
    public static async Task<DocumentPage> ReadAsync(IIndexQueries index, string table, IReadOnlyList<string> filters,
        IReadOnlyDictionary<string, object?> parameters, PageRequest page, CancellationToken cancellationToken, string? countSql = null)
    {
        var where = string.Join(" AND ", filters);
        var (order, after) = page.Direction == SortDirection.Desc ? ("DESC", "<") : ("ASC", ">");
        var pageParameters = new DynamicParameters(parameters);
        var keyset = "";
        if (page.Cursor is { } cursor)
        {
            keyset = $" AND (created_at, grain_key) {after} (@cursorAt, @cursorId)";
            pageParameters.Add("cursorAt", cursor.CreatedAtMicros);
            pageParameters.Add("cursorId", cursor.Id);
        }
        pageParameters.Add("take", page.Limit + 1);

        var rowsTask = index.QueryAsync<Row>(
            $"""
            SELECT grain_key AS Id, created_at AS CreatedAt, document AS Document FROM {table}
            WHERE {where}{keyset}
            ORDER BY created_at {order}, grain_key {order}
            LIMIT @take
            """, pageParameters, cancellationToken);
        var countTask = index.QuerySingleOrDefaultAsync<long>(countSql ?? $"SELECT COUNT(*) FROM {table} WHERE {where}",
            new DynamicParameters(parameters), cancellationToken);
        var rows = await rowsTask;
        var total = await countTask;

        var hasMore = rows.Count > page.Limit;
        var served = hasMore ? rows.Take(page.Limit).ToList() : rows;
        var next = hasMore ? new PageCursor(served[^1].CreatedAt, served[^1].Id).Encode() : null;
        return new DocumentPage(next, hasMore, served.Select(r => r.Document).ToList(), total);
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public long CreatedAt { get; set; }
        public string Document { get; set; } = "";
    }
}
