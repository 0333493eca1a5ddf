using Orleans;
namespace PurchaseGrains.Grains.Listings;

public enum HoldState { Held, Sold, Released }

/// <summary>What happened to one intent's units on a listing: where they are now, or that the intent never held any.</summary>
[GenerateSerializer, Alias("listing.LedgerOutcome")]
public enum LedgerOutcome { Held, Sold, Released, NotFound }

/// <summary>
/// What a release or a sale did. <paramref name="MovedNow"/>: this very step moved the units, so the listing now counts
/// the intent in the bucket the step asked for. When an earlier step had moved them (a cancellation racing the expiry,
/// one payment seen on two nodes), the count stays where that step put it.
/// </summary>
[GenerateSerializer, Immutable, Alias("listing.LedgerAnswer")]
public readonly record struct LedgerAnswer(LedgerOutcome Outcome, bool MovedNow);

/// <summary>One intent's line in a listing's ledger (a row of its own, not part of the listing state).</summary>
/// <param name="Bucket">The <see cref="PurchaseIntents.IntentBucket"/> key the intent is counted in, or null when not counted.</param>
public sealed record LedgerEntry(string IntentId, string BuyerKey, long Quantity, HoldState State, string? Bucket = null);

/// <summary>Always <c>Remaining + Held + Sold == Listed</c>.</summary>
[GenerateSerializer, Immutable, Alias("listing.ListingCounters")]
public sealed record ListingCounters(long Listed, long Remaining, long Held, long Sold)
{
    public static ListingCounters Fresh(long listed) => new(listed, listed, 0, 0);

    public bool IsBalanced => Remaining + Held + Sold == Listed && Remaining >= 0 && Held >= 0 && Sold >= 0;
}

/// <param name="Write">The ledger line to store with the new counters, or null when nothing changes.</param>
public sealed record LedgerStep(ListingCounters Counters, LedgerEntry? Write, LedgerOutcome Outcome)
{
    /// <summary>This step moved units (a repeated step, or the zero line of an intent never seen, moves none).</summary>
    public bool MovedUnits => Write is not null && Outcome != LedgerOutcome.NotFound;

    /// <summary>What this step tells the intent that asked for it.</summary>
    public LedgerAnswer Answer => new(Outcome, MovedUnits);

    /// <summary>
    /// The intent's line once this step is stored: <paramref name="existing"/> when the step writes nothing, and a line
    /// whose units this step moved counts the intent in <paramref name="bucketIfMoved"/>.
    /// </summary>
    public LedgerEntry? LineAfter(LedgerEntry? existing, string? bucketIfMoved) =>
        MovedUnits ? Write! with { Bucket = bucketIfMoved } : Write ?? existing;
}

/// <summary>
/// Moves units between remaining, held and sold. Every step is keyed by the intent's ledger line, so a step
/// repeated (a re-run turn, a duplicate tick) changes nothing the second time.
/// </summary>
public static class QuantityLedger
{
    public static LedgerStep Hold(ListingCounters counters, LedgerEntry? existing, string intentId, string buyerKey, long quantity, bool sellNow)
    {
        if (existing is not null)
            return Unchanged(counters, existing);
        if (quantity < 1 || quantity > counters.Remaining)
            throw new InvalidOperationException("Check PurchaseRules before holding.");
        var next = sellNow
            ? counters with { Remaining = counters.Remaining - quantity, Sold = counters.Sold + quantity }
            : counters with { Remaining = counters.Remaining - quantity, Held = counters.Held + quantity };
        var state = sellNow ? HoldState.Sold : HoldState.Held;
        return new LedgerStep(next, new LedgerEntry(intentId, buyerKey, quantity, state), Outcome(state));
    }

    /// <summary>
    /// Gives held units back. With <paramref name="includeSold"/> (the intent was never created) sold ones too.
    /// An intent with no line gets a released line of zero units, so a hold that arrives late cannot apply.
    /// </summary>
    public static LedgerStep Release(ListingCounters counters, LedgerEntry? existing, string intentId, bool includeSold)
    {
        switch (existing)
        {
            case null:
                return new LedgerStep(counters, new LedgerEntry(intentId, "", 0, HoldState.Released), LedgerOutcome.NotFound);
            case { State: HoldState.Held }:
                return new LedgerStep(counters with { Remaining = counters.Remaining + existing.Quantity, Held = counters.Held - existing.Quantity },
                    existing with { State = HoldState.Released }, LedgerOutcome.Released);
            case { State: HoldState.Sold } when includeSold:
                return new LedgerStep(counters with { Remaining = counters.Remaining + existing.Quantity, Sold = counters.Sold - existing.Quantity },
                    existing with { State = HoldState.Released }, LedgerOutcome.Released);
            default:
                return Unchanged(counters, existing);
        }
    }

    /// <summary>Turns held units into sold ones. Released units stay released: a late payment does not take them back.</summary>
    public static LedgerStep Sell(ListingCounters counters, LedgerEntry? existing)
    {
        if (existing is null)
            return new LedgerStep(counters, null, LedgerOutcome.NotFound);
        if (existing.State != HoldState.Held)
            return Unchanged(counters, existing);
        return new LedgerStep(counters with { Held = counters.Held - existing.Quantity, Sold = counters.Sold + existing.Quantity },
            existing with { State = HoldState.Sold }, LedgerOutcome.Sold);
    }

    private static LedgerStep Unchanged(ListingCounters counters, LedgerEntry existing) => new(counters, null, Outcome(existing.State));

    private static LedgerOutcome Outcome(HoldState state) => state switch
    {
        HoldState.Held => LedgerOutcome.Held,
        HoldState.Sold => LedgerOutcome.Sold,
        _ => LedgerOutcome.Released,
    };
}
