using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Grains.PurchaseIntents;

public sealed record CreateIntentResult(CreatedIntentView? Created, PurchaseRefusal? Refusal);

public enum CancelOutcome { Cancelled, NotFound, NotPending }

public enum PaymentEventOutcome { Applied, UnknownPaymentIntent }

/// <summary>One purchase intent (key: intent id): owns its lifecycle, its hold on the listing, its reminders.</summary>
public interface IPurchaseIntentGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Holds the listing's units and creates the intent; a repeated call answers the first creation.</summary>
    Task<CreateIntentResult> Create(NewIntent request);

    /// <summary>Null when unknown to this partner.</summary>
    Task<PurchaseIntentView?> Get(string partner);

    Task<CancelOutcome> Cancel(string partner);

    /// <summary>A verified provider webhook event about this intent's PaymentIntent.</summary>
    Task<PaymentEventOutcome> ApplyPaymentEvent(PaymentEvent paymentEvent);
}
