using System.Collections.Concurrent;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>What an index column's values are sent as; a column whose value is null is written as NULL in the SQL text.</summary>
internal enum IndexValueKind { Text, Integer, Real, Null }

internal sealed record IndexColumnSlot(string Name, IndexValueKind Kind);

/// <summary>Index rows that can share one array-fed upsert: same table, same columns, same value kinds.</summary>
internal sealed record IndexSlot(string Table, IReadOnlyList<IndexColumnSlot> Columns)
{
    /// <summary>
    /// The slots met so far, by <see cref="Signature"/>. A grain writes rows of a few layouts, again and again: a write
    /// finds its slot by the signature spelt into a stack buffer, and allocates nothing once the layout is known.
    /// </summary>
    private static readonly ConcurrentDictionary<string, IndexSlot> Known = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, IndexSlot>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Signature { get; } = Table + ":" + string.Join(",", Columns.Select(c => $"{c.Name}={(int)c.Kind}"));

    public static IndexSlot Of(IndexRow row)
    {
        // The signature as Signature spells it: table:name=kind,name=kind (a kind is one digit).
        var length = row.Table.Length + 1;
        foreach (var column in row.Columns)
            length += column.Key.Length + 3;
        Span<char> buffer = length <= 1024 ? stackalloc char[length] : new char[length];
        row.Table.CopyTo(buffer);
        var at = row.Table.Length;
        buffer[at++] = ':';
        var first = true;
        foreach (var column in row.Columns)
        {
            if (!first)
                buffer[at++] = ',';
            first = false;
            column.Key.CopyTo(buffer[at..]);
            at += column.Key.Length;
            buffer[at++] = '=';
            buffer[at++] = (char)('0' + (int)KindOf(row.Table, column.Key, column.Value));
        }
        var signature = buffer[..at];
        if (KnownBySpan.TryGetValue(signature, out var known))
            return known;
        var slot = new IndexSlot(row.Table,
            [.. row.Columns.Select(column => new IndexColumnSlot(column.Key, KindOf(row.Table, column.Key, column.Value)))]);
        return Known.GetOrAdd(slot.Signature, slot);
    }

    public bool Equals(IndexSlot? other) => other is not null && other.Signature == Signature;

    public override int GetHashCode() => Signature.GetHashCode(StringComparison.Ordinal);

    private static IndexValueKind KindOf(string table, string column, object? value) => value switch
    {
        null => IndexValueKind.Null,
        string => IndexValueKind.Text,
        long or int or short or byte => IndexValueKind.Integer,
        double or float or decimal => IndexValueKind.Real,
        _ => throw new ArgumentException($"Index column {table}.{column}: values of type {value.GetType().Name} are not supported."),
    };
}
