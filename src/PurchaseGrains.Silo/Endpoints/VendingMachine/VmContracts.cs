using System.Text.Json;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Silo.Endpoints.VendingMachine;

// Wire shapes of the Phygitals partner API v1 (API.md section A). snake_case comes from ApiJson.

public sealed record BuyInitRequest(string? Id, int Amount, string? UserId);

public sealed record BuyInitResponse(string SessionId, IReadOnlyList<VmItem> Nfts);

public sealed record BuyStatusRequest(string? SessionId);

public sealed record BuyStatusResult(string SessionId, string UserId, string PublicId, IReadOnlyList<VmItem> Nfts, string? TxHash);

public sealed record BuyStatusFulfilled(BuyStatusResult Result);

public sealed record BuyStatusPending(string Status)
{
    public static readonly BuyStatusPending Instance = new("pending");
}

public sealed record BuybackRequest(string? ItemId, string? ClawId);

public sealed record BuybackResponse(bool Success, [property: Usd] decimal Amount);

public sealed record ItemMetadata(string Name, string? Image, string? BackImage, IReadOnlyList<JsonElement> Attributes);

public sealed record ItemLinks(string? Image, string? BackImage);

public sealed record ItemContent(ItemMetadata Metadata, ItemLinks Links);

public sealed record VmItem(
    string Id, string? MintAddress, [property: Usd] decimal BuybackPrice, string Type, string? CollectionAddress, string? TokenStandard,
    ItemContent Content)
{
    public static VmItem From(SessionItem item) => new(item.Card.Id, item.MintAddress, item.BuybackPrice, item.Card.Type,
        item.Card.CollectionAddress, item.Card.TokenStandard, ContentOf(item.Card));

    public static ItemContent ContentOf(CardData card) => new(
        new ItemMetadata(card.Name, card.Image, card.BackImage, card.Attributes),
        new ItemLinks(card.Image, card.BackImage));
}

public sealed record InventoryItem(
    string Id, string? MintAddress, [property: Usd] decimal BuybackPrice, string Type, string? CollectionAddress, string? TokenStandard,
    ItemContent Content, string ClawId, string ClawSlug, DateTime PurchasedAt, DateTime BuybackExpiresAt)
{
    public static InventoryItem From(OwnedItem owned)
    {
        var item = VmItem.From(owned.Item);
        return new(item.Id, item.MintAddress, item.BuybackPrice, item.Type, item.CollectionAddress, item.TokenStandard, item.Content,
            owned.PackId, owned.PackSlug, owned.PurchasedAt.UtcDateTime, owned.BuybackExpiresAt.UtcDateTime);
    }
}

public sealed record InventoryResponse(string UserId, IReadOnlyList<InventoryItem> Items);

public sealed record CardResponse(string Id, string Name, string? Image, string? BackImage, [property: Usd] decimal Fmv, CardMetadata Metadata);

public sealed record CardMetadata(string Type, string ClawId, string? MintAddress, string? CollectionAddress, string? TokenStandard,
    IReadOnlyList<JsonElement> Attributes);

public sealed record PullMetadata(string Name, string? Image, string? BackImage);

public sealed record RecentPull(string Id, string ClawId, string ClawSlug, [property: Usd] decimal Value, [property: Usd] decimal BuybackPrice,
    DateTime CreatedAt, PullMetadata Metadata);

public sealed record PackResponse(
    string Id, string Slug, string Platform, string Name, bool Enable, string? Description, [property: Usd] decimal MintPrice, int MaxPerMint,
    long InStock, IReadOnlyList<string> Categories, [property: Usd] decimal Ev, [property: Usd] decimal MinEv, [property: Usd] decimal MaxEv,
    DateTime EvUpdatedAt,
    decimal BuybackPercent, string? ClawImageUrl, IReadOnlyList<RarityTier> RarityDistribution)
{
    public static PackResponse From(PackDefinition pack, PackStats stats, DateTimeOffset? poolChangedAt)
    {
        var evUpdatedAt = poolChangedAt is { } changed && changed > pack.UpdatedAt ? changed : pack.UpdatedAt;
        return new(pack.Id, pack.Slug, pack.Platform, pack.Name, pack.Enable, pack.Description, pack.MintPrice, pack.MaxPerMint,
            stats.InStock, pack.Categories, stats.Ev, stats.MinEv, stats.MaxEv, evUpdatedAt.UtcDateTime, pack.BuybackPercent,
            pack.ClawImageUrl, pack.RarityDistribution);
    }
}

// Admin (API.md section C).

public sealed record PackTierRequest(string? Id, string? Name, string? Color, decimal Lower, decimal Upper, decimal Weight);

public sealed record PackPutRequest(
    string? Slug, string? Platform, string? Name, bool? Enable, string? Description, decimal MintPrice, int MaxPerMint,
    IReadOnlyList<string>? Categories, decimal BuybackPercent, string? ClawImageUrl, IReadOnlyList<PackTierRequest>? RarityDistribution);

public sealed record CardRequest(
    string? Id, string? Name, string? Image, string? BackImage, decimal Fmv, string? Type, string? MintAddress,
    string? CollectionAddress, string? TokenStandard, IReadOnlyList<JsonElement>? Attributes);

public sealed record AddCardsRequest(IReadOnlyList<CardRequest>? Cards);

public sealed record AddCardsResponse(int Added);
