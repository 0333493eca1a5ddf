using System.Collections.Concurrent;

namespace PurchaseGrains.Tests.Faults;

/// <summary>One request as the client saw it. <see cref="Status"/> 0: no HTTP answer at all (<see cref="TransportError"/>).</summary>
/// <param name="ErrorEnvelope">The body was <c>{"error":"&lt;non-empty string&gt;"}</c>.</param>
/// <param name="Upstream">nginx's <c>X-Upstream-Addr</c>: the silo(s) tried, comma separated.</param>
public sealed record RequestOutcome(
    string Operation,
    string Method,
    string Path,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    int Status,
    bool ErrorEnvelope,
    string? Error,
    string? Upstream,
    string? TransportError)
{
    public TimeSpan Duration => EndedAt - StartedAt;

    public bool Overlaps(DateTimeOffset from, DateTimeOffset to) => StartedAt <= to && EndedAt >= from;

    public override string ToString() =>
        $"{Operation} {Method} {Path} -> {(Status == 0 ? "no answer (" + TransportError + ")" : Status)} {Error} " +
        $"[{StartedAt:HH:mm:ss.fff}+{Duration.TotalMilliseconds:0} ms, upstream {Upstream ?? "-"}]";
}

/// <param name="InventoryKey"><c>partner:user_id</c>, the inventory grain's key.</param>
public sealed record AcknowledgedDelivery(string InventoryKey, string ItemId);

/// <summary>What the load's clients sent and were told: every request, and the writes acknowledged with a 2xx.</summary>
public sealed class ClientRecord
{
    private readonly ConcurrentQueue<RequestOutcome> _requests = new();
    private readonly ConcurrentDictionary<string, byte> _sessions = new();
    private readonly ConcurrentDictionary<AcknowledgedDelivery, byte> _deliveries = new();
    private readonly ConcurrentDictionary<string, byte> _intents = new();
    private readonly ConcurrentDictionary<string, byte> _buybacks = new();
    private readonly ConcurrentQueue<string> _anomalies = new();
    private long _lastDeadlineTicks;

    public IReadOnlyCollection<RequestOutcome> Requests => _requests.ToArray();

    /// <summary>Session ids buy/init answered 200 for.</summary>
    public IReadOnlyCollection<string> Sessions => _sessions.Keys.ToArray();

    public IReadOnlyCollection<AcknowledgedDelivery> Deliveries => _deliveries.Keys.ToArray();

    /// <summary>Intent ids POST /v1/purchase-intents answered 201 for.</summary>
    public IReadOnlyCollection<string> Intents => _intents.Keys.ToArray();

    /// <summary>Item ids a buyback answered 200 for.</summary>
    public IReadOnlyCollection<string> Buybacks => _buybacks.Keys.ToArray();

    /// <summary>The latest deadline (session deadline or intent expiration) of anything acknowledged.</summary>
    public DateTimeOffset LastDeadline => new(Interlocked.Read(ref _lastDeadlineTicks), TimeSpan.Zero);

    /// <summary>Answers that contradict an earlier acknowledged answer (e.g. "Transaction failed" for a delivered session).</summary>
    public IReadOnlyCollection<string> Anomalies => _anomalies.ToArray();

    public void Add(RequestOutcome outcome) => _requests.Enqueue(outcome);

    public void Anomaly(string description) => _anomalies.Enqueue(description);

    public void Session(string sessionId, DateTimeOffset deadline)
    {
        _sessions.TryAdd(sessionId, 0);
        Deadline(deadline);
    }

    /// <summary>False when the item was already recorded as delivered.</summary>
    public bool Delivery(string inventoryKey, string itemId) => _deliveries.TryAdd(new AcknowledgedDelivery(inventoryKey, itemId), 0);

    public void Intent(string intentId, DateTimeOffset expiration)
    {
        _intents.TryAdd(intentId, 0);
        Deadline(expiration);
    }

    public void Buyback(string itemId) => _buybacks.TryAdd(itemId, 0);

    /// <summary>"buy/init 200: 120, 502: 2; ..." per operation and status.</summary>
    public string Summary(Func<RequestOutcome, bool>? filter = null) => string.Join("; ", Requests.Where(filter ?? (_ => true))
        .GroupBy(r => r.Operation).OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => $"{g.Key} " + string.Join(", ", g.GroupBy(r => r.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Count()}"))));

    private void Deadline(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _lastDeadlineTicks)))
        {
            if (Interlocked.CompareExchange(ref _lastDeadlineTicks, ticks, seen) == seen)
                break;
        }
    }
}
