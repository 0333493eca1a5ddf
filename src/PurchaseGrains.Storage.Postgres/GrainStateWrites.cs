using System.Collections.Concurrent;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

internal enum GrainStateOperation { Insert, Update, Clear }

/// <summary>
/// A grain state row created, updated or deleted, with its index rows upserted (or, for a clear, deleted) only when
/// the state row changed, all in one statement. The answer is the new version (1 for a clear), or none when the
/// version condition failed.
/// </summary>
internal sealed class GrainStateWrite : CombinedWrite
{
    private static readonly ConcurrentDictionary<string, GrainStateShape> Shapes = new(StringComparer.Ordinal);

    private GrainStateWrite(GrainId grainId, string stateName, GrainStateShape shape, string? payload, long? expected,
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

    public static GrainStateWrite Save(GrainId grainId, string stateName, string payload, long? expectedVersion, IReadOnlyList<IndexRow> rows)
    {
        var slots = new List<IndexSlot>();
        var rowsBySlot = new List<List<IndexRow>>();
        foreach (var row in rows)
        {
            var slot = IndexSlot.Of(row);
            var at = slots.IndexOf(slot);
            if (at < 0)
            {
                slots.Add(slot);
                rowsBySlot.Add([]);
                at = slots.Count - 1;
            }
            rowsBySlot[at].Add(row);
        }
        var operation = expectedVersion is null ? GrainStateOperation.Insert : GrainStateOperation.Update;
        var shape = ShapeFor(operation, grainId.Type, stateName, slots);
        return new GrainStateWrite(grainId, stateName, shape, payload, expectedVersion, [.. rowsBySlot.Select(r => r.ToArray())]);
    }

    public static GrainStateWrite Clear(GrainId grainId, string stateName, long expectedVersion, IReadOnlyList<string> indexTables)
    {
        var slots = indexTables.Select(table => new IndexSlot(table, [])).ToList();
        var shape = ShapeFor(GrainStateOperation.Clear, grainId.Type, stateName, slots);
        return new GrainStateWrite(grainId, stateName, shape, null, expectedVersion, []);
    }

    private static GrainStateShape ShapeFor(GrainStateOperation operation, string grainType, string stateName, IReadOnlyList<IndexSlot> slots)
    {
        var key = $"{operation}|{grainType}|{stateName}|{string.Join("|", slots.Select(s => s.Signature))}";
        return Shapes.TryGetValue(key, out var shape) ? shape : Shapes.GetOrAdd(key, new GrainStateShape(key, operation, grainType, stateName, slots));
    }
}

/// <summary>What an index column's values are sent as; a column whose value is null is written as NULL in the SQL text.</summary>
internal enum IndexValueKind { Text, Integer, Real, Null }

internal sealed record IndexColumnSlot(string Name, IndexValueKind Kind);

/// <summary>Index rows that can share one array-fed upsert: same table, same columns, same value kinds.</summary>
internal sealed record IndexSlot(string Table, IReadOnlyList<IndexColumnSlot> Columns)
{
    public string Signature { get; } = Table + ":" + string.Join(",", Columns.Select(c => $"{c.Name}={(int)c.Kind}"));

    public static IndexSlot Of(IndexRow row) =>
        new(row.Table, [.. row.Columns.Select(column => new IndexColumnSlot(column.Key, KindOf(row.Table, column.Key, column.Value)))]);

    public bool Equals(IndexSlot? other) => other is not null && other.Signature == Signature;

    public override int GetHashCode() => Signature.GetHashCode(StringComparison.Ordinal);

    private static IndexValueKind KindOf(string table, string column, object? value) => value switch
    {
        null => IndexValueKind.Null,
        string => IndexValueKind.Text,
        long or int or short or byte => IndexValueKind.Integer,
        double or float or decimal => IndexValueKind.Real,
        _ => throw new ArgumentException($"Index column {table}.{column}: values of type {value.GetType().Name} are not supported."),
    };
}

internal sealed class GrainStateShape : WriteShape
{
    private readonly GrainStateOperation _operation;
    private readonly string _grainType;
    private readonly string _stateName;
    private readonly IReadOnlyList<IndexSlot> _slots;
    private readonly string _sql;

    public GrainStateShape(string key, GrainStateOperation operation, string grainType, string stateName, IReadOnlyList<IndexSlot> slots)
        : base(key)
    {
        (_operation, _grainType, _stateName, _slots) = (operation, grainType, stateName, slots);
        _sql = BuildSql();
    }

    public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes)
    {
        var states = writes.Cast<GrainStateWrite>().ToList();
        var command = new NpgsqlBatchCommand(_sql);
        command.Parameters.Add(new NpgsqlParameter<string>("type", _grainType));
        command.Parameters.Add(new NpgsqlParameter<string>("name", _stateName));
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. states.Select(s => s.GrainKey)]));
        if (_operation != GrainStateOperation.Clear)
            command.Parameters.Add(new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = states.Select(s => s.Payload!).ToArray() });
        if (_operation != GrainStateOperation.Insert)
            command.Parameters.Add(new NpgsqlParameter<long[]>("expected", [.. states.Select(s => s.Expected!.Value)]));
        if (_operation == GrainStateOperation.Clear)
            return command;

        for (var i = 0; i < _slots.Count; i++)
        {
            var owned = states.SelectMany(s => s.RowsBySlot[i].Select(row => (s.GrainKey, row))).ToList();
            command.Parameters.Add(new NpgsqlParameter<string[]>($"i{i}_owner", [.. owned.Select(o => o.GrainKey)]));
            command.Parameters.Add(new NpgsqlParameter<string[]>($"i{i}_key", [.. owned.Select(o => o.row.Key)]));
            for (var j = 0; j < _slots[i].Columns.Count; j++)
            {
                var column = _slots[i].Columns[j];
                var values = owned.Select(o => o.row.Columns[column.Name]);
                NpgsqlParameter? parameter = column.Kind switch
                {
                    IndexValueKind.Text => new NpgsqlParameter<string[]>($"i{i}_c{j}", [.. values.Cast<string>()]),
                    IndexValueKind.Integer => new NpgsqlParameter<long[]>($"i{i}_c{j}", [.. values.Select(Convert.ToInt64)]),
                    IndexValueKind.Real => new NpgsqlParameter<double[]>($"i{i}_c{j}", [.. values.Select(Convert.ToDouble)]),
                    _ => null,
                };
                if (parameter is not null)
                    command.Parameters.Add(parameter);
            }
        }
        return command;
    }

    private string BuildSql()
    {
        var sql = new StringBuilder(_operation switch
        {
            GrainStateOperation.Insert => """
                WITH input AS (
                    SELECT * FROM unnest(@keys::text[], @payloads::jsonb[]) WITH ORDINALITY AS v(grain_key, payload, ord)
                ), written AS (
                    INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version)
                    SELECT @type, v.grain_key, @name, v.payload, 1 FROM input v
                    ON CONFLICT DO NOTHING
                    RETURNING grain_key, version
                )
                """,
            GrainStateOperation.Update => """
                WITH input AS (
                    SELECT * FROM unnest(@keys::text[], @payloads::jsonb[], @expected::bigint[]) WITH ORDINALITY AS v(grain_key, payload, expected, ord)
                ), written AS (
                    UPDATE grain_state g SET payload = v.payload, version = g.version + 1, updated_at = now()
                    FROM input v
                    WHERE g.grain_type = @type AND g.state_name = @name AND g.grain_key = v.grain_key AND g.version = v.expected
                    RETURNING g.grain_key, g.version
                )
                """,
            _ => """
                WITH input AS (
                    SELECT * FROM unnest(@keys::text[], @expected::bigint[]) WITH ORDINALITY AS v(grain_key, expected, ord)
                ), written AS (
                    DELETE FROM grain_state g USING input v
                    WHERE g.grain_type = @type AND g.state_name = @name AND g.grain_key = v.grain_key AND g.version = v.expected
                    RETURNING g.grain_key, 1::bigint AS version
                )
                """,
        });
        for (var i = 0; i < _slots.Count; i++)
            sql.Append(",\n").Append(_operation == GrainStateOperation.Clear ? IndexDelete(i) : IndexUpsert(i));
        return sql.Append("\nSELECT v.ord, w.version FROM input v JOIN written w ON w.grain_key = v.grain_key").ToString();
    }

    private string IndexDelete(int i) =>
        $"index_{i} AS (DELETE FROM {SqlIdentifier.Quote(_slots[i].Table)} WHERE grain_key IN (SELECT grain_key FROM written))";

    private string IndexUpsert(int i)
    {
        var slot = _slots[i];
        var columns = slot.Columns.Select(c => SqlIdentifier.Quote(c.Name)).ToList();
        var arrays = new List<string> { $"@i{i}_owner::text[]", $"@i{i}_key::text[]" };
        var aliases = new List<string> { "owner", "row_key" };
        var selected = new List<string> { "r.row_key" };
        for (var j = 0; j < slot.Columns.Count; j++)
        {
            if (slot.Columns[j].Kind == IndexValueKind.Null)
            {
                selected.Add("NULL");
                continue;
            }
            arrays.Add($"@i{i}_c{j}::{ArrayType(slot.Columns[j].Kind)}");
            aliases.Add($"c{j}");
            selected.Add($"r.c{j}");
        }
        var onConflict = columns.Count == 0
            ? "NOTHING"
            : "UPDATE SET " + string.Join(", ", columns.Select(column => $"{column} = excluded.{column}"));
        return $"""
            index_{i} AS (
                INSERT INTO {SqlIdentifier.Quote(slot.Table)} ({string.Join(", ", ["grain_key", .. columns])})
                SELECT {string.Join(", ", selected)}
                FROM unnest({string.Join(", ", arrays)}) AS r({string.Join(", ", aliases)})
                WHERE r.owner IN (SELECT grain_key FROM written)
                ON CONFLICT (grain_key) DO {onConflict}
            )
            """;
    }

    private static string ArrayType(IndexValueKind kind) => kind switch
    {
        IndexValueKind.Text => "text[]",
        IndexValueKind.Integer => "bigint[]",
        _ => "double precision[]",
    };
}
