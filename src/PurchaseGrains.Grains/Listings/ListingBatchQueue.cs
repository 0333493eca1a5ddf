using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>
/// Group commit for hot listings, one lane per listing on this node: requests for a listing that arrive while a
/// batch is in flight wait and go together in the next batch call, so a listing under load takes one ledger read
/// and one write per batch instead of per intent. A quiet listing sees batches of one (no added delay).
/// </summary>
public abstract class ListingBatchQueue<TRequest, TResult>(IGrainFactory grains)
{
    public const int MaxBatch = 256;

    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Sends one batch to the listing; answers in request order.</summary>
    protected abstract Task<IReadOnlyList<TResult>> SendAsync(IListingGrain listing, IReadOnlyList<TRequest> batch);

    protected Task<TResult> EnqueueAsync(string listingId, TRequest request)
    {
        var waiting = new Waiting(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        Lane lane;
        lock (_lock)
        {
            if (!_lanes.TryGetValue(listingId, out lane!))
                _lanes[listingId] = lane = new Lane();
            lane.Pending.Add(waiting);
            start = !lane.Running;
            lane.Running = true;
        }
        if (start)
            _ = Task.Run(() => DrainAsync(listingId, lane));
        return waiting.Result.Task;
    }

    private async Task DrainAsync(string listingId, Lane lane)
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_lock)
            {
                if (lane.Pending.Count == 0)
                {
                    lane.Running = false;
                    _lanes.Remove(listingId);
                    return;
                }
                batch = lane.Pending.Take(MaxBatch).ToList();
                lane.Pending.RemoveRange(0, batch.Count);
            }
            try
            {
                var results = await SendAsync(grains.GetGrain<IListingGrain>(listingId), batch.Select(w => w.Request).ToList());
                for (var i = 0; i < batch.Count; i++)
                    batch[i].Result.TrySetResult(results[i]);
            }
            catch (Exception exception)
            {
                foreach (var waiting in batch)
                    waiting.Result.TrySetException(exception);
            }
        }
    }

    private sealed record Waiting(TRequest Request, TaskCompletionSource<TResult> Result);

    private sealed class Lane
    {
        public List<Waiting> Pending { get; } = [];
        public bool Running { get; set; }
    }
}
