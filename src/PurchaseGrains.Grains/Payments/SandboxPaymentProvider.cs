using Orleans;

namespace PurchaseGrains.Grains.Payments;

/// <summary><c>Payments:Provider = Sandbox</c>: PaymentIntents kept by this service, one grain each.</summary>
public sealed class SandboxPaymentProvider(IGrainFactory grains) : IPaymentProvider
{
    public Task<PaymentIntentSnapshot> CreateAsync(CreatePaymentIntent request, CancellationToken cancellationToken) =>
        // Derived from the intent's just-generated id: new unless this intent's creation is being re-run.
        grains.GetGrain<ISandboxPaymentIntentGrain>(SandboxPaymentIntentGrain.IdFor(request.Partner, request.IdempotencyKey)).Create(request);

    public Task<PaymentIntentSnapshot?> GetAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(paymentIntentId) ? Task.FromResult<PaymentIntentSnapshot?>(null)
            : grains.GetGrain<ISandboxPaymentIntentGrain>(paymentIntentId).Get();

    public Task<PaymentIntentSnapshot?> CancelAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        grains.GetGrain<ISandboxPaymentIntentGrain>(paymentIntentId).Cancel();
}
