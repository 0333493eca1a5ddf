using Orleans;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.Payments;

/// <summary><c>Payments:Provider = Sandbox</c>: PaymentIntents kept by this service, one grain each.</summary>
public sealed class SandboxPaymentProvider(IGrainFactory grains, MintedStateRows minted) : IPaymentProvider
{
    public Task<PaymentIntentSnapshot> CreateAsync(CreatePaymentIntent request, CancellationToken cancellationToken)
    {
        // Derived from the purchase intent's id, which its creation has just minted: no PaymentIntent can have it yet.
        var id = SandboxPaymentIntentGrain.IdFor(request.Partner, request.IdempotencyKey);
        minted.Add(new StateRowId(SandboxPaymentIntentGrain.TypeName, id));
        return grains.GetGrain<ISandboxPaymentIntentGrain>(id).Create(request);
    }

    public Task<PaymentIntentSnapshot?> GetAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(paymentIntentId) ? Task.FromResult<PaymentIntentSnapshot?>(null)
            : grains.GetGrain<ISandboxPaymentIntentGrain>(paymentIntentId).Get();

    public Task<PaymentIntentSnapshot?> CancelAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        grains.GetGrain<ISandboxPaymentIntentGrain>(paymentIntentId).Cancel();
}
