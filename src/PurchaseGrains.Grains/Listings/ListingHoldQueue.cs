using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>Holds, batched per listing (<see cref="IListingGrain.HoldMany"/>).</summary>
public sealed class ListingHoldQueue(IGrainFactory grains) : ListingBatchQueue<HoldRequest, HoldResult>(grains)
{
    public Task<HoldResult> HoldAsync(string listingId, HoldRequest request) => EnqueueAsync(listingId, request);

    protected override Task<IReadOnlyList<HoldResult>> SendAsync(IListingGrain listing, IReadOnlyList<HoldRequest> batch) =>
        listing.HoldMany(batch);
}
