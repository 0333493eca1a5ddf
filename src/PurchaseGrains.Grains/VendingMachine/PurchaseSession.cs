using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>
/// Lifecycle of one purchase:
/// <c>Assigning → Minting → Completing → Fulfilled</c>, and <c>Assigning|Minting → Releasing → Failed</c>.
/// Assigning: cards being claimed (an interrupted assignment is failed: its buyer never got a session id).
/// Minting: cards and the mint operation id recorded; the provider is asked (and polled) with that id.
/// Completing: the mint result is recorded; cards are being marked sold and delivered to the inventory.
/// Releasing: failure decided; cards are being handed back to the pool.
/// </summary>
[GenerateSerializer, Alias("vm.SessionStatus")]
public enum SessionStatus { Assigning, Minting, Completing, Fulfilled, Releasing, Failed }

public enum SessionFailure { None, OutOfStock, MintFailed, DeadlinePassed, Interrupted }

/// <summary>A pulled card as the session (and then the inventory) keeps it: card data plus its frozen buyback price.</summary>
[GenerateSerializer, Immutable, Alias("vm.SessionItem")]
public sealed record SessionItem(CardData Card, decimal BuybackPrice, string? MintAddress);

public sealed class PurchaseSessionState : IIndexedState
{
    public SessionStatus Status { get; set; }
    public string Partner { get; set; } = "";
    public string UserId { get; set; } = "";
    public string PackId { get; set; } = "";
    public string PackSlug { get; set; } = "";
    public int Amount { get; set; }
    public decimal BuybackPercent { get; set; }
    public string PublicId { get; set; } = "";
    public string OperationId { get; set; } = "";
    public string? MintId { get; set; }
    public string? TxHash { get; set; }
    public List<SessionItem> Items { get; set; } = [];

    /// <summary>
    /// While assigning: every card the session may try to reserve, written before it tries them. A reservation can
    /// land without its answer, and on the AzureStorage profile before the card's pool row says so; whichever activation
    /// fails the session gives back each of these still reserved by it, even after a crash lost the one that tried.
    /// </summary>
    public List<string> Candidates { get; set; } = [];
    public SessionFailure Failure { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset Deadline { get; set; }
    public DateTimeOffset? FulfilledAt { get; set; }

    /// <summary>The trace of the buy/init that started the session: its timer and reminder ticks link to it.</summary>
    public string? TraceParent { get; set; }

    public bool IsTerminal => Status is SessionStatus.Fulfilled or SessionStatus.Failed;

    /// <summary>Recent pulls: one row per item, written in the same transaction that fulfils the session.</summary>
    public IEnumerable<IndexRow> GetIndexRows(StateRowId grainId)
    {
        if (Status != SessionStatus.Fulfilled)
            yield break;
        foreach (var item in Items)
        {
            yield return new IndexRow(VmIndexTables.Pulls, item.Card.Id, new Dictionary<string, object?>
            {
                ["partner"] = Partner,
                ["session_id"] = grainId.Key,
                ["pack_id"] = PackId,
                ["pack_slug"] = PackSlug,
                ["fmv"] = (double)item.Card.Fmv,
                ["buyback_price"] = (double)item.BuybackPrice,
                ["created_at"] = VmIndexTables.Micros(FulfilledAt ?? CreatedAt),
                ["name"] = item.Card.Name,
                ["image"] = item.Card.Image,
                ["back_image"] = item.Card.BackImage,
            });
        }
    }
}

/// <summary>The guarded transitions of <see cref="PurchaseSessionState"/>; the grain persists and schedules around them.</summary>
public static class PurchaseSessionFlow
{
    public static PurchaseSessionState Start(string partner, string userId, PackDefinition pack, int amount, string publicId,
        string sessionId, DateTimeOffset now, TimeSpan deadline, string? traceParent = null) => new()
    {
        TraceParent = traceParent,
        Status = SessionStatus.Assigning,
        Partner = partner,
        UserId = userId,
        PackId = pack.Id,
        PackSlug = pack.Slug,
        Amount = amount,
        BuybackPercent = pack.BuybackPercent,
        PublicId = publicId,
        OperationId = $"mint_{sessionId}",
        CreatedAt = now,
        Deadline = now + deadline,
    };

    /// <summary>Cards the session is about to try to reserve: recorded (and written) before it tries them.</summary>
    public static void WillTry(PurchaseSessionState state, IEnumerable<string> cardIds)
    {
        Require(state, SessionStatus.Assigning);
        foreach (var cardId in cardIds)
        {
            if (!state.Candidates.Contains(cardId, StringComparer.Ordinal))
                state.Candidates.Add(cardId);
        }
    }

    /// <summary>The cards are claimed: the candidates not among them were never the session's.</summary>
    public static void Assigned(PurchaseSessionState state, IReadOnlyList<SessionItem> items)
    {
        Require(state, SessionStatus.Assigning);
        if (items.Count != state.Amount)
            throw new InvalidOperationException($"Assigned {items.Count} cards to a session of {state.Amount}.");
        state.Items = [.. items];
        state.Candidates = [];
        state.Status = SessionStatus.Minting;
    }

    public static void MintAccepted(PurchaseSessionState state, string mintId)
    {
        Require(state, SessionStatus.Minting);
        state.MintId = mintId;
    }

    /// <summary>The mint result is known: <paramref name="now"/> is the purchase time.</summary>
    public static void Minted(PurchaseSessionState state, string txHash, IReadOnlyDictionary<string, string>? mintAddresses,
        DateTimeOffset now)
    {
        Require(state, SessionStatus.Minting);
        state.FulfilledAt = now;
        state.TxHash = txHash;
        state.Items = state.Items
            .Select(i => mintAddresses is not null && mintAddresses.TryGetValue(i.Card.Id, out var address) ? i with { MintAddress = address } : i)
            .ToList();
        state.Status = SessionStatus.Completing;
    }

    public static void Delivered(PurchaseSessionState state)
    {
        Require(state, SessionStatus.Completing);
        state.Status = SessionStatus.Fulfilled;
    }

    /// <summary>Only before the mint result is known: once minted, a session is delivered, never released.</summary>
    public static void Fail(PurchaseSessionState state, SessionFailure failure)
    {
        if (state.Status is not (SessionStatus.Assigning or SessionStatus.Minting))
            throw new InvalidOperationException($"A {state.Status} session cannot fail.");
        state.Status = SessionStatus.Releasing;
        state.Failure = failure;
    }

    /// <summary>What a failing session gives back: its items, and every card it tried while assigning.</summary>
    public static IEnumerable<string> CardsToRelease(PurchaseSessionState state) =>
        state.Items.Select(i => i.Card.Id).Concat(state.Candidates).Distinct(StringComparer.Ordinal);

    public static void Released(PurchaseSessionState state)
    {
        Require(state, SessionStatus.Releasing);
        state.Status = SessionStatus.Failed;
    }

    public static bool IsPastDeadline(PurchaseSessionState state, DateTimeOffset now) => now >= state.Deadline;

    private static void Require(PurchaseSessionState state, SessionStatus expected)
    {
        if (state.Status != expected)
            throw new InvalidOperationException($"Session is {state.Status}, expected {expected}.");
    }
}
