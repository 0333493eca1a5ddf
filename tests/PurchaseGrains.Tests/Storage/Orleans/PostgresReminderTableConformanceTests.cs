using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>Orleans' reminder table contract on PostgreSQL: one database per class, a new schema for every test.</summary>
[RequiresPostgres]
public sealed class PostgresReminderTableConformanceTests(PostgresDatabase database)
    : ReminderTableConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override Task<IConfiguration> CreateStoreAsync() => TestStores.PostgresAsync(database);

    protected override void AddReminderTable(IServiceCollection services, IConfiguration store)
    {
        services.AddPostgresGrainStorage(store);
        services.AddPostgresClusterReminders();
    }
}
