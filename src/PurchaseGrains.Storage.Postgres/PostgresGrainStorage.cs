using System.Text;
using Npgsql;
using NpgsqlTypes;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Each write or clear is ONE statement: the state row change is a data-modifying CTE and every index upsert selects
/// from it, so a lost version race writes no index row. Statements go through the <see cref="PostgresWriteCombiner"/>,
/// which commits the writes that arrive together in one transaction.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, PostgresWriteCombiner combiner) : IGrainStorage
{
    private const string InsertIfAbsent = """
        INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version)
        VALUES (@type, @key, @name, @payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version
        """;

    private const string UpdateIfAtVersion = """
        UPDATE grain_state SET payload = @payload, version = version + 1, updated_at = now()
        WHERE grain_type = @type AND grain_key = @key AND state_name = @name AND version = @expected
        RETURNING version
        """;

    public async Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT payload, version FROM grain_state
            WHERE grain_type = @type AND grain_key = @key AND state_name = @name
            """);
        AddStateKey(command, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredState(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public async Task<long> WriteAsync(GrainId grainId, string stateName, string payload, long? expectedVersion,
        IReadOnlyList<IndexRow> indexRows, CancellationToken cancellationToken)
    {
        var parameters = StateKey(grainId, stateName);
        parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Jsonb) { Value = payload });
        if (expectedVersion is { } expected)
        {
            parameters.Add(new NpgsqlParameter<long>("expected", expected));
        }

        var sql = new StringBuilder()
            .Append("WITH written AS (\n").Append(expectedVersion is null ? InsertIfAbsent : UpdateIfAtVersion).Append("\n)");
        AppendIndexUpserts(sql, parameters, indexRows);
        sql.Append("\nSELECT version FROM written");

        var write = new CombinedWrite(grainId.ToString(), sql.ToString(), parameters);
        return await combiner.ExecuteScalarAsync(write, cancellationToken) is long version
            ? version
            : throw (expectedVersion is { } stale
                ? StaleVersion(grainId, stateName, stale)
                : new InconsistentStateException($"{grainId} state '{stateName}' already exists; it was expected to be absent."));
    }

    public async Task ClearAsync(GrainId grainId, string stateName, long expectedVersion, IReadOnlyList<string> indexTables,
        CancellationToken cancellationToken)
    {
        var parameters = StateKey(grainId, stateName);
        parameters.Add(new NpgsqlParameter<long>("expected", expectedVersion));
        var sql = new StringBuilder("""
            WITH cleared AS (
                DELETE FROM grain_state
                WHERE grain_type = @type AND grain_key = @key AND state_name = @name AND version = @expected
                RETURNING version
            )
            """);
        for (var i = 0; i < indexTables.Count; i++)
        {
            sql.Append($"""
                ,
                index_{i} AS (DELETE FROM {SqlIdentifier.Quote(indexTables[i])} WHERE grain_key = @key AND EXISTS (SELECT FROM cleared))
                """);
        }

        var clear = new CombinedWrite(grainId.ToString(), sql.Append("\nSELECT count(*) FROM cleared").ToString(), parameters);
        if (await combiner.ExecuteScalarAsync(clear, cancellationToken) is not 1L)
        {
            throw StaleVersion(grainId, stateName, expectedVersion);
        }
    }

    private static void AppendIndexUpserts(StringBuilder sql, List<NpgsqlParameter> parameters, IReadOnlyList<IndexRow> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var columns = row.Columns.Keys.Select(SqlIdentifier.Quote).ToList();
            var values = Enumerable.Range(0, columns.Count).Select(j => $"@i{i}_c{j}").ToList();
            var onConflict = columns.Count == 0
                ? "NOTHING"
                : "UPDATE SET " + string.Join(", ", columns.Select(column => $"{column} = excluded.{column}"));
            sql.Append($"""
                ,
                index_{i} AS (
                    INSERT INTO {SqlIdentifier.Quote(row.Table)} ({string.Join(", ", ["grain_key", .. columns])})
                    SELECT {string.Join(", ", [$"@i{i}_key", .. values])} FROM written
                    ON CONFLICT (grain_key) DO {onConflict}
                )
                """);
            parameters.Add(new NpgsqlParameter<string>($"i{i}_key", row.Key));
            var j = 0;
            foreach (var value in row.Columns.Values)
            {
                // An untyped null is sent as 'unknown', so PostgreSQL takes the target column's type.
                parameters.Add(new NpgsqlParameter($"i{i}_c{j++}", value ?? DBNull.Value));
            }
        }
    }

    private static void AddStateKey(NpgsqlCommand command, GrainId grainId, string stateName)
    {
        foreach (var parameter in StateKey(grainId, stateName))
        {
            command.Parameters.Add(parameter);
        }
    }

    private static List<NpgsqlParameter> StateKey(GrainId grainId, string stateName) =>
    [
        new NpgsqlParameter<string>("type", grainId.Type),
        new NpgsqlParameter<string>("key", grainId.Key),
        new NpgsqlParameter<string>("name", stateName),
    ];

    private static InconsistentStateException StaleVersion(GrainId grainId, string stateName, long expectedVersion) =>
        new($"{grainId} state '{stateName}' is no longer at version {expectedVersion}.");
}
