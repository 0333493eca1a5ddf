using System.Text.Json.Serialization;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.Listings;

/// <summary>
/// A listing's durable state: its definition and three counters, nothing per intent (those lines live in
/// <see cref="ListingTables.Holds"/>, written in the same transaction), so it stays small at any volume.
/// </summary>
public sealed class ListingState : IIndexedState
{
    public string Partner { get; set; } = "";
    public ListingDefinition? Definition { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long Remaining { get; set; }
    public long Held { get; set; }
    public long Sold { get; set; }

    /// <summary>How many of this listing's intents sit in each <see cref="IntentBucket"/> (by key); at most 240 entries.</summary>
    public Dictionary<string, long> IntentCounts { get; set; } = [];

    /// <summary>Buckets whose count this write changes (stored as rows of <see cref="PurchaseIntentIndex.Counts"/>).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ChangedBuckets { get; set; } = [];

    /// <summary>The ledger lines this write changes (stored as rows of their own, not in the payload).</summary>
    [JsonIgnore]
    public IReadOnlyList<LedgerEntry> ChangedLines { get; set; } = [];

    [JsonIgnore]
    public ListingCounters Counters
    {
        get => new(Definition?.QuantityListed ?? 0, Remaining, Held, Sold);
        set => (Remaining, Held, Sold) = (value.Remaining, value.Held, value.Sold);
    }

    public ListingSnapshot Snapshot(string id) => new(id, Partner, Definition!, Remaining, CreatedAt);

    public IEnumerable<IndexRow> GetIndexRows(StateRowId grainId)
    {
        if (Definition is null)
            yield break;
        var view = ListingView.From(Snapshot(grainId.Key), CreatedAt);
        yield return new IndexRow(ListingTables.Listings.Name, grainId.Key, new Dictionary<string, object?>
        {
            ["partner"] = Partner,
            ["created_at"] = UnixMicros.From(CreatedAt),
            ["document"] = WireJson.Serialize(view),
        });
        foreach (var line in ChangedLines)
        {
            yield return new IndexRow(ListingTables.Holds.Name, line.IntentId, new Dictionary<string, object?>
            {
                ["listing_id"] = grainId.Key,
                ["buyer"] = line.BuyerKey,
                ["quantity"] = line.Quantity,
                ["state"] = line.State.ToWire(),
                ["bucket"] = line.Bucket,
            });
        }
        foreach (var bucket in ChangedBuckets)
        {
            if (IntentBucket.Parse(bucket) is { } facts)
                yield return PurchaseIntentIndex.CountRow(grainId.Key, this, facts, IntentCounts.GetValueOrDefault(bucket));
        }
    }
}
