using System.Text.Json;
using Orleans;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>A rarity tier: chosen by <see cref="Weight"/>, then a card with fmv in [<see cref="Lower"/>, <see cref="Upper"/>] is drawn.</summary>
[GenerateSerializer, Immutable, Alias("vm.RarityTier")]
public sealed record RarityTier(string Id, string Name, string? Color, decimal Lower, decimal Upper, decimal Weight)
{
    public bool Contains(decimal fmv) => fmv >= Lower && fmv <= Upper;
}

/// <summary>A pack ("claw machine") as an admin defines it. Packs are global: every partner can list and buy them.</summary>
[GenerateSerializer, Immutable, Alias("vm.PackDefinition")]
public sealed record PackDefinition(
    string Id,
    string Slug,
    string Platform,
    string Name,
    bool Enable,
    string? Description,
    decimal MintPrice,
    int MaxPerMint,
    IReadOnlyList<string> Categories,
    decimal BuybackPercent,
    string? ClawImageUrl,
    IReadOnlyList<RarityTier> RarityDistribution,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Checks an admin's pack; returns the first problem, or null.</summary>
    public static string? Validate(string slug, string name, int maxPerMint, decimal mintPrice, decimal buybackPercent,
        IReadOnlyList<RarityTier> tiers)
    {
        if (string.IsNullOrWhiteSpace(slug))
            return "slug is required";
        if (string.IsNullOrWhiteSpace(name))
            return "name is required";
        if (maxPerMint < 1)
            return "max_per_mint must be at least 1";
        if (mintPrice < 0)
            return "mint_price must not be negative";
        if (buybackPercent is < 0 or > 1)
            return "buyback_percent must be a fraction between 0 and 1";
        if (tiers.Count == 0)
            return "rarity_distribution needs at least one tier";
        foreach (var tier in tiers)
        {
            if (string.IsNullOrWhiteSpace(tier.Id))
                return "every rarity tier needs an id";
            if (tier.Lower < 0 || tier.Upper < tier.Lower)
                return $"rarity tier {tier.Id}: lower must be >= 0 and <= upper";
            if (tier.Weight < 0)
                return $"rarity tier {tier.Id}: weight must not be negative";
        }
        if (tiers.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count() != tiers.Count)
            return "rarity tier ids must be unique";
        if (tiers.Sum(t => t.Weight) <= 0)
            return "rarity_distribution needs a tier with a positive weight";
        return null;
    }

    /// <summary><c>buyback_price = fmv × buyback_percent</c>, rounded to cents; frozen at purchase.</summary>
    public decimal BuybackPriceOf(decimal fmv) => Math.Round(fmv * BuybackPercent, 2, MidpointRounding.AwayFromZero);
}

public static class CardTypes
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { "enft", "ebay", "fanatics", "alt", "external" };
}

/// <summary>One unique card as added to a pack's pool (and, once pulled, the item a user owns).</summary>
[GenerateSerializer, Immutable, Alias("vm.CardData")]
public sealed record CardData(
    string Id,
    string Name,
    string? Image,
    string? BackImage,
    decimal Fmv,
    string Type,
    string? MintAddress,
    string? CollectionAddress,
    string? TokenStandard,
    IReadOnlyList<JsonElement> Attributes);
