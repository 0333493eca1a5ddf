using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>Status changes that move no units (fulfilment progress, say), batched per listing (<see cref="IListingGrain.TrackMany"/>).</summary>
public sealed class ListingTrackQueue(IGrainFactory grains) : ListingBatchQueue<TrackRequest, bool>(grains)
{
    public Task TrackAsync(string listingId, TrackRequest request) => EnqueueAsync(listingId, request);

    protected override async Task<IReadOnlyList<bool>> SendAsync(IListingGrain listing, IReadOnlyList<TrackRequest> batch)
    {
        await listing.TrackMany(batch);
        return [.. batch.Select(_ => true)];
    }
}
