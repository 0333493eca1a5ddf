using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Grains.Listings;

/// <param name="NewLines">Ledger lines to store (one per accepted hold), in request order.</param>
public sealed record HoldBatchDecision(IReadOnlyList<HoldResult> Results, ListingCounters Counters, IReadOnlyList<LedgerEntry> NewLines);

/// <summary>
/// Decides many holds on one listing in one turn, in order, as if each came alone: every accepted hold lowers what
/// remains (and what its buyer may still take) for the next. A request whose intent already has a line answers that
/// line's outcome, so a repeated request changes nothing.
/// </summary>
public static class HoldBatch
{
    /// <param name="lines">Existing ledger lines of the requests' intents.</param>
    /// <param name="buyerHas">Units each buyer of the batch holds or bought already (used when the policy sets max_per_user).</param>
    public static HoldBatchDecision Decide(ListingSnapshot listing, ListingCounters counters, IReadOnlyDictionary<string, LedgerEntry> lines,
        IReadOnlyDictionary<string, long> buyerHas, IReadOnlyList<HoldRequest> requests, DateTimeOffset now)
    {
        var results = new List<HoldResult>(requests.Count);
        var newLines = new List<LedgerEntry>();
        var decided = new Dictionary<string, LedgerEntry>(lines);
        var buyers = new Dictionary<string, long>(buyerHas);
        foreach (var request in requests)
        {
            if (decided.TryGetValue(request.IntentId, out var existing))
            {
                results.Add(new HoldResult(QuantityLedger.Hold(counters, existing, request.IntentId, "", 0, false).Outcome, null, null));
                continue;
            }
            var current = listing with { QuantityRemaining = counters.Remaining };
            var has = listing.Definition.Policy.MaxPerUser is null ? (long?)null : buyers.GetValueOrDefault(request.Buyer.Key);
            if (PurchaseRules.Check(current, request.Provider, request.Buyer, request.Quantity, has, now) is { } refusal)
            {
                results.Add(new HoldResult(LedgerOutcome.NotFound, refusal, null));
                continue;
            }
            var step = QuantityLedger.Hold(counters, null, request.IntentId, request.Buyer.Key, request.Quantity, request.SellNow);
            var line = step.Write! with { Bucket = request.Bucket };
            counters = step.Counters;
            decided[request.IntentId] = line;
            buyers[request.Buyer.Key] = buyers.GetValueOrDefault(request.Buyer.Key) + request.Quantity;
            newLines.Add(line);
            results.Add(new HoldResult(step.Outcome, null, null));
        }
        return new HoldBatchDecision(results, counters, newLines);
    }
}
