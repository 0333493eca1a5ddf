namespace PurchaseGrains.Storage;

/// <summary>
/// Query rows kept apart from the grain state (the AzureStorage profile: state on Azure, rows on PostgreSQL). Each
/// row carries the version of the state it was computed from, and a row is only replaced by one of a higher
/// version, so a late or repeated write never takes a list back to an older state.
/// </summary>
public interface IQueryRowStore
{
    /// <summary>Upserts <paramref name="rows"/> of state version <paramref name="stateVersion"/>; rows stored at that version or later stay.</summary>
    Task WriteAsync(StateRowId id, long stateVersion, IReadOnlyList<IndexRow> rows, CancellationToken cancellationToken);

    /// <summary>Deletes the grain's rows (those keyed by its key) in <paramref name="tables"/>.</summary>
    Task DeleteAsync(StateRowId id, IReadOnlyList<string> tables, CancellationToken cancellationToken);
}
