using PurchaseGrains.Storage;

namespace PurchaseGrains.Silo.Storage;

/// <summary>
/// What <see cref="QueryRowGrainStorage"/> stores for a grain: the state, its version (one more on every write), and the
/// query rows of the last write, so the next activation can put them in place if that write's rows never arrived.
/// Rows a state does not keep in its payload (a listing's changed ledger lines) could not be recomputed otherwise.
/// </summary>
public sealed class StateWithQueryRows<T>
{
    public long Version { get; set; }

    public T? State { get; set; }

    public List<StoredQueryRow> QueryRows { get; set; } = [];
}

/// <summary>An <see cref="IndexRow"/> as stored JSON: each value under its kind, so 2.0 stays a real and "7" text.</summary>
public sealed class StoredQueryRow
{
    public string Table { get; set; } = "";

    public string Key { get; set; } = "";

    public Dictionary<string, string?> Text { get; set; } = [];

    public Dictionary<string, long> Integer { get; set; } = [];

    public Dictionary<string, double> Real { get; set; } = [];

    public static StoredQueryRow From(IndexRow row)
    {
        var stored = new StoredQueryRow { Table = row.Table, Key = row.Key };
        foreach (var (name, value) in row.Columns)
        {
            switch (value)
            {
                case null: stored.Text[name] = null; break;
                case string text: stored.Text[name] = text; break;
                case long or int or short or byte: stored.Integer[name] = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case double or float or decimal: stored.Real[name] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Query column {row.Table}.{name}: values of type {value.GetType().Name} are not supported.");
            }
        }
        return stored;
    }

    public IndexRow ToRow()
    {
        var columns = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in Text)
            columns[name] = value;
        foreach (var (name, value) in Integer)
            columns[name] = value;
        foreach (var (name, value) in Real)
            columns[name] = value;
        return new IndexRow(Table, Key, columns);
    }
}
