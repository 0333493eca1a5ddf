using Microsoft.Data.Sqlite;

namespace PurchaseGrains.Storage.Sqlite;

/// <summary>
/// Runs the missing schema steps and index-table DDL in one IMMEDIATE transaction: SQLite's write lock plays the
/// part PostgreSQL's advisory lock plays, so processes starting together on one file apply each step once.
/// </summary>
internal sealed class SqliteStorageInitializer(SqliteDatabase database) : IStorageInitializer
{
    public Task InitializeAsync(IReadOnlyList<IndexTable> indexTables, CancellationToken cancellationToken) =>
        database.WriteAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(transaction, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER PRIMARY KEY,
                    applied_at TEXT NOT NULL
                )
                """, cancellationToken);
            var applied = (long)(await ScalarAsync(transaction, "SELECT coalesce(max(version), 0) FROM schema_version", cancellationToken))!;
            for (var version = (int)applied + 1; version <= SqliteSchema.Steps.Count; version++)
            {
                await ExecuteAsync(transaction, SqliteSchema.Steps[version - 1], cancellationToken);
                await ExecuteAsync(transaction, $"""
                    INSERT INTO schema_version (version, applied_at) VALUES ({version}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    """, cancellationToken);
            }

            foreach (var table in indexTables)
            {
                await CreateIndexTableAsync(transaction, table, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);

    private static async Task CreateIndexTableAsync(SqliteTransaction transaction, IndexTable table, CancellationToken cancellationToken)
    {
        var name = SqlIdentifier.Quote(table.Name);
        var columns = table.Columns.Select(column => $"{SqlIdentifier.Quote(column.Name)} {ColumnType(column.Type)}").ToList();
        await ExecuteAsync(transaction,
            $"CREATE TABLE IF NOT EXISTS {name} ({string.Join(", ", ["grain_key TEXT PRIMARY KEY", .. columns])})",
            cancellationToken);

        var existing = await ExistingColumnsAsync(transaction, table.Name, cancellationToken);
        foreach (var column in table.Columns.Where(column => !existing.Contains(column.Name)))
        {
            await ExecuteAsync(transaction,
                $"ALTER TABLE {name} ADD COLUMN {SqlIdentifier.Quote(column.Name)} {ColumnType(column.Type)}",
                cancellationToken);
        }

        foreach (var index in table.Indexes)
        {
            await ExecuteAsync(transaction, IndexDdl.Create(table, index), cancellationToken);
        }
        foreach (var retired in table.RetiredIndexes)
        {
            await ExecuteAsync(transaction, IndexDdl.Drop(retired), cancellationToken);
        }
    }

    private static async Task<HashSet<string>> ExistingColumnsAsync(SqliteTransaction transaction, string table, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM pragma_table_info(@table)";
        command.Parameters.AddWithValue("@table", table);
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static string ColumnType(IndexColumnType type) => type switch
    {
        IndexColumnType.Text => "TEXT",
        IndexColumnType.Integer => "INTEGER",
        IndexColumnType.Real => "REAL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown index column type."),
    };

    private static async Task ExecuteAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
