using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains;

public static class SqlLists
{
    /// <summary>
    /// "column is one of the list in @parameter". Dapper hands Npgsql a list as one array parameter (no IN
    /// expansion), and expands it into IN (…) for SQLite.
    /// </summary>
    public static string AnyOf(SqlDialect dialect, string column, string parameter) =>
        dialect == SqlDialect.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";
}
