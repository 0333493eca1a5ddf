using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// HTTP scenarios that run on each storage profile: the suite itself on SQLite, a subclass marked
/// <see cref="RequiresPostgresAttribute"/> that overrides <see cref="StartSiloAsync"/> on PostgreSQL, and one marked
/// <see cref="RequiresAzuriteAttribute"/> on the AzureStorage profile (<see cref="AzureSilos"/>). Its tests use
/// <see cref="StorageFactAttribute"/>, so those runs skip locally without a server and fail under CI.
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

/// <summary>Two silos of one new AzureStorage cluster, with grains placed at random between them.</summary>
public static class AzureSilos
{
    public static async Task<(TestSilo First, TestSilo Second)> StartPairAsync(PostgresDatabase database,
        IDictionary<string, string?>? settings, Action<WebApplicationBuilder>? configure)
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        void Configure(WebApplicationBuilder builder)
        {
            builder.Services.AddSingleton<Orleans.Runtime.PlacementStrategy, Orleans.Runtime.RandomPlacement>();
            configure?.Invoke(builder);
        }
        var first = await cluster.StartSiloAsync(settings, Configure);
        return (first, await cluster.StartSiloAsync(settings, Configure));
    }
}
