namespace PurchaseGrains.Storage;

/// <summary>One row of a secondary index table; <see cref="Key"/> is its primary key (usually the grain key).</summary>
public sealed record IndexRow(string Table, string Key, IReadOnlyDictionary<string, object?> Columns);

/// <summary>Column types that mean the same on every provider. Timestamps are Unix microseconds in an Integer.</summary>
public enum IndexColumnType { Text, Integer, Real }

public sealed record IndexColumn(string Name, IndexColumnType Type);

public sealed record IndexDefinition(string Name, params string[] Columns)
{
    /// <summary>
    /// A partial index: only rows where this column is set get an entry, so a column most rows leave null costs
    /// nothing on their writes. Used by queries with an equality on that column.
    /// </summary>
    public string? OnlyWhereSet { get; init; }
}

/// <summary>
/// A secondary index table a domain module declares; providers create it at start-up with a
/// <c>grain_key</c> text primary key followed by <see cref="Columns"/>.
/// </summary>
public sealed record IndexTable(string Name, IReadOnlyList<IndexColumn> Columns, IReadOnlyList<IndexDefinition> Indexes)
{
    /// <summary>Indexes an earlier version declared and this one does not: dropped at start-up when present.</summary>
    public IReadOnlyList<string> RetiredIndexes { get; init; } = [];
}

public enum SqlDialect { Sqlite, Postgres }

/// <summary>Read-only queries over index tables (Dapper underneath). Keep SQL portable or branch on <see cref="Dialect"/>.</summary>
public interface IIndexQueries
{
    SqlDialect Dialect { get; }
    Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken);
    Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken);
}
