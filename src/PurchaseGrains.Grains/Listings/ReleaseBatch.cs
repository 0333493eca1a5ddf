using Orleans;
namespace PurchaseGrains.Grains.Listings;

/// <summary>An intent giving its units back (sold ones too with <paramref name="IncludeSold"/>); see <see cref="IListingGrain.ReleaseMany"/>.</summary>
/// <param name="BucketIfReleased">The bucket the intent is counted in once released (null: no longer counted).</param>
[GenerateSerializer, Immutable, Alias("listing.ReleaseRequest")]
public sealed record ReleaseRequest(string IntentId, bool IncludeSold, string? BucketIfReleased);

/// <param name="Answers">What each release did, in request order.</param>
/// <param name="Changes">Each ledger line that changes, before and after, in request order.</param>
public sealed record ReleaseBatchDecision(IReadOnlyList<LedgerAnswer> Answers, ListingCounters Counters,
    IReadOnlyList<(LedgerEntry? Before, LedgerEntry After)> Changes);

/// <summary>
/// Decides many releases on one listing in one turn, in order, as if each came alone: a request sees the lines the
/// earlier ones of the batch wrote, so the same intent twice gives its units back once. Only the release that gives
/// the units back moves the intent's count (see <see cref="LedgerAnswer"/>).
/// </summary>
public static class ReleaseBatch
{
    /// <param name="lines">Existing ledger lines of the requests' intents.</param>
    public static ReleaseBatchDecision Decide(ListingCounters counters, IReadOnlyDictionary<string, LedgerEntry> lines,
        IReadOnlyList<ReleaseRequest> requests)
    {
        var decided = new Dictionary<string, LedgerEntry>(lines);
        var answers = new List<LedgerAnswer>(requests.Count);
        var changes = new List<(LedgerEntry?, LedgerEntry)>();
        foreach (var request in requests)
        {
            var existing = decided.GetValueOrDefault(request.IntentId);
            var step = QuantityLedger.Release(counters, existing, request.IntentId, request.IncludeSold);
            var after = step.LineAfter(existing, request.BucketIfReleased);
            if (after is not null && after != existing)
            {
                counters = step.Counters;
                decided[request.IntentId] = after;
                changes.Add((existing, after));
            }
            answers.Add(step.Answer);
        }
        return new ReleaseBatchDecision(answers, counters, changes);
    }
}
