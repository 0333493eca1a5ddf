using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

public enum FailureVerdict { Unchanged, Counted, BudgetExhausted }

/// <summary>
/// A purchase intent and its two state machines. <c>status</c>: PENDING → CONFIRMED | EXPIRED | CANCELLED,
/// PENDING | EXPIRED (| CANCELLED) → UNRESOLVED. <c>fulfillment_status</c>: PENDING → ASSIGNED → COMPLETED, any
/// unfinished step → EXCEPTION, and only once CONFIRMED. Each transition guards the current state and answers
/// whether it changed anything, so a repeated event is a no-op.
/// </summary>
public sealed class PurchaseIntentState : IIndexedState
{
    /// <summary>A creation that never finished: the intent does not exist for callers; its hold was given back.</summary>
    public bool Abandoned { get; set; }

    public string Partner { get; set; } = "";
    public string ListingId { get; set; } = "";
    public string? ItemId { get; set; }
    public string? CollectionId { get; set; }
    public PaymentProvider Provider { get; set; }
    public string? Email { get; set; }
    public string? EthAddress { get; set; }
    public string BuyerKey { get; set; } = "";
    public FulfillmentMethod FulfillmentMethod { get; set; }
    public int Quantity { get; set; }
    public string Currency { get; set; } = "";
    public long Price { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset Expiration { get; set; }
    public IntentStatus Status { get; set; }
    public FulfillmentStatus FulfillmentStatus { get; set; }
    public string? StripePaymentIntentId { get; set; }
    public string? StripeClientSecret { get; set; }
    public VoucherData? Voucher { get; set; }
    public List<string>? ItemClaimIds { get; set; }
    public List<string>? TransactionIds { get; set; }

    /// <summary>Ids of payment_failed events applied (at most the failure budget), so a redelivered one counts once.</summary>
    public List<string> FailureEventIds { get; set; } = [];

    /// <summary>Failed attempts the provider reported when polled.</summary>
    public int ProviderFailedAttempts { get; set; }

    /// <summary>The bucket the listing counts this intent in, as last told (see <see cref="IntentBucket"/>).</summary>
    public string? CountedBucket { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public IntentBucket Bucket => new(Status, Provider, FulfillmentStatus, FulfillmentMethod);

    public int FulfillmentAttempts { get; set; }
    public string? Note { get; set; }

    /// <summary>The id of the request that cancelled the intent (<see cref="Cancel"/>).</summary>
    public string? CancelledBy { get; set; }

    /// <summary>A new intent, PENDING, on the listing terms its hold answered with; counted in <paramref name="bucket"/>.</summary>
    public static PurchaseIntentState Open(NewIntent request, Listings.ListingDefinition definition, DateTimeOffset createdAt,
        DateTimeOffset expiration, string bucket) => new()
    {
        Partner = request.Partner,
        ListingId = request.ListingId,
        ItemId = definition.ItemId,
        CollectionId = definition.CollectionId,
        Provider = request.Provider,
        Email = request.Buyer.Email,
        EthAddress = request.Buyer.EthAddress,
        BuyerKey = request.Buyer.Key,
        FulfillmentMethod = request.Buyer.Method,
        Quantity = request.Quantity,
        Currency = definition.Currency.ToWire(),
        Price = definition.PriceFor(request.Quantity),
        CreatedAt = createdAt,
        Expiration = expiration,
        Status = IntentStatus.Pending,
        FulfillmentStatus = FulfillmentStatus.Pending,
        CountedBucket = bucket,
    };

    public bool IsVisibleTo(string partner) => !Abandoned && Partner == partner;

    [System.Text.Json.Serialization.JsonIgnore]
    public int PaymentFailures => Math.Max(FailureEventIds.Count, ProviderFailedAttempts);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool NeedsFulfillment =>
        Status == IntentStatus.Confirmed && FulfillmentStatus is FulfillmentStatus.Pending or FulfillmentStatus.Assigned;

    /// <summary>Nothing about the intent can change any more: a cached copy is as good as a fresh read.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSettled => Abandoned
        || Status is IntentStatus.Expired or IntentStatus.Cancelled or IntentStatus.Unresolved
        || (Status == IntentStatus.Confirmed && !NeedsFulfillment);

    public bool Confirm()
    {
        if (Status != IntentStatus.Pending)
            return false;
        Status = IntentStatus.Confirmed;
        FulfillmentStatus = FulfillmentStatus.Pending;
        return true;
    }

    public bool Expire() => Move(IntentStatus.Pending, IntentStatus.Expired);

    /// <summary>Cancels a PENDING intent, remembering which request did (<paramref name="by"/>) so that request can run again.</summary>
    public bool Cancel(string by)
    {
        if (!Move(IntentStatus.Pending, IntentStatus.Cancelled))
            return false;
        CancelledBy = by;
        return true;
    }

    /// <summary>The DELETE that cancelled this intent, when it was one: its run after a handover answers as the first did.</summary>
    public bool WasCancelledBy(string request) => Status == IntentStatus.Cancelled && CancelledBy == request;

    /// <summary>Needs a person: a payment that failed past the budget, or money that arrived after the hold was gone.</summary>
    public bool Unresolve(string reason)
    {
        if (Status is not (IntentStatus.Pending or IntentStatus.Expired or IntentStatus.Cancelled))
            return false;
        Status = IntentStatus.Unresolved;
        Note = reason;
        return true;
    }

    /// <summary>Counts a failed attempt (by event id, or the provider's own count when polled) while PENDING.</summary>
    public FailureVerdict RecordFailure(string? eventId, int providerFailedAttempts, int budget)
    {
        if (Status != IntentStatus.Pending)
            return FailureVerdict.Unchanged;
        var before = PaymentFailures;
        if (eventId is not null && !FailureEventIds.Contains(eventId))
            FailureEventIds.Add(eventId);
        ProviderFailedAttempts = Math.Max(ProviderFailedAttempts, providerFailedAttempts);
        if (PaymentFailures == before)
            return FailureVerdict.Unchanged;
        return PaymentFailures >= budget ? FailureVerdict.BudgetExhausted : FailureVerdict.Counted;
    }

    public bool Assign(IReadOnlyList<string>? itemClaimIds, IReadOnlyList<string>? transactionIds)
    {
        if (Status != IntentStatus.Confirmed || FulfillmentStatus != FulfillmentStatus.Pending)
            return false;
        ItemClaimIds = itemClaimIds?.ToList();
        TransactionIds = transactionIds?.ToList();
        FulfillmentStatus = FulfillmentStatus.Assigned;
        return true;
    }

    public bool CompleteFulfillment()
    {
        if (Status != IntentStatus.Confirmed || FulfillmentStatus != FulfillmentStatus.Assigned)
            return false;
        FulfillmentStatus = FulfillmentStatus.Completed;
        return true;
    }

    public bool FailFulfillment(string reason)
    {
        if (!NeedsFulfillment)
            return false;
        FulfillmentStatus = FulfillmentStatus.Exception;
        Note = reason;
        return true;
    }

    public PurchaseIntentView ToView(string id) => new(
        id, CreatedAt, Email, EthAddress, Expiration, FulfillmentMethod.ToWire(), FulfillmentStatus.ToWire(),
        ItemClaimIds, ListingId, ItemId, CollectionId, Quantity, Provider.ToWire(), new ProviderPrice(Currency, Price),
        Status.ToWire(), StripePaymentIntentId, TransactionIds);

    public IEnumerable<IndexRow> GetIndexRows(StateRowId grainId)
    {
        if (Abandoned)
            return [];
        return [PurchaseIntentIndex.Row(grainId.Key, this)];
    }

    private bool Move(IntentStatus from, IntentStatus to)
    {
        if (Status != from)
            return false;
        Status = to;
        return true;
    }
}
