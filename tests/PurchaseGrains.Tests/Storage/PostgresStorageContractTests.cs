using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime.Storage;
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

    protected override Task WhenChangeFeedReadyAsync(StorageNode node) =>
        ((PostgresGrainChangeFeed)node.ChangeFeed).WaitUntilConnectedAsync(Deadline);

    [PostgresFact]
    public async Task ADeclaredFillFactorIsSetWhenTheTableIsCreatedAndOnATableThatExists()
    {
        var fresh = new IndexTable("test_filled", [new IndexColumn("status", IndexColumnType.Text)], []) { FillFactor = 75 };
        await Node.Initializer.InitializeAsync([fresh, Orders with { FillFactor = 80 }], Deadline);
        await Node.Initializer.InitializeAsync([fresh, Orders with { FillFactor = 80 }], Deadline);

        Assert.Equal(["fillfactor=75"], await TableOptionsAsync("test_filled"));
        Assert.Equal(["fillfactor=80"], await TableOptionsAsync("test_orders"));
    }

    private Task<IReadOnlyList<string>> TableOptionsAsync(string table) => Node.Queries.QueryAsync<string>(
        "SELECT unnest(reloptions) FROM pg_class WHERE oid = to_regclass(@table)", new { table }, Deadline);
}
