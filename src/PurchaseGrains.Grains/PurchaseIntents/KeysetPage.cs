using Dapper;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>One page of stored wire documents: <c>{cursor, has_more, results, total_results}</c>.</summary>
public sealed record DocumentPage(string? Cursor, bool HasMore, IReadOnlyList<string> Documents, long TotalResults);

/// <summary>One more column read with each row, and how it changes the row's document.</summary>
public sealed record PageProjection(string Column, Func<string, long?, string> Render);

/// <summary>
/// Keyset paging over an index table with <c>created_at</c> (Unix µs) and a <c>document</c> column: ordered by
/// (created_at, grain_key), continued after the cursor's row, so rows inserted meanwhile never shift a page.
/// </summary>
public static class KeysetPage
{
    /// <param name="filters">SQL conditions ANDed together, using only <paramref name="parameters"/>.</param>
    /// <param name="countSql">Answers total_results from the same parameters; default: COUNT(*) of the matching rows.</param>
    /// <param name="projection">A column the documents are rendered with (default: documents as stored).</param>
    /// <param name="anyOf">Conditions of which a row must match one (ANDed with <paramref name="filters"/>). Each is
    /// read as a page of its own, so each can use its own index in keyset order, and the pages are merged.</param>
    public static async Task<DocumentPage> ReadAsync(IIndexQueries index, string table, IReadOnlyList<string> filters,
        IReadOnlyDictionary<string, object?> parameters, PageRequest page, CancellationToken cancellationToken, string? countSql = null,
        PageProjection? projection = null, IReadOnlyList<string>? anyOf = null)
    {
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

        var branches = anyOf is { Count: > 0 } ? anyOf.Select(a => filters.Append(a)).ToList() : [filters];
        string PageOf(IEnumerable<string> where) => $"""
            SELECT grain_key AS Id, created_at AS CreatedAt, document AS Document, {projection?.Column ?? "NULL"} AS Extra FROM {table}
            WHERE {string.Join(" AND ", where)}{keyset}
            ORDER BY created_at {order}, grain_key {order}
            LIMIT @take
            """;
        var sql = branches.Count == 1
            ? PageOf(branches[0])
            : string.Join("\nUNION ALL\n", branches.Select(b => $"SELECT * FROM ({PageOf(b)}) AS branch")) +
              $"\nORDER BY CreatedAt {order}, Id {order}\nLIMIT @take";
        var rowsTask = index.QueryAsync<Row>(sql, pageParameters, cancellationToken);
        var countWhere = string.Join(" AND ", anyOf is { Count: > 0 } ? filters.Append($"({string.Join(" OR ", anyOf)})") : filters);
        var countTask = index.QuerySingleOrDefaultAsync<long>(countSql ?? $"SELECT COUNT(*) FROM {table} WHERE {countWhere}",
            new DynamicParameters(parameters), cancellationToken);
        var rows = await rowsTask;
        var total = await countTask;

        var hasMore = rows.Count > page.Limit;
        var served = hasMore ? rows.Take(page.Limit).ToList() : rows;
        var next = hasMore ? new PageCursor(served[^1].CreatedAt, served[^1].Id).Encode() : null;
        var documents = served.Select(r => projection is null ? r.Document : projection.Render(r.Document, r.Extra)).ToList();
        return new DocumentPage(next, hasMore, documents, total);
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public long CreatedAt { get; set; }
        public string Document { get; set; } = "";
        public long? Extra { get; set; }
    }
}
