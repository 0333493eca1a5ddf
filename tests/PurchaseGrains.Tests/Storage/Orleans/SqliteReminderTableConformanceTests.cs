using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage.Sqlite;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>Orleans' reminder table contract on SQLite (the single-silo profile): a new database file for every test.</summary>
public sealed class SqliteReminderTableConformanceTests : ReminderTableConformanceTests
{
    private readonly string _folder = TestStores.NewSqliteFolder();

    protected override Task<IConfiguration> CreateStoreAsync() => Task.FromResult(TestStores.Sqlite(_folder));

    protected override void AddReminderTable(IServiceCollection services, IConfiguration store)
    {
        services.AddSqliteGrainStorage(store);
        services.AddSqliteClusterReminders();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TestStores.DeleteFolder(_folder);
    }
}
