using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

public enum CardStatus { Available, Reserved, Sold }

/// <summary>A card and who holds it: in the pool, reserved by a session, or sold to a (partner, user).</summary>
public sealed record CardView(CardData Card, string PackId, CardStatus Status, string? SessionId, string? Partner, string? UserId);

/// <summary>
/// One grain per card (key: card id, unique across packs). Claims are conditional writes on this grain alone, so
/// concurrent pulls of one pack contend only when they pick the same card, and the loser picks another.
/// </summary>
public interface ICardGrain : IGrainWithStringKey
{
    /// <summary>Adds the card to <paramref name="packId"/>'s pool; false when the id already exists (anywhere).</summary>
    Task<bool> Add(string packId, CardData card);

    /// <summary>Reserves the card for a session; null when it is not available (idempotent for the same session).</summary>
    Task<CardData?> Reserve(string sessionId);

    /// <summary>Back to the pool, only if still reserved by <paramref name="sessionId"/>.</summary>
    Task Release(string sessionId);

    /// <summary>Reserved by the session → sold to the user, for good. Idempotent.</summary>
    Task MarkSold(string sessionId, string partner, string userId);

    Task<CardView?> Get();
}

public sealed class CardState : IIndexedState
{
    public CardData? Card { get; set; }
    public string PackId { get; set; } = "";
    public CardStatus Status { get; set; }
    public string? SessionId { get; set; }
    public string? Partner { get; set; }
    public string? UserId { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>A random position in [0, 1), fixed at creation: draws take the next available card after a random point.</summary>
    public double DrawKey { get; set; }

    public IEnumerable<IndexRow> GetIndexRows(GrainId grainId)
    {
        if (Card is null)
            yield break;
        yield return new IndexRow(VmIndexTables.Cards, grainId.Key, new Dictionary<string, object?>
        {
            ["pack_id"] = PackId,
            ["fmv"] = (double)Card.Fmv,
            ["status"] = Status.ToString().ToLowerInvariant(),
            ["session_id"] = SessionId,
            ["changed_at"] = VmIndexTables.Micros(ChangedAt),
            ["draw_key"] = DrawKey,
        });
    }
}

public sealed class CardGrain([PersistentState("card")] IPersistentState<CardState> state) : Grain, ICardGrain
{
    public async Task<bool> Add(string packId, CardData card)
    {
        if (state.RecordExists)
            return false;
        state.State = new CardState
        {
            Card = card, PackId = packId, Status = CardStatus.Available, ChangedAt = TimeProvider.GetUtcNow(), DrawKey = Random.Shared.NextDouble(),
        };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<CardData?> Reserve(string sessionId)
    {
        await RefreshUnlessSoldAsync();
        var card = state.State;
        if (!state.RecordExists || card.Card is null)
            return null;
        if (card.Status == CardStatus.Reserved && card.SessionId == sessionId)
            return card.Card;
        if (card.Status != CardStatus.Available)
            return null;
        card.Status = CardStatus.Reserved;
        card.SessionId = sessionId;
        card.ChangedAt = TimeProvider.GetUtcNow();
        await state.WriteStateAsync();
        return card.Card;
    }

    public async Task Release(string sessionId)
    {
        await RefreshUnlessSoldAsync();
        var card = state.State;
        if (card.Status != CardStatus.Reserved || card.SessionId != sessionId)
            return;
        card.Status = CardStatus.Available;
        card.SessionId = null;
        card.ChangedAt = TimeProvider.GetUtcNow();
        await state.WriteStateAsync();
    }

    public async Task MarkSold(string sessionId, string partner, string userId)
    {
        await RefreshUnlessSoldAsync();
        var card = state.State;
        if (card.Status == CardStatus.Sold && card.SessionId == sessionId)
            return;
        if (card.Status != CardStatus.Reserved || card.SessionId != sessionId)
            throw new InvalidOperationException($"Card {PrimaryKey} is {card.Status} for session {card.SessionId}, not reserved by {sessionId}.");
        card.Status = CardStatus.Sold;
        card.Partner = partner;
        card.UserId = userId;
        card.ChangedAt = TimeProvider.GetUtcNow();
        await state.WriteStateAsync();
    }

    public async Task<CardView?> Get()
    {
        await RefreshUnlessSoldAsync();
        var card = state.State;
        return card.Card is null ? null : new CardView(card.Card, card.PackId, card.Status, card.SessionId, card.Partner, card.UserId);
    }

    /// <summary>Sold is terminal and can be served from cache; anything else may have changed on another node.</summary>
    private Task RefreshUnlessSoldAsync() =>
        state.State.Status == CardStatus.Sold ? Task.CompletedTask : state.ReadStateAsync();
}
