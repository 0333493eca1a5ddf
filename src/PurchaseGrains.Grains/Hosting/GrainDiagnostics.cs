using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PurchaseGrains.Grains.Hosting;

/// <summary>The <c>PurchaseGrains</c> ActivitySource and Meter, and the instruments the service records beside Orleans' own.</summary>
public static class GrainDiagnostics
{
    public const string Name = "PurchaseGrains";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> StorageLatency =
        Meter.CreateHistogram<double>("purchasegrains.storage.duration", "ms", "Grain storage read/write latency.");
    public static readonly Counter<long> StorageConflicts =
        Meter.CreateCounter<long>("purchasegrains.storage.conflicts", "{conflict}",
            "Grain state writes refused because another activation wrote first (ETag conflicts).");
}
