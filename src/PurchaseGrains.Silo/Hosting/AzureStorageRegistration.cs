using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Storage;
using PurchaseGrains.Silo.Storage;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// The AzureStorage profile on Orleans' own Azure providers: membership and reminders in Table storage, grain state in
/// Table storage (<see cref="GrainStores.Main"/>: every state with a bound, well under an entity's 1 MB) or Blob storage
/// (<see cref="GrainStores.Growing"/>: inventories and ledgers, which grow with use), serialized with System.Text.Json.
/// Both go through <see cref="QueryRowGrainStorage"/>, which keeps their query rows on PostgreSQL.
/// </summary>
public static class AzureStorageRegistration
{
    private const string TableStates = "azure-table-state";
    private const string BlobStates = "azure-blob-state";

    public static ISiloBuilder UseAzureStorageMembership(this ISiloBuilder silo, IConfiguration configuration)
    {
        var tables = AzureStorageSettings.From(configuration).CreateTableServiceClient();
        return silo.UseAzureStorageClustering(options => options.TableServiceClient = tables);
    }

    public static ISiloBuilder AddAzureStorageReminders(this ISiloBuilder silo, IConfiguration configuration)
    {
        var tables = AzureStorageSettings.From(configuration).CreateTableServiceClient();
        return silo.UseAzureTableReminderService(options => options.TableServiceClient = tables);
    }

    public static ISiloBuilder AddAzureGrainStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = AzureStorageSettings.From(configuration);
        TableServiceClient tables = settings.CreateTableServiceClient();
        BlobServiceClient blobs = settings.CreateBlobServiceClient();
        // Grain state as readable JSON, in the same shape as the SQL profiles' payloads (snake_case, enums as strings).
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.Services.Configure<Orleans.Serialization.SystemTextJsonGrainStorageSerializerOptions>(options =>
            GrainStateSerializer.Apply(options.JsonSerializerOptions));
        silo.AddAzureTableGrainStorage(TableStates, options =>
        {
            options.TableServiceClient = tables;
            options.TableName = settings.GrainStateTable;
            options.UseStringFormat = true;
            options.DeleteStateOnClear = true;
        });
        silo.AddAzureBlobGrainStorage(BlobStates, options =>
        {
            options.BlobServiceClient = blobs;
            options.ContainerName = settings.GrainStateContainer;
            options.DeleteStateOnClear = true;
        });
        silo.Services.AddGrainStorage(GrainStores.Main, (services, _) => WithQueryRows(services, TableStates));
        silo.Services.AddGrainStorage(GrainStores.Growing, (services, _) => WithQueryRows(services, BlobStates));
        return silo;
    }

    private static QueryRowGrainStorage WithQueryRows(IServiceProvider services, string inner) =>
        new(services.GetRequiredKeyedService<IGrainStorage>(inner), services.GetRequiredService<IQueryRowStore>(),
            services.GetRequiredService<MintedStateRows>());
}
