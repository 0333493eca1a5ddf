using System.Data.Common;

namespace PurchaseGrains.Runtime.Storage;

/// <summary>The <c>grain_reminders</c> columns every provider selects, in this order, and how a row becomes an entry.</summary>
public static class ReminderRows
{
    public const string Columns = "grain_type, grain_key, name, due_at, period_ms, first_tick_at, version, attempt, trace_parent";

    /// <summary>What a registration replaces when the reminder exists: new version, lease and attempts cleared.</summary>
    public const string ReplaceOnConflict = """
        ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET
            due_at = excluded.due_at,
            period_ms = excluded.period_ms,
            first_tick_at = excluded.first_tick_at,
            version = excluded.version,
            attempt = 0,
            trace_parent = excluded.trace_parent,
            lease_owner = NULL,
            lease_until = NULL
        """;

    /// <summary>Create or replace one registration. Parameters <c>@type @key @name @due_at @period_ms @version @trace_parent</c>.</summary>
    public const string Upsert = $"""
        INSERT INTO grain_reminders ({Columns})
        VALUES (@type, @key, @name, @due_at, @period_ms, @due_at, @version, 0, @trace_parent)
        {ReplaceOnConflict}
        """;

    public static async Task<List<ReminderEntry>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new ReminderEntry(
                new GrainId(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                TimeSpan.FromMilliseconds(reader.GetInt64(4)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.GetInt64(6),
                reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return entries;
    }
}
