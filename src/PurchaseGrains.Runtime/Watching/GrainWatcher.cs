using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Runtime.Telemetry;

namespace PurchaseGrains.Runtime.Watching;

/// <summary>Wakes callers waiting on a grain when the change feed reports it changed, on any node.</summary>
internal sealed class GrainWatcher : IGrainWatcher, IDisposable
{
    private readonly Dictionary<GrainId, List<LiveWatch>> _watches = [];
    private readonly Lock _lock = new();
    private readonly IDisposable _subscription;

    public GrainWatcher(IGrainChangeFeed changeFeed) => _subscription = changeFeed.Subscribe(OnChange);

    public GrainWatch Watch(GrainId grainId)
    {
        var watch = new LiveWatch(this, grainId);
        lock (_lock)
        {
            if (!_watches.TryGetValue(grainId, out var watches))
                _watches[grainId] = watches = [];
            watches.Add(watch);
        }
        return watch;
    }

    private void OnChange(GrainChange change)
    {
        LiveWatch[] toWake;
        lock (_lock)
        {
            if (change.IsGap)
                toWake = [.. _watches.Values.SelectMany(w => w)];
            else if (_watches.TryGetValue(change.GrainId, out var watches))
                toWake = [.. watches];
            else
                return;
        }
        foreach (var watch in toWake)
            watch.Signal();
    }

    private void Remove(LiveWatch watch)
    {
        lock (_lock)
        {
            if (_watches.TryGetValue(watch.GrainId, out var watches) && watches.Remove(watch) && watches.Count == 0)
                _watches.Remove(watch.GrainId);
        }
    }

    public void Dispose() => _subscription.Dispose();

    private sealed class LiveWatch(GrainWatcher owner, GrainId grainId) : GrainWatch
    {
        private readonly SemaphoreSlim _changed = new(0, 1);
        private int _disposed;

        public GrainId GrainId { get; } = grainId;

        public void Signal()
        {
            try { _changed.Release(); }
            catch (SemaphoreFullException) { }
        }

        public override async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (timeout <= TimeSpan.Zero)
                return _changed.Wait(0, CancellationToken.None);
            GrainDiagnostics.LongPollWaiters.Add(1);
            try
            {
                return await _changed.WaitAsync(timeout, cancellationToken);
            }
            finally
            {
                GrainDiagnostics.LongPollWaiters.Add(-1);
            }
        }

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Remove(this);
        }
    }
}
