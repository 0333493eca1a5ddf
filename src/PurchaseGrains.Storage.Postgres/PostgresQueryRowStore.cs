using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Query rows on PostgreSQL for grains whose state lives elsewhere (the AzureStorage profile). Upserts go through the
/// write combiner (group commit, as the grain writes of the Postgres profile); each row keeps the state version it
/// came from in <see cref="VersionColumn"/>, so an older write, arriving late or replayed, never overwrites a newer one.
/// </summary>
internal sealed class PostgresQueryRowStore(NpgsqlDataSource dataSource, PostgresWriteCombiner combiner) : IQueryRowStore
{
    /// <summary>Every query table has it (null where the Postgres or SQLite profile wrote the row with its state).</summary>
    public const string VersionColumn = "row_version";

    public async Task WriteAsync(StateRowId id, long stateVersion, IReadOnlyList<IndexRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count > 0)
            await combiner.ExecuteAsync(QueryRowWrite.Of(id, stateVersion, rows), cancellationToken);
    }

    public async Task DeleteAsync(StateRowId id, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        if (tables.Count == 0)
            return;
        await using var batch = dataSource.CreateBatch();
        foreach (var table in tables)
        {
            var delete = new NpgsqlBatchCommand($"DELETE FROM {SqlIdentifier.Quote(table)} WHERE grain_key = @key");
            delete.Parameters.Add(new NpgsqlParameter<string>("key", id.Key));
            batch.BatchCommands.Add(delete);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
