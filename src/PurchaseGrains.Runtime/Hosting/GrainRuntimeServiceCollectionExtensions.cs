using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PurchaseGrains.Runtime.Core;
using PurchaseGrains.Runtime.Reminders;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Runtime.Watching;

namespace PurchaseGrains.Runtime.Hosting;

public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>The grain layer: activations, turns, reminders, watchers. A storage provider must be added too.</summary>
    public static IServiceCollection AddGrainRuntime(this IServiceCollection services)
    {
        services.AddOptions<SiloOptions>().BindConfiguration("Silo");
        services.AddOptions<ReminderOptions>().BindConfiguration("Reminders");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GrainTypeRegistry(sp.GetServices<GrainTypeRegistration>()));
        services.TryAddSingleton<GrainActivator>();
        services.TryAddSingleton(sp => new GrainRuntime(
            sp.GetRequiredService<GrainTypeRegistry>(),
            sp.GetRequiredService<GrainActivator>(),
            sp.GetRequiredService<IGrainChangeFeed>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiloOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<GrainRuntime>>()));
        services.TryAddSingleton<IGrainFactory, GrainFactory>();
        services.TryAddSingleton<IGrainWatcher, GrainWatcher>();
        services.TryAddSingleton<ReminderRegistry>();
        services.TryAddSingleton<ReminderPoller>();

        // Order matters: schema first, then reminders; on shutdown the reverse (reminders stop, then turns drain).
        services.AddStorageStartup();
        services.AddHostedService<TurnDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ReminderPoller>());
        services.AddHostedService<ActivationCollector>();
        return services;
    }

    /// <summary>Creates the storage schema (state, reminders, the registered index tables) before anything else starts.</summary>
    public static IServiceCollection AddStorageStartup(this IServiceCollection services)
    {
        services.AddHostedService<StorageStartup>();
        return services;
    }

    public static IServiceCollection AddGrain<TGrainInterface, TGrain>(this IServiceCollection services, string typeName)
        where TGrainInterface : IGrainWithStringKey
        where TGrain : Grain, TGrainInterface
    {
        services.AddSingleton(new GrainTypeRegistration(typeName, typeof(TGrainInterface), typeof(TGrain)));
        return services;
    }

    /// <summary>Declares a secondary index table; providers create it at start-up.</summary>
    public static IServiceCollection AddIndexTable(this IServiceCollection services, IndexTable table)
    {
        services.AddSingleton(table);
        return services;
    }
}
