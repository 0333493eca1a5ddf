using Microsoft.Data.Sqlite;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Sqlite;

/// <summary>Times are stored as Unix milliseconds and always compared with the caller's clock, never SQLite's.</summary>
internal sealed class SqliteReminderTable(SqliteDatabase database) : IReminderTable
{
    public Task UpsertAsync(GrainId grainId, string name, DateTimeOffset dueAt, TimeSpan period, string? traceParent,
        CancellationToken cancellationToken) =>
        WriteAsync(ReminderRows.Upsert,
            command =>
            {
                AddReminderKey(command, grainId, name);
                command.Parameters.AddWithValue("@due_at", dueAt.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("@period_ms", (long)period.TotalMilliseconds);
                command.Parameters.AddWithValue("@version", ReminderVersions.Next());
                command.Parameters.AddWithValue("@trace_parent", (object?)traceParent ?? DBNull.Value);
            },
            cancellationToken);

    public async Task<bool> DeleteAsync(GrainId grainId, string name, CancellationToken cancellationToken) =>
        await WriteAsync("""
            DELETE FROM grain_reminders WHERE grain_type = @type AND grain_key = @key AND name = @name
            """,
            command => AddReminderKey(command, grainId, name),
            cancellationToken) > 0;

    public async Task<ReminderEntry?> GetAsync(GrainId grainId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {ReminderRows.Columns} FROM grain_reminders
            WHERE grain_type = @type AND grain_key = @key AND name = @name
            """;
        AddReminderKey(command, grainId, name);
        var entries = await ReminderRows.ReadAllAsync(command, cancellationToken);
        return entries.SingleOrDefault();
    }

    public Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(string nodeId, DateTimeOffset now, TimeSpan lease, int maxCount,
        CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<ReminderEntry>>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                UPDATE grain_reminders SET lease_owner = @node, lease_until = @lease_until
                WHERE rowid IN (
                    SELECT rowid FROM grain_reminders
                    WHERE due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                    ORDER BY due_at
                    LIMIT @max_count)
                RETURNING {ReminderRows.Columns}
                """;
            command.Parameters.AddWithValue("@node", nodeId);
            command.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("@lease_until", (now + lease).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("@max_count", maxCount);
            var entries = await ReminderRows.ReadAllAsync(command, cancellationToken);
            return [.. entries.OrderBy(entry => entry.DueAt)];
        }, cancellationToken);

    public async Task CompleteTicksAsync(IReadOnlyList<CompletedTick> ticks, CancellationToken cancellationToken)
    {
        if (ticks.Count == 0)
        {
            return;
        }

        await database.WriteAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            foreach (var (tick, nextDueAt) in ticks)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = nextDueAt is null
                    ? """
                      DELETE FROM grain_reminders
                      WHERE grain_type = @type AND grain_key = @key AND name = @name AND version = @version
                      """
                    : """
                      UPDATE grain_reminders SET due_at = @due_at, attempt = 0, lease_owner = NULL, lease_until = NULL
                      WHERE grain_type = @type AND grain_key = @key AND name = @name AND version = @version
                      """;
                AddTickKey(command, tick);
                if (nextDueAt is { } next)
                {
                    command.Parameters.AddWithValue("@due_at", next.ToUnixTimeMilliseconds());
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return ticks.Count;
        }, cancellationToken);
    }

    public Task RetryTickAsync(ReminderEntry tick, DateTimeOffset retryAt, CancellationToken cancellationToken) =>
        WriteAsync("""
            UPDATE grain_reminders SET due_at = @due_at, attempt = attempt + 1, lease_owner = NULL, lease_until = NULL
            WHERE grain_type = @type AND grain_key = @key AND name = @name AND version = @version
            """,
            command =>
            {
                AddTickKey(command, tick);
                command.Parameters.AddWithValue("@due_at", retryAt.ToUnixTimeMilliseconds());
            },
            cancellationToken);

    public Task ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken) =>
        WriteAsync("""
            UPDATE grain_reminders SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @node
            """,
            command => command.Parameters.AddWithValue("@node", nodeId),
            cancellationToken);

    private Task<int> WriteAsync(string sql, Action<SqliteCommand> addParameters, CancellationToken cancellationToken) =>
        database.WriteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            addParameters(command);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static void AddReminderKey(SqliteCommand command, GrainId grainId, string name)
    {
        command.Parameters.AddWithValue("@type", grainId.Type);
        command.Parameters.AddWithValue("@key", grainId.Key);
        command.Parameters.AddWithValue("@name", name);
    }

    private static void AddTickKey(SqliteCommand command, ReminderEntry tick)
    {
        AddReminderKey(command, tick.GrainId, tick.Name);
        command.Parameters.AddWithValue("@version", tick.Version);
    }
}
