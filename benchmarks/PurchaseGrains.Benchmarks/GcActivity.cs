namespace PurchaseGrains.Benchmarks;

/// <summary>This process's garbage collections so far (counts per generation, time paused) and the bytes it allocated.</summary>
public readonly record struct GcActivity(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
{
    public static GcActivity Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

    public static GcActivity operator -(GcActivity after, GcActivity before) =>
        new(after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.Paused - before.Paused, after.Allocated - before.Allocated);

    /// <summary>A gen 1 collection also counts as gen 0, a gen 2 as both: the counts are of collections reaching that far.</summary>
    public override string ToString() =>
        $"reaching gen 0 {Gen0}, gen 1 {Gen1}, gen 2 {Gen2}; paused {Paused.TotalMilliseconds:0} ms; heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1_048_576} MB";
}
