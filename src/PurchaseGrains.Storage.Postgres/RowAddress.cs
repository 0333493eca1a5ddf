namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// How the keyed statements (state updates and deletes) find their rows: a
/// subquery per key that the planner cannot merge into a join (<c>OFFSET 0</c>) answers the row's address (its
/// <c>ctid</c>, as <c>row_id</c>), and the statement changes the row at that address. As a plain join, a generic plan
/// cached while a table was small walked every row on each statement. A row changed meanwhile by another transaction
/// has a new address, so the READ COMMITTED re-check leaves it alone and the statement reports it unchanged.
/// </summary>
internal static class RowAddress
{
    /// <summary><c>CROSS JOIN LATERAL (…) alias</c>: <c>alias.row_id</c> of the row of <paramref name="table"/> whose key columns equal the values.</summary>
    public static string Lateral(string table, string alias, params (string Column, string Value)[] key) =>
        $"CROSS JOIN LATERAL (SELECT ctid AS row_id FROM {table} " +
        $"WHERE {string.Join(" AND ", key.Select(k => $"{k.Column} = {k.Value}"))} OFFSET 0) {alias}";
}
