using PurchaseGrains.Grains.Payments;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>Holds every PaymentIntent cancellation (the first step of an expiry) until released, counting those held.</summary>
public sealed class HeldCancellations
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public Task FirstHeld => _held.Task;

    /// <summary>Cancellations that have reached the provider so far.</summary>
    public int Count => Volatile.Read(ref _count);

    public Task HoldAsync()
    {
        Interlocked.Increment(ref _count);
        _held.TrySetResult();
        return _released.Task;
    }

    public void Release() => _released.TrySetResult();
}

/// <summary>The sandbox provider, with its cancellations held by <see cref="HeldCancellations"/>.</summary>
public sealed class HeldCancellationProvider(IPaymentProvider inner, HeldCancellations gate) : IPaymentProvider
{
    public Task<PaymentIntentSnapshot> CreateAsync(CreatePaymentIntent request, CancellationToken cancellationToken) =>
        inner.CreateAsync(request, cancellationToken);

    public Task<PaymentIntentSnapshot?> GetAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        inner.GetAsync(paymentIntentId, cancellationToken);

    public async Task<PaymentIntentSnapshot?> CancelAsync(string paymentIntentId, CancellationToken cancellationToken)
    {
        await gate.HoldAsync();
        return await inner.CancelAsync(paymentIntentId, cancellationToken);
    }
}
