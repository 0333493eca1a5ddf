using System.Diagnostics;
using System.Globalization;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Runtime.Telemetry;

namespace PurchaseGrains.Runtime.Core;

internal interface IReloadableState
{
    Task ReadStateAsync(CancellationToken cancellationToken);
}

internal sealed class PersistentState<TState>(
    GrainId grainId,
    string stateName,
    IGrainStorage storage,
    IGrainChangeFeed changeFeed) : IPersistentState<TState>, IReloadableState
    where TState : class, new()
{
    private long? _version;

    public TState State { get; set; } = new();

    public string? Etag => _version?.ToString(CultureInfo.InvariantCulture);

    public bool RecordExists => _version is not null;

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        using var activity = StartStorageSpan("read storage");
        var started = Stopwatch.GetTimestamp();
        var stored = await storage.ReadAsync(grainId, stateName, cancellationToken);
        RecordLatency(started, "read");
        State = stored is null ? new TState() : GrainStateSerializer.Deserialize<TState>(stored.Payload);
        _version = stored?.Version;
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        using var activity = StartStorageSpan("write storage");
        var started = Stopwatch.GetTimestamp();
        var indexRows = State is IIndexedState indexed ? indexed.GetIndexRows(grainId).ToList() : [];
        try
        {
            _version = await storage.WriteAsync(grainId, stateName, GrainStateSerializer.Serialize(State), _version,
                indexRows, cancellationToken);
        }
        catch (InconsistentStateException)
        {
            GrainDiagnostics.StorageConflicts.Add(1, new KeyValuePair<string, object?>("grain.type", grainId.Type));
            activity?.SetStatus(ActivityStatusCode.Error, "version conflict");
            throw;
        }
        RecordLatency(started, "write");
        changeFeed.Publish(grainId);
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        if (_version is not { } version)
        {
            State = new TState();
            return;
        }
        using var activity = StartStorageSpan("clear storage");
        var tables = State is IIndexedState indexed ? indexed.GetIndexRows(grainId).Select(r => r.Table).Distinct().ToList() : [];
        await storage.ClearAsync(grainId, stateName, version, tables, cancellationToken);
        State = new TState();
        _version = null;
        changeFeed.Publish(grainId);
    }

    private Activity? StartStorageSpan(string name)
    {
        var activity = GrainDiagnostics.Source.StartActivity(name, ActivityKind.Client);
        activity?.SetTag("grain.id", grainId.ToString());
        activity?.SetTag("grain.state", stateName);
        return activity;
    }

    private void RecordLatency(long started, string operation) =>
        GrainDiagnostics.StorageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("grain.type", grainId.Type));
}
