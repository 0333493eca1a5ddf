using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>One write waiting in the <see cref="PostgresWriteCombiner"/>, and where its answer goes.</summary>
/// <param name="rowKey">The row it changes: writes to one row never share a statement, and rows are locked in this order.</param>
internal abstract class CombinedWrite(string rowKey)
{
    public string RowKey { get; } = rowKey;

    /// <summary>Writes with the same shape (compared by <see cref="WriteShape.Key"/>) run as one statement.</summary>
    public abstract WriteShape Shape { get; }

    public TaskCompletionSource<long?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A set-based statement for any number of writes of one kind: their values go in as arrays (one element per write,
/// read back with <c>unnest … WITH ORDINALITY</c>), and it returns one <c>(ordinal, answer)</c> row per write that
/// took effect, ordinals counting from 1. The SQL text depends only on the shape, so PostgreSQL prepares it once.
/// </summary>
internal abstract class WriteShape(string key)
{
    public string Key { get; } = key;

    public abstract NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes);
}

internal sealed record StatementGroup(WriteShape Shape, List<CombinedWrite> Writes);

internal static class StatementGroups
{
    /// <summary>
    /// One group per shape, in order of first appearance; a write to a row already in its shape's group starts a new
    /// group after every existing one, so writes to one row still run in the order they arrived.
    /// </summary>
    public static List<StatementGroup> Plan(IReadOnlyList<CombinedWrite> writes)
    {
        var groups = new List<StatementGroup>();
        var open = new Dictionary<string, (StatementGroup Group, HashSet<string> Rows)>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            if (!open.TryGetValue(write.Shape.Key, out var current) || !current.Rows.Add(write.RowKey))
            {
                current = (new StatementGroup(write.Shape, []), new HashSet<string>(StringComparer.Ordinal) { write.RowKey });
                open[write.Shape.Key] = current;
                groups.Add(current.Group);
            }
            current.Group.Writes.Add(write);
        }
        return groups;
    }
}
