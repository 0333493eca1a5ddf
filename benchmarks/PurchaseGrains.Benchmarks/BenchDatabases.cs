using Npgsql;

namespace PurchaseGrains.Benchmarks;

/// <summary>Fresh databases on the benchmark server, dropped at the end.</summary>
public sealed class BenchDatabases(string serverConnection) : IAsyncDisposable
{
    private readonly List<string> _created = [];

    public string ServerConnection { get; } = serverConnection;

    public async Task<string> CreateAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..30];
        await using var connection = new NpgsqlConnection(ServerConnection);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
            await create.ExecuteNonQueryAsync();
        _created.Add(name);
        return new NpgsqlConnectionStringBuilder(ServerConnection) { Database = name }.ConnectionString;
    }

    public string DatabaseName(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnection);
        await connection.OpenAsync();
        foreach (var name in _created)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
