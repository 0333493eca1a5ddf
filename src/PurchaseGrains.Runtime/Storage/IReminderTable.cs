namespace PurchaseGrains.Runtime.Storage;

/// <summary>A durable reminder row as claimed by a node. <see cref="Version"/> changes on every re-registration.</summary>
public sealed record ReminderEntry(
    GrainId GrainId,
    string Name,
    DateTimeOffset DueAt,
    TimeSpan Period,
    DateTimeOffset FirstTickAt,
    long Version,
    int Attempt,
    string? TraceParent);

public interface IReminderTable
{
    /// <summary>Creates or replaces the reminder; clears any lease and resets the attempt count.</summary>
    Task UpsertAsync(GrainId grainId, string name, DateTimeOffset dueAt, TimeSpan period, string? traceParent,
        CancellationToken cancellationToken);

    Task<bool> DeleteAsync(GrainId grainId, string name, CancellationToken cancellationToken);

    Task<ReminderEntry?> GetAsync(GrainId grainId, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="maxCount"/> due, unleased reminders (oldest due first) for
    /// <paramref name="lease"/>, skipping rows other nodes are claiming right now.
    /// </summary>
    Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(string nodeId, DateTimeOffset now, TimeSpan lease, int maxCount,
        CancellationToken cancellationToken);

    /// <summary>After a delivered tick: moves the reminder to <paramref name="nextDueAt"/>, or deletes it when null.
    /// Does nothing if the reminder was re-registered meanwhile (version changed).</summary>
    Task CompleteTickAsync(ReminderEntry tick, DateTimeOffset? nextDueAt, CancellationToken cancellationToken);

    /// <summary>After a failed tick: due again at <paramref name="retryAt"/> with the attempt count raised, lease cleared.</summary>
    Task RetryTickAsync(ReminderEntry tick, DateTimeOffset retryAt, CancellationToken cancellationToken);

    /// <summary>Graceful shutdown: gives up every lease this node holds so others claim at once.</summary>
    Task ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken);
}
