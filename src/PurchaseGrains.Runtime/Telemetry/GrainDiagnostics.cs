using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PurchaseGrains.Runtime.Telemetry;

/// <summary>The <c>PurchaseGrains</c> ActivitySource and Meter, and every instrument the grain layer records.</summary>
public static class GrainDiagnostics
{
    public const string Name = "PurchaseGrains";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> GrainCalls =
        Meter.CreateCounter<long>("purchasegrains.grain.calls", "{call}", "Grain method calls, by grain type and outcome.");
    public static readonly Histogram<double> StorageLatency =
        Meter.CreateHistogram<double>("purchasegrains.storage.duration", "ms", "Grain storage read/write latency.");
    public static readonly Counter<long> StorageConflicts =
        Meter.CreateCounter<long>("purchasegrains.storage.conflicts", "{conflict}", "Writes that lost a version race (turn re-run).");
    public static readonly Histogram<double> ReminderLateness =
        Meter.CreateHistogram<double>("purchasegrains.reminder.lateness", "ms", "How long after its due time a reminder tick started.");
    public static readonly Counter<long> ReminderTicks =
        Meter.CreateCounter<long>("purchasegrains.reminder.ticks", "{tick}", "Reminder ticks delivered, by outcome.");
    public static readonly UpDownCounter<long> LongPollWaiters =
        Meter.CreateUpDownCounter<long>("purchasegrains.longpoll.waiters", "{waiter}", "Callers waiting for a grain change.");
    public static readonly UpDownCounter<long> Activations =
        Meter.CreateUpDownCounter<long>("purchasegrains.activations", "{activation}", "Grain activations cached on this node.");
}
