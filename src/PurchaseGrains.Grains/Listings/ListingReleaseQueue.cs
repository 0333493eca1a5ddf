using PurchaseGrains.Runtime;

namespace PurchaseGrains.Grains.Listings;

/// <summary>Releases (expiry, cancellation, failed payment, abandoned creation), batched per listing (<see cref="IListingGrain.ReleaseMany"/>).</summary>
public sealed class ListingReleaseQueue(IGrainFactory grains) : ListingBatchQueue<ReleaseRequest, LedgerOutcome>(grains)
{
    public Task<LedgerOutcome> ReleaseAsync(string listingId, ReleaseRequest request) => EnqueueAsync(listingId, request);

    protected override Task<IReadOnlyList<LedgerOutcome>> SendAsync(IListingGrain listing, IReadOnlyList<ReleaseRequest> batch) =>
        listing.ReleaseMany(batch);
}
