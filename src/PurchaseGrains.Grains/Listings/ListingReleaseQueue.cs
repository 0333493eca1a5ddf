using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>Releases (expiry, cancellation, failed payment, abandoned creation), batched per listing (<see cref="IListingGrain.ReleaseMany"/>).</summary>
public sealed class ListingReleaseQueue(IGrainFactory grains) : ListingBatchQueue<ReleaseRequest, LedgerAnswer>(grains)
{
    public Task<LedgerAnswer> ReleaseAsync(string listingId, ReleaseRequest request) => EnqueueAsync(listingId, request);

    protected override Task<IReadOnlyList<LedgerAnswer>> SendAsync(IListingGrain listing, IReadOnlyList<ReleaseRequest> batch) =>
        listing.ReleaseMany(batch);
}
