namespace PurchaseGrains.Storage;

/// <summary>The address of a grain's state row: its grain type name (<c>[GrainType]</c>, e.g. <c>vm_session</c>) and string key.</summary>
public readonly record struct StateRowId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}

public sealed record StoredState(string Payload, long Version);

/// <summary>
/// The row store under Orleans' grain storage: one row per (grain, state name) with a JSON payload and an integer
/// version, and the query rows a state declares, written in the same transaction.
/// </summary>
public interface IStateRowStore
{
    Task<StoredState?> ReadAsync(StateRowId id, string stateName, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the payload and upserts <paramref name="indexRows"/> in one transaction.
    /// <paramref name="expectedVersion"/> null means create: fails if the row exists.
    /// Returns the new version; throws <see cref="StateVersionConflictException"/> when the stored version differs.
    /// </summary>
    Task<long> WriteAsync(StateRowId id, string stateName, string payload, long? expectedVersion,
        IReadOnlyList<IndexRow> indexRows, CancellationToken cancellationToken);

    /// <summary>Deletes the row (if still at <paramref name="expectedVersion"/>) and the grain's rows in <paramref name="indexTables"/>.</summary>
    Task ClearAsync(StateRowId id, string stateName, long expectedVersion,
        IReadOnlyList<string> indexTables, CancellationToken cancellationToken);
}

/// <summary>Implemented by state types that keep query rows in index tables, written in the same transaction as the state.</summary>
public interface IIndexedState
{
    IEnumerable<IndexRow> GetIndexRows(StateRowId id);
}

/// <summary>The version a write expected is no longer the stored one: another activation wrote first.</summary>
public sealed class StateVersionConflictException(string message) : Exception(message);
