using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Grains.VendingMachine;

public sealed record BuyCommand(string Partner, string UserId, PackDefinition Pack, int Amount);

public enum BuyOutcome { Started, OutOfStock }

/// <summary>What a caller may see of a session; <see cref="Items"/> are set once fulfilled.</summary>
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

public sealed record BuyResult(BuyOutcome Outcome, SessionView? Session);

/// <summary>One purchase (key: session id): claims the cards, has them minted, delivers or releases them.</summary>
public interface IPurchaseSessionGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Starts the purchase; a repeated call answers the session as it is.</summary>
    Task<BuyResult> Init(BuyCommand command);

    /// <summary>Null when unknown or another partner's.</summary>
    Task<SessionView?> Get(string partner);
}

public sealed partial class PurchaseSessionGrain(
    [PersistentState("session")] IPersistentState<PurchaseSessionState> state,
    CardPool pool,
    IFulfillmentProvider fulfillment,
    IOptions<FulfillmentOptions> fulfillmentOptions,
    IOptions<VmOptions> vmOptions,
    ILogger<PurchaseSessionGrain> logger) : Grain, IPurchaseSessionGrain
{
    private const string DriveReminder = "fulfilment";
    private const int CandidatesPerDraw = 4;

    public async Task<BuyResult> Init(BuyCommand command)
    {
        if (state.RecordExists)
        {
            await state.ReadStateAsync();
            return Result();
        }

        var now = TimeProvider.GetUtcNow();
        var publicId = await ClaimPublicIdAsync();
        // Recovery first: if this node dies mid-way, the reminder finishes (or fails) the session on another node.
        // (A reminder that finds no session unregisters itself.)
        await RegisterOrUpdateReminder(DriveReminder, vmOptions.Value.RecoveryDelay, fulfillmentOptions.Value.PollInterval);
        state.State = PurchaseSessionFlow.Start(command.Partner, command.UserId, command.Pack, command.Amount, publicId,
            PrimaryKey, now, fulfillmentOptions.Value.Deadline);
        await state.WriteStateAsync();

        var items = await ClaimCardsAsync(command.Pack, command.Amount);
        if (items is null)
        {
            PurchaseSessionFlow.Fail(state.State, SessionFailure.OutOfStock);
            await state.WriteStateAsync();
        }
        else
        {
            PurchaseSessionFlow.Assigned(state.State, items);
            await state.WriteStateAsync();
        }

        if (fulfillment.CompletesInline || state.State.Status == SessionStatus.Releasing)
            await AdvanceAsync();
        else
            await RegisterOrUpdateReminder(DriveReminder, TimeSpan.Zero, fulfillmentOptions.Value.PollInterval);
        return Result();
    }

    public async Task<SessionView?> Get(string partner)
    {
        if (state.RecordExists && !state.State.IsTerminal)
            await state.ReadStateAsync();
        return state.RecordExists && state.State.Partner == partner ? View() : null;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await state.ReadStateAsync();
        if (!state.RecordExists || state.State.IsTerminal)
        {
            await UnregisterReminder(reminderName);
            return;
        }
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
                    // buy/init may still be claiming on another node; only a stalled assignment is interrupted.
                    if (TimeProvider.GetUtcNow() < session.CreatedAt + vmOptions.Value.RecoveryDelay)
                        return;
                    PurchaseSessionFlow.Fail(session, SessionFailure.Interrupted);
                    await state.WriteStateAsync();
                    break;
                case SessionStatus.Minting:
                    if (PurchaseSessionFlow.IsPastDeadline(session, TimeProvider.GetUtcNow()))
                    {
                        LogDeadlinePassed(PrimaryKey, session.OperationId);
                        PurchaseSessionFlow.Fail(session, SessionFailure.DeadlinePassed);
                        await state.WriteStateAsync();
                        break;
                    }
                    var mint = await AskProviderAsync(session);
                    if (mint is null || mint.State == MintState.Pending)
                        return;
                    if (mint.State == MintState.Completed)
                        PurchaseSessionFlow.Minted(session, mint.TxHash!, mint.MintAddresses, TimeProvider.GetUtcNow());
                    else
                        PurchaseSessionFlow.Fail(session, SessionFailure.MintFailed);
                    await state.WriteStateAsync();
                    break;
                case SessionStatus.Completing:
                    await DeliverAsync(session);
                    PurchaseSessionFlow.Delivered(session);
                    await state.WriteStateAsync();
                    await UnregisterReminder(DriveReminder);
                    return;
                case SessionStatus.Releasing:
                    await ReleaseAsync(session);
                    PurchaseSessionFlow.Released(session);
                    await state.WriteStateAsync();
                    await UnregisterReminder(DriveReminder);
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
                await state.WriteStateAsync();
            }
            return await fulfillment.GetStatusAsync(session.MintId!, CancellationToken.None);
        }
        catch (FulfillmentUnavailableException exception)
        {
            LogMintUnavailable(exception, PrimaryKey, session.OperationId);
            return null;
        }
    }

    /// <summary>
    /// Draws <paramref name="amount"/> cards: a tier by weight among the non-empty ones (<see cref="RarityDraw"/>), then a
    /// random available card of it, reserved with a conditional write on the card grain (a lost race tries the next one).
    /// Tier counts are read once and kept locally; they are re-read only when a tier turns out emptier than they said.
    /// Null when the pool runs out first (the caller releases whatever was reserved).
    /// </summary>
    private async Task<List<SessionItem>?> ClaimCardsAsync(PackDefinition pack, int amount)
    {
        var items = new List<SessionItem>(amount);
        List<TierCount>? counts = null;
        var maxRounds = amount * 8 + 16;
        for (var round = 0; items.Count < amount && round < maxRounds; round++)
        {
            counts ??= [.. await pool.AvailableUpToAsync(pack, amount - items.Count, CancellationToken.None)];
            var tier = RarityDraw.ChooseTier(counts, Random.Shared);
            if (tier is null)
                return null;
            var claimed = false;
            foreach (var cardId in await pool.CandidatesAsync(pack.Id, tier, CandidatesPerDraw, Random.Shared, CancellationToken.None))
            {
                if (await GrainFactory.GetGrain<ICardGrain>(cardId).Reserve(PrimaryKey) is { } card)
                {
                    items.Add(new SessionItem(card, pack.BuybackPriceOf(card.Fmv), card.MintAddress));
                    claimed = true;
                    break;
                }
            }
            counts = claimed ? counts.Select(c => c.Tier == tier ? c with { Available = c.Available - 1 } : c).ToList() : null;
        }
        return items.Count == amount ? items : null;
    }

    private async Task DeliverAsync(PurchaseSessionState session)
    {
        foreach (var item in session.Items)
            await GrainFactory.GetGrain<ICardGrain>(item.Card.Id).MarkSold(PrimaryKey, session.Partner, session.UserId);
        var purchasedAt = session.FulfilledAt!.Value;
        var expiresAt = purchasedAt + vmOptions.Value.BuybackWindow;
        var entries = session.Items.Select(i => new OwnedItem(i, session.PackId, session.PackSlug, PrimaryKey, purchasedAt, expiresAt)).ToList();
        await GrainFactory.GetGrain<IInventoryGrain>(InventoryKeys.For(session.Partner, session.UserId)).AddItems(entries);
    }

    private async Task ReleaseAsync(PurchaseSessionState session)
    {
        var cardIds = session.Items.Select(i => i.Card.Id)
            .Concat(await pool.ReservedByAsync(PrimaryKey, CancellationToken.None))
            .Distinct(StringComparer.Ordinal);
        foreach (var cardId in cardIds)
            await GrainFactory.GetGrain<ICardGrain>(cardId).Release(PrimaryKey);
    }

    private async Task<string> ClaimPublicIdAsync()
    {
        while (true)
        {
            var code = PublicIds.Next();
            if (await GrainFactory.GetGrain<IPublicIdGrain>(code).Claim(PrimaryKey))
                return code;
        }
    }

    private BuyResult Result() => new(
        state.State.Failure == SessionFailure.OutOfStock ? BuyOutcome.OutOfStock : BuyOutcome.Started,
        View());

    private SessionView View()
    {
        var s = state.State;
        return new SessionView(PrimaryKey, s.UserId, s.PublicId, s.Status, s.PackId, s.PackSlug,
            s.Status == SessionStatus.Fulfilled ? s.Items : [], s.TxHash, s.FulfilledAt,
            (s.FulfilledAt ?? s.CreatedAt) + vmOptions.Value.BuybackWindow);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: mint service unavailable for {OperationId}; retrying on the next tick")]
    private partial void LogMintUnavailable(Exception exception, string sessionId, string operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: mint {OperationId} passed its deadline; failing and releasing the cards")]
    private partial void LogDeadlinePassed(string sessionId, string operationId);
}
