using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

[GenerateSerializer, Alias("vm.CardStatus")]
public enum CardStatus { Available, Reserved, Sold }

/// <summary>A card and who holds it: in the pool, reserved by a session, or sold to a (partner, user).</summary>
[GenerateSerializer, Immutable, Alias("vm.CardView")]
public sealed record CardView(CardData Card, string PackId, CardStatus Status, string? SessionId, string? Partner, string? UserId);

/// <summary>
/// One grain per card (key: card id, unique across packs). Claims go to this grain alone, so concurrent pulls of one
/// pack contend only when they pick the same card, and the loser picks another.
/// </summary>
[Alias("vm.ICardGrain")]
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

    [Orleans.Concurrency.ReadOnly]
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

    public IEnumerable<IndexRow> GetIndexRows(StateRowId grainId)
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

[GrainType("vm_card")]
public sealed class CardGrain(
    [PersistentState("card", GrainStores.Main)] IPersistentState<CardState> state,
    TimeProvider time) : Grain, ICardGrain
{
    private CardState Card => state.State;

    public async Task<bool> Add(string packId, CardData card)
    {
        if (state.RecordExists)
            return false;
        state.State = new CardState
        {
            Card = card, PackId = packId, Status = CardStatus.Available, ChangedAt = time.GetUtcNow(), DrawKey = Random.Shared.NextDouble(),
        };
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public async Task<CardData?> Reserve(string sessionId)
    {
        if (Card.Card is null)
            return null;
        if (Card.Status == CardStatus.Reserved && Card.SessionId == sessionId)
            return Card.Card;
        if (Card.Status != CardStatus.Available)
            return null;
        Card.Status = CardStatus.Reserved;
        Card.SessionId = sessionId;
        Card.ChangedAt = time.GetUtcNow();
        await state.WriteOrDeactivateAsync(this);
        return Card.Card;
    }

    public async Task Release(string sessionId)
    {
        if (Card.Status != CardStatus.Reserved || Card.SessionId != sessionId)
            return;
        Card.Status = CardStatus.Available;
        Card.SessionId = null;
        Card.ChangedAt = time.GetUtcNow();
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task MarkSold(string sessionId, string partner, string userId)
    {
        if (Card.Status == CardStatus.Sold && Card.SessionId == sessionId)
            return;
        if (Card.Status != CardStatus.Reserved || Card.SessionId != sessionId)
            throw new InvalidOperationException($"Card {this.GetPrimaryKeyString()} is {Card.Status} for session {Card.SessionId}, not reserved by {sessionId}.");
        Card.Status = CardStatus.Sold;
        Card.Partner = partner;
        Card.UserId = userId;
        Card.ChangedAt = time.GetUtcNow();
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<CardView?> Get() => Task.FromResult(Card.Card is null
        ? null
        : new CardView(Card.Card, Card.PackId, Card.Status, Card.SessionId, Card.Partner, Card.UserId));
}
