using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.Shipping.Carrier;

namespace PurchaseGrains.Grains.Shipping;

public static class ShippingRegistration
{
    /// <summary>Options (<c>Shipping:</c>) and the configured carrier provider.</summary>
    public static IServiceCollection AddShippingGrains(this IServiceCollection services)
    {
        services.AddOptions<ShippingOptions>().BindConfiguration("Shipping")
            .Validate(o => o.Provider != CarrierProviderKind.Http || o.BaseUrl is { IsAbsoluteUri: true },
                "Shipping:BaseUrl (absolute) is required when Shipping:Provider is Http.")
            .Validate(o => o.QuoteTtl > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero && o.RecoveryDelay > TimeSpan.Zero
                    && o.RequestTimeout > TimeSpan.Zero,
                "Shipping: QuoteTtl, PollInterval, RecoveryDelay and RequestTimeout must be positive.")
            .Validate(o => o.Sandbox.IsOrdered,
                "Shipping:Sandbox: ProcessingAfter <= ShippedAfter <= DeliveredAfter, none negative.")
            .ValidateOnStart();
        services.AddHttpClient(HttpCarrier.ClientName);
        services.AddSingleton<SandboxCarrier>();
        services.AddSingleton<HttpCarrier>();
        // TryAdd: a host (or a test) may bring its own carrier.
        services.TryAddSingleton<ICarrierProvider>(sp =>
            sp.GetRequiredService<IOptions<ShippingOptions>>().Value.Provider == CarrierProviderKind.Http
                ? sp.GetRequiredService<HttpCarrier>()
                : sp.GetRequiredService<SandboxCarrier>());
        return services;
    }
}
