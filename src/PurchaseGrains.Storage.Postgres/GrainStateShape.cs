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
            IndexSlotUpsert.AddParameters(command, i, _slots[i], [.. states.SelectMany(s => s.RowsBySlot[i].Select(row => (s.GrainKey, row)))]);
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

    private string IndexUpsert(int i) => IndexSlotUpsert.Sql(i, _slots[i], "WHERE r.owner IN (SELECT grain_key FROM written)");
}
