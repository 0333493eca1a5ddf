using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace PurchaseGrains.Storage.Postgres.Clustering;

/// <summary>
/// Orleans' reminder table on PostgreSQL: one row per (service, grain, reminder name), with the grain's uniform hash
/// for the range reads by which each silo loads the reminders of its part of the ring. The ETag is a counter bumped
/// by every upsert, so a remove by an older ETag finds nothing. Upserts and removes go through the grain writes'
/// <see cref="PostgresWriteCombiner"/>: an intent registers its reminder as it is created and drops it when it
/// settles, and thousands a second doing that in statements of their own would each cost a commit.
/// </summary>
internal sealed class PostgresClusterReminderTable(NpgsqlDataSource dataSource, PostgresWriteCombiner writes,
    IOptions<ClusterOptions> cluster) : IReminderTable
{
    private const long SchemaLock = 0x5047_5245_4D49;

    private readonly ReminderRowWrite.Shapes _shapes = new(cluster.Value.ServiceId);

    private string ServiceId => cluster.Value.ServiceId;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", SchemaLock);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var command = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS orleans_reminders (
                service_id text NOT NULL,
                grain_id text NOT NULL,
                name text NOT NULL,
                grain_hash bigint NOT NULL,
                start_at timestamptz NOT NULL,
                period_ms bigint NOT NULL,
                etag bigint NOT NULL,
                PRIMARY KEY (service_id, grain_id, name));
            CREATE INDEX IF NOT EXISTS ix_orleans_reminders_ring ON orleans_reminders (service_id, grain_hash);
            """, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        ReadAsync("grain_id = @grain", command => command.Parameters.AddWithValue("grain", grainId.ToString()));

    /// <summary>The ring range (begin, end]; begin &gt;= end wraps past zero (begin = end is the whole ring).</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        ReadAsync(begin < end ? "grain_hash > @begin AND grain_hash <= @end" : "(grain_hash > @begin OR grain_hash <= @end)", command =>
        {
            command.Parameters.AddWithValue("begin", (long)begin);
            command.Parameters.AddWithValue("end", (long)end);
        });

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await ReadAsync("grain_id = @grain AND name = @name", command =>
        {
            command.Parameters.AddWithValue("grain", grainId.ToString());
            command.Parameters.AddWithValue("name", reminderName);
        });
        return rows.Reminders.SingleOrDefault();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var write = _shapes.Upserting(entry.GrainId.ToString(), entry.ReminderName, entry.GrainId.GetUniformHashCode(),
            DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc), (long)entry.Period.TotalMilliseconds);
        var etag = await writes.ExecuteAsync(write, CancellationToken.None)
            ?? throw new InvalidOperationException($"The upsert of reminder '{entry.ReminderName}' of {entry.GrainId} answered no row.");
        return etag.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
            return false;
        return await writes.ExecuteAsync(_shapes.Removing(grainId.ToString(), reminderName, etag), CancellationToken.None) is not null;
    }

    public async Task TestOnlyClearTable()
    {
        await using var command = dataSource.CreateCommand("DELETE FROM orleans_reminders WHERE service_id = @service");
        command.Parameters.AddWithValue("service", ServiceId);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<ReminderTableData> ReadAsync(string filter, Action<NpgsqlCommand> bind)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT grain_id, name, start_at, period_ms, etag FROM orleans_reminders WHERE service_id = @service AND {filter}");
        command.Parameters.AddWithValue("service", ServiceId);
        bind(command);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = reader.GetDateTime(2),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }
        return new ReminderTableData(entries);
    }
}
