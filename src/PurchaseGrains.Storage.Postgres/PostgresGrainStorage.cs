
namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Each write or clear is ONE statement (<see cref="GrainStateWrite"/>): the state row change is a data-modifying CTE
/// and every index upsert selects from it, so a lost version race writes no index row. Statements go through the
/// <see cref="PostgresWriteCombiner"/>, which runs the writes that arrive together as one transaction; reads go
/// through the <see cref="PostgresReadCombiner"/>.
/// </summary>
internal sealed class PostgresGrainStorage(PostgresReadCombiner reads, PostgresWriteCombiner combiner) : IStateRowStore
{
    public Task<StoredState?> ReadAsync(StateRowId grainId, string stateName, CancellationToken cancellationToken) =>
        reads.ReadAsync(grainId, stateName, cancellationToken);

    public async Task<long> WriteAsync(StateRowId grainId, string stateName, string payload, long? expectedVersion,
        IReadOnlyList<IndexRow> indexRows, CancellationToken cancellationToken)
    {
        var write = GrainStateWrite.Save(grainId, stateName, payload, expectedVersion, indexRows);
        return await combiner.ExecuteAsync(write, cancellationToken) ?? throw (expectedVersion is { } stale
            ? StaleVersion(grainId, stateName, stale)
            : new StateVersionConflictException($"{grainId} state '{stateName}' already exists; it was expected to be absent."));
    }

    public async Task ClearAsync(StateRowId grainId, string stateName, long expectedVersion, IReadOnlyList<string> indexTables,
        CancellationToken cancellationToken)
    {
        if (await combiner.ExecuteAsync(GrainStateWrite.Clear(grainId, stateName, expectedVersion, indexTables), cancellationToken) is null)
            throw StaleVersion(grainId, stateName, expectedVersion);
    }

    private static StateVersionConflictException StaleVersion(StateRowId grainId, string stateName, long expectedVersion) =>
        new($"{grainId} state '{stateName}' is no longer at version {expectedVersion}.");
}
