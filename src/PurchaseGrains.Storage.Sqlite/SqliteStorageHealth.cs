
namespace PurchaseGrains.Storage.Sqlite;

internal sealed class SqliteStorageHealth(SqliteDatabase database) : IStorageHealth
{
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return await command.ExecuteScalarAsync(cancellationToken) is 1L;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
