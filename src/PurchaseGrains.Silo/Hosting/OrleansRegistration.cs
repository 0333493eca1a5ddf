using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Storage;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Storage.Sqlite;
using PurchaseGrains.Silo.Storage;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// The Orleans silo this process hosts beside its HTTP gateway: cluster identity and ports from <c>Orleans:</c>,
/// membership and reminders on the configured storage, grain state in <see cref="RowGrainStorage"/> (SQLite, PostgreSQL)
/// or Orleans' Azure providers (<see cref="AzureStorageRegistration"/>).
/// </summary>
public static class OrleansRegistration
{
    public const string DefaultClusterId = "purchasegrains";
    public const int DefaultSiloPort = EndpointOptions.DEFAULT_SILO_PORT;

    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var siloPort = configuration.GetValue("Orleans:SiloPort", DefaultSiloPort);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = configuration["Orleans:ClusterId"] ?? DefaultClusterId;
                options.ServiceId = configuration["Orleans:ServiceId"] ?? DefaultClusterId;
            });
            if (StorageOf(configuration) != StorageProvider.Sqlite)
            {
                silo.Configure<EndpointOptions>(options =>
                {
                    options.SiloPort = siloPort;
                    // No gateway: the only client of these grains is the HTTP gateway in the same process.
                    options.GatewayPort = 0;
                    if (configuration["Orleans:AdvertisedIPAddress"] is { Length: > 0 } address)
                        options.AdvertisedIPAddress = IPAddress.Parse(address);
                });
                if (StorageOf(configuration) == StorageProvider.AzureStorage)
                    silo.UseAzureStorageMembership(configuration);
                else
                    silo.Services.AddPostgresMembershipTable();
            }
            else
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort: 0);
            }
            silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
            silo.AddPurchaseGrainsDefaults(configuration);
        });
        return builder;
    }

    /// <summary>
    /// Everything a silo of this service needs apart from clustering: reminders on the configured storage, the grain
    /// store, collection and reminder options, trace propagation. The host and the grain test clusters share it.
    /// </summary>
    public static ISiloBuilder AddPurchaseGrainsDefaults(this ISiloBuilder silo, IConfiguration configuration)
    {
        var storage = StorageOf(configuration);
        if (storage == StorageProvider.Postgres)
            silo.Services.AddPostgresClusterReminders();
        else if (storage == StorageProvider.AzureStorage)
            silo.AddAzureStorageReminders(configuration);
        else
            silo.Services.AddSqliteClusterReminders();
        silo.AddReminders();
        silo.Configure<ReminderOptions>(options =>
            options.MinimumReminderPeriod = configuration.GetValue("Reminders:MinimumPeriod", options.MinimumReminderPeriod));
        silo.Configure<GrainCollectionOptions>(configuration.GetSection("Orleans:GrainCollection"));
        silo.Services.TryAddSingleton<MintedStateRows>();
        if (storage == StorageProvider.AzureStorage)
        {
            silo.AddAzureGrainStorage(configuration);
        }
        else
        {
            foreach (var store in (string[])[GrainStores.Main, GrainStores.Growing])
                silo.Services.AddGrainStorage(store, (services, _) =>
                    new RowGrainStorage(services.GetRequiredService<IStateRowStore>(), services.GetRequiredService<MintedStateRows>()));
        }
        silo.AddActivityPropagation();
        return silo;
    }

    private static StorageProvider StorageOf(IConfiguration configuration) =>
        configuration.GetValue("Storage:Provider", StorageProvider.Sqlite);
}
