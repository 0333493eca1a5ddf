using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

public static class VendingMachineRegistration
{
    /// <summary>Index tables, options (<c>Vm:</c>, <c>Fulfillment:</c>) and the configured fulfilment provider.</summary>
    public static IServiceCollection AddVendingMachineGrains(this IServiceCollection services)
    {
        services.AddOptions<VmOptions>().BindConfiguration("Vm")
            .Validate(o => o.StatusPollWindow >= TimeSpan.Zero && o.BuybackWindow > TimeSpan.Zero && o.RecoveryDelay > TimeSpan.Zero,
                "Vm: StatusPollWindow must not be negative; BuybackWindow and RecoveryDelay must be positive.")
            .ValidateOnStart();
        services.AddOptions<FulfillmentOptions>().BindConfiguration("Fulfillment")
            .Validate(o => o.Provider != FulfillmentProviderKind.Http || o.BaseUrl is { IsAbsoluteUri: true },
                "Fulfillment:BaseUrl (absolute) is required when Fulfillment:Provider is Http.")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.Deadline > TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero,
                "Fulfillment: PollInterval, Deadline and RequestTimeout must be positive.")
            .ValidateOnStart();

        services.AddOptions<ReminderBackstopOptions>().BindConfiguration("Reminders")
            .Validate(o => o.BackstopPeriod > TimeSpan.Zero, "Reminders:BackstopPeriod must be positive.")
            .ValidateOnStart();
        services.AddHttpClient();
        services.AddHttpClient(HttpFulfillmentProvider.ClientName);
        services.AddSingleton<SandboxFulfillmentProvider>();
        services.AddSingleton<HttpFulfillmentProvider>();
        // TryAdd: a host (or a test) may bring its own provider or payout.
        services.TryAddSingleton<IFulfillmentProvider>(sp =>
            sp.GetRequiredService<IOptions<FulfillmentOptions>>().Value.Provider == FulfillmentProviderKind.Http
                ? sp.GetRequiredService<HttpFulfillmentProvider>()
                : sp.GetRequiredService<SandboxFulfillmentProvider>());
        services.TryAddSingleton<IBuybackPayout, LedgerBuybackPayout>();
        services.AddSingleton<CardPool>();

        foreach (var table in VmIndexTables.All)
            services.AddIndexTable(table);
        return services;
    }
}
