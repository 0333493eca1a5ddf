using PurchaseGrains.Runtime.Hosting;

namespace PurchaseGrains.Silo.Idempotency;

public static class IdempotencyRegistration
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services) =>
        services.AddGrain<IIdempotencyGrain, IdempotencyGrain>("idempotency");
}
