using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PurchaseGrains.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedded single-node store on the file named by <c>ConnectionStrings:Sqlite</c>
    /// (default <c>Data Source=data/purchasegrains.db</c>, relative to the working directory; its folder is created).
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging();
        services.AddSingleton(_ => new SqliteDatabase(configuration.GetConnectionString("Sqlite") ?? SqliteDatabase.DefaultConnectionString));
        services.AddSingleton<IStateRowStore, SqliteGrainStorage>();
        services.AddSingleton<IIndexQueries, SqliteIndexQueries>();
        services.AddSingleton<IStorageInitializer, SqliteStorageInitializer>();
        services.AddSingleton<IStorageHealth, SqliteStorageHealth>();
        return services;
    }

    /// <summary>Orleans' reminders in the same SQLite file (the embedded profile's single silo).</summary>
    public static IServiceCollection AddSqliteClusterReminders(this IServiceCollection services)
    {
        services.AddSingleton<Orleans.IReminderTable, Clustering.SqliteClusterReminderTable>();
        return services;
    }
}
