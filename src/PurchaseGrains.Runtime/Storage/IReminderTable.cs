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

public sealed record CompletedTick(ReminderEntry Tick, DateTimeOffset? NextDueAt);

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

    /// <summary>After delivered ticks, in one statement: moves each reminder to its next due time, or deletes it when
    /// there is none. Skips any reminder re-registered meanwhile (version changed).</summary>
    Task CompleteTicksAsync(IReadOnlyList<CompletedTick> ticks, CancellationToken cancellationToken);

    /// <summary>After a failed tick: due again at <paramref name="retryAt"/> with the attempt count raised, lease cleared.</summary>
    Task RetryTickAsync(ReminderEntry tick, DateTimeOffset retryAt, CancellationToken cancellationToken);

    /// <summary>Graceful shutdown: gives up every lease this node holds so others claim at once.</summary>
    Task ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken);
}

public static class ReminderTableExtensions
{
    public static Task CompleteTickAsync(this IReminderTable table, ReminderEntry tick, DateTimeOffset? nextDueAt,
        CancellationToken cancellationToken) =>
        table.CompleteTicksAsync([new CompletedTick(tick, nextDueAt)], cancellationToken);
}
