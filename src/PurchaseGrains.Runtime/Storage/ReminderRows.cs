using System.Data.Common;

namespace PurchaseGrains.Runtime.Storage;

/// <summary>The <c>grain_reminders</c> columns every provider selects, in this order, and how a row becomes an entry.</summary>
public static class ReminderRows
{
    public const string Columns = "grain_type, grain_key, name, due_at, period_ms, first_tick_at, version, attempt, trace_parent";

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
