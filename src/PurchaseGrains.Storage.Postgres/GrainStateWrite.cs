using System.Collections.Concurrent;

namespace PurchaseGrains.Storage.Postgres;

internal enum GrainStateOperation { Insert, Update, Clear }

/// <summary>
/// A grain state row created, updated or deleted, with its index rows upserted (or, for a clear, deleted) only when
/// the state row changed, all in one statement. The answer is the new version (1 for a clear), or none when the
/// version condition failed.
/// </summary>
internal sealed class GrainStateWrite : CombinedWrite
{
    private static readonly ConcurrentDictionary<(GrainStateOperation Operation, string GrainType, string StateName, string Signatures), GrainStateShape> Shapes = new();

    private GrainStateWrite(StateRowId grainId, string stateName, GrainStateShape shape, string? payload, long? expected,
        IndexRow[][] rowsBySlot) : base($"{grainId}/{stateName}")
    {
        Shape = shape;
        GrainKey = grainId.Key;
        Payload = payload;
        Expected = expected;
        RowsBySlot = rowsBySlot;
    }

    public override WriteShape Shape { get; }

    public string GrainKey { get; }

    public string? Payload { get; }

    public long? Expected { get; }

    /// <summary>This write's index rows, split by the shape's slots (one slot per table and column layout).</summary>
    public IndexRow[][] RowsBySlot { get; }

    public static GrainStateWrite Save(StateRowId grainId, string stateName, string payload, long? expectedVersion, IReadOnlyList<IndexRow> rows)
    {
        var (slots, rowsBySlot) = IndexSlotUpsert.Group(rows);
        var operation = expectedVersion is null ? GrainStateOperation.Insert : GrainStateOperation.Update;
        var shape = ShapeFor(operation, grainId.Type, stateName, slots);
        return new GrainStateWrite(grainId, stateName, shape, payload, expectedVersion, rowsBySlot);
    }

    public static GrainStateWrite Clear(StateRowId grainId, string stateName, long expectedVersion, IReadOnlyList<string> indexTables)
    {
        var slots = indexTables.Select(table => new IndexSlot(table, [])).ToList();
        var shape = ShapeFor(GrainStateOperation.Clear, grainId.Type, stateName, slots);
        return new GrainStateWrite(grainId, stateName, shape, null, expectedVersion, []);
    }

    /// <summary>
    /// The shape, found by its parts: no key string is built for a write once its shape is known (writes with no index
    /// row or one, the usual, find it by the slot's own signature).
    /// </summary>
    private static GrainStateShape ShapeFor(GrainStateOperation operation, string grainType, string stateName, IReadOnlyList<IndexSlot> slots)
    {
        var signatures = slots.Count switch
        {
            0 => "",
            1 => slots[0].Signature,
            _ => string.Join("|", slots.Select(s => s.Signature)),
        };
        return Shapes.GetOrAdd((operation, grainType, stateName, signatures), static (k, slots) =>
            new GrainStateShape($"{k.Operation}|{k.GrainType}|{k.StateName}|{k.Signatures}", k.Operation, k.GrainType, k.StateName, slots), slots);
    }
}
