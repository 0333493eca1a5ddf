using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage;

/// <summary>The contract on PostgreSQL: one database per class, a new schema (search path) for every test.</summary>
[RequiresPostgres]
public sealed class PostgresStorageContractTests(PostgresDatabase database) : StorageContractTests, IClassFixture<PostgresDatabase>
{
    protected override SqlDialect ExpectedDialect => SqlDialect.Postgres;

    protected override async Task<IConfiguration> CreateStoreAsync()
    {
        var connectionString = await database.CreateSchemaAsync();
        return new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString })
            .Build();
    }

    protected override void AddStorage(IServiceCollection services, IConfiguration store) =>
        services.AddPostgresGrainStorage(store);

}
