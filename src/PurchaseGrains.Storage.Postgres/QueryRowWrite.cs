using System.Collections.Concurrent;
using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// One grain's query rows at one state version, upserted through the <see cref="PostgresWriteCombiner"/> with the
/// other writes that arrive together. A row stored at that version or a later one is left as it is.
/// </summary>
internal sealed class QueryRowWrite : CombinedWrite
{
    private static readonly ConcurrentDictionary<string, QueryRowShape> Shapes = new(StringComparer.Ordinal);

    private QueryRowWrite(StateRowId grainId, long version, QueryRowShape shape, IndexRow[][] rowsBySlot) : base(grainId.ToString())
    {
        Version = version;
        Shape = shape;
        RowsBySlot = rowsBySlot;
    }

    public override WriteShape Shape { get; }

    public long Version { get; }

    public IndexRow[][] RowsBySlot { get; }

    public static QueryRowWrite Of(StateRowId grainId, long version, IReadOnlyList<IndexRow> rows)
    {
        var (slots, rowsBySlot) = IndexSlotUpsert.Group(rows);
        var key = "query-rows|" + string.Join("|", slots.Select(s => s.Signature));
        return new QueryRowWrite(grainId, version, Shapes.GetOrAdd(key, k => new QueryRowShape(k, slots)), rowsBySlot);
    }
}

/// <summary>The set-based statement for query-row writes with the same slots: the writes from arrays, then each slot's rows.</summary>
internal sealed class QueryRowShape : WriteShape
{
    private readonly IReadOnlyList<IndexSlot> _slots;
    private readonly string _sql;

    public QueryRowShape(string key, IReadOnlyList<IndexSlot> slots) : base(key)
    {
        _slots = slots;
        var upserts = slots.Select((slot, i) => ",\n" + IndexSlotUpsert.Sql(i, slot, "JOIN input v ON v.owner = r.owner", "v.version"));
        _sql = """
            WITH input AS (
                SELECT * FROM unnest(@owners::text[], @versions::bigint[]) WITH ORDINALITY AS v(owner, version, ord)
            )
            """ + string.Concat(upserts) + "\nSELECT v.ord, v.version FROM input v";
    }

    public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes)
    {
        var rowWrites = writes.Cast<QueryRowWrite>().ToList();
        var command = new NpgsqlBatchCommand(_sql);
        command.Parameters.Add(new NpgsqlParameter<string[]>("owners", [.. rowWrites.Select(w => w.RowKey)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("versions", [.. rowWrites.Select(w => w.Version)]));
        for (var i = 0; i < _slots.Count; i++)
            IndexSlotUpsert.AddParameters(command, i, _slots[i], [.. rowWrites.SelectMany(w => w.RowsBySlot[i].Select(row => (w.RowKey, row)))]);
        return command;
    }
}
