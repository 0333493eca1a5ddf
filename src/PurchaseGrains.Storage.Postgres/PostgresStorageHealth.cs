using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

internal sealed class PostgresStorageHealth(NpgsqlDataSource dataSource) : IStorageHealth
{
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
