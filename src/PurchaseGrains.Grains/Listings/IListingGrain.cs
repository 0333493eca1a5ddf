using PurchaseGrains.Grains.PurchaseIntents;
using Orleans.Concurrency;
using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>A purchase intent asking a listing for units. <paramref name="SellNow"/>: no payment is needed.</summary>
/// <param name="Bucket">The <see cref="IntentBucket"/> key the new intent is counted in.</param>
[GenerateSerializer, Immutable, Alias("listing.HoldRequest")]
public sealed record HoldRequest(string IntentId, string Partner, PaymentProvider Provider, BuyerIdentity Buyer, int Quantity, bool SellNow,
    string Bucket);

/// <summary>An intent now counted in <paramref name="Bucket"/> (an <see cref="IntentBucket"/> key).</summary>
[GenerateSerializer, Immutable, Alias("listing.TrackRequest")]
public sealed record TrackRequest(string IntentId, string Bucket);

/// <param name="Outcome">Where the intent's units are now (a repeated request answers the first one's outcome).</param>
[GenerateSerializer, Immutable, Alias("listing.HoldResult")]
public sealed record HoldResult(LedgerOutcome Outcome, PurchaseRefusal? Refusal, ListingSnapshot? Listing);

/// <summary>One listing (key: listing id): its definition and the only writer of its quantity.</summary>
[Alias("listing.IListingGrain")]
public interface IListingGrain : IGrainWithStringKey
{
    Task<ListingSnapshot> Create(string partner, ListingDefinition definition);

    /// <summary>Null when the listing does not exist or belongs to another partner.</summary>
    [ReadOnly]
    Task<ListingSnapshot?> Get(string partner);

    Task<(ListingSnapshot? Listing, PurchaseRefusal? Refusal)> Patch(string partner, ListingPatch patch);

    /// <summary>
    /// Checks the purchase rules and holds (or sells) the units, once per intent id, for many intents in one turn
    /// and one write (see <see cref="ListingHoldQueue"/>). Answers in request order.
    /// </summary>
    Task<IReadOnlyList<HoldResult>> HoldMany(IReadOnlyList<HoldRequest> requests);

    /// <summary>
    /// Gives each intent's held units back (sold ones too with <see cref="ReleaseRequest.IncludeSold"/>), once, for many
    /// intents in one turn and one write (see <see cref="ListingReleaseQueue"/>). The release that gives the units back
    /// counts the intent in <see cref="ReleaseRequest.BucketIfReleased"/> (null: no longer counted). Answers in request
    /// order.
    /// </summary>
    Task<IReadOnlyList<LedgerAnswer>> ReleaseMany(IReadOnlyList<ReleaseRequest> requests);

    /// <summary>Turns an intent's held units into sold ones, once; released units are not taken back. The sale that
    /// moves the units counts the intent in <paramref name="bucketIfSold"/>.</summary>
    Task<LedgerAnswer> Sell(string intentId, string bucketIfSold);

    /// <summary>
    /// Counts each intent in its new bucket from now on (status changes that move no units), for many intents in one
    /// turn and one write (see <see cref="ListingTrackQueue"/>). An intent with no line here is not counted.
    /// </summary>
    Task TrackMany(IReadOnlyList<TrackRequest> requests);

    /// <summary>The counters as last written (for checks and operators).</summary>
    [ReadOnly]
    Task<ListingCounters> GetCounters();
}
