using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Orleans;
using Orleans.Storage;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Storage;
using OrleansGrainId = Orleans.Runtime.GrainId;

namespace PurchaseGrains.Silo.Storage;

/// <summary>
/// Orleans grain storage on the project's own state rows (SQLite or PostgreSQL): one row per (grain, state name) with
/// a JSON payload and an integer version, which is the ETag. Writes keep what the row store does well: PostgreSQL
/// commits the writes that arrive together as one transaction (group commit), and the query rows a state declares
/// (<see cref="IIndexedState"/>) are written in the same transaction as the state, so lists never drift from grains.
/// A write against a version that is no longer the stored one throws Orleans' <see cref="InconsistentStateException"/>,
/// which fails the call and deactivates the grain: it only happens when two activations existed (a partition).
/// Orleans traces each call (<c>read storage</c>, <c>write storage</c>); this records latency and conflicts.
/// </summary>
public sealed class RowGrainStorage(IStateRowStore rows, MintedStateRows minted) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, OrleansGrainId grainId, IGrainState<T> grainState)
    {
        var id = RowId(grainId);
        var started = Stopwatch.GetTimestamp();
        var stored = minted.TryTake(id) ? null : await rows.ReadAsync(id, stateName, CancellationToken.None);
        RecordLatency(started, "read", id);
        grainState.State = stored is null ? Activator.CreateInstance<T>() : GrainStateSerializer.Deserialize<T>(stored.Payload);
        grainState.ETag = stored?.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = stored is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, OrleansGrainId grainId, IGrainState<T> grainState)
    {
        var id = RowId(grainId);
        var started = Stopwatch.GetTimestamp();
        var indexRows = grainState.State is IIndexedState indexed ? indexed.GetIndexRows(id).ToList() : [];
        var expected = Version(id, stateName, grainState.ETag);
        try
        {
            var version = await rows.WriteAsync(id, stateName, GrainStateSerializer.Serialize(grainState.State), expected,
                indexRows, CancellationToken.None);
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        catch (StateVersionConflictException conflict)
        {
            GrainDiagnostics.StorageConflicts.Add(1, new KeyValuePair<string, object?>("grain.type", id.Type));
            throw new InconsistentStateException(conflict.Message, conflict);
        }
        RecordLatency(started, "write", id);
    }

    public async Task ClearStateAsync<T>(string stateName, OrleansGrainId grainId, IGrainState<T> grainState)
    {
        var id = RowId(grainId);
        if (Version(id, stateName, grainState.ETag) is not { } version)
        {
            // No ETag: the caller believes there is no row. If another activation created one, that belief is stale.
            if (await rows.ReadAsync(id, stateName, CancellationToken.None) is { } stored)
                throw Conflict(id, $"state '{stateName}' of {id} exists (version {stored.Version}); it was cleared as absent");
        }
        else
        {
            var tables = grainState.State is IIndexedState indexed ? indexed.GetIndexRows(id).Select(r => r.Table).Distinct().ToList() : [];
            try
            {
                await rows.ClearAsync(id, stateName, version, tables, CancellationToken.None);
            }
            catch (StateVersionConflictException conflict)
            {
                throw new InconsistentStateException(conflict.Message, conflict);
            }
        }
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The row key: the grain type name (<c>[GrainType]</c>, e.g. <c>vm_session</c>) and the string key.</summary>
    internal static StateRowId RowId(OrleansGrainId grainId) =>
        new(TypeNames.GetOrAdd(grainId.Type, static type => type.ToString()!), grainId.Key.ToString()!);

    /// <summary>A grain type's name is decoded once, not on every read and write.</summary>
    private static readonly ConcurrentDictionary<Orleans.Runtime.GrainType, string> TypeNames = new();

    /// <summary>The row version an ETag names; an ETag this store never issued (another provider's) is a conflict.</summary>
    private static long? Version(StateRowId id, string stateName, string? etag) =>
        etag is null ? null
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version
        : throw Conflict(id, $"ETag '{etag}' of state '{stateName}' of {id} is not a version this store issued");

    private static InconsistentStateException Conflict(StateRowId id, string message)
    {
        GrainDiagnostics.StorageConflicts.Add(1, new KeyValuePair<string, object?>("grain.type", id.Type));
        return new InconsistentStateException(message);
    }

    private static void RecordLatency(long started, string operation, StateRowId id) =>
        GrainDiagnostics.StorageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("grain.type", id.Type));
}
