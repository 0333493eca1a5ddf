using System.Collections.Concurrent;
using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>
/// The last terms (partner and definition) each listing answered with on this node, for what an intent needs before
/// its hold: the timeout its expiry reminder is due at, and the early refusals. Asking the listing instead costs a
/// turn behind its hold batches on every creation. The terms may be older than a PATCH: a creation refuses only on
/// freshly read terms, and checks its timeout against the terms its hold answers with (see PurchaseIntentGrain).
/// One entry per listing this node has sold from; a listing's partner never changes.
/// </summary>
public sealed class ListingTerms(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, ListingSnapshot> _known = new(StringComparer.Ordinal);

    /// <summary>The listing's terms, null when it does not exist or is another partner's; <paramref name="fresh"/> asks the listing.</summary>
    public async Task<ListingSnapshot?> GetAsync(string listingId, string partner, bool fresh)
    {
        if (!fresh && _known.TryGetValue(listingId, out var known))
            return known.Partner == partner ? known : null;
        var snapshot = await grains.GetGrain<IListingGrain>(listingId).Get(partner);
        if (snapshot is not null)
            Remember(snapshot);
        return snapshot;
    }

    public void Remember(ListingSnapshot snapshot) => _known[snapshot.Id] = snapshot;
}
