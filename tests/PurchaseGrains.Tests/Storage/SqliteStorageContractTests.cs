using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage;
using PurchaseGrains.Storage.Sqlite;

namespace PurchaseGrains.Tests.Storage;

/// <summary>The contract on SQLite: a new database file, in a folder the provider has to create, for every test.</summary>
public sealed class SqliteStorageContractTests : StorageContractTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "purchasegrains-tests", Guid.NewGuid().ToString("N"));

    protected override SqlDialect ExpectedDialect => SqlDialect.Sqlite;

    protected override Task<IConfiguration> CreateStoreAsync()
    {
        var file = Path.Combine(_folder, Guid.NewGuid().ToString("N"), "store.db");
        IConfiguration store = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Sqlite"] = $"Data Source={file}" })
            .Build();
        return Task.FromResult(store);
    }

    protected override void AddStorage(IServiceCollection services, IConfiguration store) =>
        services.AddSqliteGrainStorage(store);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
