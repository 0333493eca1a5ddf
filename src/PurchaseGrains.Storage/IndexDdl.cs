namespace PurchaseGrains.Storage;

/// <summary>Index DDL for a declared <see cref="IndexTable"/>: the same text on PostgreSQL and SQLite.</summary>
public static class IndexDdl
{
    public static string Create(IndexTable table, IndexDefinition index)
    {
        var sql = $"CREATE INDEX IF NOT EXISTS {SqlIdentifier.Quote(index.Name)} ON {SqlIdentifier.Quote(table.Name)} " +
            $"({string.Join(", ", index.Columns.Select(SqlIdentifier.Quote))})";
        return index.OnlyWhereSet is { } column ? $"{sql} WHERE {SqlIdentifier.Quote(column)} IS NOT NULL" : sql;
    }

    public static string Drop(string indexName) => $"DROP INDEX IF EXISTS {SqlIdentifier.Quote(indexName)}";
}
