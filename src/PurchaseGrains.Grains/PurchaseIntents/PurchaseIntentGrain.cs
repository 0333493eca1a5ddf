using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// Thin shell around <see cref="PurchaseIntentState"/>: load, decide, persist, schedule. The listing's ledger
/// arbitrates races between payment, expiry and cancellation: whichever step reaches it first wins, and the other
/// reads the outcome instead of guessing. Reminders: the <see cref="IntentReminder"/> (payment polls while a card
/// intent is PENDING, then the expiry; at once for an intent sold at once, to fulfil it; also a watchdog for
/// unfinished work), and <c>fulfil</c> after a payment, or to retry a delivery.
/// </summary>
public sealed partial class PurchaseIntentGrain(
    [PersistentState("purchase_intent")] IPersistentState<PurchaseIntentState> state,
    IPaymentProvider payments,
    IPurchaseFulfillment fulfillment,
    ListingHoldQueue holds,
    ListingTerms terms,
    ListingReleaseQueue releases,
    ListingTrackQueue tracking,
    IOptions<PurchaseIntentOptions> options,
    IOptions<PaymentOptions> paymentOptions,
    ILogger<PurchaseIntentGrain> logger) : Grain, IPurchaseIntentGrain
{
    private const string FulfilReminder = "fulfil";

    private PurchaseIntentOptions Options => options.Value;

    /// <summary>Set when this turn's release or sale found the units moved by another step: count the intent once written.</summary>
    private bool _countAfterWrite;

    private PurchaseIntentState State => state.State;

    private bool Exists => state.RecordExists && !State.Abandoned;

    private IListingGrain Listing => GrainFactory.GetGrain<IListingGrain>(State.ListingId);

    public async Task<CreateIntentResult> Create(NewIntent request)
    {
        if (state.RecordExists)
            return State.Abandoned || State.Partner != request.Partner
                ? await GiveUpAbandonedAsync()
                : new CreateIntentResult(CreatedView(), null);

        var now = TimeProvider.GetUtcNow();
        var (snapshot, early) = await CheckTermsAsync(request, now);
        if (snapshot is null)
            return Refused(early!);

        // Reminders first: if this node dies after the hold, expiry still gives the units back. An intent sold at once
        // is due at once too: that first tick starts its fulfilment (or, if this creation died, waits for the expiry).
        var createdAt = UnixMicros.Truncate(now);
        var firstWake = request.Provider.TakesPayment() ? Options.PaymentPollInterval : TimeSpan.Zero;
        var reminder = IntentReminder.For(request.ListingId, createdAt + TimeSpan.FromSeconds(snapshot.Definition.Policy.TimeoutSeconds));
        await WakeNextAsync(reminder, firstWake);

        // The PaymentIntent is made while the hold is decided when the listing had units to spare at its last hold: it
        // shortens every creation, and one the hold refuses is cancelled before anyone has seen it.
        var earlyPayment = request.Provider.TakesPayment() && snapshot.QuantityRemaining >= request.Quantity
            ? CreatePaymentIntentAsync(request, snapshot.Definition)
            : null;
        var initialStatus = request.Provider.TakesPayment() ? IntentStatus.Pending : IntentStatus.Confirmed;
        var bucket = new IntentBucket(initialStatus, request.Provider, FulfillmentStatus.Pending, request.Buyer.Method).Key;
        var hold = await AlongsideAsync(earlyPayment, holds.HoldAsync(request.ListingId, new HoldRequest(request.IntentId, request.Partner,
            request.Provider, request.Buyer, request.Quantity, SellNow: !request.Provider.TakesPayment(), bucket)));
        if (hold.Refusal is not null || hold.Outcome is not (LedgerOutcome.Held or LedgerOutcome.Sold))
        {
            if (earlyPayment is not null)
                await payments.CancelAsync((await earlyPayment).Id, CancellationToken.None);
            await UnregisterReminder(reminder.Name);
            return Refused(hold.Refusal ?? PurchaseRefusal.Conflict("The purchase intent could not be created; retry"));
        }

        var listing = hold.Listing!;
        terms.Remember(listing);
        var definition = listing.Definition;
        var expiration = createdAt + TimeSpan.FromSeconds(definition.Policy.TimeoutSeconds);
        if (IntentReminder.For(request.ListingId, expiration) is var current && current != reminder)
        {
            // The terms this node had predate a PATCH of the timeout: the intent gets the listing's current one.
            await WakeNextAsync(current, firstWake);
            await UnregisterReminder(reminder.Name);
        }
        state.State = PurchaseIntentState.Open(request, definition, createdAt, expiration, bucket);
        if (request.Provider.TakesPayment())
        {
            var paymentIntent = await (earlyPayment ?? CreatePaymentIntentAsync(request, definition));
            State.StripePaymentIntentId = paymentIntent.Id;
            State.StripeClientSecret = paymentIntent.ClientSecret;
        }
        else
        {
            State.Confirm();
            if (State.FulfillmentMethod == FulfillmentMethod.Voucher)
                State.Voucher = Vouchers.Issue(request.IntentId, State);
        }
        await WriteAsync();
        return new CreateIntentResult(CreatedView(), null);
    }

    public async Task<PurchaseIntentView?> Get(string partner)
    {
        await RefreshUnlessSettledAsync();
        return Exists && State.IsVisibleTo(partner) ? State.ToView(PrimaryKey) : null;
    }

    public async Task<CancelOutcome> Cancel(string partner)
    {
        await RefreshUnlessSettledAsync();
        if (!Exists || !State.IsVisibleTo(partner))
            return CancelOutcome.NotFound;
        if (State.Status != IntentStatus.Pending)
            return CancelOutcome.NotPending;
        if (await PaidAtProviderAfterCancelAsync())
        {
            await ConfirmPaymentAsync();
            return CancelOutcome.NotPending;
        }
        if (await ReleaseAsync(IntentStatus.Cancelled) == LedgerOutcome.Sold)
        {
            await ConfirmSoldAsync();
            return CancelOutcome.NotPending;
        }
        State.Cancel();
        await WriteAsync();
        await UnregisterIntentReminderAsync();
        return CancelOutcome.Cancelled;
    }

    public async Task<PaymentEventOutcome> ApplyPaymentEvent(PaymentEvent paymentEvent)
    {
        await RefreshUnlessSettledAsync();
        if (!Exists || State.StripePaymentIntentId != paymentEvent.PaymentIntentId)
            return PaymentEventOutcome.UnknownPaymentIntent;
        if (paymentEvent.Kind == PaymentEventKind.Succeeded)
            await ConfirmPaymentAsync();
        else
            await RecordPaymentFailureAsync(paymentEvent.EventId, 0);
        return PaymentEventOutcome.Applied;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var reminder = IntentReminder.TryParse(reminderName);
        // A tick may land on a node whose cached copy missed a change (its notification lost while the change
        // listener reconnected): deciding "nothing to do" on a stale PENDING would drop a one-shot tick for good.
        if (reminder is null || !CachedCopyEndsInAWrite(reminder, status))
            await RefreshUnlessSettledAsync();
        if (reminder is not null)
        {
            if (reminder.IsExpiryAt(status.CurrentTickTime))
                await OnExpiryDueAsync(reminder.ListingId);
            else
                await OnPollAsync(reminder);
        }
        else if (reminderName == FulfilReminder)
            await OnFulfilAsync();
    }

    /// <summary>
    /// Ticks that need no read first: every way they end writes the intent, checked against the version this copy holds,
    /// so a stale copy makes that write conflict and the turn re-run on fresh state. They are the expiry of a PENDING
    /// intent, and the first tick of an intent sold at once, which fulfils it (deliveries are idempotent per intent,
    /// and only a failed attempt elsewhere could have moved it on: that copy would show attempts).
    /// </summary>
    private bool CachedCopyEndsInAWrite(IntentReminder reminder, TickStatus status) => Exists &&
        (reminder.IsExpiryAt(status.CurrentTickTime)
            ? State.Status == IntentStatus.Pending
            : !State.Provider.TakesPayment() && State is { Status: IntentStatus.Confirmed, FulfillmentStatus: FulfillmentStatus.Pending, FulfillmentAttempts: 0 });

    private async Task OnExpiryDueAsync(string listingId)
    {
        if (!state.RecordExists || State.Abandoned)
        {
            await AbandonAsync(listingId);
            return;
        }
        if (State.Status == IntentStatus.Pending)
        {
            if (await PaidAtProviderAfterCancelAsync())
            {
                await ConfirmPaymentAsync();
                return;
            }
            if (await ReleaseAsync(IntentStatus.Expired) == LedgerOutcome.Sold)
            {
                await ConfirmSoldAsync();
                return;
            }
            State.Expire();
            await WriteAsync();
            // The reminder is one-shot, so the poller deletes it when this tick completes (batched with other
            // completed ticks), and a redelivered tick finds the intent EXPIRED and does nothing.
            LogExpired(PrimaryKey);
            return;
        }
        await OnFulfilAsync();
    }

    /// <summary>
    /// A tick before the expiration: ask the provider, and wake again at the next poll or the expiry. The first tick
    /// of an intent sold at once fulfils it.
    /// </summary>
    private async Task OnPollAsync(IntentReminder reminder)
    {
        if (!state.RecordExists)
        {
            // Being created right now (on another node), or never: look again later; the expiry settles which.
            await WakeNextAsync(reminder, Options.PaymentPollInterval);
            return;
        }
        if (State.Abandoned || State.Status != IntentStatus.Pending)
        {
            await OnFulfilAsync();
            return;
        }
        var paymentIntent = State.StripePaymentIntentId is { } id ? await payments.GetAsync(id, CancellationToken.None) : null;
        if (paymentIntent?.Status == PaymentIntentStatus.Succeeded)
            await ConfirmPaymentAsync();
        else if (paymentIntent is { FailedAttempts: > 0 })
            await RecordPaymentFailureAsync(null, paymentIntent.FailedAttempts);
        if (State.Status == IntentStatus.Pending)
            await WakeNextAsync(reminder, Options.PaymentPollInterval);
    }

    /// <summary>(Re)schedules the intent's reminder for its next poll, or for the expiry when that comes first.</summary>
    private Task WakeNextAsync(IntentReminder reminder, TimeSpan? pollInterval)
    {
        var now = TimeProvider.GetUtcNow();
        return RegisterOrUpdateReminder(reminder.Name, reminder.NextDue(now, pollInterval) - now, TimeSpan.Zero);
    }

    private async Task OnFulfilAsync()
    {
        if (!Exists || !State.NeedsFulfillment)
            return;
        var order = new FulfillmentOrder(PrimaryKey, State.Partner, State.FulfillmentMethod, State.Quantity, State.Email,
            State.EthAddress, State.ItemId, State.CollectionId);
        Exception? failure = null;
        FulfillmentAssignment? assignment = null;
        try
        {
            if (State.FulfillmentStatus == FulfillmentStatus.Pending)
                assignment = await fulfillment.AssignAsync(order, CancellationToken.None);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        // Not written yet: both steps are idempotent per intent, so a delivery that completes now is stored once,
        // as COMPLETED with its assignment; ASSIGNED is stored only when the delivery has to be tried again.
        if (assignment is not null)
            State.Assign(assignment.ItemClaimIds, assignment.TransactionIds);
        if (failure is null)
        {
            try
            {
                await fulfillment.DeliverAsync(order, CancellationToken.None);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }
        if (failure is null)
        {
            State.CompleteFulfillment();
            await WriteAsync();
            return;
        }

        State.FulfillmentAttempts++;
        LogFulfillmentFailed(failure, PrimaryKey, State.FulfillmentAttempts);
        if (State.FulfillmentAttempts >= Options.FulfillmentMaxAttempts)
            State.FailFulfillment($"Fulfilment failed {State.FulfillmentAttempts} times: {failure.Message}");
        await WriteAsync();
        if (State.NeedsFulfillment)
            await RegisterOrUpdateReminder(FulfilReminder, Options.FulfillmentRetryDelay, TimeSpan.Zero);
    }

    /// <summary>Money arrived: sell the held units, unless expiry or cancellation gave them back first.</summary>
    private async Task ConfirmPaymentAsync()
    {
        switch (State.Status)
        {
            case IntentStatus.Pending when await SellAsync() == LedgerOutcome.Sold:
                await ConfirmSoldAsync();
                break;
            case IntentStatus.Pending:
                State.Unresolve("Payment succeeded after the hold was released");
                await WriteAsync();
                break;
            case IntentStatus.Expired or IntentStatus.Cancelled:
                State.Unresolve($"Payment succeeded after the intent was {State.Status.ToWire()}");
                await WriteAsync();
                LogLatePayment(PrimaryKey);
                break;
        }
    }

    /// <summary>The listing says these units are sold: the intent is CONFIRMED and fulfilment starts.</summary>
    private async Task ConfirmSoldAsync()
    {
        if (!State.Confirm())
            return;
        await WriteAsync();
        await RegisterOrUpdateReminder(FulfilReminder, TimeSpan.Zero, TimeSpan.Zero);
    }

    private async Task RecordPaymentFailureAsync(string? eventId, int providerFailedAttempts)
    {
        var verdict = State.RecordFailure(eventId, providerFailedAttempts, Options.PaymentFailureBudget);
        if (verdict == FailureVerdict.Unchanged)
            return;
        if (verdict == FailureVerdict.BudgetExhausted)
        {
            if (await ReleaseAsync(IntentStatus.Unresolved) == LedgerOutcome.Sold)
            {
                await ConfirmSoldAsync();
                return;
            }
            State.Unresolve($"Payment failed {State.PaymentFailures} times");
            await WriteAsync();
            await UnregisterIntentReminderAsync();
            return;
        }
        await WriteAsync();
    }

    /// <summary>Releases the hold; when released, the listing counts the intent as <paramref name="becomes"/> at once.</summary>
    private async Task<LedgerOutcome> ReleaseAsync(IntentStatus becomes)
    {
        var bucket = (State.Bucket with { Status = becomes }).Key;
        var answer = await releases.ReleaseAsync(State.ListingId, new ReleaseRequest(PrimaryKey, IncludeSold: false, bucket));
        CountedIn(bucket, answer);
        return answer.Outcome;
    }

    /// <summary>Sells the held units; when sold, the listing counts the intent as CONFIRMED at once.</summary>
    private async Task<LedgerOutcome> SellAsync()
    {
        var bucket = (State.Bucket with { Status = IntentStatus.Confirmed, FulfillmentStatus = FulfillmentStatus.Pending }).Key;
        var answer = await Listing.Sell(PrimaryKey, bucket);
        CountedIn(bucket, answer);
        return answer.Outcome;
    }

    /// <summary>
    /// When this step moved the units, the listing counts the intent in <paramref name="bucket"/> already. When another
    /// step had moved them, the listing counts it where that step put it (and maybe later moved it: a fulfilment), and
    /// this turn may be acting on a stale copy. Then the intent is counted only once this turn's write has won: a turn
    /// whose write conflicts re-runs on fresh state and leaves no count of its own behind.
    /// </summary>
    private void CountedIn(string bucket, LedgerAnswer answer)
    {
        if (answer.MovedNow)
            State.CountedBucket = bucket;
        else
            _countAfterWrite = true;
    }

    /// <summary>
    /// Persists the intent, first moving its count on the listing if its bucket changed (a re-run after a failed
    /// write moves it again, idempotently, so the count follows the state that was finally written). After a ledger
    /// step that another had taken first, the count moves after the write instead (<see cref="CountedIn"/>).
    /// </summary>
    private async Task WriteAsync()
    {
        var bucket = State.Bucket.Key;
        if (State.CountedBucket != bucket && !_countAfterWrite)
            await tracking.TrackAsync(State.ListingId, new TrackRequest(PrimaryKey, bucket));
        State.CountedBucket = bucket;
        await state.WriteStateAsync();
        if (_countAfterWrite)
        {
            _countAfterWrite = false;
            await tracking.TrackAsync(State.ListingId, new TrackRequest(PrimaryKey, bucket));
        }
    }

    /// <summary>Cancels the provider's PaymentIntent; true when it had already succeeded (then it cannot be cancelled).</summary>
    private async Task<bool> PaidAtProviderAfterCancelAsync()
    {
        if (State.StripePaymentIntentId is not { } paymentIntentId)
            return false;
        var paymentIntent = await payments.CancelAsync(paymentIntentId, CancellationToken.None);
        return paymentIntent?.Status == PaymentIntentStatus.Succeeded;
    }

    /// <summary>
    /// The expiry came and the intent was never written: its creation died (or is very late). Mark it abandoned
    /// first (a creation that commits meanwhile makes this write lose and the turn re-run on the real intent),
    /// then give back whatever it held, sold units included.
    /// </summary>
    private async Task AbandonAsync(string listingId)
    {
        if (!state.RecordExists)
        {
            state.State = new PurchaseIntentState { Abandoned = true, ListingId = listingId };
            await state.WriteStateAsync();
        }
        await releases.ReleaseAsync(State.ListingId, new ReleaseRequest(PrimaryKey, IncludeSold: true, BucketIfReleased: null));
    }

    private async Task<CreateIntentResult> GiveUpAbandonedAsync()
    {
        if (State.Abandoned)
            await releases.ReleaseAsync(State.ListingId, new ReleaseRequest(PrimaryKey, IncludeSold: true, BucketIfReleased: null));
        return Refused(PurchaseRefusal.Conflict("The purchase intent could not be created; retry"));
    }

    private Task UnregisterIntentReminderAsync() =>
        UnregisterReminder(IntentReminder.For(State.ListingId, State.Expiration).Name);

    private async Task RefreshUnlessSettledAsync()
    {
        if (!StateReadForThisTurn && (!state.RecordExists || !State.IsSettled))
            await state.ReadStateAsync();
    }

    private CreatedIntentView CreatedView()
    {
        object data = State switch
        {
            { StripePaymentIntentId: { } id, StripeClientSecret: { } secret } => new StripeIntentData(
                paymentOptions.Value.Stripe.AccountId, secret, id, SandboxPaymentIntentGrain.Mode,
                new ProviderPrice(State.Currency, State.Price), paymentOptions.Value.Stripe.PublishableKey),
            { Voucher: { } voucher } => voucher,
            _ => new Dictionary<string, object>(),
        };
        return new CreatedIntentView(PrimaryKey, State.Expiration, data);
    }

    /// <summary>Price and currency never change after a listing is created, so any copy of its terms gives the amount.</summary>
    private Task<PaymentIntentSnapshot> CreatePaymentIntentAsync(NewIntent request, ListingDefinition definition) =>
        payments.CreateAsync(new CreatePaymentIntent(request.IntentId, request.Partner, definition.PriceFor(request.Quantity),
            definition.Currency.ToWire(), new Dictionary<string, string> { [StripeEvent.PurchaseIntentMetadataKey] = request.IntentId }),
            CancellationToken.None);

    /// <summary>Awaits <paramref name="main"/>; when it fails, also waits for <paramref name="sideline"/> so that no call is left behind unobserved.</summary>
    private static async Task<T> AlongsideAsync<T>(Task? sideline, Task<T> main)
    {
        try
        {
            return await main;
        }
        catch when (sideline is not null)
        {
            await Task.WhenAny(sideline);
            _ = sideline.Exception;
            throw;
        }
    }

    /// <summary>
    /// The listing's terms, or why they rule the request out. Refuses only on freshly read terms (this node's copy may
    /// predate a PATCH); quantity is left to the hold, which decides on fresh state.
    /// </summary>
    private async Task<(ListingSnapshot? Terms, PurchaseRefusal? Refusal)> CheckTermsAsync(NewIntent request, DateTimeOffset now)
    {
        var snapshot = await terms.GetAsync(request.ListingId, request.Partner, fresh: false);
        if (snapshot is not null && EarlyRefusal(snapshot, request, now) is not null)
            snapshot = await terms.GetAsync(request.ListingId, request.Partner, fresh: true);
        if (snapshot is null)
            return (null, PurchaseRefusal.NotFound("Listing not found"));
        return EarlyRefusal(snapshot, request, now) is { } refusal ? (null, refusal) : (snapshot, null);
    }

    private static PurchaseRefusal? EarlyRefusal(ListingSnapshot listing, NewIntent request, DateTimeOffset now) =>
        PurchaseRules.Check(listing with { QuantityRemaining = long.MaxValue }, request.Provider, request.Buyer, request.Quantity, null, now);

    private static CreateIntentResult Refused(PurchaseRefusal refusal) => new(null, refusal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase intent {IntentId} expired; its hold was released")]
    private partial void LogExpired(string intentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase intent {IntentId} was paid after it ended; it is UNRESOLVED")]
    private partial void LogLatePayment(string intentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fulfilment of purchase intent {IntentId} failed (attempt {Attempt})")]
    private partial void LogFulfillmentFailed(Exception exception, string intentId, int attempt);
}
