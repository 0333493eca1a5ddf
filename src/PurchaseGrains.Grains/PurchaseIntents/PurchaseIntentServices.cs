using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

public static class PurchaseIntentServices
{
    /// <summary>Listings, purchase intents, the payment provider and the fulfilment they use.</summary>
    public static IServiceCollection AddPurchaseIntentGrains(this IServiceCollection services)
    {
        services.AddOptions<PurchaseIntentOptions>().BindConfiguration(PurchaseIntentOptions.Section)
            .Validate(o => o.PaymentPollInterval > TimeSpan.Zero && o.PaymentFailureBudget >= 1 && o.FulfillmentMaxAttempts >= 1
                    && o.ExpiriesAtOnce >= 1,
                "PurchaseIntents: PaymentPollInterval must be positive, PaymentFailureBudget, FulfillmentMaxAttempts and ExpiriesAtOnce at least 1")
            .ValidateOnStart();
        services.AddOptions<PaymentOptions>().BindConfiguration(PaymentOptions.Section);

        services.AddIndexTable(ListingTables.Listings);
        services.AddIndexTable(ListingTables.Holds);
        services.AddIndexTable(PurchaseIntentIndex.Table);
        services.AddIndexTable(PurchaseIntentIndex.Counts);

        services.TryAddSingleton<ListingHoldQueue>();
        services.TryAddSingleton<ListingTerms>();
        services.TryAddSingleton<ListingReleaseQueue>();
        services.TryAddSingleton<ListingTrackQueue>();
        services.TryAddSingleton<MintedStateRows>();
        services.TryAddSingleton<ExpiryGate>();
        services.TryAddSingleton<IPaymentProvider, SandboxPaymentProvider>();
        services.TryAddSingleton<IPurchaseFulfillment, SandboxPurchaseFulfillment>();
        return services;
    }
}
