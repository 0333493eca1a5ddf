using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Runs the missing schema steps and index-table DDL in one transaction holding an advisory lock, so nodes that
/// start together apply each step once. DDL already in place is skipped by looking at the catalog first, because
/// even a no-op <c>CREATE INDEX IF NOT EXISTS</c> or <c>ADD COLUMN IF NOT EXISTS</c> locks a live table.
/// </summary>
internal sealed class PostgresStorageInitializer(NpgsqlDataSource dataSource) : IStorageInitializer
{
    private const long SchemaLockKey = 0x5075_7263_6847_7261; // "PurchGra"

    public async Task InitializeAsync(IReadOnlyList<IndexTable> indexTables, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long>("key", SchemaLockKey));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken);
        await using (var current = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, transaction))
        {
            var applied = (int)(await current.ExecuteScalarAsync(cancellationToken))!;
            for (var version = applied + 1; version <= PostgresSchema.Steps.Count; version++)
            {
                await ExecuteAsync(connection, transaction, PostgresSchema.Steps[version - 1], cancellationToken);
                await ExecuteAsync(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({version})", cancellationToken);
            }
        }

        foreach (var table in indexTables)
        {
            await CreateIndexTableAsync(connection, transaction, table, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task CreateIndexTableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IndexTable table,
        CancellationToken cancellationToken)
    {
        var name = SqlIdentifier.Quote(table.Name);
        var existingColumns = await NamesAsync(connection, transaction, """
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @name
            """, table.Name, cancellationToken);
        if (existingColumns.Count == 0)
        {
            var columns = Columns(table).Select(column => $"{SqlIdentifier.Quote(column.Name)} {ColumnType(column.Type)}");
            await ExecuteAsync(connection, transaction,
                $"CREATE TABLE IF NOT EXISTS {name} ({string.Join(", ", ["grain_key text PRIMARY KEY", .. columns])})",
                cancellationToken);
        }
        else
        {
            foreach (var column in Columns(table).Where(column => !existingColumns.Contains(column.Name)))
            {
                await ExecuteAsync(connection, transaction,
                    $"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {SqlIdentifier.Quote(column.Name)} {ColumnType(column.Type)}",
                    cancellationToken);
            }
        }

        var existingIndexes = await NamesAsync(connection, transaction, """
            SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND tablename = @name
            """, table.Name, cancellationToken);
        foreach (var index in table.Indexes.Where(index => !existingIndexes.Contains(index.Name)))
        {
            await ExecuteAsync(connection, transaction, IndexDdl.Create(table, index), cancellationToken);
        }
        foreach (var retired in table.RetiredIndexes.Where(existingIndexes.Contains))
        {
            await ExecuteAsync(connection, transaction, IndexDdl.Drop(retired), cancellationToken);
        }
    }

    /// <summary>The declared columns, and the version of the state a row came from (<see cref="PostgresQueryRowStore"/>).</summary>
    private static IEnumerable<IndexColumn> Columns(IndexTable table) =>
        [.. table.Columns, new IndexColumn(PostgresQueryRowStore.VersionColumn, IndexColumnType.Integer)];

    private static string ColumnType(IndexColumnType type) => type switch
    {
        IndexColumnType.Text => "text",
        IndexColumnType.Integer => "bigint",
        IndexColumnType.Real => "double precision",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown index column type."),
    };

    private static async Task<HashSet<string>> NamesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        string tableName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("name", tableName));
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
