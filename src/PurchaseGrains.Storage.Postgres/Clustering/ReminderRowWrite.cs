using Npgsql;
using NpgsqlTypes;

namespace PurchaseGrains.Storage.Postgres.Clustering;

/// <summary>
/// An Orleans reminder row upserted or removed through the <see cref="PostgresWriteCombiner"/>, so that the reminders
/// grains register and drop while others write share their batch's statement and commit. The answer is the new ETag
/// of an upsert, or 1 for a removal that found the row at its ETag (none when it did not).
/// </summary>
internal sealed class ReminderRowWrite : CombinedWrite
{
    private ReminderRowWrite(WriteShape shape, string grainId, string name) : base($"orleans_reminders/{grainId}/{name}")
    {
        Shape = shape;
        GrainId = grainId;
        Name = name;
    }

    public override WriteShape Shape { get; }

    public string GrainId { get; }

    public string Name { get; }

    public long GrainHash { get; private init; }

    public DateTime StartAt { get; private init; }

    public long PeriodMs { get; private init; }

    public long ETag { get; private init; }

    /// <summary>The two statement shapes of one service's reminder rows.</summary>
    public sealed class Shapes(string serviceId)
    {
        private readonly WriteShape _upsert = new UpsertShape(serviceId);
        private readonly WriteShape _remove = new RemoveShape(serviceId);

        public ReminderRowWrite Upserting(string grainId, string name, long grainHash, DateTime startAt, long periodMs) =>
            new(_upsert, grainId, name) { GrainHash = grainHash, StartAt = startAt, PeriodMs = periodMs };

        public ReminderRowWrite Removing(string grainId, string name, long etag) => new(_remove, grainId, name) { ETag = etag };
    }

    private static NpgsqlBatchCommand Command(string sql, string serviceId, List<ReminderRowWrite> rows)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("service", serviceId));
        command.Parameters.Add(new NpgsqlParameter<string[]>("grains", [.. rows.Select(r => r.GrainId)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("names", [.. rows.Select(r => r.Name)]));
        return command;
    }

    private sealed class UpsertShape(string serviceId) : WriteShape($"orleans reminder upsert/{serviceId}")
    {
        private const string Sql = """
            WITH input AS (
                SELECT * FROM unnest(@grains::text[], @names::text[], @hashes::bigint[], @starts::timestamptz[], @periods::bigint[])
                    WITH ORDINALITY AS v(grain_id, name, grain_hash, start_at, period_ms, ord)
            ), written AS (
                INSERT INTO orleans_reminders AS r (service_id, grain_id, name, grain_hash, start_at, period_ms, etag)
                SELECT @service, grain_id, name, grain_hash, start_at, period_ms, 1 FROM input
                ON CONFLICT (service_id, grain_id, name) DO UPDATE
                    SET start_at = excluded.start_at, period_ms = excluded.period_ms, etag = r.etag + 1
                RETURNING grain_id, name, etag
            )
            SELECT v.ord, w.etag FROM input v JOIN written w USING (grain_id, name)
            """;

        public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes)
        {
            var rows = writes.Cast<ReminderRowWrite>().ToList();
            var command = Command(Sql, serviceId, rows);
            command.Parameters.Add(new NpgsqlParameter<long[]>("hashes", [.. rows.Select(r => r.GrainHash)]));
            command.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                Value = rows.Select(r => r.StartAt).ToArray(),
            });
            command.Parameters.Add(new NpgsqlParameter<long[]>("periods", [.. rows.Select(r => r.PeriodMs)]));
            return command;
        }
    }

    private sealed class RemoveShape(string serviceId) : WriteShape($"orleans reminder remove/{serviceId}")
    {
        private static readonly string Sql = $"""
            WITH input AS (
                SELECT * FROM unnest(@grains::text[], @names::text[], @etags::bigint[]) WITH ORDINALITY AS v(grain_id, name, etag, ord)
            ), written AS (
                DELETE FROM orleans_reminders r USING input v
                {RowAddress.Lateral("orleans_reminders", "k", ("service_id", "@service"), ("grain_id", "v.grain_id"), ("name", "v.name"))}
                WHERE r.ctid = k.row_id AND r.etag = v.etag
                RETURNING r.grain_id, r.name
            )
            SELECT v.ord, 1::bigint FROM input v JOIN written w USING (grain_id, name)
            """;

        public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes)
        {
            var rows = writes.Cast<ReminderRowWrite>().ToList();
            var command = Command(Sql, serviceId, rows);
            command.Parameters.Add(new NpgsqlParameter<long[]>("etags", [.. rows.Select(r => r.ETag)]));
            return command;
        }
    }
}
