using System.Collections.Concurrent;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// One attempt of a request as the client saw it. <see cref="Status"/> 0: no HTTP answer at all
/// (<see cref="TransportError"/>). A request answered with something a client may retry is sent again, with the same
/// <c>Idempotency-Key</c> on a POST: each attempt is an outcome of its own, numbered from 1.
/// </summary>
/// <param name="ErrorEnvelope">The body was <c>{"error":"&lt;non-empty string&gt;"}</c>.</param>
/// <param name="Upstream">nginx's <c>X-Upstream-Addr</c>: the silo(s) tried, comma separated.</param>
/// <param name="Request">Which request this is an attempt of: the attempts of one request share it.</param>
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
    string? TransportError,
    int Attempt = 1,
    bool Replayed = false,
    long Request = 0)
{
    public TimeSpan Duration => EndedAt - StartedAt;

    /// <summary>
    /// An answer a client may safely send again (with its Idempotency-Key): no answer, 502/504 from nginx (the
    /// outcome is unknown), 503 (retry shortly), or 409 while the first request with the key still runs.
    /// </summary>
    public bool Retryable => Status is 0 or 502 or 503 or 504
        || (Status == 409 && Error == LoadClient.StillRunning);

    public bool Failed => Status == 0 || Status >= 500 || Retryable;

    public bool Overlaps(DateTimeOffset from, DateTimeOffset to) => StartedAt <= to && EndedAt >= from;

    public override string ToString() =>
        $"{Operation} {Method} {Path} #{Attempt} -> {(Status == 0 ? "no answer (" + TransportError + ")" : Status)} {Error}{(Replayed ? " (replayed)" : "")} " +
        $"[{StartedAt:HH:mm:ss.fff}+{Duration.TotalMilliseconds:0} ms, upstream {Upstream ?? "-"}]";
}

/// <param name="InventoryKey"><c>partner:user_id</c>, the inventory grain's key.</param>
public sealed record AcknowledgedDelivery(string InventoryKey, string ItemId);

/// <summary>A request written again at once because its connection closed before any answer (<see cref="LoadClient"/>).</summary>
public sealed record Resend(string Operation, DateTimeOffset At, string Why);

/// <summary>What the load's clients sent and were told: every request, and the writes acknowledged with a 2xx.</summary>
public sealed class ClientRecord
{
    private readonly ConcurrentQueue<RequestOutcome> _requests = new();
    private readonly ConcurrentDictionary<string, byte> _sessions = new();
    private readonly ConcurrentDictionary<AcknowledgedDelivery, byte> _deliveries = new();
    private readonly ConcurrentDictionary<string, byte> _intents = new();
    private readonly ConcurrentDictionary<string, byte> _buybacks = new();
    private readonly ConcurrentQueue<string> _anomalies = new();
    private readonly ConcurrentQueue<Resend> _resends = new();
    private long _lastDeadlineTicks;
    private int _replaysChecked;

    /// <summary>Every attempt of every request.</summary>
    public IReadOnlyCollection<RequestOutcome> Requests => _requests.ToArray();

    /// <summary>Requests whose last attempt was still an answer to retry: the client gave up on them.</summary>
    public IReadOnlyCollection<RequestOutcome> GivenUp => Requests.GroupBy(r => r.Request)
        .Select(g => g.MaxBy(r => r.Attempt)!).Where(r => r.Retryable).ToArray();

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

    /// <summary>How many answers were sent again with their Idempotency-Key and compared with the first.</summary>
    public int ReplaysChecked => Volatile.Read(ref _replaysChecked);

    /// <summary>Requests written again on a new connection: the keep-alive connection they were written on closed first.</summary>
    public IReadOnlyCollection<Resend> Resends => _resends.ToArray();

    public void Add(RequestOutcome outcome) => _requests.Enqueue(outcome);

    public void Resent(string operation, DateTimeOffset at, string why) => _resends.Enqueue(new Resend(operation, at, why));

    public void ReplayChecked() => Interlocked.Increment(ref _replaysChecked);

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
