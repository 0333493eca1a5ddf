using System.Diagnostics;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Runtime.Reminders;

/// <summary>Registers reminders durably, remembering the current trace so each tick can link back to it.</summary>
public sealed class ReminderRegistry(IReminderTable table, TimeProvider timeProvider, ReminderPoller poller)
{
    public async Task RegisterAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        var dueAt = timeProvider.GetUtcNow() + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
        await table.UpsertAsync(grainId, name, dueAt, period, Activity.Current?.Id, cancellationToken);
        poller.NotifyRegistered(dueAt);
    }

    public Task UnregisterAsync(GrainId grainId, string name, CancellationToken cancellationToken) =>
        table.DeleteAsync(grainId, name, cancellationToken);
}
