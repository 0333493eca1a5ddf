using Orleans;
namespace PurchaseGrains.Grains.Payments;

/// <summary>Provider-side status of a PaymentIntent, in Stripe's words.</summary>
[GenerateSerializer, Alias("pay.PaymentIntentStatus")]
public enum PaymentIntentStatus { RequiresPaymentMethod, Succeeded, Canceled }

[GenerateSerializer, Immutable, Alias("pay.PaymentIntentSnapshot")]
public sealed record PaymentIntentSnapshot(
    string Id,
    string ClientSecret,
    long Amount,
    string Currency,
    PaymentIntentStatus Status,
    int FailedAttempts,
    string Mode,
    IReadOnlyDictionary<string, string> Metadata);

/// <param name="IdempotencyKey">The purchase intent id: creating twice returns the first PaymentIntent.</param>
[GenerateSerializer, Immutable, Alias("pay.CreatePaymentIntent")]
public sealed record CreatePaymentIntent(string IdempotencyKey, string Partner, long Amount, string Currency,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>The card-payment provider (<c>Payments:Provider</c>). Every call is idempotent.</summary>
public interface IPaymentProvider
{
    Task<PaymentIntentSnapshot> CreateAsync(CreatePaymentIntent request, CancellationToken cancellationToken);

    Task<PaymentIntentSnapshot?> GetAsync(string paymentIntentId, CancellationToken cancellationToken);

    /// <summary>Cancels unless it already succeeded; answers the status after the attempt.</summary>
    Task<PaymentIntentSnapshot?> CancelAsync(string paymentIntentId, CancellationToken cancellationToken);
}
