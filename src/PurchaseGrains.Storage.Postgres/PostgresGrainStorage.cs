using Npgsql;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Each write or clear is ONE statement (<see cref="GrainStateWrite"/>): the state row change is a data-modifying CTE
/// and every index upsert selects from it, so a lost version race writes no index row. Statements go through the
/// <see cref="PostgresWriteCombiner"/>, which runs the writes that arrive together as one transaction.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, PostgresWriteCombiner combiner) : IGrainStorage
{
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
        var write = GrainStateWrite.Save(grainId, stateName, payload, expectedVersion, indexRows);
        return await combiner.ExecuteAsync(write, cancellationToken) ?? throw (expectedVersion is { } stale
            ? StaleVersion(grainId, stateName, stale)
            : new InconsistentStateException($"{grainId} state '{stateName}' already exists; it was expected to be absent."));
    }

    public async Task ClearAsync(GrainId grainId, string stateName, long expectedVersion, IReadOnlyList<string> indexTables,
        CancellationToken cancellationToken)
    {
        if (await combiner.ExecuteAsync(GrainStateWrite.Clear(grainId, stateName, expectedVersion, indexTables), cancellationToken) is null)
            throw StaleVersion(grainId, stateName, expectedVersion);
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
