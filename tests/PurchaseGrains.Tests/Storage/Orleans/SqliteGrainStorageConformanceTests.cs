using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage.Sqlite;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>Orleans' grain storage contract on SQLite: a new database file for every test.</summary>
public sealed class SqliteGrainStorageConformanceTests : GrainStorageConformanceTests
{
    private readonly string _folder = TestStores.NewSqliteFolder();

    protected override Task<IConfiguration> CreateStoreAsync() => Task.FromResult(TestStores.Sqlite(_folder));

    protected override void AddRowStorage(IServiceCollection services, IConfiguration store) =>
        services.AddSqliteGrainStorage(store);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TestStores.DeleteFolder(_folder);
    }
}
