using Npgsql;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>A reminder registered (created or replaced) or deleted through the <see cref="PostgresWriteCombiner"/>.</summary>
internal sealed class ReminderWrite(GrainId grainId, string name, WriteShape shape) : CombinedWrite($"{grainId}/{name}")
{
    private static readonly WriteShape UpsertShape = new Upserts();
    private static readonly WriteShape DeleteShape = new Deletes();

    public override WriteShape Shape { get; } = shape;

    public GrainId GrainId { get; } = grainId;

    public string Name { get; } = name;

    public long DueAt { get; private init; }

    public long PeriodMs { get; private init; }

    public long Version { get; private init; }

    public string? TraceParent { get; private init; }

    public static ReminderWrite Upsert(GrainId grainId, string name, DateTimeOffset dueAt, TimeSpan period, string? traceParent) =>
        new(grainId, name, UpsertShape)
        {
            DueAt = dueAt.ToUnixTimeMilliseconds(),
            PeriodMs = (long)period.TotalMilliseconds,
            Version = ReminderVersions.Next(),
            TraceParent = traceParent,
        };

    /// <summary>Answers 1 when there was a reminder to delete.</summary>
    public static ReminderWrite Delete(GrainId grainId, string name) => new(grainId, name, DeleteShape);

    private static NpgsqlBatchCommand KeyedCommand(string sql, List<ReminderWrite> reminders)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. reminders.Select(r => r.GrainId.Type)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. reminders.Select(r => r.GrainId.Key)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("names", [.. reminders.Select(r => r.Name)]));
        return command;
    }

    private sealed class Upserts() : WriteShape("reminder upsert")
    {
        private const string Sql = $"""
            WITH input AS (
                SELECT * FROM unnest(@types::text[], @keys::text[], @names::text[], @due_at::bigint[], @period_ms::bigint[],
                                     @versions::bigint[], @trace_parents::text[])
                    WITH ORDINALITY AS v(grain_type, grain_key, name, due_at, period_ms, version, trace_parent, ord)
            ), written AS (
                INSERT INTO grain_reminders ({ReminderRows.Columns})
                SELECT grain_type, grain_key, name, due_at, period_ms, due_at, version, 0, trace_parent FROM input
                {ReminderRows.ReplaceOnConflict}
                RETURNING grain_type, grain_key, name
            )
            SELECT v.ord, 1::bigint FROM input v JOIN written w USING (grain_type, grain_key, name)
            """;

        public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes)
        {
            var reminders = writes.Cast<ReminderWrite>().ToList();
            var command = KeyedCommand(Sql, reminders);
            command.Parameters.Add(new NpgsqlParameter<long[]>("due_at", [.. reminders.Select(r => r.DueAt)]));
            command.Parameters.Add(new NpgsqlParameter<long[]>("period_ms", [.. reminders.Select(r => r.PeriodMs)]));
            command.Parameters.Add(new NpgsqlParameter<long[]>("versions", [.. reminders.Select(r => r.Version)]));
            command.Parameters.Add(new NpgsqlParameter<string?[]>("trace_parents", [.. reminders.Select(r => r.TraceParent)]));
            return command;
        }
    }

    private sealed class Deletes() : WriteShape("reminder delete")
    {
        private static readonly string Sql = $"""
            WITH input AS (
                SELECT * FROM unnest(@types::text[], @keys::text[], @names::text[]) WITH ORDINALITY AS v(grain_type, grain_key, name, ord)
            ), written AS (
                DELETE FROM grain_reminders r USING input v {RowAddress.OfReminder("v", "k")}
                WHERE r.ctid = k.row_id
                RETURNING r.grain_type, r.grain_key, r.name
            )
            SELECT v.ord, 1::bigint FROM input v JOIN written w USING (grain_type, grain_key, name)
            """;

        public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes) =>
            KeyedCommand(Sql, writes.Cast<ReminderWrite>().ToList());
    }
}
