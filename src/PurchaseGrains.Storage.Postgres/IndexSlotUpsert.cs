using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// The array-fed upsert of one <see cref="IndexSlot"/>'s rows, shared by the statements that write query rows: each
/// row comes with its owner (the grain whose write carries it), and the statement around it decides which owners'
/// rows go in.
/// </summary>
internal static class IndexSlotUpsert
{
    /// <summary>Splits a write's rows by slot (table and column layout), slots in order of first appearance.</summary>
    public static (List<IndexSlot> Slots, IndexRow[][] RowsBySlot) Group(IReadOnlyList<IndexRow> rows)
    {
        // Most writes carry no row or one: no lists to grow for them.
        if (rows.Count == 0)
            return ([], []);
        if (rows.Count == 1)
            return ([IndexSlot.Of(rows[0])], [[rows[0]]]);
        var slots = new List<IndexSlot>();
        var rowsBySlot = new List<List<IndexRow>>();
        foreach (var row in rows)
        {
            var slot = IndexSlot.Of(row);
            var at = slots.IndexOf(slot);
            if (at < 0)
            {
                slots.Add(slot);
                rowsBySlot.Add([]);
                at = slots.Count - 1;
            }
            rowsBySlot[at].Add(row);
        }
        return (slots, [.. rowsBySlot.Select(r => r.ToArray())]);
    }

    /// <summary>Parameters <c>@i{i}_owner</c>, <c>@i{i}_key</c> and one array per non-null column (<c>@i{i}_c{j}</c>).</summary>
    public static void AddParameters(NpgsqlBatchCommand command, int i, IndexSlot slot, IReadOnlyList<(string Owner, IndexRow Row)> owned)
    {
        command.Parameters.Add(new NpgsqlParameter<string[]>($"i{i}_owner", [.. owned.Select(o => o.Owner)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>($"i{i}_key", [.. owned.Select(o => o.Row.Key)]));
        for (var j = 0; j < slot.Columns.Count; j++)
        {
            var column = slot.Columns[j];
            var values = owned.Select(o => o.Row.Columns[column.Name]);
            NpgsqlParameter? parameter = column.Kind switch
            {
                IndexValueKind.Text => new NpgsqlParameter<string[]>($"i{i}_c{j}", [.. values.Cast<string>()]),
                IndexValueKind.Integer => new NpgsqlParameter<long[]>($"i{i}_c{j}", [.. values.Select(Convert.ToInt64)]),
                IndexValueKind.Real => new NpgsqlParameter<double[]>($"i{i}_c{j}", [.. values.Select(Convert.ToDouble)]),
                _ => null,
            };
            if (parameter is not null)
                command.Parameters.Add(parameter);
        }
    }

    /// <summary>
    /// The CTE <c>index_{i}</c>. <paramref name="join"/> follows the unnested rows <c>r</c> (a join or a <c>WHERE</c> on
    /// <c>r.owner</c>); <paramref name="versionFrom"/>, when given, is the expression whose value goes in
    /// <c>row_version</c>, and a stored row is then only replaced by one of a higher version.
    /// </summary>
    public static string Sql(int i, IndexSlot slot, string join, string? versionFrom = null)
    {
        var columns = slot.Columns.Select(c => SqlIdentifier.Quote(c.Name)).ToList();
        var arrays = new List<string> { $"@i{i}_owner::text[]", $"@i{i}_key::text[]" };
        var aliases = new List<string> { "owner", "row_key" };
        var selected = new List<string> { "r.row_key" };
        for (var j = 0; j < slot.Columns.Count; j++)
        {
            if (slot.Columns[j].Kind == IndexValueKind.Null)
            {
                selected.Add("NULL");
                continue;
            }
            arrays.Add($"@i{i}_c{j}::{ArrayType(slot.Columns[j].Kind)}");
            aliases.Add($"c{j}");
            selected.Add($"r.c{j}");
        }
        if (versionFrom is not null)
        {
            columns.Add(PostgresQueryRowStore.VersionColumn);
            selected.Add(versionFrom);
        }
        var table = SqlIdentifier.Quote(slot.Table);
        var onConflict = columns.Count == 0
            ? "NOTHING"
            : "UPDATE SET " + string.Join(", ", columns.Select(column => $"{column} = excluded.{column}"));
        if (versionFrom is not null)
            onConflict += $" WHERE {table}.{PostgresQueryRowStore.VersionColumn} IS NULL OR {table}.{PostgresQueryRowStore.VersionColumn} < excluded.{PostgresQueryRowStore.VersionColumn}";
        return $"""
            index_{i} AS (
                INSERT INTO {table} ({string.Join(", ", ["grain_key", .. columns])})
                SELECT {string.Join(", ", selected)}
                FROM unnest({string.Join(", ", arrays)}) AS r({string.Join(", ", aliases)})
                {join}
                ON CONFLICT (grain_key) DO {onConflict}
            )
            """;
    }

    private static string ArrayType(IndexValueKind kind) => kind switch
    {
        IndexValueKind.Text => "text[]",
        IndexValueKind.Integer => "bigint[]",
        _ => "double precision[]",
    };
}
