namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// The low-cardinality facts of an intent that list filters combine (at most 5 × 4 × 4 × 3 = 240 values). Each
/// listing keeps how many of its intents sit in each bucket, so <c>total_results</c> for such filters is a sum
/// over a few count rows instead of a count over every matching intent.
/// </summary>
public sealed record IntentBucket(IntentStatus Status, PaymentProvider Provider, FulfillmentStatus FulfillmentStatus, FulfillmentMethod FulfillmentMethod)
{
    public string Key => string.Join('|', Status.ToWire(), Provider.ToWire(), FulfillmentStatus.ToWire(), FulfillmentMethod.ToWire());

    public static IntentBucket? Parse(string key)
    {
        var parts = key.Split('|');
        return parts.Length == 4
            && WireEnum<IntentStatus>.TryParse(parts[0], out var status)
            && WireEnum<PaymentProvider>.TryParse(parts[1], out var provider)
            && WireEnum<FulfillmentStatus>.TryParse(parts[2], out var fulfillmentStatus)
            && WireEnum<FulfillmentMethod>.TryParse(parts[3], out var method)
                ? new IntentBucket(status, provider, fulfillmentStatus, method)
                : null;
    }
}

/// <summary>Moves one intent between bucket counts; a null bucket means "not counted".</summary>
public static class BucketCounts
{
    /// <returns>The buckets whose count changed.</returns>
    public static IReadOnlyList<string> Move(IDictionary<string, long> counts, string? from, string? to)
    {
        if (from == to)
            return [];
        var changed = new List<string>(2);
        if (from is not null)
        {
            counts[from] = counts.TryGetValue(from, out var n) ? Math.Max(0, n - 1) : 0;
            changed.Add(from);
        }
        if (to is not null)
        {
            counts[to] = counts.TryGetValue(to, out var n) ? n + 1 : 1;
            changed.Add(to);
        }
        return changed;
    }
}
