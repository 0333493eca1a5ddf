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

    public string Signature { get; } = SignatureOf(Table, Columns);

    public static IndexSlot Of(IndexRow row)
    {
        var length = row.Table.Length;
        foreach (var column in row.Columns)
            length += column.Key.Length;
        length = SignatureLength(length, row.Columns.Count);
        Span<char> buffer = length <= 1024 ? stackalloc char[length] : new char[length];
        var at = SpellTable(buffer, row.Table);
        foreach (var column in row.Columns)
            at = SpellColumn(buffer, at, column.Key, KindOf(row.Table, column.Key, column.Value));
        if (KnownBySpan.TryGetValue(buffer[..at], out var known))
            return known;
        var slot = new IndexSlot(row.Table,
            [.. row.Columns.Select(column => new IndexColumnSlot(column.Key, KindOf(row.Table, column.Key, column.Value)))]);
        return Known.GetOrAdd(slot.Signature, slot);
    }

    private static string SignatureOf(string table, IReadOnlyList<IndexColumnSlot> columns)
    {
        var buffer = new char[SignatureLength(table.Length + columns.Sum(c => c.Name.Length), columns.Count)];
        var at = SpellTable(buffer, table);
        foreach (var column in columns)
            at = SpellColumn(buffer, at, column.Name, column.Kind);
        return new string(buffer, 0, at);
    }

    // A signature is spelt one way, by the two methods below: table:name=kind,name=kind (a kind is one digit).

    /// <summary>At most the signature's length, from its table's and column names' lengths.</summary>
    private static int SignatureLength(int nameCharacters, int columns) => nameCharacters + 1 + columns * 3;

    private static int SpellTable(Span<char> buffer, string table)
    {
        table.CopyTo(buffer);
        buffer[table.Length] = ':';
        return table.Length + 1;
    }

    private static int SpellColumn(Span<char> buffer, int at, string name, IndexValueKind kind)
    {
        if (buffer[at - 1] != ':') // not the first column, which follows the table's colon
            buffer[at++] = ',';
        name.CopyTo(buffer[at..]);
        at += name.Length;
        buffer[at++] = '=';
        buffer[at++] = (char)('0' + (int)kind);
        return at;
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
