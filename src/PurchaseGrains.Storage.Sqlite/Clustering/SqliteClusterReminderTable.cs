using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace PurchaseGrains.Storage.Sqlite.Clustering;

/// <summary>
/// Orleans' reminder table in the embedded SQLite file, so reminders outlive a restart of the single silo. Rows and
/// ETags as on PostgreSQL: one row per (service, grain, reminder name), the ETag a counter bumped by every upsert.
/// Times are Unix milliseconds.
/// </summary>
internal sealed class SqliteClusterReminderTable(SqliteDatabase database, IOptions<ClusterOptions> cluster) : IReminderTable
{
    private string ServiceId => cluster.Value.ServiceId;

    public Task StartAsync(CancellationToken cancellationToken = default) => database.WriteAsync(connection => ExecuteAsync(connection, """
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            service_id TEXT NOT NULL,
            grain_id TEXT NOT NULL,
            name TEXT NOT NULL,
            grain_hash INTEGER NOT NULL,
            start_at INTEGER NOT NULL,
            period_ms INTEGER NOT NULL,
            etag INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, name));
        CREATE INDEX IF NOT EXISTS ix_orleans_reminders_ring ON orleans_reminders (service_id, grain_hash);
        """, _ => { }), cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        ReadAsync("grain_id = @grain", command => command.Parameters.AddWithValue("@grain", grainId.ToString()));

    /// <summary>The ring range (begin, end]; begin &gt;= end wraps past zero (begin = end is the whole ring).</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        ReadAsync(begin < end ? "grain_hash > @begin AND grain_hash <= @end" : "(grain_hash > @begin OR grain_hash <= @end)", command =>
        {
            command.Parameters.AddWithValue("@begin", (long)begin);
            command.Parameters.AddWithValue("@end", (long)end);
        });

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        (await ReadAsync("grain_id = @grain AND name = @name", command =>
        {
            command.Parameters.AddWithValue("@grain", grainId.ToString());
            command.Parameters.AddWithValue("@name", reminderName);
        })).Reminders.SingleOrDefault();

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var etag = await database.WriteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO orleans_reminders (service_id, grain_id, name, grain_hash, start_at, period_ms, etag)
                VALUES (@service, @grain, @name, @hash, @start, @period, 1)
                ON CONFLICT (service_id, grain_id, name) DO UPDATE
                    SET start_at = excluded.start_at, period_ms = excluded.period_ms, etag = orleans_reminders.etag + 1
                RETURNING etag
                """;
            command.Parameters.AddWithValue("@service", ServiceId);
            command.Parameters.AddWithValue("@grain", entry.GrainId.ToString());
            command.Parameters.AddWithValue("@name", entry.ReminderName);
            command.Parameters.AddWithValue("@hash", (long)entry.GrainId.GetUniformHashCode());
            command.Parameters.AddWithValue("@start", new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("@period", (long)entry.Period.TotalMilliseconds);
            return (long)(await command.ExecuteScalarAsync())!;
        }, CancellationToken.None);
        return etag.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
            return false;
        return await database.WriteAsync(connection => ExecuteAsync(connection,
            "DELETE FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain AND name = @name AND etag = @etag",
            command =>
            {
                command.Parameters.AddWithValue("@service", ServiceId);
                command.Parameters.AddWithValue("@grain", grainId.ToString());
                command.Parameters.AddWithValue("@name", reminderName);
                command.Parameters.AddWithValue("@etag", etag);
            }), CancellationToken.None) == 1;
    }

    public Task TestOnlyClearTable() => database.WriteAsync(connection => ExecuteAsync(connection,
        "DELETE FROM orleans_reminders WHERE service_id = @service",
        command => command.Parameters.AddWithValue("@service", ServiceId)), CancellationToken.None);

    private async Task<ReminderTableData> ReadAsync(string filter, Action<SqliteCommand> bind)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT grain_id, name, start_at, period_ms, etag FROM orleans_reminders WHERE service_id = @service AND {filter}";
        command.Parameters.AddWithValue("@service", ServiceId);
        bind(command);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)).UtcDateTime,
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }
        return new ReminderTableData(entries);
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, Action<SqliteCommand> bind)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        return await command.ExecuteNonQueryAsync();
    }
}
