using System.Globalization;
using Orleans;
using Orleans.Storage;
using PurchaseGrains.Storage;
using OrleansGrainId = Orleans.Runtime.GrainId;

namespace PurchaseGrains.Silo.Storage;

/// <summary>
/// Grain state in another Orleans provider (Azure Table or Blob), and the query rows a state declares
/// (<see cref="IIndexedState"/>) in an <see cref="IQueryRowStore"/> (PostgreSQL). The two cannot share a transaction,
/// so a write stores the state first, with its version and its rows (<see cref="StateWithQueryRows{T}"/>), then the
/// rows, and only then returns: a change is in the lists once it is acknowledged. A failure between the two fails the
/// call; the ETag is left at the old write, so this activation writes nothing more (the grain deactivates), and the next
/// activation puts the stored rows in place before it answers. Rows carry the state version, and the row store keeps
/// the highest, so neither a retry nor a repair ever shows an older version. Keys Azure cannot hold are stored under
/// <see cref="AzureSafeGrainIds"/>.
/// </summary>
public sealed class QueryRowGrainStorage(IGrainStorage states, IQueryRowStore rows, MintedStateRows minted) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, OrleansGrainId grainId, IGrainState<T> grainState)
    {
        var id = RowGrainStorage.RowId(grainId);
        var stored = new GrainState<StateWithQueryRows<T>>();
        if (!minted.TryTake(id))
            await states.ReadStateAsync(stateName, AzureSafeGrainIds.For(grainId), stored);
        StateWithQueryRows<T>? envelope = stored.RecordExists ? stored.State : null;
        if (envelope is { QueryRows.Count: > 0 })
            await rows.WriteAsync(id, envelope.Version, [.. envelope.QueryRows.Select(r => r.ToRow())], CancellationToken.None);
        grainState.State = envelope is { State: { } state } ? state : Activator.CreateInstance<T>();
        grainState.ETag = ComposeETag(envelope?.Version ?? 0, stored.ETag);
        grainState.RecordExists = envelope is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, OrleansGrainId grainId, IGrainState<T> grainState)
    {
        var id = RowGrainStorage.RowId(grainId);
        var (version, etag) = ParseETag(grainState.ETag);
        var queryRows = grainState.State is IIndexedState indexed ? indexed.GetIndexRows(id).ToList() : [];
        var stored = new GrainState<StateWithQueryRows<T>>(
            new StateWithQueryRows<T> { Version = version + 1, State = grainState.State, QueryRows = [.. queryRows.Select(StoredQueryRow.From)] },
            etag);
        await states.WriteStateAsync(stateName, AzureSafeGrainIds.For(grainId), stored);
        await rows.WriteAsync(id, version + 1, queryRows, CancellationToken.None);
        grainState.ETag = ComposeETag(version + 1, stored.ETag);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, OrleansGrainId grainId, IGrainState<T> grainState)
    {
        var id = RowGrainStorage.RowId(grainId);
        var (version, etag) = ParseETag(grainState.ETag);
        var stored = new GrainState<StateWithQueryRows<T>>(new StateWithQueryRows<T> { Version = version }, etag);
        await states.ClearStateAsync(stateName, AzureSafeGrainIds.For(grainId), stored);
        var tables = grainState.State is IIndexedState indexed ? indexed.GetIndexRows(id).Select(r => r.Table).Distinct().ToList() : [];
        await rows.DeleteAsync(id, tables, CancellationToken.None);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The grain sees one ETag: the state version, then the inner provider's ETag (null for no record yet).</summary>
    private static string? ComposeETag(long version, string? innerETag) =>
        innerETag is null ? null : $"{version.ToString(CultureInfo.InvariantCulture)}:{innerETag}";

    private static (long Version, string? InnerETag) ParseETag(string? etag)
    {
        if (etag is null)
            return (0, null);
        var colon = etag.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(etag.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, etag[(colon + 1)..])
            : throw new InconsistentStateException($"ETag '{etag}' is not one this store issued");
    }
}
