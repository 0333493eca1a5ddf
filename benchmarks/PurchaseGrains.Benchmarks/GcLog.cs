using System.Diagnostics.Tracing;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// Every garbage collection of this process while it listens, from the runtime's own events: its generation, kind
/// (blocking, background, or foreground during a background one), why it ran, and how long the runtime was suspended
/// for it. <see cref="GcActivity"/> gives totals; this says which collections the pauses came from.
/// </summary>
public sealed class GcLog : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly List<Collection> _collections = [];
    private readonly Dictionary<string, long> _sampledBytesByType = [];
    private readonly object _lock = new();
    private DateTime? _suspendedAt;
    private Collection? _current;
    private bool _listening = true;

    public sealed record Collection(long Number, int Generation, string Kind, string Reason)
    {
        public TimeSpan Paused { get; set; }

        /// <summary>Bytes the collection kept alive out of the generations it collected (gen 0 and 1): what it copied.</summary>
        public long Promoted { get; set; }

        /// <summary>GC handles in use after it: each collection walks them.</summary>
        public long Handles { get; set; }
    }

    public IReadOnlyList<Collection> Stop()
    {
        lock (_lock)
        {
            _listening = false;
            return [.. _collections];
        }
    }

    /// <summary>
    /// The types allocated most, from the runtime's allocation ticks (one about every 100 KB allocated, naming the
    /// type that crossed the mark): a sample, so the shares are what it is good for.
    /// </summary>
    public IReadOnlyList<(string Type, double Share)> TopAllocatedTypes(int count)
    {
        lock (_lock)
        {
            var total = (double)Math.Max(1, _sampledBytesByType.Values.Sum());
            return [.. _sampledBytesByType.OrderByDescending(t => t.Value).Take(count).Select(t => (t.Key, t.Value / total))];
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, GcKeyword); // Verbose: the allocation ticks too
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_lock)
        {
            if (!_listening)
                return;
            switch (e.EventName)
            {
                case "GCStart_V2":
                    _current = new Collection(Convert.ToInt64(e.Payload![0]), Convert.ToInt32(e.Payload[1]),
                        KindName(Convert.ToInt32(e.Payload[3])), ReasonName(Convert.ToInt32(e.Payload[2])));
                    _collections.Add(_current);
                    break;
                case "GCAllocationTick_V4":
                    var type = e.Payload![5] as string ?? "?";
                    _sampledBytesByType[type] = _sampledBytesByType.GetValueOrDefault(type) + Convert.ToInt64(e.Payload[3]);
                    break;
                case "GCHeapStats_V2" when _current is { } collected:
                    collected.Promoted = Field(e, "TotalPromotedSize0") + Field(e, "TotalPromotedSize1");
                    collected.Handles = Field(e, "GCHandleCount");
                    break;
                case "GCSuspendEEBegin_V1":
                    _suspendedAt = e.TimeStamp;
                    break;
                case "GCRestartEEEnd_V1" when _suspendedAt is { } since && _current is { } collection:
                    collection.Paused += e.TimeStamp - since;
                    _suspendedAt = null;
                    break;
            }
        }
    }

    private static string KindName(int type) => type switch { 0 => "blocking", 1 => "background", 2 => "foreground", _ => $"type {type}" };

    private static string ReasonName(int reason) => reason switch
    {
        0 => "small alloc", 1 => "induced", 2 => "low memory", 3 => "empty", 4 => "large alloc", 5 => "out of space (SOH)",
        6 => "out of space (LOH)", 7 => "induced not forced", 8 => "stress", 9 => "low memory host", _ => $"reason {reason}",
    };

    private static long Field(EventWrittenEventArgs e, string name) =>
        e.PayloadNames!.IndexOf(name) is var i and >= 0 ? Convert.ToInt64(e.Payload![i]) : 0;
}
