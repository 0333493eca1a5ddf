using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Grains.Listings;

public sealed class ListingGrain(
    [PersistentState("listing")] IPersistentState<ListingState> state,
    IIndexQueries index) : Grain, IListingGrain
{
    private ListingState State => state.State;

    private bool Exists => state.RecordExists && State.Definition is not null;

    public async Task<ListingSnapshot> Create(string partner, ListingDefinition definition)
    {
        if (Exists)
            return State.Snapshot(PrimaryKey);
        state.State = new ListingState
        {
            Partner = partner,
            Definition = definition,
            CreatedAt = UnixMicros.Truncate(TimeProvider.GetUtcNow()),
            Counters = ListingCounters.Fresh(definition.QuantityListed),
        };
        await state.WriteStateAsync();
        return State.Snapshot(PrimaryKey);
    }

    public Task<ListingSnapshot?> Get(string partner) =>
        Task.FromResult(IsVisibleTo(partner) ? State.Snapshot(PrimaryKey) : null);

    public async Task<(ListingSnapshot? Listing, PurchaseRefusal? Refusal)> Patch(string partner, ListingPatch patch)
    {
        if (!IsVisibleTo(partner))
            return (null, PurchaseRefusal.NotFound("Listing not found"));
        var (definition, error) = patch.ApplyTo(State.Definition!);
        if (definition is null)
            return (null, PurchaseRefusal.Invalid(error!));
        State.Definition = definition;
        await WriteAsync(null);
        return (State.Snapshot(PrimaryKey), null);
    }

    public async Task<HoldResult> Hold(HoldRequest request)
    {
        if (!IsVisibleTo(request.Partner))
            return new HoldResult(LedgerOutcome.NotFound, PurchaseRefusal.NotFound("Listing not found"), null);
        var existing = await ReadLineAsync(request.IntentId);
        if (existing is not null)
            return new HoldResult(QuantityLedger.Hold(State.Counters, existing, request.IntentId, "", 0, false).Outcome, null, State.Snapshot(PrimaryKey));

        var refusal = await CheckAsync(request);
        if (refusal is not null)
        {
            // A refusal writes nothing, so no version check would catch a stale cache: decide again on fresh state.
            await state.ReadStateAsync();
            refusal = await CheckAsync(request);
            if (refusal is not null)
                return new HoldResult(LedgerOutcome.NotFound, refusal, State.Snapshot(PrimaryKey));
        }

        var step = QuantityLedger.Hold(State.Counters, null, request.IntentId, request.Buyer.Key, request.Quantity, request.SellNow);
        await CommitAsync(step.Counters, null, step.Write! with { Bucket = request.Bucket });
        return new HoldResult(step.Outcome, null, State.Snapshot(PrimaryKey));
    }

    public async Task<LedgerOutcome> Release(string intentId, bool includeSold, string? bucketIfReleased)
    {
        if (!Exists)
            return LedgerOutcome.NotFound;
        var existing = await ReadLineAsync(intentId);
        var step = QuantityLedger.Release(State.Counters, existing, intentId, includeSold);
        var after = step.Write ?? existing;
        if (step.Outcome == LedgerOutcome.Released)
            after = after! with { Bucket = bucketIfReleased };
        await CommitAsync(step.Counters, existing, after);
        return step.Outcome;
    }

    public async Task<LedgerOutcome> Sell(string intentId, string bucketIfSold)
    {
        if (!Exists)
            return LedgerOutcome.NotFound;
        var existing = await ReadLineAsync(intentId);
        var step = QuantityLedger.Sell(State.Counters, existing);
        var after = step.Write ?? existing;
        if (step.Outcome == LedgerOutcome.Sold)
            after = after! with { Bucket = bucketIfSold };
        await CommitAsync(step.Counters, existing, after);
        return step.Outcome;
    }

    public async Task Track(string intentId, string bucket)
    {
        if (!Exists || await ReadLineAsync(intentId) is not { } existing)
            return;
        await CommitAsync(State.Counters, existing, existing with { Bucket = bucket });
    }

    public async Task<ListingCounters> GetCounters()
    {
        await state.ReadStateAsync();
        return State.Counters;
    }

    private async Task<PurchaseRefusal?> CheckAsync(HoldRequest request)
    {
        long? buyerHas = State.Definition!.Policy.MaxPerUser is null ? null : await BuyerTotalAsync(request.Buyer.Key);
        return PurchaseRules.Check(State.Snapshot(PrimaryKey), request.Provider, request.Buyer, request.Quantity, buyerHas, TimeProvider.GetUtcNow());
    }

    private bool IsVisibleTo(string partner) => Exists && State.Partner == partner;

    /// <summary>Stores an intent's changed ledger line with the counters and bucket counts it implies; nothing when unchanged.</summary>
    private async Task CommitAsync(ListingCounters counters, LedgerEntry? before, LedgerEntry? after)
    {
        if (after is null || after == before)
            return;
        State.Counters = counters;
        State.ChangedBuckets = BucketCounts.Move(State.IntentCounts, before?.Bucket, after.Bucket);
        await WriteAsync(after);
    }

    private async Task WriteAsync(LedgerEntry? line)
    {
        State.ChangedLine = line;
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            State.ChangedLine = null;
            State.ChangedBuckets = [];
        }
    }

    private async Task<LedgerEntry?> ReadLineAsync(string intentId)
    {
        var row = await index.QuerySingleOrDefaultAsync<LedgerRow>(
            """
            SELECT buyer AS Buyer, quantity AS Quantity, state AS State, bucket AS Bucket
            FROM listing_holds WHERE grain_key = @intentId AND listing_id = @listingId
            """,
            new { intentId, listingId = PrimaryKey }, CancellationToken.None);
        if (row is null)
            return null;
        WireEnum<HoldState>.TryParse(row.State, out var holdState);
        return new LedgerEntry(intentId, row.Buyer ?? "", row.Quantity, holdState, row.Bucket);
    }

    private async Task<long> BuyerTotalAsync(string buyer) =>
        await index.QuerySingleOrDefaultAsync<long>(
            """
            SELECT COALESCE(SUM(quantity), 0) FROM listing_holds
            WHERE listing_id = @listingId AND buyer = @buyer AND state IN ('HELD', 'SOLD')
            """,
            new { listingId = PrimaryKey, buyer }, CancellationToken.None);

    private sealed class LedgerRow
    {
        public string? Buyer { get; set; }
        public long Quantity { get; set; }
        public string State { get; set; } = "";
        public string? Bucket { get; set; }
    }
}
