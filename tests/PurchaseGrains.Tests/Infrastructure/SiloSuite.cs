using Microsoft.AspNetCore.Builder;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// HTTP scenarios that run on each storage profile: the suite itself on SQLite, and a subclass marked
/// <see cref="RequiresPostgresAttribute"/> that overrides <see cref="StartSiloAsync"/> on PostgreSQL. Its tests use
/// <see cref="StorageFactAttribute"/>, so the PostgreSQL run skips locally without a server and fails under CI.
/// </summary>
public abstract class SiloSuite
{
    protected virtual Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null) =>
        TestSilo.StartSqliteAsync(settings: settings, configure: configure);
}

/// <summary>Starts each silo on a fresh schema of the class's PostgreSQL database.</summary>
public static class PostgresSilos
{
    public static async Task<TestSilo> StartAsync(PostgresDatabase database, IDictionary<string, string?>? settings,
        Action<WebApplicationBuilder>? configure) =>
        await TestSilo.StartPostgresAsync(await database.CreateSchemaAsync(), settings, configure);
}
