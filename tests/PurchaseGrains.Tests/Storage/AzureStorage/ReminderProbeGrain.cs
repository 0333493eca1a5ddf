using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;

namespace PurchaseGrains.Tests.Storage.AzureStorage;

[Alias("test.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Arm(TimeSpan period);

    Task Disarm();
}

/// <summary>A grain whose reminder ticks are counted per key, for tests of the reminder tables.</summary>
[GrainType("test_reminder_probe")]
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    private const string ReminderName = "probe";

    public static ConcurrentDictionary<string, int> Ticks { get; } = new(StringComparer.Ordinal);

    public Task Arm(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async Task Disarm()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.AddOrUpdate(this.GetPrimaryKeyString(), 1, (_, count) => count + 1);
        return Task.CompletedTask;
    }
}
