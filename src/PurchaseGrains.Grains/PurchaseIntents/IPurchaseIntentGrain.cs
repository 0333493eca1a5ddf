using PurchaseGrains.Grains.Payments;
using Orleans;

namespace PurchaseGrains.Grains.PurchaseIntents;

[GenerateSerializer, Immutable, Alias("pi.CreateIntentResult")]
public sealed record CreateIntentResult(CreatedIntentView? Created, PurchaseRefusal? Refusal);

[GenerateSerializer, Alias("pi.CancelOutcome")]
public enum CancelOutcome { Cancelled, NotFound, NotPending }

[GenerateSerializer, Alias("pi.PaymentEventOutcome")]
public enum PaymentEventOutcome { Applied, UnknownPaymentIntent }

/// <summary>One purchase intent (key: intent id): owns its lifecycle, its hold on the listing, its timer and reminder.</summary>
[Alias("pi.IPurchaseIntentGrain")]
public interface IPurchaseIntentGrain : IGrainWithStringKey
{
    /// <summary>Holds the listing's units and creates the intent; a repeated call answers the first creation.</summary>
    Task<CreateIntentResult> Create(NewIntent request);

    /// <summary>Null when unknown to this partner.</summary>
    Task<PurchaseIntentView?> Get(string partner);

    /// <param name="requestId">Unique to the DELETE: when it runs again after a handover, it gets the answer of its first run.</param>
    Task<CancelOutcome> Cancel(string partner, string requestId);

    /// <summary>A verified provider webhook event about this intent's PaymentIntent.</summary>
    Task<PaymentEventOutcome> ApplyPaymentEvent(PaymentEvent paymentEvent);
}
