namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>How many drawable cards a tier has right now.</summary>
public readonly record struct TierCount(RarityTier Tier, long Available);

/// <summary>
/// Chooses the tier of one pull. Tiers are chosen by weight among the tiers that still have cards:
/// an empty tier's weight is spread over the others in proportion (equivalently: draw by weight, and
/// when the drawn tier is empty, draw again among the non-empty ones). Weight-0 tiers are never drawn.
/// Null when no tier with a positive weight has a card: the pack is out of stock.
/// </summary>
public static class RarityDraw
{
    public static RarityTier? ChooseTier(IReadOnlyList<TierCount> tiers, Random random)
    {
        var candidates = tiers.Where(t => t.Available > 0 && t.Tier.Weight > 0).ToList();
        if (candidates.Count == 0)
            return null;
        var total = candidates.Sum(t => t.Tier.Weight);
        var roll = (decimal)random.NextDouble() * total;
        foreach (var candidate in candidates)
        {
            roll -= candidate.Tier.Weight;
            if (roll < 0)
                return candidate.Tier;
        }
        return candidates[^1].Tier;
    }

    /// <summary>
    /// The tiers of <paramref name="amount"/> pulls, each drawn as if the pulls before it got their cards (one fewer
    /// left in its tier). Shorter than <paramref name="amount"/> when the pool runs out first.
    /// </summary>
    public static List<RarityTier> ChooseTiers(IReadOnlyList<TierCount> tiers, int amount, Random random)
    {
        var left = tiers.ToList();
        var chosen = new List<RarityTier>(amount);
        while (chosen.Count < amount && ChooseTier(left, random) is { } tier)
        {
            chosen.Add(tier);
            var index = left.FindIndex(t => t.Tier == tier);
            left[index] = left[index] with { Available = left[index].Available - 1 };
        }
        return chosen;
    }
}
