using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// The set-based statement for one <see cref="GrainStateWrite"/> shape: the state rows from arrays, then each
/// index slot's rows from arrays of their own, joined to the state rows that actually changed.
/// </summary>
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

    /// <remarks>
    /// Updates and deletes find each row by its whole key, then change it at that address (<see cref="RowAddress"/>);
    /// a row changed meanwhile is left alone, and the write reports the conflict.
    /// </remarks>
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
            GrainStateOperation.Update => $"""
                WITH input AS (
                    SELECT * FROM unnest(@keys::text[], @payloads::jsonb[], @expected::bigint[]) WITH ORDINALITY AS v(grain_key, payload, expected, ord)
                ), {Target("v.payload, v.expected")}, written AS (
                    UPDATE grain_state g SET payload = t.payload, version = g.version + 1, updated_at = now()
                    FROM target t
                    WHERE g.ctid = t.row_id AND g.version = t.expected
                    RETURNING g.grain_key, g.version
                )
                """,
            _ => $"""
                WITH input AS (
                    SELECT * FROM unnest(@keys::text[], @expected::bigint[]) WITH ORDINALITY AS v(grain_key, expected, ord)
                ), {Target("v.expected")}, written AS (
                    DELETE FROM grain_state g USING target t
                    WHERE g.ctid = t.row_id AND g.version = t.expected
                    RETURNING g.grain_key, 1::bigint AS version
                )
                """,
        });
        for (var i = 0; i < _slots.Count; i++)
            sql.Append(",\n").Append(_operation == GrainStateOperation.Clear ? IndexDelete(i) : IndexUpsert(i));
        return sql.Append("\nSELECT v.ord, w.version FROM input v JOIN written w ON w.grain_key = v.grain_key").ToString();
    }

    /// <summary>The <c>target</c> CTE: each input row's <paramref name="carried"/> columns and the address of its state row.</summary>
    private static string Target(string carried) =>
        $"target AS (SELECT {carried}, s.row_id FROM input v " +
        $"{RowAddress.Lateral("grain_state", "s", ("grain_type", "@type"), ("grain_key", "v.grain_key"), ("state_name", "@name"))})";

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
