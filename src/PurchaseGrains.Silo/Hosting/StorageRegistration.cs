using PurchaseGrains.Storage;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Storage.Sqlite;

namespace PurchaseGrains.Silo.Hosting;

public enum StorageProvider { Sqlite, Postgres, AzureStorage }

public static class StorageRegistration
{
    /// <summary>
    /// <c>Storage:Provider</c>: <c>Sqlite</c> (default, a file under ./data), <c>Postgres</c>, or <c>AzureStorage</c>
    /// (grain state on Azure, set up by the silo; query rows on PostgreSQL); the schema is created or migrated before
    /// anything else starts.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetValue("Storage:Provider", StorageProvider.Sqlite);
        if (provider == StorageProvider.Postgres)
        {
            builder.Services.AddPostgresGrainStorage(builder.Configuration);
        }
        else if (provider == StorageProvider.AzureStorage)
        {
            builder.Services.AddPostgresQueryRows(builder.Configuration);
            builder.Services.AddAzureStorageHealth(builder.Configuration);
        }
        else
            builder.Services.AddSqliteGrainStorage(builder.Configuration);
        builder.Services.AddStorageStartup();
        return builder;
    }
}
