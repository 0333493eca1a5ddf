using Microsoft.Data.Sqlite;

namespace PurchaseGrains.Storage.Sqlite;

internal sealed class SqliteGrainStorage(SqliteDatabase database) : IStateRowStore
{
    public async Task<StoredState?> ReadAsync(StateRowId grainId, string stateName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT payload, version FROM grain_state
            WHERE grain_type = @type AND grain_key = @key AND state_name = @name
            """;
        AddStateKey(command, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredState(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public Task<long> WriteAsync(StateRowId grainId, string stateName, string payload, long? expectedVersion,
        IReadOnlyList<IndexRow> indexRows, CancellationToken cancellationToken) =>
        database.WriteAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            AddStateKey(command, grainId, stateName);
            command.Parameters.AddWithValue("@payload", payload);
            long version;
            if (expectedVersion is { } expected)
            {
                command.CommandText = """
                    UPDATE grain_state
                    SET payload = @payload, version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                    WHERE grain_type = @type AND grain_key = @key AND state_name = @name AND version = @expected
                    """;
                command.Parameters.AddWithValue("@expected", expected);
                version = expected + 1;
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    throw StaleVersion(grainId, stateName, expected);
                }
            }
            else
            {
                command.CommandText = """
                    INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version, updated_at)
                    VALUES (@type, @key, @name, @payload, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    ON CONFLICT DO NOTHING
                    """;
                version = 1;
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    throw new StateVersionConflictException($"{grainId} state '{stateName}' already exists; it was expected to be absent.");
                }
            }

            foreach (var row in indexRows)
            {
                await UpsertIndexRowAsync(transaction, row, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return version;
        }, cancellationToken);

    public Task ClearAsync(StateRowId grainId, string stateName, long expectedVersion, IReadOnlyList<string> indexTables,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM grain_state
                WHERE grain_type = @type AND grain_key = @key AND state_name = @name AND version = @expected
                """;
            AddStateKey(command, grainId, stateName);
            command.Parameters.AddWithValue("@expected", expectedVersion);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw StaleVersion(grainId, stateName, expectedVersion);
            }

            foreach (var table in indexTables)
            {
                await using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = $"DELETE FROM {SqlIdentifier.Quote(table)} WHERE grain_key = @key";
                delete.Parameters.AddWithValue("@key", grainId.Key);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);

    private static async Task UpsertIndexRowAsync(SqliteTransaction transaction, IndexRow row, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var columns = row.Columns.Keys.Select(SqlIdentifier.Quote).ToList();
        var values = Enumerable.Range(0, columns.Count).Select(i => $"@c{i}").ToList();
        var updates = columns.Count == 0
            ? "NOTHING"
            : "UPDATE SET " + string.Join(", ", columns.Select(column => $"{column} = excluded.{column}"));
        command.CommandText = $"""
            INSERT INTO {SqlIdentifier.Quote(row.Table)} ({string.Join(", ", ["grain_key", .. columns])})
            VALUES ({string.Join(", ", ["@key", .. values])})
            ON CONFLICT (grain_key) DO {updates}
            """;
        command.Parameters.AddWithValue("@key", row.Key);
        var index = 0;
        foreach (var value in row.Columns.Values)
        {
            command.Parameters.AddWithValue($"@c{index++}", value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddStateKey(SqliteCommand command, StateRowId grainId, string stateName)
    {
        command.Parameters.AddWithValue("@type", grainId.Type);
        command.Parameters.AddWithValue("@key", grainId.Key);
        command.Parameters.AddWithValue("@name", stateName);
    }

    private static StateVersionConflictException StaleVersion(StateRowId grainId, string stateName, long expectedVersion) =>
        new($"{grainId} state '{stateName}' is no longer at version {expectedVersion}.");
}
