using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.Listings;

/// <summary>
/// The one writer of a listing's quantity. Its ledger lines live in their own rows (<see cref="ListingTables.Holds"/>),
/// read per batch: being the single activation, this grain is also the only writer of those rows, so what it reads is
/// what it last wrote.
/// </summary>
[GrainType("listing")]
public sealed class ListingGrain(
    [PersistentState("listing", GrainStores.Main)] IPersistentState<ListingState> state,
    IIndexQueries index,
    TimeProvider time) : Grain, IListingGrain
{
    private ListingState State => state.State;

    private string PrimaryKey => this.GetPrimaryKeyString();

    private bool Exists => state.RecordExists && State.Definition is not null;

    public async Task<ListingSnapshot> Create(string partner, ListingDefinition definition)
    {
        if (Exists)
            return State.Snapshot(PrimaryKey);
        state.State = new ListingState
        {
            Partner = partner,
            Definition = definition,
            CreatedAt = UnixMicros.Truncate(time.GetUtcNow()),
            Counters = ListingCounters.Fresh(definition.QuantityListed),
        };
        await state.WriteOrDeactivateAsync(this);
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
        await WriteAsync([]);
        return (State.Snapshot(PrimaryKey), null);
    }

    public async Task<IReadOnlyList<HoldResult>> HoldMany(IReadOnlyList<HoldRequest> requests)
    {
        var visible = requests.Where(r => IsVisibleTo(r.Partner)).ToList();
        if (visible.Count == 0)
            return requests.Select(_ => new HoldResult(LedgerOutcome.NotFound, PurchaseRefusal.NotFound("Listing not found"), null)).ToList();
        var decision = await DecideHoldsAsync(visible);
        if (decision.NewLines.Count > 0)
        {
            State.Counters = decision.Counters;
            State.ChangedBuckets = decision.NewLines.SelectMany(l => BucketCounts.Move(State.IntentCounts, null, l.Bucket)).Distinct().ToList();
            await WriteAsync(decision.NewLines);
        }

        var snapshot = State.Snapshot(PrimaryKey);
        var answers = new Dictionary<HoldRequest, HoldResult>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < visible.Count; i++)
            answers[visible[i]] = decision.Results[i] with { Listing = snapshot };
        return requests.Select(r => answers.TryGetValue(r, out var answer)
            ? answer
            : new HoldResult(LedgerOutcome.NotFound, PurchaseRefusal.NotFound("Listing not found"), null)).ToList();
    }

    /// <summary>Decides the holds on the state as it is now and the intents' ledger lines.</summary>
    private async Task<HoldBatchDecision> DecideHoldsAsync(IReadOnlyList<HoldRequest> requests)
    {
        var buyers = State.Definition?.Policy.MaxPerUser is null ? [] : requests.Select(r => r.Buyer.Key).Distinct().ToList();
        var (lines, buyerHas) = await ReadLedgerAsync(requests.Select(r => r.IntentId).Distinct().ToList(), buyers);
        return HoldBatch.Decide(State.Snapshot(PrimaryKey), State.Counters, lines, buyerHas, requests, time.GetUtcNow());
    }

    public async Task<IReadOnlyList<LedgerAnswer>> ReleaseMany(IReadOnlyList<ReleaseRequest> requests)
    {
        if (!Exists)
            return requests.Select(_ => new LedgerAnswer(LedgerOutcome.NotFound, MovedNow: false)).ToList();
        var lines = await ReadLinesAsync(requests.Select(r => r.IntentId).Distinct().ToList());
        var decision = ReleaseBatch.Decide(State.Counters, lines, requests);
        if (decision.Changes.Count > 0)
        {
            State.Counters = decision.Counters;
            State.ChangedBuckets = decision.Changes
                .SelectMany(c => BucketCounts.Move(State.IntentCounts, c.Before?.Bucket, c.After.Bucket)).Distinct().ToList();
            // The last version of each changed line (an intent twice in the batch is one row).
            var changed = decision.Changes.GroupBy(c => c.After.IntentId).Select(g => g.Last().After).ToList();
            await WriteAsync(changed);
        }
        return decision.Answers;
    }

    public async Task<LedgerAnswer> Sell(string intentId, string bucketIfSold)
    {
        if (!Exists)
            return new LedgerAnswer(LedgerOutcome.NotFound, MovedNow: false);
        var existing = await ReadLineAsync(intentId);
        var step = QuantityLedger.Sell(State.Counters, existing);
        await CommitAsync(step.Counters, existing, step.LineAfter(existing, bucketIfSold));
        return step.Answer;
    }

    public async Task TrackMany(IReadOnlyList<TrackRequest> requests)
    {
        if (!Exists)
            return;
        var lines = await ReadLinesAsync(requests.Select(r => r.IntentId).Distinct().ToList());
        var changedBuckets = new List<string>();
        var changedLines = new Dictionary<string, LedgerEntry>();
        foreach (var request in requests)
        {
            if (!lines.TryGetValue(request.IntentId, out var line) || line.Bucket == request.Bucket)
                continue;
            changedBuckets.AddRange(BucketCounts.Move(State.IntentCounts, line.Bucket, request.Bucket));
            lines[request.IntentId] = changedLines[request.IntentId] = line with { Bucket = request.Bucket };
        }
        if (changedLines.Count == 0)
            return;
        State.ChangedBuckets = changedBuckets.Distinct().ToList();
        await WriteAsync([.. changedLines.Values]);
    }

    public Task<ListingCounters> GetCounters() => Task.FromResult(State.Counters);

    private bool IsVisibleTo(string partner) => Exists && State.Partner == partner;

    /// <summary>Stores an intent's changed ledger line with the counters and bucket counts it implies; nothing when unchanged.</summary>
    private async Task CommitAsync(ListingCounters counters, LedgerEntry? before, LedgerEntry? after)
    {
        if (after is null || after == before)
            return;
        State.Counters = counters;
        State.ChangedBuckets = BucketCounts.Move(State.IntentCounts, before?.Bucket, after.Bucket);
        await WriteAsync([after]);
    }

    private async Task WriteAsync(IReadOnlyList<LedgerEntry> lines)
    {
        State.ChangedLines = lines;
        try
        {
            await state.WriteOrDeactivateAsync(this);
        }
        finally
        {
            State.ChangedLines = [];
            State.ChangedBuckets = [];
        }
    }

    private async Task<LedgerEntry?> ReadLineAsync(string intentId) =>
        (await ReadLinesAsync([intentId])).GetValueOrDefault(intentId);

    private async Task<Dictionary<string, LedgerEntry>> ReadLinesAsync(IReadOnlyList<string> intentIds) =>
        (await ReadLedgerAsync(intentIds, [])).Lines;

    /// <summary>
    /// The intents' ledger lines, and the units each buyer holds or bought here (for <c>max_per_user</c>), in one
    /// query: a hold batch needs both, and one round trip instead of two.
    /// </summary>
    private async Task<(Dictionary<string, LedgerEntry> Lines, Dictionary<string, long> BuyerTotals)> ReadLedgerAsync(
        IReadOnlyList<string> intentIds, IReadOnlyList<string> buyers)
    {
        if (intentIds.Count == 0 && buyers.Count == 0)
            return ([], []);
        // Lines by key alone (a line is an intent's, and an intent has one listing; checked below): with the listing in
        // the WHERE clause, a stale-statistics plan would scan all of the listing's lines instead of probing the keys.
        var sql = $"""
            SELECT grain_key AS IntentId, listing_id AS ListingId, buyer AS Buyer, quantity AS Quantity, state AS State, bucket AS Bucket
            FROM listing_holds WHERE {SqlLists.AnyOf(index.Dialect, "grain_key", "intentIds")}
            """;
        if (buyers.Count > 0)
        {
            // A buyer's total comes back as a row with no intent id.
            sql += $"""

                UNION ALL
                SELECT NULL, listing_id, buyer, CAST(SUM(quantity) AS bigint), NULL, NULL FROM listing_holds
                WHERE {SqlLists.AnyOf(index.Dialect, "buyer", "buyers")} AND listing_id = @listingId AND state IN ('HELD', 'SOLD')
                GROUP BY listing_id, buyer
                """;
        }
        var rows = await index.QueryAsync<LedgerRow>(sql,
            new { intentIds = intentIds.ToArray(), buyers = buyers.ToArray(), listingId = PrimaryKey }, CancellationToken.None);
        var lines = new Dictionary<string, LedgerEntry>();
        var totals = new Dictionary<string, long>();
        foreach (var row in rows)
        {
            if (row.IntentId is null)
            {
                totals[row.Buyer ?? ""] = row.Quantity;
                continue;
            }
            if (row.ListingId != PrimaryKey)
                continue;
            WireEnum<HoldState>.TryParse(row.State, out var holdState);
            lines[row.IntentId] = new LedgerEntry(row.IntentId, row.Buyer ?? "", row.Quantity, holdState, row.Bucket);
        }
        return (lines, totals);
    }

    private sealed class LedgerRow
    {
        public string? IntentId { get; set; }
        public string? ListingId { get; set; }
        public string? Buyer { get; set; }
        public long Quantity { get; set; }
        public string? State { get; set; }
        public string? Bucket { get; set; }
    }
}
