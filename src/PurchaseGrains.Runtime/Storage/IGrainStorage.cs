namespace PurchaseGrains.Runtime.Storage;

public sealed record StoredState(string Payload, long Version);

/// <summary>
/// The narrow storage contract: one row per (grain, state name) with a JSON payload and an integer version.
/// </summary>
public interface IGrainStorage
{
    Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the payload and upserts <paramref name="indexRows"/> in one transaction.
    /// <paramref name="expectedVersion"/> null means create: fails if the row exists.
    /// Returns the new version; throws <see cref="InconsistentStateException"/> when the stored version differs.
    /// </summary>
    Task<long> WriteAsync(GrainId grainId, string stateName, string payload, long? expectedVersion,
        IReadOnlyList<IndexRow> indexRows, CancellationToken cancellationToken);

    /// <summary>Deletes the row (if still at <paramref name="expectedVersion"/>) and the grain's rows in <paramref name="indexTables"/>.</summary>
    Task ClearAsync(GrainId grainId, string stateName, long expectedVersion,
        IReadOnlyList<string> indexTables, CancellationToken cancellationToken);
}
