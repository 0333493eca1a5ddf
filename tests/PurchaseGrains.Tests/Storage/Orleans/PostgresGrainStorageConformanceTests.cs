using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>Orleans' grain storage contract on PostgreSQL: one database per class, a new schema for every test.</summary>
[RequiresPostgres]
public sealed class PostgresGrainStorageConformanceTests(PostgresDatabase database)
    : GrainStorageConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override Task<IConfiguration> CreateStoreAsync() => TestStores.PostgresAsync(database);

    protected override void AddRowStorage(IServiceCollection services, IConfiguration store) =>
        services.AddPostgresGrainStorage(store);
}
