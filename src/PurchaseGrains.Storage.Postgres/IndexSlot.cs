
namespace PurchaseGrains.Storage.Postgres;

/// <summary>What an index column's values are sent as; a column whose value is null is written as NULL in the SQL text.</summary>
internal enum IndexValueKind { Text, Integer, Real, Null }

internal sealed record IndexColumnSlot(string Name, IndexValueKind Kind);

/// <summary>Index rows that can share one array-fed upsert: same table, same columns, same value kinds.</summary>
internal sealed record IndexSlot(string Table, IReadOnlyList<IndexColumnSlot> Columns)
{
    public string Signature { get; } = Table + ":" + string.Join(",", Columns.Select(c => $"{c.Name}={(int)c.Kind}"));

    public static IndexSlot Of(IndexRow row) =>
        new(row.Table, [.. row.Columns.Select(column => new IndexColumnSlot(column.Key, KindOf(row.Table, column.Key, column.Value)))]);

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
