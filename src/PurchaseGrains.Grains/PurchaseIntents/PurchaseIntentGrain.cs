using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// Thin shell around <see cref="PurchaseIntentState"/>: load, decide, persist, schedule. The listing's ledger
/// arbitrates between payment, expiry and cancellation: whichever step reaches it first wins, and the other reads the
/// outcome instead of guessing.
/// While the intent has work left (PENDING, or a fulfilment to finish) one grain timer wakes it at the exact time of
/// its next step: the next payment poll, the expiration, a fulfilment retry. Its <see cref="IntentReminder"/>, due at
/// the expiration and then every <see cref="ReminderBackstopOptions.BackstopPeriod"/>, is the durable backstop that
/// reactivates it after a crash (activation re-arms the timer from state); a settled intent drops both.
/// Activated on the silo that took the creation request: no hop to another silo, and the key it minted there is
/// known to be new (<see cref="MintedStateRows"/>).
/// </summary>
[GrainType(TypeName), PreferLocalPlacement]
public sealed partial class PurchaseIntentGrain(
    [PersistentState("purchase_intent", GrainStores.Main)] IPersistentState<PurchaseIntentState> state,
    IPaymentProvider payments,
    IPurchaseFulfillment fulfillment,
    ListingHoldQueue holds,
    ListingTerms terms,
    ListingReleaseQueue releases,
    ListingTrackQueue tracking,
    ExpiryGate expiries,
    IOptions<PurchaseIntentOptions> options,
    IOptions<PaymentOptions> paymentOptions,
    IOptions<ReminderBackstopOptions> backstop,
    TimeProvider time,
    ILogger<PurchaseIntentGrain> logger) : Grain, IPurchaseIntentGrain, IRemindable
{
    public const string TypeName = "purchase_intent";

    private PurchaseIntentOptions Options => options.Value;

    /// <summary>Set when this turn's release or sale found the units moved by another step: count the intent once written.</summary>
    private bool _countAfterWrite;

    private IGrainTimer? _wake;
    private IGrainReminder? _reminder;

    /// <summary>This activation removed the backstop: a tick already on its way is stale and needs no lookup.</summary>
    private bool _backstopDropped;

    /// <summary>When the next payment poll or fulfilment retry is due (in memory: after a reactivation, at once).</summary>
    private DateTimeOffset _nextStepAt;

    private PurchaseIntentState State => state.State;

    private bool Exists => state.RecordExists && !State.Abandoned;

    private string PrimaryKey => this.GetPrimaryKeyString();

    private IListingGrain Listing => GrainFactory.GetGrain<IListingGrain>(State.ListingId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ScheduleNextStep();
        return Task.CompletedTask;
    }

    public async Task<CreateIntentResult> Create(NewIntent request)
    {
        if (state.RecordExists)
            return State.Abandoned || State.Partner != request.Partner
                ? await GiveUpAbandonedAsync()
                : new CreateIntentResult(CreatedView(), null);

        var now = time.GetUtcNow();
        var (snapshot, early) = await CheckTermsAsync(request, now);
        if (snapshot is null)
            return Refused(early!);

        // The reminder first: if this silo dies after the hold, the expiry still gives the units back elsewhere.
        var createdAt = UnixMicros.Truncate(now);
        var reminder = IntentReminder.For(request.ListingId, createdAt + TimeSpan.FromSeconds(snapshot.Definition.Policy.TimeoutSeconds));
        await RegisterBackstopAsync(reminder, request.Provider);

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
            await DropBackstopAsync();
            return Refused(hold.Refusal ?? PurchaseRefusal.Conflict("The purchase intent could not be created; retry"));
        }

        var listing = hold.Listing!;
        terms.Remember(listing);
        var definition = listing.Definition;
        var expiration = createdAt + TimeSpan.FromSeconds(definition.Policy.TimeoutSeconds);
        if (IntentReminder.For(request.ListingId, expiration) is var current && current != reminder)
        {
            // The terms this silo had predate a PATCH of the timeout: the intent gets the listing's current one.
            var stale = _reminder;
            await RegisterBackstopAsync(current, request.Provider);
            if (stale is not null)
                await this.UnregisterReminder(stale);
        }
        state.State = PurchaseIntentState.Open(request, definition, createdAt, expiration, bucket);
        if (request.Provider.TakesPayment())
        {
            var paymentIntent = await (earlyPayment ?? CreatePaymentIntentAsync(request, definition));
            State.StripePaymentIntentId = paymentIntent.Id;
            State.StripeClientSecret = paymentIntent.ClientSecret;
            _nextStepAt = now + Options.PaymentPollInterval;
        }
        else
        {
            State.Confirm();
            if (State.FulfillmentMethod == FulfillmentMethod.Voucher)
                State.Voucher = Vouchers.Issue(request.IntentId, State);
        }
        await WriteAsync();
        // An intent sold at once is fulfilled on the timer's first tick, just after this answer.
        ScheduleNextStep();
        return new CreateIntentResult(CreatedView(), null);
    }

    public async Task<PurchaseIntentView?> Get(string partner)
    {
        await ExpireIfDueAsync();
        return Exists && State.IsVisibleTo(partner) ? State.ToView(PrimaryKey) : null;
    }

    public async Task<CancelOutcome> Cancel(string partner, string requestId)
    {
        await ExpireIfDueAsync();
        if (!Exists || !State.IsVisibleTo(partner))
            return CancelOutcome.NotFound;
        if (State.WasCancelledBy(requestId))
            return CancelOutcome.Cancelled;
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
        State.Cancel(requestId);
        await WriteAsync();
        await SettleIfDoneAsync();
        return CancelOutcome.Cancelled;
    }

    public async Task<PaymentEventOutcome> ApplyPaymentEvent(PaymentEvent paymentEvent)
    {
        await ExpireIfDueAsync();
        if (!Exists || State.StripePaymentIntentId != paymentEvent.PaymentIntentId)
            return PaymentEventOutcome.UnknownPaymentIntent;
        if (paymentEvent.Kind == PaymentEventKind.Succeeded)
            await ConfirmPaymentAsync();
        else
            await RecordPaymentFailureAsync(paymentEvent.EventId, 0);
        await SettleIfDoneAsync();
        return PaymentEventOutcome.Applied;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The tick that comes second, after the timer's turn expired the intent and dropped the backstop: nothing to parse.
        if (_backstopDropped || IntentReminder.TryParse(reminderName) is not { } reminder)
            return;
        _reminder ??= await this.GetReminder(reminderName);
        if (!state.RecordExists || State.Abandoned)
        {
            // Being created right now (on another silo), or never: the expiry settles which.
            if (reminder.IsExpiryAt(time.GetUtcNow()))
            {
                await AbandonAsync(reminder.ListingId);
                await DropBackstopAsync();
            }
            return;
        }
        await StepAsync();
    }

    /// <summary>
    /// The next step due now, whichever woke the grain: the expiry of a PENDING intent past its expiration, a payment
    /// poll before it, a fulfilment. Then the timer is set for the step after, or both wake-ups dropped when none is
    /// left. Every step re-decides from state, so a late or duplicate wake-up is harmless.
    /// </summary>
    private async Task StepAsync()
    {
        if (Exists && State.Status == IntentStatus.Pending)
        {
            if (time.GetUtcNow() >= State.Expiration)
                await expiries.RunAsync(ExpireAsync);
            else
                await PollPaymentAsync();
        }
        if (Exists && State.NeedsFulfillment)
            await OnFulfilAsync();
        await SettleIfDoneAsync();
        ScheduleNextStep();
    }

    /// <summary>The turn that finds a PENDING intent past its expiration expires it, before answering anything.</summary>
    private async Task ExpireIfDueAsync()
    {
        if (Exists && State.Status == IntentStatus.Pending && time.GetUtcNow() >= State.Expiration)
        {
            await ExpireAsync();
            await SettleIfDoneAsync();
            ScheduleNextStep();
        }
    }

    private async Task ExpireAsync()
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
        LogExpired(PrimaryKey);
    }

    /// <summary>Asks the provider about the PaymentIntent: the webhook may never come.</summary>
    private async Task PollPaymentAsync()
    {
        if (time.GetUtcNow() < _nextStepAt)
            return;
        _nextStepAt = time.GetUtcNow() + Options.PaymentPollInterval;
        var paymentIntent = State.StripePaymentIntentId is { } id ? await payments.GetAsync(id, CancellationToken.None) : null;
        if (paymentIntent?.Status == PaymentIntentStatus.Succeeded)
            await ConfirmPaymentAsync();
        else if (paymentIntent is { FailedAttempts: > 0 })
            await RecordPaymentFailureAsync(null, paymentIntent.FailedAttempts);
    }

    /// <summary>
    /// Sets the one timer for the next step (the next poll or the expiration, whichever comes first; a fulfilment),
    /// or drops it when none is left. The timer keeps the grain active until then.
    /// </summary>
    private void ScheduleNextStep()
    {
        var now = time.GetUtcNow();
        DateTimeOffset? due = !Exists ? null
            : State.Status == IntentStatus.Pending
                ? State.Provider.TakesPayment() && _nextStepAt < State.Expiration ? Max(_nextStepAt, now) : State.Expiration
            : State.NeedsFulfillment ? Max(_nextStepAt, now)
            : null;
        if (due is null)
        {
            _wake?.Dispose();
            _wake = null;
            return;
        }
        var dueTime = Max(due.Value, now) - now;
        if (_wake is null)
            _wake = this.RegisterGrainTimer(static (self, _) => self.StepAsync(), this,
                new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        else
            _wake.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// The durable backstop: due at the expiration for an intent that waits for its payment; for one sold at once,
    /// after one backstop period (its fulfilment normally finishes long before). Then every backstop period.
    /// </summary>
    private async Task RegisterBackstopAsync(IntentReminder reminder, PaymentProvider provider)
    {
        var period = backstop.Value.BackstopPeriod;
        var untilExpiry = reminder.Expiration - time.GetUtcNow();
        var due = provider.TakesPayment() ? untilExpiry : period < untilExpiry ? period : untilExpiry;
        _reminder = await this.RegisterOrUpdateReminder(reminder.Name, due > TimeSpan.Zero ? due : TimeSpan.Zero, period);
        _backstopDropped = false;
    }

    /// <summary>A settled intent needs no backstop (and no timer) any more.</summary>
    private async Task SettleIfDoneAsync()
    {
        if (state.RecordExists && State.IsSettled)
            await DropBackstopAsync();
    }

    /// <summary>The handle this activation registered, else a lookup (an activation after a crash holds none).</summary>
    private async Task DropBackstopAsync()
    {
        if (_backstopDropped)
            return;
        if (_reminder is null && state.RecordExists && !State.Abandoned)
            _reminder = await this.GetReminder(IntentReminder.For(State.ListingId, State.Expiration).Name);
        if (_reminder is not null)
            await this.UnregisterReminder(_reminder);
        _reminder = null;
        _backstopDropped = true;
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
        _nextStepAt = time.GetUtcNow() + Options.FulfillmentRetryDelay;
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
        // Fulfilment starts on the timer's next tick (at once), after the answer to whatever confirmed it.
        _nextStepAt = time.GetUtcNow();
        ScheduleNextStep();
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
        {
            try
            {
                await tracking.TrackAsync(State.ListingId, new TrackRequest(PrimaryKey, bucket));
            }
            catch (Exception exception)
            {
                // The state in memory already says what this write was to store (say, fulfilment COMPLETED). Kept,
                // it would let the next tick settle the intent and drop its backstop without the write ever landing.
                this.DeactivateAfterFailedWrite(exception);
                throw;
            }
        }
        State.CountedBucket = bucket;
        await state.WriteOrDeactivateAsync(this);
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
            await state.WriteOrDeactivateAsync(this);
        }
        await releases.ReleaseAsync(State.ListingId, new ReleaseRequest(PrimaryKey, IncludeSold: true, BucketIfReleased: null));
    }

    private async Task<CreateIntentResult> GiveUpAbandonedAsync()
    {
        if (State.Abandoned)
            await releases.ReleaseAsync(State.ListingId, new ReleaseRequest(PrimaryKey, IncludeSold: true, BucketIfReleased: null));
        return Refused(PurchaseRefusal.Conflict("The purchase intent could not be created; retry"));
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
