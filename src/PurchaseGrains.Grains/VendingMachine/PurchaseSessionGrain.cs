using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;

namespace PurchaseGrains.Grains.VendingMachine;

[GenerateSerializer, Immutable, Alias("vm.BuyCommand")]
public sealed record BuyCommand(string Partner, string UserId, PackDefinition Pack, int Amount);

[GenerateSerializer, Alias("vm.BuyOutcome")]
public enum BuyOutcome { Started, OutOfStock }

/// <summary>What a caller may see of a session; <see cref="Items"/> are set once fulfilled.</summary>
[GenerateSerializer, Immutable, Alias("vm.SessionView")]
public sealed record SessionView(
    string SessionId,
    string UserId,
    string PublicId,
    SessionStatus Status,
    string PackId,
    string PackSlug,
    IReadOnlyList<SessionItem> Items,
    string? TxHash,
    DateTimeOffset? FulfilledAt,
    DateTimeOffset BuybackExpiresAt);

[GenerateSerializer, Immutable, Alias("vm.BuyResult")]
public sealed record BuyResult(BuyOutcome Outcome, SessionView? Session);

/// <summary>One purchase (key: session id): claims the cards, has them minted, delivers or releases them.</summary>
[Alias("vm.IPurchaseSessionGrain")]
public interface IPurchaseSessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the purchase; a repeated call moves an unfinished session on, and answers it as it is.</summary>
    Task<BuyResult> Init(BuyCommand command);

    /// <summary>Null when unknown or another partner's.</summary>
    [ReadOnly]
    Task<SessionView?> Get(string partner);

    /// <summary>
    /// The session once its status is no longer <paramref name="knownStatus"/>, or as it is after
    /// <paramref name="maxWait"/>. Interleaves with every other call, so the turn that changes the session wakes it.
    /// Null when unknown or another partner's.
    /// </summary>
    [AlwaysInterleave]
    Task<SessionView?> WaitForChange(string partner, SessionStatus knownStatus, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>
    /// True once the session is over, or when there is no such session: no card reserved under its id is in use.
    /// Interleaves (it only reads), so a sweep never waits behind a buy/init that is still running.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> HasFinished();
}

/// <summary>
/// Mint polling: a grain timer every <see cref="FulfillmentOptions.PollInterval"/> while the session is active and
/// unfinished, and a reminder of <see cref="ReminderBackstopOptions.BackstopPeriod"/> as the durable backstop that
/// reactivates it after a crash (activation re-arms the timer from state). Every step re-decides from state, so a
/// late or duplicate tick is harmless; a terminal session drops both.
/// </summary>
[GrainType("vm_session")]
public sealed partial class PurchaseSessionGrain(
    [PersistentState("session", GrainStores.Main)] IPersistentState<PurchaseSessionState> state,
    CardPool pool,
    IFulfillmentProvider fulfillment,
    IOptions<FulfillmentOptions> fulfillmentOptions,
    IOptions<VmOptions> vmOptions,
    IOptions<ReminderBackstopOptions> backstop,
    TimeProvider time,
    ILogger<PurchaseSessionGrain> logger) : Grain, IPurchaseSessionGrain, IRemindable
{
    private const string DriveReminder = "fulfilment";
    private const int CandidatesPerDraw = 4;

    private readonly SessionChanges _changes = new();
    private IGrainTimer? _pollTimer;
    private IGrainReminder? _reminder;

    private string SessionId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && !state.State.IsTerminal)
            StartPolling();
        return Task.CompletedTask;
    }

    public async Task<BuyResult> Init(BuyCommand command)
    {
        if (state.RecordExists)
        {
            // A retry (same Idempotency-Key) of a buy/init that failed part-way: carry the session on from where it is.
            if (!state.State.IsTerminal)
            {
                StartPolling();
                await AdvanceAsync();
            }
            return Result();
        }

        var now = time.GetUtcNow();
        var publicId = await ClaimPublicIdAsync();
        // Recovery first: if this silo dies mid-way, the reminder reactivates the session elsewhere to finish (or fail) it.
        // (A reminder that finds no session unregisters itself.)
        _reminder = await this.RegisterOrUpdateReminder(DriveReminder, vmOptions.Value.RecoveryDelay, backstop.Value.BackstopPeriod);
        // The first draws' candidates go out with the session's first write: every card is written before it is tried.
        var draws = await DrawAsync(command.Pack, command.Amount);
        state.State = PurchaseSessionFlow.Start(command.Partner, command.UserId, command.Pack, command.Amount, publicId,
            SessionId, now, fulfillmentOptions.Value.Deadline, TickTrace.CurrentParent());
        PurchaseSessionFlow.WillTry(state.State, draws.SelectMany(d => d));
        await WriteAsync();

        var items = await ClaimCardsAsync(command.Pack, command.Amount, draws);
        if (items is null)
            PurchaseSessionFlow.Fail(state.State, SessionFailure.OutOfStock);
        else
            PurchaseSessionFlow.Assigned(state.State, items);
        try
        {
            await WriteAsync();
        }
        catch (InconsistentStateException) when (items is not null)
        {
            // Another activation of this session moved it on while this one claimed cards: this silo was cut off
            // (frozen, partitioned) and declared dead meanwhile. That one found the session still assigning and failed
            // it, releasing what was reserved then; the cards claimed since are given back here.
            await ReleaseAsync(items.Select(i => i.Card.Id));
            throw;
        }

        // The mint is submitted at once (and, from the sandbox, completed at once); polls for its answer follow.
        await AdvanceAsync();
        if (!state.State.IsTerminal)
            StartPolling();
        return Result();
    }

    public Task<SessionView?> Get(string partner) => Task.FromResult(IsVisibleTo(partner) ? View() : null);

    public async Task<SessionView?> WaitForChange(string partner, SessionStatus knownStatus, TimeSpan maxWait,
        CancellationToken cancellationToken = default)
    {
        if (!IsVisibleTo(partner))
            return null;
        if (state.State.Status == knownStatus && !state.State.IsTerminal)
        {
            try
            {
                await _changes.Next.WaitAsync(maxWait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
        return View();
    }

    public Task<bool> HasFinished() => Task.FromResult(!state.RecordExists || state.State.IsTerminal);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!state.RecordExists || state.State.IsTerminal)
        {
            await DropReminderAsync();
            return;
        }
        using var activity = TickTrace.Start("IPurchaseSessionGrain/ReceiveReminder", state.State.TraceParent);
        StartPolling();
        await AdvanceAsync();
    }

    private void StartPolling()
    {
        if (_pollTimer is not null)
            return;
        var interval = fulfillmentOptions.Value.PollInterval;
        _pollTimer = this.RegisterGrainTimer(static (self, _) => self.PollAsync(), this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true });
    }

    private async Task PollAsync()
    {
        using var activity = TickTrace.Start("IPurchaseSessionGrain/PollMint", state.State.TraceParent);
        await AdvanceAsync();
    }

    /// <summary>Moves the session forward as far as it can go now; safe to re-run from any point.</summary>
    private async Task AdvanceAsync()
    {
        while (true)
        {
            var session = state.State;
            switch (session.Status)
            {
                case SessionStatus.Assigning:
                    // Init claims cards in one turn: an activation that finds a session still assigning was not the one
                    // running it, so that buy/init died and its buyer never got this session id.
                    PurchaseSessionFlow.Fail(session, SessionFailure.Interrupted);
                    await WriteAsync();
                    break;
                case SessionStatus.Minting:
                    if (PurchaseSessionFlow.IsPastDeadline(session, time.GetUtcNow()))
                    {
                        LogDeadlinePassed(SessionId, session.OperationId);
                        PurchaseSessionFlow.Fail(session, SessionFailure.DeadlinePassed);
                        await WriteAsync();
                        break;
                    }
                    var mint = await AskProviderAsync(session);
                    if (mint is null || mint.State == MintState.Pending)
                        return;
                    if (mint.State == MintState.Completed)
                        PurchaseSessionFlow.Minted(session, mint.TxHash!, mint.MintAddresses, time.GetUtcNow());
                    else
                        PurchaseSessionFlow.Fail(session, SessionFailure.MintFailed);
                    await WriteAsync();
                    break;
                case SessionStatus.Completing:
                    await DeliverAsync(session);
                    PurchaseSessionFlow.Delivered(session);
                    await WriteAsync();
                    await FinishAsync();
                    return;
                case SessionStatus.Releasing:
                    await ReleaseAsync(session);
                    PurchaseSessionFlow.Released(session);
                    await WriteAsync();
                    await FinishAsync();
                    return;
                default:
                    return;
            }
        }
    }

    /// <summary>Submits the mint once (its operation id already recorded), then asks for its status. Null: try next tick.</summary>
    private async Task<MintStatus?> AskProviderAsync(PurchaseSessionState session)
    {
        try
        {
            if (session.MintId is null)
            {
                var operation = new MintOperation(session.OperationId, session.Partner, session.UserId,
                    session.Items.Select(i => new MintItem(i.Card.Id, i.Card.Type)).ToList());
                var submission = await fulfillment.SubmitAsync(operation, CancellationToken.None);
                if (submission.Status is { State: not MintState.Pending } done)
                    return done;
                PurchaseSessionFlow.MintAccepted(session, submission.MintId);
                await WriteAsync();
            }
            return await fulfillment.GetStatusAsync(session.MintId!, CancellationToken.None);
        }
        catch (FulfillmentUnavailableException exception)
        {
            LogMintUnavailable(exception, SessionId, session.OperationId);
            return null;
        }
    }

    /// <summary>
    /// Draws <paramref name="amount"/> pulls: for each, a tier by weight among the non-empty ones (<see cref="RarityDraw"/>)
    /// and a few random available cards of it, to reserve the first that is still available. Fewer when the pool runs
    /// out first.
    /// </summary>
    private async Task<List<IReadOnlyList<string>>> DrawAsync(PackDefinition pack, int amount)
    {
        var tiers = RarityDraw.ChooseTiers(await pool.AvailableUpToAsync(pack, amount, CancellationToken.None), amount, Random.Shared);
        var draws = new List<IReadOnlyList<string>>(tiers.Count);
        foreach (var tier in tiers)
            draws.Add(await pool.CandidatesAsync(pack.Id, tier, CandidatesPerDraw, Random.Shared, CancellationToken.None));
        return draws;
    }

    /// <summary>
    /// Reserves a card for each draw (its candidates already written with the session). A draw whose candidates were
    /// all taken meanwhile is drawn again from fresh counts, and its new candidates written before they are tried.
    /// Null when the pool runs out first, or had too few cards for the draws (the caller releases whatever was reserved).
    /// </summary>
    private async Task<List<SessionItem>?> ClaimCardsAsync(PackDefinition pack, int amount, List<IReadOnlyList<string>> draws)
    {
        if (draws.Count < amount)
            return null;
        var items = new List<SessionItem>(amount);
        var pending = new Queue<IReadOnlyList<string>>(draws);
        var maxRounds = amount * 8 + 16;
        for (var round = 0; items.Count < amount && round < maxRounds; round++)
        {
            if (!pending.TryDequeue(out var candidates))
            {
                var redraw = await DrawAsync(pack, 1);
                if (redraw.Count == 0)
                    return null;
                PurchaseSessionFlow.WillTry(state.State, redraw[0]);
                await WriteAsync();
                candidates = redraw[0];
            }
            foreach (var cardId in candidates)
            {
                // Two draws of one tier may share a candidate; the card's Reserve would answer this session's own claim again.
                if (items.Exists(i => i.Card.Id == cardId))
                    continue;
                if (await GrainFactory.GetGrain<ICardGrain>(cardId).Reserve(SessionId) is { } card)
                {
                    items.Add(new SessionItem(card, pack.BuybackPriceOf(card.Fmv), card.MintAddress));
                    break;
                }
            }
        }
        return items.Count == amount ? items : null;
    }

    private async Task DeliverAsync(PurchaseSessionState session)
    {
        foreach (var item in session.Items)
            await GrainFactory.GetGrain<ICardGrain>(item.Card.Id).MarkSold(SessionId, session.Partner, session.UserId);
        var purchasedAt = session.FulfilledAt!.Value;
        var expiresAt = purchasedAt + vmOptions.Value.BuybackWindow;
        var entries = session.Items.Select(i => new OwnedItem(i, session.PackId, session.PackSlug, SessionId, purchasedAt, expiresAt)).ToList();
        await GrainFactory.GetGrain<IInventoryGrain>(InventoryKeys.For(session.Partner, session.UserId)).AddItems(entries);
    }

    private async Task ReleaseAsync(PurchaseSessionState session) => await ReleaseAsync(PurchaseSessionFlow.CardsToRelease(session));

    private async Task ReleaseAsync(IEnumerable<string> cardIds)
    {
        foreach (var cardId in cardIds.Distinct(StringComparer.Ordinal))
            await GrainFactory.GetGrain<ICardGrain>(cardId).Release(SessionId);
    }

    private async Task<string> ClaimPublicIdAsync()
    {
        while (true)
        {
            var code = PublicIds.Next();
            if (await GrainFactory.GetGrain<IPublicIdGrain>(code).Claim(SessionId))
                return code;
        }
    }

    /// <summary>Persists the session and wakes every caller waiting for it to change.</summary>
    private async Task WriteAsync()
    {
        await state.WriteOrDeactivateAsync(this);
        _changes.Signal();
    }

    private async Task FinishAsync()
    {
        _pollTimer?.Dispose();
        _pollTimer = null;
        await DropReminderAsync();
    }

    /// <summary>The handle this activation registered, else a lookup (an activation after a crash holds none).</summary>
    private async Task DropReminderAsync()
    {
        if ((_reminder ?? await this.GetReminder(DriveReminder)) is { } reminder)
            await this.UnregisterReminder(reminder);
        _reminder = null;
    }

    private bool IsVisibleTo(string partner) => state.RecordExists && state.State.Partner == partner;

    private BuyResult Result() => new(
        state.State.Failure == SessionFailure.OutOfStock ? BuyOutcome.OutOfStock : BuyOutcome.Started,
        View());

    private SessionView View()
    {
        var s = state.State;
        return new SessionView(SessionId, s.UserId, s.PublicId, s.Status, s.PackId, s.PackSlug,
            s.Status == SessionStatus.Fulfilled ? s.Items : [], s.TxHash, s.FulfilledAt,
            (s.FulfilledAt ?? s.CreatedAt) + vmOptions.Value.BuybackWindow);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: mint service unavailable for {OperationId}; retrying on the next tick")]
    private partial void LogMintUnavailable(Exception exception, string sessionId, string operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: mint {OperationId} passed its deadline; failing and releasing the cards")]
    private partial void LogDeadlinePassed(string sessionId, string operationId);
}
