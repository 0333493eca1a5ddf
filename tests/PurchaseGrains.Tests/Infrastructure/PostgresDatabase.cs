using Npgsql;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// A fresh, uniquely named database on the server named by <c>PG_TEST_CONNECTION</c>, dropped when the fixture is
/// disposed. Without the variable, PostgreSQL tests are skipped locally but fail loudly under <c>CI=true</c>.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public const string ServerVariable = "PG_TEST_CONNECTION";

    private static readonly string? Server =
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value ? value : null;

    private readonly string _name = $"purchasegrains_test_{Guid.NewGuid():N}";
    private string? _connectionString;

    /// <summary>Why PostgreSQL tests are skipped on this machine, or null when they must run.</summary>
    public static string? SkipReason =>
        Server is null && !RunningInCi
            ? $"{ServerVariable} is not set (e.g. Host=127.0.0.1;Port=55432;Username=postgres;Password=postgres)."
            : null;

    public static bool RunningInCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException($"No test database: {ServerVariable} is not set.");

    public async Task InitializeAsync()
    {
        if (Server is null)
        {
            if (RunningInCi)
            {
                throw new InvalidOperationException(
                    $"CI=true but {ServerVariable} is not set: PostgreSQL tests must run in CI, not be skipped. " +
                    $"Start PostgreSQL and export {ServerVariable}, e.g. 'Host=127.0.0.1;Port=55432;Username=postgres;Password=postgres'.");
            }

            return;
        }

        await ExecuteOnServerAsync($"CREATE DATABASE \"{_name}\"");
        _connectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _name }.ConnectionString;
    }

    /// <summary>A new empty schema in this database, and a connection string whose search path is that schema alone.</summary>
    public async Task<string> CreateSchemaAsync()
    {
        var schema = $"test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
        }
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
